// Grey-level PDF417 reading for blurred codes (see barcode.hpp, pdf417::readGrey).
//
// ZXing binarises before it measures bars, and a blur over two or more
// modules merges the one-module bars and spaces into grey, so no threshold
// recovers them. The grey profile still holds them: each codeword is 17
// modules, 4 bars and 4 spaces of 1..6 modules, and the blurred rendering of
// the right pattern matches the profile far better than any other. So the
// reader works in module coordinates: it fits the start and stop patterns
// (pitch, position, blur), samples the code on a grid of rows x modules,
// picks each codeword's pattern by least squares against blurred renderings,
// and hands the result to ZXing as a clean symbol, whose error correction
// absorbs the codewords still wrong.
#include <idkit/barcode.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <numeric>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <fmt/format.h>

namespace idkit::barcode::pdf417 {
namespace {

// IDKIT_PDF417_TRACE=1 prints where the reader gives up (to stderr).
template <typename... Args>
void trace(fmt::format_string<Args...> f, Args&&... args) {
  static const bool on = std::getenv("IDKIT_PDF417_TRACE") != nullptr;
  if (on) fmt::print(stderr, "pdf417 grey: {}\n", fmt::format(f, std::forward<Args>(args)...));
}


// Element widths in modules, bar first.
constexpr std::array<int, 8> kStart{8, 1, 1, 1, 1, 1, 1, 3};
constexpr std::array<int, 9> kStop{7, 1, 1, 3, 1, 1, 1, 2, 1};
constexpr int kStartModules = 17, kStopModules = 18, kCodewordModules = 17;
constexpr int kQuiet = 2;    // modules sampled beyond the start and stop patterns
constexpr int kSamples = 4;  // samples per module along a row

double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Bars of an element list (bar first) as [from, to) module intervals, the list
// starting at module `at`.
template <typename Widths>
std::vector<std::pair<double, double>> barsOf(const Widths& widths, double at) {
  std::vector<std::pair<double, double>> bars;
  double u = at;
  for (size_t i = 0; i < widths.size(); ++i) {
    const double w = widths[i];
    if (i % 2 == 0) bars.emplace_back(u, u + w);
    u += w;
  }
  return bars;
}

// The blur across the bars, in modules: a Gaussian (defocus, and the
// camera's own softness), convolved with a box for motion blur, whose
// spectrum has zeros that a Gaussian of the same width does not: at a
// 2.5-module box the one-module elements come out inverted.
struct Kernel {
  double sigma = 0.5, box = 0;
  std::vector<float> table;  // step response at 1/64 module over [-kReach, kReach]
  static constexpr int kPerModule = 64;
  static constexpr double kReach = 10;

  Kernel() = default;
  Kernel(double s, double b) : sigma(s), box(b) {
    const int n = static_cast<int>(2 * kReach * kPerModule) + 1;
    table.resize(static_cast<size_t>(n));
    constexpr int kTaps = 16;
    for (int i = 0; i < n; ++i) {
      const double x = -kReach + static_cast<double>(i) / kPerModule;
      double v = 0;
      if (box <= 0) {
        v = phi(x / sigma);
      } else {
        for (int k = 0; k < kTaps; ++k) v += phi((x + box * ((k + 0.5) / kTaps - 0.5)) / sigma);
        v /= kTaps;
      }
      table[static_cast<size_t>(i)] = static_cast<float>(v);
    }
  }
  // Darkness at x of a black half-plane starting at 0.
  double step(double x) const {
    const double f = (std::clamp(x, -kReach, kReach) + kReach) * kPerModule;
    const auto i = std::min(static_cast<size_t>(f), table.size() - 2);
    const double t = f - static_cast<double>(i);
    return table[i] * (1 - t) + table[i + 1] * t;
  }
  // Standard deviation of the kernel.
  double spread() const { return std::sqrt(sigma * sigma + box * box / 12); }
};

// Darkness (0 white, 1 black) of bars blurred by `k`, at module u.
double blurredBars(const std::vector<std::pair<double, double>>& bars, double u, const Kernel& k) {
  double v = 0;
  for (const auto& [a, b] : bars) v += k.step(u - a) - k.step(u - b);
  return v;
}

// ---- start and stop pattern fit -------------------------------------------

// A fixed pattern with its neighbour, the row indicators, fitted over [lo,
// hi) modules. Their bars vary by row, so in a column mean they are grey, but
// not evenly: a codeword always starts with a bar and ends with a space.
struct Template {
  std::vector<std::pair<double, double>> bars;
  std::vector<std::pair<double, double>> neighbourBars;  // at full weight
  std::pair<double, double> neighbourGrey;               // at kGrey
  double lo, hi;
};
constexpr double kGrey = 0.45;

Template startTemplate() { return {barsOf(kStart, 0), {{17, 18}}, {18, 23}, -3, 18}; }
Template stopTemplate() { return {barsOf(kStop, 0), {}, {-6, -1}, -1, 21}; }

struct Fit {
  double x0 = 0, pitch = 0;
  Kernel kernel;
  double err = 1;  // 1 - R^2
};

// Tabulated template for one blur at 1/32 module.
struct Table {
  static constexpr int kPerModule = 32;
  double lo;
  std::vector<float> model;
  Table(const Template& t, const Kernel& sigma) : lo(t.lo) {
    const int n = static_cast<int>((t.hi - t.lo) * kPerModule) + 2;
    model.resize(static_cast<size_t>(n));
    auto bars = t.bars;
    bars.insert(bars.end(), t.neighbourBars.begin(), t.neighbourBars.end());
    const std::vector<std::pair<double, double>> grey{t.neighbourGrey};
    for (int i = 0; i < n; ++i) {
      const double u = t.lo + static_cast<double>(i) / kPerModule;
      model[static_cast<size_t>(i)] =
          static_cast<float>(blurredBars(bars, u, sigma) + kGrey * blurredBars(grey, u, sigma));
    }
  }
};

// Least squares of profile = a + b * model over the template's window placed
// at x0 with `pitch`: 1 - R^2, or 1 when the pattern does not come out dark.
double fitError(std::span<const float> profile, const Template& t, const Table& tab, double x0, double pitch) {
  const int xa = static_cast<int>(std::ceil(x0 + t.lo * pitch));
  const int xb = static_cast<int>(std::floor(x0 + t.hi * pitch));
  if (xa < 0 || xb >= static_cast<int>(profile.size()) || xb - xa < 12) return 1;
  double n = 0, sx = 0, sxx = 0, sy = 0, sxy = 0, syy = 0;
  const int last = static_cast<int>(tab.model.size()) - 1;
  for (int x = xa; x <= xb; ++x) {
    const double u = (x - x0) / pitch;
    const int k = std::clamp(static_cast<int>(std::lround((u - tab.lo) * Table::kPerModule)), 0, last);
    const double f = tab.model[static_cast<size_t>(k)], y = profile[static_cast<size_t>(x)];
    n += 1, sx += f, sxx += f * f, sy += y, sxy += f * y, syy += y * y;
  }
  const double vx = sxx - sx * sx / n, vy = syy - sy * sy / n, cxy = sxy - sx * sy / n;
  // A window of flat margin or paper fits anything.
  if (vy < 0.002 * n || vx <= 1e-9 || cxy <= 0) return 1;
  return std::clamp(1 - cxy * cxy / (vx * vy), 0.0, 1.0);
}

// Local refinement of a fit's position, blur and (unless fixed) pitch.
Fit refine(std::span<const float> profile, const Template& t, Fit best, bool pitchFixed) {
  for (int round = 0; round < 2; ++round) {
    const Fit c = best;
    const double ds = round == 0 ? 0.1 : 0.04, dp = round == 0 ? 0.006 : 0.002, dx = round == 0 ? 0.1 : 0.03;
    const int np = pitchFixed ? 0 : 4;
    for (int is = -2; is <= 2; ++is) {
      // A Gaussian's width, or a box's length.
      const double s = c.kernel.box > 0 ? c.kernel.sigma : c.kernel.sigma + is * ds;
      const double b = c.kernel.box > 0 ? c.kernel.box + 3 * is * ds : 0;
      if (s < 0.15 || (c.kernel.box > 0 && b < 0.5)) continue;
      const Kernel k(s, b);
      const Table tab(t, k);
      for (int ip = -np; ip <= np; ++ip)
        for (int ix = -4; ix <= 4; ++ix) {
          const double p = c.pitch * (1 + ip * dp), x0 = c.x0 + ix * dx * c.pitch;
          const double e = fitError(profile, t, tab, x0, p);
          if (e < best.err) best = {x0, p, k, e};
        }
    }
  }
  return best;
}

// The pattern is searched at x0 = at + k * pitch, k in [kFrom, kTo].
Fit fitPattern(std::span<const float> profile, const Template& t, double at, double kFrom, double kTo,
               double pMin, double pMax) {
  Fit best;
  std::vector<Kernel> kernels;
  for (double s : {0.25, 0.45, 0.7, 1.0, 1.35, 1.8}) kernels.emplace_back(s, 0.0);
  for (double b : {1.5, 2.0, 2.5, 3.0, 3.5, 4.0}) kernels.emplace_back(0.35, b);
  for (const Kernel& k : kernels) {
    const Table tab(t, k);
    for (double p = pMin; p <= pMax; p *= 1.025)
      for (double x0 = at + kFrom * p; x0 <= at + kTo * p; x0 += std::max(0.5, 0.25 * p)) {
        const double e = fitError(profile, t, tab, x0, p);
        if (e < best.err) best = {x0, p, k, e};
      }
  }
  return best.err >= 1 ? best : refine(profile, t, best, false);
}

// The columns whose darkness varies down the rows (row indicators and data),
// followed outwards from the middle; start and stop patterns do not vary.
std::pair<int, int> dataSpan(const cv::Mat& dark) {
  const cv::Mat band = dark.rowRange(dark.rows * 3 / 10, dark.rows * 7 / 10);
  cv::Mat mean, sq, sd;
  cv::reduce(band, mean, 0, cv::REDUCE_AVG);
  cv::reduce(band.mul(band), sq, 0, cv::REDUCE_AVG);
  cv::sqrt(cv::max(sq - mean.mul(mean), 0), sd);
  // Every codeword starts with a bar and ends with a space, so the columns at
  // codeword boundaries hardly vary: smooth over some six modules.
  cv::blur(sd, sd, {std::max(3, dark.cols / 50) | 1, 1});
  const int mid = dark.cols / 2, quarter = dark.cols / 4;
  std::vector<float> middle(sd.ptr<float>(0) + mid - quarter, sd.ptr<float>(0) + mid + quarter);
  std::nth_element(middle.begin(), middle.begin() + static_cast<long>(middle.size() / 2), middle.end());
  const float threshold = 0.4f * middle[middle.size() / 2];
  // Outwards until a quiet run longer than about half a codeword: a column
  // or two of codewords can be nearly alike down the band.
  const int gap = std::max(4, dark.cols / 40);
  auto walk = [&](int dir) {
    int edge = mid, quiet = 0;
    for (int x = mid; x > 0 && x < dark.cols - 1 && quiet <= gap; x += dir) {
      if (sd.at<float>(0, x) > threshold) edge = x, quiet = 0;
      else ++quiet;
    }
    return edge;
  };
  return {walk(-1), walk(1)};
}

// Top and bottom of the code along one wide bar (columns [xa, xb)): where the
// bar's darkness crosses half-way between the code and the margin, sub-pixel;
// and the vertical blur (Gaussian sigma, pixels) from the edges' steepness.
struct Extent {
  double top, bottom, blur;
};

std::optional<Extent> verticalExtent(const cv::Mat& dark, int xa, int xb) {
  xa = std::clamp(xa, 0, dark.cols - 1);
  xb = std::clamp(xb, xa + 1, dark.cols);
  cv::Mat v;
  cv::reduce(dark.colRange(xa, xb), v, 1, cv::REDUCE_AVG);
  const int n = v.rows, mid = n / 2;
  std::vector<float> col(v.begin<float>(), v.end<float>());
  std::vector<float> inner(col.begin() + n * 2 / 5, col.begin() + n * 3 / 5 + 1);
  std::nth_element(inner.begin(), inner.begin() + static_cast<long>(inner.size() / 2), inner.end());
  const float hi = inner[inner.size() / 2];
  const int edge = std::max(1, n / 25);
  const float lo = std::min(*std::min_element(col.begin(), col.begin() + edge),
                            *std::min_element(col.end() - edge, col.end()));
  if (hi - lo < 0.08f) return std::nullopt;
  // Where the darkness crosses `share` of the way up, walking out from the
  // middle in direction `dir`, sub-pixel (pixel centres at i).
  auto crossing = [&](double share, int dir) -> std::optional<double> {
    const double th = lo + share * (hi - lo);
    int i = mid;
    while (i > 0 && i < n - 1 && col[static_cast<size_t>(i)] > th) i += dir;
    if (i == 0 || i == n - 1) return std::nullopt;
    const double fa = col[static_cast<size_t>(i)], fb = col[static_cast<size_t>(i - dir)];
    return i - dir * (th - fa) / std::max(1e-6, fb - fa);
  };
  const auto top = crossing(0.5, -1), bottom = crossing(0.5, 1);
  if (!top || !bottom) return std::nullopt;
  // A blurred edge rises from 25 % to 75 % over 1.35 sigma.
  double blur = 0;
  int edges = 0;
  for (int dir : {-1, 1})
    if (const auto a = crossing(0.25, dir), b = crossing(0.75, dir); a && b) blur += std::abs(*a - *b) / 1.349, ++edges;
  return Extent{*top, *bottom, edges ? blur / edges : 0.0};
}

// ---- codeword matching ----------------------------------------------------

// Blurred renderings of every pattern of one cluster over the window
// [-margin, 17 + margin) modules, kSamples per module.
struct Renderings {
  int margin = 0, width = 0;                // width = (17 + 2 margin) * kSamples
  std::vector<float> values;                // patterns x width
  std::vector<float> normLeft, normFull;    // sum of squares over [-margin, 17) and the whole window
  const std::vector<Pattern>* patterns = nullptr;
};

Renderings renderCluster(const std::vector<Pattern>& patterns, const Kernel& kernel, int margin) {
  Renderings r;
  r.margin = margin;
  r.width = (kCodewordModules + 2 * margin) * kSamples;
  r.patterns = &patterns;
  // Sample i sits at u = (i + 0.5) / kSamples - margin, bar edges at whole
  // modules: the step response is needed at (m + 0.5) / kSamples modules only.
  const int range = r.width + kCodewordModules * kSamples;
  std::vector<float> step(static_cast<size_t>(2 * range + 1));
  for (int m = -range; m <= range; ++m)
    step[static_cast<size_t>(m + range)] = static_cast<float>(kernel.step((m + 0.5) / kSamples));
  r.values.assign(patterns.size() * static_cast<size_t>(r.width), 0.0f);
  r.normLeft.resize(patterns.size());
  r.normFull.resize(patterns.size());
  const int leftWidth = (kCodewordModules + margin) * kSamples;
  for (size_t k = 0; k < patterns.size(); ++k) {
    float* v = &r.values[k * static_cast<size_t>(r.width)];
    int at = margin;  // module where the element starts, in window modules
    for (int e = 0; e < 8; ++e) {
      const int w = patterns[k][static_cast<size_t>(e)];
      if (e % 2 == 0)
        for (int i = 0; i < r.width; ++i)
          v[i] += step[static_cast<size_t>(i - at * kSamples + range)] -
                  step[static_cast<size_t>(i - (at + w) * kSamples + range)];
      at += w;
    }
    double nl = 0, nf = 0;
    for (int i = 0; i < r.width; ++i) {
      nf += static_cast<double>(v[i]) * v[i];
      if (i < leftWidth) nl += static_cast<double>(v[i]) * v[i];
    }
    r.normLeft[k] = static_cast<float>(nl);
    r.normFull[k] = static_cast<float>(nf);
  }
  return r;
}

struct Choice {
  int pattern = -1, shift = 0;
  double sse = 0;
  double runnerUp = 1e300;  // the best other pattern's error: how sure the choice is
  int second = -1;          // that other pattern
};

// The pattern (and shift, samples) whose rendering best explains `target`
// (darkness minus what the neighbours already account for) in the window
// starting at sample `base`; `full` includes the right margin.
Choice bestPattern(const std::vector<float>& target, int base, const Renderings& r, bool full,
                   std::span<const int> shifts) {
  Choice best{-1, 0, 1e300, 1e300, -1};
  const int n = full ? r.width : (kCodewordModules + r.margin) * kSamples;
  const auto& norms = full ? r.normFull : r.normLeft;
  const size_t count = r.patterns->size();
  for (int sh : shifts) {
    const int b = base + sh;
    if (b < 0 || b + n > static_cast<int>(target.size())) continue;
    const float* y = &target[static_cast<size_t>(b)];
    double yy = 0;
    for (int i = 0; i < n; ++i) yy += static_cast<double>(y[i]) * y[i];
    for (size_t k = 0; k < count; ++k) {
      const float* v = &r.values[k * static_cast<size_t>(r.width)];
      // Eight running sums: the compiler keeps a single float sum in order
      // and cannot vectorise it.
      std::array<float, 8> acc{};
      int i = 0;
      for (; i + 8 <= n; i += 8)
        for (int q = 0; q < 8; ++q) acc[static_cast<size_t>(q)] += y[i + q] * v[i + q];
      float dot = 0;
      for (; i < n; ++i) dot += y[i] * v[i];
      for (float a : acc) dot += a;
      const double sse = yy + norms[k] - 2.0 * dot;
      if (sse < best.sse) {
        if (static_cast<int>(k) != best.pattern) best.runnerUp = best.sse, best.second = best.pattern;
        best = {static_cast<int>(k), sh, sse, best.runnerUp, best.second};
      } else if (sse < best.runnerUp && static_cast<int>(k) != best.pattern) {
        best.runnerUp = sse;
        best.second = static_cast<int>(k);
      }
    }
  }
  return best;
}

// Adds (sign +1) or removes (-1) a pattern's rendering at sample `base`.
void accumulate(std::vector<float>& model, const Renderings& r, int pattern, int base, float sign) {
  const float* v = &r.values[static_cast<size_t>(pattern) * static_cast<size_t>(r.width)];
  for (int i = 0; i < r.width; ++i) {
    const int j = base + i;
    if (j >= 0 && j < static_cast<int>(model.size())) model[static_cast<size_t>(j)] += sign * v[i];
  }
}

// Darkness of a whole row's fixed parts (start and stop patterns) at kSamples
// per module, sample 0 at module -kQuiet.
std::vector<float> fixedParts(int modules, const Kernel& sigma) {
  const int n = (modules + 2 * kQuiet) * kSamples;
  std::vector<float> out(static_cast<size_t>(n));
  auto bars = barsOf(kStart, 0);
  for (const auto& b : barsOf(kStop, modules - kStopModules)) bars.push_back(b);
  for (int i = 0; i < n; ++i)
    out[static_cast<size_t>(i)] =
        static_cast<float>(blurredBars(bars, (i + 0.5) / kSamples - kQuiet, sigma));
  return out;
}

// Black and white levels of one row from its start and stop patterns:
// profile ~ a + b * model at each end, linear in between.
struct Levels {
  double a0, b0, a1, b1;
};

std::optional<Levels> rowLevels(const std::vector<float>& row, const std::vector<float>& fixed, int modules) {
  auto fitRange = [&](int from, int to) -> std::optional<std::pair<double, double>> {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = std::max(0, from); i < std::min<int>(to, static_cast<int>(row.size())); ++i) {
      const double x = fixed[static_cast<size_t>(i)], y = row[static_cast<size_t>(i)];
      n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double det = n * sxx - sx * sx;
    if (n < 8 || det <= 1e-9) return std::nullopt;
    const double b = (n * sxy - sx * sy) / det;
    if (b <= 0.02) return std::nullopt;
    return std::pair{(sy - b * sx) / n, b};
  };
  // Start: the quiet zone and the pattern up to its last space; stop: from its
  // first bar on.
  const auto s = fitRange(0, (kQuiet + kStartModules - 2) * kSamples);
  const auto e = fitRange((kQuiet + modules - kStopModules) * kSamples, (modules + 2 * kQuiet) * kSamples);
  if (!s && !e) return std::nullopt;
  const auto a = s ? *s : *e, b = e ? *e : *s;
  return Levels{a.first, a.second, b.first, b.second};
}

struct RowRead {
  std::vector<Pattern> patterns;  // row indicators included
  std::vector<float> margin;      // runner-up error minus the choice's, per codeword
  std::vector<Pattern> second;    // the runner-up pattern, per codeword
  std::vector<float> model;       // the row's rendering, fixed parts included
};

// Decodes one row's codewords (row indicators included) from its grey
// profile, normalised to darkness 0..1.
RowRead readRow(const std::vector<float>& dark, const std::vector<float>& fixed, int columns,
                const Renderings& r) {
  const int count = columns + 2;
  std::vector<float> model = fixed;
  std::vector<Choice> chosen(static_cast<size_t>(count));
  auto baseOf = [&](int j) { return (kQuiet + kStartModules + kCodewordModules * j - r.margin) * kSamples; };
  std::vector<float> target(dark.size());
  auto residual = [&] {
    for (size_t i = 0; i < dark.size(); ++i) target[i] = dark[i] - model[i];
  };
  // Pass 1, left to right with the left neighbour known and a drift of up to
  // a module followed (the pitch from the end patterns is not exact).
  int drift = 0;
  for (int j = 0; j < count; ++j) {
    residual();
    const std::array<int, 3> shifts{drift - 1, drift, drift + 1};
    Choice c = bestPattern(target, baseOf(j), r, false, shifts);
    if (c.pattern < 0) c = {0, 0, 0};
    chosen[static_cast<size_t>(j)] = c;
    drift = std::clamp(c.shift, -kSamples, kSamples);
    accumulate(model, r, c.pattern, baseOf(j) + c.shift, 1);
  }
  // Pass 2: each codeword again with both neighbours known.
  for (int j = 0; j < count; ++j) {
    Choice& c = chosen[static_cast<size_t>(j)];
    accumulate(model, r, c.pattern, baseOf(j) + c.shift, -1);
    residual();
    const std::array<int, 3> shifts{c.shift - 1, c.shift, c.shift + 1};
    const Choice n = bestPattern(target, baseOf(j), r, true, shifts);
    if (n.pattern >= 0) c = n;
    accumulate(model, r, c.pattern, baseOf(j) + c.shift, 1);
  }
  RowRead out;
  for (const Choice& c : chosen) {
    out.patterns.push_back((*r.patterns)[static_cast<size_t>(c.pattern)]);
    out.margin.push_back(static_cast<float>(std::min(c.runnerUp - c.sse, 1e6)));
    out.second.push_back((*r.patterns)[static_cast<size_t>(c.second >= 0 ? c.second : c.pattern)]);
  }
  out.model = std::move(model);
  return out;
}

// Share of rows r + k in the middle third of row r (rows one unit high),
// under a vertical Gaussian blur of `sigma` rows.
double rowWeight(int k, double sigma) {
  double w = 0;
  constexpr int kSteps = 8;
  for (int i = 0; i < kSteps; ++i) {
    const double y = 1.0 / 3 + (i + 0.5) / (3.0 * kSteps);
    w += phi((y - k) / sigma) - phi((y - k - 1) / sigma);
  }
  return w / kSteps;
}

// Number of rows: row boundaries are where consecutive lines of the data
// differ most. The largest count whose boundaries all fall on such lines
// (fewer rows fall on a subset of them and score the same).
// Under vertical blur the change is spread over the blur's width, so lines
// `lag` apart on either side of an edge are compared, which also makes the
// middles of rows differ when the lag nears half a row: so rows are never
// taken to be lower than the symbology's minimum of 3 modules (`maxRows`).
int rowCount(const cv::Mat& grid, int dataFrom, int dataTo, int lag, int maxRows) {
  const int n = grid.rows;
  std::vector<double> diff(static_cast<size_t>(std::max(0, n - 1)));
  for (int i = 0; i + 1 < n; ++i) {
    const float* a = grid.ptr<float>(std::max(0, i + 1 - lag));
    const float* b = grid.ptr<float>(std::min(n - 1, i + lag));
    double s = 0;
    for (int x = dataFrom; x < dataTo; ++x) s += (b[x] - a[x]) * (b[x] - a[x]);
    diff[static_cast<size_t>(i)] = s;
  }
  if (diff.size() < 8) return 0;
  const double mean = std::accumulate(diff.begin(), diff.end(), 0.0) / static_cast<double>(diff.size());
  auto at = [&](double e) {  // difference across edge coordinate e (between lines e-1 and e)
    const double i = std::clamp(e - 1, 0.0, static_cast<double>(diff.size() - 1));
    const auto k = static_cast<size_t>(i);
    const double f = i - static_cast<double>(k);
    return k + 1 < diff.size() ? diff[k] * (1 - f) + diff[k + 1] * f : diff[k];
  };
  std::vector<double> score(91, 0.0);
  double best = 0;
  maxRows = std::min(90, maxRows);
  for (int rows = 3; rows <= maxRows && n / rows >= 2; ++rows) {
    double s = 0;
    for (int k = 1; k < rows; ++k) s += at(static_cast<double>(k) * n / rows);
    score[static_cast<size_t>(rows)] = s / (rows - 1) / std::max(mean, 1e-9);
    best = std::max(best, score[static_cast<size_t>(rows)]);
  }
  if (best < 1.15) return 0;
  for (int rows = maxRows; rows >= 3; --rows)
    if (score[static_cast<size_t>(rows)] >= 0.85 * best) return rows;
  return 0;
}

struct Geometry {
  double xs = 0, xe = 0, fit = 1;
  Kernel kernel;
  std::array<Kernel, 2> endKernels;     // fitted to the start and the stop pattern
  double pitchStart = 0, pitchEnd = 0;  // pixels per module at either end
  int columns = 0, modules = 0;
  // Crop column of module u (0 = the start pattern's left edge).
  double x(double u) const { return xs + pitchStart * u + (pitchEnd - pitchStart) * u * u / (2.0 * modules); }
  double pitch() const { return 0.5 * (pitchStart + pitchEnd); }
  double topL = 0, botL = 0, topR = 0, botR = 0;  // code's top and bottom at the start and stop bars
  double xL = 0, xR = 0;                          // where those were measured
  double blurY = 0;                               // vertical blur, pixels
};

std::optional<Geometry> locate(const cv::Mat& dark) {
  const auto [left, right] = dataSpan(dark);
  trace("data span {}..{} of {}", left, right, dark.cols);
  if (right - left < dark.cols / 5) return std::nullopt;
  const double pMin = std::max(1.0, (right - left) / (17.0 * 34 + 34));
  const double pMax = (right - left) / 51.0;
  cv::Mat meanRow;
  cv::reduce(dark.rowRange(dark.rows * 3 / 10, dark.rows * 7 / 10), meanRow, 0, cv::REDUCE_AVG);
  const std::span<const float> profile(meanRow.ptr<float>(0), static_cast<size_t>(meanRow.cols));
  // The start pattern ends where the data begins, the stop pattern starts
  // where it ends, both give or take the blur's spread.
  // Bars that lean by a pixel or two across the band make the start and stop
  // patterns' edges vary down the rows as data does, so the span can reach
  // over either pattern to its outer edge: the searches cover that too.
  const Fit start = fitPattern(profile, startTemplate(), left, -22, 2, pMin, pMax);
  trace("start x0 {:.1f} pitch {:.2f} sigma {:.2f} box {:.2f} err {:.3f}", start.x0, start.pitch,
        start.kernel.sigma, start.kernel.box, start.err);
  if (start.err > 0.35) return std::nullopt;
  const double p = start.pitch;
  const Fit stop = fitPattern(profile, stopTemplate(), right, -20, 6, p * 0.93, p * 1.07);
  trace("stop x0 {:.1f} pitch {:.2f} sigma {:.2f} box {:.2f} err {:.3f}", stop.x0, stop.pitch, stop.kernel.sigma,
        stop.kernel.box, stop.err);
  if (stop.err > 0.35) return std::nullopt;
  // The pitches fitted to either end alone err by a few percent under heavy
  // blur, which is a whole column over the code's width: the column count is
  // the one whose exact pitches fit both ends best. Perspective left in the
  // crop makes the pitch change along the row: it is taken to change
  // linearly, from the start's pitch to the stop's.
  const double xs0 = start.x0, xe0 = stop.x0 + kStopModules * stop.pitch;
  const double pm = 0.5 * (start.pitch + stop.pitch);
  const int c0 = static_cast<int>(std::lround(((xe0 - xs0) / pm - 69) / 17));
  Geometry g;
  for (int c = std::max(1, c0 - 1); c <= std::min(30, c0 + 1); ++c) {
    const double scale = (xe0 - xs0) / ((17.0 * c + 69) * pm);
    if (std::abs(scale - 1) > 0.08) continue;
    Fit s = start, e = stop;
    s.pitch *= scale;
    e.pitch *= scale;
    s.err = e.err = 1;
    s = refine(profile, startTemplate(), s, true);
    e.x0 = xe0 - kStopModules * e.pitch;
    e = refine(profile, stopTemplate(), e, true);
    const double fit = 0.5 * (s.err + e.err);
    if (fit < g.fit) {
      g.fit = fit;
      g.columns = c;
      g.modules = 17 * c + 69;
      g.xs = s.x0;
      g.xe = e.x0 + kStopModules * e.pitch;
      // Pitches scaled to span exactly [xs, xe].
      const double k = (g.xe - g.xs) / (g.modules * 0.5 * (s.pitch + e.pitch));
      g.pitchStart = s.pitch * k;
      g.pitchEnd = e.pitch * k;
      g.kernel = s.err <= e.err ? s.kernel : e.kernel;
      g.endKernels = {s.kernel, e.kernel};
    }
  }
  trace("columns {} fit {:.3f}", g.columns, g.fit);
  if (g.columns == 0 || g.fit > 0.35) return std::nullopt;
  g.xL = g.x(4);
  g.xR = g.x(g.modules - 14.5);
  const auto l = verticalExtent(dark, static_cast<int>(std::lround(g.x(1.5))), static_cast<int>(std::lround(g.x(6.5))));
  const auto r = verticalExtent(dark, static_cast<int>(std::lround(g.x(g.modules - 16.5))),
                                static_cast<int>(std::lround(g.x(g.modules - 12.5))));
  if (!l && !r) return std::nullopt;
  const auto lv = l ? *l : *r, rv = r ? *r : *l;
  g.topL = lv.top, g.botL = lv.bottom, g.topR = rv.top, g.botR = rv.bottom;
  g.blurY = 0.5 * (lv.blur + rv.blur);
  if (std::min(g.botL - g.topL, g.botR - g.topR) < 3 * 3) return std::nullopt;
  return g;
}

// Darkness 0 (white) .. 1 (black) of a grey crop.
cv::Mat darkness(const cv::Mat& crop) {
  cv::Mat dark;
  crop.convertTo(dark, CV_32F, -1.0 / 255, 1.0);
  return dark;
}

// The code sampled on a grid: columns at kSamples per module (module u at
// g.x(u + offset(u))), `lines` lines between the top and bottom edges
// (interpolated across).
// Offsets are measured in the top and bottom thirds and interpolated down
// the code (bars that lean shift the boundaries from row to row).
cv::Mat sampleGrid(const cv::Mat& dark, const Geometry& g, int lines, const std::vector<double>& offTop,
                   const std::vector<double>& offBottom) {
  const int cols = (g.modules + 2 * kQuiet) * kSamples;
  cv::Mat mapX(lines, cols, CV_32F), mapY(lines, cols, CV_32F);
  for (int j = 0; j < cols; ++j) {
    const double u = (j + 0.5) / kSamples - kQuiet;
    const double x0 = g.x(u);
    const double f = (x0 - g.xL) / std::max(1.0, g.xR - g.xL);
    const double top = g.topL + f * (g.topR - g.topL), bot = g.botL + f * (g.botR - g.botL);
    for (int i = 0; i < lines; ++i) {
      const double t = (i + 0.5) / lines, k = std::clamp((t - 1.0 / 6) * 1.5, -0.25, 1.25);
      const double off = offTop[static_cast<size_t>(j)] + k * (offBottom[static_cast<size_t>(j)] - offTop[static_cast<size_t>(j)]);
      mapX.at<float>(i, j) = static_cast<float>(g.x(u + off));
      mapY.at<float>(i, j) = static_cast<float>(top + t * (bot - top) - 0.5);
    }
  }
  cv::Mat grid;
  cv::remap(dark, grid, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return grid;
}

// Where the codeword boundaries really are, in modules off the grid's model,
// per grid column. Every codeword starts with a bar and ends with a space, so
// in the mean over all lines each boundary is a rising edge while the modules
// in between average to grey; each is found within two modules, outliers
// (off a quadratic through all) dropped, and the offsets interpolated between.
std::vector<double> boundaryOffsets(const cv::Mat& grid, int columns) {
  cv::Mat mean;
  cv::reduce(grid, mean, 0, cv::REDUCE_AVG);
  const float* m = mean.ptr<float>(0);
  const int n = mean.cols, w = kSamples * 3 / 2, reach = 3 * kSamples / 2;
  std::vector<double> at, off;
  // Followed from the start pattern on, each boundary looked for about where
  // the drift so far puts it.
  int predicted = 0, last = 0;
  for (int j = 0; j <= columns + 2; ++j) {
    const int b = (kQuiet + kStartModules + kCodewordModules * j) * kSamples;
    double best = -1e9;
    int bestShift = predicted;
    for (int sh = predicted - reach; sh <= predicted + reach; ++sh) {
      const int c = b + sh;
      if (c - w < 0 || c + w > n) continue;
      double e = 0;
      for (int i = 0; i < w; ++i) e += m[c + i] - m[c - 1 - i];
      if (e > best) best = e, bestShift = sh;
    }
    at.push_back(b);
    off.push_back(static_cast<double>(bestShift) / kSamples);
    predicted = bestShift + (j > 0 ? (bestShift - last) * 7 / 10 : 0);
    last = bestShift;
  }
  // Quadratic through the boundaries, twice, the second time without those
  // more than half a module off the first.
  std::vector<bool> keep(at.size(), true);
  for (int round = 0; round < 2; ++round) {
    cv::Mat A(0, 3, CV_64F), y(0, 1, CV_64F);
    for (size_t i = 0; i < at.size(); ++i) {
      if (!keep[i]) continue;
      const double u = at[i] / n;
      A.push_back(cv::Mat(cv::Matx13d(1, u, u * u)));
      y.push_back(off[i]);
    }
    if (A.rows < 4) return std::vector<double>(static_cast<size_t>(n), 0.0);
    cv::Mat coef;
    cv::solve(A, y, coef, cv::DECOMP_SVD);
    for (size_t i = 0; i < at.size(); ++i) {
      const double u = at[i] / n;
      const double fit = coef.at<double>(0) + coef.at<double>(1) * u + coef.at<double>(2) * u * u;
      if (round == 0) keep[i] = std::abs(off[i] - fit) <= 0.75;
      else if (!keep[i]) off[i] = fit;
    }
  }
  std::vector<double> out(static_cast<size_t>(n));
  for (int j = 0; j < n; ++j) {
    const auto hi = std::upper_bound(at.begin(), at.end(), static_cast<double>(j));
    if (hi == at.begin()) out[static_cast<size_t>(j)] = off.front();
    else if (hi == at.end()) out[static_cast<size_t>(j)] = off.back();
    else {
      const size_t k = static_cast<size_t>(hi - at.begin());
      const double f = (j - at[k - 1]) / (at[k] - at[k - 1]);
      out[static_cast<size_t>(j)] = off[k - 1] + f * (off[k] - off[k - 1]);
    }
  }
  return out;
}

// The patterns a row's codewords are chosen from: the symbology's 929 of the
// row's cluster (the other 555 patterns of the same shape are no codeword,
// and the choice among fewer is surer), or, without ZXing's pattern table,
// every pattern of the cluster.
const std::vector<Pattern>& candidates(int cluster) {
  const auto& valid = codewordPatterns(cluster);
  return valid.size() != 929 ? clusterPatterns(cluster) : valid;
}

// Glare and uneven light along a row: the black and white levels fitted on
// the end patterns and taken as linear in between leave a washed-out stretch
// of the data pale, where faint bars read as spaces. With the row as first
// read (`model`, mostly right outside the glare), the levels are fitted again
// locally, profile ~ a + b * model over `half` samples either side, and the
// profile rescaled with them; where the model explains too little (b small)
// the profile is left as it was.
void relevelRow(std::vector<float>& profile, const std::vector<float>& model, int half) {
  const size_t n = std::min(profile.size(), model.size());
  std::vector<double> sx(n + 1, 0), sy(n + 1, 0), sxx(n + 1, 0), sxy(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const double x = model[i], y = profile[i];
    sx[i + 1] = sx[i] + x, sy[i + 1] = sy[i] + y, sxx[i + 1] = sxx[i] + x * x, sxy[i + 1] = sxy[i] + x * y;
  }
  std::vector<float> out(profile.begin(), profile.begin() + static_cast<long>(n));
  for (size_t j = 0; j < n; ++j) {
    const size_t lo = j > static_cast<size_t>(half) ? j - static_cast<size_t>(half) : 0;
    const size_t hi = std::min(n, j + static_cast<size_t>(half) + 1);
    const double m = static_cast<double>(hi - lo);
    const double mx = (sx[hi] - sx[lo]) / m, my = (sy[hi] - sy[lo]) / m;
    const double vx = (sxx[hi] - sxx[lo]) / m - mx * mx, cxy = (sxy[hi] - sxy[lo]) / m - mx * my;
    if (vx < 0.01) continue;
    const double b = cxy / vx;
    if (b < 0.15) continue;
    out[j] = static_cast<float>((profile[j] - (my - b * mx)) / b);
  }
  std::copy(out.begin(), out.end(), profile.begin());
}

// The rows of one reading: each row's profile scaled to darkness 0..1, the
// blur kernel chosen, the clusters' renderings under it and each row as read.
struct RowSet {
  Geometry g;
  int rows = 0;
  Kernel kernel;
  std::array<Renderings, 3> clusters;
  std::vector<float> fixed;
  std::vector<std::vector<float>> profiles;
  std::vector<RowRead> read;
};

// Samples and reads the rows of the code located at `g`; `forceRows` > 0:
// that many rows instead of the count the grid suggests.
std::optional<RowSet> readRows(const cv::Mat& dark, const Geometry& located, int forceRows) {
  RowSet set;
  set.g = located;
  const Geometry* g = &set.g;
  const int modules = g->modules;
  const int lines = std::max(12, static_cast<int>(std::lround(0.5 * (g->botL - g->topL + g->botR - g->topR))));
  const int cols = (modules + 2 * kQuiet) * kSamples;
  const std::vector<double> none(static_cast<size_t>(cols), 0.0);
  cv::Mat grid = sampleGrid(dark, *g, lines, none, none);
  // The pitch model from the end patterns alone can be a module or two off in
  // the middle of the code (blur biases the pitch fit): the boundaries say where.
  const auto offTop = boundaryOffsets(grid.rowRange(0, lines / 3), g->columns);
  const auto offBottom = boundaryOffsets(grid.rowRange(lines - lines / 3, lines), g->columns);
  grid = sampleGrid(dark, *g, lines, offTop, offBottom);
  // Rows are at least 3 modules high: a lag beyond a module would compare
  // lines of different rows in the middle of a row too.
  const int lag = std::clamp(static_cast<int>(std::lround(0.8 * g->blurY)), 1,
                             std::max(1, std::min(lines / 12, static_cast<int>(g->pitch()))));
  // Lines are crop pixels, as isotropic as the module pitch (rectified
  // crops keep the aspect); 2.7 leaves room for the pitch's error.
  const int maxRows = static_cast<int>(lines / (2.7 * g->pitch()));
  int rows = rowCount(grid, (kQuiet + kStartModules) * kSamples, (kQuiet + modules - kStopModules) * kSamples, lag,
                      maxRows);
  if (forceRows > 0) rows = forceRows;
  trace("rows {} (lag {}, at most {})", rows, lag, maxRows);
  if (rows < 3) return std::nullopt;

  const double h = static_cast<double>(lines) / rows;
  // Each row's grey profile (the middle third of the row: the rows above and
  // below blur into the rest), not yet scaled to darkness 0..1.
  std::vector<std::vector<float>> raw;
  for (int r = 0; r < rows; ++r) {
    const int a = static_cast<int>(std::floor((r + 1.0 / 3) * h));
    const int b = std::min(lines, std::max(a + 1, static_cast<int>(std::ceil((r + 2.0 / 3) * h))));
    std::vector<float> profile(static_cast<size_t>(cols), 0.0f);
    for (int i = a; i < b; ++i) {
      const float* line = grid.ptr<float>(i);
      for (int j = 0; j < cols; ++j) profile[static_cast<size_t>(j)] += line[j];
    }
    for (float& v : profile) v /= static_cast<float>(std::max(1, b - a));
    raw.push_back(std::move(profile));
  }
  const int dataFrom = (kQuiet + kStartModules) * kSamples, dataTo = (kQuiet + modules - kStopModules) * kSamples;

  // The blur kernel: the start and stop fits each see 17 modules and often
  // disagree (a Gaussian at one end, a motion box at the other, the pitch's
  // error absorbed into either). The data say which is right: every row is
  // a sequence of codewords, and under the right kernel the best patterns
  // explain its profile with the least residual. Tried on a quarter of the
  // rows: the end patterns' two kernels, each family's equivalent of the
  // other's spread, then the best one 15 % narrower and wider.
  struct Trial {
    Kernel kernel;
    double sse = 1e300;
  };
  auto trial = [&](const Kernel& k) -> Trial {
    const int margin = std::clamp(static_cast<int>(std::ceil(2.5 * k.sigma + 0.5 * k.box)), 1, 5);
    const std::vector<float> fixed = fixedParts(modules, k);
    double sse = 0;
    int used = 0;
    const int step = std::max(1, rows / 6);
    for (int r = step / 2; r < rows; r += step) {
      const auto cl = renderCluster(candidates(3 * (r % 3)), k, margin);
      std::vector<float> profile = raw[static_cast<size_t>(r)];
      const auto lv = rowLevels(profile, fixed, modules);
      if (!lv) continue;
      for (int j = 0; j < cols; ++j) {
        const double f = static_cast<double>(j) / cols;
        const double a0 = lv->a0 + f * (lv->a1 - lv->a0), b0 = lv->b0 + f * (lv->b1 - lv->b0);
        profile[static_cast<size_t>(j)] = static_cast<float>((profile[static_cast<size_t>(j)] - a0) / b0);
      }
      const RowRead rr = readRow(profile, fixed, g->columns, cl);
      for (int j = dataFrom; j < dataTo; ++j) {
        const double d = profile[static_cast<size_t>(j)] - rr.model[static_cast<size_t>(j)];
        sse += d * d;
      }
      ++used;
    }
    return {k, used ? sse / used : 1e300};
  };
  Kernel chosen = g->kernel;
  {  // (a scope of its own: `candidates` below names kernels, not patterns)
    std::vector<Kernel> candidates{g->endKernels[0], g->endKernels[1]};
    for (const Kernel& k : g->endKernels)
      candidates.push_back(k.box > 0 ? Kernel(k.spread(), 0) : Kernel(0.35, std::sqrt(12 * std::max(0.0, k.spread() * k.spread() - 0.35 * 0.35))));
    Trial best;
    for (const Kernel& k : candidates) {
      if (k.box > 0 && k.box < 0.5) continue;
      const Trial t = trial(k);
      trace("kernel sigma {:.2f} box {:.2f}: residual {:.3f}", k.sigma, k.box, t.sse);
      if (t.sse < best.sse) best = t;
    }
    for (double f : {0.85, 1.15}) {
      const Kernel k = best.kernel.box > 0 ? Kernel(best.kernel.sigma, best.kernel.box * f) : Kernel(best.kernel.sigma * f, 0);
      const Trial t = trial(k);
      trace("kernel sigma {:.2f} box {:.2f}: residual {:.3f}", k.sigma, k.box, t.sse);
      if (t.sse < best.sse) best = t;
    }
    chosen = best.kernel;
  }
  const Kernel& sigma = chosen;
  const int margin = std::clamp(static_cast<int>(std::ceil(2.5 * sigma.sigma + 0.5 * sigma.box)), 1, 5);
  auto& clusters = set.clusters;
  for (int k = 0; k < 3; ++k) clusters[static_cast<size_t>(k)] = renderCluster(candidates(3 * k), sigma, margin);
  set.fixed = fixedParts(modules, sigma);
  const std::vector<float>& fixed = set.fixed;

  auto& profiles = set.profiles;
  for (int r = 0; r < rows; ++r) {
    std::vector<float> profile = raw[static_cast<size_t>(r)];
    const auto lv = rowLevels(profile, fixed, modules);
    if (!lv) return std::nullopt;
    for (int j = 0; j < cols; ++j) {
      const double f = static_cast<double>(j) / cols;
      const double a0 = lv->a0 + f * (lv->a1 - lv->a0), b0 = lv->b0 + f * (lv->b1 - lv->b0);
      profile[static_cast<size_t>(j)] = static_cast<float>((profile[static_cast<size_t>(j)] - a0) / b0);
    }
    profiles.push_back(std::move(profile));
  }
  for (int r = 0; r < rows; ++r)
    set.read.push_back(
        readRow(profiles[static_cast<size_t>(r)], fixed, g->columns, clusters[static_cast<size_t>(r % 3)]));
  set.rows = rows;
  set.kernel = sigma;
  return set;
}

// Each row of `set` read a second time with its levels fitted locally
// (relevelRow) against its first reading.
void relevel(RowSet& set) {
  for (int r = 0; r < set.rows; ++r) {
    const auto i = static_cast<size_t>(r);
    relevelRow(set.profiles[i], set.read[i].model, kCodewordModules * kSamples);
    set.read[i] = readRow(set.profiles[i], set.fixed, set.g.columns, set.clusters[static_cast<size_t>(r % 3)]);
  }
}

// The symbol of a row set: the rows read again with the vertical blur's
// share of their neighbours taken out, re-rendered clean.
GreyRead assemble(const RowSet& set) {
  const Geometry* g = &set.g;
  const int rows = set.rows, modules = g->modules;
  const int cols = (modules + 2 * kQuiet) * kSamples;
  const auto& fixed = set.fixed;
  const auto& clusters = set.clusters;
  const auto& profiles = set.profiles;
  const Kernel& sigma = set.kernel;
  std::vector<RowRead> read = set.read;
  // Vertical blur mixes the neighbouring rows into each row's middle: with
  // the neighbours as first read, their share is taken out and the row read
  // again. The start and stop patterns are the same in every row, so the
  // levels fitted on them already scaled the profile by the weights' sum.
  const double rowPx = 0.5 * (g->botL - g->topL + g->botR - g->topR) / rows;
  const double sv = g->blurY / std::max(1.0, rowPx);
  if (sv > 0.15) {
    const double w0 = rowWeight(0, sv), w1 = rowWeight(1, sv), sum = w0 + 2 * w1;
    std::vector<RowRead> again;
    for (int r = 0; r < rows; ++r) {
      const auto& above = r > 0 ? read[static_cast<size_t>(r - 1)].model : fixed;
      const auto& below = r + 1 < rows ? read[static_cast<size_t>(r + 1)].model : fixed;
      std::vector<float> target(static_cast<size_t>(cols));
      for (size_t j = 0; j < target.size(); ++j)
        target[j] = static_cast<float>((profiles[static_cast<size_t>(r)][j] * sum - w1 * (above[j] + below[j])) / w0);
      again.push_back(readRow(target, fixed, g->columns, clusters[static_cast<size_t>(r % 3)]));
    }
    read = std::move(again);
  }
  std::vector<std::vector<Pattern>> symbol;
  std::vector<std::vector<float>> margins;
  std::vector<std::vector<Pattern>> seconds;
  for (const auto& r : read) symbol.push_back(r.patterns), margins.push_back(r.margin), seconds.push_back(r.second);

  GreyRead out;
  constexpr int kModulePx = 3;
  out.clean = renderRows(symbol, kModulePx);
  out.codewords = std::move(symbol);
  out.margins = std::move(margins);
  out.runners_up = std::move(seconds);
  out.rows = rows;
  out.columns = g->columns;
  out.module_px = g->pitch();
  out.blur_modules = sigma.spread();
  out.fit = g->fit;
  const float q = 4 * kModulePx;  // renderRows' quiet zone
  const float w = static_cast<float>(modules * kModulePx), hh = static_cast<float>(rows * 3 * kModulePx);
  const cv::Point2f from[4] = {{q, q}, {q + w, q}, {q + w, q + hh}, {q, q + hh}};
  const auto topAt = [&](double x) {
    return g->topL + (x - g->xL) / std::max(1.0, g->xR - g->xL) * (g->topR - g->topL);
  };
  const auto botAt = [&](double x) {
    return g->botL + (x - g->xL) / std::max(1.0, g->xR - g->xL) * (g->botR - g->botL);
  };
  const auto xs = static_cast<float>(g->xs), xe = static_cast<float>(g->xe);
  const cv::Point2f to[4] = {{xs, static_cast<float>(topAt(g->xs))},
                             {xe, static_cast<float>(topAt(g->xe))},
                             {xe, static_cast<float>(botAt(g->xe))},
                             {xs, static_cast<float>(botAt(g->xs))}};
  out.cleanToCrop = cv::getPerspectiveTransform(from, to);
  return out;
}

}  // namespace

const std::vector<Pattern>& clusterPatterns(int cluster) {
  static const std::array<std::vector<Pattern>, 3> all = [] {
    std::array<std::vector<Pattern>, 3> by;
    Pattern w{};
    // Depth-first over the 8 widths with the 17-module sum as the bound.
    auto walk = [&](auto&& self, int i, int left) -> void {
      if (i == 8) {
        if (left != 0) return;
        const int k = (w[0] - w[2] + w[4] - w[6] + 9) % 9;
        if (k % 3 == 0) by[static_cast<size_t>(k / 3)].push_back(w);
        return;
      }
      for (int v = 1; v <= 6 && v <= left - (7 - i); ++v) {
        w[static_cast<size_t>(i)] = static_cast<std::uint8_t>(v);
        self(self, i + 1, left - v);
      }
    };
    walk(walk, 0, kCodewordModules);
    return by;
  }();
  if (cluster != 0 && cluster != 3 && cluster != 6) throw std::invalid_argument("PDF417 cluster must be 0, 3 or 6");
  return all[static_cast<size_t>(cluster / 3)];
}

cv::Mat renderRows(const std::vector<std::vector<Pattern>>& rows, int module) {
  if (rows.empty()) return {};
  const size_t perRow = rows[0].size();
  const int quiet = 4;
  const int modules = kStartModules + kCodewordModules * static_cast<int>(perRow) + kStopModules;
  cv::Mat out(static_cast<int>(rows.size()) * 3 * module + 2 * quiet * module, (modules + 2 * quiet) * module, CV_8UC1,
              cv::Scalar(255));
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<int> widths(kStart.begin(), kStart.end());
    for (size_t j = 0; j < perRow; ++j) {
      const Pattern& p = j < rows[r].size() ? rows[r][j] : rows[r].back();
      widths.insert(widths.end(), p.begin(), p.end());
    }
    widths.insert(widths.end(), kStop.begin(), kStop.end());
    const int y = (quiet + 3 * static_cast<int>(r)) * module;
    int x = quiet;
    for (size_t e = 0; e < widths.size(); ++e) {
      if (e % 2 == 0) out(cv::Rect(x * module, y, widths[e] * module, 3 * module)).setTo(0);
      x += widths[e];
    }
  }
  return out;
}

std::optional<GreyRead> readGrey(const cv::Mat& levelCrop) {
  if (levelCrop.empty() || levelCrop.type() != CV_8UC1 || levelCrop.cols < 64 || levelCrop.rows < 16)
    return std::nullopt;
  // Either way up: the orientation whose start and stop patterns fit better.
  const cv::Mat dark = darkness(levelCrop);
  cv::Mat turned;
  cv::rotate(dark, turned, cv::ROTATE_180);
  const auto upright = locate(dark), flipped = locate(turned);
  if (!upright && !flipped) return std::nullopt;
  const bool up = upright && (!flipped || upright->fit <= flipped->fit);
  auto rowsWith = [&](int rows) { return up ? readRows(dark, *upright, rows) : readRows(turned, *flipped, rows); };
  auto symbolOf = [&](const RowSet& set) {
    GreyRead out = assemble(set);
    if (!up) {
      const cv::Mat flip = (cv::Mat_<double>(3, 3) << -1, 0, levelCrop.cols - 1, 0, -1, levelCrop.rows - 1, 0, 0, 1);
      out.cleanToCrop = flip * out.cleanToCrop;
    }
    return out;
  };
  auto readWith = [&](int rows) -> std::optional<GreyRead> {
    if (auto set = rowsWith(rows)) return symbolOf(*set);
    return std::nullopt;
  };
  const Geometry& g = up ? *upright : *flipped;
  const double lines = 0.5 * (g.botL - g.topL + g.botR - g.topR);
  // A count is taken when the symbol read with it corrects: the row
  // indicators and check codewords tell the right one.
  auto firstCorrecting = [&](std::initializer_list<int> counts, int from) -> std::optional<GreyRead> {
    for (const int rows : counts) {
      if (rows < 3 || rows > 90 || lines / rows < 1.8 * g.pitch()) continue;
      trace("rows {} tried for {}", rows, from);
      if (auto alt = readWith(rows); alt && correctGrey(*alt)) return alt;
    }
    return std::nullopt;
  };
  auto firstRows = rowsWith(0);
  std::optional<GreyRead> first;
  if (firstRows) first = symbolOf(*firstRows);
  if (!first) {
    // No row boundaries seen at all (blur across the rows, low contrast):
    // the counts that rows of 2, 3 or 4 modules give (the symbology asks
    // for 3 or more, printers often use 3 or 4, id-synth draws 2).
    for (const double high : {2.0, 3.0, 4.0}) {
      const int r = static_cast<int>(std::lround(lines / (high * g.pitch())));
      if (auto alt = firstCorrecting({r, r + 1, r - 1}, 0)) return alt;
    }
    return first;
  }
  if (correctGrey(*first)) return first;
  // Glare: the same rows with the levels fitted along each row.
  relevel(*firstRows);
  if (GreyRead again = symbolOf(*firstRows); correctGrey(again)) return again;
  // Row boundaries blurred together: the count found is often half the
  // rows' (rows of 2 modules, lower than the symbology's 3, which printers
  // use, look like rows of 4), or one off; or a third of them, where every
  // third boundary stands out (the row search's 2.7-module floor leaves out
  // rows of 2.67 modules, id-synth's 300 dpi licences, and the count of rows
  // three times as high fits their boundaries as well).
  const int r = first->rows;
  if (auto alt = firstCorrecting({2 * r, r + 1, r - 1, 2 * r + 1, 2 * r - 1, 3 * r}, r)) return alt;
  return first;
}

// ---- the cheap gate before the costly fallbacks (barcode.cpp read()) ----

namespace {

// An end pattern's wide bar: which pattern, and on which side (+1: right,
// -1: left) its row indicator and the data lie.
struct EndBar {
  enum Kind { None, Start, Stop } kind = None;
  int data = 0;
};

// Which end pattern the steady dark run [a, b) of a band's column means `m` and
// deviations down the rows `v` (n columns) is the wide bar of a start or stop
// pattern, either way up. The start pattern's bar (8 modules) has the quiet
// zone on one side and on the other its thin elements (9 modules, steady down
// the rows, a third dark), then the row indicator; the stop pattern's bar (7
// modules) has the row indicator on one side and its thin elements (11
// modules) then the quiet zone on the other. The row indicator and data are
// some 50 modules (six bar widths) of columns nearly all varying down the
// rows. Blur of a few modules narrows the bar's dark core and greys the thin
// elements, so the lengths are loose.
EndBar endPattern(const float* m, const float* v, int n, int a, int b, float ink, float contrast) {
  const int w = b - a;
  const auto inside = [&](int x) { return x >= 0 && x < n; };
  // Mean darkness (0..1 of the contrast) and deviation over the columns from
  // `x` on, `len` columns in direction `dir`; none when outside the crop.
  struct Stretch { float dark, dev; };
  const auto stretch = [&](int x, int len, int dir) -> std::optional<Stretch> {
    if (len < 1 || !inside(x) || !inside(x + dir * (len - 1))) return std::nullopt;
    double sm = 0, sv = 0;
    for (int k = 0; k < len; ++k) sm += m[x + dir * k], sv += v[x + dir * k];
    return Stretch{static_cast<float>(1 - (sm / len - ink) / contrast), static_cast<float>(sv / len / contrast)};
  };
  // Row indicator and data from within [from, from + slack) on.
  const auto dataFrom = [&](int x, int slack, int dir) {
    const auto varying = [&](int i) { return v[i] > 0.12f * contrast; };
    for (int k = 0; k < slack && inside(x) && !varying(x); ++k) x += dir;
    int len = 0, hits = 0;
    for (; len < 6 * w && inside(x); ++len, x += dir) hits += varying(x);
    return len == 6 * w && hits >= 0.8 * len;
  };
  // The quiet zone beginning within [x + from, x + to) columns.
  const auto quiet = [&](int x, int from, int to, int dir) {
    for (int k = from; k < to; ++k)
      if (const auto q = stretch(x + dir * k, std::max(2, w / 2), dir); q && q->dark < 0.3f && q->dev < 0.12f)
        return true;
    return false;
  };
  const auto thin = [&](int x, double modules, int dir) {  // modules beyond the bar's 8
    const auto t = stretch(x + dir * std::max(1, w / 8), std::max(2, static_cast<int>(modules / 8 * w * 0.7)), dir);
    return t && t->dark > 0.12f && t->dark < 0.7f && t->dev < 0.3f;
  };
  for (const int dir : {1, -1}) {
    const int after = dir > 0 ? b : a - 1, before = dir > 0 ? a - 1 : b;  // first columns beyond the bar
    // Start: quiet | bar | thin (9 modules) | data, in direction dir.
    if (quiet(before, 0, w / 2 + 1, -dir) && thin(after, 9, dir) && dataFrom(after + dir * (w * 7 / 8), w, dir))
      return {EndBar::Start, dir};
    // Stop: data | bar | thin (11 modules) | quiet.
    if (dataFrom(before, std::max(3, w / 2), -dir) && thin(after, 11, dir) && quiet(after, w * 9 / 7, w * 2 + 2, dir))
      return {EndBar::Stop, -dir};
  }
  return {};
}

// The brightness turns per `w` columns along a few rows of `band` over
// columns [x0, x1): a turn is a rise or fall of `step` or more from the last
// extreme. PDF417's data has an element every two modules or so, some four
// per width of the end pattern's 8-module bar (blur of a module merges the
// thin ones, but still leaves two or more); a face behind glasses, or a line
// of bold letters, turns once or twice in that width.
double turns(const cv::Mat& band, int x0, int x1, int w, float step) {
  if (x1 - x0 < 2 * w) return 0;
  int count = 0, rows = 0;
  for (int y = band.rows / 6; y < band.rows; y += std::max(1, band.rows / 3), ++rows) {
    const float* p = band.ptr<float>(y);
    float lo = p[x0], hi = p[x0];
    int dir = 0;  // +1 rising, -1 falling
    for (int x = x0 + 1; x < x1; ++x) {
      if (dir >= 0 && p[x] < hi - step) ++count, dir = -1, lo = p[x];
      else if (dir <= 0 && p[x] > lo + step) ++count, dir = 1, hi = p[x];
      if (dir >= 0) hi = std::max(hi, p[x]);
      if (dir <= 0) lo = std::min(lo, p[x]);
    }
  }
  return static_cast<double>(count) * w / (rows * (x1 - x0));
}

}  // namespace

// The evidence a region needs before read()'s costly fallbacks (more
// binarisations, deconvolution, the grey reader, the angle sweep, the
// flattened card) run on it. Both of PDF417's end patterns
// open with a wide bar (8 modules in the start pattern, 7 in the stop
// pattern) that runs down every row of the code, so across a band of rows its
// columns are dark and steady; a blur of up to a few modules leaves its core
// dark. Beside it lie lighter columns, and on one side within a few bar
// widths the row indicator, whose columns vary down the rows. Print has no
// such bar: a column through text lines crosses the gaps between them. Three
// bands down the crop are tried (glare or a lean can spoil one). A portrait's
// glasses frame or a bold letter's stroke in a crop of one text line can pass
// all that, so the data beside must also turn from dark to light as often as
// PDF417's elements do (turns()).
bool hasStartOrStop(const cv::Mat& crop) {
  if (crop.cols < 64 || crop.rows < 16) return false;
  for (const auto& [from, to] : {std::pair{0.42, 0.58}, std::pair{0.25, 0.42}, std::pair{0.58, 0.75}}) {
    const cv::Mat band = crop.rowRange(static_cast<int>(crop.rows * from), static_cast<int>(crop.rows * to));
    if (band.rows < 4) continue;
    cv::Mat f, mean, sq, sd;
    band.convertTo(f, CV_32F);
    cv::reduce(f, mean, 0, cv::REDUCE_AVG);
    cv::reduce(f.mul(f), sq, 0, cv::REDUCE_AVG);
    cv::sqrt(cv::max(sq - mean.mul(mean), 0), sd);
    const auto* m = mean.ptr<float>(0);
    const auto* v = sd.ptr<float>(0);
    std::vector<float> sorted(m, m + crop.cols);
    std::sort(sorted.begin(), sorted.end());
    const float ink = sorted.front(), paper = sorted[sorted.size() * 95 / 100], contrast = paper - ink;
    if (contrast < 20) continue;
    const auto steadyDark = [&](int x) { return m[x] < ink + 0.35f * contrast && v[x] < 0.2f * contrast; };
    for (int a = 1; a < crop.cols - 1;) {
      if (!steadyDark(a)) {
        ++a;
        continue;
      }
      int b = a;
      while (b < crop.cols - 1 && steadyDark(b)) ++b;
      const int w = b - a;
      if (w >= 6 && w <= crop.cols / 8)
        if (const EndBar e = endPattern(m, v, crop.cols, a, b, ink, contrast); e.kind != EndBar::None) {
          // The data beside, from past the pattern's thin elements on, up
          // to 16 bar widths (about 7 codewords).
          const int from = std::clamp(e.data > 0 ? b + w * 11 / 8 : a - w * 11 / 8, 0, crop.cols - 1);
          const int to = std::clamp(from + e.data * 16 * w, 0, crop.cols - 1);
          // On the samples without a code print and portraits turn at most
          // 1.25 times per bar width, licence photos' codes 1.7 or more.
          const double t = turns(f, std::min(from, to), std::max(from, to), w, 0.08f * contrast);
          trace("gate: {} bar of {} px at {}, {:.2f} turns per bar width", e.kind == EndBar::Start ? "start" : "stop", w, a, t);
          if (t >= 1.45) return true;
        }
      a = b;
    }
  }
  return false;
}

}  // namespace idkit::barcode::pdf417

