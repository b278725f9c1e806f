// Private to the mrz_*.cpp files: the layouts as data, shared by parsing,
// correction and composition so that the three can never disagree.
#pragma once
#include <idkit/mrz.hpp>

#include "motion_blur.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idkit::mrz::detail {

// What may stand at a position. Dates and check digits also take '<' when
// the whole field is absent; parse() decides that, not the kind.
enum class Kind : std::uint8_t {
  Alpha,      // A-Z
  AlphaFill,  // A-Z or '<' (codes, states)
  AlnumFill,  // A-Z, 0-9, '<' (numbers, optional data)
  Digit,      // 0-9 (dates, French serials)
  CheckDigit, // 0-9 or '<'
  Sex,        // M F X <
  Name,       // A-Z or '<'
};
bool allowed(Kind, char);

struct Pos {
  int line;  // 0-based
  int col;   // 0-based
};

// A check digit: the data positions (in the order they are weighted 7-3-1)
// and the digit. Several variants when national practice differs (TD1 long
// numbers with the '<' at position 15 inside the checked string); the check
// passes when the first variant does, the others are reported apart.
struct CheckPlan {
  std::string name;
  std::vector<std::vector<Pos>> variants;
  Pos digit;
};

// Position kinds, one vector per line, of the format's exact shape.
std::vector<std::vector<Kind>> positionKinds(Format);

// The check digits of these lines (which must have the format's shape).
// Long TD1/TD2 document numbers change where the number's digit is.
std::vector<CheckPlan> checkPlans(Format, std::span<const std::string> lines);

// ICAO rule for one check: digit = 7-3-1 sum mod 10; a field entirely '<'
// with '<' as its digit is an absent field and passes.
bool checkPasses(std::string_view data, char digit);

// One of the classic OCR-B pairs (0/O 1/I 5/S 8/B 2/Z 6/G), not involving '<':
// one glyph that reads as either.
bool classicPair(char a, char b);

// Gathers the characters of a plan variant.
std::string gather(std::span<const std::string> lines, std::span<const Pos> positions);

// Whether variant `v` of `plan` (0: the plain one) verifies on these lines.
bool planPasses(std::span<const std::string> lines, const CheckPlan& plan, std::size_t v = 0);

bool isMrzChar(char c);

// ICAO issuing-state / nationality codes (mrz_states.cpp), sorted; trailing
// '<' of a code are ignored ("D<<").
std::span<const std::string_view> knownStates();
bool knownState(std::string_view code);

// 0-based line and first column of the three-letter state codes (issuing
// state, nationality), which no check digit of their own covers.
std::vector<Pos> statePositions(Format);

// A shaken zone's streak limits and Wiener noise ratios (motion_blur.hpp),
// for mrz_read.cpp's readDeblurred (the band's patch) and mrz_record.cpp
// (the photo's document).
using idkit::detail::kDeblurNoise;
using idkit::detail::kDeblurNoiseCheck;
using idkit::detail::kMotionBelieved;
using idkit::detail::kMotionLongest;
using idkit::detail::kMotionSearched;

// A check that is a rule on the zone's content, not a check digit: cells
// left uncertain, a state or document code idkit does not know, a
// character outside the MRZ alphabet.
inline bool contentRule(std::string_view check) {
  return check == "legible" || check == "known_state" || check == "known_document_code" || check == "charset";
}

// The first letter of the document code per format (ICAO Doc 9303: TD1 and
// TD2 A, C or I; passports P; visas V; the French card I): "" when free.
inline std::string_view documentCodeLetters(Format f) {
  switch (f) {
    case Format::TD1:
    case Format::TD2: return "ACI";
    case Format::TD3: return "P";
    case Format::MRVA:
    case Format::MRVB: return "V";
    case Format::FrenchID: return "I";
    default: return "";
  }
}

// Corrections (or uncertain positions) in reading order: by line, then position.
inline void sortByPosition(std::vector<Correction>& list) {
  std::stable_sort(list.begin(), list.end(),
                   [](const Correction& a, const Correction& b) { return std::pair(a.line, a.pos) < std::pair(b.line, b.pos); });
}

// A zone with cells no reading settles (r.uncertain, added to by the caller):
// the list put in reading order, the zone not "legible" (once) and not valid.
inline void markIllegible(Result& r) {
  sortByPosition(r.uncertain);
  if (std::none_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.first == "legible"; }))
    r.checks.emplace_back("legible", false);
  r.valid = false;
}

}  // namespace idkit::mrz::detail
