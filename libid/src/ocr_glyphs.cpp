// Reading blurred print by synthesis in the layout's typeface (see ocr_glyphs.hpp).
#include <idkit/ocr_glyphs.hpp>

#include <idkit/text_render.hpp>
#include <idkit/utf8.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace idkit::ocr::glyphs {

namespace {

constexpr double kCap = 16;  // the line is scaled to capitals this high
constexpr int kMargin = 12;  // px of room for the blur around a rendered glyph
constexpr double kNoRival = 100;  // Reading::margin when no other value fits at all
// The sizes (times the capital height the ink's rows show, Line::cap) at
// which readDate and readLetter look for a first place. The rows overstate a
// blurred line's capitals (rows at half the fullest one's ink, whole pixels
// at kCap): 17 rows for capitals of 15.3 on td2-photo-s2020-0033's birth
// date, where checkCharacters' +-4 % near search left the print's size out
// of reach (its date check's fit 0.71-0.77 at 6 of 15 capital heights given,
// at the print's size 0.90).
constexpr std::array<double, 3> kFirstSizes{0.92, 1.0, 1.08};

// A point spread: a Gaussian (sigma > 0) or a straight motion streak.
struct Kernel {
  double sigma = 0, length = 0, angle = 0;
};

cv::Mat blurBy(const cv::Mat& cov, const Kernel& k) {
  cv::Mat out;
  if (k.sigma > 0) {
    cv::GaussianBlur(cov, out, cv::Size(), k.sigma, k.sigma, cv::BORDER_CONSTANT);
    return out;
  }
  // A streak drawn on a finer grid and reduced, so that short ones at any angle are smooth.
  const int half = static_cast<int>(std::ceil(k.length / 2)) + 1, size = 2 * half + 1, fine = 8;
  cv::Mat line(size * fine, size * fine, CV_32F, cv::Scalar(0));
  const double rad = k.angle * CV_PI / 180, c = (size * fine) / 2.0;
  const cv::Point2d d(std::cos(rad) * k.length * fine / 2, -std::sin(rad) * k.length * fine / 2);
  cv::line(line, cv::Point2d(c, c) - d, cv::Point2d(c, c) + d, cv::Scalar(1), fine, cv::LINE_AA);
  cv::Mat kern;
  cv::resize(line, kern, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  kern /= cv::sum(kern)[0];
  cv::filter2D(cov, out, -1, kern, cv::Point(-1, -1), 0, cv::BORDER_CONSTANT);
  return out;
}

// The rendered string's ink coverage (0..1), its pen origin at
// (kMargin, top()) and its advance, in the line's scaled pixels.
struct Glyph {
  cv::Mat cov;
  double advance = 0;
};
int topOf(double cap) { return kMargin + static_cast<int>(std::lround(cap * 1.3)); }
int heightOf(double cap) { return topOf(cap) + static_cast<int>(std::lround(cap * 0.35)) + kMargin; }

// Each character is drawn once per thread at a large size (kMasterCap),
// smoothed, and scaled to each line's capital height from there (drawing
// anew for every size cost more than the reading itself); a string is its
// characters placed by their advances, as the document renderer places them.
constexpr double kMasterCap = kCap * 6;

struct Master {
  cv::Mat cov;         // CV_32F, smoothed for scaling down about 6 times
  cv::Point2d origin;  // the pen's start on the baseline
  double advance = 0;  // at kMasterCap
};

const Master& master(text::Font& font, const std::string& character) {
  thread_local std::map<std::pair<std::string, std::string>, Master> cache;
  auto [it, fresh] = cache.try_emplace({font.path(), character});
  Master& m = it->second;
  if (!fresh) return m;
  text::Style st;
  st.cap_height_px = kMasterCap;
  st.color = cv::Scalar(0, 0, 0);
  m.advance = text::measure(font, character, st);
  const int margin = static_cast<int>(kMasterCap / 2);
  m.origin = {static_cast<double>(margin), std::round(margin + kMasterCap * 1.3)};
  cv::Mat big(static_cast<int>(m.origin.y + kMasterCap * 0.35) + margin,
              static_cast<int>(std::ceil(m.advance)) + 2 * margin, CV_8UC3, cv::Scalar(255, 255, 255));
  text::drawText(big, font, character, m.origin, st);
  cv::Mat g;
  cv::cvtColor(big, g, cv::COLOR_BGR2GRAY);
  g.convertTo(m.cov, CV_32F, -1 / 255.0, 1.0);
  cv::GaussianBlur(m.cov, m.cov, cv::Size(), 0.45 * kMasterCap / kCap);
  return m;
}

// `pen`: where the first character's pen starts, right of kMargin (a fraction of a pixel).
Glyph render(text::Font& font, const std::string& s, double cap, double pen = 0) {
  const double k = cap / kMasterCap;
  std::vector<std::pair<const Master*, double>> placed;  // each character and its pen offset
  Glyph out;
  out.advance = pen;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8::charLength(s, i);
    const Master& m = master(font, s.substr(i, len));
    placed.emplace_back(&m, out.advance);
    out.advance += m.advance * k;
    i += len;
  }
  const int w = static_cast<int>(std::ceil(out.advance)) + 2 * kMargin + 2, h = heightOf(cap);
  out.cov = cv::Mat(h, w, CV_32F, cv::Scalar(0));
  // A glyph warped once per size, place within its columns and width: the
  // readers render many strings that share characters at the same places
  // (each edit of a code is rendered whole, its head unchanged). The same
  // values as warping anew; kept per thread, emptied past 4096 warps (~20 MB).
  using WarpKey = std::tuple<const Master*, double, double, double, int, int>;
  thread_local std::map<WarpKey, cv::Mat> warped;
  if (warped.size() > 4096) warped.clear();
  for (const auto& [m, at] : placed) {
    // Each glyph is drawn into the columns it can reach only (bilinear
    // sampling reaches a pixel past its scaled width): the same values as
    // drawing it across the whole line, at a glyph's cost instead of the
    // line's (a 20-character code tried a few hundred ways spent seconds here).
    const double x0 = kMargin + at - k * m->origin.x;
    const int c0 = std::clamp(static_cast<int>(std::floor(x0)) - 2, 0, w);
    const int c1 = std::clamp(static_cast<int>(std::ceil(x0 + k * m->cov.cols)) + 2, c0, w);
    if (c1 <= c0) continue;
    const cv::Matx23d to(k, 0, x0 - c0, 0, k, topOf(cap) - k * m->origin.y);
    auto [it, fresh] = warped.try_emplace({m, k, to(0, 2), to(1, 2), c1 - c0, h});
    if (fresh)
      cv::warpAffine(m->cov, it->second, to, cv::Size(c1 - c0, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    out.cov.colRange(c0, c1) += it->second;
  }
  out.cov = cv::min(out.cov, 1.0);
  out.advance -= pen;
  return out;
}

// The line's ink: darker than its surroundings (a black-hat wider than a
// blurred capital), the background's level taken off; padded with no ink so
// that a glyph may sit at its edges. Scaled to capitals of kCap.
struct Line {
  cv::Mat ink;  // CV_32F
  double energy = 0;
  int centre_row = 0;  // the ink's centre of mass
  double cap = kCap;   // the capitals' height as the ink's rows show it
};

std::optional<Line> prepare(const cv::Mat& grey_line, double cap_px) {
  if (grey_line.empty() || grey_line.depth() != CV_8U || !(cap_px >= 4) || grey_line.rows < cap_px * 0.8 ||
      grey_line.cols < cap_px)
    return std::nullopt;
  cv::Mat grey = grey_line;
  if (grey.channels() == 3) cv::cvtColor(grey_line, grey, cv::COLOR_BGR2GRAY);
  if (grey.channels() != 1) return std::nullopt;
  const double s = kCap / cap_px;
  cv::Mat g;
  cv::resize(grey, g, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int k = static_cast<int>(std::lround(kCap * 2)) | 1;
  cv::Mat bh;
  cv::morphologyEx(g, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  std::vector<uchar> v(bh.begin<uchar>(), bh.end<uchar>());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  cv::Mat f;
  bh.convertTo(f, CV_32F, 1, -static_cast<double>(v[v.size() / 2]));
  f = cv::max(f, 0);
  Line out;
  const int pad_y = kMargin + static_cast<int>(std::lround(kCap * 0.6));
  cv::copyMakeBorder(f, out.ink, pad_y, pad_y, kMargin + 2, kMargin + 2, cv::BORDER_CONSTANT, cv::Scalar(0));
  out.energy = cv::sum(out.ink.mul(out.ink))[0];
  // The value's rows: those around the fullest one with at least half its
  // ink (a blur spreads a band's edges evenly both ways); their middle and
  // their height, the capitals' height.
  cv::Mat rows;
  cv::reduce(out.ink, rows, 1, cv::REDUCE_SUM);
  cv::GaussianBlur(rows, rows, cv::Size(1, 5), 0, 1.0);
  cv::Point peak_at;
  double peak = 0;
  cv::minMaxLoc(rows, nullptr, &peak, nullptr, &peak_at);
  if (peak <= 0 || out.energy <= 0) return std::nullopt;
  int y0 = peak_at.y, y1 = peak_at.y;
  while (y0 > 0 && rows.at<float>(y0 - 1) >= peak / 2) --y0;
  while (y1 + 1 < rows.rows && rows.at<float>(y1 + 1) >= peak / 2) ++y1;
  out.centre_row = (y0 + y1 + 1) / 2;
  out.cap = std::clamp(static_cast<double>(y1 - y0 + 1), kCap * 0.8, kCap * 1.2);
  return out;
}

// A glyph's correlation with the line at every placement (top-left corner),
// and its own energy: placing it at (x, y) with ink level a takes
// 2 a D(x, y) - a^2 e off the squared residual.
struct Map {
  cv::Mat d;
  double e = 0;
  double advance = 0;
};

Map mapOf(const Line& line, const cv::Mat& b, bool jitter = false) {
  Map m;
  m.e = b.dot(b);
  if (b.cols <= line.ink.cols && b.rows <= line.ink.rows) {
    cv::matchTemplate(line.ink, b, m.d, cv::TM_CCORR);
    // Each glyph may sit a pixel off its place: a line a little tilted or
    // its size a little off moves its glyphs so.
    if (jitter) cv::dilate(m.d, m.d, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  }
  return m;
}

// mapOf for many glyphs on the same line: the line's spectrum taken once and
// each glyph's correlation read from its product with the glyph's
// (matchTemplate takes the line's anew for each glyph; a code's 40
// characters, three decodes a field, made that a tenth of id-ocr's time).
class Correlator {
 public:
  explicit Correlator(const Line& line)
      : ink_(line.ink), rows_(cv::getOptimalDFTSize(ink_.rows)), cols_(cv::getOptimalDFTSize(ink_.cols)) {}

  Map map(const cv::Mat& b) {
    Map m;
    m.e = b.dot(b);
    if (b.empty() || b.cols > ink_.cols || b.rows > ink_.rows) return m;
    if (spectrum_.empty()) {
      cv::copyMakeBorder(ink_, padded_, 0, rows_ - ink_.rows, 0, cols_ - ink_.cols, cv::BORDER_CONSTANT, 0);
      cv::dft(padded_, spectrum_, 0, ink_.rows);
    }
    padded_ = cv::Mat::zeros(rows_, cols_, CV_32F);
    b.copyTo(padded_(cv::Rect(0, 0, b.cols, b.rows)));
    cv::dft(padded_, product_, 0, b.rows);
    cv::mulSpectrums(spectrum_, product_, product_, 0, true);
    const int out_rows = ink_.rows - b.rows + 1;
    cv::Mat d;
    cv::idft(product_, d, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE, out_rows);
    m.d = d(cv::Rect(0, 0, ink_.cols - b.cols + 1, out_rows)).clone();
    return m;
  }

 private:
  cv::Mat ink_;
  int rows_, cols_;
  cv::Mat spectrum_, padded_, product_;
};

double at(const Map& m, int x, int y) {
  if (m.d.empty() || x < 0 || y < 0 || x >= m.d.cols || y >= m.d.rows) return -std::numeric_limits<double>::infinity();
  return m.d.at<float>(y, x);
}

const std::array<const char*, 12> kMonthTokens{"JAN",     "FEB/FÉV",  "MAR/MARS", "APR/AVR", "MAY/MAI",
                                               "JUN/JUIN", "JUL/JUIL", "AUG/AOÛT", "SEP/SEPT", "OCT",
                                               "NOV",      "DEC/DÉC"};

// A date's printed layout: digits and fixed tokens, left to right.
struct Slot {
  int token = -1;  // index into the fixed tokens' maps; -1: a digit
  char role = 0;   // 'd', 'm', 'y' (digits, most significant first)
  double x = 0;    // pen offset from the first glyph's
};
struct Format {
  std::vector<Slot> slots;
  int month = 0;  // 1-12 when a token gives the month
};

bool validDay(int d, int m) {
  static constexpr std::array<int, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m >= 1 && m <= 12 && d >= 1 && d <= kDays[static_cast<std::size_t>(m - 1)];
}

std::string two(int v) { return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10); }

// The best few values found, each value once.
struct Best {
  struct Entry {
    double gain;
    std::string text;
  };
  std::vector<Entry> top;
  // When set: texts with the same key are one value (the surest spelling of it).
  const std::function<std::string(const std::string&)>* key = nullptr;
  void add(double gain, const std::string& text) {
    for (auto& e : top)
      if (e.text == text || (key && (*key)(e.text) == (*key)(text))) {
        if (gain > e.gain) e.gain = gain, e.text = text;
        std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.gain > b.gain; });
        return;
      }
    top.push_back({gain, text});
    std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.gain > b.gain; });
    if (top.size() > 4) top.pop_back();
  }
  bool beats(double gain) const { return top.size() < 2 || gain > top[1].gain; }
};

struct DateGlyphs {
  std::vector<Glyph> digits;  // 0-9
  std::vector<Glyph> tokens;  // separators and months
  std::vector<Format> formats;
  double cap = kCap;
};

DateGlyphs dateGlyphs(text::Font& font, std::string_view order, double cap) {
  DateGlyphs g;
  g.cap = cap;
  for (int d = 0; d < 10; ++d) g.digits.push_back(render(font, std::string(1, static_cast<char>('0' + d)), cap));
  const double digit = g.digits[0].advance;
  auto token = [&](const std::string& s) {
    g.tokens.push_back(render(font, s, cap));
    return static_cast<int>(g.tokens.size()) - 1;
  };
  auto numeric = [&](const std::string& sep, const std::string& roles) {
    const int t = token(sep);
    Format f;
    double x = 0;
    for (std::size_t i = 0; i < roles.size(); ++i) {
      if (i == 2 || i == 4) f.slots.push_back({t, 0, x}), x += g.tokens[static_cast<std::size_t>(t)].advance;
      f.slots.push_back({-1, roles[i], x});
      x += digit;
    }
    g.formats.push_back(f);
  };
  if (order == "MDY") {
    numeric("/", "mmddyyyy");
  } else if (order == "DMY") {
    numeric(".", "ddmmyyyy");
    const double space = master(font, " ").advance * cap / kMasterCap;
    for (int m = 0; m < 12; ++m) {
      const int t = token(kMonthTokens[static_cast<std::size_t>(m)]);
      Format f;
      f.month = m + 1;
      f.slots = {{-1, 'd', 0}, {-1, 'd', digit}, {t, 0, 2 * digit + space}};
      const double year = 2 * digit + space + g.tokens[static_cast<std::size_t>(t)].advance + space;
      for (int i = 0; i < 4; ++i) f.slots.push_back({-1, 'y', year + i * digit});
      g.formats.push_back(f);
    }
  }
  return g;
}

std::string printed(const Format& f, int day, int month, int year, std::string_view order) {
  if (f.month) return two(day) + " " + kMonthTokens[static_cast<std::size_t>(f.month - 1)] + " " + std::to_string(year);
  if (order == "MDY") return two(month) + "/" + two(day) + "/" + std::to_string(year);
  return two(day) + "." + two(month) + "." + std::to_string(year);
}

// Where a value fits best: its gain (see Map), its top-left, its text.
struct Placement {
  double gain = -1;
  int x = 0, y = 0;
  std::string text;
};

// Sum of a * b with b's left edge `dx` px right of a's (same rows): the
// overlap of two neighbouring blurred glyphs, which counts twice in the
// squared residual of their sum.
double cross(const cv::Mat& a, const cv::Mat& b, int dx) {
  const int w = std::min(a.cols - dx, b.cols);
  if (dx < 0 || w <= 0 || a.rows != b.rows) return 0;
  return a(cv::Rect(dx, 0, w, a.rows)).dot(b(cv::Rect(0, 0, w, b.rows)));
}

// Every placement of every format with one blur: the valid dates that
// explain most ink (each slot's digit chosen by its correlation, less the
// overlaps with its neighbours), into `best`; returns the best one's placement.
Placement decodeDates(const Line& line, const DateGlyphs& dg, const Kernel& k, std::string_view order, Best& best) {
  std::vector<cv::Mat> bd, bt;  // the glyphs blurred
  std::vector<Map> digits, tokens;
  // Rows: the glyphs' capitals centred within a third of a capital of the
  // ink's band; the correlations are computed on those rows only.
  const int want = line.centre_row - (topOf(dg.cap) - static_cast<int>(std::lround(dg.cap / 2)));
  const int reach = static_cast<int>(std::lround(dg.cap / 3));
  const int y_lo = std::max(0, want - reach), y_hi = std::min(line.ink.rows - heightOf(dg.cap), want + reach);
  Placement out;
  if (y_hi < y_lo) return out;
  Line band;
  band.ink = line.ink(cv::Rect(0, y_lo, line.ink.cols, y_hi - y_lo + heightOf(dg.cap)));
  Correlator corr(band);
  for (const Glyph& g : dg.digits) bd.push_back(blurBy(g.cov, k)), digits.push_back(corr.map(bd.back()));
  for (const Glyph& g : dg.tokens) bt.push_back(blurBy(g.cov, k)), tokens.push_back(corr.map(bt.back()));
  if (digits[0].d.empty()) return out;
  using Row = std::array<double, 10>;
  using Pair = std::array<Row, 10>;
  for (const Format& f : dg.formats) {
    // The digit slots, their roles, and the overlaps with their neighbours
    // (offsets between slots are whole pixels, the same at every placement).
    std::vector<int> off;  // each slot's offset
    for (const Slot& sl : f.slots) off.push_back(static_cast<int>(std::lround(sl.x)));
    std::array<char, 8> role{};
    std::array<int, 8> at_slot{};
    std::array<Row, 8> unary{};   // overlap with a fixed neighbour (a separator, a month)
    std::array<Pair, 8> pair{};   // overlap of digit slot n with digit slot n + 1
    std::array<bool, 8> paired{};
    double tok_e = 0;
    int n = 0;
    for (std::size_t i = 0; i < f.slots.size(); ++i) {
      const Slot& sl = f.slots[i];
      if (sl.token >= 0) {
        tok_e += tokens[static_cast<std::size_t>(sl.token)].e;
        continue;
      }
      if (n >= 8) break;
      role[static_cast<std::size_t>(n)] = sl.role, at_slot[static_cast<std::size_t>(n)] = static_cast<int>(i);
      for (int c = 0; c < 10; ++c) {
        double u = 0;
        if (i > 0 && f.slots[i - 1].token >= 0)
          u += cross(bt[static_cast<std::size_t>(f.slots[i - 1].token)], bd[static_cast<std::size_t>(c)], off[i] - off[i - 1]);
        if (i + 1 < f.slots.size() && f.slots[i + 1].token >= 0)
          u += cross(bd[static_cast<std::size_t>(c)], bt[static_cast<std::size_t>(f.slots[i + 1].token)], off[i + 1] - off[i]);
        unary[static_cast<std::size_t>(n)][static_cast<std::size_t>(c)] = u;
      }
      if (i + 1 < f.slots.size() && f.slots[i + 1].token < 0) {
        paired[static_cast<std::size_t>(n)] = true;
        for (int c1 = 0; c1 < 10; ++c1)
          for (int c2 = 0; c2 < 10; ++c2)
            pair[static_cast<std::size_t>(n)][static_cast<std::size_t>(c1)][static_cast<std::size_t>(c2)] =
                cross(bd[static_cast<std::size_t>(c1)], bd[static_cast<std::size_t>(c2)], off[i + 1] - off[i]);
      }
      ++n;
    }
    if (n != (f.month ? 6 : 8)) continue;
    const int slots = n;
    std::array<int, 2> di{}, mi{};
    std::array<int, 4> yi{};
    int nd = 0, nm = 0, ny = 0;
    for (int i = 0; i < slots; ++i) {
      if (role[static_cast<std::size_t>(i)] == 'd') di[static_cast<std::size_t>(nd++)] = i;
      if (role[static_cast<std::size_t>(i)] == 'm') mi[static_cast<std::size_t>(nm++)] = i;
      if (role[static_cast<std::size_t>(i)] == 'y') yi[static_cast<std::size_t>(ny++)] = i;
    }
    std::array<Row, 8> d{}, s{};
    for (int y = 0; y < digits[0].d.rows; ++y)
      for (int x = 0; x < digits[0].d.cols; ++x) {
        double tok_d = 0;
        bool fits = true;
        for (std::size_t i = 0; i < f.slots.size() && fits; ++i)
          if (f.slots[i].token >= 0) {
            const double v = at(tokens[static_cast<std::size_t>(f.slots[i].token)], x + off[i], y);
            fits = std::isfinite(v);
            tok_d += v;
          }
        for (int i = 0; i < slots && fits; ++i)
          for (int c = 0; c < 10 && fits; ++c) {
            const double v = at(digits[static_cast<std::size_t>(c)], x + off[static_cast<std::size_t>(at_slot[i])], y);
            fits = std::isfinite(v);
            d[i][c] = v;
          }
        if (!fits) continue;
        // The ink level: from each slot's likeliest digit, twice refined.
        double a = 0;
        for (int it = 0; it < 3; ++it) {
          double sd = tok_d, se = tok_e;
          for (int i = 0; i < slots; ++i) {
            int bc = 0;
            double bv = -1e300;
            for (int c = 0; c < 10; ++c) {
              const double v = it == 0 ? d[i][c] / std::sqrt(digits[c].e) : 2 * a * d[i][c] - a * a * digits[c].e;
              if (v > bv) bv = v, bc = c;
            }
            sd += d[i][bc], se += digits[bc].e;
          }
          a = se > 0 ? sd / se : 0;
        }
        if (a <= 0) continue;
        const double aa = a * a;
        for (int i = 0; i < slots; ++i)
          for (int c = 0; c < 10; ++c) s[i][c] = 2 * a * d[i][c] - aa * (digits[c].e + 2 * unary[i][c]);
        auto pr = [&](int i, int c1, int c2) { return paired[i] ? 2 * aa * pair[i][c1][c2] : 0.0; };
        const double fixed = 2 * a * tok_d - aa * tok_e;
        // Each slot's best digit, overlaps and the calendar aside, bounds
        // every date here: no need to look further below the runner-up so far.
        double bound = fixed;
        for (int i = 0; i < slots; ++i) bound += *std::max_element(s[i].begin(), s[i].end());
        if (best.top.size() >= 2 && bound <= best.top[1].gain && bound <= out.gain) continue;
        // Best and runner-up year (1900-2099) and day-month.
        double y1 = -1e300, y2 = -1e300;
        int yb = 0, yr = 0;
        for (int yy = 1900; yy < 2100; ++yy) {
          const int c0 = yy / 1000, c1 = yy / 100 % 10, c2 = yy / 10 % 10, c3 = yy % 10;
          const double v = s[yi[0]][c0] + s[yi[1]][c1] + s[yi[2]][c2] + s[yi[3]][c3] - pr(yi[0], c0, c1) -
                           pr(yi[1], c1, c2) - pr(yi[2], c2, c3);
          if (v > y1) y2 = y1, yr = yb, y1 = v, yb = yy;
          else if (v > y2) y2 = v, yr = yy;
        }
        double m1 = -1e300, m2 = -1e300;
        int db = 0, mb = 0, dr = 0, mr = 0;
        for (int mm = 1; mm <= 12; ++mm) {
          if (f.month && mm != f.month) continue;
          for (int dd = 1; dd <= 31; ++dd) {
            if (!validDay(dd, mm)) continue;
            double v = s[di[0]][dd / 10] + s[di[1]][dd % 10] - pr(di[0], dd / 10, dd % 10);
            if (!f.month) v += s[mi[0]][mm / 10] + s[mi[1]][mm % 10] - pr(mi[0], mm / 10, mm % 10);
            if (v > m1) m2 = m1, dr = db, mr = mb, m1 = v, db = dd, mb = mm;
            else if (v > m2) m2 = v, dr = dd, mr = mm;
          }
        }
        const double g1 = fixed + m1 + y1;
        if (!best.beats(g1) && g1 <= out.gain) continue;
        const std::string t1 = printed(f, db, mb, yb, order);
        best.add(g1, t1);
        if (g1 > out.gain) out = {g1, x, y + y_lo, t1};
        // The runner-up here differs in the day-month or the year.
        if (m2 + y1 > m1 + y2) best.add(fixed + m2 + y1, printed(f, dr, mr, yb, order));
        else best.add(fixed + m1 + y2, printed(f, db, mb, yr, order));
      }
  }
  return out;
}

std::vector<Kernel> gaussians() { return {{0.7, 0, 0}, {1.2, 0, 0}, {1.8, 0, 0}, {2.6, 0, 0}, {3.6, 0, 0}}; }
std::vector<Kernel> allKernels() {
  std::vector<Kernel> ks = gaussians();
  for (double len : {4.0, 7.0, 10.0, 14.0})
    for (double ang = 0; ang < 180; ang += 30) ks.push_back({0, len, ang});
  return ks;
}

// The streaks between streak `k` and its neighbours on allKernels' grid:
// 10 degrees either way, 15 % shorter or longer (the grid's steps are 30
// degrees and 1.4-1.75 times). None for a Gaussian: a wider one than the
// grid's explains more of a defocused line's ink by smoothing its digits
// alike (fra-id-photo-s5353-0037's 1986: sigma 3.6 -> 3.9, fit 0.96, its 8
// and 6 no longer told from the other digits).
std::vector<Kernel> kernelsNear(const Kernel& k) {
  std::vector<Kernel> out;
  if (k.sigma > 0 || k.length <= 0) return out;
  for (double da : {-10.0, 0.0, 10.0})
    for (double f : {0.85, 1.0, 1.15})
      if (da != 0 || f != 1.0) out.push_back({0, k.length * f, std::fmod(k.angle + da + 180, 180)});
  return out;
}

// How far (px of the scaled line) a rendering slides from where it was
// placed while its blur and size are fitted (fitBlurAmong).
constexpr int kSlideX = 4, kSlideY = 3;

// The blur and capital height under which `text` (placed near (x, y))
// explains most ink: each kernel and a few sizes, the rendering slid up to
// kSlideX, kSlideY px.
struct Fit {
  Kernel k;
  double cap = kCap;
  double gain = -1;
};
// The most ink `b` (a blurred rendering) explains with its top-left within
// rx, ry px of (x, y): the correlation computed there only.
double gainNear(const Line& line, const cv::Mat& b, int x, int y, int rx, int ry) {
  const cv::Rect roi = cv::Rect(x - rx, y - ry, b.cols + 2 * rx, b.rows + 2 * ry) & cv::Rect(0, 0, line.ink.cols, line.ink.rows);
  const double e = b.dot(b);
  if (roi.width < b.cols || roi.height < b.rows || e <= 0) return -1;
  double mx = 0;
  cv::minMaxLoc(correlateNear(line.ink(roi), b), nullptr, &mx);
  return mx > 0 ? mx * mx / e : -1;
}

Fit fitBlurAmong(const Line& line, text::Font& font, const std::string& text, int x, int y, double base,
                 const std::vector<Kernel>& kernels, std::initializer_list<double> sizes, double around) {
  Fit best;
  for (double f : sizes) {
    const double cap = around * f;
    const Glyph g = render(font, text, cap);
    // The rendering's top-left moves with its size: keep the capitals' centre.
    const int dy = (topOf(cap) - static_cast<int>(std::lround(cap / 2))) -
                   (topOf(base) - static_cast<int>(std::lround(base / 2)));
    for (const Kernel& k : kernels)
      if (const double gain = gainNear(line, blurBy(g.cov, k), x, y - dy, kSlideX, kSlideY); gain > best.gain)
        best = {k, cap, gain};
  }
  return best;
}

// Every blur at three sizes, then the best one's size to a percent: a
// date's glyphs drift off their places when the size is 2 % off.
Fit fitBlur(const Line& line, text::Font& font, const std::string& text, int x, int y, double base) {
  const Fit coarse = fitBlurAmong(line, font, text, x, y, base, allKernels(), {0.96, 1.0, 1.04}, base);
  const Fit fine = fitBlurAmong(line, font, text, x, y, base, {coarse.k}, {0.98, 0.99, 1.01, 1.02}, coarse.cap);
  return fine.gain > coarse.gain ? fine : coarse;
}

// The few values found scored again by their whole rendering (every
// overlap of neighbouring glyphs counted), each under the blur and size
// that suit it best near where it fits: a rival is judged at its best, not
// at the blur fitted to the reading. Best first.
Best rescore(const Best& found, const Line& line, text::Font& font, const Fit& fit) {
  Best out;
  for (const auto& e : found.top) {
    const Map m = mapOf(line, blurBy(render(font, e.text, fit.cap).cov, fit.k));
    if (m.d.empty() || m.e <= 0) continue;
    double mx = 0;
    cv::Point at;
    cv::minMaxLoc(m.d, nullptr, &mx, nullptr, &at);
    if (mx <= 0) continue;
    const Fit own = fitBlurAmong(line, font, e.text, at.x, at.y, fit.cap, {fit.k}, {0.98, 0.99, 1.01, 1.02}, fit.cap);
    out.add(std::max(mx * mx / m.e, own.gain), e.text);
  }
  return out;
}

// `scale`: line pixels per pixel of the scaled line.
Reading finish(const Best& best, const Line& line, const Kernel& k, double scale) {
  Reading r;
  r.text = best.top[0].text;
  r.fit = std::clamp(best.top[0].gain / line.energy, 0.0, 1.0);
  if (best.top.size() > 1) {
    r.rival = best.top[1].text;
    const double left = std::max(line.energy - best.top[0].gain, line.energy * 1e-3);
    r.margin = std::clamp((best.top[0].gain - best.top[1].gain) / left, 0.0, kNoRival);
  } else {
    r.margin = kNoRival;
  }
  r.sigma = k.sigma * scale, r.motion_px = k.length * scale, r.motion_deg = k.angle;
  return r;
}


// A code's characters are proportional (DejaVu's letters differ in advance)
// and placed by their advances: the best string is a path along the line,
// each character at the pen position its predecessor's advance leaves. With
// the ink level fixed, a string's gain is a sum over its characters (each
// one's correlation less its energy and its overlap with its predecessor), so
// the best string at every place and row is found exactly by dynamic
// programming over the pen position, at quarter pixels (rounding each advance
// to whole pixels drifts a nine-character number off by most of a glyph).
constexpr int kSub = 4;
// The document renderer's advances are whole pixels at its own size
// (hinted): each character may sit this many 1 / kSub px off its
// predecessor's unrounded advance.
constexpr int kSlack = 2;
// Free text whose path is more than this share strokes is not improved
// (see strokes()); a reading more than half strokes is none.
constexpr double kMostlyStrokes = 2.0 / 3, kHalfStrokes = 0.5;

struct CodeGlyphs {
  std::vector<std::string> chars;
  std::vector<cv::Mat> blurred;
  std::vector<int> advance;             // in 1 / kSub px
  std::vector<std::vector<double>> ov;  // ov[p][c]: overlap of p followed by c
  std::vector<bool> blank;              // a character with no ink (a space): an advance only
  std::vector<std::vector<double>> pen;  // pen[p][c]: the cost of c after p, as glyph energy (see kindOf)
  double cap = kCap;
};

// Letters (with or without marks) 2, digits 1, anything else 0: in free
// text a word is a number or a word of letters, and a blurred B, O, S or I
// is about as much ink as an 8, 0, 5 or 1.
int kindOf(std::string_view c) {
  if (c.empty()) return 0;
  const auto b = static_cast<unsigned char>(c[0]);
  if (b >= '0' && b <= '9') return 1;
  return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0x80 ? 2 : 0;
}
// The share of a string's characters that are strokes (I and the thin
// marks): a row of strokes explains some of any blurred ink, and a line too
// blurred to read is read as one (`II/OII/C`, `JAIIIIIIIIL`).
double strokes(const std::string& t) {
  int n = 0, thin = 0;
  for (std::size_t i = 0; i < t.size(); i += utf8::charLength(t, i)) {
    if (t[i] == ' ') continue;
    ++n;
    thin += std::string_view("I'/.,-").find(t[i]) != std::string_view::npos;
  }
  return n ? static_cast<double>(thin) / n : 0;
}

// How many times a string changes between letters and digits without a break.
int mixes(const std::string& t) {
  int n = 0, last = 0;
  for (std::size_t i = 0; i < t.size();) {
    const std::size_t len = utf8::charLength(t, i);
    const int k = kindOf(std::string_view(t).substr(i, len));
    if (k && last && k != last) ++n;
    last = k;
    i += len;
  }
  return n;
}

// `mixed`: a letter next to a digit costs this share of a glyph's mean energy.
CodeGlyphs codeGlyphs(text::Font& font, const std::vector<std::string>& chars, double cap, const Kernel& k,
                      double mixed = 0) {
  CodeGlyphs g;
  g.cap = cap;
  g.chars = chars;
  for (const std::string& c : chars) {
    const Glyph r = render(font, c, cap);
    g.blurred.push_back(blurBy(r.cov, k));
    g.advance.push_back(static_cast<int>(std::lround(r.advance * kSub)));
    g.blank.push_back(cv::countNonZero(r.cov > 1e-3) == 0);
  }
  const std::size_t n = chars.size();
  g.ov.assign(n, std::vector<double>(n, 0));
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t c = 0; c < n; ++c)
      g.ov[p][c] = cross(g.blurred[p], g.blurred[c], static_cast<int>(std::lround(g.advance[p] / double(kSub))));
  double mean_e = 0;
  int inked = 0;
  for (std::size_t c = 0; c < n; ++c)
    if (!g.blank[c]) mean_e += g.blurred[c].dot(g.blurred[c]), ++inked;
  if (inked) mean_e /= inked;
  g.pen.assign(n, std::vector<double>(n, 0));
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t c = 0; c < n; ++c)
      if (const int kp = kindOf(chars[p]), kc = kindOf(chars[c]); kp && kc && kp != kc) g.pen[p][c] = mixed * mean_e;
  return g;
}

// A correlation map read at a quarter-pixel column (linear between columns).
double atSub(const Map& m, int xq, int y) {
  const int x = xq / kSub, f = xq % kSub;
  const double a = at(m, x, y);
  if (f == 0) return a;
  const double b = at(m, x + 1, y);
  if (!std::isfinite(b)) return a;
  return a + (b - a) * f / kSub;
}

// The best string on the line under one blur and size: for each ink level
// tried, the exact best path at each row, then the level refitted to it.
// Also the runners-up: the best string with one character changed (the
// best other character at that place), for the margin. Into `best`.
Placement decodeCode(const Line& line, const CodeGlyphs& cg, Best& best, int row = -1, int rounds = 2) {
  Placement out;
  // The rows: within 2 px of the ink's band's centre (its rows are measured
  // on the ink itself), or of a row found before.
  const int want = row >= 0 ? row : line.centre_row - (topOf(cg.cap) - static_cast<int>(std::lround(cg.cap / 2)));
  const int reach = 2;
  const int y_lo = std::max(0, want - reach), y_hi = std::min(line.ink.rows - heightOf(cg.cap), want + reach);
  if (y_hi < y_lo || cg.chars.empty()) return out;
  Line band;
  band.ink = line.ink(cv::Rect(0, y_lo, line.ink.cols, y_hi - y_lo + heightOf(cg.cap)));
  const std::size_t n = cg.chars.size();
  Correlator corr(band);
  std::vector<Map> maps;
  for (const cv::Mat& b : cg.blurred) maps.push_back(corr.map(b));
  for (std::size_t c = 0; c < n; ++c)
    if (maps[c].d.empty() || (maps[c].e <= 0 && !cg.blank[c])) return out;
  const int cols = maps[0].d.cols, rows = maps[0].d.rows, xs = cols * kSub;
  // A first ink level: the median over characters of each one's best level alone.
  std::vector<double> lv;
  for (std::size_t c = 0; c < n; ++c) {
    if (cg.blank[c]) continue;
    double mx = 0;
    cv::minMaxLoc(maps[c].d, nullptr, &mx);
    lv.push_back(mx / maps[c].e);
  }
  if (lv.empty()) return out;
  std::nth_element(lv.begin(), lv.begin() + static_cast<std::ptrdiff_t>(lv.size() / 2), lv.end());
  double a = lv[lv.size() / 2];
  if (!(a > 0)) return out;
  struct Path {
    double gain = -1;
    std::string text;
    std::vector<int> idx, xq;
    int y = 0;
  };
  Path path;
  std::vector<double> score(static_cast<std::size_t>(xs) * n);
  std::vector<int> from(static_cast<std::size_t>(xs) * n);
  for (int round = 0; round < rounds; ++round) {
    Path bestPath;
    double bestScore = 0;
    // Each predecessor's best end within the slack, per pen position; then
    // each character's best predecessor (the overlaps depend on the pair).
    std::vector<double> ends(n);
    std::vector<int> ends_slack(n);
    // Each pair's cost at this level, as the inner loop weighs it (taken out
    // of the loop over pen positions and rows: the same values, computed once).
    // Two blanks never follow each other: their pair costs infinitely much
    // (ends[p] is finite, so that predecessor is never taken).
    std::vector<double> pair_cost(n * n);
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t c = 0; c < n; ++c)
        pair_cost[c * n + p] = cg.blank[c] && cg.blank[p] ? std::numeric_limits<double>::infinity()
                                                           : a * a * (2 * cg.ov[p][c] + cg.pen[p][c]);
    for (int y = 0; y < rows; ++y) {
      double rowScore = bestScore;
      int row_xq = -1, row_c = -1;
      for (int xq = 0; xq < xs; ++xq) {
        for (std::size_t p = 0; p < n; ++p) {
          ends[p] = -1e300, ends_slack[p] = 0;
          for (const int slack : {-kSlack, 0, kSlack}) {
            const int px = xq - cg.advance[p] + slack;
            if (px < 0 || px >= xq) continue;
            if (const double v = score[static_cast<std::size_t>(px) * n + p]; v > ends[p])
              ends[p] = v, ends_slack[p] = slack;
          }
        }
        for (std::size_t c = 0; c < n; ++c) {
          const double d = atSub(maps[c], xq, y);
          double s = std::isfinite(d) ? 2 * a * d - a * a * maps[c].e : -1e300;
          int fr = -1;
          // The predecessor p ended its advance here: its pen was xq - advance(p).
          // A string may start here, but not with a blank, and two blanks never follow each other.
          double extend = cg.blank[c] ? -1e300 : 0;
          const double* cost = &pair_cost[c * n];
          // The first best predecessor, without a branch on each (selects, not jumps).
          int bp = -1;
          for (std::size_t p = 0; p < n; ++p) {
            const double v = ends[p] - cost[p];
            const bool better = v > extend;
            extend = better ? v : extend;
            bp = better ? static_cast<int>(p) : bp;
          }
          if (bp >= 0) fr = bp * 8 + (ends_slack[static_cast<std::size_t>(bp)] + 4);
          s += extend;
          score[static_cast<std::size_t>(xq) * n + c] = s;
          from[static_cast<std::size_t>(xq) * n + c] = fr;
          if (s > rowScore) rowScore = s, row_xq = xq, row_c = static_cast<int>(c);
        }
      }
      if (row_c < 0) continue;
      // The row's best string, traced back.
      bestScore = rowScore;
      Path q;
      q.y = y;
      int cx = row_xq, cc = row_c;
      while (cc >= 0) {
        q.idx.push_back(cc), q.xq.push_back(cx);
        const int fr_ = from[static_cast<std::size_t>(cx) * n + static_cast<std::size_t>(cc)];
        const int pc = fr_ < 0 ? -1 : fr_ / 8;
        if (pc >= 0) cx -= cg.advance[static_cast<std::size_t>(pc)] - (fr_ % 8 - 4);
        cc = pc;
      }
      std::reverse(q.idx.begin(), q.idx.end());
      std::reverse(q.xq.begin(), q.xq.end());
      bestPath = q;
    }
    if (bestPath.idx.empty()) return out;
    // The level refitted to the path: correlations over energies and overlaps.
    double sd = 0, se = 0;
    for (std::size_t i = 0; i < bestPath.idx.size(); ++i) {
      const auto c = static_cast<std::size_t>(bestPath.idx[i]);
      sd += atSub(maps[c], bestPath.xq[i], bestPath.y), se += maps[c].e;
      if (i > 0) se += 2 * cg.ov[static_cast<std::size_t>(bestPath.idx[i - 1])][c];
    }
    path = bestPath;
    const double na = se > 0 ? sd / se : 0;
    path.gain = na > 0 ? sd * sd / se : -1;
    if (!(na > 0) || std::abs(na - a) < 0.02 * a) break;
    a = na;
  }
  if (path.gain <= 0) return out;
  for (const int i : path.idx) path.text += cg.chars[static_cast<std::size_t>(i)];
  best.add(path.gain, path.text);
  out = {path.gain, path.xq[0] / kSub, path.y + y_lo, path.text};
  // Runners-up: each place's best other character (its gain there, the
  // path's level and neighbours kept), the three closest.
  std::vector<std::pair<double, std::string>> alt;
  for (std::size_t i = 0; i < path.idx.size(); ++i) {
    const auto c0 = static_cast<std::size_t>(path.idx[i]);
    auto local = [&](std::size_t c) {
      double v = 2 * a * atSub(maps[c], path.xq[i], path.y) - a * a * maps[c].e;
      if (i > 0) v -= 2 * a * a * cg.ov[static_cast<std::size_t>(path.idx[i - 1])][c];
      if (i + 1 < path.idx.size()) v -= 2 * a * a * cg.ov[c][static_cast<std::size_t>(path.idx[i + 1])];
      return v;
    };
    const double base = local(c0);
    double bv = -1e300;
    std::size_t bc = c0;
    for (std::size_t c = 0; c < n; ++c)
      if (c != c0 && local(c) > bv) bv = local(c), bc = c;
    if (bc == c0) continue;
    std::string t;
    for (std::size_t j = 0; j < path.idx.size(); ++j) t += cg.chars[j == i ? bc : static_cast<std::size_t>(path.idx[j])];
    alt.emplace_back(path.gain - (base - bv), t);
  }
  // A character fewer at either end: the path's gain less that character's part.
  if (path.idx.size() > 1) {
    const auto first = static_cast<std::size_t>(path.idx.front()), last = static_cast<std::size_t>(path.idx.back());
    const std::size_t k = path.idx.size() - 1;
    const double head = 2 * a * atSub(maps[last], path.xq[k], path.y) - a * a * maps[last].e -
                        2 * a * a * cg.ov[static_cast<std::size_t>(path.idx[k - 1])][last];
    const double tail = 2 * a * atSub(maps[first], path.xq[0], path.y) - a * a * maps[first].e -
                        2 * a * a * cg.ov[first][static_cast<std::size_t>(path.idx[1])];
    alt.emplace_back(path.gain - head, path.text.substr(0, path.text.size() - cg.chars[last].size()));
    alt.emplace_back(path.gain - tail, path.text.substr(cg.chars[first].size()));
  }
  std::sort(alt.begin(), alt.end(), [](auto& x, auto& y) { return x.first > y.first; });
  for (std::size_t i = 0; i < alt.size() && i < 3; ++i) best.add(alt[i].first, alt[i].second);
  return out;
}
}  // namespace

std::optional<Reading> readDate(const cv::Mat& grey_line, double cap_px, std::string_view date_order,
                                const std::string& font_path, const std::vector<std::string>& hints) {
  if (date_order != "DMY" && date_order != "MDY") return std::nullopt;
  const std::optional<Line> line = prepare(grey_line, cap_px);
  if (!line) return std::nullopt;
  text::Font& font = text::fontFor(font_path);
  // (1) Gaussian blurs at about the capital height the ink shows: a first value and its place.
  Placement first;
  double first_cap = line->cap;
  Best b;  // shared: a placement below the runner-up so far is not looked into
  for (double f : kFirstSizes) {
    const DateGlyphs dg = dateGlyphs(font, date_order, line->cap * f);
    for (const Kernel& k : {Kernel{1.8, 0, 0}}) {
      const Placement p = decodeDates(*line, dg, k, date_order, b);
      if (p.gain > first.gain) first = p, first_cap = line->cap * f;
    }
  }
  if (first.gain <= 0) return std::nullopt;
  // (2) The blur (Gaussian or motion) and size under which that value fits best;
  // (3) every value again under it.
  // Twice when the value changes under the fitted blur.
  Fit fit = fitBlur(*line, font, first.text, first.x, first.y, first_cap);
  Best best;
  for (int round = 0; round < 2; ++round) {
    best = Best();
    const Placement p = decodeDates(*line, dateGlyphs(font, date_order, fit.cap), fit.k, date_order, best);
    if (best.top.empty()) return std::nullopt;
    if (p.text == first.text || round == 1) break;
    first = p;
    fit = fitBlur(*line, font, p.text, p.x, p.y, fit.cap);
  }
  // Another source's values (ISO dates), printed in each of the order's
  // formats, judged with the values found: each at its own best place, blur
  // and size (rescore), so that a hint wins only where its rendering
  // explains the ink better than every value the line gave.
  for (const std::string& h : hints) {
    int yy = 0, mm = 0, dd = 0;
    if (h.size() != 10 || std::sscanf(h.c_str(), "%4d-%2d-%2d", &yy, &mm, &dd) != 3 || yy < 1900 || yy > 2099 ||
        !validDay(dd, mm))
      continue;
    for (const Format& f : dateGlyphs(font, date_order, fit.cap).formats)
      if (!f.month || f.month == mm) best.top.push_back({0, printed(f, dd, mm, yy, date_order)});
  }
  best = rescore(best, *line, font, fit);
  if (best.top.empty()) return std::nullopt;
  Reading r = finish(best, *line, fit.k, cap_px / kCap);
  r.cap_px = fit.cap * cap_px / kCap;
  return r;
}

// readLetter searches every blur and size for each letter of at most this
// many (a sex's M, F, X); more are shortlisted first.
constexpr std::size_t kFullSearchLetters = 3;

std::optional<Reading> readLetter(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& letters,
                                  const std::string& font_path) {
  const std::optional<Line> line = prepare(grey_line, cap_px);
  if (!line || letters.empty()) return std::nullopt;
  text::Font& font = text::fontFor(font_path);
  const int want = line->centre_row - (topOf(kCap) - static_cast<int>(std::lround(kCap / 2)));
  const int reach = static_cast<int>(std::lround(kCap / 3));
  // The most ink `l` explains at `cap` under `k`, on the ink's rows.
  auto gainOf = [&](const std::string& l, double cap, const Kernel& k) {
    const int dy = (topOf(cap) - static_cast<int>(std::lround(cap / 2))) -
                   (topOf(kCap) - static_cast<int>(std::lround(kCap / 2)));
    const Map m = mapOf(*line, blurBy(render(font, l, cap).cov, k));
    const int y0 = std::max(0, want - dy - reach), y1 = std::min(m.d.rows - 1, want - dy + reach);
    if (m.d.empty() || m.e <= 0 || y1 < y0) return -1.0;
    double mx = 0;
    cv::minMaxLoc(m.d.rowRange(y0, y1 + 1), nullptr, &mx);
    return mx > 0 ? mx * mx / m.e : -1.0;
  };
  Best best;
  Kernel kbest;
  double gbest = -1, cap_best = kCap;
  auto consider = [&](const std::string& l, double cap, const Kernel& k) {
    const double gain = gainOf(l, cap, k);
    if (gain <= 0) return;
    best.add(gain, l);
    if (gain > gbest) gbest = gain, kbest = k, cap_best = cap;
  };
  if (letters.size() <= kFullSearchLetters) {
    // Each letter at its best size, blur and place.
    for (double f : kFirstSizes)
      for (const std::string& l : letters)
        for (const Kernel& k : allKernels()) consider(l, line->cap * f, k);
  } else {
    // Many letters (a type letter's 26; the full search costs 87
    // correlations a letter, 400 ms for 26): each at the line's size under
    // two Gaussian blurs; the two that explain most ink each at its best
    // blur (every one at the line's size) and size (the three under that
    // blur): the reading and its rival; the next two judged under the blur
    // and size fitted so far, at three sizes around it.
    Best first;
    for (const std::string& l : letters)
      for (const Kernel& k : {Kernel{1.2, 0, 0}, Kernel{2.6, 0, 0}})
        if (const double g = gainOf(l, line->cap, k); g > 0) first.add(g, l);
    for (std::size_t i = 0; i < first.top.size() && i < 2; ++i) {
      Kernel own;
      double g_own = -1;
      for (const Kernel& k : allKernels())
        if (const double g = gainOf(first.top[i].text, line->cap, k); g > g_own) g_own = g, own = k;
      for (double f : kFirstSizes) consider(first.top[i].text, line->cap * f, own);
    }
    const Kernel k = kbest;
    const double around = cap_best;
    for (std::size_t i = 2; i < first.top.size(); ++i)
      for (double f : {0.97, 1.0, 1.03}) consider(first.top[i].text, around * f, k);
  }
  if (best.top.empty()) return std::nullopt;
  Reading r = finish(best, *line, kbest, cap_px / kCap);
  r.cap_px = cap_best * cap_px / kCap;
  return r;
}

namespace {

// readCode and readText: the path over `chars`, then whole edits, `marked`
// letters tried in place of their base letters and back.
std::optional<Reading> readString(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                  const std::vector<std::pair<std::string, std::string>>& marked,
                                  const std::string& font_path, bool summed,
                                  const std::function<std::string(const std::string&)>& same,
                                  const std::vector<std::string>& hints, double mixed) {
  const std::optional<Line> line = prepare(grey_line, cap_px);
  if (!line || chars.empty()) return std::nullopt;
  text::Font& font = text::fontFor(font_path);
  // (1) A Gaussian blur at about the capital height the ink shows: a first value and its place.
  Placement first;
  double first_cap = line->cap;
  for (double f : {0.96, 1.04}) {
    Best b;
    const Placement p = decodeCode(*line, codeGlyphs(font, chars, line->cap * f, {1.8, 0, 0}, mixed), b, -1, 1);
    if (p.gain > first.gain) first = p, first_cap = line->cap * f;
  }
  if (first.gain <= 0) return std::nullopt;
  // (2) The blur and size under which it fits best; (3) the line decoded again under it.
  const Fit fit = fitBlur(*line, font, first.text, first.x, first.y, first_cap);
  Best found;
  const int dy = (topOf(fit.cap) - static_cast<int>(std::lround(fit.cap / 2))) -
                 (topOf(first_cap) - static_cast<int>(std::lround(first_cap / 2)));
  // The glyphs under that blur and size, for the path and the edits alike.
  const CodeGlyphs cg = codeGlyphs(font, chars, fit.cap, fit.k, mixed);
  const Placement p = decodeCode(*line, cg, found, first.y - dy);
  if (found.top.empty()) return std::nullopt;
  // (4) The path's choices were made with each character's overlap with its
  // predecessor only and at rounded places: the string is improved whole, one
  // edit at a time (a character changed, dropped, or two made one: a blurred
  // 0 is nearly two I's), each candidate rendered whole and placed freely
  // near the path's place, until no edit explains more ink. The last round's
  // edits are the rivals.
  // A string's whole rendering, blurred. Free text: its blurred characters
  // added at their places (to a quarter pixel), each blurred once: the blur
  // is linear, and a name of 25 letters drawn and blurred anew for every
  // edit cost seconds (where two glyphs' ink overlaps, the sum differs).
  std::map<std::pair<std::string, int>, std::pair<cv::Mat, double>> placed;  // (character, quarter) -> blurred, advance
  auto glyphAt = [&](const std::string& c, int quarter) -> const std::pair<cv::Mat, double>& {
    auto [it, fresh] = placed.try_emplace({c, quarter});
    if (fresh) {
      const Glyph gl = render(font, c, fit.cap, quarter / 4.0);
      it->second = {blurBy(gl.cov, fit.k), gl.advance};
    }
    return it->second;
  };
  auto rendered = [&](const std::string& t) -> cv::Mat {
    if (!summed) return blurBy(render(font, t, fit.cap).cov, fit.k);
    std::vector<std::pair<std::string, double>> at;  // each character and its pen
    double pen = 0;
    for (std::size_t i = 0; i < t.size();) {
      const std::size_t len = utf8::charLength(t, i);
      at.emplace_back(t.substr(i, len), pen);
      pen += glyphAt(t.substr(i, len), 0).second;
      i += len;
    }
    cv::Mat out(heightOf(fit.cap), static_cast<int>(std::ceil(pen)) + 2 * kMargin + 4, CV_32F, cv::Scalar(0));
    for (const auto& [c, x] : at) {
      int ox = static_cast<int>(std::floor(x)), q = static_cast<int>(std::lround((x - ox) * 4));
      if (q == 4) ++ox, q = 0;
      const cv::Mat& b = glyphAt(c, q).first;
      const cv::Rect r = cv::Rect(ox, 0, b.cols, b.rows) & cv::Rect(0, 0, out.cols, out.rows);
      out(r) += b(cv::Rect(0, 0, r.width, r.height));
    }
    return out;
  };
  auto whole = [&](const std::string& t) {
    if (t.empty()) return -1.0;
    const double gain = gainNear(*line, rendered(t), p.x, p.y, 3, 2);
    if (mixed <= 0 || gain <= 0) return gain;
    // As along the path: a letter beside a digit costs a share of a glyph's part of the gain.
    const int glyphs = static_cast<int>(std::count_if(t.begin(), t.end(), [](char c) {
      return c != ' ' && !utf8::continuation(static_cast<unsigned char>(c));
    }));
    return gain * (1 - mixed * mixes(t) / std::max(1, glyphs));
  };
  // Each character's likes: the kLike whose blurred glyphs correlate best
  // with its own; the characters a pair may be: those about as wide as both.
  constexpr std::size_t kLike = 8;
  const std::size_t n = chars.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < n; ++c) index[chars[c]] = c;
  std::vector<std::vector<std::size_t>> like(n);
  std::vector<double> self(n);
  for (std::size_t c = 0; c < n; ++c) self[c] = cross(cg.blurred[c], cg.blurred[c], 0);
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<std::pair<double, std::size_t>> r;
    for (std::size_t o = 0; o < n; ++o)
      if (o != c) {
        const double v = cross(cg.blurred[c], cg.blurred[o], 0) + cross(cg.blurred[o], cg.blurred[c], 0);
        r.emplace_back(v / 2 / std::sqrt(self[c] * self[o] + 1e-9), o);
      }
    std::sort(r.begin(), r.end(), std::greater<>());
    for (std::size_t i = 0; i < r.size() && i < kLike; ++i) like[c].push_back(r[i].second);
  }
  std::vector<std::vector<std::vector<std::size_t>>> wide(n, std::vector<std::vector<std::size_t>>(n));
  for (std::size_t c1 = 0; c1 < n; ++c1)
    for (std::size_t c2 = 0; c2 < n; ++c2)
      for (std::size_t c = 0; c < n; ++c)
        if (std::abs(cg.advance[c] - cg.advance[c1] - cg.advance[c2]) < 0.25 * (cg.advance[c1] + cg.advance[c2]))
          wide[c1][c2].push_back(c);
  std::multimap<std::string, std::string> marks_of;  // a base letter's marked forms
  std::map<std::string, std::string> base_of;
  for (const auto& [m, b] : marked) marks_of.emplace(b, m), base_of[m] = b;
  // Free text: a path mostly of strokes is no reading (and its edits would cost seconds).
  if (summed && strokes(p.text) > kMostlyStrokes) return std::nullopt;
  std::string cur = p.text;
  double g = whole(cur);
  // The edits' cost grows with the square of the string's length (each
  // place's edits, each rendered whole): past kEditWork characters rendered
  // in all there is no reading (its rivals were not all tried, so its margin
  // would mean nothing). On bench/ocr.sh's blurred photos every code taken
  // (at most 12 characters) used under 10400; a 26-character misreading of
  // an empty region used 52650 (seconds). With names and free text read
  // this way too, the limit changed no reading of that set (3129 fields).
  constexpr std::size_t kEditWork = 16000;
  std::size_t work = 0;
  bool exhausted = false;
  // Another reader's strings start the edits when they explain more ink.
  for (const std::string& h : hints)
    if (const double v = whole(h); v > g) g = v, cur = h;
  Best best;
  for (int round = 0; round < 3; ++round) {
    best = Best();
    if (same) best.key = &same;
    best.add(g, cur);
    std::string next = cur;
    double ng = g;
    auto consider = [&](std::string t) {
      // Blanks render nothing: one between words, none at the ends (the same ink twice is no rival).
      for (std::size_t i; (i = t.find("  ")) != std::string::npos;) t.erase(i, 1);
      while (!t.empty() && t.front() == ' ') t.erase(0, 1);
      while (!t.empty() && t.back() == ' ') t.pop_back();
      if (t == cur) return;
      if (work + t.size() > kEditWork) {
        exhausted = true;
        return;
      }
      work += t.size();
      const double v = whole(t);
      best.add(v, t);
      if (v > ng) ng = v, next = t;
    };
    std::vector<std::size_t> at;  // each character's first byte
    for (std::size_t i = 0; i < cur.size(); i += utf8::charLength(cur, i)) at.push_back(i);
    at.push_back(cur.size());
    for (std::size_t k = 0; k + 1 < at.size(); ++k) {
      const std::string head = cur.substr(0, at[k]), one = cur.substr(at[k], at[k + 1] - at[k]);
      const std::string tail = cur.substr(at[k + 1]);
      if (at.size() > 2) consider(head + tail);
      const auto ci = index.find(one);
      if (ci != index.end())
        for (const std::size_t c : like[ci->second]) consider(head + chars[c] + tail);
      // A letter with its mark, or without it, or with another one.
      const auto b = base_of.find(one);
      const std::string base = b != base_of.end() ? b->second : one;
      if (b != base_of.end()) consider(head + base + tail);
      for (auto [m, end] = marks_of.equal_range(base); m != end; ++m)
        if (m->second != one) consider(head + m->second + tail);
      if (k + 2 < at.size()) {
        const auto c2 = index.find(cur.substr(at[k + 1], at[k + 2] - at[k + 1]));
        if (ci != index.end() && c2 != index.end())
          for (const std::size_t c : wide[ci->second][c2->second]) consider(head + chars[c] + cur.substr(at[k + 2]));
      }
    }
    if (exhausted) return std::nullopt;
    if (next == cur) break;
    cur = next, g = ng;
  }
  // The other reader's strings are rivals too.
  for (const std::string& h : hints) best.add(whole(h), h);
  if (summed && strokes(best.top[0].text) > kHalfStrokes) return std::nullopt;
  Reading r = finish(best, *line, fit.k, cap_px / kCap);
  r.cap_px = fit.cap * cap_px / kCap;
  return r;
}

}  // namespace

std::optional<Reading> checkLookAlikes(const cv::Mat& grey_line, double cap_px, const std::string& text,
                                       const std::vector<std::string>& chars, const std::string& font_path,
                                       const std::vector<std::string>& classes) {
  static const std::vector<std::string> kLookAlikes{"S5", "B8", "0ODQ", "1I", "Z27", "G6"};
  const std::vector<std::string>& kClasses = classes.empty() ? kLookAlikes : classes;
  auto allowed = [&](char c) { return std::find(chars.begin(), chars.end(), std::string(1, c)) != chars.end(); };
  if (text.empty() || std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    return std::nullopt;
  std::vector<std::string> own;
  std::vector<std::vector<std::string>> others;
  for (const char c : text) {
    own.emplace_back(1, c);
    others.emplace_back();
    for (const std::string& cls : kClasses)
      if (cls.find(c) != std::string::npos)
        for (const char o : cls)
          if (o != c && allowed(o)) others.back().emplace_back(1, o);
  }
  return checkCharacters(grey_line, cap_px, own, others, font_path);
}

namespace {

// Where a first place is looked for (times Line::cap), and how far the
// string slides from it: checkCharacters' near search, then its wide one.
struct Search {
  std::array<double, 3> sizes;
  int slide_x, slide_y;
};
constexpr Search kNearSearch{{0.96, 1.0, 1.04}, 3, 2};
constexpr Search kWideSearch{kFirstSizes, kSlideX, kSlideY};
// A check whose rendering explains less of the line's ink than this (id-ocr's
// kGlyphFit: its readings then say nothing) is searched again widely.
constexpr double kWideSearchBelow = 0.8;

// checkCharacters on a prepared line, the string's first place found by `search`.
std::optional<Reading> checkOn(const Line& line, text::Font& font, const std::vector<std::string>& chars,
                               const std::vector<std::vector<std::string>>& others, double cap_px, bool streaks,
                               const Search& search) {
  std::string text;
  for (const std::string& c : chars) text += c;
  // The string's place at about the capital height the ink shows, under a middling blur.
  Placement first;
  double first_cap = line.cap;
  for (double f : search.sizes) {
    const Map m = mapOf(line, blurBy(render(font, text, line.cap * f).cov, {1.8, 0, 0}));
    if (m.d.empty() || m.e <= 0) continue;
    double mx = 0;
    cv::Point at;
    cv::minMaxLoc(m.d, nullptr, &mx, nullptr, &at);
    if (mx > 0 && mx * mx / m.e > first.gain) first = {mx * mx / m.e, at.x, at.y, text}, first_cap = line.cap * f;
  }
  if (first.gain <= 0) return std::nullopt;
  // Gaussians only unless `streaks`: the streaks cost five times as much,
  // and a line whose blur they fit better is left as read (its fit stays low).
  // With streaks (a date's digits judged each against the other nine), the
  // blur found is fitted again between its grid neighbours (kernelsNear): a
  // streak between the grid's angles or lengths left a right digit's cell
  // badly explained, and its margin over the other digits under
  // kSureDigitMargin (td3-photo-s9191-0122's 8 of 1998: 0.23, fit 0.93 ->
  // 0.51, fit 0.96).
  Fit coarse = fitBlurAmong(line, font, text, first.x, first.y, first_cap, streaks ? allKernels() : gaussians(),
                            {0.96, 1.0, 1.04}, first_cap);
  if (streaks && coarse.k.length > 0)
    if (const Fit near = fitBlurAmong(line, font, text, first.x, first.y, first_cap, kernelsNear(coarse.k), {1.0},
                                      coarse.cap);
        near.gain > coarse.gain)
      coarse = near;
  const Fit fine = fitBlurAmong(line, font, text, first.x, first.y, first_cap, {coarse.k}, {0.98, 0.99, 1.01, 1.02},
                                coarse.cap);
  const Fit fit = fine.gain > coarse.gain ? fine : coarse;
  // The whole string under that blur and size, at its best place near the first one.
  const cv::Mat whole = blurBy(render(font, text, fit.cap).cov, fit.k);
  const int dy = (topOf(fit.cap) - static_cast<int>(std::lround(fit.cap / 2))) -
                 (topOf(first_cap) - static_cast<int>(std::lround(first_cap / 2)));
  cv::Point at(first.x, first.y - dy);
  {
    const int sx = search.slide_x, sy = search.slide_y;
    const cv::Rect roi = cv::Rect(at.x - sx, at.y - sy, whole.cols + 2 * sx, whole.rows + 2 * sy) &
                         cv::Rect(0, 0, line.ink.cols, line.ink.rows);
    if (roi.width < whole.cols || roi.height < whole.rows) return std::nullopt;
    cv::Point p;
    cv::minMaxLoc(correlateNear(line.ink(roi), whole), nullptr, nullptr, nullptr, &p);
    at = roi.tl() + p;
  }
  // Each character blurred alone at its pen place: the string is their sum
  // (the blur is linear), and one character's glyph is swapped for a
  // look-alike's in place, the rest where they are. A look-alike is judged
  // where it is printed: rendered whole, a string whose letters and digits
  // differ in advance moves its tail (the print's advances are hinted), and
  // a wider S in place of a 5 was taken for the better fit of what follows.
  struct Placed {
    cv::Mat b;
    int x = 0;
  };
  struct Blurred {
    cv::Mat b;
    double advance = 0;
  };
  std::map<std::string, Blurred> glyphs_blurred;  // each character rendered and blurred once
  auto glyphOf = [&](const std::string& c) -> const Blurred& {
    auto [it, fresh] = glyphs_blurred.try_emplace(c);
    if (fresh) {
      const Glyph g = render(font, c, fit.cap);
      it->second = {blurBy(g.cov, fit.k), g.advance};
    }
    return it->second;
  };
  std::vector<Placed> placed;
  cv::Mat sum(line.ink.size(), CV_32F, cv::Scalar(0));
  auto addAt = [&](cv::Mat& canvas, const cv::Mat& b, int x, int y, double w) {
    const cv::Rect r = cv::Rect(x, y, b.cols, b.rows) & cv::Rect(0, 0, canvas.cols, canvas.rows);
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat part = canvas(r);
    cv::scaleAdd(b(cv::Rect(r.x - x, r.y - y, r.width, r.height)), w, part, part);
  };
  double pen = 0;
  for (const std::string& c : chars) {
    const Blurred& g = glyphOf(c);
    placed.push_back({g.b, at.x + static_cast<int>(std::lround(pen))});
    addAt(sum, placed.back().b, placed.back().x, at.y, 1);
    pen += g.advance;
  }
  const double se = sum.dot(sum);
  if (se <= 0) return std::nullopt;
  const double level = line.ink.dot(sum) / se;  // the ink level
  if (!(level > 0)) return std::nullopt;
  std::vector<std::string> out = chars, rival;
  double worst = kNoRival;  // the smallest margin of a character kept or changed
  Reading r;
  r.char_margin.assign(chars.size(), 0);
  r.char_rival.assign(chars.size(), std::string());
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (others[i].empty()) continue;
    // The window: this character's cell and a third of a glyph either side.
    const int cell = placed[i].b.cols - 2 * kMargin;
    const cv::Rect win = cv::Rect(placed[i].x + kMargin - cell / 3, at.y, cell + 2 * cell / 3, placed[i].b.rows) &
                         cv::Rect(0, 0, line.ink.cols, line.ink.rows);
    if (win.width <= 0 || win.height <= 0) continue;
    cv::Mat rest = sum(win).clone();
    addAt(rest, placed[i].b, placed[i].x - win.x, at.y - win.y, -1);
    // The residual in the window with `c` at its place, slid up to 2 px.
    auto residual = [&](const std::string& c) {
      double best_r = std::numeric_limits<double>::infinity();
      for (int s = -2; s <= 2; ++s) {
        cv::Mat t = rest.clone();
        addAt(t, glyphOf(c).b, placed[i].x + s - win.x, at.y - win.y, 1);
        cv::Mat diff = line.ink(win) - level * t;
        best_r = std::min(best_r, diff.dot(diff));
      }
      return best_r;
    };
    const double own = residual(chars[i]);
    double alt = std::numeric_limits<double>::infinity();
    std::string alt_c = chars[i];
    for (const std::string& o : others[i])
      if (const double r = residual(o); r < alt) alt = r, alt_c = o;
    const double lower = std::min(own, alt), higher = std::max(own, alt);
    const double m = std::clamp((higher - lower) / std::max(lower, 1e-6 * line.energy), 0.0, kNoRival);
    if (alt < own) out[i] = alt_c;
    r.char_margin[i] = m;
    r.char_rival[i] = alt < own ? chars[i] : alt_c;
    if (m < worst) {
      worst = m;
      rival = out;
      rival[i] = alt < own ? chars[i] : alt_c;
    }
  }
  for (const std::string& c : out) r.text += c;
  for (const std::string& c : rival) r.rival += c;
  r.char_taken = std::move(out);
  r.margin = worst;
  const double explained = 2 * level * line.ink.dot(sum) - level * level * se;
  r.fit = std::clamp(explained / line.energy, 0.0, 1.0);
  r.sigma = fit.k.sigma * cap_px / kCap, r.motion_px = fit.k.length * cap_px / kCap, r.motion_deg = fit.k.angle;
  r.cap_px = fit.cap * cap_px / kCap;
  return r;
}

}  // namespace

namespace {

// checkCharacters, also when nothing is to be tried (fitString).
std::optional<Reading> checkPlaced(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                   const std::vector<std::vector<std::string>>& others, const std::string& font_path,
                                   bool streaks) {
  if (chars.empty() || others.size() != chars.size()) return std::nullopt;
  const std::optional<Line> line = prepare(grey_line, cap_px);
  if (!line) return std::nullopt;
  text::Font& font = text::fontFor(font_path);
  std::optional<Reading> r = checkOn(*line, font, chars, others, cap_px, streaks, kNearSearch);
  // A first place found near the rows' height may leave the print's size out
  // of reach (the rows overstate a blurred line's capitals: kFirstSizes), and
  // the string placed off where its fit was measured: searched again over
  // readDate's sizes, the string slid as far as the fit was (kSlideX,
  // kSlideY), and the reading that explains more ink kept.
  if (!r || r->fit < kWideSearchBelow)
    if (std::optional<Reading> wide = checkOn(*line, font, chars, others, cap_px, streaks, kWideSearch);
        wide && (!r || wide->fit > r->fit))
      r = std::move(wide);
  return r;
}

}  // namespace

std::optional<Reading> checkCharacters(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                       const std::vector<std::vector<std::string>>& others,
                                       const std::string& font_path, bool streaks) {
  if (std::all_of(others.begin(), others.end(), [](const auto& o) { return o.empty(); })) return std::nullopt;
  return checkPlaced(grey_line, cap_px, chars, others, font_path, streaks);
}

std::optional<Reading> fitString(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                 const std::string& font_path) {
  return checkPlaced(grey_line, cap_px, chars, std::vector<std::vector<std::string>>(chars.size()), font_path, false);
}

std::optional<Reading> checkDate(const cv::Mat& grey_line, double cap_px, const std::string& iso,
                                 std::string_view date_order, const std::string& font_path,
                                 const std::string& reference) {
  int yy = 0, mm = 0, dd = 0;
  if (iso.size() != 10 || std::sscanf(iso.c_str(), "%4d-%2d-%2d", &yy, &mm, &dd) != 3 || yy < 1900 || yy > 2099 ||
      !validDay(dd, mm) || (date_order != "DMY" && date_order != "MDY"))
    return std::nullopt;
  // Each printed form (printed(): the numeric one, and for DMY the one with
  // the month's word): its characters, and for each the index in `iso` it
  // prints (-1: none). Its digits are the day, month and year in the order
  // the form prints them; a month's word holds no digit.
  struct Form {
    std::vector<std::string> chars;
    std::vector<int> at;
  };
  std::vector<Form> forms;
  for (const int word : date_order == "MDY" ? std::vector<int>{0} : std::vector<int>{0, mm}) {
    Format format;
    format.month = word;
    const std::string text = printed(format, dd, mm, yy, date_order);
    const std::string_view roles = word ? "ddyyyy" : date_order == "MDY" ? "mmddyyyy" : "ddmmyyyy";
    Form f;
    std::size_t role = 0;
    int seen_d = 0, seen_m = 0, seen_y = 0;
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t len = utf8::charLength(text, i);
      f.chars.push_back(text.substr(i, len));
      int at = -1;
      if (len == 1 && text[i] >= '0' && text[i] <= '9' && role < roles.size()) {
        const char r = roles[role++];
        at = r == 'd' ? 8 + seen_d++ : r == 'm' ? 5 + seen_m++ : seen_y++;
      }
      f.at.push_back(at);
      i += len;
    }
    forms.push_back(std::move(f));
  }
  std::optional<Reading> best;
  const Form* best_form = nullptr;
  for (const Form& f : forms) {
    std::vector<std::vector<std::string>> others(f.chars.size());
    for (std::size_t i = 0; i < f.chars.size(); ++i)
      if (const int at = f.at[i]; at >= 0) {
        const auto k = static_cast<std::size_t>(at);
        if (reference.size() == iso.size() && reference[k] != iso[k]) {
          others[i].emplace_back(1, reference[k]);
          continue;
        }
        for (char c = '0'; c <= '9'; ++c)
          if (c != f.chars[i][0]) others[i].emplace_back(1, c);
      }
    std::optional<Reading> r = checkCharacters(grey_line, cap_px, f.chars, others, font_path, true);
    if (r && (!best || r->fit > best->fit)) best = std::move(r), best_form = &f;
  }
  if (!best) return std::nullopt;
  Reading out = *best;
  out.char_taken.clear();  // the form's characters, not the date's
  out.char_margin.assign(iso.size(), 0);
  out.char_rival.assign(iso.size(), std::string());
  std::size_t pos = 0;  // into out.text, as checked (one digit may have changed)
  for (std::size_t i = 0; i < best_form->chars.size(); ++i) {
    const std::size_t len = utf8::charLength(out.text, pos);
    const std::string seen = out.text.substr(pos, len);
    pos += len;
    const int at = best_form->at[i];
    if (at < 0) continue;
    const auto k = static_cast<std::size_t>(at);
    if (seen == best_form->chars[i]) {
      out.char_margin[k] = best->char_margin[i];
      out.char_rival[k] = best->char_rival[i];
    } else {
      out.char_rival[k] = seen;
    }
  }
  return out;
}

std::optional<Reading> readCode(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                const std::string& font_path, const std::vector<std::string>& hints) {
  return readString(grey_line, cap_px, chars, {}, font_path, false, {}, hints, 0);
}

std::optional<Reading> readText(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                const std::vector<std::pair<std::string, std::string>>& marked,
                                const std::string& font_path,
                                const std::function<std::string(const std::string&)>& same,
                                const std::vector<std::string>& hints, double mixed) {
  return readString(grey_line, cap_px, chars, marked, font_path, true, same, hints, mixed);
}

// Built twice, for AVX2 and for any x86-64, the one the processor runs
// chosen at load time: the products of floats are exact in double either
// way, only their sum's order differs.
__attribute__((target_clones("avx2", "default"))) cv::Mat correlateNear(const cv::Mat& image, const cv::Mat& templ) {
  CV_Assert(image.type() == CV_32FC1 && templ.type() == CV_32FC1);
  if (templ.empty() || templ.cols > image.cols || templ.rows > image.rows) return {};
  cv::Mat out(image.rows - templ.rows + 1, image.cols - templ.cols + 1, CV_32F, cv::Scalar(0));
  // The template's inked box: a rendering's margins are mostly zeros.
  int r0 = templ.rows, r1 = -1, c0 = templ.cols, c1 = -1;
  for (int r = 0; r < templ.rows; ++r) {
    const float* t = templ.ptr<float>(r);
    for (int c = 0; c < templ.cols; ++c)
      if (t[c] != 0) r0 = std::min(r0, r), r1 = r, c0 = std::min(c0, c), c1 = std::max(c1, c);
  }
  if (r1 < 0) return out;
  const int w = c1 - c0 + 1;
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x) {
      // Eight partial sums (the order of a double sum of float products does
      // not reach the float the value is rounded to, and lets the loop vectorise).
      double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (int r = r0; r <= r1; ++r) {
        const float* a = image.ptr<float>(y + r) + x + c0;
        const float* t = templ.ptr<float>(r) + c0;
        int i = 0;
        for (; i + 8 <= w; i += 8)
          for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(a[i + j]) * t[i + j];
        for (; i < w; ++i) acc[0] += static_cast<double>(a[i]) * t[i];
      }
      out.at<float>(y, x) =
          static_cast<float>(((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
    }
  return out;
}

}  // namespace idkit::ocr::glyphs
