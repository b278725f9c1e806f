// AAMVA DL/ID payload parsing and composing. See docs/aamva.md for the
// leniencies and for where idkit deliberately reads a payload differently from
// other parsers.
#include <idkit/aamva.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fmt/format.h>

namespace idkit::aamva {
namespace {

constexpr char kLF = '\n', kCR = '\r', kRS = '\x1e';

// Element IDs of every edition (current and legacy). Only needed to split
// payloads whose separators were lost: elements then run together and the IDs
// are the only landmarks.
constexpr std::string_view kKnownIds[] = {
    "DAA", "DAB", "DAC", "DAD", "DAE", "DAF", "DAG", "DAH", "DAI", "DAJ", "DAK", "DAL", "DAM", "DAN",
    "DAO", "DAP", "DAQ", "DAR", "DAS", "DAT", "DAU", "DAV", "DAW", "DAX", "DAY", "DAZ", "DBA", "DBB",
    "DBC", "DBD", "DBE", "DBF", "DBG", "DBH", "DBI", "DBJ", "DBK", "DBL", "DBM", "DBN", "DBO", "DBP",
    "DBQ", "DBR", "DBS", "DCA", "DCB", "DCD", "DCE", "DCF", "DCG", "DCH", "DCI", "DCJ", "DCK", "DCL",
    "DCM", "DCN", "DCO", "DCP", "DCQ", "DCR", "DCS", "DCT", "DCU", "DCV", "DCW", "DCX", "DCY", "DCZ",
    "DDA", "DDB", "DDC", "DDD", "DDE", "DDF", "DDG", "DDH", "DDI", "DDJ", "DDK", "DDL"};

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isKnownId(std::string_view id) {
  return std::ranges::find(kKnownIds, id) != std::end(kKnownIds);
}

// Landmarks for splitting a run of elements: the IDs real cards carry, limited
// to those of the payload's edition. Rare legacy IDs (DAM, DAN...) are left out
// because they occur inside names ("ADAM") far more often than on cards.
bool isLandmarkId(std::string_view id, int version) {
  static constexpr std::string_view rare[] = {"DAL", "DAM", "DAN", "DAO", "DAP", "DAV", "DBE",
                                              "DBG", "DBI", "DBJ", "DBK", "DBL", "DBM", "DBN",
                                              "DBO", "DBP", "DBQ", "DBR", "DBS", "DCV", "DCW",
                                              "DCX", "DCY", "DCZ"};
  if (!isKnownId(id) || std::ranges::find(rare, id) != std::end(rare)) return false;
  if (version <= 1 && (id.starts_with("DC") || id.starts_with("DD"))) return false;
  if (version >= 1 && version <= 3 && id.starts_with("DD")) return false;
  return true;
}

// An element ID as it appears at the start of a line: D or Z plus two letters.
bool looksLikeId(std::string_view s) {
  return s.size() >= 3 && (s[0] == 'D' || s[0] == 'Z') && isUpper(s[1]) && isUpper(s[2]);
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  if (s.empty() || !std::all_of(s.begin(), s.end(), isDigit)) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isDigit);
}

// ---- header ----------------------------------------------------------------

struct Header {
  std::string file_type;
  std::string iin;
  int version = 0;
  std::optional<int> jurisdiction_version;
  std::vector<Subfile> subfiles;
  size_t body = 0;          // where the subfile data starts
  char element_separator = kLF;
  bool wedge = false;       // header shows keyboard-wedge control-character mapping
};

// Real captures rarely keep "@\n\x1e\r": the control characters are replaced,
// doubled or lost, so the file type is searched for instead of expected at 4.
struct FileType {
  size_t begin, end;
};

std::optional<FileType> findFileType(std::string_view p, std::string& type) {
  const size_t window = std::min<size_t>(p.size(), 48);
  const std::string_view head = p.substr(0, window);
  for (std::string_view t : {"ANSI ", "AAMVA", "AMVA "}) {
    if (auto at = head.find(t); at != std::string_view::npos) {
      type = t == "AMVA " ? "AAMVA" : std::string(t);
      return FileType{at, at + t.size()};
    }
  }
  // "ANSI" directly followed by the IIN (space lost).
  if (auto at = head.find("ANSI"); at != std::string_view::npos && at + 4 < p.size() &&
                                   isDigit(p[at + 4])) {
    type = "ANSI ";
    return FileType{at, at + 4};
  }
  return std::nullopt;
}

bool designatorAt(std::string_view p, size_t at) {
  if (at + 10 > p.size()) return false;
  const char a = p[at], b = p[at + 1];
  const bool type = (a == 'D' && b == 'L') || (a == 'I' && b == 'D') || (a == 'Z' && isUpper(b));
  return type && allDigits(p.substr(at + 2, 8));
}

Expected<Header> parseHeader(std::string_view p, std::vector<std::string>& warnings) {
  Header h;
  auto start = findFileType(p, h.file_type);
  if (!start) return std::unexpected(Error{"aamva_invalid", "no AAMVA header (file type 'ANSI ' or 'AAMVA') near the start"});
  const size_t at = start->end;
  const size_t type_at = start->begin;
  const size_t compliance = p.find('@');
  if (compliance == std::string_view::npos || compliance > type_at)
    warnings.push_back("compliance indicator '@' missing");
  else {
    if (compliance != 0) warnings.push_back("text before the compliance indicator '@'");
    // The declared data element separator is the character after '@'; piped
    // captures declare '|'.
    // Keyboard wedges type RS as '6' or U+00DC and CR as 'M'.
    const std::string_view prefix = p.substr(compliance, type_at - compliance);
    h.wedge = prefix.find('M') != std::string_view::npos;
    if (compliance + 1 < type_at) {
      const char sep = p[compliance + 1];
      if (sep != kLF) {
        if (sep == '|' || sep == kCR || sep == kRS) h.element_separator = sep;
        warnings.push_back("non-standard header control characters");
      } else if (p.substr(compliance, type_at - compliance) != "@\n\x1e\r") {
        warnings.push_back("non-standard header control characters");
      }
    } else {
      warnings.push_back("header control characters missing");
    }
  }
  if (h.file_type == "AAMVA") warnings.push_back("pre-standard file type 'AAMVA'");

  if (at + 8 > p.size() || !allDigits(p.substr(at, 8)))
    return std::unexpected(Error{"aamva_invalid", "header has no 6-digit IIN and 2-digit version after the file type"});
  h.iin = std::string(p.substr(at, 6));
  h.version = *number(p.substr(at + 6, 2));
  if (h.version > 11) warnings.push_back(fmt::format("unknown AAMVA version {:02}", h.version));
  if (!h.iin.starts_with("636") && !h.iin.starts_with("604"))
    warnings.push_back("IIN " + h.iin + " is not an AAMVA issuer number");

  // Version 01 has no jurisdiction version; some issuers add one anyway. The
  // layout whose next bytes are a subfile designator wins.
  size_t pos = at + 8;
  auto two = [&](size_t i) { return i + 2 <= p.size() ? number(p.substr(i, 2)) : std::nullopt; };
  const bool with_jv = two(pos) && two(pos + 2) && designatorAt(p, pos + 4);
  const bool without_jv = two(pos) && designatorAt(p, pos + 2);
  int entries = 0;
  if (with_jv && (h.version != 1 || !without_jv)) {
    h.jurisdiction_version = *two(pos);
    entries = *two(pos + 2);
    pos += 4;
  } else if (without_jv) {
    entries = *two(pos);
    pos += 2;
  } else if (h.version >= 2 && two(pos) && two(pos + 2)) {
    h.jurisdiction_version = *two(pos);
    entries = *two(pos + 2);
    pos += 4;
    warnings.push_back("malformed subfile designator");
  } else if (two(pos)) {
    entries = *two(pos);
    pos += 2;
    warnings.push_back("malformed subfile designator");
  } else {
    warnings.push_back("header ends before the number of entries");
  }
  for (int i = 0; i < entries && designatorAt(p, pos); ++i, pos += 10) {
    h.subfiles.push_back({std::string(p.substr(pos, 2)), *number(p.substr(pos + 2, 4)),
                          *number(p.substr(pos + 6, 4))});
  }
  if (static_cast<int>(h.subfiles.size()) != entries && entries > 0 &&
      std::find(warnings.begin(), warnings.end(), "malformed subfile designator") == warnings.end())
    warnings.push_back(fmt::format("header declares {} subfiles, {} designators read", entries,
                                   h.subfiles.size()));
  for (const auto& s : h.subfiles) {
    if (s.offset >= 0 && static_cast<size_t>(s.offset) + 2 <= p.size() &&
        p.substr(s.offset, 2) != s.type) {
      warnings.push_back("subfile offsets do not match the data (elements found by ID)");
      break;
    }
  }
  h.body = pos;
  return h;
}

// ---- elements --------------------------------------------------------------

bool isSeparator(std::string_view p, size_t i, char declared, size_t& width) {
  width = 1;
  const char c = p[i];
  if (c == kLF || c == kCR || c == kRS || c == '\x1c' || c == '\x1d' || c == declared) return true;
  // U+0090 (UTF-8 C2 90): a scanner mapping every control character to it.
  if (c == '\xc2' && i + 1 < p.size() && p[i + 1] == '\x90') {
    width = 2;
    return true;
  }
  return false;
}

bool isSubfileType(std::string_view t, const std::vector<Subfile>& declared) {
  if (t == "DL" || t == "ID") return true;
  if (t.size() == 2 && t[0] == 'Z' && isUpper(t[1])) return true;
  return std::any_of(declared.begin(), declared.end(), [&](const Subfile& s) { return s.type == t; });
}

// Splits a run of elements whose separators were lost, using the known IDs
// (and the declared jurisdiction prefixes) as landmarks. Each ID is taken once,
// at its first occurrence, which keeps an ID-like run inside a value (rare) from
// splitting it when the ID was already seen.
std::vector<std::pair<std::string, std::string>> splitRunTogether(
    std::string_view run, const std::vector<Subfile>& declared, int version) {
  std::vector<std::string> zprefixes;
  for (const auto& s : declared)
    if (s.type[0] == 'Z') zprefixes.push_back(s.type);
  std::vector<std::string> used;
  auto idAt = [&](size_t i) -> std::optional<std::string> {
    if (i + 3 > run.size()) return std::nullopt;
    std::string id(run.substr(i, 3));
    if (std::find(used.begin(), used.end(), id) != used.end()) return std::nullopt;
    if (isLandmarkId(id, version)) return id;
    for (const auto& z : zprefixes)
      if (id.starts_with(z) && isUpper(id[2])) return id;
    return std::nullopt;
  };
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  // A subfile type written before the first element ("DLDAQ...", "ZKZKA").
  auto skipType = [&](size_t at) {
    if (at + 5 <= run.size() && isSubfileType(run.substr(at, 2), declared) &&
        looksLikeId(run.substr(at + 2, 3)) && !idAt(at))
      return at + 2;
    if (at + 5 <= run.size() && run.substr(at, 2) == run.substr(at + 2, 2) && run[at] == 'Z')
      return at + 2;
    return at;
  };
  i = skipType(0);
  while (i < run.size()) {
    auto id = idAt(i);
    if (!id) {  // junk before the first element
      ++i;
      continue;
    }
    used.push_back(*id);
    size_t j = i + 3;
    while (j < run.size()) {
      size_t k = skipType(j);
      if (k != j && idAt(k)) break;
      if (idAt(j)) break;
      ++j;
    }
    out.emplace_back(*id, std::string(run.substr(i + 3, j - i - 3)));
    i = skipType(j);
  }
  return out;
}

void readElements(std::string_view p, const Header& h, Result& r) {
  // Tokens between separators.
  std::vector<std::string_view> tokens;
  size_t start = h.body, w = 1;
  for (size_t i = h.body; i < p.size(); i += w) {
    if (isSeparator(p, i, h.element_separator, w)) {
      tokens.push_back(p.substr(start, i - start));
      start = i + w;
    }
  }
  tokens.push_back(p.substr(start));

  // Keyboard wedges type CR as 'M': "DDB03162012MZWZWA5415" is the end of the
  // DL subfile, then the ZW subfile. Split there and remember the artefact.
  bool wedge = h.wedge;
  for (size_t t = 0; t < tokens.size(); ++t) {
    const std::string_view tok = tokens[t];
    for (const auto& s : h.subfiles) {
      if (s.type[0] != 'Z') continue;
      const auto at = tok.find("M" + s.type + s.type);
      if (at == std::string_view::npos || at < 3) continue;
      tokens[t] = tok.substr(0, at);
      tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(t) + 1, tok.substr(at + 1));
      wedge = true;
      break;
    }
  }

  std::string subfile = h.subfiles.empty() ? "DL" : h.subfiles.front().type;
  auto add = [&](std::string id, std::string value) {
    if (r.find(id)) {
      r.warnings.push_back("duplicate element " + id + " ignored");
      return;
    }
    r.elements.push_back({std::move(id), std::move(value), subfile});
  };

  bool first = true;
  bool runTogether = false;
  for (std::string_view tok : tokens) {
    if (tok.empty()) continue;
    // The first token may carry junk and the subfile type ("DLabacDLDCS...").
    if (first) {
      first = false;
      for (size_t i = 0; i + 5 <= tok.size(); ++i) {
        if (isSubfileType(tok.substr(i, 2), h.subfiles) && looksLikeId(tok.substr(i + 2, 3))) {
          if (i > 0) r.warnings.push_back("junk before the first subfile");
          subfile = std::string(tok.substr(i, 2));
          tok.remove_prefix(i + 2);
          break;
        }
      }
      if (tok == "DL" || tok == "ID") {
        subfile = std::string(tok);
        continue;
      }
    }
    if (tok.size() == 2 && isSubfileType(tok, h.subfiles)) {  // a subfile type on its own line
      subfile = std::string(tok);
      continue;
    }
    // "ZVZVA01": a jurisdiction subfile starting with its type, then ZVA.
    if (tok.size() >= 5 && tok[0] == 'Z' && tok.substr(0, 2) == tok.substr(2, 2) &&
        isUpper(tok[4]) && subfile != std::string(tok.substr(0, 2))) {
      subfile = std::string(tok.substr(0, 2));
      tok.remove_prefix(2);
    } else if (tok.size() >= 5 && (tok.starts_with("DL") || tok.starts_with("ID")) &&
               looksLikeId(tok.substr(2))) {
      subfile = std::string(tok.substr(0, 2));
      tok.remove_prefix(2);
    }
    if (!looksLikeId(tok)) {
      r.warnings.push_back("unreadable text between elements ignored");
      continue;
    }
    // Separators lost: one long token holding many elements.
    if (tok.size() > 60 && !runTogether) {
      auto parts = splitRunTogether(tok, h.subfiles, h.version);
      if (parts.size() > 3) {
        runTogether = true;
        r.warnings.push_back("element separators missing; elements split by ID");
        for (auto& [id, v] : parts) {
          if (id[0] == 'Z') subfile = id.substr(0, 2);
          add(std::move(id), std::move(v));
        }
        continue;
      }
    }
    if (tok[0] == 'Z') subfile = std::string(tok.substr(0, 2));
    add(std::string(tok.substr(0, 3)), std::string(tok.substr(3)));
  }
  if (wedge) {  // the 'M' that stands for the CR ending each subfile
    for (size_t i = 0; i < r.elements.size(); ++i) {
      Element& e = r.elements[i];
      const bool last = i + 1 == r.elements.size() || r.elements[i + 1].subfile != e.subfile;
      if (last && e.value.ends_with('M')) {
        e.value.pop_back();
        r.warnings.push_back("keyboard-wedge 'M' (for CR) removed after " + e.id);
      }
    }
  }
}

// ---- normalisation -----------------------------------------------------------

constexpr std::array<std::string_view, 13> kCanada = {"AB", "BC", "MB", "NB", "NL", "NS", "NT",
                                                      "NU", "ON", "PE", "QC", "SK", "YT"};

struct Date {
  int y, m, d;
};

bool validDate(int y, int m, int d) {
  static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] &&
         !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

std::optional<Date> readDate(std::string_view raw, bool mmddccyy) {
  std::string digits;
  for (char c : trim(raw)) {
    if (isDigit(c)) digits += c;
    else if (c != '-' && c != '/') return std::nullopt;
  }
  if (digits.size() != 8) return std::nullopt;
  const std::string_view s = digits;
  Date dt = mmddccyy ? Date{*number(s.substr(4, 4)), *number(s.substr(0, 2)), *number(s.substr(2, 2))}
                     : Date{*number(s.substr(0, 4)), *number(s.substr(4, 2)), *number(s.substr(6, 2))};
  if (!validDate(dt.y, dt.m, dt.d)) return std::nullopt;
  return dt;
}

std::string iso(Date d) { return fmt::format("{:04}-{:02}-{:02}", d.y, d.m, d.d); }

constexpr std::array<std::string_view, 9> kDateIds = {"DBA", "DBB", "DBD", "DDB", "DDC",
                                                      "DDH", "DDI", "DDJ", "DBL"};

// Version 01 and Canada write CCYYMMDD, US version 02+ MMDDCCYY; but issuers
// deviate (NB v02 writes MMDDCCYY, WV/WY v04 CCYYMMDD), so the order that reads
// more of the payload's dates as real dates wins, the expected one on a tie.
bool chooseMonthFirst(const Result& r, bool canada) {
  const bool expected = r.version >= 2 && !canada;
  int monthFirst = 0, yearFirst = 0;
  for (auto id : kDateIds) {
    if (const Element* e = r.find(id)) {
      monthFirst += readDate(e->value, true).has_value();
      yearFirst += readDate(e->value, false).has_value();
    }
  }
  if (monthFirst == yearFirst) return expected;
  return monthFirst > yearFirst;
}

std::string clean(std::string_view v) {
  std::string s(trim(v));
  while (!s.empty() && (s.back() == ',' || s.back() == ' ')) s.pop_back();
  return s;
}

// Name parts: "NONE" and "UNAVL" mean absent, as the standard says for DAD/DCU.
std::string namePart(std::string_view v) {
  std::string s = clean(v);
  if (s == "NONE" || s == "UNAVL" || s == "UNAVAILABLE") return {};
  return s;
}

std::vector<std::string> splitOn(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

std::string joinWords(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < words.size(); ++i) {
    if (words[i].empty()) continue;
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

struct Names {
  std::string surname, first, middle, suffix;
};

// DAA, version 01: "LAST,FIRST,MIDDLE[,SUFFIX]", or "FIRST MIDDLE LAST"
// when the issuer used no comma.
Names fullName(std::string_view daa) {
  Names n;
  std::string s(trim(daa));
  if (s.find(',') != std::string::npos) {
    auto parts = splitOn(s, ',');
    n.surname = parts.size() > 0 ? parts[0] : "";
    n.first = parts.size() > 1 ? parts[1] : "";
    n.middle = parts.size() > 2 ? parts[2] : "";
    n.suffix = parts.size() > 3 ? joinWords(parts, 3, parts.size()) : "";
    // "SMITH, MARY JONES": the given names in one part.
    if (n.middle.empty()) {
      if (auto sp = n.first.find(' '); sp != std::string::npos) {
        n.middle = std::string(trim(std::string_view(n.first).substr(sp + 1)));
        n.first.resize(sp);
      }
    }
  } else {
    auto words = splitOn(s, ' ');
    std::erase(words, std::string{});
    if (words.size() == 1) n.surname = words[0];
    if (words.size() >= 2) {
      n.first = words.front();
      n.surname = words.back();
      n.middle = joinWords(words, 1, words.size() - 1);
    }
  }
  return n;
}

// DCT, versions 02-03: given names, first and middle separated by ',' or ' '.
std::pair<std::string, std::string> givenNames(std::string_view dct) {
  std::string s = clean(dct);
  const char sep = s.find(',') != std::string::npos ? ',' : ' ';
  const size_t at = s.find(sep);
  if (at == std::string::npos) return {s, {}};
  return {std::string(trim(std::string_view(s).substr(0, at))),
          clean(std::string_view(s).substr(at + 1))};
}

std::string colourCode(std::string_view raw) {
  const std::string v = upper(trim(raw));
  if (v.empty()) return {};
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 26> names = {{
      {"BLACK", "BLK"}, {"BLUE", "BLU"}, {"BROWN", "BRO"}, {"GRAY", "GRY"}, {"GREY", "GRY"},
      {"GREEN", "GRN"}, {"HAZEL", "HAZ"}, {"MAROON", "MAR"}, {"PINK", "PNK"},
      {"DICHROMATIC", "DIC"}, {"UNKNOWN", "UNK"}, {"BALD", "BAL"}, {"BLOND", "BLN"},
      {"BLONDE", "BLN"}, {"RED", "RED"}, {"SANDY", "SDY"}, {"WHITE", "WHI"},
      // version 01 two-letter codes
      {"HZL", "HAZ"}, {"BRN", "BRO"}, {"BL", "BLU"}, {"BR", "BRO"}, {"BK", "BLK"}, {"GR", "GRN"}, {"HA", "HAZ"}, {"BN", "BRO"},
      {"NONE", ""}}};
  for (auto [name, code] : names)
    if (v == name) return std::string(code);
  return v;
}

// DAU: "072 IN", "175 cm", " 65 IN", or version 01 "509" (5 ft 9 in).
std::optional<std::pair<int, std::string>> height(std::string_view raw) {
  std::string v = upper(trim(raw));
  // 5'-04" (feet and inches spelled out)
  if (auto q = v.find('\''); q != std::string::npos && v.ends_with('"')) {
    std::string inches;
    for (char c : std::string_view(v).substr(q + 1))
      if (isDigit(c)) inches += c;
    auto ft = number(trim(std::string_view(v).substr(0, q)));
    auto in = number(inches);
    if (ft && in && *in < 12) return std::pair{*ft * 12 + *in, std::string("in")};
    return std::nullopt;
  }
  std::string unit;
  if (v.ends_with("IN")) unit = "in";
  else if (v.ends_with("CM")) unit = "cm";
  if (!unit.empty()) v = std::string(trim(std::string_view(v).substr(0, v.size() - 2)));
  auto n = number(v);
  if (!n || *n == 0) return std::nullopt;
  if (unit.empty()) {
    if (v.size() == 3 && *n < 900 && *n % 100 < 12) return std::pair{(*n / 100) * 12 + *n % 100, std::string("in")};
    return std::nullopt;
  }
  return std::pair{*n, unit};
}

std::optional<std::pair<int, std::string>> weight(std::string_view raw, std::string unit) {
  std::string v = upper(trim(raw));
  if (v.ends_with("KG")) unit = "kg";
  else if (v.ends_with("LB") || v.ends_with("LBS")) unit = "lb";
  while (!v.empty() && !isDigit(v.back())) v.pop_back();
  auto n = number(trim(v));
  if (!n || *n == 0) return std::nullopt;
  return std::pair{*n, unit};
}

std::string postalCode(std::string_view raw, bool canada) {
  std::string v;
  for (char c : trim(raw))
    if (c != ' ' && c != '-') v += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (canada && v.size() == 6) return v.substr(0, 3) + " " + v.substr(3);
  if (allDigits(v) && v.size() > 5) {
    std::string_view plus4 = std::string_view(v).substr(5);
    if (std::all_of(plus4.begin(), plus4.end(), [](char c) { return c == '0'; })) return v.substr(0, 5);
    if (plus4.size() == 4) return v.substr(0, 5) + "-" + std::string(plus4);
  }
  return v;
}

std::optional<bool> flag(std::string_view raw) {
  const std::string v = upper(trim(raw));
  if (v == "1" || v == "Y" || v == "T") return true;
  if (v == "0" || v == "N") return false;
  return std::nullopt;
}

// DDE/DDF/DDG: T truncated, N not, U unknown.
std::optional<bool> truncation(std::string_view raw) {
  const std::string v = upper(trim(raw));
  if (v == "T") return true;
  if (v == "N") return false;
  return std::nullopt;
}

// DBH, version 01: Y/N, 1/2 or the word DONOR.
std::optional<bool> donor(std::string_view raw) {
  const std::string v = upper(trim(raw));
  if (v == "DONOR") return true;
  if (v == "2") return false;
  return flag(v);
}

std::string sexCode(std::string_view raw) {
  const std::string v = upper(trim(raw));
  if (v == "1" || v == "M" || v == "MALE") return "M";
  if (v == "2" || v == "F" || v == "FEMALE") return "F";
  if (v == "9" || v == "X" || v == "U") return "X";
  return {};
}

void normalise(Result& r) {
  auto raw = [&](std::string_view id) -> std::string_view {
    const Element* e = r.find(id);
    return e ? std::string_view(e->value) : std::string_view{};
  };
  auto text = [&](std::string_view id) { return std::string(trim(raw(id))); };
  Json& f = r.fields;
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) f[key] = v;
  };

  r.jurisdiction = upper(trim(raw("DAJ")));
  if (r.jurisdiction.empty()) r.jurisdiction = upper(clean(raw("DAO")));
  const std::string dcg = upper(trim(raw("DCG")));
  const bool canadianJurisdiction =
      std::find(kCanada.begin(), kCanada.end(), r.jurisdiction) != kCanada.end();
  if (dcg == "CAN" || dcg == "CANADA") r.country = "CAN";
  else if (dcg == "USA" || dcg == "US") r.country = "USA";
  else r.country = canadianJurisdiction ? "CAN" : "USA";
  const bool canada = r.country == "CAN";

  // Names: current elements first, legacy ones fill the gaps.
  Names n{namePart(raw("DCS")), namePart(raw("DAC")), namePart(raw("DAD")), namePart(raw("DCU"))};
  if (n.surname.empty()) n.surname = namePart(raw("DAB"));
  if (n.first.empty() && r.find("DCT")) std::tie(n.first, n.middle) = givenNames(raw("DCT"));
  if (n.suffix.empty()) n.suffix = namePart(raw("DAE"));
  if (const Element* daa = r.find("DAA"); daa && (n.surname.empty() || n.first.empty())) {
    Names full = fullName(daa->value);
    if (n.surname.empty()) n.surname = full.surname;
    if (n.first.empty()) {
      n.first = full.first;
      if (n.middle.empty()) n.middle = full.middle;
    }
    if (n.suffix.empty()) n.suffix = full.suffix;
  }
  n.middle = namePart(n.middle);
  n.suffix = namePart(n.suffix);
  put("surname", n.surname);
  put("given_names", joinWords({n.first, n.middle}, 0, 2));
  put("first_name", n.first);
  put("middle_names", n.middle);
  put("suffix", n.suffix);

  const bool monthFirst = chooseMonthFirst(r, canada);
  r.date_order = monthFirst ? "MMDDCCYY" : "CCYYMMDD";
  if (monthFirst != (r.version >= 2 && !canada))
    r.warnings.push_back("dates read as " + r.date_order + ", not the order the version and country imply");
  auto date = [&](const char* key, std::string_view id) {
    const Element* e = r.find(id);
    if (!e || trim(e->value).empty() || trim(e->value) == "NONE") return;
    if (auto d = readDate(e->value, monthFirst)) f[key] = iso(*d);
    else r.warnings.push_back(std::string(id) + " is not a valid date");
  };
  date("birth_date", "DBB");
  date("expiry_date", "DBA");
  date("issue_date", "DBD");
  put("sex", sexCode(raw("DBC")));
  put("document_number", text("DAQ"));

  Json address = Json::object();
  auto addr = [&](const char* key, std::string v) {
    if (!v.empty()) address[key] = std::move(v);
  };
  // Version 01 may give only the residence address (DAL..DAP).
  auto either = [&](std::string_view mailing, std::string_view residence) {
    std::string v = clean(raw(mailing));
    return v.empty() ? clean(raw(residence)) : v;
  };
  addr("street", either("DAG", "DAL"));
  addr("street_2", either("DAH", "DAM"));
  addr("city", either("DAI", "DAN"));
  addr("jurisdiction", r.jurisdiction);
  addr("postal_code", postalCode(either("DAK", "DAP"), canada));
  addr("country", r.country);
  f["address"] = address;
  put("jurisdiction", r.jurisdiction);
  f["country"] = r.country;
  f["aamva_version"] = r.version;
  f["iin"] = r.iin;

  if (auto h = height(raw("DAU"))) {
    f["height"] = fmt::format("{} {}", h->first, h->second);
    f["height_cm"] = h->second == "cm" ? h->first : static_cast<int>(h->first * 2.54 + 0.5);
  } else if (auto cm = number(trim(raw("DAV"))); cm && *cm > 0) {
    f["height"] = fmt::format("{} cm", *cm);
    f["height_cm"] = *cm;
  }
  std::optional<std::pair<int, std::string>> w = weight(raw("DAW"), "lb");
  if (!w) w = weight(raw("DAX"), "kg");
  if (w) f["weight"] = fmt::format("{} {}", w->first, w->second);
  put("weight_range", text("DCE"));
  put("eye_colour", colourCode(raw("DAY")));
  put("hair_colour", colourCode(raw("DAZ")));
  put("race", text("DCL"));

  auto firstOf = [&](std::string_view a, std::string_view b) {
    std::string v = text(a);
    return v.empty() ? text(b) : v;
  };
  put("vehicle_class", firstOf("DCA", "DAR"));
  put("restrictions", firstOf("DCB", "DAS"));
  put("endorsements", firstOf("DCD", "DAT"));
  put("document_discriminator", text("DCF"));
  put("inventory_control_number", text("DCK"));
  put("audit_information", text("DCJ"));
  put("place_of_birth", text("DCI"));
  put("compliance_type", text("DDA"));
  date("card_revision_date", "DDB");
  date("hazmat_expiry_date", "DDC");
  date("under_18_until", "DDH");
  date("under_19_until", "DDI");
  date("under_21_until", "DDJ");
  auto boolean = [&](const char* key, std::optional<bool> v) {
    if (v) f[key] = *v;
  };
  boolean("limited_duration", flag(raw("DDD")));
  boolean("organ_donor", r.find("DDK") ? flag(raw("DDK")) : donor(raw("DBH")));
  boolean("veteran", flag(raw("DDL")));
  boolean("surname_truncated", truncation(raw("DDE")));
  boolean("first_name_truncated", truncation(raw("DDF")));
  boolean("middle_names_truncated", truncation(raw("DDG")));
  if (f.contains("compliance_type") && f["compliance_type"].get<std::string>().size() != 1)
    r.warnings.push_back("DDA compliance type is not F, M or N");
}

}  // namespace

const Element* Result::find(std::string_view id) const {
  for (const auto& e : elements)
    if (e.id == id) return &e;
  return nullptr;
}

Json Result::toJson() const {
  Json j;
  j["version"] = version;
  if (jurisdiction_version) j["jurisdiction_version"] = *jurisdiction_version;
  j["iin"] = iin;
  j["jurisdiction"] = jurisdiction;
  j["country"] = country;
  j["date_order"] = date_order;
  j["fields"] = fields;
  Json el = Json::object();
  for (const auto& e : elements) el[e.id] = e.value;
  j["elements"] = el;
  Json sf = Json::array();
  for (const auto& s : subfiles) sf.push_back({{"type", s.type}, {"offset", s.offset}, {"length", s.length}});
  j["subfiles"] = sf;
  j["warnings"] = warnings;
  return j;
}

bool looksLikeAamva(std::string_view text) {
  std::string type;
  return text.substr(0, 48).find('@') != std::string_view::npos && findFileType(text, type).has_value();
}

Expected<Result> parse(std::string_view payload) {
  Result r;
  auto header = parseHeader(payload, r.warnings);
  if (!header) return std::unexpected(header.error());
  r.file_type = header->file_type;
  r.iin = header->iin;
  r.version = header->version;
  r.jurisdiction_version = header->jurisdiction_version;
  r.subfiles = header->subfiles;
  readElements(payload, *header, r);
  if (r.elements.empty())
    return std::unexpected(Error{"aamva_invalid", "AAMVA header found but no data element after it"});
  normalise(r);
  if (!r.fields.contains("document_number") && !r.fields.contains("surname"))
    r.warnings.push_back("neither document number (DAQ) nor family name found");
  return r;
}

// ---- compose -----------------------------------------------------------------

namespace {

std::string composeDate(std::string_view isoDate, bool monthFirst) {
  if (isoDate.size() != 10) return std::string(isoDate);
  const auto y = isoDate.substr(0, 4), m = isoDate.substr(5, 2), d = isoDate.substr(8, 2);
  return monthFirst ? fmt::format("{}{}{}", m, d, y) : fmt::format("{}{}{}", y, m, d);
}

// The control characters would end the element early.
std::string field(std::string_view v) {
  std::string out;
  for (char c : v)
    if (c != kLF && c != kCR && c != kRS) out += c;
  return out;
}

}  // namespace

std::string compose(const Card& c) {
  const bool canada = c.country == "CAN";
  const bool monthFirst = !canada;
  std::vector<std::pair<std::string, std::string>> el;
  auto add = [&](std::string id, std::string_view v) { el.emplace_back(std::move(id), field(v)); };
  add("DCA", c.vehicle_class.empty() ? "NONE" : c.vehicle_class);
  add("DCB", c.restrictions.empty() ? "NONE" : c.restrictions);
  add("DCD", c.endorsements.empty() ? "NONE" : c.endorsements);
  add("DBA", composeDate(c.expiry_date, monthFirst));
  add("DCS", c.surname);
  add("DAC", c.first_name);
  add("DAD", c.middle_names.empty() ? "NONE" : c.middle_names);
  add("DBD", composeDate(c.issue_date, monthFirst));
  add("DBB", composeDate(c.birth_date, monthFirst));
  add("DBC", c.sex == 'M' ? "1" : c.sex == 'F' ? "2" : "9");
  add("DAY", c.eye_colour.empty() ? "UNK" : c.eye_colour);
  if (c.height_cm > 0) {
    if (canada) add("DAU", fmt::format("{:03} cm", c.height_cm));
    else add("DAU", fmt::format("{:03} in", static_cast<int>(c.height_cm / 2.54 + 0.5)));
  } else {
    add("DAU", canada ? "000 cm" : "000 in");
  }
  add("DAG", c.street);
  if (!c.street_2.empty()) add("DAH", c.street_2);
  add("DAI", c.city);
  add("DAJ", c.jurisdiction);
  // Postal code: 11 characters, ZIP+4 with zeros when the +4 is unknown.
  std::string postal;
  for (char ch : c.postal_code)
    if (ch != '-' && ch != ' ') postal += ch;
  if (!canada && postal.size() == 5) postal += "0000";
  if (canada && postal.size() == 6) postal = postal.substr(0, 3) + " " + postal.substr(3);
  postal.resize(std::max<size_t>(postal.size(), 11), ' ');
  add("DAK", postal);
  add("DAQ", c.document_number);
  add("DCF", c.document_discriminator.empty()
                 ? c.document_number + composeDate(c.issue_date, false)
                 : c.document_discriminator);
  add("DCG", canada ? "CAN" : "USA");
  if (!c.suffix.empty()) add("DCU", c.suffix);
  add("DDE", "N");
  add("DDF", "N");
  add("DDG", "N");
  if (!c.hair_colour.empty()) add("DAZ", c.hair_colour);
  if (!c.inventory_control.empty()) add("DCK", c.inventory_control);
  for (const auto& [id, v] : c.extra) add(id, v);

  const std::string type = c.subfile_type == "ID" ? "ID" : "DL";
  std::string dl = type;
  for (size_t i = 0; i < el.size(); ++i) {
    dl += el[i].first + el[i].second;
    dl += i + 1 < el.size() ? kLF : kCR;
  }
  std::string z;
  if (!c.jurisdiction_elements.empty()) {
    const std::string ztype = c.jurisdiction_elements.front().first.substr(0, 2);
    z = ztype;
    for (size_t i = 0; i < c.jurisdiction_elements.size(); ++i) {
      z += c.jurisdiction_elements[i].first + field(c.jurisdiction_elements[i].second);
      z += i + 1 < c.jurisdiction_elements.size() ? kLF : kCR;
    }
  }
  const int entries = z.empty() ? 1 : 2;
  // "@\n\x1e\r" + "ANSI " + IIN(6) + version(2) + jurisdiction version(2) +
  // entries(2) + one 10-character designator per subfile.
  const size_t headerSize = 4 + 5 + 6 + 2 + 2 + 2 + 10 * static_cast<size_t>(entries);
  std::string out = fmt::format("@\n\x1e\rANSI {:0>6}10{:02}{:02}", c.iin.substr(0, 6),
                                c.jurisdiction_version % 100, entries);
  out += fmt::format("{}{:04}{:04}", type, headerSize, dl.size());
  if (!z.empty()) out += fmt::format("{}{:04}{:04}", z.substr(0, 2), headerSize + dl.size(), z.size());
  out += dl;
  out += z;
  return out;
}

}  // namespace idkit::aamva
