// OCR-B rendering, cell features and the glyph classifier (see ocrb.hpp).
#include <idkit/codec.hpp>
#include <idkit/ocrb.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <unistd.h>
#include <vector>

#include <ft2build.h>
#include FT_FREETYPE_H

#include <opencv2/imgproc.hpp>

#include <idkit/mrz_read.hpp>

namespace idkit::ocrb {

int classIndex(char c) {
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string fontPath() {
  if (const char* env = std::getenv("IDKIT_OCRB_FONT"); env && *env) return env;
  return "/usr/share/fonts/opentype/ocr-b/OCRB.otf";
}

namespace {

// Coverage bitmaps of the 37 symbols at one em size, placed relative to the
// pen position on the baseline.
struct Atlas {
  struct Glyph {
    cv::Mat coverage;  // CV_8U, 255 = ink
    int left = 0;      // from the pen x to the bitmap's left column
    int top = 0;       // from the baseline up to the bitmap's top row
  };
  std::array<Glyph, kClasses> glyphs;
  float advance = 0;  // the font is monospaced
  int ascent = 0;     // top of the tallest symbol above the baseline
};

Atlas buildAtlas(float em_px) {
  static std::mutex mutex;  // FreeType library objects are not thread-safe
  std::lock_guard lock(mutex);
  FT_Library lib = nullptr;
  if (FT_Init_FreeType(&lib)) throw Failure("font_missing", "cannot initialise FreeType");
  FT_Face face = nullptr;
  const std::string path = fontPath();
  if (FT_New_Face(lib, path.c_str(), 0, &face)) {
    FT_Done_FreeType(lib);
    throw Failure("font_missing", "cannot open the OCR-B font " + path);
  }
  Atlas atlas;
  FT_Set_Char_Size(face, 0, static_cast<FT_F26Dot6>(std::lround(em_px * 64)), 72, 72);
  for (int i = 0; i < kClasses; ++i) {
    if (FT_Load_Char(face, static_cast<FT_ULong>(kAlphabet[i]), FT_LOAD_RENDER)) continue;
    const FT_GlyphSlot g = face->glyph;
    const FT_Bitmap& bm = g->bitmap;
    cv::Mat cov(static_cast<int>(bm.rows), static_cast<int>(bm.width), CV_8U);
    for (int r = 0; r < cov.rows; ++r)
      std::copy_n(bm.buffer + r * bm.pitch, cov.cols, cov.ptr<std::uint8_t>(r));
    atlas.glyphs[i] = {cov, g->bitmap_left, g->bitmap_top};
    atlas.advance = static_cast<float>(g->advance.x) / 64.0f;
    atlas.ascent = std::max(atlas.ascent, g->bitmap_top);
  }
  FT_Done_Face(face);
  FT_Done_FreeType(lib);
  return atlas;
}

// Ink coverage (CV_8U, 255 = ink) of `text` with the pen starting at
// (left, baseline); unknown characters leave their cell blank.
void compose(const Atlas& atlas, std::string_view text, float left, int baseline, cv::Mat& cov) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int k = classIndex(text[i]);
    if (k < 0) continue;
    const auto& g = atlas.glyphs[k];
    if (g.coverage.empty()) continue;
    const int x = static_cast<int>(std::lround(left + static_cast<float>(i) * atlas.advance)) + g.left;
    const int y = baseline - g.top;
    const cv::Rect dst = cv::Rect(x, y, g.coverage.cols, g.coverage.rows) & cv::Rect(0, 0, cov.cols, cov.rows);
    if (dst.empty()) continue;
    const cv::Rect src(dst.x - x, dst.y - y, dst.width, dst.height);
    cv::Mat roi = cov(dst);
    cv::max(roi, g.coverage(src), roi);
  }
}

}  // namespace

RenderedLine renderLine(std::string_view text, float text_height_px, int margin_px) {
  // The ascent is measured on a large render, then the font is rendered at
  // the size that gives the requested height.
  static const Atlas probe = buildAtlas(200);
  const float em = text_height_px * 200.0f / static_cast<float>(probe.ascent);
  const Atlas atlas = buildAtlas(em);
  const int width = static_cast<int>(std::ceil(atlas.advance * static_cast<float>(text.size()))) + 2 * margin_px;
  const int descent = static_cast<int>(std::ceil(0.25f * em));
  const int height = atlas.ascent + descent + 2 * margin_px;
  cv::Mat cov(height, std::max(width, 1), CV_8U, cv::Scalar(0));
  const int baseline = margin_px + atlas.ascent;
  compose(atlas, text, static_cast<float>(margin_px), baseline, cov);
  RenderedLine out;
  out.gray = 255 - cov;
  out.left = static_cast<float>(margin_px);
  out.pitch = atlas.advance;
  out.top = static_cast<float>(baseline - atlas.ascent);
  out.baseline = static_cast<float>(baseline);
  return out;
}

cv::Mat inkImage(const cv::Mat& strip, int x0, int x1) {
  CV_Assert(strip.type() == CV_8U);
  if (x1 < 0 || x1 > strip.cols) x1 = strip.cols;
  x0 = std::clamp(x0, 0, std::max(0, x1 - 1));
  if (x1 - x0 < 4) x0 = 0, x1 = strip.cols;
  int hist[256] = {};
  for (int r = 0; r < strip.rows; ++r) {
    const auto* p = strip.ptr<std::uint8_t>(r);
    for (int c = x0; c < x1; ++c) ++hist[p[c]];
  }
  const double total = static_cast<double>(strip.rows) * (x1 - x0);
  auto percentile = [&](double q) {
    double acc = 0;
    for (int v = 0; v < 256; ++v) {
      acc += hist[v];
      if (acc >= q * total) return v;
    }
    return 255;
  };
  // Text covers well under half of a strip: the dark tail is ink, the bulk paper.
  const double ink = percentile(0.03);
  const double paper = percentile(0.80);
  const double range = std::max(paper - ink, 12.0);
  cv::Mat out;
  strip.convertTo(out, CV_32F, -1.0 / range, paper / range);
  cv::max(out, 0.0, out);
  cv::min(out, 1.0, out);
  return out;
}

cv::Mat inkImageLocal(const cv::Mat& strip, float pitch, int x0, int x1, float window) {
  CV_Assert(strip.type() == CV_8U);
  if (x1 < 0 || x1 > strip.cols) x1 = strip.cols;
  x0 = std::clamp(x0, 0, std::max(0, x1 - 1));
  const int block = std::max(2, static_cast<int>(std::lround(pitch / 2)));
  const int reach = std::max(1, static_cast<int>(std::lround(window * pitch / 2 / block)));
  if (x1 - x0 < 4 || x1 - x0 < (2 * reach + 1) * block) return inkImage(strip, x0, x1);
  // One histogram per half-pitch block, summed over the window around it.
  const int blocks = (x1 - x0 + block - 1) / block;
  std::vector<std::array<int, 256>> hist(static_cast<std::size_t>(blocks));
  for (auto& h : hist) h.fill(0);
  for (int r = 0; r < strip.rows; ++r) {
    const auto* p = strip.ptr<std::uint8_t>(r);
    for (int c = x0; c < x1; ++c) ++hist[static_cast<std::size_t>((c - x0) / block)][p[c]];
  }
  std::vector<float> inkAt(static_cast<std::size_t>(blocks)), paperAt(static_cast<std::size_t>(blocks));
  std::array<int, 256> sum{};
  for (int b = 0; b < blocks; ++b) {
    // The window keeps its width at the ends (shifted inwards), as the
    // training strips had glyphs on both sides of most cells.
    const int lo = std::clamp(b - reach, 0, std::max(0, blocks - 2 * reach - 1));
    const int hi = std::min(blocks - 1, lo + 2 * reach);
    sum.fill(0);
    for (int k = lo; k <= hi; ++k)
      for (int v = 0; v < 256; ++v) sum[static_cast<std::size_t>(v)] += hist[static_cast<std::size_t>(k)][static_cast<std::size_t>(v)];
    long total = 0;
    for (int v : sum) total += v;
    auto percentile = [&](double q) {
      long acc = 0;
      for (int v = 0; v < 256; ++v) {
        acc += sum[static_cast<std::size_t>(v)];
        if (static_cast<double>(acc) >= q * static_cast<double>(total)) return v;
      }
      return 255;
    };
    inkAt[static_cast<std::size_t>(b)] = static_cast<float>(percentile(0.03));
    paperAt[static_cast<std::size_t>(b)] = static_cast<float>(percentile(0.80));
  }
  // Levels per column, linear between block centres.
  cv::Mat out(strip.size(), CV_32F);
  std::vector<float> scale(static_cast<std::size_t>(strip.cols)), paper(static_cast<std::size_t>(strip.cols));
  for (int c = 0; c < strip.cols; ++c) {
    const float t = (static_cast<float>(c - x0) + 0.5f) / static_cast<float>(block) - 0.5f;
    const int b0 = std::clamp(static_cast<int>(std::floor(t)), 0, blocks - 1);
    const int b1 = std::min(b0 + 1, blocks - 1);
    const float f = std::clamp(t - static_cast<float>(b0), 0.0f, 1.0f);
    const float pv = paperAt[static_cast<std::size_t>(b0)] * (1 - f) + paperAt[static_cast<std::size_t>(b1)] * f;
    const float iv = inkAt[static_cast<std::size_t>(b0)] * (1 - f) + inkAt[static_cast<std::size_t>(b1)] * f;
    paper[static_cast<std::size_t>(c)] = pv;
    scale[static_cast<std::size_t>(c)] = 1.0f / std::max(pv - iv, 12.0f);
  }
  for (int r = 0; r < strip.rows; ++r) {
    const auto* p = strip.ptr<std::uint8_t>(r);
    float* o = out.ptr<float>(r);
    for (int c = 0; c < strip.cols; ++c)
      o[c] = std::clamp((paper[static_cast<std::size_t>(c)] - p[c]) * scale[static_cast<std::size_t>(c)], 0.0f, 1.0f);
  }
  return out;
}

namespace {

// Area-averaging weights from `from` source samples to `to` (to <= from),
// the same as OpenCV's INTER_AREA reduction: each output sample averages the
// source interval it covers, partial samples at its ends weighted by their
// overlap. Written out because cv::resize costs more in its set-up than in
// its arithmetic on a 20 x 26 window, and the reader features thousands.
struct AreaTap {
  int out, in;
  float weight;
};
void areaTaps(int from, int to, std::vector<AreaTap>& taps) {
  taps.clear();
  const double scale = static_cast<double>(from) / to;
  for (int d = 0; d < to; ++d) {
    const double f1 = d * scale, f2 = f1 + scale;
    const double cell = std::min(scale, from - f1);
    const int s1 = static_cast<int>(std::ceil(f1)), s2 = static_cast<int>(std::floor(f2));
    if (s1 - f1 > 1e-3) taps.push_back({d, s1 - 1, static_cast<float>((s1 - f1) / cell)});
    for (int sx = s1; sx < s2; ++sx) taps.push_back({d, sx, static_cast<float>(1.0 / cell)});
    if (f2 - s2 > 1e-3 && s2 < from)
      taps.push_back({d, s2, static_cast<float>(std::min(std::min(f2 - s2, 1.0), cell) / cell)});
  }
}

}  // namespace

void cellFeatures(const cv::Mat& ink, float centre_x, float pitch, std::span<float> out) {
  CV_Assert(out.size() >= static_cast<std::size_t>(kFeatureSize) && ink.type() == CV_32F);
  const int x0 = static_cast<int>(std::lround(centre_x - 0.6f * pitch));
  const int x1 = static_cast<int>(std::lround(centre_x + 0.6f * pitch));
  const int y0 = kStripTop - 5, y1 = kStripBaseline + 5;
  const int w = std::max(x1 - x0, 1), h = y1 - y0;
  cv::Mat small(kFeatureH, kFeatureW, CV_32F, out.data());
  if (w < kFeatureW) {  // a window narrower than the grid (never at reading pitches)
    cv::Mat window(h, w, CV_32F, cv::Scalar(0));
    const cv::Rect have = cv::Rect(x0, y0, w, h) & cv::Rect(0, 0, ink.cols, ink.rows);
    if (!have.empty()) ink(have).copyTo(window(cv::Rect(have.x - x0, have.y - y0, have.width, have.height)));
    cv::resize(window, small, small.size(), 0, 0, cv::INTER_AREA);
    return;
  }
  // Windows of a line share their width and every window its height: the
  // taps are worked out again only when the width changes.
  thread_local std::vector<AreaTap> tx, ty;
  thread_local int txFor = -1;
  thread_local std::vector<float> rows;
  if (txFor != w) areaTaps(w, kFeatureW, tx), txFor = w;
  if (ty.empty()) areaTaps(h, kFeatureH, ty);
  // Horizontal pass over the window's rows (outside the ink image is paper, 0).
  rows.assign(static_cast<std::size_t>(h * kFeatureW), 0.0f);
  for (int y = 0; y < h; ++y) {
    const int iy = y0 + y;
    if (iy < 0 || iy >= ink.rows) continue;
    const float* src = ink.ptr<float>(iy);
    float* dst = rows.data() + static_cast<std::ptrdiff_t>(y) * kFeatureW;
    for (const AreaTap& t : tx) {
      const int ix = x0 + t.in;
      if (ix >= 0 && ix < ink.cols) dst[t.out] += t.weight * src[ix];
    }
  }
  std::fill(out.begin(), out.begin() + kFeatureSize, 0.0f);
  for (const AreaTap& t : ty) {
    const float* src = rows.data() + static_cast<std::ptrdiff_t>(t.in) * kFeatureW;
    float* dst = out.data() + static_cast<std::ptrdiff_t>(t.out) * kFeatureW;
    for (int x = 0; x < kFeatureW; ++x) dst[x] += t.weight * src[x];
  }
}

// ---------------------------------------------------------------------------
// Training data: each sample is the centre cell of a short random line,
// rendered large, thickened or thinned, shrunk to a random text height with
// shear and skew, blurred, noised, JPEG-compressed or binarised, and then
// rectified into a strip with the errors the reader's geometry makes.

namespace {

double uniform(cv::RNG& rng, double a, double b) { return rng.uniform(a, b); }

char randomNeighbour(cv::RNG& rng) {
  if (rng.uniform(0.0, 1.0) < 0.4) return '<';
  return kAlphabet[static_cast<std::size_t>(rng.uniform(0, kClasses))];
}

void makeSample(cv::RNG& rng, const Atlas& atlas, int label, std::span<float> out) {
  constexpr int kLen = 7, kMid = 3;
  std::string text(kLen, '<');
  // The "misaligned" class shows a random character half a pitch off.
  const bool misaligned = label == kClasses;
  // Of the "misaligned" samples, 40% are centred glyphs turned upside down
  // (the reader tries both orientations of a band and must be able to tell),
  // 20% are cells just beyond the line's end where the card edge or a dark
  // surface begins (so that the reader does not extend a line onto them),
  // the rest glyphs half a pitch off.
  const double variant = misaligned ? rng.uniform(0.0, 1.0) : 1.0;
  const bool upsideDown = variant < 0.4;
  const bool offEdge = variant >= 0.4 && variant < 0.6;
  const bool edgeRight = rng.uniform(0.0, 1.0) < 0.5;
  for (int i = 0; i < kLen; ++i) text[i] = i == kMid && !misaligned ? kAlphabet[label] : randomNeighbour(rng);
  if (offEdge)
    for (int i = 0; i < kLen; ++i)
      if (edgeRight ? i >= kMid : i <= kMid) text[i] = ' ';  // blank: not drawn

  const int margin = atlas.ascent;
  const int baseline = margin + atlas.ascent;
  cv::Mat cov(baseline + margin, static_cast<int>(atlas.advance * kLen) + 2 * margin, CV_8U, cv::Scalar(0));
  compose(atlas, text, static_cast<float>(margin), baseline, cov);
  if (offEdge) {
    // The edge lies between the middle of the last blank cell before it and
    // the far side of the centre cell; beyond it, a surface of any darkness.
    const double u = rng.uniform(-0.3, 0.9);
    const int edge = static_cast<int>(margin + atlas.advance * (edgeRight ? kMid + u : kMid + 1 - u));
    const cv::Rect r = edgeRight ? cv::Rect(edge, 0, cov.cols - edge, cov.rows) : cv::Rect(0, 0, edge, cov.rows);
    const cv::Rect inside = r & cv::Rect(0, 0, cov.cols, cov.rows);
    if (r.width > 0 && !inside.empty()) cov(inside).setTo(rng.uniform(70, 256));
  }

  // Stroke weight: print gain or thin toner.
  const double stroke = rng.uniform(0.0, 1.0);
  const cv::Mat disk = cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3});
  if (stroke < 0.2) cv::erode(cov, cov, disk);
  else if (stroke > 0.75) cv::dilate(cov, cov, disk, {-1, -1}, stroke > 0.92 ? 2 : 1);

  // Geometry: hi-res -> low-res text height with aspect, shear and skew.
  const double height = std::exp(uniform(rng, std::log(7.0), std::log(34.0)));
  const double s = height / atlas.ascent;
  const double aspect = uniform(rng, 0.9, 1.12);
  const double shear = uniform(rng, -0.12, 0.12);
  const double angle = uniform(rng, -2.0, 2.0) * CV_PI / 180.0;
  cv::Matx22d lin = cv::Matx22d(std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle)) *
                    cv::Matx22d(s * aspect, s * shear, 0, s);
  const cv::Point2d anchor(margin + atlas.advance * (kMid + 0.5), baseline - atlas.ascent / 2.0);
  const cv::Size low(static_cast<int>(cov.cols * s * aspect) + 8, static_cast<int>(cov.rows * s) + 8);
  const cv::Point2d lowAnchor(low.width / 2.0, low.height / 2.0);
  const cv::Vec2d t = cv::Vec2d(lowAnchor.x, lowAnchor.y) - lin * cv::Vec2d(anchor.x, anchor.y);
  const cv::Matx23d fwd(lin(0, 0), lin(0, 1), t[0], lin(1, 0), lin(1, 1), t[1]);
  cv::Mat smooth;
  cv::GaussianBlur(cov, smooth, {0, 0}, 0.45 / s);
  cv::Mat lowCov;
  cv::warpAffine(smooth, lowCov, cv::Mat(fwd), low, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);

  // Photometry.
  const double paper = uniform(rng, 140, 255);
  const double inkLevel = uniform(rng, 0, std::max(1.0, paper - 70));
  cv::Mat gray;
  lowCov.convertTo(gray, CV_32F, -(paper - inkLevel) / 255.0, paper);
  // Uneven light across the cell (glare fall-off, shadow of a hand).
  if (rng.uniform(0.0, 1.0) < 0.3) {
    const double gx = uniform(rng, -0.5, 0.5) / gray.cols, gy = uniform(rng, -0.5, 0.5) / gray.rows;
    for (int r = 0; r < gray.rows; ++r) {
      float* row = gray.ptr<float>(r);
      for (int c = 0; c < gray.cols; ++c)
        row[c] *= static_cast<float>(std::clamp(1.0 + gx * (c - gray.cols / 2.0) + gy * (r - gray.rows / 2.0), 0.4, 1.4));
    }
  }
  // Defocus and motion blur of phone photos reach a tenth of the text height.
  const double blur = rng.uniform(0.0, 1.0);
  if (blur < 0.6) {
    cv::GaussianBlur(gray, gray, {0, 0}, uniform(rng, 0.3, std::max(1.1, 0.11 * height)));
  } else if (blur < 0.8) {
    // Motion: a short line kernel in any direction (the hand moves in any).
    const double len = uniform(rng, 1.5, std::max(2.0, 0.2 * height));
    const int size = static_cast<int>(std::ceil(len)) | 1;
    cv::Mat kernel = cv::Mat::zeros(size, size, CV_32F);
    const double a = uniform(rng, 0, CV_PI);
    const cv::Point2d c(size / 2.0, size / 2.0), d(std::cos(a) * len / 2, std::sin(a) * len / 2);
    cv::line(kernel, c - d, c + d, cv::Scalar(1.0), 1, cv::LINE_AA);
    kernel /= std::max(cv::sum(kernel)[0], 1e-6);
    cv::filter2D(gray, gray, -1, kernel, {-1, -1}, 0, cv::BORDER_REPLICATE);
    cv::GaussianBlur(gray, gray, {0, 0}, 0.4);
  }
  cv::Mat noise(gray.size(), CV_32F);
  rng.fill(noise, cv::RNG::NORMAL, 0, uniform(rng, 0, 12));
  gray += noise;
  cv::Mat g8;
  gray.convertTo(g8, CV_8U);
  const double post = rng.uniform(0.0, 1.0);
  if (post < 0.4) {
    g8 = codec::decode(codec::encodeJpeg(g8, rng.uniform(30, 95)), {.grey = true}).value();
  } else if (post > 0.85) {
    cv::threshold(g8, g8, (paper + inkLevel) / 2 + uniform(rng, -25, 25), 255, cv::THRESH_BINARY);
  }

  // The reader's view: estimated top/baseline and cell centre, with errors.
  auto mapPt = [&](double x, double y) { return fwd * cv::Vec3d(x, y, 1); };
  const cv::Vec2d centreTop = mapPt(anchor.x, baseline - atlas.ascent);
  const cv::Vec2d centreBase = mapPt(anchor.x, baseline);
  const double h = centreBase[1] - centreTop[1];
  const double top = centreTop[1] + h * (uniform(rng, 0, 0.08) + rng.gaussian(0.03));
  const double base = centreBase[1] + h * rng.gaussian(0.03);
  const double pitch = atlas.advance * s * aspect;
  const double off = misaligned && !upsideDown && !offEdge ? (rng.uniform(0, 2) ? 1 : -1) * uniform(rng, 0.3, 0.5)
                                                          : uniform(rng, -0.12, 0.12);
  const double cx = (centreTop[0] + centreBase[0]) / 2 + pitch * off;
  const double k = kTextHeight / (base - top);
  const int stripW = static_cast<int>(pitch * k * kLen) + 2;
  const double stripCx = stripW / 2.0;
  const cv::Matx23d toStrip(k, 0, stripCx - k * cx, 0, k, kStripTop - k * top);
  cv::Mat strip;
  cv::warpAffine(g8, strip, cv::Mat(toStrip), {stripW, kStripHeight}, cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  if (upsideDown) cv::rotate(strip, strip, cv::ROTATE_180);
  cellFeatures(inkImage(strip), static_cast<float>(stripW - stripCx),
               static_cast<float>(pitch * k * (1 + rng.gaussian(0.02))), out);
}

}  // namespace

Classifier Classifier::trainMember(const TrainOptions& o) {
  cv::RNG rng(o.seed);
  const Atlas atlas = buildAtlas(48);
  const int n = o.samples_per_class * kOutputs;
  cv::Mat x(n, kFeatureSize, CV_32F);
  std::vector<int> y(static_cast<std::size_t>(n));
  // Each sample has its own generator, so the set is the same however the
  // work is split between threads.
  cv::parallel_for_(cv::Range(0, n), [&](const cv::Range& r) {
    for (int i = r.start; i < r.end; ++i) {
      cv::RNG local(o.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(i) * 0xBF58476D1CE4E5B9ull + 1);
      y[static_cast<std::size_t>(i)] = i % kOutputs;
      makeSample(local, atlas, i % kOutputs, std::span<float>(x.ptr<float>(i), kFeatureSize));
    }
  });

  Classifier c;
  c.w1_.create(kFeatureSize, o.hidden, CV_32F);
  rng.fill(c.w1_, cv::RNG::NORMAL, 0, std::sqrt(2.0 / kFeatureSize));
  c.b1_ = cv::Mat::zeros(1, o.hidden, CV_32F);
  c.w2_.create(o.hidden, kOutputs, CV_32F);
  rng.fill(c.w2_, cv::RNG::NORMAL, 0, std::sqrt(1.0 / o.hidden));
  c.b2_ = cv::Mat::zeros(1, kOutputs, CV_32F);
  cv::Mat vw1 = cv::Mat::zeros(c.w1_.size(), CV_32F), vb1 = cv::Mat::zeros(c.b1_.size(), CV_32F);
  cv::Mat vw2 = cv::Mat::zeros(c.w2_.size(), CV_32F), vb2 = cv::Mat::zeros(c.b2_.size(), CV_32F);

  // Mini-batch SGD with momentum on the cross-entropy; plain and deterministic.
  constexpr int kBatch = 64;
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  cv::Mat xb(kBatch, kFeatureSize, CV_32F), target(kBatch, kOutputs, CV_32F);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    for (int i = n - 1; i > 0; --i) std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.uniform(0, i + 1))]);
    const float lr = 0.05f * (epoch < o.epochs * 2 / 3 ? 1.0f : 0.2f);
    for (int start = 0; start + kBatch <= n; start += kBatch) {
      target.setTo(0);
      for (int b = 0; b < kBatch; ++b) {
        const int idx = order[static_cast<std::size_t>(start + b)];
        x.row(idx).copyTo(xb.row(b));
        target.at<float>(b, y[static_cast<std::size_t>(idx)]) = 1;
      }
      cv::Mat z1 = xb * c.w1_ + cv::repeat(c.b1_, kBatch, 1);
      cv::Mat a1 = cv::max(z1, 0.0f);
      cv::Mat z2 = a1 * c.w2_ + cv::repeat(c.b2_, kBatch, 1);
      for (int b = 0; b < kBatch; ++b) {  // softmax
        float* r = z2.ptr<float>(b);
        const float m = *std::max_element(r, r + kOutputs);
        float sum = 0;
        for (int j = 0; j < kOutputs; ++j) sum += (r[j] = std::exp(r[j] - m));
        for (int j = 0; j < kOutputs; ++j) r[j] /= sum;
      }
      cv::Mat d2 = (z2 - target) / static_cast<float>(kBatch);
      cv::Mat gw2 = a1.t() * d2;
      cv::Mat gb2;
      cv::reduce(d2, gb2, 0, cv::REDUCE_SUM);
      cv::Mat d1 = d2 * c.w2_.t();
      d1.setTo(0, z1 <= 0);
      cv::Mat gw1 = xb.t() * d1;
      cv::Mat gb1;
      cv::reduce(d1, gb1, 0, cv::REDUCE_SUM);
      constexpr float kMomentum = 0.9f, kDecay = 1e-4f;
      vw1 = kMomentum * vw1 - lr * (gw1 + kDecay * c.w1_);
      vb1 = kMomentum * vb1 - lr * gb1;
      vw2 = kMomentum * vw2 - lr * (gw2 + kDecay * c.w2_);
      vb2 = kMomentum * vb2 - lr * gb2;
      c.w1_ += vw1;
      c.b1_ += vb1;
      c.w2_ += vw2;
      c.b2_ += vb2;
    }
  }
  return c;
}

Classifier Classifier::train(const TrainOptions& o) {
  // Members differ only in their seed. They are saved as one perceptron
  // whose hidden units are all the members' side by side, with one row of
  // output biases per member (predict averages their probabilities).
  std::vector<Classifier> members;
  for (int k = 0; k < std::max(1, o.members); ++k) {
    TrainOptions one = o;
    one.seed = o.seed + static_cast<std::uint64_t>(k);
    members.push_back(trainMember(one));
  }
  if (members.size() == 1) return std::move(members.front());
  Classifier c;
  std::vector<cv::Mat> w1, b1, w2, b2;
  for (const auto& m : members) {
    w1.push_back(m.w1_);
    b1.push_back(m.b1_);
    w2.push_back(m.w2_);
    b2.push_back(m.b2_);
  }
  cv::hconcat(w1, c.w1_);
  cv::hconcat(b1, c.b1_);
  cv::vconcat(w2, c.w2_);
  cv::vconcat(b2, c.b2_);
  return c;
}

namespace {

// The first layer is nearly all of the classifier's work (kFeatureSize x
// hidden multiply-adds per cell, a few thousand cells per image). It runs
// on blocks of four cells and sixteen hidden units held in registers, so
// each weight is loaded once per four cells; the AVX2/FMA clone is chosen
// at load time on CPUs that have it, the default build runs everywhere.
using V8 = float __attribute__((vector_size(32), aligned(4)));
constexpr int kRowBlock = 4;
constexpr int kUnitTile = 16;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void hiddenLayer(const float* features, int rows, const float* w1, const float* b1, int hidden, float* out) {
  for (int r0 = 0; r0 < rows; r0 += kRowBlock) {
    const int n = std::min(kRowBlock, rows - r0);
    const float* f[kRowBlock];
    for (int b = 0; b < kRowBlock; ++b) f[b] = features + static_cast<std::ptrdiff_t>(r0 + std::min(b, n - 1)) * kFeatureSize;
    for (int j = 0; j < hidden; j += kUnitTile) {
      V8 acc[kRowBlock][2];
      const V8 bias0 = *reinterpret_cast<const V8*>(b1 + j), bias1 = *reinterpret_cast<const V8*>(b1 + j + 8);
      for (auto& a : acc) a[0] = bias0, a[1] = bias1;
      for (int k = 0; k < kFeatureSize; ++k) {
        const float f0 = f[0][k], f1 = f[1][k], f2 = f[2][k], f3 = f[3][k];
        // Paper is 0 after inkImage: most of a cell's window adds nothing.
        if (f0 == 0.0f && f1 == 0.0f && f2 == 0.0f && f3 == 0.0f) continue;
        const float* w = w1 + static_cast<std::ptrdiff_t>(k) * hidden + j;
        const V8 w0 = *reinterpret_cast<const V8*>(w), w8 = *reinterpret_cast<const V8*>(w + 8);
        acc[0][0] += f0 * w0, acc[0][1] += f0 * w8;
        acc[1][0] += f1 * w0, acc[1][1] += f1 * w8;
        acc[2][0] += f2 * w0, acc[2][1] += f2 * w8;
        acc[3][0] += f3 * w0, acc[3][1] += f3 * w8;
      }
      for (int b = 0; b < n; ++b) {
        float* o = out + static_cast<std::ptrdiff_t>(r0 + b) * hidden + j;
        *reinterpret_cast<V8*>(o) = acc[b][0];
        *reinterpret_cast<V8*>(o + 8) = acc[b][1];
      }
    }
  }
}

}  // namespace

cv::Mat Classifier::predict(const cv::Mat& features) const {
  CV_Assert(features.type() == CV_32F && features.cols == kFeatureSize && features.isContinuous());
  if (features.rows == 0) return cv::Mat(0, kOutputs, CV_32F);
  const int hidden = w1_.cols;
  cv::Mat a1(features.rows, hidden, CV_32F);
  if (hidden % kUnitTile == 0 && w1_.isContinuous()) {
    hiddenLayer(features.ptr<float>(0), features.rows, w1_.ptr<float>(0), b1_.ptr<float>(0), hidden, a1.ptr<float>(0));
  } else {
    for (int b = 0; b < features.rows; ++b) {
      const float* f = features.ptr<float>(b);
      float* a = a1.ptr<float>(b);
      std::copy_n(b1_.ptr<float>(0), hidden, a);
      for (int k = 0; k < kFeatureSize; ++k) {
        if (f[k] == 0.0f) continue;
        const float* w = w1_.ptr<float>(k);
        for (int j = 0; j < hidden; ++j) a[j] += f[k] * w[j];
      }
    }
  }
  // One row of output biases per member; each member's softmax over its
  // own hidden units, and the members' probabilities averaged.
  const int members = b2_.rows;
  const int share = hidden / members;
  cv::Mat probs;
  for (int m = 0; m < members; ++m) {
    cv::Mat z2(features.rows, kOutputs, CV_32F);
    for (int b = 0; b < features.rows; ++b) {
      const float* a = a1.ptr<float>(b);
      float* out = z2.ptr<float>(b);
      std::copy_n(b2_.ptr<float>(m), kOutputs, out);
      for (int j = m * share; j < (m + 1) * share; ++j) {
        const float aj = a[j];
        if (aj <= 0.0f) continue;  // ReLU
        const float* w = w2_.ptr<float>(j);
        for (int o = 0; o < kOutputs; ++o) out[o] += aj * w[o];
      }
    }
    for (int b = 0; b < z2.rows; ++b) {
      float* r = z2.ptr<float>(b);
      const float top = *std::max_element(r, r + kOutputs);
      float sum = 0;
      for (int j = 0; j < kOutputs; ++j) sum += (r[j] = std::exp(r[j] - top));
      for (int j = 0; j < kOutputs; ++j) r[j] /= sum;
    }
    if (members == 1) return z2;
    probs = probs.empty() ? z2 / members : probs + z2 / members;
  }
  return probs;
}

bool Classifier::save(const std::filesystem::path& file) const {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  // Write beside and rename, so a concurrent reader never sees half a model.
  const auto tmp = file.string() + ".tmp" + std::to_string(::getpid()) + ".yml.gz";
  try {
    cv::FileStorage fs(tmp, cv::FileStorage::WRITE);
    if (!fs.isOpened()) return false;
    fs << "alphabet" << std::string(kAlphabet) << "feature_w" << kFeatureW << "feature_h" << kFeatureH
       << "w1" << w1_ << "b1" << b1_ << "w2" << w2_ << "b2" << b2_;
  } catch (const cv::Exception&) {
    return false;
  }
  std::filesystem::rename(tmp, file, ec);
  return !ec;
}

std::optional<Classifier> Classifier::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  try {
    cv::FileStorage fs(file.string(), cv::FileStorage::READ);
    if (!fs.isOpened()) return std::nullopt;
    std::string alphabet;
    int fw = 0, fh = 0;
    fs["alphabet"] >> alphabet;
    fs["feature_w"] >> fw;
    fs["feature_h"] >> fh;
    if (alphabet != kAlphabet || fw != kFeatureW || fh != kFeatureH) return std::nullopt;
    Classifier c;
    fs["w1"] >> c.w1_;
    fs["b1"] >> c.b1_;
    fs["w2"] >> c.w2_;
    fs["b2"] >> c.b2_;
    if (c.w1_.rows != kFeatureSize || c.w2_.cols != kOutputs || c.w1_.cols != c.w2_.rows ||
        c.b1_.cols != c.w1_.cols || c.b2_.cols != kOutputs || c.b2_.rows < 1 || c.w1_.cols % c.b2_.rows != 0)
      return std::nullopt;
    return c;
  } catch (const cv::Exception&) {
    return std::nullopt;
  }
}

namespace {

std::filesystem::path userCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "idkit";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "idkit";
  return {};
}

Classifier loadOrTrain() {
  // A model shipped beside the tools (built at install time), else the user
  // cache, else train now and cache it for the next run.
  if (auto c = Classifier::load(dataDir() / "ocrb" / kModelFile)) return std::move(*c);
  const auto cache = userCacheDir();
  if (!cache.empty())
    if (auto c = Classifier::load(cache / kModelFile)) return std::move(*c);
  Classifier c = Classifier::train();
  if (!cache.empty()) c.save(cache / kModelFile);
  return c;
}

}  // namespace

const Classifier& Classifier::shared() {
  static const Classifier instance = loadOrTrain();
  return instance;
}

}  // namespace idkit::ocrb
