// PDF417 codewords and their Reed-Solomon error correction over GF(929)
// (see barcode.hpp, pdf417::codewordOf, pdf417::correct, pdf417::decodeGrid).
//
// ZXing-cpp 1.4 corrects errors only where it read no codeword at all: a
// grey-level reading supplies a codeword everywhere, some of them wrong, and
// knows which it is least sure of. Marked as erasures, those cost one check
// codeword each instead of two, so the same 16 check codewords of an ECC
// level 3 licence code fix up to 16 wrong codewords instead of 8.
#include <idkit/barcode.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace ZXing::Pdf417 {
// The symbology's pattern table lives in ZXing (Debian's libZXing 1.4
// exports it, though no installed header declares it): the codeword value
// (0..928) of a 17-module pattern given as bits, first module highest,
// bar = 1; -1 when the pattern is none of the 3 x 929 codewords. The table is
// the symbology's, not an algorithm, and test_pdf417_ecc checks it against
// symbols ZXing's own writer draws.
class CodewordDecoder {
 public:
  static int GetCodeword(int symbol);
};
}  // namespace ZXing::Pdf417

namespace idkit::barcode::pdf417 {
namespace {

constexpr int kPrime = 929;  // GF(929); 3 generates its multiplicative group
constexpr int kAlpha = 3;

int mod(long long v) {
  const long long m = v % kPrime;
  return static_cast<int>(m < 0 ? m + kPrime : m);
}
int mul(int a, int b) { return mod(static_cast<long long>(a) * b); }
int power(int base, long long e) {
  int r = 1;
  base = mod(base);
  for (e %= kPrime - 1; e > 0; e >>= 1, base = mul(base, base))
    if (e & 1) r = mul(r, base);
  return r;
}
int inverse(int a) { return power(a, kPrime - 2); }

// Polynomials with the constant term first.
using Poly = std::vector<int>;

int evaluate(const Poly& p, int x) {
  int v = 0;
  for (auto it = p.rbegin(); it != p.rend(); ++it) v = mod(static_cast<long long>(v) * x + *it);
  return v;
}

Poly multiply(const Poly& a, const Poly& b) {
  Poly r(a.size() + b.size() - 1, 0);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) r[i + j] = mod(r[i + j] + static_cast<long long>(a[i]) * b[j]);
  return r;
}

int degree(const Poly& p) {
  for (int i = static_cast<int>(p.size()) - 1; i >= 0; --i)
    if (p[static_cast<size_t>(i)] != 0) return i;
  return -1;
}

// Syndromes S_1..S_k of codewords read as a polynomial, the first codeword
// the highest power: all zero for a valid symbol.
std::vector<int> syndromes(std::span<const int> c, int k) {
  std::vector<int> s(static_cast<size_t>(k));
  for (int i = 1; i <= k; ++i) {
    const int x = power(kAlpha, i);
    int v = 0;
    for (int cw : c) v = mod(static_cast<long long>(v) * x + cw);
    s[static_cast<size_t>(i - 1)] = v;
  }
  return s;
}

int symbolBits(const Pattern& p) {
  int bits = 0, module = 0;
  for (size_t e = 0; e < 8; ++e)
    for (int w = 0; w < p[e]; ++w, ++module) bits = (bits << 1) | (e % 2 == 0 ? 1 : 0);
  return module == 17 ? bits : -1;
}

struct Tables {
  std::unordered_map<int, int> value;       // symbol bits -> codeword
  std::array<std::array<Pattern, 929>, 3> pattern{};  // [cluster / 3][codeword]
  std::array<std::array<bool, 929>, 3> has{};
};

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    for (int k : {0, 3, 6})
      for (const Pattern& p : clusterPatterns(k)) {
        const int bits = symbolBits(p);
        const int v = ZXing::Pdf417::CodewordDecoder::GetCodeword(bits);
        if (v < 0 || v >= kPrime) continue;
        t.value.emplace(bits, v);
        t.pattern[static_cast<size_t>(k / 3)][static_cast<size_t>(v)] = p;
        t.has[static_cast<size_t>(k / 3)][static_cast<size_t>(v)] = true;
      }
    return t;
  }();
  return t;
}

}  // namespace

int clusterOf(const Pattern& p) { return (p[0] - p[2] + p[4] - p[6] + 9) % 9; }

int codewordOf(const Pattern& p) {
  const int k = clusterOf(p);
  if (k % 3 != 0) return -1;
  const auto& t = tables();
  const auto it = t.value.find(symbolBits(p));
  return it == t.value.end() ? -1 : it->second;
}

const std::vector<Pattern>& codewordPatterns(int cluster) {
  static const std::array<std::vector<Pattern>, 3> all = [] {
    std::array<std::vector<Pattern>, 3> by;
    const auto& t = tables();
    for (size_t k = 0; k < 3; ++k)
      for (size_t v = 0; v < 929; ++v)
        if (t.has[k][v]) by[k].push_back(t.pattern[k][v]);
    return by;
  }();
  if (cluster != 0 && cluster != 3 && cluster != 6) throw std::invalid_argument("PDF417 cluster must be 0, 3 or 6");
  return all[static_cast<size_t>(cluster / 3)];
}

std::optional<Pattern> patternOf(int value, int cluster) {
  if (value < 0 || value >= kPrime || (cluster != 0 && cluster != 3 && cluster != 6)) return std::nullopt;
  const auto& t = tables();
  if (!t.has[static_cast<size_t>(cluster / 3)][static_cast<size_t>(value)]) return std::nullopt;
  return t.pattern[static_cast<size_t>(cluster / 3)][static_cast<size_t>(value)];
}

std::vector<int> ecCodewords(std::span<const int> data, int k) {
  // g(x) = (x - 3)(x - 3^2)...(x - 3^k); the check codewords are minus the
  // remainder of data(x) x^k by g(x), so the whole symbol is divisible by g.
  Poly g{1};
  for (int i = 1; i <= k; ++i) g = multiply(g, Poly{mod(-power(kAlpha, i)), 1});
  std::vector<int> rem(static_cast<size_t>(k), 0);  // highest power first
  for (int d : data) {
    const int f = mod(d + rem[0]);
    for (int i = 0; i + 1 < k; ++i) rem[static_cast<size_t>(i)] = mod(rem[static_cast<size_t>(i + 1)] - static_cast<long long>(f) * g[static_cast<size_t>(k - 1 - i)]);
    rem[static_cast<size_t>(k - 1)] = mod(-static_cast<long long>(f) * g[0]);
  }
  for (int& r : rem) r = mod(-r);
  return rem;
}

std::optional<int> correct(std::vector<int>& c, int k, std::span<const int> erasures) {
  const int n = static_cast<int>(c.size());
  if (k < 2 || n <= k || n > kPrime - 1) return std::nullopt;
  for (int& v : c) v = mod(v);
  const std::vector<int> s = syndromes(c, k);
  if (std::all_of(s.begin(), s.end(), [](int v) { return v == 0; })) return 0;
  // Erasure locator: a root at the inverse of each erased position's locator.
  std::vector<int> erased(erasures.begin(), erasures.end());
  std::sort(erased.begin(), erased.end());
  erased.erase(std::unique(erased.begin(), erased.end()), erased.end());
  const int f = static_cast<int>(erased.size());
  if (f > k) return std::nullopt;
  Poly gamma{1};
  for (int pos : erased) {
    if (pos < 0 || pos >= n) return std::nullopt;
    gamma = multiply(gamma, Poly{1, mod(-power(kAlpha, n - 1 - pos))});
  }
  // Berlekamp-Massey started from the erasure locator: finds the shortest
  // locator of erasures and errors together that generates the syndromes.
  Poly lambda = gamma, b = gamma;
  int l = f;
  for (int r = f + 1; r <= k; ++r) {
    int delta = 0;
    for (int i = 0; i <= l && i < static_cast<int>(lambda.size()); ++i)
      if (r - i >= 1) delta = mod(delta + static_cast<long long>(lambda[static_cast<size_t>(i)]) * s[static_cast<size_t>(r - i - 1)]);
    Poly xb(b.size() + 1, 0);
    std::copy(b.begin(), b.end(), xb.begin() + 1);
    if (delta == 0) {
      b = std::move(xb);
      continue;
    }
    Poly t(std::max(lambda.size(), xb.size()), 0);
    for (size_t i = 0; i < t.size(); ++i) {
      const int li = i < lambda.size() ? lambda[i] : 0, bi = i < xb.size() ? xb[i] : 0;
      t[i] = mod(li - static_cast<long long>(delta) * bi);
    }
    if (2 * l <= r + f - 1) {
      l = r + f - l;
      const int di = inverse(delta);
      b = lambda;
      for (int& v : b) v = mul(v, di);
    } else {
      b = std::move(xb);
    }
    lambda = std::move(t);
  }
  const int deg = degree(lambda);
  if (deg != l || 2 * (l - f) + f > k) return std::nullopt;
  // Evaluator: S(x) Lambda(x) mod x^k.
  Poly omega(static_cast<size_t>(k), 0);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j <= i && j <= deg; ++j)
      omega[static_cast<size_t>(i)] = mod(omega[static_cast<size_t>(i)] + static_cast<long long>(lambda[static_cast<size_t>(j)]) * s[static_cast<size_t>(i - j)]);
  Poly dlambda(static_cast<size_t>(std::max(1, deg)), 0);  // formal derivative
  for (int i = 1; i <= deg; ++i) dlambda[static_cast<size_t>(i - 1)] = mul(i, lambda[static_cast<size_t>(i)]);
  // Chien search over the symbol's positions, Forney for the values.
  int found = 0;
  std::vector<std::pair<int, int>> fixes;
  for (int pos = 0; pos < n; ++pos) {
    const int xinv = inverse(power(kAlpha, n - 1 - pos));
    if (evaluate(lambda, xinv) != 0) continue;
    ++found;
    const int den = evaluate(dlambda, xinv);
    if (den == 0) return std::nullopt;
    const int e = mod(-static_cast<long long>(evaluate(omega, xinv)) * inverse(den));
    fixes.emplace_back(pos, e);
  }
  if (found != deg) return std::nullopt;
  std::vector<int> fixed = c;
  for (const auto& [pos, e] : fixes) fixed[static_cast<size_t>(pos)] = mod(fixed[static_cast<size_t>(pos)] - e);
  const std::vector<int> check = syndromes(fixed, k);
  if (!std::all_of(check.begin(), check.end(), [](int v) { return v == 0; })) return std::nullopt;
  int changed = 0;
  for (int i = 0; i < n; ++i) changed += fixed[static_cast<size_t>(i)] != c[static_cast<size_t>(i)];
  c = std::move(fixed);
  return changed;
}

namespace {

// Row indicator values of row r in a symbol of `rows` x `columns` at ECC
// level `ec`: the left one carries, by row mod 3, the row count's upper part,
// the level and the row count's lower part, the column count; the right one
// the same three rotated by one; both start with the row's group (r / 3) * 30.
std::pair<int, int> indicators(int r, int rows, int columns, int ec) {
  const int group = 30 * (r / 3);
  const int upper = (rows - 1) / 3, lower = 3 * ec + (rows - 1) % 3, cols = columns - 1;
  switch (r % 3) {
    case 0: return {group + upper, group + cols};
    case 1: return {group + lower, group + upper};
    default: return {group + cols, group + lower};
  }
}

// About how likely a wrong word of which `free` positions are not erased
// lies within `errors` of some symbol when `left` check codewords' worth of
// redundancy remains unused: C(free, errors) / 929^left.
double missRisk(int free, int errors, int left) {
  if (left <= 0) return 1;
  double logRisk = std::lgamma(free + 1.0) - std::lgamma(errors + 1.0) - std::lgamma(free - errors + 1.0) -
                   left * std::log(static_cast<double>(kPrime));
  return std::exp(std::min(0.0, logRisk));
}

}  // namespace

std::optional<Corrected> correctGrey(const GreyRead& g) {
  const int rows = static_cast<int>(g.codewords.size());
  for (int k : {0, 3, 6})
    if (codewordPatterns(k).size() != 929) return std::nullopt;  // no pattern table
  if (rows < 3 || rows > 90 || g.margins.size() != g.codewords.size()) return std::nullopt;
  const int columns = static_cast<int>(g.codewords[0].size()) - 2;
  if (columns < 1 || columns > 30) return std::nullopt;
  for (int r = 0; r < rows; ++r)
    if (static_cast<int>(g.codewords[static_cast<size_t>(r)].size()) != columns + 2 ||
        g.margins[static_cast<size_t>(r)].size() != g.codewords[static_cast<size_t>(r)].size())
      return std::nullopt;
  // The ECC level is voted for by the row indicators that carry it, given
  // the row and column counts the grid has (a grid that the indicators
  // contradict was cut wrong, and no correction mends that).
  std::array<int, 9> votes{};
  int agree = 0, disagree = 0;
  for (int r = 0; r < rows; ++r) {
    const auto& row = g.codewords[static_cast<size_t>(r)];
    const int left = codewordOf(row.front()), right = codewordOf(row.back());
    const auto expect = indicators(r, rows, columns, 0);
    for (const auto& [v, e, carriesEc] : {std::tuple{left, expect.first, r % 3 == 1}, std::tuple{right, expect.second, r % 3 == 2}}) {
      if (v < 0 || v / 30 != r / 3) continue;
      if (carriesEc) {
        const int ec = (v % 30) / 3;
        if ((v % 30) % 3 == (rows - 1) % 3 && ec <= 8) ++votes[static_cast<size_t>(ec)];
      } else {
        (v == e ? agree : disagree) += 1;
      }
    }
  }
  if (disagree > agree) return std::nullopt;
  std::vector<int> levels;
  for (int ec = 0; ec <= 8; ++ec)
    if (votes[static_cast<size_t>(ec)] > 0) levels.push_back(ec);
  std::stable_sort(levels.begin(), levels.end(),
                   [&](int a, int b) { return votes[static_cast<size_t>(a)] > votes[static_cast<size_t>(b)]; });
  if (levels.size() > 2) levels.resize(2);
  const int n = rows * columns;
  std::vector<int> read(static_cast<size_t>(n));
  std::vector<int> invalid;
  std::vector<std::pair<float, int>> sureness;  // margin, position
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < columns; ++j) {
      const Pattern& p = g.codewords[static_cast<size_t>(r)][static_cast<size_t>(j + 1)];
      const int pos = r * columns + j;
      const int v = clusterOf(p) == 3 * (r % 3) ? codewordOf(p) : -1;
      read[static_cast<size_t>(pos)] = std::max(v, 0);
      if (v < 0) invalid.push_back(pos);
      else sureness.emplace_back(g.margins[static_cast<size_t>(r)][static_cast<size_t>(j + 1)], pos);
    }
  std::sort(sureness.begin(), sureness.end());
  // The codewords as read with some replaced by second guesses, corrected with
  // `erasures`; none unless the result is a plausible symbol that the check
  // codewords vouch for with a miscorrection chance below `risk`.
  auto attempt = [&](std::vector<int> c, int k, const std::vector<int>& erasures,
                     double risk) -> std::optional<std::pair<std::vector<int>, int>> {
    const std::vector<int> given = c;
    const auto changed = correct(c, k, erasures);
    // The symbol length descriptor counts the data codewords.
    if (!changed || c[0] < 1 || c[0] > n - k) return std::nullopt;
    // Erasures buy capacity with the check codewords' power to detect: k
    // erasures are always "corrected", to some symbol. The chance that a
    // wrong reading lies within e errors of another symbol is about
    // C(n - f, e) / 929^(k - f - e).
    int errors = 0;
    for (int i = 0; i < n; ++i)
      errors += c[static_cast<size_t>(i)] != given[static_cast<size_t>(i)] &&
                std::find(erasures.begin(), erasures.end(), i) == erasures.end();
    const int f = static_cast<int>(erasures.size());
    if (missRisk(n - f, errors, k - f - errors) > risk) return std::nullopt;
    int fromRead = 0;  // codewords that differ from the reading, second guesses included
    for (int i = 0; i < n; ++i) fromRead += c[static_cast<size_t>(i)] != read[static_cast<size_t>(i)];
    return std::pair{std::move(c), fromRead};
  };
  // Second guesses (Chase decoding): the least sure codewords whose
  // runner-up pattern is a codeword of the row's cluster.
  std::vector<std::pair<int, int>> guesses;  // position, runner-up value
  constexpr size_t kGuesses = 6;
  if (g.runners_up.size() == g.codewords.size())
    for (const auto& [m, pos] : sureness) {
      if (guesses.size() == kGuesses) break;
      const int r = pos / columns, j = pos % columns;
      const auto& row = g.runners_up[static_cast<size_t>(r)];
      if (row.size() != static_cast<size_t>(columns + 2)) break;
      const Pattern& p = row[static_cast<size_t>(j + 1)];
      const int v = clusterOf(p) == 3 * (r % 3) ? codewordOf(p) : -1;
      if (v >= 0 && v != read[static_cast<size_t>(pos)]) guesses.emplace_back(pos, v);
    }
  for (const int ec : levels) {
    const int k = 2 << ec;
    if (k >= n || static_cast<int>(invalid.size()) > k) continue;
    // The least sure codewords (besides those in `skip`) as erasures, `extra`
    // of them.
    auto erasing = [&](int extra, std::span<const int> skip) {
      std::vector<int> erasures = invalid;
      for (size_t i = 0; i < sureness.size() && static_cast<int>(erasures.size()) < static_cast<int>(invalid.size()) + extra; ++i)
        if (std::find(skip.begin(), skip.end(), sureness[i].second) == skip.end()) erasures.push_back(sureness[i].second);
      return erasures;
    };
    // From none to all the check codewords allow; the first count that
    // corrects wins: the fewer erasures, the more of the capacity is left as
    // a margin against miscorrection. A correction that had to lean on more
    // than a 1e-4 chance is not taken.
    std::optional<std::pair<std::vector<int>, int>> fixed;
    int erased = 0;
    for (int extra = 0; !fixed && static_cast<int>(invalid.size()) + extra <= k &&
                        extra <= static_cast<int>(sureness.size());
         ++extra) {
      const auto erasures = erasing(extra, {});
      if ((fixed = attempt(read, k, erasures, 1e-4))) erased = static_cast<int>(erasures.size());
    }
    // Then each subset of the second guesses, with fewer erasure counts; the
    // chance bound is shared out over all those tries.
    const int subsets = (1 << guesses.size()) - 1, step = std::max(1, k / 8);
    const double each = 1e-4 / (subsets * (k / step + 1));
    for (int mask = 1; !fixed && mask <= subsets; ++mask) {
      std::vector<int> c = read, guessed;
      for (size_t i = 0; i < guesses.size(); ++i)
        if (mask >> i & 1) c[static_cast<size_t>(guesses[i].first)] = guesses[i].second, guessed.push_back(guesses[i].first);
      for (int extra = 0; !fixed && static_cast<int>(invalid.size()) + extra <= k; extra += step) {
        const auto erasures = erasing(extra, guessed);
        if ((fixed = attempt(c, k, erasures, each))) erased = static_cast<int>(erasures.size());
      }
    }
    if (!fixed) continue;
    Corrected out;
    out.rows = rows;
    out.columns = columns;
    out.ec_level = ec;
    out.changed = fixed->second;
    out.erasures = erased;
    std::vector<std::vector<Pattern>> grid;
    for (int r = 0; r < rows; ++r) {
      const int cluster = 3 * (r % 3);
      const auto [li, ri] = indicators(r, rows, columns, ec);
      std::vector<Pattern> row{*patternOf(li, cluster)};
      for (int j = 0; j < columns; ++j) row.push_back(*patternOf(fixed->first[static_cast<size_t>(r * columns + j)], cluster));
      row.push_back(*patternOf(ri, cluster));
      grid.push_back(std::move(row));
    }
    out.clean = renderRows(grid, 3);
    out.codewords = std::move(fixed->first);
    return out;
  }
  return std::nullopt;
}

}  // namespace idkit::barcode::pdf417
