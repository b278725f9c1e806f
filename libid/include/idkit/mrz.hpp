// Machine-readable zones as text: detect the layout, parse and validate the
// fields and check digits, compose valid zones from fields, and correct OCR
// readings with the check digits. No image work here (see mrz_read for that).
//
// Positions in this API (Correction::line/pos) are 1-based, as ICAO Doc 9303
// numbers them, so a record can be compared with the specification by eye.
#pragma once
#include <idkit/error.hpp>
#include <idkit/json.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idkit::mrz {

// TD1 3x30, TD2 2x36, TD3 2x44, MRV-A 2x44, MRV-B 2x36 (ICAO Doc 9303), the
// pre-2021 French ID card 2x36, the French driving licence 1x30 and the Swiss
// driving licence 9+30+30.
enum class Format { TD1, TD2, TD3, MRVA, MRVB, FrenchID, FrenchDL, SwissDL };

// "TD1", "TD2", "TD3", "MRVA", "MRVB", "FRENCH_ID", "FRENCH_DL", "SWISS_DL".
std::string_view toString(Format);
std::optional<Format> formatFromString(std::string_view);
// Number of characters of each line of the format.
std::span<const int> lineLengths(Format);

// Layout from the exact line count and lengths and the first letters.
std::optional<Format> detectFormat(std::span<const std::string> lines);

// ICAO 7-3-1 check digit: 0-9 = 0..9, A-Z = 10..35, '<' = 0; characters
// outside the MRZ alphabet count as 0 (callers check the charset separately).
int checkDigit(std::string_view s);
// Value of one MRZ character in the check-digit sum, nullopt outside A-Z0-9<.
std::optional<int> charValue(char c);

struct Date {
  std::string raw;  // YYMMDD as printed
  std::string iso;  // YYYY-MM-DD, empty when absent (all '<') or impossible
};

struct ParseOptions {
  // "YYYY-MM-DD": reference day for the century of two-digit years. Empty =
  // the fixed reference kDefaultAsOf, so output never depends on the clock.
  std::string as_of = "";
  // Force a layout instead of detecting it (the image reader knows the band).
  std::optional<Format> format = std::nullopt;
};
inline constexpr std::string_view kDefaultAsOf = "2025-01-01";

// Century rules (documented in docs/mrz.md): a birth date is the latest
// reading not after as_of; an expiry date is the reading within
// [as_of - 50 years, as_of + 50 years).
enum class DateKind { Birth, Expiry, Other };
Date resolveDate(std::string_view yymmdd, DateKind, std::string_view as_of = "");

struct Correction {
  int line;         // 1-based
  int pos;          // 1-based; for "length" fixes the position in the input line
  char from;        // '\0' when a character was inserted
  char to;          // '\0' when a character was removed
  std::string why;  // "type" (character impossible at this position), "check_digit"
                    // (changed so that a check digit verifies), "length" (line resized),
                    // "erasure" (a cell the reader saw nothing in, determined by a
                    // check digit or the filler structure); see docs/mrz.md for the rest
};

struct Result {
  Format format = Format::TD3;
  std::vector<std::string> lines;
  // document_code, issuing_state, document_number, surname, given_names,
  // nationality, birth_date (ISO), birth_date_raw, sex, expiry_date (ISO),
  // expiry_date_raw, optional_data, optional_data_2; French ID also
  // issue_date(_raw), administrative_code(_2); Swiss DL language_code,
  // pin_code, version_number. Trailing '<' removed; names with '<' -> space.
  std::map<std::string, std::string> fields;
  // In layout order: document_number, birth_date, expiry_date, optional_data
  // (TD3), composite; "document_number_incl_filler" when a long TD1 number
  // only verifies with the '<' at position 15 included (Belgian/Portuguese
  // cards); "charset" (false) when a character is outside A-Z0-9<.
  std::vector<std::pair<std::string, bool>> checks;
  bool valid = false;  // every check passes (the incl-filler variant counts)
  double confidence = 0.0;
  std::map<std::string, double> field_confidence;
  std::vector<Correction> corrections;
  // Name letters (no check digit covers them) the reader was not sure of,
  // and on a blurred line any cell no check digit covers that two cuts read
  // surely as different characters: `from` is the letter read, `to` its
  // rival, `why` "uncertain". Such a zone has checks "legible": false and is
  // not valid.
  std::vector<Correction> uncertain;

  bool check(std::string_view name) const;  // false when absent
  std::string field(std::string_view name) const;  // "" when absent
  // The record's "mrz" section: {"format","lines","fields","checks","valid",
  // "confidence","field_confidence","corrections"}, and "uncertain"
  // ([{"line","pos","read","rival"}]) when there are any.
  Json toJson() const;
};

// Lines exactly as printed (no trimming): the shape must be a known format,
// else error code "mrz_bad_shape". Bad characters or failing check digits
// give a Result with valid=false, never an error.
Expected<Result> parse(std::span<const std::string> lines, const ParseOptions& = {});

// One candidate character of a position, best first, from the image reader.
struct Candidate {
  char ch;
  float score;  // any non-negative scale; only ratios within a position matter
};
using PositionCandidates = std::vector<Candidate>;  // best first
using LineCandidates = std::vector<PositionCandidates>;

// Most likely reading that satisfies the position types and check digits:
// impossible characters are replaced ("type"), then the cheapest set of
// changes (alternative candidates, classic confusions 0/O 1/I 5/S 8/B 2/Z 6/G
// K/< ...) that makes every check verify is applied, at most 2 per check
// ("check_digit"). When no consistent reading exists the best one is
// returned with valid=false and the failing checks. Every change is listed.
Expected<Result> correct(std::span<const LineCandidates> lines, const ParseOptions& = {});

// Text input that may be damaged: strips blanks, removes stray leading '<',
// pads or cuts lines to the format's length ("length" corrections), then runs
// correct() with each character as its only candidate.
Expected<Result> repair(std::span<const std::string> lines, const ParseOptions& = {});

// Splits text on newlines, drops blank lines and trailing '\r'/spaces.
std::vector<std::string> splitLines(std::string_view text);

// Everything compose() needs. Dates as "YYMMDD" or "YYYY-MM-DD"; names and
// codes may be lower case or carry Latin diacritics / Cyrillic (transliterated
// per ICAO Doc 9303 part 3); ' ' and '-' become '<'.
struct Fields {
  std::string document_code;  // "P", "PO", "I", "ID", "IR", "V", "VC", "D1", "FA"
  std::string issuing_state;  // "UTO", "D"
  std::string document_number;  // TD1/TD2: > 9 chars uses the long-number rule
  std::string surname;
  std::string given_names;
  std::string nationality;
  std::string birth_date;
  std::string sex;  // "M", "F", "X" or "<"/"" unspecified
  std::string expiry_date;  // empty = absent ("<<<<<<")
  std::string optional_data;    // TD1 line 1, TD2/MRV, TD3 personal number
  std::string optional_data_2;  // TD1 line 2
  // French ID: document_number is the 12-character block (YYMM + office +
  // serial); administrative_code = line 1 positions 31-36.
  std::string administrative_code;
  // Swiss DL: document_number is line 1 ("AAA001D"), pin_code 9 digits,
  // version_number 3 digits.
  std::string pin_code;
  std::string version_number;
};

// Valid lines for the format, with every check digit computed. Fields longer
// than their slot are cut (names per ICAO: the given names first, then the
// surname); a TD1/TD2 document number longer than 9 characters overflows into
// the optional data (Doc 9303 part 5/6).
std::vector<std::string> compose(Format, const Fields&);

// Parsed fields back into compose() input (dates as raw YYMMDD).
Fields fieldsOf(const Result&);

// An MRZ name field as text: '<' as ' ', runs of blanks collapsed, trimmed.
std::string nameText(std::string_view field);

// Upper-cases and transliterates a UTF-8 name or code to A-Z0-9, with ' ' and
// '-' as '<' and apostrophes dropped.
std::string transliterate(std::string_view utf8);

}  // namespace idkit::mrz
