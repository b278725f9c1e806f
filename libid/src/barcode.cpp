// Barcode reading with ZXing-cpp, plus the PDF417 region search and
// rectification that photos of licence backs need.
#include <idkit/barcode.hpp>

#include <idkit/base64.hpp>
#include <idkit/codec.hpp>
#include <idkit/deskew.hpp>
#include <idkit/utf8.hpp>

#include "barcode_internal.hpp"
#include "motion_blur.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <fmt/format.h>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

namespace idkit::barcode {
namespace {

ZXing::BarcodeFormats formatsOf(const Options& o) {
  ZXing::BarcodeFormats f;
  for (const auto& name : o.formats) f |= ZXing::BarcodeFormatFromString(name);
  return f;
}

struct Hints {
  ZXing::BarcodeFormats formats;  // empty = all
  bool tryRotate = true;
  ZXing::Binarizer binarizer = ZXing::Binarizer::LocalAverage;
};

Hints hintsFor(ZXing::BarcodeFormats formats, bool tryRotate = true) { return {formats, tryRotate}; }

// ZXing 1.4's readers can throw on an image they misjudge (its Micro QR
// sampler indexes the bit matrix at a negative position: std::out_of_range,
// id-synth fra-id photo 0077 of seed 43 after deskewing). A reader that throws
// costs only its own symbols: the call is repeated one format at a time and
// the format that throws reads nothing.
ZXing::Results readGuarded(const ZXing::ImageView& view, const ZXing::DecodeHints& hints) {
  try {
    return ZXing::ReadBarcodes(view, hints);
  } catch (const std::exception&) {
  }
  ZXing::Results out;
  if (hints.formats().count() < 2) return out;
  for (const ZXing::BarcodeFormat f : hints.formats()) {
    ZXing::DecodeHints one = hints;
    one.setFormats(f);
    for (auto& r : readGuarded(view, one)) out.push_back(std::move(r));
  }
  return out;
}

// Debian's ZXing 1.4 is built with assertions, and ReadBarcodes aborts the
// process (Result::operator==, "lineCount() == 1") when it compares several
// linear-code results. So 2D symbologies are read as many symbols, 1D ones as
// one symbol per pass: the same readers run, in two calls.
ZXing::Results zxRead(const cv::Mat& grey, const Hints& hints) {
  CV_Assert(grey.type() == CV_8UC1);
  ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                        static_cast<int>(grey.step));
  const ZXing::BarcodeFormats all = hints.formats.empty() ? ZXing::BarcodeFormats(ZXing::BarcodeFormat::Any) : hints.formats;
  const ZXing::BarcodeFormats matrix = all & ZXing::BarcodeFormat::MatrixCodes;
  const ZXing::BarcodeFormats linear = all & ZXing::BarcodeFormat::LinearCodes;
  auto base = [&](ZXing::BarcodeFormats f) {
    ZXing::DecodeHints h;
    h.setFormats(f);
    h.setTryHarder(true);
    h.setTryRotate(hints.tryRotate);
    h.setBinarizer(hints.binarizer);
    return h;
  };
  ZXing::Results out;
  if (!matrix.empty()) out = readGuarded(view, base(matrix));
  if (!linear.empty()) {
    auto h = base(linear);
    h.setMaxNumberOfSymbols(1);
    for (auto& r : readGuarded(view, h)) out.push_back(std::move(r));
  }
  return out;
}

std::string latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace

std::string pdf417Text(std::string_view bytes) {
  // ISO 15438 makes ISO-8859-1 the default character set, and that is what
  // issuers' non-ASCII bytes are (É as C9). Some encoders write UTF-8 without
  // an ECI instead; read as Latin-1 those bytes would be a letter followed by a
  // C1 control character, which no name contains, so well-formed multi-byte
  // UTF-8 is kept as it is.
  if (utf8::isMultibyte(bytes)) return std::string(bytes);
  return latin1ToUtf8(bytes);
}

namespace {

// Maps a point of the image ZXing saw back to input coordinates.
using Mapper = std::function<cv::Point2f(cv::Point2f)>;

Code toCode(const ZXing::Result& r, const Mapper& map, std::string method, bool parseAamva) {
  Code c;
  c.format = ZXing::ToString(r.format());
  c.text = r.text();
  c.bytes.assign(r.bytes().begin(), r.bytes().end());
  c.content_type = ZXing::ToString(r.contentType());
  const auto& p = r.position();
  for (int i = 0; i < 4; ++i)
    c.position[i] = map(cv::Point2f(static_cast<float>(p[i].x), static_cast<float>(p[i].y)));
  c.symbology_identifier = r.symbologyIdentifier();
  c.ec_level = r.ecLevel();
  c.has_eci = r.hasECI();
  c.orientation = r.orientation();
  c.sequence_size = r.sequenceSize();
  c.sequence_index = r.sequenceIndex();
  c.sequence_id = r.sequenceId();
  c.method = std::move(method);
  // PDF417 without ECI: ZXing 1.4 guesses the character set, and a guess is
  // not what AAMVA needs; the bytes are decoded the standard's way instead.
  const std::string raw(c.bytes.begin(), c.bytes.end());
  if (r.format() == ZXing::BarcodeFormat::PDF417 && !c.has_eci) c.text = pdf417Text(raw);
  if (parseAamva) {
    // Control characters and element layout come from the raw bytes (charset
    // guessing must not touch them); only the character set is decoded.
    const std::string payload = c.has_eci ? c.text : pdf417Text(raw);
    if (aamva::looksLikeAamva(payload)) {
      if (auto a = aamva::parse(payload)) c.aamva = std::move(*a);
      else c.aamva_error = a.error();
    }
  }
  return c;
}

bool sameCode(const Code& a, const Code& b) {
  if (a.format != b.format || a.bytes != b.bytes) return false;
  // Two identical symbols on one document (rare) are told apart by place.
  const cv::Point2f ca = (a.position[0] + a.position[2]) * 0.5f;
  const cv::Point2f cb = (b.position[0] + b.position[2]) * 0.5f;
  const float size = static_cast<float>(cv::norm(a.position[0] - a.position[2]));
  return cv::norm(ca - cb) < std::max(size, 20.0f);
}

void addAll(std::vector<Code>& out, const ZXing::Results& rs, const Mapper& map,
            const std::string& method, const Options& o) {
  for (const auto& r : rs) {
    if (!r.isValid()) continue;
    Code c = toCode(r, map, method, o.parse_aamva);
    if (std::none_of(out.begin(), out.end(), [&](const Code& e) { return sameCode(e, c); }))
      out.push_back(std::move(c));
  }
}

bool hasFormat(const std::vector<Code>& codes, std::string_view f) {
  return std::any_of(codes.begin(), codes.end(), [&](const Code& c) { return c.format == f; });
}

// ---- PDF417 region search --------------------------------------------------

// A code's outline, TL, TR, BR, BL, the long side first (TL -> TR).
using Quad = std::array<cv::Point2f, 4>;

// A candidate region of bar texture, in the coordinates of the image searched.
struct Region {
  cv::RotatedRect box;       // the texture's minimal rotated box
  std::optional<Quad> quad;  // its outline as a quadrilateral, when it is one
};

// Puts four corners in image-clockwise order, the longer pair of opposite
// sides first. Which of the two long sides is the top is left to codeSpan.
Quad ordered(Quad q) {
  double area2 = 0;
  for (size_t i = 0; i < 4; ++i) area2 += q[i].cross(q[(i + 1) % 4]);
  if (area2 < 0) std::swap(q[1], q[3]);
  const auto len = [&](size_t i) { return cv::norm(q[i] - q[(i + 1) % 4]); };
  if (len(1) + len(3) > len(0) + len(2)) std::rotate(q.begin(), q.begin() + 1, q.end());
  return q;
}

// The outline of a texture blob as a quadrilateral: a code seen in perspective
// is a trapezoid, which a rotated box cuts or pads at its corners, and ZXing's
// row scan needs the rows level to within a module across the whole width.
// None when the blob is not close to four-sided (merged with text, a thumb).
std::optional<Quad> quadOf(const std::vector<cv::Point>& contour) {
  std::vector<cv::Point> hull, poly;
  cv::convexHull(contour, hull);
  const double perimeter = cv::arcLength(hull, true);
  for (double eps = 0.01; eps <= 0.08; eps += 0.01) {
    cv::approxPolyDP(hull, poly, eps * perimeter, true);
    if (poly.size() <= 4) break;
  }
  if (poly.size() != 4 || cv::contourArea(poly) < 0.9 * cv::contourArea(hull)) return std::nullopt;
  Quad q;
  for (size_t i = 0; i < 4; ++i) q[i] = cv::Point2f(poly[i]);
  return ordered(q);
}

Quad boxQuad(const cv::RotatedRect& box) {
  cv::Point2f p[4];
  box.points(p);  // bottomLeft, topLeft, topRight, bottomRight
  return ordered({p[1], p[2], p[3], p[0]});
}

// Candidate regions of bar texture: strong gradients with one dominant
// direction (the structure tensor's coherence), which printed text, faces and
// backgrounds lack. In `grey` coordinates, largest first.
std::vector<Region> barRegions(const cv::Mat& grey, float minCoherence = 0.4f) {
  const int longSide = std::max(grey.cols, grey.rows);
  const double scale = longSide > 1000 ? 1000.0 / longSide : 1.0;
  cv::Mat small;
  if (scale < 1.0) cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);
  else small = grey;
  // The structure tensor, each entry in place (every new float image costs
  // its page faults, which took most of a search on a card without a code).
  cv::Mat jxx, jyy, jxy;
  cv::Sobel(small, jxx, CV_32F, 1, 0, 3);
  cv::Sobel(small, jyy, CV_32F, 0, 1, 3);
  cv::multiply(jxx, jyy, jxy);
  cv::multiply(jxx, jxx, jxx);
  cv::multiply(jyy, jyy, jyy);
  const cv::Size win(9, 9);
  cv::blur(jxx, jxx, win);
  cv::blur(jyy, jyy, win);
  cv::blur(jxy, jxy, win);
  // Energy threshold relative to the image: bars are among its sharpest parts.
  float maxE = 0;
  for (int y = 0; y < jxx.rows; ++y) {
    const float *xx = jxx.ptr<float>(y), *yy = jyy.ptr<float>(y);
    for (int x = 0; x < jxx.cols; ++x) maxE = std::max(maxE, xx[x] + yy[x]);
  }
  const auto minEnergy = static_cast<float>(0.08 * maxE);
  cv::Mat mask(jxx.size(), CV_8UC1);
  for (int y = 0; y < jxx.rows; ++y) {
    const float *xx = jxx.ptr<float>(y), *yy = jyy.ptr<float>(y), *xy = jxy.ptr<float>(y);
    auto* m = mask.ptr<std::uint8_t>(y);
    for (int x = 0; x < jxx.cols; ++x) {
      const float energy = xx[x] + yy[x], diff = xx[x] - yy[x];
      const float coherence = std::sqrt(diff * diff + 4 * (xy[x] * xy[x])) / (energy + 1e-3f);
      m[x] = energy > minEnergy && coherence > minCoherence ? 255 : 0;
    }
  }
  // Density, not mere presence: a code fills its area with such pixels, while
  // the card's outline and text lines are thin.
  cv::Mat density;
  const int d = std::max(9, static_cast<int>(std::lround(std::max(small.cols, small.rows) / 40.0)));
  cv::blur(mask, density, {d, d});
  mask = density > 115;
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {d / 2, d / 2}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  std::vector<Region> regions;
  const double minArea = 0.002 * small.cols * small.rows;
  const float up = static_cast<float>(1.0 / scale);
  for (const auto& c : contours) {
    if (cv::contourArea(c) < minArea) continue;
    Region r{cv::minAreaRect(c), quadOf(c)};
    const float lo = std::min(r.box.size.width, r.box.size.height);
    const float hi = std::max(r.box.size.width, r.box.size.height);
    if (lo < 8 || hi / lo > 15) continue;
    r.box.center *= up;
    r.box.size *= up;
    if (r.quad)
      for (auto& p : *r.quad) p *= up;
    regions.push_back(r);
  }
  std::sort(regions.begin(), regions.end(), [](const auto& a, const auto& b) {
    return a.box.size.area() > b.box.size.area();
  });
  return regions;
}

// An AAMVA licence code is some 250 modules wide; a level crop holds the code
// and a quiet-zone margin of 7.5 % of its width on each side (rectify).
constexpr double kCodeModules = 250;
constexpr double kCropMargins = 1.15;

// The module of an AAMVA-sized code filling a level crop, in pixels.
double moduleOf(const cv::Mat& level) { return level.cols / kCropMargins / kCodeModules; }

// Where the data columns of a level PDF417 crop are, and which way up it is.
// The data columns (row indicators included) are those whose grey level
// varies down the rows, which the start and stop patterns' do not; they are
// followed outwards from the middle, so whatever lies beyond the code does not
// matter. The start pattern (81111113) meets them with a 3-module space, the
// stop pattern (711311121) with its 7-module bar: beside the data the stop side
// is dark, the start side mostly light.
struct Span {
  int left = 0, right = 0;
  bool found = false, upside_down = false;
};

Span codeSpan(const cv::Mat& crop) {
  Span span;
  const cv::Mat band = crop.rowRange(crop.rows * 3 / 10, crop.rows * 7 / 10);
  if (band.rows < 4 || crop.cols < 64) return span;
  cv::Mat mean, sd;
  {
    cv::Mat f;
    band.convertTo(f, CV_32F);
    cv::reduce(f, mean, 0, cv::REDUCE_AVG);
    cv::Mat sq;
    cv::reduce(f.mul(f), sq, 0, cv::REDUCE_AVG);
    cv::sqrt(cv::max(sq - mean.mul(mean), 0), sd);
  }
  const int module = std::max(1, static_cast<int>(moduleOf(crop)));
  cv::blur(sd, sd, {2 * module + 1, 1});
  const int mid = crop.cols / 2, quarter = crop.cols / 4;
  std::vector<float> middle(sd.ptr<float>(0) + mid - quarter, sd.ptr<float>(0) + mid + quarter);
  std::nth_element(middle.begin(), middle.begin() + static_cast<long>(middle.size() / 2), middle.end());
  const float threshold = 0.4f * middle[middle.size() / 2];
  int left = mid, right = mid;
  while (left > 0 && sd.at<float>(0, left) > threshold) --left;
  while (right < crop.cols - 1 && sd.at<float>(0, right) > threshold) ++right;
  span.left = left;
  span.right = right;
  const int w = 5 * module;
  if (left - w < 0 || right + w >= crop.cols || right - left < crop.cols / 4) return span;
  span.found = true;
  const double darkLeft = 255 - cv::mean(mean.colRange(left - w, left))[0];
  const double darkRight = 255 - cv::mean(mean.colRange(right + 1, right + 1 + w))[0];
  span.upside_down = darkLeft > darkRight;
  return span;
}

// Warps the code outlined by `q` to a level crop with a quiet-zone margin,
// turned by `extraAngle` degrees about its centre (the bar tilt measured in a
// first crop), `width` pixels wide.
struct Crop {
  cv::Mat image;
  cv::Mat toInput;  // 3x3 homography: crop -> input
};

Crop rectify(const cv::Mat& grey, Quad q, double extraAngle, double width = 960, int interpolation = cv::INTER_LINEAR) {
  if (extraAngle != 0) {
    const cv::Point2f c = (q[0] + q[1] + q[2] + q[3]) * 0.25f;
    const double a = extraAngle * CV_PI / 180, cs = std::cos(a), sn = std::sin(a);
    for (auto& p : q) {
      const cv::Point2f d = p - c;
      p = c + cv::Point2f(static_cast<float>(d.x * cs - d.y * sn), static_cast<float>(d.x * sn + d.y * cs));
    }
  }
  // About 3.3 pixels per module for an AAMVA-sized code (some 250 modules
  // wide with the quiet zones), whatever the code's size in the photo: ZXing's
  // local-average binariser works in fixed 40-pixel windows, so at 6 px per
  // module a wide bar fills a window and breaks up (measured: codes that read
  // at 500-1400 px fail at 1800).
  const double w = 0.5 * (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3]));
  const double h = 0.5 * (cv::norm(q[3] - q[0]) + cv::norm(q[2] - q[1]));
  const double s = width / (kCropMargins * std::max(w, 1.0));
  const auto mx = static_cast<float>(0.075 * w * s), my = static_cast<float>((0.075 * h + 0.025 * w) * s);
  const auto cw = static_cast<float>(w * s), ch = static_cast<float>(h * s);
  const cv::Size out(static_cast<int>(cw + 2 * mx), static_cast<int>(ch + 2 * my));
  const cv::Point2f dst[4] = {{mx, my}, {mx + cw, my}, {mx + cw, my + ch}, {mx, my + ch}};
  cv::Mat toCrop = cv::getPerspectiveTransform(q.data(), dst);
  Crop c;
  cv::warpPerspective(grey, c.image, toCrop, out, interpolation, cv::BORDER_REPLICATE);
  c.toInput = toCrop.inv();
  if (codeSpan(c.image).upside_down) {  // ZXing 1.4 misses many PDF417 that are upside down
    cv::rotate(c.image, c.image, cv::ROTATE_180);
    const cv::Mat flip = (cv::Mat_<double>(3, 3) << -1, 0, c.image.cols - 1, 0, -1, c.image.rows - 1, 0, 0, 1);
    c.toInput = c.toInput * flip;
  }
  return c;
}

cv::Point2f apply(const cv::Mat& h, cv::Point2f p) {
  std::vector<cv::Point2f> in{p}, out;
  cv::perspectiveTransform(in, out, h);
  return out[0];
}

// The outline of the symbol the grey reader found (start pattern's left edge
// to stop pattern's right edge, top row to bottom row), TL, TR, BR, BL the
// symbol's way up, in input coordinates; `toInput` maps its crop there.
Quad symbolQuad(const pdf417::GreyRead& g, const cv::Mat& toInput) {
  // renderRows: 3 px a module, 4 modules of quiet zone, rows 3 modules high.
  const float q = 12, w = static_cast<float>((17 * g.columns + 69) * 3), h = static_cast<float>(g.rows * 9);
  const cv::Mat m = toInput * g.cleanToCrop;
  return {apply(m, {q, q}), apply(m, {q + w, q}), apply(m, {q + w, q + h}), apply(m, {q, q + h})};
}

// Angle (degrees) by which the bars of an upright crop lean off vertical: the
// mean orientation of strong gradients, weighted by their strength. A rotated
// box from the texture mask is only within a few degrees, and PDF417 needs
// about one.
double barTilt(const cv::Mat& crop) {
  cv::Mat gx, gy;
  cv::Sobel(crop, gx, CV_32F, 1, 0, 3);
  cv::Sobel(crop, gy, CV_32F, 0, 1, 3);
  // Doubled-angle average: a gradient and its opposite count the same.
  const double jxx = cv::sum(gx.mul(gx))[0], jyy = cv::sum(gy.mul(gy))[0], jxy = cv::sum(gx.mul(gy))[0];
  return 0.5 * std::atan2(2 * jxy, jxx - jyy) * 180.0 / CV_PI;
}

// The tilt barTilt measures when a level crop is worth turning by it, else 0.
double levelTilt(const cv::Mat& crop) {
  const double t = barTilt(crop);
  return std::abs(t) > 0.25 && std::abs(t) < 20 ? t : 0.0;
}

// Wiener deconvolution of each row by a Gaussian of `sigma` pixels: undoes
// defocus across the bars (rows are several modules high, so the vertical blur
// matters little). `noise` is the noise-to-signal ratio that keeps the inverse
// filter from amplifying noise without bound.
cv::Mat deblurRows(const cv::Mat& crop, double sigma, double noise) {
  cv::Mat f;
  const int w = cv::getOptimalDFTSize(crop.cols);
  cv::copyMakeBorder(crop, f, 0, 0, 0, w - crop.cols, cv::BORDER_REFLECT);
  f.convertTo(f, CV_32F);
  cv::Mat spectrum;
  cv::dft(f, spectrum, cv::DFT_ROWS | cv::DFT_COMPLEX_OUTPUT);
  std::vector<float> gain(static_cast<size_t>(w));
  for (int u = 0; u < w; ++u) {
    const double fu = std::min(u, w - u) / static_cast<double>(w);  // cycles per pixel
    const double h = std::exp(-2 * CV_PI * CV_PI * sigma * sigma * fu * fu);
    gain[static_cast<size_t>(u)] = static_cast<float>(h / (h * h + noise));
  }
  for (int y = 0; y < spectrum.rows; ++y) {
    auto* row = spectrum.ptr<cv::Vec2f>(y);
    for (int u = 0; u < w; ++u) row[u] *= gain[static_cast<size_t>(u)];
  }
  cv::Mat back;
  cv::dft(spectrum, back, cv::DFT_ROWS | cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
  cv::Mat out;
  back(cv::Rect(0, 0, crop.cols, crop.rows)).convertTo(out, CV_8U);
  return out;
}

// IDKIT_BARCODE_DEBUG=DIR writes every crop handed to ZXing into DIR, to look
// at why a code was missed.
void debugDump(const cv::Mat& image, const char* what) {
  static const char* dir = std::getenv("IDKIT_BARCODE_DEBUG");
  if (!dir || !*dir) return;
  static std::atomic<int> counter{0};
  codec::writeImageFile(fmt::format("{}/{:04d}-{}.png", dir, counter++, what), image);
}

// Specular glare lifts every grey towards white, 255 - v' = (255 - v)(1 - g),
// by a gain g that changes slowly across the code: in darkness (255 - v) it
// is a factor, which dividing by the local ink level (the darkest grey within
// some 8 modules, smoothed) takes out, giving the bars under the glare their
// darkness again while paper keeps its own level. The ink level is found on
// a 4x smaller max-pooled copy: it is smooth, and the crop large.
cv::Mat deglare(const cv::Mat& crop, double module) {
  constexpr int kPool = 4;
  cv::Mat dark;
  crop.convertTo(dark, CV_32F, -1.0, 255.0);
  cv::Mat pooled, ink;
  cv::dilate(dark, pooled, cv::getStructuringElement(cv::MORPH_RECT, {kPool, kPool}), {0, 0});
  cv::resize(pooled, pooled, cv::Size((crop.cols + kPool - 1) / kPool, (crop.rows + kPool - 1) / kPool), 0, 0,
             cv::INTER_NEAREST);
  const int r = std::max(1, static_cast<int>(std::lround(8 * module / kPool)));
  cv::dilate(pooled, pooled, cv::getStructuringElement(cv::MORPH_RECT, {2 * r + 1, 2 * r + 1}));
  cv::GaussianBlur(pooled, pooled, {0, 0}, r);
  cv::resize(pooled, ink, crop.size(), 0, 0, cv::INTER_LINEAR);
  double top = 0;
  cv::minMaxLoc(ink, nullptr, &top);
  cv::Mat out;
  cv::Mat(255.0f - 255.0f * cv::min(dark / cv::max(ink, std::max(8.0, 0.05 * top)), 1.0f)).convertTo(out, CV_8U);
  return out;
}

// Whether a level crop shows a PDF417 start or stop pattern (the evidence the
// costly fallbacks need). Glare can grey an end pattern's bar or its quiet
// zone out of the test: the crop with the glare divided out gets a second
// look, and is kept in `unglared` when made.
bool endPatternShows(const cv::Mat& level, cv::Mat& unglared) {
  if (pdf417::hasStartOrStop(level)) return true;
  if (experiment(Experiment::NoDeglare)) return false;
  unglared = deglare(level, moduleOf(level));
  return pdf417::hasStartOrStop(unglared);
}

// Glare and uneven light: each pixel scaled between the darkest and lightest
// grey within a few codewords around it, so a washed-out part of the code
// gets the contrast of the rest before ZXing binarises it.
cv::Mat localContrast(const cv::Mat& crop, int window) {
  window |= 1;
  const cv::Mat k = cv::getStructuringElement(cv::MORPH_RECT, {window, window});
  cv::Mat f, hi, lo;
  crop.convertTo(f, CV_32F);
  cv::dilate(f, hi, k);
  cv::erode(f, lo, k);
  cv::blur(hi, hi, {window, window});
  cv::blur(lo, lo, {window, window});
  cv::Mat out;
  cv::Mat(255 * (f - lo) / cv::max(hi - lo, 8.0f)).convertTo(out, CV_8U);
  return out;
}

// Decodes PDF417 in the candidate regions. Each region is rectified from its
// outline (a quadrilateral when it is one, else its rotated box), its bar
// tilt measured and corrected, then read as is, with its local contrast
// evened out (glare), lightly blurred (noise), smaller (ZXing reads some codes
// only at 2 px per module), deconvolved (defocus), and over a sweep of small
// angles. The number of decodes is capped (not
// timed) so output stays deterministic.
// `gated`, when given, gets the bounding box of the first region that showed
// a start or stop pattern (the code's place, for the motion pass in read()).
// `quick` stops before the deconvolved crops and the grey reader (a cheap
// judge of a motion kernel).
void readRegions(const cv::Mat& grey, std::vector<Region> regions, const Options& o, std::vector<Code>& out,
                 cv::Rect* gated = nullptr, bool quick = false) {
  if (regions.size() > 4) regions.resize(4);
  const bool gate = !experiment(Experiment::NoGate);
  // A region's first shape rectified and, when its bars lean, turned level,
  // with the gate's verdict on the level crop once asked: made once, whether
  // the quick gate or the main loop below needs it first.
  struct Level {
    Crop straight, level;
    double tilt = 0;
    std::optional<bool> shows;  // endPatternShows(level.image)
    cv::Mat unglared;           // the deglared crop that test made, if any
  };
  auto levelOf = [&](const Quad& q) {
    Level l;
    l.straight = rectify(grey, q, 0.0);
    l.tilt = levelTilt(l.straight.image);
    l.level = l.tilt != 0 ? rectify(grey, q, l.tilt) : l.straight;
    return l;
  };
  auto firstShape = [](const Region& r) { return r.quad ? *r.quad : boxQuad(r.box); };
  std::vector<std::optional<Level>> first(regions.size());
  // A quick search (a motion kernel's judge) reads nothing where no region
  // shows an end pattern: most kernels tried leave none, and each region's
  // ZXing reads would be spent for nothing.
  if (quick && gate) {
    bool any = false;
    for (size_t i = 0; i < regions.size() && !any; ++i) {
      first[i] = levelOf(firstShape(regions[i]));
      first[i]->shows = endPatternShows(first[i]->level.image, first[i]->unglared);
      any = *first[i]->shows;
    }
    if (!any) return;
  }
  const auto hints = hintsFor(ZXing::BarcodeFormat::PDF417, true);
  int budget = 32;
  bool greyTried = false;
  auto found = [&](const Crop& c, const ZXing::Results& rs, const char* method = "rectified") {
    if (rs.empty()) return false;
    const cv::Mat h = c.toInput;
    addAll(out, rs, [&](cv::Point2f p) { return apply(h, p); }, method, o);
    return true;  // documents carry one PDF417
  };
  auto attempt = [&](const Crop& c, const cv::Mat& image, bool bothBinarizers = false) {
    if (budget-- <= 0) return false;
    debugDump(image, "region");
    if (found(c, zxRead(image, hints))) return true;
    if (!bothBinarizers) return false;
    // Deconvolution rings beside every edge, which misleads the local-average
    // threshold; one threshold for the whole crop reads through it.
    Hints global = hints;
    global.binarizer = ZXing::Binarizer::GlobalHistogram;
    return found(c, zxRead(image, global));
  };
  // The grey reader's symbol: first its codewords corrected by idkit's own
  // Reed-Solomon decoder with the least sure ones as erasures (ZXing 1.4
  // takes no erasures: a blank codeword is just another error to it), then,
  // when that fails, the symbol as read, for ZXing. ZXing corrects up to
  // half the check codewords with no bound on the risk, and a reading with
  // many codewords wrong (row indicators too) can land on some symbol of a
  // low level: at level 0 (2 check codewords) a wrong word of n codewords is
  // within one error of a symbol with a chance of about n / 929 (id-synth
  // licence 0041 of seed 107 read as "AA"). Below level 3 (16 check
  // codewords, a chance under correctGrey's 1e-4) such a read is dropped.
  auto readGreyResult = [&](const pdf417::GreyRead& g, const cv::Mat& cleanToInput) {
    if (const auto fixed = pdf417::correctGrey(g)) {
      debugDump(fixed->clean, "corrected");
      if (found({fixed->clean, cleanToInput}, zxRead(fixed->clean, hints), "grey")) return true;
    }
    auto asRead = zxRead(g.clean, hints);
    std::erase_if(asRead, [](const ZXing::Result& r) { return std::atoi(r.ecLevel().c_str()) < 3; });
    return found({g.clean, cleanToInput}, asRead, "grey");
  };
  // The grey reader on a level (or deconvolved) crop that `toInput` maps to the input.
  auto greyOn = [&](const cv::Mat& image, const cv::Mat& toInput) {
    const auto g = pdf417::readGrey(image);
    if (!g) return false;
    debugDump(g->clean, "grey");
    return readGreyResult(*g, toInput * g->cleanToCrop);
  };
  for (size_t r = 0; r < regions.size(); ++r) {
    const Region& region = regions[r];
    std::vector<Quad> shapes{firstShape(region)};
    if (region.quad) shapes.push_back(boxQuad(region.box));
    // The first shape's level crop is the one the variants below work on.
    Quad base = shapes[0];
    std::vector<Crop> levels;  // each shape's level crop
    double tilt = 0, boxTilt = 0;
    std::optional<bool> shows;
    cv::Mat unglared;
    for (size_t i = 0; i < shapes.size(); ++i) {
      Level l = i == 0 && first[r] ? std::move(*first[r]) : levelOf(shapes[i]);
      if (attempt(l.straight, l.straight.image)) return;
      if (l.tilt != 0 && attempt(l.level, l.level.image)) return;
      boxTilt = l.tilt;
      if (i == 0) {
        tilt = l.tilt;
        shows = l.shows;
        unglared = l.unglared;
      }
      levels.push_back(std::move(l.level));
    }
    const Crop& c = levels[0];
    const double module = moduleOf(c.image);
    // The costly variants below only where a start or stop pattern shows:
    // most documents carry no PDF417, and print or a portrait must not pay.
    const bool deglared = !experiment(Experiment::NoDeglare);
    if (gate && !shows) shows = endPatternShows(c.image, unglared);
    if (gate && !*shows) continue;
    // An end pattern that shows only once the glare is divided out: the reads
    // of the glare-cleaned crop below are what such a region gets (a blurred
    // code without glare can pass that way too, and the deconvolutions, the
    // sweep and the motion pass spent seconds on it for nothing).
    const bool glareOnly = !unglared.empty();
    if (gated && gated->empty() && !glareOnly) *gated = region.box.boundingRect();
    const cv::Mat contrasted = localContrast(c.image, static_cast<int>(8 * module));
    if (attempt(c, contrasted)) return;
    if (deglared && unglared.empty()) unglared = deglare(c.image, module);
    if (deglared && attempt(c, unglared)) return;
    cv::Mat blurred;  // noisy photos: a light blur joins broken bars
    cv::GaussianBlur(c.image, blurred, {0, 0}, 1.0);
    if (attempt(c, blurred)) return;
    const Crop small = rectify(grey, base, tilt, 640);
    if (attempt(small, small.image)) return;
    if (quick) continue;
    if (glareOnly) {
      if (o.grey && !greyTried && budget > 0) {
        greyTried = true;
        --budget;
        if (greyOn(unglared, c.toInput)) return;
        if (greyOn(contrasted, c.toInput)) return;
      }
      continue;
    }
    // Defocus: blur that reaches half a module or more smears bars into grey.
    // The inverse filter needs every pixel the photo has, so it works on a
    // crop at up to 1800 px (the photo's own resolution), read with both
    // binarisers. The module is estimated from the data columns' width (AAMVA
    // codes have about 220 modules there) or else the crop's; two strengths
    // cover the range a decode survives. A blurred blob's outline is round,
    // so the rotated box frames it better than a quadrilateral.
    const Quad& box = shapes.back();
    const double codeWidth = 0.5 * (cv::norm(box[1] - box[0]) + cv::norm(box[2] - box[3]));
    const Crop big = rectify(grey, box, boxTilt, std::clamp(kCropMargins * codeWidth, 960.0, 1800.0));
    const Span span = codeSpan(big.image);
    std::vector<double> modules{moduleOf(big.image)};
    if (const double m = (span.right - span.left) / 220.0; span.found && std::abs(m / modules[0] - 1) > 0.15)
      modules.push_back(m);
    std::vector<cv::Mat> deblurred;
    for (double m : modules)
      for (double k : {0.55, 0.8}) {
        deblurred.push_back(deblurRows(big.image, k * m, 0.01));
        if (attempt(big, deblurred.back(), true)) return;
      }
    // Blur over a module or more: no binariser separates the bars, the grey
    // levels still do. The reader's clean re-rendering goes to ZXing.
    if (o.grey && !greyTried && budget > 0) {
      // Once per search, on the largest region: it costs a few ZXing passes.
      greyTried = true;
      --budget;
      // Each shape's level crop: a blurred blob's quadrilateral outline can
      // be off by a module at a corner, which the rotated box is not (and
      // the other way round under strong perspective).
      for (const Crop& level : levels) {
        const auto g = pdf417::readGrey(level.image);
        if (!g) continue;
        debugDump(g->clean, "grey");
        if (readGreyResult(*g, level.toInput * g->cleanToCrop)) return;
        // A second look on a crop of the code alone at 5 or more pixels per
        // module, from the input's own pixels: the region's crop is sized for
        // ZXing (3.3 px a module for an AAMVA code filling it) and holds a code
        // in a larger region (the card) at fewer, resampled twice.
        const Quad q = symbolQuad(*g, level.toInput);
        const int modules = 17 * g->columns + 69;
        const double width = kCropMargins * modules * std::max(5.0, g->module_px * 1.05);
        const Crop tight = rectify(grey, q, 0.0, std::min(width, 3000.0), cv::INTER_CUBIC);
        debugDump(tight.image, "tight");
        if (const auto g2 = pdf417::readGrey(tight.image)) {
          debugDump(g2->clean, "grey");
          if (readGreyResult(*g2, tight.toInput * g2->cleanToCrop)) return;
        }
      }
      // The level crop with its local contrast evened out: under a glare
      // spot the bars keep a few grey levels of contrast, which the grey
      // reader's per-row levels cannot stretch back where a whole band of
      // rows is pale (measured on a licence back under glare of strength
      // 0.95 and defocus: 125 of 294 codewords wrong on the level crop, 7 on
      // this one, 58 with the glare divided out).
      if (greyOn(contrasted, c.toInput)) return;
      // The level crop with the glare divided out: the grey reader's levels
      // follow a pale stretch only row by row (relevel), not down a column.
      if (deglared && greyOn(unglared, c.toInput)) return;
      // The deconvolved crops ZXing could not binarise: from the photo's own
      // pixels at up to 1800 px, with the blur partly undone, the grey reader
      // fits a narrower kernel and picks fewer codewords wrong (the level
      // crops above are resampled to 960 px). Costly (a 1800 px read per
      // crop), so last, once the level crops have failed.
      for (const cv::Mat& sharper : deblurred)
        if (greyOn(sharper, big.toInput)) return;
    }
    for (double angle : {-2.0, 2.0, -4.0, 4.0}) {
      const Crop a = rectify(grey, base, tilt + angle);
      if (attempt(a, a.image)) return;
    }
  }
}

void readRegions(const cv::Mat& grey, const Options& o, std::vector<Code>& out, cv::Rect* gated = nullptr,
                 bool quick = false) {
  readRegions(grey, barRegions(grey), o, out, gated, quick);
}

// Where a start or stop pattern showed (`gated`) and nothing read: glare can
// fade part of a code below the texture search's energy threshold, and the
// region found then holds only the rest of it (the end pattern on the far
// side shows, the one under the glare is cut off). The search is run again on
// the photo with the glare divided out, and the regions it finds that differ
// from the first search's (`before`) are rectified from the photo and read.
void readUnglaredRegions(const cv::Mat& grey, const std::vector<Region>& before, double module, const Options& o,
                         std::vector<Code>& out) {
  auto regions = barRegions(deglare(grey, module));
  std::erase_if(regions, [&](const Region& r) {
    const cv::Rect a = r.box.boundingRect();
    return std::any_of(before.begin(), before.end(), [&](const Region& b) {
      const cv::Rect bb = b.box.boundingRect();
      return (a & bb).area() > 0.8 * std::max(a.area(), bb.area());
    });
  });
  if (!regions.empty()) readRegions(grey, std::move(regions), o, out);
}

// Last resort for PDF417 on a photo: a rotated box cannot undo strong
// perspective, but the card's own outline can. The card is found with
// idkit::deskew, warped flat at a resolution that gives the code's modules
// a few pixels each, and searched again; positions go back through the card's
// homography.
void readFlattened(const cv::Mat& image, const cv::Mat& grey, const Options& o, std::vector<Code>& out) {
  deskew::Options dopts;
  dopts.orient = false;  // readRegions turns an upside-down code itself
  const auto docs = deskew::detect(image, dopts);
  if (docs.empty()) return;
  const auto& q = docs[0].quad;
  const double widthPx = std::max(cv::norm(q[1] - q[0]), cv::norm(q[2] - q[3]));
  const double naturalDpi = widthPx / (deskew::sizeMm(docs[0].kind).width / 25.4);
  // Licence codes have modules of 0.25-0.4 mm: at 450 dpi or more that is 4+
  // pixels, enough for ZXing; beyond the photo's own resolution nothing is gained.
  const cv::Size size = deskew::pixelSize(docs[0].kind, std::clamp(naturalDpi, 450.0, 600.0));
  const std::array<cv::Point2f, 4> src = {cv::Point2f(q[0]), cv::Point2f(q[1]), cv::Point2f(q[2]), cv::Point2f(q[3])};
  const std::array<cv::Point2f, 4> dst = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(size.width), 0),
                                          cv::Point2f(static_cast<float>(size.width), static_cast<float>(size.height)),
                                          cv::Point2f(0, static_cast<float>(size.height))};
  const cv::Mat toFlat = cv::getPerspectiveTransform(src.data(), dst.data());
  cv::Mat flat;
  cv::warpPerspective(grey, flat, toFlat, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  debugDump(flat, "flat");
  std::vector<Code> found;
  cv::Rect gated;
  const auto regions = barRegions(flat);
  readRegions(flat, regions, o, found, &gated);
  // The code spans some nine tenths of the card's width.
  if (found.empty() && !gated.empty() && !experiment(Experiment::NoDeglare))
    readUnglaredRegions(flat, regions, 0.9 * flat.cols / kCodeModules, o, found);
  const cv::Mat toInput = toFlat.inv();
  for (auto& c : found) {
    for (auto& p : c.position) p = apply(toInput, p);
    c.method = "flattened";
    if (std::none_of(out.begin(), out.end(), [&](const Code& e) { return sameCode(e, c); }))
      out.push_back(std::move(c));
  }
}

// Last of all for PDF417, where a start or stop pattern showed (`gated`) but
// nothing read: motion blur. Its kernel is a line in any direction, so it
// smears the rows into each other as much as the bars, which no deconvolution
// across the bars (nor the grey reader's row model) undoes. The kernel is
// estimated from the spectrum of the code's patch of the photo, where it is
// the same everywhere (before any warp), the patch deconvolved by it in 2D,
// and its regions read again.
void readMotion(const cv::Mat& grey, cv::Rect gated, const Options& o, std::vector<Code>& out) {
  const int mx = gated.width * 15 / 100 + 20, my = gated.height * 15 / 100 + 20;
  const cv::Rect r = cv::Rect(gated.x - mx, gated.y - my, gated.width + 2 * mx, gated.height + 2 * my) &
                     cv::Rect(0, 0, grey.cols, grey.rows);
  const auto kernel = detail::motionOf(grey(r));
  if (!kernel) return;
  const cv::Point2f offset(static_cast<float>(r.x), static_cast<float>(r.y));
  auto readWith = [&](const detail::MotionBlur& k, bool quick) {
    const cv::Mat sharp = detail::deblurMotion(grey(r), k, 0.03);
    debugDump(sharp, fmt::format("motion-{:.2f}px-{:.0f}deg-{:.3f}", k.length, k.angle, k.score).c_str());
    std::vector<Code> found;
    readRegions(sharp, o, found, nullptr, quick);
    // A wrong kernel can leave an even texture that ZXing takes for a symbol
    // of one repeated codeword ("AAAA...": all-zero data and all-zero check
    // codewords are a valid Reed-Solomon word): no document's payload.
    std::erase_if(found, [](const Code& c) {
      return c.bytes.size() > 8 && std::all_of(c.bytes.begin(), c.bytes.end(), [&](std::uint8_t b) { return b == c.bytes[0]; });
    });
    for (auto& c : found) {
      for (auto& p : c.position) p += offset;
      c.method = "motion";
      out.push_back(std::move(c));
    }
    return !found.empty();
  };
  if (readWith(*kernel, false)) return;
  // The estimate is often a pixel or a few degrees off, which the inverse
  // filter does not survive; the kernels around it (whole taps, as the blur
  // has them) are judged by whether the code reads.
  const int length = static_cast<int>(std::lround(kernel->length));
  for (double turn : {0.0, -3.0, 3.0, -6.0, 6.0, -9.0, 9.0})
    for (int dl : {0, -1, 1}) {
      if ((turn == 0 && dl == 0) || length + dl < 3) continue;
      if (readWith({static_cast<double>(length + dl), kernel->angle + turn, kernel->score}, true)) return;
    }
}

// A defocused code washes its modules' edges into grey that ZXing's
// threshold splits wrongly: an unsharp mask of amount kSharpenAmount and a
// Gaussian of some 0.4 module restores them (qr-id-photo-s6464-0047,
// defocus 3.45 px: its flat card, 6-7 px modules, reads so with Gaussians of
// about 0.3 to 0.6 module, whole or reduced to 0.75 or 0.5, not at amount 1,
// nor unsharpened at any of those scales). When the module is not known, a
// fixed share of the image's long side (that card reads with 0.2-0.4 %).
constexpr double kSharpenModules = 0.4;
constexpr double kSharpenPerSide = 0.003;
constexpr double kSharpenAmount = 2.0;

// The sharpened tries look for the square matrix codes (QR, DataMatrix,
// Aztec) among `formats` only, which read at any angle: PDF417 has its own
// deconvolutions, and the linear readers' row scans would double the tries'
// cost on every document without a code. Empty when none is wanted.
ZXing::BarcodeFormats matrixFormats(ZXing::BarcodeFormats formats) {
  const ZXing::BarcodeFormats matrix =
      ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::DataMatrix | ZXing::BarcodeFormat::Aztec;
  return formats.empty() ? matrix : formats & matrix;
}

cv::Mat unsharp(const cv::Mat& grey, double sigma) {
  cv::Mat soft, sharp;
  cv::GaussianBlur(grey, soft, {0, 0}, sigma);
  cv::addWeighted(grey, 1 + kSharpenAmount, soft, -kSharpenAmount, 0, sharp);
  return sharp;
}

// A region about as long as it is wide: a QR, DataMatrix or Aztec symbol's
// (a PDF417's or a text block's is several times longer).
bool squareRegion(const Region& r) {
  const double a = std::max(r.box.size.width, r.box.size.height), b = std::min(r.box.size.width, r.box.size.height);
  return b > 0 && a < 1.3 * b;
}

// Small 2D codes: ZXing 1.4 finds DataMatrix mainly where the image's centre
// lines cross it, so each textured region is cropped (centring it) and read,
// upscaled when small.
void readTiles(const cv::Mat& grey, ZXing::BarcodeFormats formats, const Options& o,
               std::vector<Code>& out) {
  auto regions = barRegions(grey, 0.0f);
  if (regions.size() > 6) regions.resize(6);
  const auto hints = hintsFor(formats, true);
  const ZXing::BarcodeFormats matrix = matrixFormats(formats);
  for (const auto& region : regions) {
    cv::Rect r = region.box.boundingRect();
    const int m = std::max(r.width, r.height) / 3 + 8;
    r = cv::Rect(r.x - m, r.y - m, r.width + 2 * m, r.height + 2 * m) & cv::Rect(0, 0, grey.cols, grey.rows);
    if (r.width < 16 || r.height < 16) continue;
    const double up = std::max(1.0, std::min(3.0, 400.0 / std::max(r.width, r.height)));
    cv::Mat big;
    if (up > 1) cv::resize(grey(r), big, cv::Size(), up, up, cv::INTER_CUBIC);
    else big = grey(r).clone();
    const Mapper map = [&](cv::Point2f p) {
      return cv::Point2f(static_cast<float>(p.x / up + r.x), static_cast<float>(p.y / up + r.y));
    };
    const size_t before = out.size();
    addAll(out, zxRead(big, hints), map, "tiled", o);
    // Glare over part of a QR code greys its modules there (a finder pattern
    // washed pale) below ZXing's local threshold: the tile with the glare
    // divided out, the module taken as a fortieth of the textured region.
    const double module = std::max(region.box.size.width, region.box.size.height) * up / 40.0;
    if (out.size() == before && !experiment(Experiment::NoDeglare)) {
      const cv::Mat clean = deglare(big, module);
      debugDump(clean, "tile-deglared");
      addAll(out, zxRead(clean, hints), map, "tiled", o);
    }
    // A defocused 2D code (a square region): the tile sharpened (unsharp;
    // the photo qr-id-photo-s6464-0047 reads so).
    if (out.size() == before && squareRegion(region) && !matrix.empty()) {
      const cv::Mat sharp = unsharp(big, kSharpenModules * module);
      debugDump(sharp, "tile-sharpened");
      addAll(out, zxRead(sharp, hintsFor(matrix, false)), map, "tiled", o);
    }
  }
}

}  // namespace

bool experiment(Experiment e) {
  static const auto set = [] {
    constexpr std::array<const char*, static_cast<size_t>(Experiment::Count)> names{"IDKIT_BARCODE_NO_GATE",
                                                                                          "IDKIT_BARCODE_NO_DEGLARE"};
    std::array<bool, names.size()> on{};
    for (size_t i = 0; i < names.size(); ++i) on[i] = std::getenv(names[i]) != nullptr;
    return on;
  }();
  return set[static_cast<size_t>(e)];
}

std::vector<Code> read(const cv::Mat& image, const Options& o) {
  if (image.empty()) return {};
  cv::Mat grey;
  if (image.channels() == 3) cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  else if (image.channels() == 4) cv::cvtColor(image, grey, cv::COLOR_BGRA2GRAY);
  else grey = image;
  if (grey.depth() != CV_8U) grey.convertTo(grey, CV_8U);
  if (!grey.isContinuous()) grey = grey.clone();

  const ZXing::BarcodeFormats formats = formatsOf(o);
  const bool wantPdf417 = formats.empty() || formats.testFlag(ZXing::BarcodeFormat::PDF417);
  // Large photos: the full-image pass runs on a copy of at most ~4 MP (ZXing's
  // cost grows with pixels; codes that need more resolution are read from
  // rectified full-resolution crops below).
  cv::Mat work = grey;
  double down = 1.0;
  if (static_cast<double>(grey.total()) > 4.2e6) {
    down = 2000.0 / std::max(grey.cols, grey.rows);
    cv::resize(grey, work, cv::Size(), down, down, cv::INTER_AREA);
  }
  const Mapper fromWork = [down](cv::Point2f p) { return p * (1.0f / static_cast<float>(down)); };
  std::vector<Code> out;
  addAll(out, zxRead(work, hintsFor(formats)), fromWork, "direct", o);

  cv::Rect gated;
  std::vector<Region> regions;  // the texture search's, kept for the deglared search
  if (o.rectify && wantPdf417 && !hasFormat(out, "PDF417")) {
    regions = barRegions(grey);
    readRegions(grey, regions, o, out, &gated);
  }
  if (o.rectify && wantPdf417 && !hasFormat(out, "PDF417")) readFlattened(image, grey, o, out);
  if (o.rectify && wantPdf417 && !hasFormat(out, "PDF417") && !gated.empty() && !experiment(Experiment::NoDeglare))
    readUnglaredRegions(grey, regions, std::max(1.0, std::max(gated.width, gated.height) / kCodeModules), o, out);
  if (o.rectify && wantPdf417 && !hasFormat(out, "PDF417") && !gated.empty()) readMotion(grey, gated, o, out);
  if (o.retry && out.empty()) {
    cv::Mat blurred;
    cv::GaussianBlur(work, blurred, {0, 0}, 1.0);
    addAll(out, zxRead(blurred, hintsFor(formats)), fromWork, "blurred", o);
  }
  if (o.retry && out.empty()) readTiles(grey, formats, o, out);
  // A defocused code the texture search did not cut out alone (on a flat QR
  // card, the whole card is one textured region): the image sharpened.
  if (o.retry && out.empty() && !matrixFormats(formats).empty()) {
    const cv::Mat sharp = unsharp(work, kSharpenPerSide * std::max(work.cols, work.rows));
    debugDump(sharp, "sharpened");
    addAll(out, zxRead(sharp, hintsFor(matrixFormats(formats), false)), fromWork, "sharpened", o);
  }
  return out;
}

bool knownFormat(const std::string& name) {
  return ZXing::BarcodeFormatFromString(name) != ZXing::BarcodeFormat::None;
}

Json Code::toJson() const {
  Json j;
  j["format"] = format;
  const bool isText = content_type == "Text" || content_type == "GS1" || content_type == "ISO15434";
  j["text"] = text;
  if (!isText) j["bytes_base64"] = base64::encode(bytes);
  j["content_type"] = content_type;
  Json pos = Json::array();
  for (const auto& p : position) pos.push_back({std::lround(p.x), std::lround(p.y)});
  j["position"] = pos;
  Json sym = {{"identifier", symbology_identifier}, {"eci", has_eci}, {"orientation", orientation}};
  if (!ec_level.empty()) sym["ec_level"] = ec_level;
  if (sequence_size > -1)
    sym["sequence"] = {{"size", sequence_size}, {"index", sequence_index}, {"id", sequence_id}};
  j["symbology"] = sym;
  j["method"] = method;
  if (aamva) j["aamva"] = aamva->toJson();
  if (aamva_error) j["aamva_error"] = {{"code", aamva_error->code}, {"message", aamva_error->message}};
  return j;
}

Json toJson(const std::vector<Code>& codes) {
  Json a = Json::array();
  for (const auto& c : codes) a.push_back(c.toJson());
  return a;
}

cv::Mat render(const std::string& text, const std::string& format, int module) {
  const auto f = ZXing::BarcodeFormatFromString(format);
  if (f == ZXing::BarcodeFormat::None) throw std::invalid_argument("unknown barcode format " + format);
  ZXing::MultiFormatWriter writer(f);
  writer.setMargin(f == ZXing::BarcodeFormat::PDF417 ? 2 : 4);
  if (f == ZXing::BarcodeFormat::PDF417) writer.setEccLevel(5);
  const ZXing::BitMatrix bits = writer.encode(text, 0, 0);
  cv::Mat m(bits.height(), bits.width(), CV_8UC1);
  for (int y = 0; y < bits.height(); ++y)
    for (int x = 0; x < bits.width(); ++x) m.at<std::uint8_t>(y, x) = bits.get(x, y) ? 0 : 255;
  cv::Mat out;  // the writer already makes PDF417 rows several modules high
  cv::resize(m, out, cv::Size(), module, module, cv::INTER_NEAREST);
  return out;
}

}  // namespace idkit::barcode
