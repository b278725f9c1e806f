// Private to the mrz_*.cpp files: the layouts as data, shared by parsing,
// correction and composition so that the three can never disagree.
#pragma once
#include <idkit/mrz.hpp>

#include "motion_blur.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
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

// Whether a check digit of these lines verifies a field that holds a
// character: an absent field (all '<', its digit '<') passes its check by
// the ICAO rule, but says nothing of what was read. Lines of nothing but
// fillers verify every check and vouch for nothing.
bool verifiesAField(Format format, std::span<const std::string> lines);

bool isMrzChar(char c);

// ICAO issuing-state / nationality codes (mrz_states.cpp), sorted; trailing
// '<' of a code are ignored ("D<<").
std::span<const std::string_view> knownStates();
bool knownState(std::string_view code);

// How a state code is chosen among the known ones (likeliestState): the
// cheapest code is taken only when it costs at most `max_cost` and every
// other code considered costs `margin` more; codes changing more than
// `max_changed` letters of the code read are not considered.
struct StateLimits {
  double max_cost = std::numeric_limits<double>::infinity();
  double margin = 0;
  int max_changed = 3;
};

// The known state code (knownStates(), filled to three letters with '<':
// "D<<") that `cost` makes cheapest, its cost the sum of cost(k, code[k])
// over its three letters (infinity: that letter cannot stand at k, and the
// code is not considered), within `limits` against `read` (the three letters
// as they stand); nullopt when none is. The one scorer of both state rules:
// correct()'s settleState (costs of the corrector's options, a code settled
// before the check digits are solved) and guessUnknownStates (-ln of the
// reader's probabilities, a guess shown on a zone left not valid).
std::optional<std::string> likeliestState(const std::function<double(std::size_t, char)>& cost, std::string_view read,
                                          const StateLimits& limits);

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

// Formats whose names follow ICAO Doc 9303: one "<<" between the primary and
// the secondary identifier, single fillers between words. (The French ID
// splits its given names by "<<"; the licences' names are not ICAO's.)
inline bool icaoNames(Format f) {
  return f == Format::TD1 || f == Format::TD2 || f == Format::TD3 || f == Format::MRVA || f == Format::MRVB;
}

// Corrections (or uncertain positions) in reading order: by line, then position.
inline void sortByPosition(std::vector<Correction>& list) {
  std::stable_sort(list.begin(), list.end(),
                   [](const Correction& a, const Correction& b) { return std::pair(a.line, a.pos) < std::pair(b.line, b.pos); });
}

// Whether a check digit (the composite aside, unless `composite`) that
// verifies in `b` covers the position.
inline bool checkCovers(const Result& b, const std::vector<CheckPlan>& plans, int line, int col, bool composite = false) {
  for (const auto& plan : plans) {
    if ((plan.name == "composite" && !composite) || plan.variants.empty()) continue;
    const auto& v = plan.variants.front();
    const bool in = std::any_of(v.begin(), v.end(), [&](const Pos& q) { return q.line == line && q.col == col; }) ||
                    (plan.digit.line == line && plan.digit.col == col);
    if (in && planPasses(b.lines, plan)) return true;
  }
  return false;
}

// A zone with cells no reading settles (r.uncertain, added to by the caller):
// the list put in reading order, the zone not "legible" (once) and not valid.
inline void markIllegible(Result& r) {
  sortByPosition(r.uncertain);
  if (std::none_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.first == "legible"; }))
    r.checks.emplace_back("legible", false);
  r.valid = false;
}

// The cells where `twin` (the zone read again from its evidence undone with
// more damping) reads otherwise than `r`, added to r.uncertain; false, with
// nothing added, when the twin's lines are not r's in count and lengths.
inline bool listTwinDifferences(Result& r, const Result& twin) {
  if (twin.lines.size() != r.lines.size()) return false;
  for (std::size_t li = 0; li < r.lines.size(); ++li)
    if (twin.lines[li].size() != r.lines[li].size()) return false;
  for (std::size_t li = 0; li < r.lines.size(); ++li)
    for (std::size_t i = 0; i < r.lines[li].size(); ++i)
      if (const char o = twin.lines[li][i]; o != r.lines[li][i])
        r.uncertain.push_back({static_cast<int>(li) + 1, static_cast<int>(i) + 1, r.lines[li][i], o, "uncertain"});
  return true;
}

// The reader's total (non-negative) score at a position and that of `ch`.
inline std::pair<double, double> massOf(const PositionCandidates& cands, char ch) {
  double total = 0, mine = 0;
  for (const Candidate& c : cands) {
    total += std::max(0.0f, c.score);
    if (c.ch == ch) mine = std::max(0.0f, c.score);
  }
  return {total, mine};
}

// `ch`'s probability at a position, against the reader's whole probability mass: an image reader's
// scores are probabilities and its top-k may hold only part of the mass
// (the rest on other classes or on "misaligned"), which the share within
// the top-k hides: 0.10 of 0.34 is no 29% reading. Scores that sum to less
// than 1 are taken as probabilities; larger scales fall back to the share.
inline double probabilityOf(const PositionCandidates& cands, char ch) {
  const auto [total, mine] = massOf(cands, ch);
  return total > 0 ? mine / std::max(total, 1.0) : 0.0;
}

// A character read with at least this probability (or share) is read
// surely; below it, it is a doubt.
inline constexpr double kSureShare = 0.8;

// An M, N or H read with at least this probability is sure whatever its
// rival of the family got (samples td3-s202-0001: N 0.92, H 0.06, right;
// UNITED read UMITED: M 0.86, N 0.07).
inline constexpr double kNameFamilySure = 0.9;

// M, N and H: on a blurred line one reads as another surely (the N's
// diagonal lost in the blur), so a name letter of the family read with a
// family rival is a doubt (mrz_correct.cpp), and a second look at the same
// glyph that reads the same letter again does not settle it (below): ANNA
// read AMMA on held-out td1-photo-s91-0032 (line spreads 5.7-6.5), the flat
// copy's first M 0.79 with P 0.13 and H 0.06 (listed), the copy read with
// levels along the line M 0.84 with H 0.046, the photo as it is M 0.92 with
// H 0.04: each alone valid with a wrong name.
inline bool nameFamily(char c) { return c == 'M' || c == 'N' || c == 'H'; }

// A line whose edges are spread this wide (strip pixels, see edgeSpread in
// mrz_read.cpp) is blurred: 1.7 on a sharp rendering, 1.9-3.2 on the strips
// of id-synth photos without blur, 4.6-7 at 1.5 px defocus (a Gaussian of
// sigma 1 strip pixel gives 3.9).
inline constexpr float kBlurredSpread = 3.5f;

// On a blurred line a name letter the classifier makes of a blurred O or E
// (blurredAs) with that letter this probable beside it is a doubt
// (vetoBlurredNames).
inline constexpr double kBlurredTwin = 0.08;
// A G the reader saw beside a Q it put (gReadAsQ): seen at all (kSeenShare).
inline constexpr double kGBesideQ = 0.05;

// Whether the classifier reads a blurred `printed` letter as `read`: an O
// as D or Q, an E as C or F (its bars run together or lost). The other way
// round (an O read with D its runner-up) it reads right: of 151 right valid
// zones of thirteen seeds whose weakest name letter was under 0.9 (a random
// 150 of 343, and one), 21 held an O, G or E with a round or barred rival
// at 0.08 and more on a blurred line, none a D, Q, C or F with O or E there.
inline bool blurredAs(char read, char printed) {
  return (printed == 'O' && (read == 'D' || read == 'Q')) || (printed == 'E' && (read == 'C' || read == 'F'));
}

// Whether a cell put as Q was read with G at kGBesideQ or more: the
// classifier reads a G whose spur the photo softens as Q (a hook with a
// tail), blurred or not, and not the other way round, so the G it still
// sees is worth more than its share (a number's G read Q 0.72, 4 0.17, G
// 0.07 on a defocused TD2, valid with a wrong number: held-out seed 289's
// td2-photo-0056). G (16) and Q (26) weigh alike in every check digit, so
// no check tells them apart in a number, and none covers a TD2 or MRV name. Seed 271: td2-photo-0025's
// number SPXR9GCFC7 read Q 0.74, G 0.16 on a line of spread 3.4;
// td2-photo-0060's HAEGELAND and SIGRUN read Q 0.88 with G 0.10 and Q 0.87
// with G 0.06 (spread 7.4); seed 269: td2-photo-0078's number Q 0.66, G
// 0.25; mrvb-photo-0056's Q 0.63, G 0.10; each valid with a wrong field. A
// G read with Q its runner-up reads right (seed 269's mrvb-photo-0043: G
// 0.65, Q 0.23).
inline bool gReadAsQ(char put, const PositionCandidates& cell) {
  return put == 'Q' && probabilityOf(cell, 'G') >= kGBesideQ;
}

// A valid reading's Q is judged by the G beside it relative to the Q
// (vetoGReadAsQ): a G at kGShareOfQ of the Q's probability or more. An unsure
// Q carries a fainter G than kGBesideQ where the print is G: on the three
// tuning seeds 211, 269 and 277 every G read Q held G at 0.049-0.057 of its Q
// (Q 0.54-0.68, G 0.029-0.037: mrvb-photo-s269-0056's number valid and
// wrong), every Q read right at most 0.026 (td1-photo-s269-0029: Q 0.92, G
// 0.024). It takes in every Q kGBesideQ does. Only the veto (a valid zone made
// not legible) uses it; guessGReadAsQ, which changes a letter, keeps
// kGBesideQ.
inline constexpr double kGShareOfQ = 0.04;
inline bool gBesideQ(char put, const PositionCandidates& cell) {
  return put == 'Q' && probabilityOf(cell, 'G') >= kGShareOfQ * probabilityOf(cell, 'Q');
}

// A valid reading's name and number cells put as Q and read with G beside
// them (gBesideQ): listed uncertain (G their rival), the zone not legible.
// Judged on the reading id-mrz has chosen, after every other pass: a zone
// sent back to the reader's further passes for it was read valid and wrong
// in another field (seed 263's td2-photo-0015: nationality PRT read PRY,
// which the first reading held in doubt). Whether it listed any.
bool vetoGReadAsQ(Result& r, const std::vector<LineCandidates>& cands);

// A valid reading's name cells where `glance`, another reading of the same
// glyphs (the quick look of the hypothesis the reading was read carefully
// from), read another character: listed uncertain (the glance's character
// their rival), the zone not legible. No check digit covers a name, so two
// readings of one cell that disagree are a witness against either being
// sure. A glance line is a witness only where it reads the line alike but
// for kGlanceMisses cells at most (more: it was cut elsewhere or read the
// line garbled: seed 277's mrva-photo-0007, GUDMUNDUR glanced as GJDMJNVJR,
// right and valid), and only up to the line's last character that is no
// filler (a line's end cell read K by the glance, '<' by the careful read
// cut a cell earlier: mrva-photo-0000). Seed 277's mrvb-photo-0039:
// FERREIRA's E read K at 0.60 and 0.70 by the careful read, E at 0.41 and
// 0.50 by the glance; seed 271's td1-photo-0010: WOLFESCHLEGEL's W read H,
// 9 by the glance; seed 269's td1-photo-0077: TOM read TOMG (G 0.89), TOMF
// by the glance; each valid and wrong. Judged on the reading id-mrz has
// chosen, as vetoGReadAsQ. Whether it listed any.
inline constexpr std::size_t kGlanceMisses = 2;
bool vetoNameDisagreement(Result& r, const std::vector<LineCandidates>& cands, const std::vector<std::string>& glance);

// A zone no reading made valid whose state code (issuing state,
// nationality) is none ICAO knows gets the known code the reader's
// candidates make likeliest in its place: one letter changed, to one the
// reader saw (kSeenShare), and the code kStateMargin (log) likelier than
// the next known code so. Not two: a specimen's code of its own read right
// (the real passporteye-77_card-cmw's CMW, M 0.89 and W 0.93) would become
// another (CHN, from H 0.012 and N 0.006). The letters changed are listed
// (a "state" correction, and uncertain with the letter read as rival), the
// zone stays not valid and its known_state check failing: the code is the
// best guess, not a reading. Under heavy blur the classifier reads U as W
// and O as D (seed 211's td1-photo-0007: UTO read UTD, D 0.80, O 0.12;
// seed 241's mrva-photo-0046: UTD, D 0.58, Q 0.25, O 0.10), letters the
// list of codes alone tells apart. Where the candidates name no such code,
// the zone's other state code as read, when known and one letter off (or
// two the reader saw at kSeenShare), is taken (stateWitness: most documents
// carry their issuing state's code twice). Applied to the reading id-mrz
// reports, after every other pass (judgeFinally). Whether it changed a code.
bool guessUnknownStates(Result& r, const std::vector<LineCandidates>& cands);

// A zone no reading made valid whose every zero of its dates and check
// digits the reader read as O (each such cell's first candidate O, one at
// least): the classifier does not tell 0 from O on that zone, so the cells
// of its numbers and optional data read as O are put as zeros where every
// check digit then verifies. O (24) and 0 weigh alike at a check digit's
// weights 1, 7, 7 (seed 263's mrvb-photo-0035: DS0037087 read DSOO37O87,
// its check verifying), or with a Q put for a third (seed 211's
// mrvb-photo-0000: CT0005662 read CTOOQ5662). The cells changed are listed
// (a "zero_read_as_o" correction, and uncertain with O as rival) and the
// zone stays not valid: the zeros are the best guess, not a reading.
// Applied to the reading id-mrz reports, after guessUnknownStates
// (judgeFinally). Whether it changed a cell.
bool guessZerosReadAsO(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts);

// A zone no reading made valid whose name or number cells were put as Q
// with G seen beside them (gReadAsQ: the classifier reads a softened G as
// Q, not the other way round): those cells are put as G, the likelier
// letter (seed 277's td2-photo-0077: ERFJZTG4G read ERFJZTQ4Q, Q 0.68 with
// G 0.16 and Q 0.43 with G 0.15, the zone not valid for a name cell). G
// (16) and Q (26) weigh alike in every check digit, so no check changes.
// Each cell a "g_read_as_q" correction, listed uncertain with Q as rival
// (a cell a veto listed is listed once); the zone stays not valid. Applied
// after guessZerosReadAsO (judgeFinally). Whether it changed a cell.
bool guessGReadAsQ(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts);

// A valid reading is proven by its rules (check digits, the list of state
// codes, the layout's document code letters) only where the reader's own
// evidence leaves no other reading those rules accept as well. The cells of
// a valid reading where it does are listed uncertain (the other reading's
// character their rival), the zone not legible:
// - two cells of checked fields read in doubt (under kSureShare), one a
//   guess (under kGuessShare), whose rivals the reader saw (kSeenShare; no
//   classic twin; fillers, put or rival, are the padding rules' to judge:
//   seed 269's td1-photo-0004) verify every check as well, the composite
//   included, neither alone (a rival of the same weight alone is
//   correct()'s to judge): seed 293's fra-id-photo-0079,
//   birth date 580210 read 511210, 5 at 0.77 with 9 0.10 and 1 at 0.47 with
//   5 0.09 (951210 verifies the date and the composite alike);
// - a document code letter put for another the reader read, that it gave
//   under kForcedShare, where the layout allows several letters: seed 293's
//   td1-photo-0083, I read L 0.78, C 0.18, I 0.005: C taken for TD1's sake;
// - a known state code with a letter read in doubt whose rival, at half its
//   probability or more (kTiedShare), makes another known code: seed 293's
//   td3-photo-0025, nationality PRT read PRY, Y 0.63, T 0.34.
// Each was valid with a wrong field. Every correction stays reported.
// Applied to the valid reading id-mrz reports (judgeFinally). Whether it
// listed any.
bool vetoUnproven(Result& r, const std::vector<LineCandidates>& cands);

// The final judgement of the reading id-mrz reports, once its view is
// chosen; the record then writes it as it stands. The passes before it, in
// order: read() (mrz_read.cpp) on each view of a band, vetoBlurredNames (a
// valid zone's blurred name cells), and on the view it keeps vetoGReadAsQ
// (any zone); readRecord (mrz_record.cpp) between a photo's views,
// crossCheck and carryDoubts (a valid reading against a second view), then
// the second reader (mrz_witness.cpp, a zone no view made valid). Here, on
// a zone left not valid only, the best guesses that keep it not valid:
// guessUnknownStates, then guessZerosReadAsO, then guessGReadAsQ; on a
// valid zone vetoUnproven. Whether it changed the zone.
bool judgeFinally(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts);

// A valid reading's name cells on a blurred line (kBlurredSpread; `spreads`
// per line) that no check digit covers and the blur leaves in doubt: listed
// uncertain, the zone not legible (markIllegible). Such a cell is
// - one the reader read as a digit: the letter correct() put there (the
//   classic pair, '0' -> O) is what the position allows, not what was seen.
//   Blurred C, O, D and 0 are one round blob (raw mrvb-photo-s23-0001, 5.5
//   px: VASCO's C read '0' at 0.98, C 0.006, O 0.004, and VASOO was valid).
//   On a sharp line a '0' in a name is taken for an O of a narrower face.
//   (Its price with model v5: the real Hungarian specimen, a soft scan of
//   spread 3.9, whose ROZALIA's O reads '0', is right but no longer valid.)
// - a D, Q, C or F (what the blur makes of an O or an E, blurredAs) with
//   that O or E at kBlurredTwin or more, or itself read under kSureShare: read
//   surely enough for the name rules of correct() (a rival of kNameRival,
//   0.2), and nothing else witnesses a name. Seed 263's td2-photo-0013
//   (spread 4.5): JANSEN read JANSCN, C 0.68 with E 0.13 (and by the
//   deconvolved photo's reading C 0.71, E unseen); td3-0070 (4.6): DEN read
//   DFN, F 0.89, E 0.11; seed 197's td3-0082 (7.0): JOSE read JQSE, Q 0.80,
//   O 0.17; seed 119's mrva-0025 (8.1): ROY read RDY, D 0.83, O 0.09; each
//   valid with a wrong name. (The unsure D, Q, C or F: 2 of the 151 right
//   zones above, td1-photo-s151-0043's Q 0.57, fra-id-photo-s119-0038's F
//   0.73.)
// Whether it listed any.
bool vetoBlurredNames(Result& r, const std::vector<LineCandidates>& cands, const std::vector<float>& spreads);

// Whether `again`, a second reading of the glyphs `first` was read from
// (`cands` what correct() was given for it), keeps every doubt `first`
// listed (its uncertain cells): each such cell read as one of the two
// letters it hesitated between, and an M, N or H `first` read read again
// only surely (kNameFamilySure; under it the doubt stands). A second look
// at the same glyph is no second witness for a third letter (a shaken
// photo's COTE read C0TE, O/0 uncertain, then CDTE surely: valid). (Holding
// a family letter read again however surely lost seed 91's td3 2, MARIA's M
// read surely by the pass that also read its birth date right.)
inline bool keepsDoubts(const Result& first, const Result& again, const std::vector<LineCandidates>& cands) {
  return std::all_of(first.uncertain.begin(), first.uncertain.end(), [&](const Correction& u) {
    const auto li = static_cast<std::size_t>(u.line - 1), ci = static_cast<std::size_t>(u.pos - 1);
    if (li >= again.lines.size() || ci >= again.lines[li].size()) return false;
    const char c = again.lines[li][ci];
    if (c == u.to || (c == u.from && !nameFamily(c))) return true;
    return c == u.from && li < cands.size() && ci < cands[li].size() && probabilityOf(cands[li][ci], c) >= kNameFamilySure;
  });
}

// `again`, a valid reading of the zone as the photo holds it, where
// `first`, the flat copy's reading, listed M/N/H name letters as uncertain:
// a cell `again` reads as `first`'s letter keeps `first`'s doubt (listed,
// and `again` is not valid), however surely it was read (nameFamily: the
// photo read that M at 0.92). (Any doubted letter carried so lost right
// zones whose copy read them poorly and the photo well: seed 91's fra-id
// 13, td2 77.)
inline void carryDoubts(Result& again, const Result& first) {
  bool kept = false;
  for (const Correction& u : first.uncertain) {
    const auto li = static_cast<std::size_t>(u.line - 1), ci = static_cast<std::size_t>(u.pos - 1);
    if (!nameFamily(u.from) || li >= again.lines.size() || ci >= again.lines[li].size() || again.lines[li][ci] != u.from)
      continue;
    again.uncertain.push_back(u);
    kept = true;
  }
  if (kept) markIllegible(again);
}

// Where two readings of the same zone's shape differ, the differing cell is
// uncertain in `first` (its character kept, the second's as its rival) and
// `first` is not valid: no check digit settled which view is right
// (markIllegible). A `second` that verifies is a witness for each of its
// cells; one that does not (`cands`: what it was corrected from) only for
// the cells it read surely (kSureShare), at the same cut (at least kSameCut
// of the cells either view read as no filler agree: a line read a cell off
// agrees by chance), and not where a check digit (the composite too) that
// verifies in `first` covers the cell and fails in `second` (that view misread the field, as
// the check says), nor where `second` listed the cell uncertain with
// `first`'s character as its rival (a doubt `first` resolved).
inline constexpr double kSameCut = 0.5;

inline void crossCheck(Result& first, const Result& second, const std::vector<LineCandidates>& cands = {}) {
  if (first.lines.size() != second.lines.size()) return;
  for (std::size_t li = 0; li < first.lines.size(); ++li)
    if (first.lines[li].size() != second.lines[li].size()) return;
  const auto plans = checkPlans(first.format, first.lines);
  const auto witnesses = [&](std::size_t li, std::size_t c) {
    if (second.valid) return true;
    const char b = second.lines[li][c];
    const int l = static_cast<int>(li), k = static_cast<int>(c);
    if (li >= cands.size() || cands[li].size() != second.lines[li].size() || probabilityOf(cands[li][c], b) < kSureShare)
      return false;
    if (checkCovers(first, plans, l, k, true) && !checkCovers(second, plans, l, k, true)) return false;
    return std::none_of(second.uncertain.begin(), second.uncertain.end(), [&](const Correction& u) {
      return u.line == l + 1 && u.pos == k + 1 && u.to == first.lines[li][c];
    });
  };
  bool differ = false;
  for (std::size_t li = 0; li < first.lines.size(); ++li) {
    const std::string& a = first.lines[li];
    const std::string& b = second.lines[li];
    std::size_t inked = 0, agree = 0;
    for (std::size_t c = 0; c < a.size(); ++c)
      if (a[c] != '<' || b[c] != '<') ++inked, agree += a[c] == b[c];
    if (!second.valid && agree < kSameCut * static_cast<double>(inked)) continue;
    for (std::size_t c = 0; c < a.size(); ++c) {
      if (a[c] == b[c] || !witnesses(li, c)) continue;
      first.uncertain.push_back({static_cast<int>(li) + 1, static_cast<int>(c) + 1, a[c], b[c], "uncertain"});
      differ = true;
    }
  }
  if (differ) markIllegible(first);
}

}  // namespace idkit::mrz::detail
