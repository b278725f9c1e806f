// Composition of MRZ lines from fields (see docs/mrz.md).
#include <idkit/mrz.hpp>
#include <idkit/utf8.hpp>

#include <algorithm>
#include <cstdint>

#include "mrz_layout.hpp"

namespace idkit::mrz {

namespace {

// ICAO Doc 9303 part 3 transliteration of the letters a name may carry.
// Each maps to one to four capitals ("" = dropped).
struct Translit {
  char32_t cp;
  const char* to;
};
constexpr Translit kTranslit[] = {
    {U'\'', ""},    {U'\u00C0', "A"},  {U'\u00C1', "A"},  {U'\u00C2', "A"},  {U'\u00C3', "A"},
    {U'\u00C4', "AE"}, {U'\u00C5', "AA"}, {U'\u00C6', "AE"}, {U'\u00C7', "C"},  {U'\u00C8', "E"},
    {U'\u00C9', "E"},  {U'\u00CA', "E"},  {U'\u00CB', "E"},  {U'\u00CC', "I"},  {U'\u00CD', "I"},
    {U'\u00CE', "I"},  {U'\u00CF', "I"},  {U'\u00D0', "D"},  {U'\u00D1', "N"},  {U'\u00D2', "O"},
    {U'\u00D3', "O"},  {U'\u00D4', "O"},  {U'\u00D5', "O"},  {U'\u00D6', "OE"}, {U'\u00D8', "OE"},
    {U'\u00D9', "U"},  {U'\u00DA', "U"},  {U'\u00DB', "U"},  {U'\u00DC', "UE"}, {U'\u00DD', "Y"},
    {U'\u00DE', "TH"}, {U'\u00DF', "SS"}, {U'\u00FF', "Y"},  {U'\u0132', "IJ"}, {U'\u0133', "IJ"},
    {U'\u0152', "OE"}, {U'\u0153', "OE"}, {U'\u2019', ""},
    // Cyrillic (Russian, Ukrainian, Serbian, Belarusian letters).
    {U'\u0401', "E"},  {U'\u0402', "D"},  {U'\u0404', "IE"}, {U'\u0406', "I"},  {U'\u0407', "I"},
    {U'\u0408', "J"},  {U'\u0409', "LJ"}, {U'\u040A', "NJ"}, {U'\u040B', "C"},  {U'\u040E', "U"},
    {U'\u040F', "DZ"}, {U'\u0410', "A"},  {U'\u0411', "B"},  {U'\u0412', "V"},  {U'\u0413', "G"},
    {U'\u0414', "D"},  {U'\u0415', "E"},  {U'\u0416', "ZH"}, {U'\u0417', "Z"},  {U'\u0418', "I"},
    {U'\u0419', "I"},  {U'\u041A', "K"},  {U'\u041B', "L"},  {U'\u041C', "M"},  {U'\u041D', "N"},
    {U'\u041E', "O"},  {U'\u041F', "P"},  {U'\u0420', "R"},  {U'\u0421', "S"},  {U'\u0422', "T"},
    {U'\u0423', "U"},  {U'\u0424', "F"},  {U'\u0425', "KH"}, {U'\u0426', "TS"}, {U'\u0427', "CH"},
    {U'\u0428', "SH"}, {U'\u0429', "SHCH"}, {U'\u042A', "IE"}, {U'\u042B', "Y"}, {U'\u042C', ""},
    {U'\u042D', "E"},  {U'\u042E', "IU"}, {U'\u042F', "IA"}, {U'\u0490', "G"},
};

// Lower-case Latin-1/Cyrillic to upper case (the table holds capitals).
char32_t upper(char32_t c) {
  if (c >= U'a' && c <= U'z') return c - 32;
  if (c >= U'\u00E0' && c <= U'\u00FE' && c != U'\u00F7') return c - 32;
  if (c >= U'\u0430' && c <= U'\u044F') return c - 32;
  if (c >= U'\u0450' && c <= U'\u045F') return c - 80;
  if (c == U'\u0491') return c - 1;
  return c;
}

// Base letters of Latin Extended-A, U+0100..U+017F, both cases (IJ and OE
// ligatures are in kTranslit).
constexpr std::string_view kLatinExtA =
    "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIIIIIJJKKKLLLLLLLLLLNNNNNNNNNOOOOOOOO"
    "RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";
static_assert(kLatinExtA.size() == 128);

std::string transliterateChar(char32_t c) {
  c = upper(c);
  if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'<') return {char(c)};
  if (c == U' ' || c == U'-' || c == U',' || c == U'.') return "<";
  for (const Translit& t : kTranslit)
    if (t.cp == c) return t.to;
  if (c >= U'\u0100' && c <= U'\u017F') return {kLatinExtA[c - U'\u0100']};
  return "";  // no MRZ rendering (other scripts need a national transcription)
}

std::string fit(std::string s, std::size_t width) {
  s.resize(width, '<');
  return s;
}

char digitOf(std::string_view data) { return char('0' + checkDigit(data)); }

// A field with its check digit; an absent (empty) field is all '<' with '<'.
std::string withCheck(const std::string& data) {
  if (std::all_of(data.begin(), data.end(), [](char c) { return c == '<'; }))
    return data + '<';
  return data + digitOf(data);
}

std::string date(std::string_view d) {
  std::string s;
  for (char c : d)
    if (c >= '0' && c <= '9') s.push_back(c);
  if (s.size() == 8) s = s.substr(2);  // YYYYMMDD -> YYMMDD
  return fit(s, 6);
}

std::string sexCode(std::string_view s) {
  const std::string t = transliterate(s);
  if (t.empty()) return "<";
  return t[0] == 'M' || t[0] == 'F' || t[0] == 'X' ? t.substr(0, 1) : "<";
}

// One name component (the surname, or the given names): its words joined by
// `sep`, without leading or trailing fillers. A run of separators ("ST. JOHN",
// "JEAN - PIERRE") gives one, so a surname never writes the "<<" that ends it.
std::string nameWords(std::string_view utf8, std::string_view sep = "<") {
  std::string out;
  for (const char c : transliterate(utf8)) {
    if (c == '<') {
      if (!out.empty() && out.back() != '<') out += sep;
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == '<') out.pop_back();
  return out;
}

// SURNAME<<GIVEN<NAMES, cut at the width: the given names go first.
std::string nameField(const Fields& f, std::size_t width, std::string_view given_sep = "<") {
  const std::string given = nameWords(f.given_names, given_sep);
  std::string s = nameWords(f.surname);
  if (!given.empty()) s += "<<" + given;
  return fit(s, width);
}

struct Common {
  std::string code, state, number, nationality, birth, sex, expiry, optional, optional2;
};

Common common(const Fields& f) {
  return {fit(transliterate(f.document_code), 2), fit(transliterate(f.issuing_state), 3),
          transliterate(f.document_number), fit(transliterate(f.nationality), 3),
          date(f.birth_date), sexCode(f.sex), date(f.expiry_date),
          transliterate(f.optional_data), transliterate(f.optional_data_2)};
}

// Number (9 wide) + check digit + optional data of `opt_width`, with the
// long-number rule when allowed: the first 9 characters, '<', then the rest
// and its check digit at the start of the optional data.
std::string numberAndOptional(const Common& c, std::size_t opt_width, bool long_rule) {
  if (long_rule && c.number.size() > 9) {
    std::string ext = c.number.substr(9) + digitOf(c.number);
    if (!c.optional.empty()) ext += "<" + c.optional;
    return c.number.substr(0, 9) + "<" + fit(ext, opt_width);
  }
  return withCheck(fit(c.number, 9)) + fit(c.optional, opt_width);
}

}  // namespace

std::string transliterate(std::string_view utf8) {
  std::string out;
  for (char32_t c : utf8::decode(utf8, utf8::Invalid::skip)) out += transliterateChar(c);
  return out;
}

std::vector<std::string> compose(Format fmt, const Fields& f) {
  const Common c = common(f);
  std::vector<std::string> out;
  switch (fmt) {
    case Format::TD1: {
      std::string a = c.code + c.state + numberAndOptional(c, 15, true);
      std::string b = withCheck(c.birth) + c.sex + withCheck(c.expiry) + c.nationality +
                      fit(c.optional2, 11);
      const std::string composite = a.substr(5) + b.substr(0, 7) + b.substr(8, 7) + b.substr(18, 11);
      b += digitOf(composite);
      out = {a, b, nameField(f, 30)};
      break;
    }
    case Format::TD2:
    case Format::TD3:
    case Format::MRVA:
    case Format::MRVB: {
      const bool wide = fmt == Format::TD3 || fmt == Format::MRVA;
      const std::size_t width = wide ? 44 : 36;
      std::string a = c.code + c.state + nameField(f, width - 5);
      std::string b;
      if (fmt == Format::TD2) {
        const std::string n = numberAndOptional(c, 7, true);  // number(9)+check+optional(7)
        b = n.substr(0, 10) + c.nationality + withCheck(c.birth) + c.sex + withCheck(c.expiry) +
            n.substr(10);
      } else {
        b = withCheck(fit(c.number, 9)) + c.nationality + withCheck(c.birth) + c.sex +
            withCheck(c.expiry);
        if (fmt == Format::TD3) {
          b += withCheck(fit(c.optional, 14));  // '<' for an unused field (ICAO allows '<' or 0)
        } else {
          b += fit(c.optional, wide ? 16 : 8);
        }
      }
      if (fmt == Format::TD2 || fmt == Format::TD3)
        b += digitOf(b.substr(0, 10) + b.substr(13, 7) + b.substr(21));
      out = {a, b};
      break;
    }
    case Format::FrenchID: {
      const std::string a = fit(c.code.empty() || c.code == "<<" ? "ID" : c.code, 2) +
                            fit(c.state == "<<<" ? "FRA" : c.state, 3) +
                            fit(nameWords(f.surname), 25) +
                            fit(transliterate(f.administrative_code), 6);
      Fields given_only;
      given_only.given_names = f.given_names;
      std::string given = nameField(given_only, 16, "<<");  // "<<" + given names
      std::string b = withCheck(fit(c.number, 12)) + fit(given.substr(2), 14) +
                      withCheck(c.birth) + c.sex;
      b += digitOf(a + b);
      out = {a, b};
      break;
    }
    case Format::FrenchDL: {
      std::string a = c.code + c.state + fit(c.number, 9);
      a += digitOf(a);
      a += c.expiry + fit(nameWords(f.surname), 8);
      a += digitOf(a);
      out = {a};
      break;
    }
    case Format::SwissDL: {
      const std::string b = c.code + c.state + fit(transliterate(f.pin_code), 9) +
                            fit(transliterate(f.version_number), 3) + "<<" + c.birth + "<<<<<";
      out = {fit(c.number, 9), b, nameField(f, 30)};
      break;
    }
  }
  return out;
}

Fields fieldsOf(const Result& r) {
  Fields f;
  f.document_code = r.field("document_code");
  f.issuing_state = r.field("issuing_state");
  f.document_number = r.field("document_number");
  f.surname = r.field("surname");
  f.given_names = r.field("given_names");
  f.nationality = r.field("nationality");
  f.birth_date = r.field("birth_date_raw");
  f.sex = r.field("sex");
  f.expiry_date = r.format == Format::FrenchID ? "" : r.field("expiry_date_raw");
  f.optional_data = r.field("optional_data");
  f.optional_data_2 = r.field("optional_data_2");
  f.administrative_code = r.field("administrative_code");
  f.pin_code = r.field("pin_code");
  f.version_number = r.field("version_number");
  return f;
}

}  // namespace idkit::mrz
