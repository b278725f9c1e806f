// The comparison rules of id-check that stand alone: name spellings and
// truncation (ICAO Doc 9303 part 3), ages, the Indonesian NIK, policies.
#include <idkit/check.hpp>
#include <idkit/mrz.hpp>
#include <idkit/ocr.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

namespace idkit::check {

namespace {

// Letters Doc 9303 part 3 allows to be written in more than one way: the
// recommended transliteration is mrz::transliterate's; these add the
// base-letter and the national "XX" renderings.
struct Alternative {
  std::string_view utf8_upper, utf8_lower;
  std::string_view base, xx;
};
constexpr std::array<Alternative, 7> kAlternatives{{
    {"\u00C4", "\u00E4", "A", "AXX"},   // Ä
    {"\u00D6", "\u00F6", "O", "OXX"},   // Ö
    {"\u00DC", "\u00FC", "U", "UXX"},   // Ü
    {"\u00C5", "\u00E5", "A", "AXX"},   // Å
    {"\u00D8", "\u00F8", "O", "OXX"},   // Ø
    {"\u00D1", "\u00F1", "N", "NXX"},   // Ñ
    {"\u00C6", "\u00E6", "AE", "AE"},   // Æ
}};

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

// A-Z0-9 words separated by single spaces ('<', '-', ',' and blanks all separate).
std::string words(std::string_view mrz_alphabet) {
  std::string out;
  bool gap = false;
  for (char c : mrz_alphabet) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

const std::set<int> kNikProvinces{11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
                                  61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96};

int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

std::vector<std::string> nameSpellings(std::string_view utf8) {
  std::string icao(utf8), base(utf8), xx(utf8);
  for (const Alternative& a : kAlternatives) {
    for (std::string_view form : {a.utf8_upper, a.utf8_lower}) {
      base = replaceAll(base, form, a.base);
      xx = replaceAll(xx, form, a.xx);
    }
  }
  std::vector<std::string> out;
  for (const std::string& s : {icao, base, xx}) {
    std::string w = words(mrz::transliterate(s));
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  }
  return out;
}

std::optional<std::vector<std::string_view>> alignedByTruncation(const std::vector<std::string>& mrz_words,
                                                                 const std::vector<std::string>& printed_words) {
  if (mrz_words.size() > printed_words.size()) return std::nullopt;
  std::vector<std::string_view> out(mrz_words.begin(), mrz_words.end());
  out.resize(printed_words.size());  // the trailing words the cut dropped: ""
  return out;
}

namespace {
// AE/OE/UE -> A/O/U: the key under which an MRZ umlaut meets a printed letter
// whose diacritic was lost.
std::string foldUmlauts(std::string s) {
  for (std::string_view pair : {"AE", "OE", "UE"}) s = replaceAll(std::move(s), pair, pair.substr(0, 1));
  return s;
}

bool wordsMatch(const std::vector<std::string>& mrz_words, const std::vector<std::string>& printed_words,
                bool truncated) {
  if (!truncated) return mrz_words == printed_words;
  // Truncated: each kept name may be cut (down to an initial).
  const auto aligned = alignedByTruncation(mrz_words, printed_words);
  if (!aligned) return false;
  for (std::size_t i = 0; i < printed_words.size(); ++i)
    if (!printed_words[i].starts_with((*aligned)[i])) return false;
  return true;
}
}  // namespace

bool nameMatches(std::string_view mrz_name, std::string_view printed, bool truncated) {
  const std::string mrz_text = words(mrz::transliterate(mrz_name));
  const auto mrz_words = split(mrz_text);
  const auto mrz_folded = split(foldUmlauts(mrz_text));
  // Word breaks do not count: the MRZ and the print may split a compound name
  // differently ("DE LA CRUZ" / "DELACRUZ"), OCR splits letter-spaced names
  // ("CHATEAU BRIAND") and reads an apostrophe the MRZ omits as a gap
  // ("D ARTAGNAN" / "DARTAGNAN"); the letters must still be the same, or,
  // truncated, the MRZ's letters must begin the printed ones.
  auto joined = [](std::string s) {
    std::erase(s, ' ');
    return s;
  };
  auto joinedMatch = [truncated](const std::string& mrz, const std::string& print) {
    return truncated ? !mrz.empty() && print.starts_with(mrz) : mrz == print;
  };
  const std::string mrz_joined = joined(mrz_text), mrz_folded_joined = joined(foldUmlauts(mrz_text));
  for (const std::string& spelling : nameSpellings(printed)) {
    if (wordsMatch(mrz_words, split(spelling), truncated)) return true;
    if (wordsMatch(mrz_folded, split(foldUmlauts(spelling)), truncated)) return true;
    if (joinedMatch(mrz_joined, joined(spelling)) || joinedMatch(mrz_folded_joined, joined(foldUmlauts(spelling))))
      return true;
  }
  return false;
}

bool cutAtFieldEnd(std::string_view field_rest, std::string_view printed) {
  auto trimmed = [](std::string_view s) {
    while (!s.empty() && s.back() == '<') s.remove_suffix(1);
    return s;
  };
  const std::string_view held = trimmed(field_rest);
  if (held.empty()) return false;
  const std::size_t fillers = field_rest.size() - held.size();
  // `spelling` begins with `kept`, then the field's fillers as its word
  // breaks, then more: the part past the field's end.
  auto cutFrom = [fillers](std::string_view spelling, std::string_view kept) {
    if (!spelling.starts_with(kept)) return false;
    const std::string_view past = spelling.substr(kept.size());
    return past.size() > fillers && past.substr(0, fillers).find_first_not_of('<') == std::string_view::npos;
  };
  // Folded as nameMatches folds: the MRZ's OE of a print read without its
  // umlaut's dots (BJOERN<KLAUS< of "BJORN KLAUS-DIETER").
  const std::string held_folded = foldUmlauts(std::string(held));
  for (std::string spelling : nameSpellings(printed)) {
    std::replace(spelling.begin(), spelling.end(), ' ', '<');
    if (cutFrom(spelling, held) || cutFrom(foldUmlauts(spelling), held_folded)) return true;
  }
  return false;
}

std::string completedByPrint(std::string_view truncated, std::string_view printed) {
  const auto cut = split(truncated), print = split(printed);
  const auto aligned = alignedByTruncation(cut, print);
  if (cut.empty() || !aligned) return std::string(truncated);
  std::string out;
  for (std::size_t i = 0; i < print.size(); ++i) {
    std::string w((*aligned)[i]);
    if (print[i].size() > w.size()) w += print[i].substr(w.size());
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

namespace {

// A reading of a printed value: `conf` and `runner_up` as printedDifference's.
struct Reading {
  std::string_view printed;
  const std::vector<double>* conf;
  std::string_view runner_up;

  // 0 without one confidence per character; '\0' without one runner-up per character.
  double confAt(std::size_t i) const { return conf && conf->size() == printed.size() ? (*conf)[i] : 0; }
  char runnerUpAt(std::size_t i) const { return runner_up.size() == printed.size() ? runner_up[i] : '\0'; }
};

// One character where a reading differs from another source's value,
// classified once: how surely it was read, whether the reading's runner-up
// there is the other's character, whether the two are look-alikes of printed
// fonts (ocr::reconcile's).
struct Differing {
  double conf = 0;
  bool runner_up = false;
  bool look_alike = false;
  bool unseen = false;  // the other's character before the reading's first one
};

// printed[i] read where the other has `c`.
Differing swapped(const Reading& r, std::size_t i, char c) {
  std::string p(1, r.printed[i]);
  return {r.confAt(i), r.runnerUpAt(i) == c, ocr::reconcile(p, std::string_view(&c, 1))};
}

// The other's `c` missing before printed[i]: its neighbours' confidence; the
// runner-up of a neighbour of any gap `c` may fill (a run of `c` lets it
// stand at each end of the run). Before the reading's first character it
// was not seen (unseen): the reading may have begun late.
Differing missing(const Reading& r, std::size_t i, char c) {
  const std::size_t n = r.printed.size();
  double conf = 1;
  if (i > 0) conf = std::min(conf, r.confAt(i - 1));
  if (i < n) conf = std::min(conf, r.confAt(i));
  std::size_t from = i, to = i;
  while (from > 0 && r.printed[from - 1] == c) --from;
  while (to < n && r.printed[to] == c) ++to;
  bool agrees = false;
  for (std::size_t x = from > 0 ? from - 1 : 0; x < std::min(to + 1, n); ++x) agrees = agrees || r.runnerUpAt(x) == c;
  return {conf, agrees, false, i == 0};
}

// The differing characters of one optimal edit alignment of the reading with
// `other` (an edit distance table walked back from the end).
std::vector<Differing> alongEditAlignment(const Reading& r, std::string_view other) {
  const std::string_view printed = r.printed;
  const std::size_t n = printed.size(), m = other.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (printed[i - 1] != other[j - 1])});
  std::vector<Differing> out;
  std::size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (printed[i - 1] != other[j - 1])) {
      if (printed[i - 1] != other[j - 1]) out.push_back(swapped(r, i - 1, other[j - 1]));
      --i, --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      // printed[i - 1], which the other lacks: its runner-up the other's
      // character beside the gap, one glyph was read twice (5 read S5).
      const char alt = r.runnerUpAt(i - 1);
      const bool twice = alt != '\0' && ((j > 0 && other[j - 1] == alt) || (j < m && other[j] == alt));
      out.push_back({r.confAt(i - 1), twice, false});
      --i;
    } else {
      out.push_back(missing(r, i, other[j - 1]));
      --j;
    }
  }
  return out;
}

// The differing characters: position by position where the two have one
// length (the rules that read runner-ups, look-alikes and a date's digits
// compare places), else along the edit alignment.
std::vector<Differing> differing(const Reading& r, std::string_view other) {
  if (r.printed.size() != other.size()) return alongEditAlignment(r, other);
  std::vector<Differing> out;
  for (std::size_t i = 0; i < other.size(); ++i)
    if (r.printed[i] != other[i]) out.push_back(swapped(r, i, other[i]));
  return out;
}

// The least confidence among the differing characters (1 without any).
double leastConfidence(const std::vector<Differing>& diff) {
  double least = 1;
  for (const Differing& c : diff) least = std::min(least, c.conf);
  return least;
}

// The runner-ups explain a difference (explainedByRunnerUps): of one length,
// or one character longer or shorter than the other, that character missing
// or read twice.
bool explained(const std::vector<Differing>& diff, std::string_view printed, std::string_view other) {
  const bool one_off = (other.size() == printed.size() + 1 || printed.size() == other.size() + 1) && diff.size() == 1;
  return printed != other && (printed.size() == other.size() || one_off) &&
         std::ranges::all_of(diff, &Differing::runner_up);
}

}  // namespace

double differenceConfidence(std::string_view printed, const std::vector<double>& conf, std::string_view other) {
  if (printed == other) return 1;
  if (conf.size() != printed.size()) return 0;
  return leastConfidence(alongEditAlignment({printed, &conf, {}}, other));
}

bool explainedByRunnerUps(std::string_view printed, std::string_view runner_up, std::string_view other) {
  return explained(differing({printed, nullptr, runner_up}, other), printed, other);
}

Difference printedDifference(FieldKind kind, std::string_view printed, const std::vector<double>* conf,
                             std::string_view runner_up, std::string_view other) {
  const std::vector<Differing> diff = differing({printed, conf, runner_up}, other);
  const bool same_length = printed.size() == other.size(), differs = printed != other;
  const bool number = kind == FieldKind::document_number;
  const auto sure = [](const Differing& c) { return c.conf >= kStrongCharConfidence; };
  // A number equal up to look-alikes is the same value.
  if (number && same_length && differs && std::ranges::all_of(diff, &Differing::look_alike)) return Difference::none;
  if (!conf) return Difference::shown;
  // A date's digits stand in their places: one read surely, its runner-up not
  // the other's digit, shows the difference whatever else was misread.
  if (kind == FieldKind::date && differs && same_length && conf->size() == printed.size() &&
      (runner_up.empty() || runner_up.size() == printed.size())) {
    if (std::ranges::any_of(diff, [&](const Differing& c) { return sure(c) && !c.runner_up; }))
      return Difference::shown;
    return std::ranges::all_of(diff, sure) ? Difference::misread : Difference::unsure;
  }
  // A name's (or a code's) letters of one length stand in their places as a
  // date's digits do: one read surely, its runner-up not the other's letter
  // and the two no look-alikes, shows the difference whatever else was read
  // with doubt (qr-id-photo-s79-0055: a forged V read at 0.98 beside the Q
  // read O at 0.9). Only where they do stand in their places: no alignment
  // with fewer edits than the places that differ, else a misread that lost a
  // letter and one that gained one shift every letter between them
  // (td1-photo-s5151-0088, EIJKELENBOOM read LJKELENSOQOM: EI read L, B read
  // SO, and the sure J K E L E N between them each a place off).
  // `seen` is the edit alignment (`diff` itself when the lengths differ).
  std::vector<Differing> seen = same_length ? alongEditAlignment({printed, conf, runner_up}, other) : diff;
  if (kind == FieldKind::text && differs && same_length && conf->size() == printed.size() &&
      (runner_up.empty() || runner_up.size() == printed.size()) && seen.size() == diff.size() &&
      std::ranges::any_of(diff, [&](const Differing& c) { return sure(c) && !c.runner_up && !c.look_alike; }))
    return Difference::shown;
  // Any other field: its least sure differing character along the edit
  // alignment decides first (`diff` is that alignment when the lengths differ;
  // of one length characters may still shift, MULLERS / MUELLER, so the
  // alignment is walked apart), then whether the runner-ups, or for a number
  // they and look-alikes, account for every differing character.
  // The other's characters before the reading's first one were not seen: a
  // reading that begins late (a glare spot fading the value's start,
  // dl-photo-s79-0046-front: O'REILLY ERIKSSON read EILLY ERIKSSON at 0.99 a
  // letter) shows nothing there, and the rest of the difference decides.
  const bool begun_late = std::erase_if(seen, &Differing::unseen) > 0;
  if (begun_late && seen.empty()) return Difference::unsure;
  const double least = conf->size() == printed.size() ? leastConfidence(seen) : 0;
  if (least < kStrongCharConfidence) return Difference::unsure;
  if (runner_up.empty()) return Difference::shown;
  if (explained(diff, printed, other)) return Difference::misread;
  if (number && same_length && runner_up.size() == printed.size() &&
      std::ranges::all_of(diff, [](const Differing& c) { return c.runner_up || c.look_alike; }))
    return Difference::misread;
  return Difference::shown;
}

std::optional<IdkitPayload> parseIdkitPayload(std::string_view text) {
  if (!text.starts_with("IDKIT1|") || text.size() > 4096) return std::nullopt;
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const std::size_t bar = text.find('|', from);
    parts.emplace_back(text.substr(from, bar == std::string_view::npos ? std::string_view::npos : bar - from));
    if (bar == std::string_view::npos) break;
    from = bar + 1;
  }
  if (parts.size() != 10) return std::nullopt;
  IdkitPayload p{parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7], parts[8], parts[9]};
  if (p.document_number.empty() || p.surname.empty()) return std::nullopt;
  return p;
}

std::optional<int> ageOn(std::string_view birth, std::string_view as_of) {
  auto parse = [](std::string_view d) -> std::optional<std::array<int, 3>> {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
      if (!std::isdigit(static_cast<unsigned char>(d[i]))) return std::nullopt;
    std::array<int, 3> v{digits(d, 0, 4), digits(d, 5, 2), digits(d, 8, 2)};
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) return std::nullopt;
    return v;
  };
  const auto b = parse(birth), t = parse(as_of);
  if (!b || !t) return std::nullopt;
  int age = (*t)[0] - (*b)[0];
  // Month-day comparison: a 29 February birthday is reached on 1 March in
  // common years because 02-29 sorts after 02-28.
  if (std::pair((*t)[1], (*t)[2]) < std::pair((*b)[1], (*b)[2])) --age;
  return age;
}

std::string nikStructureError(std::string_view nik) {
  if (nik.size() != 16) return "a NIK has 16 digits, this one has " + std::to_string(nik.size()) + " characters";
  for (char c : nik)
    if (c < '0' || c > '9') return "a NIK holds digits only";
  if (!kNikProvinces.contains(digits(nik, 0, 2)))
    return "the province code " + std::string(nik.substr(0, 2)) + " does not exist";
  if (digits(nik, 2, 2) == 0 || digits(nik, 4, 2) == 0) return "the regency or district code is 00";
  const int day = digits(nik, 6, 2), month = digits(nik, 8, 2);
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71)))
    return "the day of birth " + std::string(nik.substr(6, 2)) + " is neither 01-31 (men) nor 41-71 (women)";
  if (month < 1 || month > 12) return "the month of birth " + std::string(nik.substr(8, 2)) + " is not 01-12";
  if (digits(nik, 12, 4) == 0) return "the serial number is 0000";
  return {};
}

std::optional<NikData> parseNik(std::string_view nik) {
  if (!nikStructureError(nik).empty()) return std::nullopt;
  NikData d;
  d.day = digits(nik, 6, 2);
  if (d.day > 40) {
    d.day -= 40;
    d.sex = 'F';
  }
  d.month = digits(nik, 8, 2);
  d.year2 = digits(nik, 10, 2);
  return d;
}

// ---- policy ------------------------------------------------------------------

const std::vector<std::string_view>& allCodes() {
  static const std::vector<std::string_view> codes{
      code::not_processed,       code::no_document_data,    code::mrz_invalid,     code::mrz_unreadable,
      code::unverified,          code::name_mismatch,       code::birth_date_mismatch, code::expiry_date_mismatch,
      code::issue_date_mismatch, code::document_number_mismatch, code::sex_mismatch,
      code::nationality_mismatch, code::viz_unreadable,   code::viz_misread,
      code::nik_invalid,         code::nik_mismatch,
      code::expired,             code::expiry_unknown,      code::under_age,
      code::age_unknown,         code::face_mismatch,       code::face_not_compared,
      code::poor_quality};
  return codes;
}

std::string_view describe(std::string_view c) {
  static const std::map<std::string_view, std::string_view> text{
      {code::not_processed, "An earlier tool could not process the document."},
      {code::no_document_data, "Nothing was read from the document (no MRZ, barcode or printed fields)."},
      {code::mrz_invalid, "A check digit of the machine-readable zone does not verify."},
      {code::mrz_unreadable,
       "The machine-readable zone was read with doubt; its unsure fields were not compared."},
      {code::unverified,
       "No machine-readable zone or barcode field was read surely; the printed fields, if any were read surely, were "
       "not verified."},
      {code::name_mismatch, "The name differs between the MRZ, the barcode and the printed fields."},
      {code::birth_date_mismatch, "The date of birth differs between the sources on the document."},
      {code::expiry_date_mismatch, "The expiry date differs between the sources on the document."},
      {code::issue_date_mismatch, "The issue date differs between the sources on the document."},
      {code::document_number_mismatch, "The document number differs between the sources on the document."},
      {code::sex_mismatch, "The sex differs between the sources on the document."},
      {code::nationality_mismatch, "The nationality differs between the sources on the document."},
      {code::viz_unreadable, "Some printed fields could not be read reliably and were not compared."},
      {code::viz_misread,
       "A printed field differs from another source only where the OCR's second choice is that source's "
       "character: likely misread, not compared."},
      {code::nik_invalid, "The Indonesian NIK is not well formed."},
      {code::nik_mismatch, "The Indonesian NIK does not agree with the date of birth or sex."},
      {code::expired, "The document expired before the reference date."},
      {code::expiry_unknown, "No expiry date could be read."},
      {code::under_age, "The holder is younger than the minimum age on the reference date."},
      {code::age_unknown, "No date of birth could be read to check the minimum age."},
      {code::face_mismatch, "The selfie does not match the document portrait."},
      {code::face_not_compared, "No face comparison was made."},
      {code::poor_quality, "The image quality is too low for a reliable reading."},
  };
  auto it = text.find(c);
  return it == text.end() ? std::string_view("Unknown reason.") : it->second;
}

std::string_view toString(Severity s) {
  switch (s) {
    case Severity::fail: return "fail";
    case Severity::warn: return "warn";
    case Severity::ignore: return "ignore";
  }
  return "fail";
}

Severity Policy::of(std::string_view c) const {
  auto it = severity.find(c);
  return it == severity.end() ? fallback : it->second;
}

Policy Policy::defaults() {
  // data/policy/default.json as the build found it (CMakeLists.txt): one list
  // of codes that warn, not two to keep equal. A file that does not parse
  // (a unit test says it does) would leave every code failing.
  static const Policy builtin = [] {
    auto p = parse(
#include "default_policy.inc"
    );
    return p ? *p : Policy{};
  }();
  return builtin;
}

Expected<Policy> Policy::parse(std::string_view text) {
  Json j = parseJson(text);
  if (j.is_discarded() || !j.is_object()) return std::unexpected(Error{"policy_invalid", "the policy is not a JSON object"});
  for (const auto& [key, _] : j.items())
    if (key != "required" && key != "warn" && key != "ignore" && key != "default" && key != "min_age" &&
        key != "comment")
      return std::unexpected(Error{"policy_invalid", "unknown key '" + key + "'"});
  Policy p;
  const std::pair<const char*, Severity> lists[] = {
      {"required", Severity::fail}, {"warn", Severity::warn}, {"ignore", Severity::ignore}};
  const auto& known = allCodes();
  for (const auto& [key, sev] : lists) {
    if (!j.contains(key)) continue;
    if (!j[key].is_array()) return std::unexpected(Error{"policy_invalid", std::string(key) + " must be a list of codes"});
    for (const Json& c : j[key]) {
      if (!c.is_string())
        return std::unexpected(Error{"policy_invalid", std::string(key) + " must be a list of codes"});
      const std::string s = c.get<std::string>();
      if (std::find(known.begin(), known.end(), s) == known.end())
        return std::unexpected(Error{"policy_invalid", "unknown reason code '" + s + "' in " + key});
      if (p.severity.contains(s))
        return std::unexpected(Error{"policy_invalid", "reason code '" + s + "' is listed twice"});
      p.severity.emplace(s, sev);
    }
  }
  if (j.contains("default")) {
    const Json& d = j["default"];
    if (d == "required") p.fallback = Severity::fail;
    else if (d == "warn") p.fallback = Severity::warn;
    else if (d == "ignore") p.fallback = Severity::ignore;
    else return std::unexpected(Error{"policy_invalid", "default must be required, warn or ignore"});
  }
  if (j.contains("min_age")) {
    if (!j["min_age"].is_number_integer() || j["min_age"].get<int>() < 0 || j["min_age"].get<int>() > 150)
      return std::unexpected(Error{"policy_invalid", "min_age must be a whole number of years 0-150"});
    p.min_age = j["min_age"].get<int>();
  }
  return p;
}

Expected<Policy> Policy::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(Error{"policy_unreadable", "cannot read policy " + file.string()});
  std::ostringstream s;
  s << in.rdbuf();
  auto p = parse(s.str());
  if (!p) p.error().message = file.string() + ": " + p.error().message;
  return p;
}

bool mrzDoubtCheck(std::string_view check) {
  return check == "legible" || check == "known_state" || check == "known_document_code" || check == "lines_aligned";
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace idkit::check
