// MRZ layouts, check digits, dates and parsing (see docs/mrz.md).
#include <idkit/mrz.hpp>
#include <idkit/utf8.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "mrz_layout.hpp"

namespace idkit::mrz {

namespace detail {

bool isMrzChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<'; }

bool allowed(Kind k, char c) {
  const bool alpha = c >= 'A' && c <= 'Z';
  const bool digit = c >= '0' && c <= '9';
  switch (k) {
    case Kind::Alpha: return alpha;
    case Kind::AlphaFill: return alpha || c == '<';
    case Kind::AlnumFill: return alpha || digit || c == '<';
    case Kind::Digit: return digit;
    case Kind::CheckDigit: return digit || c == '<';
    case Kind::Sex: return c == 'M' || c == 'F' || c == 'X' || c == '<';
    case Kind::Name: return alpha || c == '<';
  }
  return false;
}

namespace {

struct KindSetter {
  std::vector<std::vector<Kind>> kinds;
  explicit KindSetter(std::span<const int> lengths) {
    for (int n : lengths) kinds.emplace_back(static_cast<std::size_t>(n), Kind::AlnumFill);
  }
  KindSetter& set(int line, int start, int len, Kind k) {
    for (int i = start; i < start + len; ++i) kinds[line][i] = k;
    return *this;
  }
};

// Document code, issuing state: the first five characters of most layouts.
void setHeader(KindSetter& s, int line) {
  s.set(line, 0, 1, Kind::Alpha).set(line, 1, 1, Kind::AlphaFill).set(line, 2, 3, Kind::AlphaFill);
}

// Line 2 of TD2, TD3, MRV-A and MRV-B share positions 1-28.
void setTravelLine2(KindSetter& s) {
  s.set(1, 0, 9, Kind::AlnumFill).set(1, 9, 1, Kind::CheckDigit).set(1, 10, 3, Kind::AlphaFill);
  s.set(1, 13, 6, Kind::Digit).set(1, 19, 1, Kind::CheckDigit).set(1, 20, 1, Kind::Sex);
  s.set(1, 21, 6, Kind::Digit).set(1, 27, 1, Kind::CheckDigit);
}

void addRange(std::vector<Pos>& v, int line, int start, int end) {
  for (int i = start; i < end; ++i) v.push_back({line, i});
}

std::vector<Pos> range(int line, int start, int end) {
  std::vector<Pos> v;
  addRange(v, line, start, end);
  return v;
}

CheckPlan simple(std::string name, int line, int start, int end) {
  return {std::move(name), {range(line, start, end)}, {line, end}};
}

// Long document number (Doc 9303 part 5/6): the number's digit position holds
// '<' and the number goes on in the optional data, up to the first '<'; the
// last character before it is the check digit. Some issuers (Belgium,
// Portugal) compute that digit with the '<' included: second variant.
CheckPlan documentNumberPlan(const std::string& line, int line_index, int digit_pos, int ext_start,
                             int ext_end) {
  if (line[digit_pos] == '<' && line[ext_start] != '<') {
    int end = ext_start;
    while (end < ext_end && line[end] != '<') ++end;
    std::vector<Pos> icao = range(line_index, digit_pos - 9, digit_pos);
    std::vector<Pos> with_filler = range(line_index, digit_pos - 9, digit_pos + 1);
    addRange(icao, line_index, ext_start, end - 1);
    addRange(with_filler, line_index, ext_start, end - 1);
    return {"document_number", {icao, with_filler}, {line_index, end - 1}};
  }
  return simple("document_number", line_index, digit_pos - 9, digit_pos);
}

}  // namespace

std::vector<std::vector<Kind>> positionKinds(Format f) {
  KindSetter s(lineLengths(f));
  switch (f) {
    case Format::TD1:
      setHeader(s, 0);
      s.set(0, 5, 9, Kind::AlnumFill).set(0, 14, 1, Kind::CheckDigit).set(0, 15, 15, Kind::AlnumFill);
      s.set(1, 0, 6, Kind::Digit).set(1, 6, 1, Kind::CheckDigit).set(1, 7, 1, Kind::Sex);
      s.set(1, 8, 6, Kind::Digit).set(1, 14, 1, Kind::CheckDigit).set(1, 15, 3, Kind::AlphaFill);
      s.set(1, 18, 11, Kind::AlnumFill).set(1, 29, 1, Kind::CheckDigit);
      s.set(2, 0, 30, Kind::Name);
      break;
    case Format::TD2:
    case Format::MRVB:
      setHeader(s, 0);
      s.set(0, 5, 31, Kind::Name);
      setTravelLine2(s);
      s.set(1, 28, 8, Kind::AlnumFill);
      if (f == Format::TD2) s.set(1, 35, 1, Kind::CheckDigit);
      break;
    case Format::TD3:
    case Format::MRVA:
      setHeader(s, 0);
      s.set(0, 5, 39, Kind::Name);
      setTravelLine2(s);
      s.set(1, 28, 16, Kind::AlnumFill);
      if (f == Format::TD3) s.set(1, 42, 2, Kind::CheckDigit);
      break;
    case Format::FrenchID:
      setHeader(s, 0);
      s.set(0, 5, 25, Kind::Name).set(0, 30, 6, Kind::AlnumFill);
      s.set(1, 0, 4, Kind::Digit).set(1, 4, 3, Kind::AlnumFill).set(1, 7, 5, Kind::Digit);
      s.set(1, 12, 1, Kind::CheckDigit).set(1, 13, 14, Kind::Name).set(1, 27, 6, Kind::Digit);
      s.set(1, 33, 1, Kind::CheckDigit).set(1, 34, 1, Kind::Sex).set(1, 35, 1, Kind::CheckDigit);
      break;
    case Format::FrenchDL:
      s.set(0, 0, 1, Kind::Alpha).set(0, 1, 1, Kind::AlnumFill).set(0, 2, 3, Kind::AlphaFill);
      s.set(0, 5, 9, Kind::AlnumFill).set(0, 14, 1, Kind::CheckDigit).set(0, 15, 6, Kind::Digit);
      s.set(0, 21, 8, Kind::Name).set(0, 29, 1, Kind::CheckDigit);
      break;
    case Format::SwissDL:
      s.set(0, 0, 3, Kind::Alpha).set(0, 3, 3, Kind::Digit).set(0, 6, 3, Kind::AlphaFill);
      s.set(1, 0, 2, Kind::Alpha).set(1, 2, 3, Kind::AlphaFill).set(1, 5, 12, Kind::Digit);
      s.set(1, 17, 2, Kind::AlphaFill).set(1, 19, 6, Kind::Digit).set(1, 25, 5, Kind::AlphaFill);
      s.set(2, 0, 30, Kind::Name);
      break;
  }
  return s.kinds;
}

std::vector<CheckPlan> checkPlans(Format f, std::span<const std::string> lines) {
  std::vector<CheckPlan> plans;
  switch (f) {
    case Format::TD1: {
      plans.push_back(documentNumberPlan(lines[0], 0, 14, 15, 30));
      plans.push_back(simple("birth_date", 1, 0, 6));
      plans.push_back(simple("expiry_date", 1, 8, 14));
      std::vector<Pos> c = range(0, 5, 30);
      addRange(c, 1, 0, 7);
      addRange(c, 1, 8, 15);
      addRange(c, 1, 18, 29);
      plans.push_back({"composite", {c}, {1, 29}});
      break;
    }
    case Format::TD2:
    case Format::TD3:
    case Format::MRVA:
    case Format::MRVB: {
      const bool td2 = f == Format::TD2;
      plans.push_back(td2 ? documentNumberPlan(lines[1], 1, 9, 28, 35)
                          : simple("document_number", 1, 0, 9));
      plans.push_back(simple("birth_date", 1, 13, 19));
      plans.push_back(simple("expiry_date", 1, 21, 27));
      if (f == Format::TD3) plans.push_back(simple("optional_data", 1, 28, 42));
      if (f == Format::TD2 || f == Format::TD3) {
        const int last = td2 ? 35 : 43;
        std::vector<Pos> c = range(1, 0, 10);
        addRange(c, 1, 13, 20);
        addRange(c, 1, 21, last);
        plans.push_back({"composite", {c}, {1, last}});
      }
      break;
    }
    case Format::FrenchID: {
      plans.push_back(simple("document_number", 1, 0, 12));
      plans.push_back(simple("birth_date", 1, 27, 33));
      std::vector<Pos> c = range(0, 0, 36);
      addRange(c, 1, 0, 35);
      plans.push_back({"composite", {c}, {1, 35}});
      break;
    }
    case Format::FrenchDL:
      plans.push_back(simple("document_number", 0, 0, 14));
      plans.push_back(simple("composite", 0, 0, 29));
      break;
    case Format::SwissDL:
      break;  // the layout has no check digits
  }
  return plans;
}

bool checkPasses(std::string_view data, char digit) {
  if (digit == '<') return std::all_of(data.begin(), data.end(), [](char c) { return c == '<'; });
  if (digit < '0' || digit > '9') return false;
  return checkDigit(data) == digit - '0';
}

std::string gather(std::span<const std::string> lines, std::span<const Pos> positions) {
  std::string s;
  s.reserve(positions.size());
  for (const Pos& p : positions) s.push_back(lines[p.line][p.col]);
  return s;
}

bool planPasses(std::span<const std::string> lines, const CheckPlan& plan, std::size_t v) {
  return checkPasses(gather(lines, plan.variants[v]), lines[plan.digit.line][plan.digit.col]);
}

bool verifiesAField(Format format, std::span<const std::string> lines) {
  const auto plans = checkPlans(format, lines);
  return std::any_of(plans.begin(), plans.end(), [&](const CheckPlan& p) {
    const std::string data = gather(lines, p.variants[0]);
    return planPasses(lines, p) && data.find_first_not_of('<') != std::string::npos;
  });
}

}  // namespace detail

using namespace detail;

namespace {

constexpr std::array<std::pair<Format, std::string_view>, 8> kNames{{
    {Format::TD1, "TD1"},
    {Format::TD2, "TD2"},
    {Format::TD3, "TD3"},
    {Format::MRVA, "MRVA"},
    {Format::MRVB, "MRVB"},
    {Format::FrenchID, "FRENCH_ID"},
    {Format::FrenchDL, "FRENCH_DL"},
    {Format::SwissDL, "SWISS_DL"},
}};

constexpr std::array<int, 3> kTD1{30, 30, 30};
constexpr std::array<int, 2> kTD2{36, 36};
constexpr std::array<int, 2> kTD3{44, 44};
constexpr std::array<int, 1> kFrenchDL{30};
constexpr std::array<int, 3> kSwissDL{9, 30, 30};

std::string_view trimFill(std::string_view s) {
  while (!s.empty() && s.back() == '<') s.remove_suffix(1);
  return s;
}

std::string_view trimFillBoth(std::string_view s) {
  s = trimFill(s);
  while (!s.empty() && s.front() == '<') s.remove_prefix(1);
  return s;
}

}  // namespace

std::string nameText(std::string_view s) {
  std::string out;
  for (char c : s) {
    const char ch = c == '<' ? ' ' : c;
    if (ch == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(ch);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

// Primary and secondary identifiers: surname, then given names after "<<".
void splitName(std::string_view field, std::map<std::string, std::string>& out) {
  field = trimFill(field);
  const auto sep = field.find("<<");
  if (sep == std::string_view::npos) {
    out["surname"] = nameText(field);
    out["given_names"] = "";
  } else {
    out["surname"] = nameText(field.substr(0, sep));
    out["given_names"] = nameText(field.substr(sep + 2));
  }
}

struct YMD {
  int y = 0, m = 0, d = 0;
  auto operator<=>(const YMD&) const = default;
};

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int daysIn(int y, int m) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : days[m - 1];
}

bool allDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int num(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

YMD reference(std::string_view as_of) {
  auto ok = [](std::string_view s) {
    return s.size() == 10 && s[4] == '-' && s[7] == '-' && allDigits(s.substr(0, 4)) &&
           allDigits(s.substr(5, 2)) && allDigits(s.substr(8, 2));
  };
  if (!ok(as_of)) as_of = kDefaultAsOf;
  return {num(as_of.substr(0, 4)), num(as_of.substr(5, 2)), num(as_of.substr(8, 2))};
}

std::string isoOf(const YMD& d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", d.y, d.m, d.d);
}

// Century of a two-digit year (rules in ParseOptions / docs/mrz.md).
int resolveYear(int yy, int mm, int dd, DateKind kind, const YMD& ref) {
  int y = ref.y / 100 * 100 + yy;
  if (kind == DateKind::Birth) {
    if (YMD{y, mm, dd} > ref) y -= 100;
  } else {
    if (y >= ref.y + 50) y -= 100;
    if (y < ref.y - 50) y += 100;
  }
  return y;
}

std::string field(const std::string& line, int start, int len) {
  return std::string(trimFill(std::string_view(line).substr(start, len)));
}

void putDate(std::map<std::string, std::string>& f, const std::string& key, std::string_view raw,
             DateKind kind, std::string_view as_of) {
  const Date d = resolveDate(raw, kind, as_of);
  f[key] = d.iso;
  f[key + "_raw"] = d.raw;
}

// The issue month a French ID card's number starts with (YYMM), never after `ref`.
std::optional<YMD> frenchIssue(std::string_view issue_raw, const YMD& ref) {
  if (issue_raw.size() != 4 || !allDigits(issue_raw)) return std::nullopt;
  const int mm = num(issue_raw.substr(2, 2));
  if (mm < 1 || mm > 12) return std::nullopt;
  return YMD{resolveYear(num(issue_raw.substr(0, 2)), mm, 1, DateKind::Birth, ref), mm, 1};
}

// French ID cards (pre-2021) print no expiry: it follows from the issue
// month, 10 years, or 15 for cards issued from 2014 to adults.
void deriveFrenchExpiry(std::map<std::string, std::string>& f, const YMD& issue) {
  const int mm = issue.m;
  f["issue_date"] = isoOf(issue).substr(0, 7);
  const std::string& birth = f["birth_date"];
  bool adult = true;
  if (birth.size() == 10) {
    const YMD b{num(birth.substr(0, 4)), num(birth.substr(5, 2)), num(birth.substr(8, 2))};
    adult = YMD{b.y + 18, b.m, b.d} <= issue;
  }
  const int years = issue.y >= 2014 && adult ? 15 : 10;
  const YMD expiry{issue.y + years, mm, 1};
  f["expiry_date"] = isoOf(expiry);
  f["expiry_date_raw"] = fmt::format("{:02d}{:02d}01", expiry.y % 100, mm);
  f["expiry_date_rule"] = years == 15 ? "issue_plus_15_years" : "issue_plus_10_years";
}

// Line 2 of TD2/TD3/MRV: positions 1-28 are common.
void travelLine2(const std::string& l, std::map<std::string, std::string>& f,
                 std::string_view as_of) {
  f["document_number"] = field(l, 0, 9);
  f["nationality"] = field(l, 10, 3);
  putDate(f, "birth_date", l.substr(13, 6), DateKind::Birth, as_of);
  f["sex"] = l.substr(20, 1);
  putDate(f, "expiry_date", l.substr(21, 6), DateKind::Expiry, as_of);
}

// Joins a long number's extension (from the plan) into document_number and
// returns the rest of the optional data after it.
std::string joinLongNumber(const CheckPlan& doc, std::span<const std::string> lines,
                           std::map<std::string, std::string>& f, int num_start, int ext_start,
                           int opt_end) {
  const std::string& l = lines[doc.digit.line];
  const int ext_end = doc.digit.col;  // exclusive: the digit ends the extension
  f["document_number"] = l.substr(num_start, 9) + l.substr(ext_start, ext_end - ext_start);
  return std::string(trimFillBoth(std::string_view(l).substr(ext_end + 1, opt_end - ext_end - 1)));
}

std::map<std::string, std::string> parseFields(Format fmt, std::span<const std::string> lines,
                                               const std::vector<CheckPlan>& plans,
                                               std::string_view as_of) {
  std::map<std::string, std::string> f;
  const std::string& a = lines[0];
  auto header = [&] {
    f["document_code"] = field(a, 0, 2);
    f["issuing_state"] = field(a, 2, 3);
  };
  const bool long_number = !plans.empty() && plans[0].variants.size() > 1;
  switch (fmt) {
    case Format::TD1: {
      const std::string& b = lines[1];
      header();
      f["document_number"] = field(a, 5, 9);
      f["optional_data"] = field(a, 15, 15);
      if (long_number) f["optional_data"] = joinLongNumber(plans[0], lines, f, 5, 15, 30);
      putDate(f, "birth_date", b.substr(0, 6), DateKind::Birth, as_of);
      f["sex"] = b.substr(7, 1);
      putDate(f, "expiry_date", b.substr(8, 6), DateKind::Expiry, as_of);
      f["nationality"] = field(b, 15, 3);
      f["optional_data_2"] = field(b, 18, 11);
      splitName(lines[2], f);
      break;
    }
    case Format::TD2:
    case Format::TD3:
    case Format::MRVA:
    case Format::MRVB: {
      const std::string& b = lines[1];
      header();
      splitName(std::string_view(a).substr(5), f);
      travelLine2(b, f, as_of);
      const int opt_len = fmt == Format::TD3 ? 14 : static_cast<int>(b.size()) - 28 -
                                                        (fmt == Format::TD2 ? 1 : 0);
      f["optional_data"] = field(b, 28, opt_len);
      if (long_number) f["optional_data"] = joinLongNumber(plans[0], lines, f, 0, 28, 35);
      break;
    }
    case Format::FrenchID: {
      const std::string& b = lines[1];
      header();
      f["surname"] = nameText(trimFill(std::string_view(a).substr(5, 25)));
      f["administrative_code"] = field(a, 30, 6);
      f["optional_data"] = f["administrative_code"];
      f["document_number"] = field(b, 0, 12);
      f["issue_date_raw"] = b.substr(0, 4);
      f["issue_date"] = "";
      f["administrative_code_2"] = field(b, 4, 3);
      f["optional_data_2"] = f["administrative_code_2"];
      f["given_names"] = nameText(trimFill(std::string_view(b).substr(13, 14)));
      // The holder was born before the card was issued: a birth year's
      // century is resolved against the issue month, not only --as-of
      // (a card issued in 2018 to someone born in '25 means 1925).
      const auto issue = frenchIssue(b.substr(0, 4), reference(as_of));
      putDate(f, "birth_date", b.substr(27, 6), DateKind::Birth,
              issue ? isoOf({issue->y, issue->m, 31}) : std::string(as_of));
      f["sex"] = b.substr(34, 1);
      // Only issued to French nationals; the zone has no nationality field.
      f["nationality"] = "FRA";
      if (issue) deriveFrenchExpiry(f, *issue);
      break;
    }
    case Format::FrenchDL:
      header();
      f["document_number"] = field(a, 5, 9);
      putDate(f, "expiry_date", a.substr(15, 6), DateKind::Expiry, as_of);
      f["surname"] = nameText(trimFill(std::string_view(a).substr(21, 8)));
      break;
    case Format::SwissDL: {
      const std::string& b = lines[1];
      f["document_number"] = field(a, 0, 7);
      f["language_code"] = a.substr(6, 1);
      f["document_code"] = field(b, 0, 2);
      f["issuing_state"] = field(b, 2, 3);
      f["pin_code"] = field(b, 5, 9);
      f["version_number"] = field(b, 14, 3);
      putDate(f, "birth_date", b.substr(19, 6), DateKind::Birth, as_of);
      splitName(lines[2], f);
      break;
    }
  }
  return f;
}

}  // namespace

std::string_view toString(Format f) {
  for (const auto& [fmt, name] : kNames)
    if (fmt == f) return name;
  return "?";
}

std::optional<Format> formatFromString(std::string_view s) {
  for (const auto& [fmt, name] : kNames)
    if (name == s) return fmt;
  return std::nullopt;
}

std::span<const int> lineLengths(Format f) {
  switch (f) {
    case Format::TD1: return kTD1;
    case Format::TD2:
    case Format::MRVB:
    case Format::FrenchID: return kTD2;
    case Format::TD3:
    case Format::MRVA: return kTD3;
    case Format::FrenchDL: return kFrenchDL;
    case Format::SwissDL: return kSwissDL;
  }
  return {};
}

std::optional<Format> detectFormat(std::span<const std::string> lines) {
  auto shape = [&](std::initializer_list<std::size_t> lens) {
    if (lines.size() != lens.size()) return false;
    std::size_t i = 0;
    for (std::size_t n : lens)
      if (lines[i++].size() != n) return false;
    return true;
  };
  if (shape({30, 30, 30})) return Format::TD1;
  if (shape({9, 30, 30})) return Format::SwissDL;
  if (shape({30})) return lines[0][0] == 'D' ? std::optional(Format::FrenchDL) : std::nullopt;
  // A first letter neither the visa's V nor one of the other layout's codes
  // (a misread 'V<UTO' as 'K<UTO') leaves the zone's last cell to tell them
  // apart: a TD2's or TD3's is the composite check digit, a visa's optional
  // data, in practice a filler.
  auto visaByEnd = [&](Format other) {
    return documentCodeLetters(other).find(lines[0][0]) == std::string_view::npos && lines[1].back() == '<';
  };
  if (shape({36, 36})) {
    if (lines[0][0] == 'V') return Format::MRVB;
    // Pre-2021 French card; a misread first letter (1DFRA, LDFRA) is still it.
    if (lines[0].substr(1, 4) == "DFRA" && std::string_view("I1L").find(lines[0][0]) != std::string_view::npos)
      return Format::FrenchID;
    return visaByEnd(Format::TD2) ? Format::MRVB : Format::TD2;
  }
  if (shape({44, 44})) return lines[0][0] == 'V' || visaByEnd(Format::TD3) ? Format::MRVA : Format::TD3;
  return std::nullopt;
}

std::optional<int> charValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c == '<') return 0;
  return std::nullopt;
}

int checkDigit(std::string_view s) {
  static constexpr std::array<int, 3> weights{7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) sum += charValue(s[i]).value_or(0) * weights[i % 3];
  return sum % 10;
}

Date resolveDate(std::string_view yymmdd, DateKind kind, std::string_view as_of) {
  Date d{std::string(yymmdd), ""};
  if (yymmdd.size() != 6 || !allDigits(yymmdd)) return d;
  const int yy = num(yymmdd.substr(0, 2)), mm = num(yymmdd.substr(2, 2)),
            dd = num(yymmdd.substr(4, 2));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return d;
  const int y = resolveYear(yy, mm, dd, kind, reference(as_of));
  if (dd > daysIn(y, mm)) return d;
  d.iso = isoOf({y, mm, dd});
  return d;
}

bool Result::check(std::string_view name) const {
  for (const auto& [n, ok] : checks)
    if (n == name) return ok;
  return false;
}

std::string Result::field(std::string_view name) const {
  const auto it = fields.find(std::string(name));
  return it == fields.end() ? std::string() : it->second;
}

// Lines are kept as given, so they may hold bytes that are not UTF-8 (or a
// multi-byte character cut by a field boundary); JSON must not: such bytes
// become U+FFFD (utf8::sanitise).
Json Result::toJson() const {
  Json j;
  j["format"] = toString(format);
  j["lines"] = Json::array();
  for (const auto& l : lines) j["lines"].push_back(utf8::sanitise(l));
  j["fields"] = Json::object();
  for (const auto& [k, v] : fields) j["fields"][k] = utf8::sanitise(v);
  j["checks"] = Json::object();
  for (const auto& [k, v] : checks) j["checks"][k] = v;
  j["valid"] = valid;
  j["confidence"] = std::round(confidence * 1000.0) / 1000.0;
  j["field_confidence"] = Json::object();
  for (const auto& [k, v] : field_confidence) j["field_confidence"][k] = std::round(v * 1000.0) / 1000.0;
  j["corrections"] = Json::array();
  for (const Correction& c : corrections) {
    j["corrections"].push_back({{"line", c.line},
                                {"pos", c.pos},
                                {"from", c.from ? utf8::sanitise(std::string(1, c.from)) : std::string()},
                                {"to", c.to ? utf8::sanitise(std::string(1, c.to)) : std::string()},
                                {"why", c.why}});
  }
  if (!uncertain.empty()) {
    j["uncertain"] = Json::array();
    for (const Correction& u : uncertain)
      j["uncertain"].push_back({{"line", u.line},
                                {"pos", u.pos},
                                {"read", utf8::sanitise(std::string(1, u.from))},
                                {"rival", utf8::sanitise(std::string(1, u.to))}});
  }
  return j;
}

// Which fields each check protects, for confidences.
static const std::map<std::string, std::vector<std::string>> kProtects{
    {"document_number", {"document_number"}},
    {"birth_date", {"birth_date"}},
    {"expiry_date", {"expiry_date"}},
    {"optional_data", {"optional_data"}},
};

Expected<Result> parse(std::span<const std::string> lines, const ParseOptions& opts) {
  std::optional<Format> fmt = opts.format ? opts.format : detectFormat(lines);
  if (fmt && opts.format) {
    const auto lens = lineLengths(*fmt);
    bool ok = lines.size() == lens.size();
    for (std::size_t i = 0; ok && i < lines.size(); ++i)
      ok = lines[i].size() == static_cast<std::size_t>(lens[i]);
    if (!ok) fmt.reset();
  }
  if (!fmt) {
    std::string shape;
    for (const auto& l : lines) shape += (shape.empty() ? "" : "+") + std::to_string(l.size());
    return std::unexpected(Error{"mrz_bad_shape",
                                "MRZ text has " + std::to_string(lines.size()) +
                                    " line(s) of length " + (shape.empty() ? "0" : shape) +
                                    ", which is no known MRZ layout"});
  }
  Result r;
  r.format = *fmt;
  r.lines.assign(lines.begin(), lines.end());
  const auto plans = checkPlans(*fmt, lines);
  r.fields = parseFields(*fmt, lines, plans, opts.as_of);

  bool charset = true;
  for (const auto& l : lines)
    for (char c : l) charset = charset && isMrzChar(c);

  r.valid = charset;
  for (const CheckPlan& p : plans) {
    const bool ok = planPasses(lines, p);
    r.checks.emplace_back(p.name, ok);
    bool accepted = ok;
    if (!ok && p.variants.size() > 1 && planPasses(lines, p, 1)) {
      r.checks.emplace_back(p.name + "_incl_filler", true);
      accepted = true;
    }
    r.valid = r.valid && accepted;
    const auto it = kProtects.find(p.name);
    if (it != kProtects.end())
      for (const auto& fld : it->second) r.field_confidence[fld] = accepted ? 1.0 : 0.5;
  }
  if (!charset) r.checks.emplace_back("charset", false);
  r.confidence = r.valid ? 1.0 : 0.5;
  return r;
}

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (!l.empty()) out.emplace_back(l);
    start = end + 1;
  }
  return out;
}

}  // namespace idkit::mrz
