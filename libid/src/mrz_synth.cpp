// Reading a blurred MRZ line by synthesis (see mrz_synth.hpp).
//
// The classifier learned its glyphs with some blur, but a line blurred past
// that (a defocused photo, a small thumbnail scaled up, a shaken hand) runs
// each glyph into its neighbours and the classifier's features of one cell
// hold its neighbours' ink. OCR-B is fixed pitch and the reader knows every
// cell once it has cut the line, so the line can be drawn: the glyphs of a
// reading, blurred as the photo is, should explain the ink, and a cell's
// right symbol is the one whose blurred glyph, with the neighbours drawn
// as read, leaves the least ink unexplained.
#include "mrz_synth.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <idkit/ocrb.hpp>

namespace idkit::mrz::detail {

namespace {

// One symbol drawn as ink (0 paper, 1 ink) at the strip's text height.
struct Glyph {
  cv::Mat ink;         // CV_32F
  float centre = 0;    // x of the cell's centre
  float top = 0;       // y of the top of the tallest glyphs
  float pitch = 1;     // the font's advance
};

const std::array<Glyph, ocrb::kClasses>& glyphs() {
  static const std::array<Glyph, ocrb::kClasses> all = [] {
    std::array<Glyph, ocrb::kClasses> out;
    for (int k = 0; k < ocrb::kClasses; ++k) {
      const auto r = ocrb::renderLine(std::string(1, ocrb::kAlphabet[static_cast<std::size_t>(k)]), ocrb::kTextHeight, 6);
      Glyph& g = out[static_cast<std::size_t>(k)];
      r.gray.convertTo(g.ink, CV_32F, -1.0 / 255.0, 1.0);
      g.centre = r.left + 0.5f * r.pitch;
      g.top = r.top;
      g.pitch = r.pitch;
    }
    return out;
  }();
  return all;
}

// Adds glyph k to `canvas` with its cell centre at x = centre, its cell
// `width` wide, shifted down by dy.
void drawGlyph(cv::Mat& canvas, int k, float centre, float width, float dy, float hs = 1, float ws = 1) {
  const Glyph& g = glyphs()[static_cast<std::size_t>(k)];
  const float s = ws * width / g.pitch;
  // Only the columns the glyph can reach are warped.
  const int x0 = std::clamp(static_cast<int>(std::floor(centre - 0.8f * width)), 0, canvas.cols);
  const int x1 = std::clamp(static_cast<int>(std::ceil(centre + 0.8f * width)) + 1, 0, canvas.cols);
  if (x1 <= x0) return;
  const cv::Matx23f m(s, 0, centre - static_cast<float>(x0) - s * g.centre, 0, hs, static_cast<float>(ocrb::kStripTop) + dy - hs * g.top);
  cv::Mat roi = canvas(cv::Rect(x0, 0, x1 - x0, canvas.rows)), placed;
  cv::warpAffine(g.ink, placed, m, roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  roi += placed;
}

cv::Mat blurred(const cv::Mat& m, float sx, float sy) {
  cv::Mat out;
  cv::GaussianBlur(m, out, cv::Size(0, 0), sx, sy, cv::BORDER_CONSTANT);
  return out;
}

// Least squares ink ~ a * model + b over columns x0..x1.
struct Fit {
  double a = 0, b = 0, sse = std::numeric_limits<double>::max(), total = 1, n = 1;
};
// With `hidden` (CV_8U), its set pixels are left out.
Fit fitLevels(const cv::Mat& ink, const cv::Mat& model, int x0, int x1, const cv::Mat& hidden = cv::Mat()) {
  double n = 0, sm = 0, si = 0, smm = 0, smi = 0, sii = 0;
  for (int y = 0; y < ink.rows; ++y) {
    const float* pi = ink.ptr<float>(y);
    const float* pm = model.ptr<float>(y);
    const uchar* ph = hidden.empty() ? nullptr : hidden.ptr<uchar>(y);
    for (int x = x0; x < x1; ++x) {
      if (ph && ph[x]) continue;
      const double i = pi[x], m = pm[x];
      n += 1, sm += m, si += i, smm += m * m, smi += m * i, sii += i * i;
    }
  }
  Fit f;
  const double det = n * smm - sm * sm;
  if (n < 1 || det <= 1e-9) return f;
  f.a = (n * smi - sm * si) / det;
  f.b = (si - f.a * sm) / n;
  f.sse = std::max(0.0, sii - f.a * smi - f.b * si);
  f.total = std::max(1e-9, sii - si * si / n);
  f.n = n;
  return f;
}

// How many strip pixels of a blurred line carry one pixel's worth of
// independent evidence: neighbouring pixels of a blurred strip share their
// noise, and the residuals of a symbol's score would be overconfident
// counted one by one. (2 and 20 read the same zones of the seed 7 cards.)
constexpr double kEvidenceScale = 6.0;

// Where a symbol is tried about its cell's centre (shares of the pitch):
// the cut places cells to a pixel or two, and a glyph drawn beside its ink
// explains less of it than a wrong glyph drawn on it.
constexpr std::array<float, 3> kShifts{-0.08f, 0.0f, 0.08f};

// coveredRegion: darker than the paper by kCoverDepth of the paper-to-ink
// range, wider everywhere than kCoverWidth of a pitch (OCR-B strokes are
// about a seventh), and kCoverArea glyphs large.
constexpr double kCoverDepth = 0.15;
constexpr float kCoverWidth = 0.45f;
constexpr double kCoverArea = 0.4;
// ... and its grey's deviation under kCoverEven of that range.
constexpr double kCoverEven = 0.12;
// On a blurred line, its part kCoverFarRows or more past the text rows
// kCoverPastArea glyphs large: td3-photo-s269-0051's thumb 0.66, where the
// blurred glyphs' rims reach 2-4 rows past the text (a real passport's
// run of joined glyphs, passporteye-27_pass-gbr, 0.01 of a glyph there).
constexpr int kCoverFarRows = 4;
constexpr double kCoverPastArea = 0.25;
// ... and that part darker than the line's paper by kCoverFarDepth of the
// paper-to-ink range: the thumb 0.40; the even shade past a light's edge
// over a real passport's fillers (passporteye-100_pass-bdr) 0.10.
constexpr double kCoverFarDepth = 0.25;
// A block whose paper is fewer grey levels than this above the line's ink
// shows too little contrast to tell a thumb's shade from the paper's.
constexpr double kCoverContrast = 40;
// fadedCells: a cell's paper-to-ink range under kFadedRange of the median
// cell's, its paper no darker than the median cell's by kFadedDim of that
// range (glare lifts it, where paper is not white already; shade and light
// falling off lower paper and ink alike).
constexpr double kFadedRange = 0.6;
constexpr double kFadedDim = 0.1;
// ... but over kFadedLeast of it: a glyph still shows (blank paper beyond
// the text, or a glyph washed out wholly, has nothing to read again).
constexpr double kFadedLeast = 0.08;
// visibleCellProbs: the share of a cell's text rows that must show, and the
// least noise of a visible pixel (ink levels 0..1).
constexpr double kShownMin = 0.25;
constexpr double kVisibleNoiseFloor = 2e-3;

// The cheap test before coveredRegion's opening: a region it keeps reaches
// past the text rows, and the opening's ellipse (k rows high, its middle
// column whole) leaves a column dark for at least k / 2 + 1 rows from the
// region's top or bottom row (the ellipse may be cut by the strip's edge).
// No such column, no region: most sharp lines stop here.
bool darkReachesPastText(const cv::Mat& dark, int least) {
  const int above = ocrb::kStripTop - 2, below = ocrb::kStripBaseline + 2;
  std::vector<int> run(static_cast<std::size_t>(dark.cols), 0), start(static_cast<std::size_t>(dark.cols), 0);
  for (int y = 0; y < dark.rows; ++y) {
    const uchar* row = dark.ptr<uchar>(y);
    for (int x = 0; x < dark.cols; ++x) {
      auto& r = run[static_cast<std::size_t>(x)];
      if (!row[x]) {
        r = 0;
        continue;
      }
      if (r++ == 0) start[static_cast<std::size_t>(x)] = y;
      if (r >= least && (start[static_cast<std::size_t>(x)] < above || y >= below)) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<SynthCells> synthCells(const cv::Mat& ink, std::span<const float> centres, std::span<const float> widths,
                                     std::string_view text) {
  const int chars = static_cast<int>(centres.size());
  if (ink.type() != CV_32F || chars == 0 || widths.size() != centres.size() || text.size() != centres.size()) return std::nullopt;
  const float pitch = widths[static_cast<std::size_t>(chars / 2)];
  const int x0 = std::max(0, static_cast<int>(centres.front() - 1.2f * pitch));
  const int x1 = std::min(ink.cols, static_cast<int>(centres.back() + 1.2f * pitch));
  if (x1 - x0 < chars * pitch * 0.8f) return std::nullopt;
  std::vector<int> cls(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) cls[i] = std::max(0, ocrb::classIndex(text[i]));

  float hs = 1, ws = 1;  // the glyphs' height and width against the strip's
  auto draw = [&](float dx, float dy) {
    cv::Mat m(ink.size(), CV_32F, cv::Scalar(0));
    for (int i = 0; i < chars; ++i)
      drawGlyph(m, cls[static_cast<std::size_t>(i)], centres[static_cast<std::size_t>(i)] + dx, widths[static_cast<std::size_t>(i)], dy, hs, ws);
    return m;
  };
  // The blur, then the shift at that blur, then the blur again finer.
  float bx = 1, by = 1, bdx = 0, bdy = 0;
  Fit best;
  cv::Mat model = draw(0, 0);
  auto tryBlur = [&](const cv::Mat& m, float sx, float sy, float dx, float dy) {
    const Fit f = fitLevels(ink, blurred(m, sx, sy), x0, x1);
    if (f.a > 0 && f.sse < best.sse) best = f, bx = sx, by = sy, bdx = dx, bdy = dy;
  };
  for (float sx : {0.7f, 1.2f, 1.8f, 2.5f, 3.3f, 4.2f, 5.5f})
    for (float sy : {0.7f, 1.2f, 1.8f, 2.5f, 3.3f, 4.2f, 5.5f}) tryBlur(model, sx, sy, 0, 0);
  {
    const float sx = bx, sy = by;
    for (float dy : {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f})
      for (float dx : {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f}) {
        if (dx == 0 && dy == 0) continue;
        tryBlur(draw(dx, dy), sx, sy, dx, dy);
      }
  }
  // The strip's text height and glyph width are the cut's estimates.
  {
    const float h0 = hs, w0 = ws;
    float bh = hs, bw = ws;
    for (float h : {0.9f, 0.95f, 1.0f, 1.05f, 1.1f})
      for (float w : {0.9f, 1.0f, 1.1f}) {
        if (h == 1.0f && w == 1.0f) continue;
        hs = h0 * h, ws = w0 * w;
        const double before = best.sse;
        tryBlur(draw(bdx, bdy), bx, by, bdx, bdy);
        if (best.sse < before) bh = hs, bw = ws;
      }
    hs = bh, ws = bw;
  }
  model = draw(bdx, bdy);
  {
    const float sx = bx, sy = by;
    for (float fx : {0.85f, 1.0f, 1.18f})
      for (float fy : {0.85f, 1.0f, 1.18f})
        if (fx != 1 || fy != 1) tryBlur(model, sx * fx, sy * fy, bdx, bdy);
  }
  if (best.a <= 0 || best.sse == std::numeric_limits<double>::max()) return std::nullopt;
  SynthCells out;
  out.sigma_x = bx, out.sigma_y = by;
  out.explained = 1.0 - best.sse / best.total;
  out.probs = cv::Mat(chars, ocrb::kClasses, CV_32F);
  const int pad = static_cast<int>(std::ceil(3.5f * std::max(bx, by))) + 2;
  // Two rounds: the second draws the neighbours as the first read them.
  for (int round = 0; round < 2; ++round) {
    const cv::Mat full = blurred(draw(bdx, bdy), bx, by);
    std::vector<int> next = cls;
    std::vector<std::array<double, ocrb::kClasses>> sse(static_cast<std::size_t>(chars));
    std::vector<double> least(static_cast<std::size_t>(chars), std::numeric_limits<double>::max());
    std::vector<double> perPixel;
    for (int i = 0; i < chars; ++i) {
      const float c = centres[static_cast<std::size_t>(i)] + bdx, w = widths[static_cast<std::size_t>(i)];
      const int wx0 = std::max(0, static_cast<int>(c - 1.3f * w)), wx1 = std::min(ink.cols, static_cast<int>(c + 1.3f * w) + 1);
      if (wx1 <= wx0) return std::nullopt;
      const cv::Rect win(wx0, 0, wx1 - wx0, ink.rows);
      // The symbol's blurred glyph on a canvas wide enough for the blur.
      auto glyphAt = [&](int k, float shift = 0) {
        cv::Mat canvas(ink.rows, wx1 - wx0 + 2 * pad, CV_32F, cv::Scalar(0));
        drawGlyph(canvas, k, c + shift - static_cast<float>(wx0 - pad), w, bdy, hs, ws);
        return cv::Mat(blurred(canvas, bx, by), cv::Rect(pad, 0, wx1 - wx0, ink.rows));
      };
      // The line drawn without the cell's own glyph.
      const cv::Mat base = full(win) - glyphAt(cls[static_cast<std::size_t>(i)]);
      const cv::Mat inkWin = ink(win);
      auto& e = sse[static_cast<std::size_t>(i)];
      for (int k = 0; k < ocrb::kClasses; ++k) {
        // Paper and ink levels are fitted at each cell: light falls off
        // along a photographed line, and with one level for the whole line
        // the cells on darker paper prefer glyphs with more ink (a '<' read
        // K, an E read B) and those on lighter paper glyphs with less.
        double bestE = std::numeric_limits<double>::max();
        for (float sh : kShifts) {
          const Fit f = fitLevels(inkWin, base + glyphAt(k, sh * w), 0, inkWin.cols);
          bestE = std::min(bestE, f.a > 0 ? f.sse : f.total);
        }
        e[static_cast<std::size_t>(k)] = bestE;
        least[static_cast<std::size_t>(i)] = std::min(least[static_cast<std::size_t>(i)], bestE);
      }
      perPixel.push_back(least[static_cast<std::size_t>(i)] / static_cast<double>(win.area()));
    }
    // The noise of a pixel: what the best symbols leave unexplained at the
    // median cell.
    std::nth_element(perPixel.begin(), perPixel.begin() + chars / 2, perPixel.end());
    const double temperature = 2.0 * std::max(perPixel[static_cast<std::size_t>(chars / 2)], 1e-6) * kEvidenceScale;
    for (int i = 0; i < chars; ++i) {
      float* row = out.probs.ptr<float>(i);
      const auto& e = sse[static_cast<std::size_t>(i)];
      double sum = 0;
      for (int k = 0; k < ocrb::kClasses; ++k)
        sum += row[k] = static_cast<float>(std::exp(-(e[static_cast<std::size_t>(k)] - least[static_cast<std::size_t>(i)]) / temperature));
      int arg = 0;
      for (int k = 0; k < ocrb::kClasses; ++k) {
        row[k] = static_cast<float>(row[k] / sum);
        if (row[k] > row[arg]) arg = k;
      }
      next[static_cast<std::size_t>(i)] = arg;
    }
    if (next == cls) break;
    cls = std::move(next);
  }
  return out;
}

cv::Mat coveredRegion(const cv::Mat& strip, float pitch, bool blurred) {
  cv::Mat out(strip.size(), CV_8U, cv::Scalar(0));
  if (strip.empty() || pitch <= 0) return out;
  // The ink's level over the text rows; the paper's per block of a pitch,
  // the brightest of the block and its neighbours (light falls off along a
  // photographed line, and a thumb darkens its own blocks).
  auto level = [](const cv::Mat& m, int permille) {
    std::vector<uchar> v;
    v.reserve(m.total());
    for (int y = 0; y < m.rows; ++y) v.insert(v.end(), m.ptr<uchar>(y), m.ptr<uchar>(y) + m.cols);
    if (v.empty()) return 0.0;
    const std::size_t i = v.size() * static_cast<std::size_t>(permille) / 1000;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return static_cast<double>(v[i]);
  };
  const double ink = level(strip.rowRange(ocrb::kStripTop, ocrb::kStripBaseline), 20);
  const int bw = std::max(4, static_cast<int>(pitch)), blocks = (strip.cols + bw - 1) / bw;
  std::vector<double> block(static_cast<std::size_t>(blocks));
  for (int b = 0; b < blocks; ++b) {
    const int x0 = b * bw, x1 = std::min(strip.cols, x0 + bw);
    block[static_cast<std::size_t>(b)] = level(strip.colRange(x0, x1), 900);
  }
  std::vector<double> sorted = block;
  std::nth_element(sorted.begin(), sorted.begin() + blocks / 2, sorted.end());
  const double typicalPaper = sorted[static_cast<std::size_t>(blocks / 2)];
  cv::Mat dark(strip.size(), CV_8U, cv::Scalar(0));
  for (int b = 0; b < blocks; ++b) {
    double paper = block[static_cast<std::size_t>(b)];
    for (int d : {-1, 1})
      if (b + d >= 0 && b + d < blocks) paper = std::max(paper, block[static_cast<std::size_t>(b + d)]);
    if (paper - ink < kCoverContrast) continue;
    const int x0 = b * bw, x1 = std::min(strip.cols, x0 + bw);
    cv::Mat part = dark.colRange(x0, x1);
    cv::threshold(strip.colRange(x0, x1), part, paper - kCoverDepth * (paper - ink), 255, cv::THRESH_BINARY_INV);
  }
  const int k = std::max(5, static_cast<int>(std::lround(kCoverWidth * pitch)) | 1);
  if (!darkReachesPastText(dark, k / 2 + 1)) return out;
  cv::morphologyEx(dark, dark, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k)));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(dark, labels, stats, centroids, 8, CV_32S);
  const double glyph = static_cast<double>(pitch) * ocrb::kTextHeight;
  for (int c = 1; c < n; ++c) {
    // Larger than a glyph, and reaching past the text rows (a thumb comes
    // from the card's edge; a bold run of ink stays within its rows).
    const int top = stats.at<int>(c, cv::CC_STAT_TOP), h = stats.at<int>(c, cv::CC_STAT_HEIGHT);
    if (stats.at<int>(c, cv::CC_STAT_AREA) < kCoverArea * glyph) continue;
    if (top >= ocrb::kStripTop - 2 && top + h <= ocrb::kStripBaseline + 2) continue;
    // And even: an opaque body shows no glyph, where paper in shade or
    // light falling off still shows the ink on it.
    const cv::Mat region = labels == c;
    cv::Mat judged = region;
    if (blurred) {
      judged = region.clone();
      judged.rowRange(ocrb::kStripTop - kCoverFarRows, ocrb::kStripBaseline + kCoverFarRows).setTo(0);
      if (cv::countNonZero(judged) < kCoverPastArea * glyph) continue;
    }
    cv::Scalar mean, sd;
    cv::meanStdDev(strip, mean, sd, judged);
    if (sd[0] > kCoverEven * (typicalPaper - ink)) continue;
    if (blurred) {
      if (typicalPaper - mean[0] < kCoverFarDepth * (typicalPaper - ink)) continue;
      // Within the text rows, only what is as light as the thumb or
      // lighter: the blurred glyphs it joined are darker.
      cv::Mat thumbGrey;
      cv::threshold(strip, thumbGrey, mean[0] - kCoverDepth * (typicalPaper - ink), 255, cv::THRESH_BINARY);
      out.setTo(255, region & thumbGrey);
      continue;
    }
    out.setTo(255, region);
  }
  // Its soft rim too.
  cv::dilate(out, out, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  return out;
}

std::vector<bool> fadedCells(const cv::Mat& strip, std::span<const float> centres, std::span<const float> widths) {
  const std::size_t n = centres.size();
  std::vector<bool> out(n, false);
  if (strip.empty() || strip.type() != CV_8U || widths.size() != n || n < 3) return out;
  std::vector<double> paper(n, 0), range(n, 0);
  // The grey level at `permille` of a cell's `count` pixels counted in
  // `hist`: the one std::nth_element puts at index count * permille / 1000.
  using Histogram = std::array<std::size_t, 256>;
  auto level = [](const Histogram& hist, std::size_t count, int permille) {
    const std::size_t index = count * static_cast<std::size_t>(permille) / 1000;
    std::size_t below = 0;
    for (std::size_t g = 0; g < hist.size(); ++g)
      if ((below += hist[g]) > index) return static_cast<double>(g);
    return 255.0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const int x0 = std::max(0, static_cast<int>(centres[i] - 0.5f * widths[i]));
    const int x1 = std::min(strip.cols, static_cast<int>(centres[i] + 0.5f * widths[i]) + 1);
    if (x1 - x0 < 2) return out;
    // Paper over the whole strip's height (the rows above and below the
    // text are paper), ink over the text rows: one pass, two histograms.
    Histogram text{}, all{};
    for (int y = 0; y < strip.rows; ++y) {
      Histogram& h = y >= ocrb::kStripTop && y < ocrb::kStripBaseline ? text : all;
      for (const uchar* px = strip.ptr<uchar>(y) + x0; px != strip.ptr<uchar>(y) + x1; ++px) ++h[*px];
    }
    for (std::size_t g = 0; g < all.size(); ++g) all[g] += text[g];
    const auto cols = static_cast<std::size_t>(x1 - x0);
    paper[i] = level(all, cols * static_cast<std::size_t>(strip.rows), 900);
    range[i] = paper[i] - level(text, cols * static_cast<std::size_t>(ocrb::kStripBaseline - ocrb::kStripTop), 20);
  }
  auto median = [](std::vector<double> m) {
    std::nth_element(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(m.size() / 2), m.end());
    return m[m.size() / 2];
  };
  const double typicalRange = median(range), typicalPaper = median(paper);
  if (typicalRange <= 0) return out;
  for (std::size_t i = 0; i < n; ++i)
    out[i] = range[i] < kFadedRange * typicalRange && range[i] > kFadedLeast * typicalRange &&
             paper[i] >= typicalPaper - kFadedDim * typicalRange;
  return out;
}

cv::Mat unclippedInk(const cv::Mat& strip) {
  CV_Assert(strip.type() == CV_8U);
  std::vector<uchar> v;
  for (int y = ocrb::kStripTop; y < ocrb::kStripBaseline; ++y) v.insert(v.end(), strip.ptr<uchar>(y), strip.ptr<uchar>(y) + strip.cols);
  cv::Mat out;
  if (v.empty()) return out;
  auto level = [&](int permille) {
    const std::size_t i = v.size() * static_cast<std::size_t>(permille) / 1000;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return static_cast<double>(v[i]);
  };
  // The levels ocrb::inkImage takes: the dark tail is ink, the bulk paper.
  const double ink = level(30), paper = level(800);
  const double range = std::max(paper - ink, 12.0);
  strip.convertTo(out, CV_32F, -1.0 / range, paper / range);
  return out;
}

std::optional<std::array<float, 37>> visibleCellProbs(const cv::Mat& ink, const cv::Mat& covered, float centre, float width) {
  static_assert(ocrb::kClasses == 37);
  const int wx0 = std::max(0, static_cast<int>(centre - 0.55f * width)), wx1 = std::min(ink.cols, static_cast<int>(centre + 0.55f * width) + 1);
  if (wx1 - wx0 < 4) return std::nullopt;
  const cv::Rect win(wx0, 0, wx1 - wx0, ink.rows);
  const cv::Mat inkWin = ink(win), hid = covered(win);
  const int shown = cv::countNonZero(hid.rowRange(ocrb::kStripTop, ocrb::kStripBaseline) == 0);
  if (shown < kShownMin * (wx1 - wx0) * ocrb::kTextHeight) return std::nullopt;
  const int pad = 4;
  std::array<double, ocrb::kClasses> e{};
  double least = std::numeric_limits<double>::max();
  for (int k = 0; k < ocrb::kClasses; ++k) {
    double bestE = std::numeric_limits<double>::max();
    for (float sh : kShifts) {
      cv::Mat canvas(ink.rows, wx1 - wx0 + 2 * pad, CV_32F, cv::Scalar(0));
      drawGlyph(canvas, k, centre + sh * width - static_cast<float>(wx0 - pad), width, 0);
      const cv::Mat model(blurred(canvas, 1.0f, 1.0f), cv::Rect(pad, 0, wx1 - wx0, ink.rows));
      const Fit f = fitLevels(inkWin, model, 0, inkWin.cols, hid);
      bestE = std::min(bestE, f.a > 0 ? f.sse : f.total);
    }
    e[static_cast<std::size_t>(k)] = bestE;
    least = std::min(least, bestE);
  }
  // The noise of a visible pixel: what the best symbol leaves unexplained,
  // counted as the synthesis counts it.
  const double temperature = 2.0 * std::max(least / shown, kVisibleNoiseFloor) * kEvidenceScale;
  std::array<float, 37> out{};
  double sum = 0;
  for (int k = 0; k < ocrb::kClasses; ++k) sum += out[static_cast<std::size_t>(k)] = static_cast<float>(std::exp(-(e[static_cast<std::size_t>(k)] - least) / temperature));
  for (float& x : out) x = static_cast<float>(x / sum);
  return out;
}

}  // namespace idkit::mrz::detail
