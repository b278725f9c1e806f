// Check-digit-driven correction of OCR readings (see docs/mrz.md).
//
// Every position has a kind (digit, letter, filler, sex...) from the layout.
// Each position gets a few options: the reader's candidates that fit the
// kind, and the classic OCR confusions of those candidates, each with a cost
// (how much less likely than the best). One dynamic programme over all
// check-protected positions then finds the cheapest reading in which every
// check digit verifies, with at most kMaxChanges changes per check; a check
// that cannot verify costs kFailCost and is reported, never forced.
#include <idkit/mrz.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "mrz_layout.hpp"

namespace idkit::mrz {

using detail::CheckPlan;
using detail::Kind;
using detail::knownState;
using detail::Pos;
using detail::statePositions;

namespace {

constexpr int kMaxChanges = 2;      // per check: more would force any reading through
constexpr double kFailCost = 25.0;  // a failing check outweighs any 2 plausible changes
constexpr double kAltCost = 1.0;    // choosing a reader's alternative over its best
constexpr double kMaxRatioCost = 8.0;
// A reader's alternative scored below this share of its best is no option:
// with enough far-fetched alternatives any reading can be made to verify.
constexpr double kMinAltRatio = 0.01;
// Over the whole zone: a reading that needs more check-digit changes, or
// changes this costly together, is reported as failing, not forced through.
constexpr int kMaxTotalChanges = 3;
constexpr double kMaxTotalCost = 9.0;
// Positions no check digit of their own protects (names, sex, nationality,
// optional data only in the composite) must be read with at least this
// score share, else the zone is not "legible" and not valid.
constexpr double kLegibleShare = 0.7;
// A character read with less than this share is a guess.
constexpr double kGuessShare = 0.5;
using detail::massOf;
using detail::probabilityOf;

// The reader's score share of `ch` at a position.
double shareOf(const PositionCandidates& cands, char ch) {
  const auto [total, mine] = massOf(cands, ch);
  return total > 0 ? mine / total : 0.0;
}

using detail::classicPair;

// A character's share at or above kSureShare is read surely; below it, it
// is a doubt (see the trust rule in correct()).
using detail::kSureShare;
// A check-digit change to a character the reader gave less than this share,
// other than the classic pair of what it read, is forced, not read.
constexpr double kForcedShare = 0.25;
// Doubts adding up to more than this (sum of -ln share) are too many for
// one check digit to vouch for.
constexpr double kMaxDoubt = 3.0;
// Cost of keeping a pair letter read between digits (the digit is the default).
constexpr double kDigitRunCost = 2.0;
// A probability below this is a character the reader did not see.
constexpr double kSeenShare = 0.05;
// A same-weight rival at this fraction of the reading's own probability or
// more ties with it: the check digit cannot tell the two apart.
constexpr double kTiedShare = 0.5;
// A cell whose candidates together got less than kSeenShare is an erasure:
// the reader saw no character there (a thumb or a glare spot over it; its
// probability went to "misaligned"), so its candidates are noise. An erased
// digit is any digit (each at kErasureCost), and where it is the one doubt of
// a field its check digit determines it ("erasure" correction); see the
// vouching rule in correct().
constexpr double kErasureCost = 1.0;
// The share a cell beside an erased cell must be read with for the erasure
// to be determined by its check digit (see correct()).
constexpr double kOcclusionNeighbourSure = 0.99;
bool erased(const PositionCandidates& cands) {
  return cands.size() > 1 && massOf(cands, '\0').first < kSeenShare;
}
// A name letter whose rival got this much probability is uncertain.
constexpr double kNameRival = 0.2;
// A filler-weight letter (A, K, U) ending a word before fillers is uncertain
// when '<' got this much probability (see the name rules in correct()).
constexpr double kFillerRival = kSeenShare;
using detail::kNameFamilySure;
// A character after a field's padding that no check digit of its own covers
// is read surely only at this probability (see the padding rule in correct()).
constexpr double kPaddedTailSure = 0.9;

// Whether some check digit, the composite included, covers the position
// (its data or the digit itself) in any of its variants.
bool anyCheckCovers(const std::vector<CheckPlan>& plans, std::size_t line, std::size_t col) {
  const auto at = [&](const Pos& q) {
    return static_cast<std::size_t>(q.line) == line && static_cast<std::size_t>(q.col) == col;
  };
  return std::ranges::any_of(plans, [&](const CheckPlan& plan) {
    return at(plan.digit) ||
           std::ranges::any_of(plan.variants, [&](const auto& v) { return std::ranges::any_of(v, at); });
  });
}

// A state code changed to the cheapest known ICAO code among the reader's
// options: at most this costly, and the next known code this much dearer
// (likeliestState's limits in settleState). guessUnknownStates takes the
// same margin on -ln probabilities, with no upper bound.
constexpr double kMaxStateCost = 2.5;
constexpr double kStateMargin = 1.5;
// A state code read unknown takes the zone's other, known, code where the
// two differ in at most this many letters, or in up to kWitnessedSeenLetters
// the reader saw (stateWitness).
constexpr std::size_t kWitnessedLetters = 1;
constexpr std::size_t kWitnessedSeenLetters = 2;

// vetoUnproven: at most this many characters seen beside the doubtful
// cells of the checked fields are tried in pairs (more: the zone has doubts
// enough for correct()'s own limits).
constexpr std::size_t kUnprovenAlternatives = 24;

struct Confusion {
  char a, b;
  double cost;
};
// OCR-B confusions seen in MRZ reading; the first group is the classic one.
constexpr std::array<Confusion, 19> kConfusions{{
    {'0', 'O', 2.0}, {'1', 'I', 2.0}, {'5', 'S', 2.0}, {'8', 'B', 2.0}, {'2', 'Z', 2.0},
    {'6', 'G', 2.0}, {'K', '<', 2.0}, {'0', 'D', 3.0}, {'0', 'Q', 3.0}, {'4', 'A', 3.0},
    {'7', 'T', 3.0}, {'1', 'L', 3.0}, {'C', '<', 3.0}, {'E', '<', 3.5}, {'S', '<', 3.5},
    {'L', '<', 3.5}, {'0', 'U', 3.5}, {'3', 'B', 3.5}, {'1', 'T', 3.5},
}};

struct Option {
  char ch;
  double cost;   // relative to the position's default (the first option)
  double share;  // the reader's score share of this character, 0 if not a candidate
};

struct Position {
  Pos pos;
  char read;  // the reader's best character ('\0' if none)
  std::vector<Option> options;  // options[0] is the default reading
  bool type_fixed = false;      // options[0].ch != read because read is impossible here
  bool digit_run = false;       // options[0] is the digit of a pair letter read between digits
  bool erased = false;          // the reader saw no character here (see erased())
  double read_share = 0;        // the reader's score share of `read`
};

// Whether the confusion table pairs two characters (fillers aside) at no
// more than `max_cost`: any pair by default, the classic twins (classicPair)
// at 2.
bool lookAlike(char a, char b, double max_cost = std::numeric_limits<double>::infinity()) {
  return std::any_of(kConfusions.begin(), kConfusions.end(), [&](const Confusion& c) {
    return c.cost <= max_cost && c.b != '<' && ((c.a == a && c.b == b) || (c.a == b && c.b == a));
  });
}

int charValueOr0(char c) { return charValue(c).value_or(0); }

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return c >= 'A' && c <= 'Z'; }

double ratioCost(float best, float s) {
  const double b = std::max<double>(best, 1e-6), v = std::max<double>(s, 1e-6);
  return std::min(kMaxRatioCost, std::log(b / v));
}

char fallbackFor(Kind k) {
  switch (k) {
    case Kind::Alpha: return 'A';
    case Kind::Digit: return '0';
    default: return '<';
  }
}

Position optionsFor(Pos pos, const PositionCandidates& cands, Kind kind) {
  Position p{pos, cands.empty() ? '\0' : cands[0].ch, {}, false};
  // An image reader proposes its own alternatives with scores; then the
  // confusion table only rescues characters that cannot stand here (a '0'
  // in a name), it does not invent changes the reader saw no sign of.
  const bool reader = cands.size() > 1;
  double total = 0;
  for (const Candidate& c : cands) total += std::max(0.0f, c.score);
  auto share = [&](char ch) {
    for (const Candidate& c : cands)
      if (c.ch == ch) return total > 0 ? std::max(0.0f, c.score) / total : 1.0 / cands.size();
    return 0.0;
  };
  auto add = [&](char ch, double cost) {
    if (!detail::allowed(kind, ch)) return;
    for (Option& o : p.options)
      if (o.ch == ch) {
        o.cost = std::min(o.cost, cost);
        return;
      }
    p.options.push_back({ch, cost, share(ch)});
  };
  // A best reading that cannot stand here (a digit in a name, a letter in
  // a date) is replaced by the character the reader itself ranked highest
  // among those that can: its own alternatives weigh from that one, and the
  // look-alike table only adds the impossible character's twins, dearer
  // (the real Dutch passport's ALBERTINE: its B read 0 at 0.955, B 0.0022,
  // O 0.0002; the table's O read ALOERTINE). Where the reader offered no
  // allowed character, the table decides as before.
  std::size_t lead = 0;
  if (reader && !cands.empty() && !detail::allowed(kind, cands[0].ch)) {
    lead = cands.size();
    for (std::size_t i = 1; i < cands.size() && i < 5 && lead == cands.size(); ++i)
      if (cands[i].score > 0 && detail::allowed(kind, cands[i].ch)) lead = i;
    if (lead == cands.size()) lead = 0;
  }
  const float top = cands.empty() ? 1.0f : cands[0].score, best = cands.empty() ? 1.0f : cands[lead].score;
  for (std::size_t i = 0; i < cands.size() && i < 5; ++i) {
    if (reader && i > lead && cands[i].score < kMinAltRatio * best) break;
    // The impossible readings above the lead keep their cost from the top.
    const double base = i == 0 || i == lead ? 0.0 : kAltCost + ratioCost(i < lead ? top : best, cands[i].score);
    add(cands[i].ch, base);
    if (i >= 3 || (reader && detail::allowed(kind, cands[i].ch))) continue;
    for (const Confusion& c : kConfusions) {
      if (cands[i].ch == c.a) add(c.b, base + c.cost);
      if (cands[i].ch == c.b) add(c.a, base + c.cost);
    }
  }
  if (p.options.empty()) p.options.push_back({fallbackFor(kind), 5.0, 0.0});
  std::stable_sort(p.options.begin(), p.options.end(),
                   [](const Option& a, const Option& b) { return a.cost < b.cost; });
  if (p.options.size() > 6) p.options.resize(6);
  const double base = p.options[0].cost;
  for (Option& o : p.options) o.cost -= base;
  p.type_fixed = p.options[0].ch != p.read;
  p.read_share = share(p.read);
  if (reader && erased(cands)) {
    // Nothing was seen: no option is the reader's, and a digit is any digit
    // ('<' after them: it weighs what '0' does, and stands for a digit only
    // in an absent field).
    p.erased = true;
    for (Option& o : p.options) o.share = 0;
    if (kind == Kind::Digit || kind == Kind::CheckDigit)
      for (const char ch : std::string_view("0123456789<")) {
        const double cost = ch == '<' ? kErasureCost + 1 : kErasureCost;
        auto it = std::find_if(p.options.begin() + 1, p.options.end(), [&](const Option& o) { return o.ch == ch; });
        if (p.options[0].ch == ch || !detail::allowed(kind, ch)) continue;
        if (it == p.options.end()) p.options.push_back({ch, cost, 0.0});
        else it->cost = cost;
      }
  }
  return p;
}

// One linear check: sum of weight * value over terms is 0 mod 10 (the
// check digit has weight 9, i.e. -1).
struct Group {
  std::vector<int> members;                  // indices into positions, in DP order
  std::vector<std::array<int, 2>> weights;   // per member, per variant
  int variants = 0;                          // 0 = free positions (no own check)
};

// The DP state: residues of the current group's two variants, its changes so
// far, and the composite residue.
constexpr int kStates = 10 * 10 * (kMaxChanges + 1) * 10;
int stateOf(int r0, int r1, int k, int rc) { return ((r0 * 10 + r1) * (kMaxChanges + 1) + k) * 10 + rc; }

struct Step {
  int position;                     // index into positions, -1 for a group end
  std::vector<std::int16_t> from;   // previous state per state
  std::vector<std::int8_t> option;  // option taken per state
};

std::vector<int> solve(const std::vector<Position>& positions, const std::vector<Group>& groups,
                       const std::vector<int>& composite_weight, bool has_composite) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> cost(kStates, inf), next(kStates);
  cost[stateOf(0, 0, 0, 0)] = 0;
  std::vector<Step> steps;
  for (const Group& g : groups) {
    for (std::size_t m = 0; m < g.members.size(); ++m) {
      const int pi = g.members[m];
      const Position& p = positions[pi];
      Step st{pi, std::vector<std::int16_t>(kStates, -1), std::vector<std::int8_t>(kStates, -1)};
      std::fill(next.begin(), next.end(), inf);
      for (int s = 0; s < kStates; ++s) {
        if (cost[s] == inf) continue;
        const int rc = s % 10, k = (s / 10) % (kMaxChanges + 1);
        const int r1 = (s / 10 / (kMaxChanges + 1)) % 10, r0 = s / 10 / (kMaxChanges + 1) / 10;
        for (std::size_t o = 0; o < p.options.size(); ++o) {
          const int nk = k + (o == 0 ? 0 : 1);
          if (nk > kMaxChanges) continue;
          const int v = detail::isMrzChar(p.options[o].ch) ? charValueOr0(p.options[o].ch) : 0;
          const int n0 = (r0 + g.weights[m][0] * v) % 10, n1 = (r1 + g.weights[m][1] * v) % 10;
          const int nc = (rc + composite_weight[pi] * v) % 10;
          const int ns = stateOf(n0, n1, nk, nc);
          const double c = cost[s] + p.options[o].cost;
          if (c < next[ns]) {
            next[ns] = c;
            st.from[ns] = static_cast<std::int16_t>(s);
            st.option[ns] = static_cast<std::int8_t>(o);
          }
        }
      }
      cost.swap(next);
      steps.push_back(std::move(st));
    }
    // Group end: the group's check verifies (either variant) or costs kFailCost.
    Step st{-1, std::vector<std::int16_t>(kStates, -1), {}};
    std::fill(next.begin(), next.end(), inf);
    for (int s = 0; s < kStates; ++s) {
      if (cost[s] == inf) continue;
      const int rc = s % 10;
      const int r1 = (s / 10 / (kMaxChanges + 1)) % 10, r0 = s / 10 / (kMaxChanges + 1) / 10;
      const bool pass = g.variants == 0 || r0 == 0 || (g.variants > 1 && r1 == 0);
      const int ns = stateOf(0, 0, 0, rc);
      const double c = cost[s] + (pass ? 0.0 : kFailCost);
      if (c < next[ns]) {
        next[ns] = c;
        st.from[ns] = static_cast<std::int16_t>(s);
      }
    }
    cost.swap(next);
    steps.push_back(std::move(st));
  }
  int best = -1;
  double best_cost = inf;
  for (int rc = 0; rc < 10; ++rc) {
    const int s = stateOf(0, 0, 0, rc);
    const double c = cost[s] + (has_composite && rc != 0 ? kFailCost : 0.0);
    if (c < best_cost) best_cost = c, best = s;
  }
  std::vector<int> chosen(positions.size(), 0);
  for (auto it = steps.rbegin(); it != steps.rend() && best >= 0; ++it) {
    if (it->position >= 0) chosen[it->position] = it->option[best];
    best = it->from[best];
  }
  return chosen;
}

std::optional<Format> nearestFormat(std::span<const std::string> lines) {
  if (auto f = detectFormat(lines)) return f;
  std::optional<Format> best;
  long best_d = std::numeric_limits<long>::max();
  for (Format f : {Format::TD1, Format::TD2, Format::TD3, Format::MRVA, Format::MRVB,
                   Format::FrenchID, Format::FrenchDL, Format::SwissDL}) {
    const auto lens = lineLengths(f);
    if (lens.size() != lines.size()) continue;
    const bool visa = !lines[0].empty() && lines[0][0] == 'V';
    if ((f == Format::MRVA || f == Format::MRVB) != visa) continue;
    const bool french = lines[0].size() > 4 && lines[0].substr(1, 4) == "DFRA";
    if ((f == Format::FrenchID) != french && lens.size() == 2 && lens[0] == 36) continue;
    // Lines are more often cut short than lengthened: the longest line says
    // most about the width.
    long d = 0;
    std::size_t longest = 0;
    for (std::size_t i = 0; i < lens.size(); ++i) {
      d += std::labs(static_cast<long>(lines[i].size()) - lens[i]);
      longest = std::max(longest, lines[i].size());
    }
    d += 2 * std::labs(static_cast<long>(longest) - *std::max_element(lens.begin(), lens.end()));
    if (d < best_d) best_d = d, best = f;
  }
  // More than a third of the characters missing or extra is not a damaged
  // MRZ of that format any more.
  long total = 0;
  for (const auto& l : lines) total += static_cast<long>(l.size());
  if (best && best_d * 3 > total) return std::nullopt;
  return best;
}

std::vector<std::string> topLines(std::span<const LineCandidates> lines) {
  std::vector<std::string> out;
  for (const LineCandidates& l : lines) {
    std::string s;
    for (const PositionCandidates& p : l) s.push_back(p.empty() ? '<' : p[0].ch);
    out.push_back(std::move(s));
  }
  return out;
}

Error badShape(std::span<const std::string> lines) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on the
  // chained operator+ of temporaries.
  std::string shape;
  for (const auto& l : lines) {
    if (!shape.empty()) shape += '+';
    shape += std::to_string(l.size());
  }
  std::string message = "MRZ text has ";
  message += std::to_string(lines.size());
  message += " line(s) of length ";
  message += shape.empty() ? std::string("0") : shape;
  message += ", which is no known MRZ layout";
  return {"mrz_bad_shape", message};
}

// Walks a line's name cells in order: `visit(col, fillers)` with the count
// of fillers in a row just before the cell, `at(col)` the cell's character
// once visited (a visit may change it); the count starts again where the
// names stop.
template <class At, class Visit>
void walkNames(const std::vector<Kind>& kinds, At at, Visit visit) {
  int fillers = 0;
  for (std::size_t col = 0; col < kinds.size(); ++col) {
    if (kinds[col] != Kind::Name) {
      fillers = 0;
      continue;
    }
    visit(col, fillers);
    fillers = at(col) == '<' ? fillers + 1 : 0;
  }
}

// Names are letters with single or double '<' between words, then fillers
// to the line's end: after three fillers in a row nothing but fillers may
// follow. A letter there (a '<' read C, O, H at a line's end) is a filler,
// whatever the reader's score. This holds for the French ID's names too,
// which the composite covers (given names are separated by "<<", never
// three): a thumb or glare over their fillers reads as letters the
// composite alone cannot pin down. (Optional data no check digit covers
// does not follow this: Polish visas print a 0 after seven fillers.)
// But a word there, kWordAfterFillers letters in a row each read surely,
// not all the same letter (fillers under glare read SSSS, CCC: one glyph
// misread alike, seed 63's td1-photo-0014, right), is no filler misread:
// a name's own '<<' or first letter was read as fillers (held-out
// td1-photo-s241-0004: MAGNUSSON<<SIGRIDUR<HALLDORA read
// MAGNUSSON<<<5GRIDUR<HALLDORA, the given names, read at 0.87-0.99, made
// fillers: valid with no given names). The fillers are still put, but the
// zone is not legible then (false).
constexpr int kWordAfterFillers = 3;

bool settleFillers(std::vector<Position>& positions, const std::vector<std::vector<Kind>>& kinds,
                   const std::vector<std::vector<int>>& index, std::vector<int>& chosen, std::vector<const char*>& reason, std::vector<bool>& settled) {
  bool sure = true;
  for (std::size_t li = 0; li < kinds.size(); ++li) {
    int word = 0;
    bool varied = false;  // the word's letters are not all `first`
    char first = '\0';
    const auto at = [&](std::size_t col) {
      const auto pi = static_cast<std::size_t>(index[li][col]);
      return positions[pi].options[static_cast<std::size_t>(chosen[pi])].ch;
    };
    walkNames(kinds[li], at, [&](std::size_t col, int fillers) {
      const bool tail = fillers >= 3;
      const auto pi = static_cast<std::size_t>(index[li][col]);
      Position& p = positions[pi];
      const char ch = at(col);
      if (tail && isLetter(ch) && p.read == ch && p.read_share >= kSureShare) {
        varied = word > 0 && (varied || ch != first);
        if (word++ == 0) first = ch;
      } else {
        word = 0, varied = false;
      }
      sure = sure && !(word >= kWordAfterFillers && varied);
      if (tail && ch != '<') {
        auto it = std::find_if(p.options.begin(), p.options.end(), [](const Option& o) { return o.ch == '<'; });
        if (it == p.options.end()) it = p.options.insert(p.options.end(), Option{'<', kMaxRatioCost, 0.0});
        chosen[pi] = static_cast<int>(it - p.options.begin());
        reason[pi] = "filler";
        settled[pi] = true;
      } else if (tail) {
        settled[pi] = true;  // a filler where only fillers may stand
      }
    });
  }
  return sure;
}

// A state code no check digit covers must be a code ICAO knows. The
// cheapest known code among the reader's options is taken when it is cheap
// and clearly cheaper than the next known one; then the code is sure. A
// known code read as it stands with a rival known code close behind is left
// to the legibility rule. False when no known code can be read.
bool settleState(std::vector<Position>& positions, std::span<const LineCandidates> lines,
                 const std::vector<std::vector<int>>& index, Pos start, const std::vector<int>& composite_weight,
                 std::vector<int>& chosen, std::vector<const char*>& reason, std::vector<bool>& settled) {
  std::array<std::size_t, 3> pis{};
  for (int k = 0; k < 3; ++k) pis[static_cast<std::size_t>(k)] = static_cast<std::size_t>(index[start.line][start.col + k]);
  bool covered = false;
  for (auto pi : pis) covered = covered || composite_weight[pi] != 0;
  // An erased letter's options are noise: no code is read from them.
  for (auto pi : pis)
    if (positions[pi].erased) return false;
  std::string current;
  for (auto pi : pis) current.push_back(positions[pi].options[static_cast<std::size_t>(chosen[pi])].ch);
  // A digit read surely where the code wants a letter is what is printed
  // (keepPrintedDigits), unless the letter is its look-alike or one the
  // reader saw as well: a known code is not made of the runners-up a sure
  // digit leaves (a "132" read at 0.97 with X at 0.01 is no "XXX").
  const auto printed = [&](std::size_t k, const Option& o) {
    const Position& p = positions[pis[k]];
    return !p.type_fixed || p.erased || p.read_share < kSureShare || o.share >= kSeenShare || lookAlike(p.read, o.ch);
  };
  // Letter k of a code: the cheapest option for it (each character is one option).
  const auto option = [&](std::size_t k, char ch) {
    const auto& opts = positions[pis[k]].options;
    int at = -1;
    for (std::size_t i = 0; i < opts.size(); ++i)
      if (opts[i].ch == ch && printed(k, opts[i]) && (at < 0 || opts[i].cost < opts[static_cast<std::size_t>(at)].cost))
        at = static_cast<int>(i);
    return at;
  };
  const auto cost = [&](std::size_t k, char ch) {
    const int at = option(k, ch);
    return at < 0 ? std::numeric_limits<double>::infinity() : positions[pis[k]].options[static_cast<std::size_t>(at)].cost;
  };
  // Specimens with codes of their own ("SI<", "BDR") are then not valid
  // either: a confidently misread code ("FOL") looks just the same.
  bool asRead = knownState(current);
  for (std::size_t k = 0; k < 3; ++k)
    asRead = asRead && printed(k, positions[pis[k]].options[static_cast<std::size_t>(chosen[pis[k]])]);
  if (covered) return asRead;
  const auto code = detail::likeliestState(cost, current, {.max_cost = kMaxStateCost, .margin = kStateMargin});
  if (!code) return asRead;
  std::array<int, 3> pick{};
  for (std::size_t k = 0; k < 3; ++k) pick[k] = option(k, (*code)[k]);
  // No code is settled from cells the reader hardly saw: the costs weigh a
  // cell's candidates against each other, which says nothing where most of
  // its probability went to no character (a thumb or a glare spot over the
  // code, short of an erasure): held-out td2-photo-s119-0004's nationality
  // UTO read P 0.34, 7 0.06 (0 0.06), L 0.06, the candidates of the last two
  // holding 0.19 and 0.14 of it: POL taken, valid and wrong. Unless each
  // cell's candidates hold at least kGuessShare, the code is taken as the
  // likeliest reading but not settled: the legibility rule judges its letters.
  // Nor is a letter changed for the list's sake settled unless the letters
  // kept were read surely: the list tells a code from its neighbours only by
  // letters that are known (held-out td3-photo-s173-0013's nationality UTO
  // read M 0.65, U 0.005, T 0.65, C 0.22: MCO taken, valid and wrong).
  // Nor is a code read as it stands settled where two or more of its letters
  // were read unsurely: the list vouches for one doubtful letter between
  // two known ones, and two letters a glare spot leaves half read make a
  // known code by chance as easily (held-out seed 289's
  // mrvb-photo-0062: nationality IDN under a glare spot read P 0.51, A
  // 0.49, N 0.97, neither I nor D among the candidates: PAN taken, valid
  // and wrong).
  bool seen = true, changed = false;
  int unsureKept = 0;  // letters kept as read under kSureShare
  for (std::size_t k = 0; k < 3; ++k) {
    const Position& p = positions[pis[k]];
    const auto& cands = lines[static_cast<std::size_t>(p.pos.line)][static_cast<std::size_t>(p.pos.col)];
    seen = seen && massOf(cands, '\0').first >= kGuessShare;
    const char ch = p.options[static_cast<std::size_t>(pick[k])].ch;
    if (ch != p.read) changed = true;
    else unsureKept += probabilityOf(cands, ch) < kSureShare;
  }
  seen = seen && unsureKept <= (changed ? 0 : 1);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto pi = pis[k];
    if (chosen[pi] != pick[k]) reason[pi] = "state";
    chosen[pi] = pick[k];
    settled[pi] = seen;
  }
  return true;
}

// A document number is alphanumeric, padded with fillers at its end only;
// '<' and '0' weigh the same in a check digit, so the check cannot tell a
// '0' read as '<' inside the number. Such a '<' is the '0' when the reader
// offered one; otherwise the number is not legible (false).
bool settleNumberFillers(std::vector<Position>& positions, const std::vector<std::vector<int>>& index, Format fmt,
                         std::vector<int>& chosen, std::vector<const char*>& reason) {
  std::vector<std::string> cur(index.size());
  for (std::size_t li = 0; li < index.size(); ++li)
    for (int pi : index[li]) cur[li].push_back(positions[static_cast<std::size_t>(pi)].options[static_cast<std::size_t>(chosen[static_cast<std::size_t>(pi)])].ch);
  bool sure = true;
  for (const CheckPlan& plan : detail::checkPlans(fmt, cur)) {
    if (plan.name != "document_number") continue;
    const auto& data = plan.variants[0];
    std::size_t last = data.size();
    for (std::size_t k = 0; k < data.size(); ++k)
      if (cur[data[k].line][data[k].col] != '<') last = k;
    for (std::size_t k = 0; last != data.size() && k < last; ++k) {
      const auto pi = static_cast<std::size_t>(index[data[k].line][data[k].col]);
      if (cur[data[k].line][data[k].col] != '<') continue;
      auto& opts = positions[pi].options;
      const auto it = std::find_if(opts.begin(), opts.end(), [](const Option& o) { return o.ch == '0'; });
      if (it == opts.end()) {
        sure = false;
        continue;
      }
      chosen[pi] = static_cast<int>(it - opts.begin());
      reason[pi] = "filler";
    }
  }
  return sure;
}

// The digit of a letter issuers avoid in numbers for looking like it ('O'
// -> '0', 'I' -> '1', 'S' -> '5', 'B' -> '8'), or '\0'. 'Z' and 'G' are
// ordinary letters of numbers (German documents use them), and 'G' weighs
// the same as '6' in a check digit, which could not tell them apart.
char digitOfAvoided(char letter) {
  switch (letter) {
    case 'O': return '0';
    case 'I': return '1';
    case 'S': return '5';
    case 'B': return '8';
    default: return '\0';
  }
}

// Whether the character at `col` is an avoided letter in a run of them
// with a digit on both sides ('959O717', '440O9OO25'): runs, because two
// 'O's side by side are no less a misread '00' than one.
bool inDigitRun(std::string_view line, std::size_t col) {
  if (!digitOfAvoided(line[col])) return false;
  std::size_t a = col, b = col;
  while (a > 0 && digitOfAvoided(line[a - 1])) --a;
  while (b + 1 < line.size() && digitOfAvoided(line[b + 1])) ++b;
  return a > 0 && b + 1 < line.size() && isDigit(line[a - 1]) && isDigit(line[b + 1]);
}

// Whether the character at `col` is an avoided letter in a run of them
// between digits, or the same one twice with a digit at one end
// ('NWYOO93': 'O' weighs 24, and two of them at weights 7 and 3 add 240,
// which no check digit sees).
bool nextToDigit(std::string_view line, std::size_t col) {
  if (!digitOfAvoided(line[col])) return false;
  std::size_t a = col, b = col;
  while (a > 0 && digitOfAvoided(line[a - 1])) --a;
  while (b + 1 < line.size() && digitOfAvoided(line[b + 1])) ++b;
  const bool left = a > 0 && isDigit(line[a - 1]), right = b + 1 < line.size() && isDigit(line[b + 1]);
  // One such letter before or after the digits is a prefix or suffix
  // ('CB1959...', 'SB0661636'); the same letter twice is what two misread
  // digits look like, and at weights 7 and 3 the two cancel in the check.
  bool same = b > a;
  for (std::size_t k = a + 1; k <= b; ++k) same = same && line[k] == line[a];
  return (left && right) || ((left || right) && same);
}

// Issuers avoid O, I, S and B in numbers: a sure 'O'
// in '959O717' is far more often a '0' read wrong (the two OCR-B glyphs
// differ by width only, and blur takes that) than a letter. There the digit
// is the default reading (a "digit_run" correction) and the letter the
// alternative at the cost of a plausible one; the check digit settles it.
void preferDigitsInDigitRuns(std::vector<Position>& positions, std::span<const LineCandidates> lines,
                             const std::vector<std::vector<Kind>>& kinds, const std::vector<std::vector<int>>& index) {
  for (std::size_t li = 0; li < lines.size(); ++li) {
    std::string top;
    for (const auto& c : lines[li]) top.push_back(c.empty() ? '<' : c[0].ch);
    for (std::size_t col = 0; col < top.size(); ++col) {
      if (kinds[li][col] != Kind::AlnumFill || !inDigitRun(top, col)) continue;
      Position& p = positions[static_cast<std::size_t>(index[li][col])];
      if (p.options.empty() || p.options[0].ch != p.read) continue;
      const char digit = digitOfAvoided(p.read);
      auto it = std::find_if(p.options.begin(), p.options.end(), [&](const Option& o) { return o.ch == digit; });
      if (it == p.options.end()) {
        p.options.push_back({digit, 0.0, shareOf(lines[li][col], digit)});
        it = p.options.end() - 1;
      }
      it->cost = 0.0;
      p.options[0].cost = kDigitRunCost;
      std::rotate(p.options.begin(), it, it + 1);
      p.digit_run = true;
    }
  }
}

// A check digit determines one erased digit of its field (or itself from
// the field), no more: where a field holds two erasures, the erased digits
// keep what the reader put there (no option to choose among), as does an
// erased digit no check digit covers.
void undeterminedErasures(std::vector<Position>& positions, const std::vector<CheckPlan>& plans,
                          const std::vector<std::vector<int>>& index) {
  std::vector<int> fields(positions.size(), 0), erasures(positions.size(), 0);
  for (const CheckPlan& plan : plans) {
    if (plan.name == "composite") continue;
    std::vector<std::size_t> members;
    for (const Pos& q : plan.variants[0]) members.push_back(static_cast<std::size_t>(index[q.line][q.col]));
    members.push_back(static_cast<std::size_t>(index[plan.digit.line][plan.digit.col]));
    int n = 0;
    for (const auto pi : members) n += positions[pi].erased;
    for (const auto pi : members) ++fields[pi], erasures[pi] = std::max(erasures[pi], n);
  }
  for (std::size_t pi = 0; pi < positions.size(); ++pi)
    if (positions[pi].erased && (fields[pi] == 0 || erasures[pi] > 1)) positions[pi].options.resize(1);
}

// Why a position reads other than the reader's best: its default reading
// (an impossible character replaced, a pair letter between digits) or a
// change the check digits chose.
const char* defaultReason(const Position& p, int chosen) {
  if (p.erased) return "erasure";
  if (chosen != 0) return "check_digit";
  return p.digit_run ? "digit_run" : p.type_fixed ? "type" : "check_digit";
}

// No check digit covers the document code. A first letter the format does
// not allow ('T<MAC' for 'I<MAC') is the cheapest allowed one among the
// reader's options ("document_code" correction); false when there is none,
// or when another allowed letter is as likely within kStateMargin (the
// margin a state code needs): then the pick is a guess no check settles
// (held-out td2-photo-s263-0023: I read L 0.25 with C 0.099 and I 0.080,
// made C: valid with a wrong code).
bool settleDocumentCode(std::vector<Position>& positions, const std::vector<std::vector<int>>& index, Format fmt,
                        std::vector<int>& chosen, std::vector<const char*>& reason, std::vector<bool>& settled) {
  const std::string_view allowed = detail::documentCodeLetters(fmt);
  if (allowed.empty() || index.empty() || index[0].empty()) return true;
  const auto pi = static_cast<std::size_t>(index[0][0]);
  Position& p = positions[pi];
  if (allowed.find(p.options[static_cast<std::size_t>(chosen[pi])].ch) != std::string_view::npos) return true;
  // The cheapest allowed option other than `skip` (none: options.size()).
  const auto cheapest = [&](std::size_t skip) {
    std::size_t best = p.options.size();
    for (std::size_t o = 0; o < p.options.size(); ++o)
      if (o != skip && allowed.find(p.options[o].ch) != std::string_view::npos &&
          (best == p.options.size() || p.options[o].cost < p.options[best].cost))
        best = o;
    return best;
  };
  const std::size_t pick = cheapest(p.options.size());
  if (pick == p.options.size()) return false;
  chosen[pi] = static_cast<int>(pick);
  reason[pi] = "document_code";
  settled[pi] = true;
  const std::size_t next = cheapest(pick);
  return next == p.options.size() || p.options[next].cost - p.options[pick].cost >= kStateMargin;
}

// Cells no check digit covers where the layout wants a letter (state codes,
// the document code's second character) but the print has digits: the
// Romanian specimen's nationality "132", the US resident card's code "C1".
// A digit read surely (kSureShare) there is what is printed, and turning it
// into its letter pair would only hide that: the cell keeps the digit when
// the letters give nothing the reader should report instead (the caller
// decides: no known state code, or a document code's second character).
// True when a digit was kept; the zone is then not valid (the caller says
// which check fails).
bool keepPrintedDigits(std::vector<Position>& positions, std::span<const LineCandidates> lines,
                       const std::vector<std::vector<int>>& index, Pos start, int count, std::vector<int>& chosen) {
  bool kept = false;
  for (int k = 0; k < count; ++k) {
    const auto pi = static_cast<std::size_t>(index[static_cast<std::size_t>(start.line)][static_cast<std::size_t>(start.col + k)]);
    Position& p = positions[pi];
    const PositionCandidates& cands = lines[static_cast<std::size_t>(start.line)][static_cast<std::size_t>(start.col + k)];
    if (!p.type_fixed || p.erased || p.read < '0' || p.read > '9' || probabilityOf(cands, p.read) < kSureShare) continue;
    p.options.push_back({p.read, 0.0, shareOf(cands, p.read)});
    chosen[pi] = static_cast<int>(p.options.size()) - 1;
    kept = true;
  }
  return kept;
}

// Whether a zone whose first line is `line0` names a state that takes a long
// document number's check over its filler too (the vectors' Belgian and
// Portuguese cards: detail::checkPlans' second variant).
bool checksOverFiller(std::string_view line0) {
  const std::string_view state = line0.size() >= 5 ? line0.substr(2, 3) : std::string_view();
  return state == "BEL" || state == "PRT";
}

}  // namespace

bool detail::classicPair(char a, char b) { return lookAlike(a, b, 2.0); }

std::vector<Pos> detail::statePositions(Format f) {
  switch (f) {
    case Format::TD1: return {{0, 2}, {1, 15}};
    case Format::TD2:
    case Format::TD3:
    case Format::MRVA:
    case Format::MRVB: return {{0, 2}, {1, 10}};
    case Format::FrenchID: return {{0, 2}};
    default: return {};
  }
}

Expected<Result> correct(std::span<const LineCandidates> input, const ParseOptions& opts) {
  const auto tops = topLines(input);
  const std::optional<Format> fmt = opts.format ? opts.format : nearestFormat(tops);
  if (!fmt) return std::unexpected(badShape(tops));
  const auto lens = lineLengths(*fmt);
  if (input.size() != lens.size()) return std::unexpected(badShape(tops));

  std::vector<Correction> corrections;
  // Lines of the wrong length are cut or padded with '<' at the end.
  std::vector<LineCandidates> lines(input.begin(), input.end());
  for (std::size_t li = 0; li < lines.size(); ++li) {
    auto& l = lines[li];
    const auto want = static_cast<std::size_t>(lens[li]);
    for (std::size_t i = want; i < l.size(); ++i)
      corrections.push_back({int(li) + 1, int(i) + 1, l[i].empty() ? '<' : l[i][0].ch, '\0', "length"});
    for (std::size_t i = l.size(); i < want; ++i)
      corrections.push_back({int(li) + 1, int(i) + 1, '\0', '<', "length"});
    l.resize(want, PositionCandidates{{'<', 1.0f}});
  }

  // Kinds; an absent date (all '<') may keep its fillers.
  auto kinds = detail::positionKinds(*fmt);
  for (std::size_t li = 0; li < lines.size(); ++li) {
    auto& k = kinds[li];
    for (std::size_t i = 0; i < k.size();) {
      if (k[i] != Kind::Digit) {
        ++i;
        continue;
      }
      std::size_t j = i;
      bool fillers = true;
      while (j < k.size() && k[j] == Kind::Digit)
        fillers = fillers && !lines[li][j].empty() && lines[li][j][0].ch == '<', ++j;
      if (fillers)
        for (std::size_t x = i; x < j; ++x) k[x] = Kind::CheckDigit;
      i = j;
    }
  }

  std::vector<Position> positions;
  std::vector<std::vector<int>> index(lines.size());
  for (std::size_t li = 0; li < lines.size(); ++li)
    for (std::size_t i = 0; i < lines[li].size(); ++i) {
      index[li].push_back(static_cast<int>(positions.size()));
      positions.push_back(optionsFor({int(li), int(i)}, lines[li][i], kinds[li][i]));
    }

  // An image reader proposes its own alternatives; text (repair) does not.
  bool reader = false;
  for (const auto& l : lines)
    for (const auto& c : l) reader = reader || c.size() > 1;
  if (reader) preferDigitsInDigitRuns(positions, lines, kinds, index);

  std::vector<std::string> defaults(lines.size());
  for (const Position& p : positions) defaults[p.pos.line].push_back(p.options[0].ch);
  const auto plans = detail::checkPlans(*fmt, defaults);
  undeterminedErasures(positions, plans, index);
  // A long document number's check taken over its filler too (Belgium and
  // Portugal compute theirs so) is a second way for a misread to verify: an
  // image's reading has it only where the zone names one of those states
  // (fresh seed 367's td1-photo-0038, a UTO card: two 0s read O, the
  // standard check failing and the filler's passing, valid and wrong).
  const bool filler_check = !reader || checksOverFiller(defaults[0]);

  // Groups: each check but the composite, then the composite's other positions.
  std::vector<Group> groups;
  std::vector<int> composite_weight(positions.size(), 0);
  std::vector<bool> grouped(positions.size(), false);
  bool has_composite = false;
  auto weightsOf = [&](const std::vector<Pos>& data, Pos digit) {
    std::map<int, int> w;
    static constexpr std::array<int, 3> kW{7, 3, 1};
    for (std::size_t i = 0; i < data.size(); ++i) w[index[data[i].line][data[i].col]] = kW[i % 3];
    w[index[digit.line][digit.col]] = 9;
    return w;
  };
  for (const CheckPlan& plan : plans) {
    if (plan.name == "composite") {
      has_composite = true;
      for (const auto& [pi, w] : weightsOf(plan.variants[0], plan.digit)) composite_weight[pi] = w;
      continue;
    }
    Group g;
    g.variants = filler_check ? static_cast<int>(plan.variants.size()) : 1;
    std::map<int, std::array<int, 2>> w;
    for (int v = 0; v < g.variants && v < 2; ++v)
      for (const auto& [pi, wt] : weightsOf(plan.variants[v], plan.digit)) w[pi][v] = wt;
    for (const auto& [pi, wt] : w) {
      g.members.push_back(pi);
      g.weights.push_back(wt);
      grouped[pi] = true;
    }
    groups.push_back(std::move(g));
  }
  Group free_group;
  for (std::size_t pi = 0; pi < positions.size(); ++pi)
    if (composite_weight[pi] != 0 && !grouped[pi]) {
      free_group.members.push_back(static_cast<int>(pi));
      free_group.weights.push_back({0, 0});
    }
  if (!free_group.members.empty()) groups.push_back(std::move(free_group));

  std::vector<int> chosen = solve(positions, groups, composite_weight, has_composite);
  {
    // The cap over the zone: too many or too costly changes mean the reading
    // is not an MRZ with a few misread characters; report it as it was read.
    int changes = 0;
    double cost = 0;
    for (std::size_t pi = 0; pi < positions.size(); ++pi)
      if (chosen[pi] != 0) ++changes, cost += positions[pi].options[static_cast<std::size_t>(chosen[pi])].cost;
    if (changes > kMaxTotalChanges || cost > kMaxTotalCost) std::fill(chosen.begin(), chosen.end(), 0);
  }

  // Structure and code lists, for image readings only (text has no
  // alternatives to weigh): they settle positions no check digit covers.
  std::vector<const char*> reason(positions.size(), nullptr);
  std::vector<bool> settled(positions.size(), false);  // sure without the reader's share
  bool states_known = true;
  bool name_tails_sure = true;      // no sure word made fillers after a name's end (settleFillers)
  bool number_fillers_sure = true;  // no '<' inside a document number without a '0' to take (settleNumberFillers)
  bool code_known = true;
  if (reader) {
    code_known = settleDocumentCode(positions, index, *fmt, chosen, reason, settled);
    // The second character of a two-letter code (the French card's is
    // always "ID": a '0' there is its 'D').
    if (*fmt != Format::FrenchID && !detail::documentCodeLetters(*fmt).empty() &&
        keepPrintedDigits(positions, lines, index, {0, 1}, 1, chosen))
      code_known = false;
    name_tails_sure = settleFillers(positions, kinds, index, chosen, reason, settled);
    for (const Pos start : statePositions(*fmt)) {
      const bool known = settleState(positions, lines, index, start, composite_weight, chosen, reason, settled);
      if (!known) keepPrintedDigits(positions, lines, index, start, 3, chosen);
      states_known = known && states_known;
    }
    number_fillers_sure = settleNumberFillers(positions, index, *fmt, chosen, reason);
    // Positions the composite covers that a rule settled to another
    // character (the French ID's name fillers): the check digits are solved
    // again around them, as the first solution counted on what was read.
    bool resettle = false;
    for (std::size_t pi = 0; pi < positions.size(); ++pi)
      resettle = resettle || (settled[pi] && reason[pi] && composite_weight[pi] != 0);
    if (resettle) {
      std::vector<Position> fixed = positions;
      for (std::size_t pi = 0; pi < positions.size(); ++pi)
        if (settled[pi]) {
          Option o = positions[pi].options[static_cast<std::size_t>(chosen[pi])];
          o.cost = 0;
          fixed[pi].options = {o};
        }
      const std::vector<int> again = solve(fixed, groups, composite_weight, has_composite);
      int changes = 0;
      double cost = 0;
      for (std::size_t pi = 0; pi < positions.size(); ++pi)
        if (!settled[pi] && again[pi] != 0) ++changes, cost += positions[pi].options[static_cast<std::size_t>(again[pi])].cost;
      for (std::size_t pi = 0; pi < positions.size(); ++pi)
        if (!settled[pi]) chosen[pi] = changes > kMaxTotalChanges || cost > kMaxTotalCost ? 0 : again[pi];
    }
  }

  std::vector<std::string> out(lines.size());
  std::vector<double> conf(positions.size(), 1.0);
  for (std::size_t pi = 0; pi < positions.size(); ++pi) {
    const Position& p = positions[pi];
    const Option& o = p.options[chosen[pi]];
    out[p.pos.line].push_back(o.ch);
    if (settled[pi]) {
      conf[pi] = std::max(o.share, 0.9);
      if (o.ch != p.read)
        corrections.push_back({p.pos.line + 1, p.pos.col + 1, p.read, o.ch,
                               reason[pi] && !p.erased ? reason[pi] : defaultReason(p, chosen[pi])});
    } else if (o.ch != p.read) {
      const char* why = reason[pi] && !p.erased ? reason[pi] : defaultReason(p, chosen[pi]);
      corrections.push_back({p.pos.line + 1, p.pos.col + 1, p.read, o.ch, why});
      conf[pi] = o.share > 0 ? o.share : (chosen[pi] == 0 ? 0.7 : 0.5);
    } else {
      conf[pi] = lines[p.pos.line][p.pos.col].size() > 1 ? o.share : 1.0;
    }
  }
  detail::sortByPosition(corrections);

  ParseOptions po = opts;
  po.format = *fmt;
  auto parsed = parse(out, po);
  if (!parsed) return parsed;
  Result r = std::move(*parsed);
  r.corrections = std::move(corrections);
  if (reader && !checksOverFiller(out[0])) {
    const auto over_filler = [](const auto& c) { return c.first.ends_with("_incl_filler"); };
    if (std::ranges::any_of(r.checks, over_filler)) {
      std::erase_if(r.checks, over_filler);
      r.valid = false;
    }
  }

  const auto final_plans = detail::checkPlans(*fmt, out);
  // Legibility: a check digit vouches for its field, nothing vouches for the
  // names, sex and nationality but the reader's own certainty.
  std::vector<bool> vouched(positions.size(), false);
  for (const CheckPlan& plan : final_plans) {
    if (plan.name == "composite") continue;
    for (const auto& variant : plan.variants)
      for (const Pos& q : variant) vouched[static_cast<std::size_t>(index[q.line][q.col])] = true;
    vouched[static_cast<std::size_t>(index[plan.digit.line][plan.digit.col])] = true;
  }
  bool legible = name_tails_sure && number_fillers_sure;
  // A check digit verifies a wrong field 1 time in 10, and a change the
  // corrector may choose among several multiplies that chance. So a check
  // vouches for its field only when the field was read with little doubt:
  // at most one guess (share < 0.5); no forced change (to a character the
  // reader hardly saw, other than the classic pair of what it read); no
  // change in a field that has another doubtful character (share < 0.8);
  // and doubts adding up to at most kMaxDoubt (sum of -ln share) when
  // there are two or more. Else the zone is not legible, never valid.
  // What erases a cell (a thumb, a glare spot) rarely stops at its edge:
  // the cells beside it are read through the edge of the same occlusion, and
  // one of them misread (a check digit 8 read 7 at 0.95 beside an erased
  // birth-date digit) puts a wrong digit in the erased place that the check
  // verifies; the composite misses it whenever the two changes cancel at its
  // weights. So an erasure is determined only where its neighbours on the
  // line were read clearly (kOcclusionNeighbourSure).
  const auto occlusionNeighboursSure = [&](const Pos& q) {
    const auto& line = lines[q.line];
    for (const int c : {q.col - 1, q.col + 1}) {
      if (c < 0 || c >= static_cast<int>(line.size()) || line[c].size() < 2) continue;
      if (probabilityOf(line[c], out[q.line][c]) < kOcclusionNeighbourSure) return false;
    }
    return true;
  };
  if (reader)
    for (const CheckPlan& plan : final_plans) {
      if (plan.name == "composite") continue;
      int unsure = 0, doubtful = 0, changes = 0, forced = 0, erasures = 0, tied = 0;
      bool erasuresDigits = true;
      double doubt = 0;
      Pos erased_at{};
      auto count = [&](const Pos& q) {
        const auto pi = static_cast<std::size_t>(index[q.line][q.col]);
        const auto& cands = lines[q.line][q.col];
        if (cands.size() < 2) return;
        const Position& p = positions[pi];
        if (p.erased) {
          ++erasures;
          erased_at = q;
          const Kind k = kinds[q.line][q.col];
          erasuresDigits = erasuresDigits && (k == Kind::Digit || k == Kind::CheckDigit);
          return;
        }
        const Option& o = p.options[static_cast<std::size_t>(chosen[pi])];
        // A classic pair ('O' in a date is a '0') is one glyph read two
        // ways: the two shares add up.
        const bool classic = o.ch != p.read && classicPair(p.read, o.ch);
        double share = probabilityOf(cands, o.ch);
        if (classic) share = std::min(1.0, share + probabilityOf(cands, p.read));
        const bool changed = chosen[pi] != 0 && !reason[pi];
        if (changed) {
          ++changes;
          forced += !classic && probabilityOf(cands, o.ch) < kForcedShare;
          // A digit the reader read that the check turned into a letter is
          // forced too, however alike the two: the classifier reads a
          // printed 0 as an O often, a printed letter as a digit hardly
          // ever. On ten id-synth photo sets every such change (19) was in
          // a wrong zone (mrvb-photo-s211-0050: 5 at 0.93 -> S, valid with a
          // wrong number), every letter turned digit in a valid zone right.
          forced += isDigit(p.read) && isLetter(o.ch);
        }
        // A digit put for a letter read between digits is a change the check
        // vouches for like any other: with two doubtful characters beside it
        // the check verifies by chance (RG1609220 read RQ16O9DZO, O -> 0,
        // Q and D doubtful: valid with a wrong number).
        if (p.digit_run && chosen[pi] == 0) ++changes;
        // A classic-pair letter kept next to digits of a number ('94O4O24',
        // 'NWYOO93') is a guess however sure: 'O' weighs 24 and '0' 0, so
        // two such misreads at weights 7 and 3 verify together.
        if (kinds[q.line][q.col] == Kind::AlnumFill && nextToDigit(out[q.line], static_cast<std::size_t>(q.col)))
          share = std::min(share, kGuessShare - 0.1);
        // A digit put for a pair letter between digits that the reader did
        // not see at all is a guess too (the check digit decides it).
        if (p.digit_run && chosen[pi] == 0 && probabilityOf(cands, o.ch) < kSeenShare)
          share = std::min(share, kGuessShare - 0.1);
        // Characters whose values differ by a multiple of 10 (G/Q, C/M,
        // K/'<', 0/A ...) weigh the same in every check digit: between them
        // the check cannot choose, so a doubtful character with such a
        // rival is a guess.
        if (share < kSureShare) {
          const int v = charValueOr0(o.ch) % 10;
          double hidden = 0;
          for (const Candidate& c : cands)
            if (c.ch != o.ch && detail::allowed(kinds[q.line][q.col], c.ch) && charValueOr0(c.ch) % 10 == v)
              hidden += probabilityOf(cands, c.ch);
          if (hidden >= kSeenShare) {
            share = std::min(share, kGuessShare - 0.1);
            // A rival of the same weight nearly as likely as the reading is
            // a coin toss the check digit cannot settle even alone
            // (WG5917794 read WQ5917794, Q 0.43 and G 0.42): nothing vouches.
            // So is a change the check digit made to a character that has
            // such a rival: the check chose the weight, not which of the two
            // (GHZ3XJHVW read 4HZ3XJHVW, 4 0.47, Q 0.27, G 0.13, changed to
            // Q: valid with a wrong number, held-out seed 91's td2 13).
            if (hidden >= kTiedShare * probabilityOf(cands, o.ch) || (changed && !classic)) ++tied;
          }
        }
        unsure += share < kGuessShare;
        doubtful += share < kSureShare;
        doubt -= std::log(std::max(share, 1e-3));
      };
      for (const Pos& q : plan.variants[0]) count(q);
      count(plan.digit);
      bool vouches = unsure <= 1 && tied == 0 && forced == 0 && !(changes > 0 && doubtful > 1) && !(doubtful > 1 && doubt > kMaxDoubt);
      // An erasure takes the check digit's whole say: the check determines
      // one erased digit (weights 7, 3, 1 and the digit's own reach every
      // residue once), and nothing is left to vouch for the field's other
      // characters, so they must all be read surely and none changed. Two
      // erasures (the check digit's own included), or an erased letter
      // (several letters weigh alike), are not determined.
      if (erasures > 0)
        vouches = vouches && erasures == 1 && erasuresDigits && unsure == 0 && doubtful == 0 && changes == 0 &&
                  occlusionNeighboursSure(erased_at);
      legible = legible && vouches;
    }
  // ICAO pads a field (a run of number or optional-data positions) with
  // fillers up to its end. Letters of a filler's weight (A, K, U: 0 mod 10
  // like '<') after two or more fillers at a field's end are what a blurred
  // filler at the end of a line or beside a check digit looks like, and no
  // check digit can tell them from fillers: such a zone is not legible
  // (TD3 '47900555<<<<<K' with K at 0.96 for '<', and an MRV-B line ending
  // '<<<<<<<K': valid with a wrong field).
  if (reader)
    for (std::size_t li = 0; li < out.size(); ++li) {
      const auto& line = out[li];
      for (std::size_t c = 0; c < line.size(); ++c) {
        const bool fieldEnd = kinds[li][c] == Kind::AlnumFill && (c + 1 == line.size() || kinds[li][c + 1] != Kind::AlnumFill);
        if (!fieldEnd) continue;
        std::size_t k = c + 1;
        while (k > 0 && kinds[li][k - 1] == Kind::AlnumFill && isLetter(line[k - 1]) &&
               charValueOr0(line[k - 1]) % 10 == 0)
          --k;
        const auto padded = [&](std::size_t from) {
          return from >= 2 && kinds[li][from - 1] == Kind::AlnumFill && kinds[li][from - 2] == Kind::AlnumFill &&
                 line[from - 1] == '<' && line[from - 2] == '<';
        };
        if (k <= c && padded(k)) legible = false;
        // Any character after the padding where no check digit of its own
        // covers it (optional data that only the composite covers, or
        // nothing, as an MRV's) is content put after the field's fillers,
        // which ICAO does not do: it must be read surely (kPaddedTailSure).
        // A blurred filler at the end of a line reads as a digit: the last
        // filler of an MRV-A's optional data read 9 at 0.73 (two seeds
        // averaged; raw mrva-photo-s7-0044, valid with a wrong field).
        k = c + 1;
        while (k > 0 && kinds[li][k - 1] == Kind::AlnumFill && line[k - 1] != '<') --k;
        if (k > c || !padded(k)) continue;
        for (std::size_t j = k; j <= c; ++j) {
          // A cell no check digit covers at all, not even a composite (an
          // MRV's optional data): a letter after its padding, however surely
          // read, is what a line's end read as junk looks like (H at 0.99
          // after seven fillers: valid and wrong), and no check can refuse
          // it. A digit there is printed (the real Polish visa's "<<<<<<<0").
          if (isLetter(line[j]) && !anyCheckCovers(final_plans, li, j)) legible = false;
          const auto pi = static_cast<std::size_t>(index[li][j]);
          const auto& cands = lines[li][j];
          if (!vouched[pi] && !settled[pi] && cands.size() > 1 && probabilityOf(cands, line[j]) < kPaddedTailSure)
            legible = false;
        }
      }
    }
  // A check digit cannot tell O from 0 in pairs: 'O' weighs 24 and '0' 0,
  // and 24 times two weights summing to 10 (7 + 3) or equal (a letter and a
  // zero exchanged) is 0 mod 10. A number or optional data (where both may
  // stand) read with letters O, where exchanging two of its O and 0 cells
  // still verifies every check (the composite included), is read no better
  // than that other reading; the digit is what numbers hold (kDigitRunCost),
  // so the letters are not vouched for and the zone is not legible (blurred
  // zeros read O surely: CWK0YH206 read CWKOYH2O6, X2037T0V3 read
  // X2O37TOV3 in composite-only optional data; valid with wrong fields).
  const auto verifies = [&](const std::vector<std::string>& ls) {
    return std::ranges::all_of(final_plans, [&](const CheckPlan& plan) { return detail::planPasses(ls, plan); });
  };
  if (reader && legible && verifies(out)) {
    std::vector<bool> checked(positions.size(), false);
    for (const CheckPlan& plan : final_plans)
      for (const Pos& q : plan.variants[0]) checked[static_cast<std::size_t>(index[q.line][q.col])] = true;
    std::vector<Pos> pair;
    for (std::size_t li = 0; li < out.size(); ++li)
      for (std::size_t c = 0; c < out[li].size(); ++c)
        if (kinds[li][c] == Kind::AlnumFill && (out[li][c] == 'O' || out[li][c] == '0') &&
            checked[static_cast<std::size_t>(index[li][c])])
          pair.push_back({static_cast<int>(li), static_cast<int>(c)});
    // Exchange each pair holding an O in one copy of the lines, and back.
    auto ls = out;
    const auto flip = [](char& ch) { ch = ch == 'O' ? '0' : 'O'; };
    for (std::size_t a = 0; a < pair.size() && legible; ++a)
      for (std::size_t b = a + 1; b < pair.size() && legible; ++b) {
        char& x = ls[static_cast<std::size_t>(pair[a].line)][static_cast<std::size_t>(pair[a].col)];
        char& y = ls[static_cast<std::size_t>(pair[b].line)][static_cast<std::size_t>(pair[b].col)];
        if (x != 'O' && y != 'O') continue;
        flip(x), flip(y);
        legible = !verifies(ls);
        flip(x), flip(y);
      }
  }
  // A reader that read a 0 as O where only digits stand (a date or a check
  // digit: the change the field's type forces) does not tell the two apart
  // on this zone. An O it reads where both may stand (a number, optional
  // data) is then no letter it saw, and a check digit does not tell a lone
  // O from its 0 plus a second misread (O weighs 24: 0 -> O at weight 1
  // and 5 -> 3 at weight 7 add 24 - 14 = 10). Held-out seed 263:
  // BY5560822 read BY536O822 and DS0037087 read DSOO37O87, each zone's
  // dates read with O for 0, valid with a wrong number. The zone is not
  // legible. (On thirteen seeds, 6,552 photos, no right valid zone read
  // such an O.)
  if (reader && legible) {
    const bool zerosReadO = std::ranges::any_of(positions, [&](const Position& p) {
      const Kind k = kinds[p.pos.line][p.pos.col];
      return (k == Kind::Digit || k == Kind::CheckDigit) && p.type_fixed && p.read == 'O';
    });
    for (std::size_t li = 0; zerosReadO && li < out.size(); ++li)
      for (std::size_t c = 0; c < out[li].size(); ++c)
        legible = legible && !(kinds[li][c] == Kind::AlnumFill && out[li][c] == 'O');
  }
  // ICAO names hold one "<<", between the primary and the secondary
  // identifier; the secondary identifier's words are split by single
  // fillers. A second "<<" with a letter after it is a filler read as a
  // letter or a letter read as a filler, and no check digit says which
  // (held-out seed 229's td1-photo-0000: STORM<<ANNA<MARIA read
  // STORM<<ANNA<MARIA<<H, valid with a wrong given name). The zone is not
  // legible. (The French ID splits its given names by "<<": not judged.)
  if (reader && detail::icaoNames(*fmt))
    for (std::size_t li = 0; li < out.size(); ++li) {
      int separators = 0;  // "<<" runs followed by a letter
      const auto at = [&](std::size_t col) { return out[li][col]; };
      walkNames(kinds[li], at, [&](std::size_t col, int fillers) { separators += at(col) != '<' && fillers >= 2; });
      legible = legible && separators <= 1;
    }
  // Names have no check digit at all. A letter whose rival got a fifth of
  // the probability, or an M, N or H whose rival of that family got 0.05
  // (the classifier's commonest confusion in names: UNITED read UMITED with
  // N at 0.07, VAN read VAH with N at 0.18), is uncertain: listed, and the
  // zone is not legible.
  if (reader)
    for (std::size_t pi = 0; pi < positions.size(); ++pi) {
      const Position& p = positions[pi];
      const auto& cands = lines[p.pos.line][p.pos.col];
      if (kinds[p.pos.line][p.pos.col] != Kind::Name || settled[pi] || cands.size() < 2) continue;
      const char ch = p.options[static_cast<std::size_t>(chosen[pi])].ch;
      if (ch == '<') continue;
      char rival = '\0';
      double rivalP = 0;
      for (const Candidate& c : cands)
        if (c.ch != ch && detail::allowed(Kind::Name, c.ch) && probabilityOf(cands, c.ch) > rivalP)
          rival = c.ch, rivalP = probabilityOf(cands, c.ch);
      // The family rival need not be the first rival (ANNA read AMMA: M 0.79,
      // P 0.13, H 0.06: valid with a wrong name, held-out seed 91's td1 32).
      double familyP = 0;
      for (const Candidate& c : cands)
        if (c.ch != ch && detail::nameFamily(c.ch)) familyP = std::max(familyP, probabilityOf(cands, c.ch));
      const bool familyDoubt = detail::nameFamily(ch) && familyP >= kSeenShare && probabilityOf(cands, ch) < kNameFamilySure;
      // A rival of equal weight (G/Q, C/M ...) no check digit can tell
      // apart, the French ID's composite included (GARCON read QARCON with
      // Q 0.63, G 0.18: valid).
      double equalP = 0;
      for (const Candidate& c : cands)
        if (c.ch != ch && detail::allowed(Kind::Name, c.ch) && c.ch != '<' && charValueOr0(c.ch) % 10 == charValueOr0(ch) % 10)
          equalP += probabilityOf(cands, c.ch);
      const bool equalDoubt = equalP >= kSeenShare && probabilityOf(cands, ch) < kSureShare;
      // A letter of a filler's weight (A, K, U: 0 mod 10, as '<') ending a
      // word before fillers, with '<' among its rivals, may be a filler a
      // thumb or a spot darkened: no check digit tells the two apart, the
      // French ID's composite included (seed 7's fra-id 53: CELINE<<<<<<<<
      // read CELINE<<K<<<<< with K 0.68, '<' 0.19: valid).
      const auto li = static_cast<std::size_t>(p.pos.line), ci = static_cast<std::size_t>(p.pos.col);
      const bool beforeFiller = ci + 1 < out[li].size() && out[li][ci + 1] == '<';
      const bool fillerDoubt = charValueOr0(ch) % 10 == 0 && beforeFiller &&
                               probabilityOf(cands, '<') >= kFillerRival && probabilityOf(cands, ch) < kSureShare;
      if (fillerDoubt) rival = '<';
      // A letter put for a character that cannot stand in a name (optionsFor)
      // is the reader's runner-up, a guess unless it is the classic twin of
      // what was read (a 0 for an O, weighed by the legibility rule below):
      // listed, so that no second pass that reads the same guess counts as
      // a witness for it (seed 7's mrvb 81: WILHEL's L read 4 at 0.74, X
      // 0.10; a sharpened pass read X at 0.71 and verified). A twin with
      // another letter nearly as likely beside it (a 0 read for an E: C
      // 0.070, E 0.062) is a coin toss too, however small both are.
      const bool typeDoubt = p.type_fixed && (!classicPair(p.read, ch) || (rivalP > 0 && rivalP >= kTiedShare * probabilityOf(cands, ch)));
      if (typeDoubt && rival == '\0')
        for (const Confusion& c : kConfusions) {
          const char twin = c.a == p.read ? c.b : c.b == p.read ? c.a : '\0';
          if (rival == '\0' && twin != '\0' && twin != ch && twin != '<' && detail::allowed(Kind::Name, twin)) rival = twin;
        }
      if (rivalP >= kNameRival || familyDoubt || equalDoubt || typeDoubt || fillerDoubt) {
        r.uncertain.push_back({p.pos.line + 1, p.pos.col + 1, ch, rival, "uncertain"});
        legible = false;
      }
    }
  for (std::size_t pi = 0; pi < positions.size() && legible; ++pi) {
    const Position& p = positions[pi];
    const auto& cands = lines[p.pos.line][p.pos.col];
    if (vouched[pi] || settled[pi] || cands.size() < 2) continue;
    if (p.erased) {  // a name letter, sex or state nothing determines
      legible = false;
      break;
    }
    const Option& o = p.options[static_cast<std::size_t>(chosen[pi])];
    double total = 0;
    for (const Candidate& c : cands) total += std::max(0.0f, c.score);
    const double readShare = total > 0 ? std::max(0.0f, cands[0].score) / total : 0.0;
    // A sure '0' where only letters may stand is an 'O': the classic pair.
    // Not so a '<' where a letter must stand (a line read a cell off).
    bool classic = false;
    for (const Confusion& c : kConfusions)
      classic = classic || (c.cost <= 2.0 && c.b != '<' && ((c.a == p.read && c.b == o.ch) || (c.b == p.read && c.a == o.ch)));
    // For a classic pair the reader's two readings are one glyph: their
    // shares add up.
    const bool sure = o.share >= kLegibleShare ||
                      ((p.type_fixed || p.digit_run) && chosen[pi] == 0 && classic && readShare + o.share >= kLegibleShare);
    // The share is of the reader's top-k; where most of the probability went
    // elsewhere (to "misaligned": a glyph smeared by motion) a character the
    // reader gave less than kGuessShare outright is a guess however far
    // ahead of its rivals (a name's N read D at 0.44, B 0.05: valid with
    // a wrong name, deskewed td1-photo-s23-0073, 14 px motion blur).
    const double seen = probabilityOf(cands, o.ch) + (classic ? probabilityOf(cands, p.read) : 0.0);
    // A name letter the reader did not read itself but as its digit twin
    // (1 for I, 0 for O) is that glyph only when the pair was read surely:
    // no check digit covers a name, and a digit read at 0.61 is as likely
    // another letter smeared (VAART read VA1RT, I under 0.04, made VAIRT:
    // valid with a wrong surname, seed 17's td1-photo-0006). The ICAO
    // specimens' O printed as a 0 reads 0.9 and more.
    const bool twinOfDigit = p.type_fixed && classic && kinds[p.pos.line][p.pos.col] == Kind::Name;
    legible = sure && seen >= (twinOfDigit ? kSureShare : kGuessShare);
  }
  // A date of six digits that is no day of the calendar (month 78) is a
  // misread that its check digit let through by chance, a tenth of the time
  // (held-out seed 63's mrva-photo-0076: expiry 241216 read 247856, both
  // checking 0, the rest of the zone right: valid). Such a field is not
  // vouched for: the zone is not legible. No valid reading of seeds 7, 63,
  // 17, 23 or the real specimens had such a date.
  for (const auto& [key, raw] : r.fields) {
    constexpr std::string_view kRaw = "_date_raw";
    if (key.size() <= kRaw.size() || key.compare(key.size() - kRaw.size(), kRaw.size(), kRaw) != 0) continue;
    const auto iso = r.fields.find(key.substr(0, key.size() - 4));
    const bool digits = raw.size() == 6 && std::all_of(raw.begin(), raw.end(), isDigit);
    if (digits && iso != r.fields.end() && iso->second.empty()) legible = false;
  }
  if (!legible) {
    r.checks.emplace_back("legible", false);
    r.valid = false;
  }
  if (!states_known) {
    r.checks.emplace_back("known_state", false);
    r.valid = false;
  }
  if (!code_known) {
    r.checks.emplace_back("known_document_code", false);
    r.valid = false;
  }

  // Confidence: the weakest position of a field; a verified check makes a
  // field at least 0.9 sure, a failing one halves it. A check that
  // determined an erased character of its field verifies by construction:
  // in a zone not valid it raises nothing (held-out fra-id-photo-s4242-0077:
  // birth date 900606's 9 erased and 340606 put, which checks alike, at
  // 0.95; id-check took it for a sure date against the print).
  r.field_confidence.clear();
  double overall = 1.0;
  for (const CheckPlan& plan : final_plans) {
    if (plan.name == "composite") continue;
    double c = 1.0;
    bool erasure = positions[static_cast<std::size_t>(index[plan.digit.line][plan.digit.col])].erased;
    for (const Pos& q : plan.variants[0]) {
      c = std::min(c, conf[index[q.line][q.col]]);
      erasure = erasure || positions[static_cast<std::size_t>(index[q.line][q.col])].erased;
    }
    c = std::min(c, conf[index[plan.digit.line][plan.digit.col]]);
    const bool ok = r.check(plan.name) || r.check(plan.name + "_incl_filler");
    c = ok && !(erasure && !r.valid) ? 1.0 - (1.0 - c) * 0.1 : ok ? c : c * 0.5;
    r.field_confidence[plan.name] = c;
    overall = std::min(overall, c);
  }
  double names = 1.0;
  for (std::size_t pi = 0; pi < positions.size(); ++pi)
    if (kinds[positions[pi].pos.line][positions[pi].pos.col] == Kind::Name) names = std::min(names, conf[pi]);
  r.field_confidence["surname"] = names;
  r.field_confidence["given_names"] = names;
  overall = std::min(overall, 0.5 + 0.5 * names);  // names carry no check digit
  r.confidence = r.valid ? overall : overall * 0.5;
  return r;
}

Expected<Result> repair(std::span<const std::string> text, const ParseOptions& opts) {
  std::vector<std::string> lines;
  std::vector<Correction> fixes;
  for (std::size_t li = 0; li < text.size(); ++li) {
    std::string l;
    for (std::size_t i = 0; i < text[li].size(); ++i) {
      const char c = text[li][i];
      if (c == ' ' || c == '\t' || c == '\r') {
        fixes.push_back({int(li) + 1, int(i) + 1, c, '\0', "length"});
        continue;
      }
      l.push_back(c);
    }
    if (!l.empty()) lines.push_back(std::move(l));
  }
  const std::optional<Format> fmt = opts.format ? opts.format : nearestFormat(lines);
  if (!fmt || lineLengths(*fmt).size() != lines.size()) return std::unexpected(badShape(lines));
  const auto lens = lineLengths(*fmt);

  std::vector<LineCandidates> cands;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    std::string& l = lines[li];
    // Stray fillers before the document code (a border read as '<').
    std::size_t lead = 0;
    while (l.size() - lead > static_cast<std::size_t>(lens[li]) && l[lead] == '<') ++lead;
    for (std::size_t i = 0; i < lead; ++i) fixes.push_back({int(li) + 1, int(i) + 1, '<', '\0', "length"});
    l.erase(0, lead);
    LineCandidates lc;
    for (char c : l) {
      PositionCandidates pc{{c, 1.0f}};
      // Lower case is never MRZ: the upper-case letter is its only reading.
      if (std::islower(static_cast<unsigned char>(c)))
        pc.push_back({static_cast<char>(std::toupper(static_cast<unsigned char>(c))), 1.0f});
      lc.push_back(std::move(pc));
    }
    cands.push_back(std::move(lc));
  }
  ParseOptions po = opts;
  po.format = *fmt;
  auto r = correct(cands, po);
  if (!r) return r;
  // Positions of corrections after a removed leading filler are those of the
  // cleaned line; the length fixes name the input positions.
  r->corrections.insert(r->corrections.begin(), fixes.begin(), fixes.end());
  return r;
}

namespace {

// Walks a valid reading's cells (the cells `cands` holds for each of its
// lines, of the length its format gives) and lists uncertain each cell
// `rival(put, cell, kind, spread, line, col)` names a rival for (not '\0'),
// `spread` the line's (`spreads`, -inf where none given); the zone made not legible
// (markIllegible) when it listed any. Whether it listed any.
template <class Rival>
bool listDoubtfulCells(Result& r, const std::vector<LineCandidates>& cands, std::span<const float> spreads,
                       Rival rival) {
  if (!r.valid) return false;
  const auto kinds = detail::positionKinds(r.format);
  bool listed = false;
  for (std::size_t li = 0; li < r.lines.size() && li < cands.size() && li < kinds.size(); ++li) {
    const std::string& line = r.lines[li];
    if (cands[li].size() != line.size() || kinds[li].size() != line.size()) continue;
    const float spread = li < spreads.size() ? spreads[li] : -std::numeric_limits<float>::infinity();
    for (std::size_t c = 0; c < line.size(); ++c) {
      const char other = rival(line[c], cands[li][c], kinds[li][c], spread, li, c);
      if (other == '\0') continue;
      r.uncertain.push_back({static_cast<int>(li) + 1, static_cast<int>(c) + 1, line[c], other, "uncertain"});
      listed = true;
    }
  }
  if (listed) detail::markIllegible(r);
  return listed;
}

// The zone's other state code as a witness for one read as no code ICAO
// knows: most documents are their issuing state's citizens' (of 504 id-synth
// photos a seed, 347-353 carry the same code twice), so a known code one
// letter off the unknown one is its likeliest reading where the reader's
// own candidates name none (seed 277's mrvb-photo-0082: NLD and NUD, no L
// seen), and two letters off where the reader saw both of its letters
// (kSeenShare; seed 293's td3-photo-0045: UTO and WTQ under blur, U 0.15
// beside W, O 0.055 beside Q). `cells` are the unknown code's three cells.
// nullopt when no code of the zone is so.
std::optional<std::string> stateWitness(const std::string& read, std::span<const PositionCandidates> cells,
                                        const std::vector<std::string>& codes, std::size_t self) {
  for (std::size_t k = 0; k < codes.size(); ++k) {
    if (k == self || codes[k].size() != read.size() || cells.size() != read.size() || !detail::knownState(codes[k]))
      continue;
    std::size_t differ = 0, seen = 0;
    for (std::size_t c = 0; c < read.size(); ++c)
      if (read[c] != codes[k][c]) ++differ, seen += probabilityOf(cells[c], codes[k][c]) >= kSeenShare;
    if (differ <= kWitnessedLetters || (differ <= kWitnessedSeenLetters && seen == differ)) return codes[k];
  }
  return std::nullopt;
}

// Puts `lines`, which differ from the zone's at `put`, as a best guess on a
// zone left not valid: each changed cell a `why` correction and listed
// uncertain with `rival` (the letter the guess undoes), the changed fields parsed
// again, the zone not legible. With `verify`, only where every check digit
// then verifies (and the checks are set so). False when nothing was put.
bool putGuesses(Result& r, std::vector<std::string> lines, const std::vector<Pos>& put, const char* why, char rival,
                const ParseOptions& opts, bool verify) {
  ParseOptions po = opts;
  po.format = r.format;
  const auto was = parse(r.lines, po), now = parse(lines, po);
  if (!was || !now) return false;
  if (verify)
    for (const auto& [name, ok] : now->checks)
      if (!ok && !detail::contentRule(name)) return false;
  for (const Pos& q : put) {
    const int line = q.line + 1, pos = q.col + 1;
    const auto li = static_cast<std::size_t>(q.line), c = static_cast<std::size_t>(q.col);
    const char from = r.lines[li][c], to = lines[li][c];
    r.corrections.push_back({line, pos, from, to, why});
    // A cell already listed (a veto named the guess as its rival) is listed once.
    std::erase_if(r.uncertain, [&](const Correction& u) { return u.line == line && u.pos == pos; });
    r.uncertain.push_back({line, pos, to, rival, "uncertain"});
  }
  for (const auto& [key, value] : now->fields)
    if (const auto it = was->fields.find(key); it == was->fields.end() || it->second != value) r.fields[key] = value;
  if (verify)
    for (auto& [name, ok] : r.checks)
      if (!detail::contentRule(name)) ok = true;
  r.lines = std::move(lines);
  detail::sortByPosition(r.corrections);
  detail::markIllegible(r);
  return true;
}

}  // namespace

bool detail::vetoBlurredNames(Result& r, const std::vector<LineCandidates>& cands, const std::vector<float>& spreads) {
  return listDoubtfulCells(r, cands, spreads, [](char put, const PositionCandidates& cell, Kind kind, float spread, std::size_t, std::size_t) {
    if (spread < kBlurredSpread || kind != Kind::Name || put == '<' || cell.empty()) return '\0';
    // A digit read first, else the letter blurred into the one put (seen,
    // or the one put read unsure: its runner-up named).
    char rival = isDigit(cell[0].ch) ? cell[0].ch : '\0';
    for (const Candidate& k : cell)
      if (rival == '\0' && blurredAs(put, k.ch) && probabilityOf(cell, k.ch) >= kBlurredTwin) rival = k.ch;
    const bool madeByBlur = blurredAs(put, 'O') || blurredAs(put, 'E');
    if (rival == '\0' && madeByBlur && probabilityOf(cell, put) < kSureShare)
      for (const Candidate& k : cell)
        if (rival == '\0' && k.ch != put) rival = k.ch;
    return rival;
  });
}

bool detail::vetoGReadAsQ(Result& r, const std::vector<LineCandidates>& cands) {
  return listDoubtfulCells(r, cands, {}, [](char put, const PositionCandidates& cell, Kind kind, float, std::size_t, std::size_t) {
    return (kind == Kind::Name || kind == Kind::AlnumFill) && gBesideQ(put, cell) ? 'G' : '\0';
  });
}

bool detail::vetoNameDisagreement(Result& r, const std::vector<LineCandidates>& cands,
                                  const std::vector<std::string>& glance) {
  if (glance.size() != r.lines.size()) return false;
  // Per line: whether the glance is a witness (read alike but for a few
  // cells), and the reading's last character that is no filler.
  std::vector<bool> witness(r.lines.size(), false);
  std::vector<std::size_t> last(r.lines.size(), 0);
  for (std::size_t li = 0; li < r.lines.size(); ++li) {
    const std::string& a = r.lines[li];
    const std::string& b = glance[li];
    if (a.size() != b.size()) continue;
    std::size_t differ = 0;
    for (std::size_t c = 0; c < a.size(); ++c) differ += a[c] != b[c];
    witness[li] = differ <= kGlanceMisses;
    if (const auto l = a.find_last_not_of('<'); l != std::string::npos) last[li] = l;
  }
  return listDoubtfulCells(r, cands, {}, [&](char put, const PositionCandidates&, Kind kind, float, std::size_t li, std::size_t c) {
    if (kind != Kind::Name || !witness[li] || c > last[li] || glance[li][c] == put) return '\0';
    return glance[li][c];
  });
}

bool detail::guessUnknownStates(Result& r, const std::vector<LineCandidates>& cands) {
  if (r.valid) return false;
  bool changed = false;
  const std::vector<Pos> states = statePositions(r.format);
  // The codes as the zone reads them, before any guess.
  const auto codeAt = [&](const Pos& q) {
    const auto li = static_cast<std::size_t>(q.line), col = static_cast<std::size_t>(q.col);
    return li < r.lines.size() && col + 3 <= r.lines[li].size() ? r.lines[li].substr(col, 3) : std::string();
  };
  std::vector<std::string> codes;
  for (const Pos& q : states) codes.push_back(codeAt(q));
  for (std::size_t si = 0; si < states.size(); ++si) {
    const auto li = static_cast<std::size_t>(states[si].line), col = static_cast<std::size_t>(states[si].col);
    if (li >= r.lines.size() || li >= cands.size() || cands[li].size() != r.lines[li].size() || col + 3 > r.lines[li].size())
      continue;
    const std::string read = codes[si];
    if (knownState(read)) continue;
    // -ln of the reader's probability: a letter changed only to one it saw.
    const auto cost = [&](std::size_t k, char ch) {
      const double p = probabilityOf(cands[li][col + k], ch);
      return ch == read[k] || p >= kSeenShare ? -std::log(p) : std::numeric_limits<double>::infinity();
    };
    std::optional<std::string> guess = detail::likeliestState(cost, read, {.margin = kStateMargin, .max_changed = 1});
    if (!guess) guess = stateWitness(read, std::span(cands[li]).subspan(col, 3), codes, si);
    if (!guess) continue;
    const std::string& pick = *guess;
    for (std::size_t k = 0; k < 3; ++k) {
      if (pick[k] == read[k]) continue;
      const int line = static_cast<int>(li) + 1, pos = static_cast<int>(col + k) + 1;
      r.corrections.push_back({line, pos, read[k], pick[k], "state"});
      r.uncertain.push_back({line, pos, pick[k], read[k], "uncertain"});
      r.lines[li][col + k] = pick[k];
    }
    std::string value = pick;
    while (!value.empty() && value.back() == '<') value.pop_back();
    r.fields[li == 0 ? "issuing_state" : "nationality"] = value;
    changed = true;
  }
  if (changed) {
    sortByPosition(r.corrections);
    markIllegible(r);
  }
  return changed;
}

bool detail::vetoUnproven(Result& r, const std::vector<LineCandidates>& cands) {
  if (!r.valid || cands.size() != r.lines.size()) return false;
  const auto kinds = positionKinds(r.format);
  if (kinds.size() != r.lines.size()) return false;
  for (std::size_t li = 0; li < r.lines.size(); ++li)
    if (cands[li].size() != r.lines[li].size() || kinds[li].size() != r.lines[li].size()) return false;
  using Cell = std::pair<std::size_t, std::size_t>;
  std::map<Cell, char> rivals;
  const auto cell = [&](const Cell& c) -> const PositionCandidates& { return cands[c.first][c.second]; };
  const auto put = [&](const Cell& c) { return r.lines[c.first][c.second]; };
  // The share the reader gave the character put, its read twin's added (a
  // '0' put for an O read is one glyph read two ways, as in correct()).
  const auto share = [&](const Cell& c) {
    const auto& k = cell(c);
    double p = probabilityOf(k, put(c));
    if (!k.empty() && k[0].ch != put(c) && classicPair(k[0].ch, put(c))) p = std::min(1.0, p + probabilityOf(k, k[0].ch));
    return p;
  };
  // A character the reader saw at a cell, other than the one put, that may stand there.
  struct Alt {
    Cell at;
    char ch;
  };
  const auto seenRivals = [&](const Cell& c, std::vector<Alt>& out) {
    for (const Candidate& k : cell(c))
      if (k.ch != put(c) && k.ch != '<' && !classicPair(k.ch, put(c)) && allowed(kinds[c.first][c.second], k.ch) &&
          probabilityOf(cell(c), k.ch) >= kSeenShare)
        out.push_back({c, k.ch});
  };

  // The check digits: another reading of two cells read in doubt, one of
  // them a guess (kGuessShare), from characters the reader saw there, that
  // every check verifies as well. (Two doubts without a guess, as seed
  // 277's mrvb-photo-0024's KZ, K 0.78 with X 0.10 and Z 0.69 with I 0.08,
  // read right, are correct()'s doubt limits' to judge.)
  const auto plans = checkPlans(r.format, r.lines);
  const auto verifies = [&](const std::vector<std::string>& ls) {
    return std::ranges::all_of(plans, [&](const CheckPlan& plan) {
      for (std::size_t v = 0; v < plan.variants.size(); ++v)
        if (planPasses(ls, plan, v)) return true;
      return false;
    });
  };
  std::set<Cell> covered;
  for (const CheckPlan& plan : plans) {
    for (const Pos& q : plan.variants[0]) covered.insert({static_cast<std::size_t>(q.line), static_cast<std::size_t>(q.col)});
    covered.insert({static_cast<std::size_t>(plan.digit.line), static_cast<std::size_t>(plan.digit.col)});
  }
  std::vector<Alt> alts;
  for (const Cell& c : covered)
    if (cell(c).size() > 1 && put(c) != '<' && share(c) < kSureShare) seenRivals(c, alts);
  if (alts.size() <= kUnprovenAlternatives) {
    std::vector<std::string> ls = r.lines;
    const auto tryWith = [&](std::initializer_list<const Alt*> changed) {
      for (const Alt* a : changed) ls[a->at.first][a->at.second] = a->ch;
      if (verifies(ls))
        for (const Alt* a : changed) rivals.emplace(a->at, a->ch);
      for (const Alt* a : changed) ls[a->at.first][a->at.second] = put(a->at);
    };
    // A rival that verifies alone (a character of the same weight, G for
    // Q) is correct()'s to judge: it counts such a cell a guess.
    std::vector<bool> alone(alts.size());
    for (std::size_t a = 0; a < alts.size(); ++a) {
      ls[alts[a].at.first][alts[a].at.second] = alts[a].ch;
      alone[a] = verifies(ls);
      ls[alts[a].at.first][alts[a].at.second] = put(alts[a].at);
    }
    for (std::size_t a = 0; a < alts.size(); ++a)
      for (std::size_t b = a + 1; b < alts.size(); ++b)
        if (alts[a].at != alts[b].at && !alone[a] && !alone[b] &&
            std::min(share(alts[a].at), share(alts[b].at)) < kGuessShare)
          tryWith({&alts[a], &alts[b]});
  }

  // The document code where the format allows several letters: a letter
  // put for another read that the reader hardly gave (kForcedShare) is the
  // layout's demand, not a reading of which letter.
  if (documentCodeLetters(r.format).size() > 1) {
    const Cell c{0, 0};
    const auto& k = cell(c);
    if (k.size() > 1 && k[0].ch != put(c) && !classicPair(k[0].ch, put(c)) && probabilityOf(k, put(c)) < kForcedShare)
      rivals.emplace(c, k[0].ch);
  }

  // The state codes: another known code from a letter read in doubt and a
  // rival the reader gave half its probability or more (kTiedShare): the
  // list of codes cannot tell the two apart, and no check digit covers them.
  for (const Pos& start : statePositions(r.format)) {
    const auto li = static_cast<std::size_t>(start.line), col = static_cast<std::size_t>(start.col);
    if (col + 3 > r.lines[li].size()) continue;
    const std::string code = r.lines[li].substr(col, 3);
    if (!knownState(code)) continue;
    for (std::size_t k = 0; k < 3; ++k) {
      const Cell c{li, col + k};
      if (cell(c).size() < 2 || share(c) >= kSureShare) continue;
      std::vector<Alt> letters;
      seenRivals(c, letters);
      for (const Alt& a : letters) {
        std::string other = code;
        other[k] = a.ch;
        if (probabilityOf(cell(c), a.ch) >= kTiedShare * probabilityOf(cell(c), put(c)) && knownState(other))
          rivals.emplace(c, a.ch);
      }
    }
  }
  if (rivals.empty()) return false;
  return listDoubtfulCells(r, cands, {}, [&](char, const PositionCandidates&, Kind, float, std::size_t li, std::size_t c) {
    const auto it = rivals.find({li, c});
    return it == rivals.end() ? '\0' : it->second;
  });
}

bool detail::judgeFinally(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts) {
  if (r.valid) return vetoUnproven(r, cands);
  const bool state = guessUnknownStates(r, cands);
  const bool zeros = guessZerosReadAsO(r, cands, opts);
  const bool g = guessGReadAsQ(r, cands, opts);
  return state || zeros || g;
}

bool detail::guessZerosReadAsO(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts) {
  if (r.valid || r.lines.size() != cands.size()) return false;
  const auto kinds = positionKinds(r.format);
  if (kinds.size() != r.lines.size()) return false;
  // Every zero of the digit-only cells read as O, and one at least.
  int zeros = 0;
  for (std::size_t li = 0; li < r.lines.size(); ++li) {
    if (kinds[li].size() != r.lines[li].size() || cands[li].size() != r.lines[li].size()) return false;
    for (std::size_t c = 0; c < r.lines[li].size(); ++c) {
      if (r.lines[li][c] != '0' || (kinds[li][c] != Kind::Digit && kinds[li][c] != Kind::CheckDigit)) continue;
      if (cands[li][c].empty() || cands[li][c][0].ch != 'O') return false;
      ++zeros;
    }
  }
  if (zeros == 0) return false;
  // The cells of alphanumeric fields the reader read as O, put as zeros.
  std::vector<std::string> lines = r.lines;
  std::vector<Pos> put;
  for (const CheckPlan& plan : checkPlans(r.format, r.lines)) {
    if (plan.name == "composite" || plan.variants.size() != 1) continue;
    for (const Pos& q : plan.variants[0]) {
      const auto li = static_cast<std::size_t>(q.line), c = static_cast<std::size_t>(q.col);
      if (kinds[li][c] == Kind::AlnumFill && lines[li][c] != '0' && !cands[li][c].empty() && cands[li][c][0].ch == 'O') {
        lines[li][c] = '0';
        put.push_back(q);
      }
    }
  }
  if (put.empty()) return false;
  // Taken only where every check digit then verifies.
  return putGuesses(r, std::move(lines), put, "zero_read_as_o", 'O', opts, true);
}

bool detail::guessGReadAsQ(Result& r, const std::vector<LineCandidates>& cands, const ParseOptions& opts) {
  if (r.valid || r.lines.size() != cands.size()) return false;
  const auto kinds = positionKinds(r.format);
  if (kinds.size() != r.lines.size()) return false;
  std::vector<std::string> lines = r.lines;
  std::vector<Pos> put;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    if (kinds[li].size() != lines[li].size() || cands[li].size() != lines[li].size()) return false;
    for (std::size_t c = 0; c < lines[li].size(); ++c) {
      const Kind kind = kinds[li][c];
      if ((kind == Kind::Name || kind == Kind::AlnumFill) && gReadAsQ(lines[li][c], cands[li][c])) {
        lines[li][c] = 'G';
        put.push_back({static_cast<int>(li), static_cast<int>(c)});
      }
    }
  }
  // G and Q weigh alike in every check digit: no check changes.
  return !put.empty() && putGuesses(r, std::move(lines), put, "g_read_as_q", 'Q', opts, false);
}

}  // namespace idkit::mrz
