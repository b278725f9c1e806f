// Finding document quads: candidates from several cues on a downscaled copy,
// one score for all of them, then a line fit per side at full resolution.
//
// Cues, because each fails somewhere: closed edge contours (fail when a thumb
// or glare breaks the outline), long line segments combined four at a time
// (fail on a busy background with many lines, but survive a broken outline),
// and region masks against the background colour and by brightness (fail on
// white-on-white, survive blur). The score only asks what every true document
// edge shows: a gradient across each side, text-like texture inside, and an
// ICAO aspect ratio once perspective is undone.
#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "deskew_internal.hpp"

namespace idkit::deskew::detail {

namespace {

constexpr double kPi = std::numbers::pi;
// Long lines combined into quads: the strongest kLinesTop, then lines across
// the strongest one up to kLinesAcross of them among the first kLinesAll.
constexpr size_t kLinesTop = 14, kLinesAcross = 8, kLinesAll = 48;
constexpr double kMinCross = 35 * kPi / 180;
// Weak-edge density above which a side of a Hough segment is print (two
// edge lines or more through a box 2% of the frame wide).
constexpr double kPrintDensity = 0.12;
// The 90th percentile of the gradient along the frame's border under which
// the desk or page is plain (no wood grain, fabric or clutter).
constexpr double kPlainBorder = 20;
// The share of the frame a quad using the later lines must cover, and the
// edge support each of its sides needs.
constexpr double kFillsFrame = 0.4, kNewSideSupport = 0.5;
// A container around one of the best few hypotheses (kContainerOf of them,
// covering at most kPartOfFrame of the frame): each side's edge support, and
// its growth in area at least.
constexpr size_t kContainerOf = 3;
// A container grows again while the next scores kContainerShare of it.
// A container inside a document-shaped hypothesis with edges gives way to it
// when that scores kInnerShare of it.
// A container around a document-shaped hypothesis under kContainerGrowth
// times smaller, with edges as crisp, that scores kFringeShare of it is that
// hypothesis plus a fringe.
// (kContainerGrowth, kContainerShare and kFringeShare: deskew_internal.hpp.)
constexpr double kPartOfFrame = 0.35, kContainerSide = 0.4, kInnerShare = 0.6;
// A part whose short over long side is within kPortraitShape (35 x 45 mm is
// 0.78) is taken for a portrait: it must lie within kPortraitEnd of a short
// side of its container and cover at most kPortraitShare of it.
constexpr std::array<double, 2> kPortraitShape{0.68, 0.86};
constexpr double kPortraitEnd = 0.2, kPortraitShare = 1.0 / 3;

// std::lround (halves away from zero) without its library call: the edge
// probes below round millions of sample points per photo.
inline int nearest(double v) { return static_cast<int>(v < 0 ? v - 0.5 : v + 0.5); }

// Values at the given fractions (ascending) of a float image: one histogram
// over 0..max for all of them, cheap and exact enough for thresholds.
template <size_t N>
std::array<double, N> percentiles(const cv::Mat& m32f, const std::array<double, N>& ps) {
  std::array<double, N> out{};
  double maxv = 0;
  cv::minMaxLoc(m32f, nullptr, &maxv);
  if (maxv <= 0) return out;
  constexpr int kBins = 512;
  std::array<int, kBins> hist{};
  const double k = (kBins - 1) / maxv;
  for (int y = 0; y < m32f.rows; ++y) {
    const float* r = m32f.ptr<float>(y);
    for (int x = 0; x < m32f.cols; ++x) ++hist[static_cast<size_t>(r[x] * k)];
  }
  for (size_t j = 0; j < N; ++j) {
    const double target = ps[j] * m32f.total();
    double acc = 0;
    out[j] = maxv;
    for (int i = 0; i < kBins; ++i) {
      acc += hist[static_cast<size_t>(i)];
      if (acc >= target) {
        out[j] = i / k;
        break;
      }
    }
  }
  return out;
}

Quad toQuad(const std::vector<cv::Point>& pts) {
  std::array<cv::Point2d, 4> c;
  for (size_t i = 0; i < 4; ++i) c[i] = cv::Point2d(pts[i]);
  return orderQuad(c);
}

// Quads a closed outline suggests: its hull simplified to four corners, and
// the smallest rotated rectangle around it.
void quadsFromContour(const std::vector<cv::Point>& contour, double min_area, double max_area,
                      std::vector<Quad>& out) {
  std::vector<cv::Point> hull;
  cv::convexHull(contour, hull);
  const double a = cv::contourArea(hull);
  if (a < min_area || a > max_area) return;
  const double perim = cv::arcLength(hull, true);
  std::vector<cv::Point> approx;
  for (double eps : {0.01, 0.02, 0.035, 0.05, 0.08}) {
    cv::approxPolyDP(hull, approx, eps * perim, true);
    if (approx.size() == 4) {
      out.push_back(toQuad(approx));
      break;
    }
    if (approx.size() < 4) break;
  }
  const cv::RotatedRect r = cv::minAreaRect(hull);
  cv::Point2f v[4];
  r.points(v);
  std::array<cv::Point2d, 4> c{cv::Point2d(v[0]), cv::Point2d(v[1]), cv::Point2d(v[2]), cv::Point2d(v[3])};
  out.push_back(orderQuad(c));
}

void quadsFromMask(const cv::Mat& mask, double min_area, double max_area, std::vector<Quad>& out) {
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  for (const auto& c : contours) quadsFromContour(c, min_area, max_area, out);
}

struct Line {
  cv::Point2d p, d;  // a point and the unit direction
  double support = 0;
  double angle = 0;  // of d, in [0, pi)
};

std::optional<cv::Point2d> intersect(const Line& a, const Line& b) {
  const double den = a.d.x * b.d.y - a.d.y * b.d.x;
  if (std::abs(den) < 1e-6) return std::nullopt;
  const cv::Point2d w = b.p - a.p;
  const double t = (w.x * b.d.y - w.y * b.d.x) / den;
  return a.p + a.d * t;
}

struct FitLine {
  cv::Point2d p, d;
};

// Iterative trimmed line fit: a thumb, a glare patch or a corner's rounding
// moves some points off the side; they go once the line through the majority
// is known.
// `precise`: cv::fitLine's Huber fit (20 random restarts, decisive between
// near-equal lines, costly); else least squares on the trimmed points, which
// ranks hypotheses as well at a tenth of the cost.
FitLine robustLine(const std::vector<cv::Point2f>& pts, bool precise = true) {
  std::vector<cv::Point2f> cur = pts;
  FitLine fl{};
  for (int it = 0; it < 4; ++it) {
    cv::Vec4f l;
    cv::fitLine(cur, l, precise ? cv::DIST_HUBER : cv::DIST_L2, 0, 0.01, 0.01);
    fl = {cv::Point2d(l[2], l[3]), cv::Point2d(l[0], l[1])};
    std::vector<double> res;
    const cv::Point2d nn(-fl.d.y, fl.d.x);
    for (const auto& q : pts) res.push_back(std::abs((cv::Point2d(q) - fl.p).dot(nn)));
    std::vector<double> sorted = res;
    const double tol = std::max(1.0, 3.0 * fractile(sorted, 1, 2));
    std::vector<cv::Point2f> next;
    for (size_t i = 0; i < pts.size(); ++i)
      if (res[i] <= tol) next.push_back(pts[i]);
    if (next.size() < 6 || next.size() == cur.size()) break;
    cur = std::move(next);
  }
  return fl;
}

double angleDiff(double a, double b) {
  double d = std::abs(a - b);
  return std::min(d, kPi - d);
}

// Share of weak-edge pixels in [x0, x1) x [y0, y1), clipped to the frame;
// -1 when nothing of it is on the frame.
double edgeShare(const Frame& f, int x0, int y0, int x1, int y1) {
  const int W = f.edges_weak.cols, H = f.edges_weak.rows;
  x0 = std::clamp(x0, 0, W), x1 = std::clamp(x1, 0, W), y0 = std::clamp(y0, 0, H), y1 = std::clamp(y1, 0, H);
  if (x1 <= x0 || y1 <= y0) return -1;
  const int s = f.edge_integral.at<int>(y1, x1) - f.edge_integral.at<int>(y0, x1) - f.edge_integral.at<int>(y1, x0) +
                f.edge_integral.at<int>(y0, x0);
  return s / 255.0 / ((x1 - x0) * (y1 - y0));
}

// Whether a segment runs through dense print, print on both sides of it (a
// QR code's modules or a barcode's rows joined into a line): a document's
// outline on a plain desk has the plain desk on one side.
bool throughPrint(const Frame& f, cv::Point2d a, cv::Point2d b, int side) {
  const double len = cv::norm(b - a);
  const cv::Point2d d = (b - a) / len, n(-d.y, d.x);
  const double off = std::max(5.0, 0.02 * side);
  const int r = std::max(2, static_cast<int>(0.01 * side));
  constexpr int kProbes = 5;
  int dense = 0;
  for (int i = 0; i < kProbes; ++i) {
    const cv::Point2d p = a + (b - a) * ((i + 0.5) / kProbes);
    // The share in the box of radius r around each point off the line.
    auto around = [&](cv::Point2d q) {
      const int x = nearest(q.x), y = nearest(q.y);
      return edgeShare(f, x - r, y - r, x + r + 1, y + r + 1);
    };
    if (std::min(around(p + n * off), around(p - n * off)) > kPrintDensity) ++dense;
  }
  return 2 * dense > kProbes;
}

// Long straight segments merged into lines, strongest first.
std::vector<Line> longLines(const Frame& f, const cv::Mat& edges, size_t max_lines) {
  const int side = std::min(edges.cols, edges.rows);
  std::vector<cv::Vec4i> segs;
  cv::HoughLinesP(edges, segs, 1, kPi / 180, std::max(20, side / 12), side * 0.08, side * 0.03);
  std::vector<Line> lines;
  for (const auto& s : segs) {
    const cv::Point2d a(s[0], s[1]), b(s[2], s[3]);
    const double len = cv::norm(b - a);
    if (len < 1) continue;
    // On a plain desk a QR code's or barcode's modules joined into lines
    // crowd the card's faint sides out of the strongest (on wood or fabric
    // the desk's grain would take their place).
    if (f.plain_border && throughPrint(f, a, b, side)) continue;
    Line l{a, (b - a) / len, len, 0};
    l.angle = std::atan2(l.d.y, l.d.x);
    if (l.angle < 0) l.angle += kPi;
    if (l.angle >= kPi) l.angle -= kPi;
    bool merged = false;
    for (auto& m : lines) {
      if (angleDiff(m.angle, l.angle) > 3 * kPi / 180) continue;
      const cv::Point2d n(-m.d.y, m.d.x);
      const cv::Point2d mid = (a + b) * 0.5;
      if (std::abs((mid - m.p).dot(n)) > 3.5) continue;
      m.support += len;
      merged = true;
      break;
    }
    if (!merged) lines.push_back(l);
  }
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.support > b.support; });
  // One line per neighbourhood: the bars of a barcode or a run of text lines
  // would otherwise fill the list and crowd out a faint card edge.
  std::vector<Line> kept;
  const double radius = std::max(6.0, 0.02 * side);
  for (const auto& l : lines) {
    bool near = false;
    for (const auto& k : kept) {
      if (angleDiff(k.angle, l.angle) > 5 * kPi / 180) continue;
      const cv::Point2d n(-k.d.y, k.d.x);
      if (std::abs((l.p - k.p).dot(n)) < radius) near = true;
    }
    if (!near) kept.push_back(l);
    if (kept.size() >= max_lines) break;
  }
  return kept;
}

// Fraction of points along a side where the image has an edge across it.
double sideSupport(const Frame& f, cv::Point2d a, cv::Point2d b, int slack = 2) {
  const double len = cv::norm(b - a);
  if (len < 4) return 0;
  const cv::Point2d d = (b - a) / len, n(-d.y, d.x);
  const int samples = std::clamp(static_cast<int>(len / 3), 12, 60);
  int hit = 0, total = 0;
  for (int i = 0; i < samples; ++i) {
    const double t = 0.08 + 0.84 * (i + 0.5) / samples;
    const cv::Point2d p = a + (b - a) * t;
    bool ok = false;
    bool inside = false;
    for (int o = -slack; o <= slack && !ok; ++o) {
      const int x = nearest(p.x + n.x * o), y = nearest(p.y + n.y * o);
      if (x < 0 || y < 0 || x >= f.mag.cols || y >= f.mag.rows) continue;
      inside = true;
      const float gx = f.gx.at<float>(y, x), gy = f.gy.at<float>(y, x), m = f.mag.at<float>(y, x);
      if (m < f.edge_threshold) continue;
      const double proj = std::abs(gx * n.x + gy * n.y);
      ok = proj > 0.85 * m;
    }
    if (!inside) continue;  // outside the frame: neither for nor against
    ++total;
    hit += ok;
  }
  return total >= samples / 3 ? static_cast<double>(hit) / total : 0;
}

// Whether every corner of `q` lies inside the frame by 1% of its longer side:
// a card photographed whole, some desk around it. (A data page cropped to its
// edges, a scan, has its outline on the frame's own border instead.)
bool insideFrame(const Quad& q, cv::Size size) {
  const double m = std::max(3.0, 0.01 * std::max(size.width, size.height));
  return std::all_of(q.begin(), q.end(), [&](const cv::Point2d& p) {
    return p.x >= m && p.y >= m && p.x <= size.width - 1 - m && p.y <= size.height - 1 - m;
  });
}

// Whether a quad using one of the lines added across the strongest is kept.
// The later lines add many more combinations, and inside a card its bands and
// frames make more document shapes: only a document's shape filling much of
// the frame, some of the frame around it. Crossed with a line along the
// card's print, the short sides make a card-shaped quad with one side on that
// print: each side must lie on an edge for most of its length.
bool keepAddedLineQuad(const Frame& f, const Quad& q) {
  const cv::Size size = f.bgr.size();
  if (area(q) < kFillsFrame * size.area() || !insideFrame(q, size) || documentAspect(q, size).fit < 0.5) return false;
  for (size_t i = 0; i < 4; ++i)
    if (sideSupport(f, q[i], q[(i + 1) % 4], 2) < kNewSideSupport) return false;
  return true;
}

// Quads from four lines, two roughly parallel pairs crossing. With `first_new`,
// only those using some line from there on (the earlier ones have been
// combined already) that keepAddedLineQuad keeps.
void quadsFromLines(const Frame& f, const std::vector<Line>& lines, double min_area, std::vector<Quad>& out,
                    size_t first_new = 0) {
  const cv::Size size = f.bgr.size();
  const size_t n = lines.size();
  const double margin = 0.08 * std::max(size.width, size.height);
  const cv::Rect2d bounds(-margin, -margin, size.width + 2 * margin, size.height + 2 * margin);
  const double max_skew = 40 * kPi / 180, min_cross = kMinCross;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (angleDiff(lines[i].angle, lines[j].angle) > max_skew) continue;
      for (size_t k = 0; k < n; ++k) {
        if (k == i || k == j) continue;
        if (angleDiff(lines[k].angle, lines[i].angle) < min_cross) continue;
        for (size_t l = k + 1; l < n; ++l) {
          if (l == i || l == j) continue;
          if (angleDiff(lines[l].angle, lines[k].angle) > max_skew) continue;
          if (angleDiff(lines[l].angle, lines[i].angle) < min_cross) continue;
          // Each pair (i,j), (k,l) counted once: k > i keeps one of the two orders.
          if (k < i) continue;
          if (i < first_new && j < first_new && k < first_new && l < first_new) continue;
          const auto a = intersect(lines[i], lines[k]), b = intersect(lines[k], lines[j]),
                     c = intersect(lines[j], lines[l]), d = intersect(lines[l], lines[i]);
          if (!a || !b || !c || !d) continue;
          if (!bounds.contains(*a) || !bounds.contains(*b) || !bounds.contains(*c) || !bounds.contains(*d)) continue;
          std::array<cv::Point2d, 4> pts{*a, *b, *c, *d};
          Quad q = orderQuad(pts);
          if (!isConvex(q) || area(q) < min_area) continue;
          if (first_new > 0 && !keepAddedLineQuad(f, q)) continue;
          out.push_back(q);
        }
      }
    }
}

}  // namespace

Frame makeFrame(const cv::Mat& bgr, int detect_side) {
  Frame f;
  const int long_side = std::max(bgr.cols, bgr.rows);
  f.scale = long_side > detect_side ? static_cast<double>(detect_side) / long_side : 1.0;
  cv::Mat small;
  if (f.scale < 0.5) {
    // INTER_AREA straight from 12 MP is slow; bilinear to twice the size, then
    // average 2x2, costs a tenth and still keeps noise from aliasing into edges.
    cv::Mat mid;
    cv::resize(bgr, mid, cv::Size(), 2 * f.scale, 2 * f.scale, cv::INTER_LINEAR);
    cv::resize(mid, small, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    f.scale = static_cast<double>(small.cols) / bgr.cols;
  } else if (f.scale < 1) {
    cv::resize(bgr, small, cv::Size(), f.scale, f.scale, cv::INTER_AREA);
  } else {
    small = bgr;
  }
  cv::GaussianBlur(small, f.bgr, cv::Size(5, 5), 1.0);
  cv::Mat dx, dy;
  cv::Sobel(f.bgr, dx, CV_16S, 1, 0, 3);
  cv::Sobel(f.bgr, dy, CV_16S, 0, 1, 3);
  // Colour gradient: per pixel, the channel that changes most (a blue card on
  // a grey desk may have no edge in brightness at all).
  f.gx.create(f.bgr.size(), CV_32F);
  f.gy.create(f.bgr.size(), CV_32F);
  f.mag.create(f.bgr.size(), CV_32F);
  // The strongest channel's derivatives also feed Canny: given all three it
  // makes the same per-pixel choice (first channel on a tie) at three times the cost.
  cv::Mat dx1(f.bgr.size(), CV_16S), dy1(f.bgr.size(), CV_16S);
  for (int y = 0; y < f.bgr.rows; ++y) {
    const auto* px = dx.ptr<cv::Vec3s>(y);
    const auto* py = dy.ptr<cv::Vec3s>(y);
    short* sx = dx1.ptr<short>(y);
    short* sy = dy1.ptr<short>(y);
    float* gx = f.gx.ptr<float>(y);
    float* gy = f.gy.ptr<float>(y);
    float* gm = f.mag.ptr<float>(y);
    for (int x = 0; x < f.bgr.cols; ++x) {
      int best = 0, bm = -1;
      for (int c = 0; c < 3; ++c) {
        const int m = px[x][c] * px[x][c] + py[x][c] * py[x][c];
        if (m > bm) bm = m, best = c;
      }
      sx[x] = px[x][best];
      sy[x] = py[x][best];
      gx[x] = sx[x];
      gy[x] = sy[x];
      gm[x] = std::sqrt(static_cast<float>(bm));
    }
  }
  // Thresholds follow the image: a dim, flat photo has weak edges everywhere.
  // The weak map's threshold follows the noise (most pixels are flat: the
  // median gradient is noise), not the strongest print, so a barcode or bold
  // text does not hide a pale card's edge.
  const auto [p50, p97] = percentiles<2>(f.mag, {0.50, 0.97});
  // The frame's border (mostly background): its pixels' colours and
  // gradients, every other row and column.
  const cv::Size size = f.bgr.size();
  const int band = std::max(2, std::min(size.width, size.height) / 30);
  auto onBorder = [&](int x, int y) { return x < band || y < band || x >= size.width - band || y >= size.height - band; };
  std::vector<cv::Vec3b> border;
  std::vector<float> border_mag;
  for (int y = 0; y < size.height; y += 2) {
    const auto* p = f.bgr.ptr<cv::Vec3b>(y);
    const float* m = f.mag.ptr<float>(y);
    for (int x = 0; x < size.width; x += 2)
      if (onBorder(x, y)) border.push_back(p[x]), border_mag.push_back(m[x]);
  }
  // A card that fills most of the frame prints its guilloche over most
  // pixels, and the median is the print's, not the noise's: on a plain desk
  // (the border's 90th percentile under kPlainBorder) the frame's border,
  // mostly background, tells the noise better.
  double border_p50 = p50;
  if (!border_mag.empty()) {
    border_p50 = fractile(border_mag, 1, 2);
    f.plain_border = fractile(border_mag, 9, 10) < kPlainBorder;
  }
  f.edge_threshold = std::clamp(3.0 * (f.plain_border ? std::min(p50, border_p50) : p50), 10.0, 40.0);
  cv::Canny(dx1, dy1, f.edges_strong, std::max(30.0, p97 * 0.5), std::max(60.0, p97), true);
  cv::Canny(dx1, dy1, f.edges_weak, f.edge_threshold, 2.2 * f.edge_threshold, true);
  cv::integral(f.edges_weak, f.edge_integral, CV_32S);

  // The border's colour and how far from it the border itself strays (the
  // 90th percentile of fromBorder there, doubled).
  if (border.empty()) return f;
  std::vector<uchar> v(border.size());
  for (int c = 0; c < 3; ++c) {
    std::transform(border.begin(), border.end(), v.begin(), [c](const cv::Vec3b& p) { return p[c]; });
    f.border_bgr[c] = fractile(v, 1, 2);
  }
  std::vector<uchar> spread(border.size());
  std::transform(border.begin(), border.end(), spread.begin(), [&](const cv::Vec3b& p) { return fromBorder(f, p); });
  f.border_cut = std::max(6.0, 2.0 * fractile(spread, 9, 10));
  return f;
}

double backgroundAround(const Frame& f, const Quad& q) {
  if (!(f.border_cut > 0) || f.border_cut >= 40 || !isConvex(q)) return -1;
  int inside = 0, like = 0, total = 0;
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d a = q[i], b = q[(i + 1) % 4];
    const double len = cv::norm(b - a);
    if (len < 8) return -1;
    const cv::Point2d d = (b - a) / len;
    // Corners are ordered clockwise on screen: the left normal points out.
    const cv::Point2d n(d.y, -d.x);
    const double off = std::max(4.0, 0.04 * std::min(cv::norm(q[1] - q[0]), cv::norm(q[3] - q[0])));
    for (int k = 0; k < 24; ++k) {
      const cv::Point2d p = a + (b - a) * (0.1 + 0.8 * (k + 0.5) / 24) + n * off;
      const int x = nearest(p.x), y = nearest(p.y);
      ++total;
      if (x < 0 || y < 0 || x >= f.bgr.cols || y >= f.bgr.rows) continue;
      ++inside;
      like += fromBorder(f, f.bgr.at<cv::Vec3b>(y, x)) <= f.border_cut;
    }
  }
  return 3 * inside >= 2 * total ? static_cast<double>(like) / inside : -1;
}

const Scored* containerOnBackground(const Frame& f, const std::vector<Scored>& scored, const Scored& pick) {
  const double around = backgroundAround(f, pick.quad);
  if (around < 0 || around >= 0.5) return nullptr;
  const double a = area(pick.quad);
  for (const auto& s : scored) {
    if (s.total < 0.25 * pick.total) break;
    if (s.aspect_fit < kDocumentShape || s.edges < 0.4 || !isConvex(s.quad)) continue;
    const double b = area(s.quad);
    if (b < 1.6 * a) continue;
    const double j = iou(s.quad, pick.quad);
    if (j * (a + b) / (1 + j) < 0.92 * a) continue;
    if (backgroundAround(f, s.quad) >= 0.75) return &s;
  }
  return nullptr;
}

bool bandAcrossFrame(const Frame& f) {
  if (!f.band_across) f.band_across = mrzSide(f.bgr) != 0;
  return *f.band_across;
}

std::vector<Scored> candidates(const Frame& f) {
  std::vector<Quad> out;
  const cv::Size size = f.bgr.size();
  const double img_area = static_cast<double>(size.area());
  const double min_area = 0.015 * img_area, max_area = 0.995 * img_area;
  const cv::Mat k3 = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});

  // 1. Closed edge outlines.
  for (const cv::Mat* e : {&f.edges_strong, &f.edges_weak}) {
    cv::Mat d;
    cv::dilate(*e, d, k3);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(d, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
    for (const auto& c : contours)
      if (c.size() >= 4) quadsFromContour(c, min_area, max_area, out);
  }

  // 2. Four long lines.
  for (const cv::Mat* e : {&f.edges_strong, &f.edges_weak}) {
    auto lines = longLines(f, *e, e == &f.edges_weak ? kLinesAll : kLinesTop);
    const size_t top = std::min(lines.size(), kLinesTop);
    std::vector<Line> best(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(top));
    quadsFromLines(f, best, min_area, out);
    if (e != &f.edges_weak || best.empty()) continue;
    // A card's text lines and bands run along it: on a pale card on a pale
    // desk, or one that nearly fills the frame, they crowd its two short,
    // faint sides (weak edges only) out of the strongest lines. The lines
    // across the strongest one are topped up to kLinesAcross.
    auto across = [&](const Line& l) { return angleDiff(l.angle, best.front().angle) > kMinCross; };
    size_t n_across = static_cast<size_t>(std::count_if(best.begin(), best.end(), across));
    for (size_t i = top; i < lines.size() && n_across < kLinesAcross; ++i)
      if (across(lines[i])) best.push_back(lines[i]), ++n_across;
    quadsFromLines(f, best, min_area, out, top);
  }

  // 3. Regions: brightness (both polarities) and distance from the colour of
  // the frame's border, which is mostly background.
  cv::Mat grey;
  cv::cvtColor(f.bgr, grey, cv::COLOR_BGR2GRAY);
  const cv::Mat k7 = cv::getStructuringElement(cv::MORPH_RECT, {7, 7});
  auto addMask = [&](cv::Mat m) {
    cv::morphologyEx(m, m, cv::MORPH_OPEN, k7);
    cv::morphologyEx(m, m, cv::MORPH_CLOSE, k7);
    quadsFromMask(m, min_area, max_area, out);
  };
  cv::Mat bin;
  cv::threshold(grey, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  addMask(bin.clone());
  addMask(255 - bin);

  // Distance from the border's colour.
  if (f.border_cut > 0) {
    cv::Mat dist(size, CV_8U);
    for (int y = 0; y < size.height; ++y) {
      const auto* p = f.bgr.ptr<cv::Vec3b>(y);
      uchar* d = dist.ptr<uchar>(y);
      for (int x = 0; x < size.width; ++x) d[x] = fromBorder(f, p[x]);
    }
    cv::threshold(dist, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    addMask(bin);
    // Anything unlike the border: Otsu splits a pale card's print from its
    // tint, so on a plain scanner lid the card's own faint rim is lost and a
    // crisp inner frame (the portrait) wins. Here the cut sits just above the
    // border's own spread, so a tinted card on an even page is one blob. Its
    // outline takes in the soft shadow a scanner lid leaves around a card,
    // whose fade is an edge too: each quad is snapped onto the strongest edge
    // near its sides, the card's own rim.
    if (f.border_cut < 40) {
      cv::threshold(dist, bin, f.border_cut, 255, cv::THRESH_BINARY);
      const size_t from = out.size();
      addMask(bin);
      for (size_t i = from; i < out.size(); ++i) out[i] = snapToEdges(f, out[i], 8, false);
    }
  }

  // 4. Containers of the best few small hypotheses: a card's crisp inner part
  // (portrait, colour band) outscores its faint rim on a pale or unevenly lit
  // desk, or with a thumb over the rim. A container around an inner frame
  // grows again while the next one scores nearly as well (as `outermost`
  // does). Only a new hypothesis (no near-copy among the others) that
  // outscores every document-shaped one inside it is kept: a shadow or the
  // desk's grain beyond a card found already makes a container too.
  std::vector<Scored> scored;
  for (const Quad& q : out) scored.push_back(score(f, q));
  std::vector<std::pair<double, size_t>> ranked;
  for (size_t i = 0; i < out.size(); ++i)
    if (scored[i].total > 0 && area(out[i]) <= kPartOfFrame * img_area) ranked.emplace_back(-scored[i].total, i);
  std::sort(ranked.begin(), ranked.end());
  std::vector<Quad> parts;
  for (const auto& [t, i] : ranked) {
    if (parts.size() >= kContainerOf) break;
    if (std::any_of(parts.begin(), parts.end(), [&](const Quad& p) { return iou(p, out[i]) > 0.8; })) continue;
    parts.push_back(out[i]);
  }
  const size_t found = out.size();
  for (const Quad& p : parts) {
    auto c = containerAround(f, p);
    if (!c) continue;
    Scored cs = score(f, *c);
    for (int grown = 0; grown < 3; ++grown) {
      const auto next = containerAround(f, cs.quad);
      if (!next) break;
      const Scored ns = score(f, *next);
      if (ns.total < kContainerShare * cs.total) break;
      cs = ns;
    }
    // A container out to the frame's border on a landscape frame with an MRZ
    // band across it is a data page cropped to its own edges: the whole image
    // is the document there, not an outline the page's print makes.
    if (!insideFrame(cs.quad, size) && size.width >= size.height) {
      if (bandAcrossFrame(f)) continue;
    }
    // A part with a portrait's shape that cannot be this card's portrait
    // makes no card of it (a visa filling a white frame: its portrait grown
    // onto the print beside it, lying along the container's long side).
    if (notItsPortrait(p, cs.quad)) continue;
    const double ca = area(cs.quad);
    const bool kept = std::none_of(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(found), [&](const Scored& e) {
      if (e.total <= 0) return false;
      const double j = iou(e.quad, cs.quad);
      if (j >= 0.9) return true;
      if (e.aspect_fit < kDocumentShape) return false;
      const double ea = area(e.quad), inter = j * (ea + ca) / (1 + j);
      // A document-shaped hypothesis inside it that scores as well, or one
      // around it with edges along its sides that is not far behind (the
      // container of a portrait is the portrait's frame in the card's print).
      // One inside it nearly as large, with crisper edges and nearly its
      // score, is the card already: the container only adds a fringe
      // beyond its rim (a side moved out onto the desk's grain).
      return (inter >= 0.92 * ea && (e.total >= cs.total || (kContainerGrowth * ea >= ca && e.edges >= cs.edges &&
                                                              e.total >= kFringeShare * cs.total))) ||
             (inter >= 0.92 * ca && e.edges >= kNewSideSupport && e.total >= kInnerShare * cs.total);
    });
    if (kept) scored.push_back(cs);
  }
  return scored;
}

namespace {

// Fraction of interior cells with edges in them: documents are printed all
// over, the book or paper under them mostly is not.
double interiorTexture(const Frame& f, const Quad& q) {
  const double side = std::sqrt(area(q));
  const int r = std::max(2, static_cast<int>(side / 16));
  int textured = 0, total = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 6; ++j) {
      const double u = 0.1 + 0.8 * (i + 0.5) / 8, v = 0.12 + 0.76 * (j + 0.5) / 6;
      const cv::Point2d top = q[0] + (q[1] - q[0]) * u, bottom = q[3] + (q[2] - q[3]) * u;
      const cv::Point2d p = top + (bottom - top) * v;
      const int x = static_cast<int>(p.x), y = static_cast<int>(p.y);
      const double density = edgeShare(f, x - r, y - r, x + r, y + r);
      if (density < 0) continue;
      ++total;
      textured += density > 0.015;
    }
  return total ? static_cast<double>(textured) / total : 0;
}

}  // namespace

AspectEstimate documentAspect(const Quad& q, cv::Size image) {
  const double w = (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3])) / 2;
  const double h = (cv::norm(q[3] - q[0]) + cv::norm(q[2] - q[1])) / 2;
  if (!(w > 0) || !(h > 0)) return {};
  auto fit = [](double r) {
    if (!(r > 0) || !std::isfinite(r)) return 0.0;
    if (r < 1) r = 1 / r;
    auto near = [&](double ratio) {
      const double err = std::log(r / ratio) / 0.08;
      return std::exp(-err * err);
    };
    // ID-1, ID-2/ID-3 (one ratio), and the MRV-A visa (120 x 80 mm, ICAO 9303
    // part 7): without it a visa's inner MRZ border or frame line makes a
    // better ID-1 or ID-3 than its own outline. Weighted down a little: an
    // ID-3 page cut at its header band or an ID-1 pushed out onto a thumb
    // beyond it has that ratio too.
    return std::max({near(85.6 / 53.98), near(125.0 / 88.0), 0.9 * near(120.0 / 80.0)});
  };
  const double naive = w / h;
  AspectEstimate best{naive, fit(naive)};
  // The diagonals cross at the image of the document's centre.
  const Line d1{q[0], (q[2] - q[0]) / std::max(1e-9, cv::norm(q[2] - q[0])), 0, 0};
  const Line d2{q[1], (q[3] - q[1]) / std::max(1e-9, cv::norm(q[3] - q[1])), 0, 0};
  std::vector<cv::Point2d> centres{cv::Point2d(image.width / 2.0, image.height / 2.0)};
  if (const auto c = intersect(d1, d2)) centres.push_back(*c);
  for (const auto& c : centres) {
    const double r = rectifiedAspect(q, c);
    // The solver fits a focal length to any quad; only believe it near the plain
    // ratio (30 degrees of tilt shorten a side by 13%).
    if (!(r > 0) || std::abs(std::log(r / naive)) > 0.2) continue;
    if (const double v = fit(r); v > best.fit) best = {r, v};
  }
  return best;
}

namespace {

// A rectangle seen with up to ~35 degrees of tilt keeps its corners between
// about 50 and 130 degrees and its opposite sides within a factor of two.
bool plausibleShape(const Quad& q) {
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d u = q[(i + 1) % 4] - q[i], v = q[(i + 3) % 4] - q[i];
    const double nu = cv::norm(u), nv = cv::norm(v);
    if (nu < 4 || nv < 4) return false;
    if (std::abs(u.dot(v) / (nu * nv)) > 0.65) return false;  // cos 49 degrees
  }
  for (size_t i = 0; i < 2; ++i) {
    const double a = cv::norm(q[i + 1] - q[i]), b = cv::norm(q[(i + 3) % 4] - q[i + 2]);
    if (a > 2 * b || b > 2 * a) return false;
  }
  return true;
}

}  // namespace

Scored score(const Frame& f, const Quad& q) {
  Scored s{q};
  if (!isConvex(q) || !plausibleShape(q)) return s;
  std::array<double, 4> sup{};
  double sum = 0, mn = 1;
  for (size_t i = 0; i < 4; ++i) {
    sup[i] = sideSupport(f, q[i], q[(i + 1) % 4]);
    sum += sup[i];
    mn = std::min(mn, sup[i]);
  }
  s.edges = 0.75 * sum / 4 + 0.25 * mn;
  const AspectEstimate asp = documentAspect(q, f.bgr.size());
  s.aspect = asp.ratio;
  s.aspect_fit = asp.fit;
  s.texture = interiorTexture(f, q);
  const double frac = area(q) / f.bgr.size().area();
  const double size = std::sqrt(std::min(1.0, frac / 0.04)) * (1 + 0.15 * std::sqrt(frac));
  s.total = s.edges * (0.3 + 0.7 * s.aspect_fit) * (0.4 + 0.6 * s.texture) * size;
  return s;
}

Quad snapToEdges(const Frame& f, const Quad& q, int range, bool precise) {
  if (!isConvex(q)) return q;
  std::array<Line, 4> lines;
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d a = q[i], b = q[(i + 1) % 4];
    const double len = cv::norm(b - a);
    if (len < 8) return q;
    const cv::Point2d d = (b - a) / len, n(-d.y, d.x);
    lines[i] = Line{a, d, 0, 0};
    const int samples = std::clamp(static_cast<int>(len / 2), 16, 160);
    std::vector<cv::Point2f> pts;
    for (int k = 0; k < samples; ++k) {
      const cv::Point2d p = a + (b - a) * (0.04 + 0.92 * (k + 0.5) / samples);
      double best = 0;
      int best_o = 0;
      for (int o = -range; o <= range; ++o) {
        const int x = nearest(p.x + n.x * o), y = nearest(p.y + n.y * o);
        if (x < 0 || y < 0 || x >= f.mag.cols || y >= f.mag.rows) continue;
        const float m = f.mag.at<float>(y, x);
        if (m < f.edge_threshold) continue;
        const double proj = std::abs(f.gx.at<float>(y, x) * n.x + f.gy.at<float>(y, x) * n.y);
        if (proj < 0.8 * m) continue;  // an edge across the side, not along it
        // Nearer edges first among comparable ones: the guess is usually close.
        const double w = proj * (1 - 0.3 * std::abs(o) / range);
        if (w > best) best = w, best_o = o;
      }
      if (best > 0) {
        const cv::Point2d e = p + n * best_o;
        pts.emplace_back(static_cast<float>(e.x), static_cast<float>(e.y));
      }
    }
    // Too few points: a side lost in glare or off the frame keeps its guess.
    if (static_cast<int>(pts.size()) < std::max(8, samples / 4)) continue;
    const FitLine fl = robustLine(pts, precise);
    lines[i] = Line{fl.p, fl.d, 0, 0};
  }
  Quad r;
  for (size_t i = 0; i < 4; ++i) {
    const auto p = intersect(lines[(i + 3) % 4], lines[i]);
    if (!p || cv::norm(*p - q[i]) > 4.0 * range) return q;
    r[i] = *p;
  }
  return isConvex(r) ? r : q;
}

namespace {

// Mean colour of the band between offsets lo and hi (outward) along side a->b.
cv::Vec3d bandMean(const Frame& f, cv::Point2d a, cv::Point2d b, cv::Point2d n, int lo, int hi) {
  cv::Vec3d sum(0, 0, 0);
  int count = 0;
  for (int i = 0; i < 12; ++i) {
    const cv::Point2d p = a + (b - a) * (0.12 + 0.76 * i / 11.0);
    for (int o = lo; o <= hi; ++o) {
      const int x = nearest(p.x + n.x * o), y = nearest(p.y + n.y * o);
      if (x < 0 || y < 0 || x >= f.bgr.cols || y >= f.bgr.rows) continue;
      const cv::Vec3b c = f.bgr.at<cv::Vec3b>(y, x);
      sum += cv::Vec3d(c[0], c[1], c[2]);
      ++count;
    }
  }
  return count ? sum / count : cv::Vec3d(-1000, -1000, -1000);
}

// Whether the edge at offset d separates two different regions: the band it
// would add to the document must differ from what lies beyond it (a grain line
// or a fold in the surface has the same surface on both sides).
bool separates(const Frame& f, cv::Point2d a, cv::Point2d b, cv::Point2d n, int d) {
  const int w = std::max(1, d / 2);
  const cv::Vec3d inside = bandMean(f, a, b, n, std::max(1, d - 1 - w), d - 2);
  const cv::Vec3d beyond = bandMean(f, a, b, n, d + 2, d + 2 + w);
  if (inside[0] < -500 || beyond[0] < -500) return false;
  auto dist = [](const cv::Vec3d& x, const cv::Vec3d& y) {
    return std::abs(x[0] - y[0]) + std::abs(x[1] - y[1]) + std::abs(x[2] - y[2]);
  };
  const double to_beyond = dist(inside, beyond);
  if (to_beyond <= 15) return false;
  // The band must look like the document it would join (just inside the
  // current side), unless it stands out from the surface beyond very clearly.
  const cv::Vec3d doc = bandMean(f, a, b, n, -w - 2, -2);
  return dist(inside, doc) < to_beyond || to_beyond > 60;
}

// The quad whose side i lies on ls[i]; nullopt when two sides do not meet or
// it is not convex.
std::optional<Quad> quadOfLines(const std::array<Line, 4>& ls) {
  Quad r;
  for (size_t i = 0; i < 4; ++i) {
    const auto p = intersect(ls[(i + 3) % 4], ls[i]);
    if (!p) return std::nullopt;
    r[i] = *p;
  }
  if (!isConvex(r)) return std::nullopt;
  return r;
}

}  // namespace

Quad growToOuterEdges(const Frame& f, const Quad& q) {
  if (!isConvex(q)) return q;
  std::array<Line, 4> lines;
  const cv::Point2d centre = (q[0] + q[1] + q[2] + q[3]) * 0.25;
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d a = q[i], b = q[(i + 1) % 4];
    const double len = cv::norm(b - a);
    if (len < 4) return q;
    const cv::Point2d d = (b - a) / len;
    cv::Point2d n(-d.y, d.x);
    if ((a - centre).dot(n) < 0) n = -n;  // outward
    // How far the opposite side is: an inner edge (the MRZ zone's border, a
    // header band) lies at most about a third of the way across.
    const cv::Point2d c = q[(i + 2) % 4], e = q[(i + 3) % 4];
    const double across = std::min(std::abs((c - a).dot(n)), std::abs((e - a).dot(n)));
    const int max_d = static_cast<int>(0.35 * across);
    // Edge support at each offset, exactly (no slack), from just inside outwards.
    std::vector<double> prof;
    for (int dd = -2; dd <= max_d; ++dd) prof.push_back(sideSupport(f, a + n * dd, b + n * dd, 0));
    auto at = [&](int dd) { return prof[static_cast<size_t>(dd + 2)]; };
    double base = 0;
    for (int dd = -2; dd <= 2; ++dd) base = std::max(base, at(dd));
    // The outermost peak that is an edge of its own (a valley before it) and
    // about as well supported as the side found.
    int best_d = 0;
    double valley = 1;
    for (int dd = 3; dd < max_d; ++dd) {
      valley = std::min(valley, at(dd - 1));
      const double v = at(dd);
      if (v < at(dd - 1) || v < at(dd + 1)) continue;
      if (v >= 0.4 && valley < 0.5 * v && separates(f, a, b, n, dd)) {
        best_d = dd;
        valley = v;
      }
    }
    lines[i] = Line{a + n * best_d, d, 0, 0};
  }
  // Each move must keep the whole quad as good a document: a grain line or a
  // shadow beyond one side adds a band that spoils the aspect ratio.
  std::array<Line, 4> cur;
  for (size_t i = 0; i < 4; ++i) cur[i] = Line{q[i], q[(i + 1) % 4] - q[i], 0, 0};
  double best = score(f, q).total;
  for (size_t i = 0; i < 4; ++i) {
    if (cv::norm(lines[i].p - q[i]) < 0.5) continue;
    std::array<Line, 4> trial = cur;
    trial[i] = lines[i];
    const auto r = quadOfLines(trial);
    if (!r) continue;
    const double s = score(f, *r).total;
    if (s >= 0.97 * best) {
      cur = trial;
      best = std::max(best, s);
    }
  }
  const auto r = quadOfLines(cur);
  return r ? *r : q;
}

namespace {

// Side i of a convex quad (q[i] to q[i + 1]): its outward unit normal and
// the distance across to the nearer of the two other corners; nullopt for a
// side under 8 px.
struct Outward {
  cv::Point2d normal;
  double across = 0;
};
std::optional<Outward> outwardOf(const Quad& q, size_t i) {
  const cv::Point2d a = q[i], b = q[(i + 1) % 4];
  const double len = cv::norm(b - a);
  if (len < 8) return std::nullopt;
  const cv::Point2d centre = (q[0] + q[1] + q[2] + q[3]) * 0.25, d = (b - a) / len;
  cv::Point2d n(-d.y, d.x);
  if ((a - centre).dot(n) < 0) n = -n;
  const cv::Point2d c = q[(i + 2) % 4], e = q[(i + 3) % 4];
  return Outward{n, std::min(std::abs((c - a).dot(n)), std::abs((e - a).dot(n)))};
}

// Where each side of a quad may go, along its outward normal: its own place
// (offset 0) and the three best-supported parallel edges (sideSupport >=
// `min_support`, at least 3 px away) within the offsets `range` gives it.
struct SideMoves {
  std::array<cv::Point2d, 4> normal;
  std::array<std::vector<int>, 4> offsets;
};
// `range(i, across)`: the lowest and highest offset for side i, `across` px from the opposite one.
template <class Range>
std::optional<SideMoves> sideMoves(const Frame& f, const Quad& q, double min_support, const Range& range) {
  if (!isConvex(q)) return std::nullopt;
  SideMoves m;
  for (size_t i = 0; i < 4; ++i) {
    const auto side = outwardOf(q, i);
    if (!side) return std::nullopt;
    const cv::Point2d a = q[i], b = q[(i + 1) % 4], n = side->normal;
    m.normal[i] = n;
    m.offsets[i] = {0};
    const auto [lo, hi] = range(i, side->across);
    if (hi - lo < 6) continue;
    std::vector<double> prof;
    for (int dd = lo; dd <= hi; ++dd) {
      // Past the frame's border (both ends beyond the same edge) every
      // further offset outwards is too: no support there.
      const cv::Point2d a2 = a + n * dd, b2 = b + n * dd;
      if (dd > 0 && ((a2.x < 0 && b2.x < 0) || (a2.y < 0 && b2.y < 0) || (a2.x >= f.mag.cols && b2.x >= f.mag.cols) ||
                     (a2.y >= f.mag.rows && b2.y >= f.mag.rows))) {
        prof.push_back(0);
        break;
      }
      prof.push_back(sideSupport(f, a2, b2, 1));
    }
    std::vector<std::pair<double, int>> peaks;
    for (int k = 1; k + 1 < static_cast<int>(prof.size()); ++k) {
      const double v = prof[static_cast<size_t>(k)];
      const int dd = lo + k;
      if (std::abs(dd) < 3 || v < min_support || v < prof[static_cast<size_t>(k - 1)] ||
          v < prof[static_cast<size_t>(k + 1)])
        continue;
      peaks.emplace_back(-v, dd);
    }
    std::sort(peaks.begin(), peaks.end());
    for (size_t k = 0; k < std::min<size_t>(3, peaks.size()); ++k) m.offsets[i].push_back(peaks[k].second);
  }
  return m;
}

// Of every combination of the sides' moves but none, the quad `accept` takes
// that scores best above `floor`; nullopt when none does.
template <class Accept>
std::optional<Scored> bestMoves(const Frame& f, const Quad& q, const SideMoves& m, double floor, const Accept& accept) {
  std::array<Line, 4> base;
  for (size_t j = 0; j < 4; ++j) {
    const cv::Point2d p0 = q[j], p1 = q[(j + 1) % 4];
    base[j] = Line{p0, (p1 - p0) / cv::norm(p1 - p0), 0, 0};
  }
  std::optional<Scored> best;
  for (int o0 : m.offsets[0])
    for (int o1 : m.offsets[1])
      for (int o2 : m.offsets[2])
        for (int o3 : m.offsets[3]) {
          const std::array<int, 4> o{o0, o1, o2, o3};
          if (o0 == 0 && o1 == 0 && o2 == 0 && o3 == 0) continue;
          std::array<Line, 4> ls = base;
          for (size_t j = 0; j < 4; ++j) ls[j].p += m.normal[j] * o[j];
          Quad r;
          bool ok = true;
          for (size_t j = 0; j < 4 && ok; ++j) {
            const auto p = intersect(ls[(j + 3) % 4], ls[j]);
            ok = p.has_value();
            if (ok) r[j] = *p;
          }
          if (!ok || !isConvex(r) || !accept(r)) continue;
          const Scored s = score(f, r);
          if (s.total > (best ? best->total : floor)) best = s;
        }
  return best;
}

}  // namespace

std::optional<Quad> reshapeSides(const Frame& f, const Quad& q) {
  // Inwards up to half the way across (a thumb or a shadow joined to the
  // outline), outwards a quarter (a side that stopped at an inner frame).
  const auto moves = sideMoves(f, q, 0.5, [](size_t, double across) {
    return std::pair{-static_cast<int>(0.5 * across), static_cast<int>(0.25 * across)};
  });
  if (!moves) return std::nullopt;
  // Only a document's shape is worth the full score.
  const auto best = bestMoves(f, q, *moves, score(f, q).total,
                              [&](const Quad& r) { return documentAspect(r, f.bgr.size()).fit >= 0.5; });
  if (!best) return std::nullopt;
  return best->quad;
}

namespace {

// widenToOutline's figures (see deskew_internal.hpp). A card's print holds
// 2 % edge pixels or more; a surface beyond its edge far fewer than half as many.
constexpr double kPrintStrip = 0.08, kPrintFloor = 0.02, kPrintBeyond = 0.5;
constexpr double kWidenSupport = 0.4, kWidenFar = 1.2, kWidenNear = 0.25, kWidenGain = 1.05;

// The share of edge pixels (the weak edge map) in the strip from `from` to
// `to` px along the outward normal `n` of the side a-b (its middle 80%);
// -1 when most of the strip lies off the frame.
double inkBeside(const Frame& f, cv::Point2d a, cv::Point2d b, cv::Point2d n, int from, int to) {
  int hit = 0, seen = 0, total = 0;
  for (int k = 0; k < 32; ++k) {
    const cv::Point2d p = a + (b - a) * (0.1 + 0.8 * (k + 0.5) / 32);
    for (int dd = from; dd <= to; ++dd) {
      const int x = nearest(p.x + n.x * dd), y = nearest(p.y + n.y * dd);
      ++total;
      if (x < 0 || y < 0 || x >= f.edges_weak.cols || y >= f.edges_weak.rows) continue;
      ++seen;
      hit += f.edges_weak.at<uchar>(y, x) != 0;
    }
  }
  return 2 * seen >= total ? static_cast<double>(hit) / seen : -1;
}

}  // namespace

std::optional<Scored> widenToOutline(const Frame& f, const Quad& q) {
  if (!isConvex(q)) return std::nullopt;
  // Print beyond a side, about as dense as just inside it: the side runs
  // across the card (a white card on a white desk, its own edge faint).
  std::array<bool, 4> through{};
  for (size_t i = 0; i < 4; ++i) {
    const auto side = outwardOf(q, i);
    if (!side) return std::nullopt;
    const cv::Point2d a = q[i], b = q[(i + 1) % 4], n = side->normal;
    const int w = std::max(3, static_cast<int>(kPrintStrip * side->across));
    const double in = inkBeside(f, a, b, n, -3 - w, -3), out = inkBeside(f, a, b, n, 3, 3 + w);
    through[i] = in > kPrintFloor && out >= kPrintBeyond * in;
  }
  if (std::none_of(through.begin(), through.end(), [](bool t) { return t; })) return std::nullopt;
  // Such a side may lie anywhere across the card (the portrait's frame, a
  // column of print): it goes out as far as the card could reach; the others
  // a little (a faint edge a few mm beyond the print's margin).
  const auto moves = sideMoves(f, q, kWidenSupport, [&](size_t i, double across) {
    return std::pair{0, static_cast<int>((through[i] ? kWidenFar : kWidenNear) * across)};
  });
  if (!moves) return std::nullopt;
  return bestMoves(f, q, *moves, kWidenGain * score(f, q).total,
                   [&](const Quad& r) { return documentAspect(r, f.bgr.size()).fit >= kDocumentShape; });
}

bool notItsPortrait(const Quad& part, const Quad& card) {
  if (!isConvex(part) || !isConvex(card)) return false;
  // The card's own frame: u along its long sides, v across, each 0..1.
  Quad c = card;
  const double l0 = cv::norm(c[1] - c[0]) + cv::norm(c[2] - c[3]), l1 = cv::norm(c[2] - c[1]) + cv::norm(c[3] - c[0]);
  if (l0 < l1) c = Quad{c[1], c[2], c[3], c[0]};
  std::vector<cv::Point2f> from, to{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, at, mapped;
  for (const auto& p : c) from.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
  for (const auto& p : part) at.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
  cv::perspectiveTransform(at, mapped, cv::getPerspectiveTransform(from, to));
  double u0 = 1e9, u1 = -1e9, v0 = 1e9, v1 = -1e9;
  for (const auto& p : mapped) {
    u0 = std::min<double>(u0, p.x), u1 = std::max<double>(u1, p.x);
    v0 = std::min<double>(v0, p.y), v1 = std::max<double>(v1, p.y);
  }
  // The part's extent along and across the card, in units of its short side.
  const double along = (u1 - u0) * std::max(l0, l1) / std::min(l0, l1), across = v1 - v0;
  if (along <= 0 || across <= 0) return false;
  const double shape = std::min(along, across) / std::max(along, across);
  if (shape < kPortraitShape[0] || shape > kPortraitShape[1]) return false;
  // Every layout idkit knows stands the portrait across the card, near one
  // of its short sides, and under a third of its area.
  const bool at_end = u0 <= kPortraitEnd || u1 >= 1 - kPortraitEnd;
  return along > across || !at_end || area(part) > kPortraitShare * area(card);
}

std::optional<Quad> containerAround(const Frame& f, const Quad& part) {
  // Outwards as far as the frame reaches.
  const int reach = std::max(f.bgr.cols, f.bgr.rows);
  const auto moves = sideMoves(f, part, kContainerSide, [&](size_t, double) { return std::pair{0, reach}; });
  if (!moves) return std::nullopt;
  const double part_area = area(part);
  const auto best = bestMoves(f, part, *moves, 0, [&](const Quad& r) {
    return area(r) >= kContainerGrowth * part_area && documentAspect(r, f.bgr.size()).fit >= kDocumentShape;
  });
  if (!best) return std::nullopt;
  return best->quad;
}

namespace {

// Straightening: how far each end of a side may move (share of the quad's
// shortest side), the colour step that counts as a whole edge, and how much
// more of its length a new line must show an edge on (and at least how much),
// how far inside (share of the shortest side) both ends of a new line may
// not both lie, and how much worse a document shape the quad may get.
constexpr double kStraightenReach = 0.15, kStraightenEdge = 12, kStraightenGain = 0.2, kStraightenFloor = 0.6,
                 kStraightenInside = 0.03, kStraightenShape = 0.1;
// A second line out beyond a side (both ends kParallelApart of the shortest
// side or more further out), an edge of its own (the lines between dip below
// kParallelValley of both) and nearly as well supported (kParallelSlack below
// the side at most, kParallelFloor at least), replaces it when the quad
// becomes a clearly better document shape (kParallelShape more fit): the
// card's own edge beyond a crisp line of its print parallel to it (a visa's
// MRZ strip's inner border, a header band's line) that the side stopped at.
constexpr double kParallelApart = 0.025, kParallelSlack = 0.05, kParallelFloor = 0.85, kParallelValley = 0.5;
constexpr double kParallelShape = 0.05;

// Samples the colour at sub-pixel `p` (bilinear, clamped to the frame).
cv::Vec3f sample(const cv::Mat& bgr, cv::Point2d p) {
  const double x = std::clamp(p.x, 0.0, bgr.cols - 1.001), y = std::clamp(p.y, 0.0, bgr.rows - 1.001);
  const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  const float fx = static_cast<float>(x - x0), fy = static_cast<float>(y - y0);
  const auto* r0 = bgr.ptr<cv::Vec3b>(y0);
  const auto* r1 = bgr.ptr<cv::Vec3b>(y0 + 1);
  cv::Vec3f out;
  for (int c = 0; c < 3; ++c)
    out[c] = (r0[x0][c] * (1 - fx) + r0[x0 + 1][c] * fx) * (1 - fy) + (r1[x0][c] * (1 - fx) + r1[x0 + 1][c] * fx) * fy;
  return out;
}

// The colour across a side at `p`, from -reach to +reach pixels along its
// normal `n` (prof[reach] at p), each the mean of three samples `smooth` apart
// along the side `d`: text and noise fade, the edge stays.
void profileAcross(const cv::Mat& bgr, cv::Point2d p, cv::Point2d n, cv::Point2d d, int reach, double smooth,
                   std::vector<cv::Vec3f>& prof) {
  for (int o = -reach; o <= reach; ++o) {
    cv::Vec3f acc(0, 0, 0);
    for (int s = -1; s <= 1; ++s) acc += sample(bgr, p + n * o + d * (s * smooth));
    prof[static_cast<size_t>(o + reach)] = acc / 3;
  }
}

// Edge points along the normal of side a->b within +-range, then a robust line.
std::optional<FitLine> refineSide(const cv::Mat& bgr, cv::Point2d a, cv::Point2d b, double range, double smooth) {
  const double len = cv::norm(b - a);
  if (len < 8) return std::nullopt;
  const cv::Point2d d = (b - a) / len, n(-d.y, d.x);
  const int samples = std::clamp(static_cast<int>(len / 4), 16, 80);
  const int R = std::max(2, static_cast<int>(std::ceil(range)));
  const int half = std::max(1, static_cast<int>(std::ceil(smooth)));
  std::vector<cv::Point2f> pts;
  std::vector<cv::Vec3f> prof(static_cast<size_t>(2 * (R + half) + 1));
  std::vector<double> deriv(static_cast<size_t>(2 * R + 1));
  for (int i = 0; i < samples; ++i) {
    const double t = 0.1 + 0.8 * (i + 0.5) / samples;
    const cv::Point2d p = a + (b - a) * t;
    profileAcross(bgr, p, n, d, R + half, smooth, prof);
    double best = 0;
    int best_o = 0;
    for (int o = -R; o <= R; ++o) {
      const cv::Vec3f diff = prof[static_cast<size_t>(o + R + half + half)] - prof[static_cast<size_t>(o + R + half - half)];
      const double m = std::sqrt(diff.dot(diff));
      deriv[static_cast<size_t>(o + R)] = m;
      // Prefer the edge nearest the coarse estimate among strong ones.
      const double w = m * (1 - 0.25 * std::abs(o) / R);
      if (w > best) best = w, best_o = o;
    }
    if (best < 6) continue;
    double off = best_o;
    if (best_o > -R && best_o < R) {  // parabola through the peak
      const double l = deriv[static_cast<size_t>(best_o + R - 1)], c = deriv[static_cast<size_t>(best_o + R)],
                   r = deriv[static_cast<size_t>(best_o + R + 1)];
      const double den = l - 2 * c + r;
      if (den < 0) off += std::clamp(0.5 * (l - r) / den, -0.5, 0.5);
    }
    const cv::Point2d e = p + n * off;
    pts.emplace_back(static_cast<float>(e.x), static_cast<float>(e.y));
  }
  if (pts.size() < 6) return std::nullopt;
  return robustLine(pts);
}

}  // namespace

Quad refine(const cv::Mat& bgr, const Quad& q, double range, double smooth, std::array<bool, 4> sides) {
  std::array<std::optional<FitLine>, 4> lines;
  for (size_t i = 0; i < 4; ++i)
    if (sides[i]) lines[i] = refineSide(bgr, q[i], q[(i + 1) % 4], range, smooth);
  Quad r = q;
  for (size_t i = 0; i < 4; ++i) {
    // Corner i joins side i-1 (from corner i-1) and side i.
    const size_t i1 = (i + 3) % 4;
    if (!lines[i1] && !lines[i]) continue;
    // A side not refitted keeps its line through its own corners.
    const FitLine l1 = lines[i1] ? *lines[i1] : FitLine{q[i1], q[i] - q[i1]};
    const FitLine l2 = lines[i] ? *lines[i] : FitLine{q[i], q[(i + 1) % 4] - q[i]};
    if (!sides[i1] && !sides[i]) continue;
    if ((sides[i1] && !lines[i1]) || (sides[i] && !lines[i])) continue;
    const Line a{l1.p, l1.d, 0, 0}, b{l2.p, l2.d, 0, 0};
    if (const auto p = intersect(a, b); p && cv::norm(*p - q[i]) < 2.5 * range + 4) r[i] = *p;
  }
  return isConvex(r) ? r : q;
}

Quad straighten(const cv::Mat& bgr, const Quad& q, double smooth) {
  if (!isConvex(q)) return q;
  double shortest = 1e300;
  for (size_t i = 0; i < 4; ++i) shortest = std::min(shortest, cv::norm(q[(i + 1) % 4] - q[i]));
  const int R = static_cast<int>(std::ceil(kStraightenReach * shortest));
  const int half = std::max(1, static_cast<int>(std::ceil(smooth)));
  if (R < 4) return q;
  const cv::Point2d centre = (q[0] + q[1] + q[2] + q[3]) * 0.25;
  std::array<Line, 4> lines;
  std::array<std::optional<Line>, 4> moved, parallel;
  std::vector<cv::Vec3f> prof(static_cast<size_t>(2 * (R + half) + 1));
  const int apart = std::max(3, static_cast<int>(std::lround(kParallelApart * shortest)));
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d a = q[i], b = q[(i + 1) % 4];
    const double len = cv::norm(b - a);
    const cv::Point2d d = (b - a) / len, n(-d.y, d.x);
    lines[i] = Line{a, d, 0, 0};
    const int S = std::clamp(static_cast<int>(len / 8), 16, 64);
    // Edge strength, clipped: a line is as good as the share of its length
    // that shows an edge, so text or one strong band crossing it counts little.
    std::vector<float> m(static_cast<size_t>(S * (2 * R + 1)));
    for (int j = 0; j < S; ++j) {
      const cv::Point2d p = a + (b - a) * (0.1 + 0.8 * (j + 0.5) / S);
      profileAcross(bgr, p, n, d, R + half, smooth, prof);
      for (int o = -R; o <= R; ++o) {
        const cv::Vec3f diff = prof[static_cast<size_t>(o + R + 2 * half)] - prof[static_cast<size_t>(o + R)];
        m[static_cast<size_t>(j * (2 * R + 1) + o + R)] =
            static_cast<float>(std::min(1.0, std::sqrt(diff.dot(diff)) / kStraightenEdge));
      }
    }
    auto support = [&](int oa, int ob) {
      double sum = 0;
      for (int j = 0; j < S; ++j) {
        const int o = oa + static_cast<int>(std::lround((ob - oa) * (j + 0.5) / S));
        sum += m[static_cast<size_t>(j * (2 * R + 1) + o + R)];
      }
      return sum / S;
    };
    // A line with both ends well inside is an inner band's border (a header
    // band, the MRZ zone's top) parallel to the card's own fainter edge.
    const double inward = (centre - a).dot(n) > 0 ? 1 : -1, deep = kStraightenInside * shortest;
    auto inside = [&](int oa, int ob) { return inward * oa > deep && inward * ob > deep; };
    const double current = support(0, 0);
    double best = current;
    int best_a = 0, best_b = 0;
    // The best line apart from the side: out beyond it (away from the
    // centre), both ends `apart` or more.
    auto away = [&](int oa, int ob) { return -inward * oa >= apart && -inward * ob >= apart; };
    double second = 0;
    int second_a = 0, second_b = 0;
    // Every fourth line, then every line around the best of them.
    for (int oa = -R; oa <= R; oa += 4)
      for (int ob = -R; ob <= R; ob += 4) {
        if (inside(oa, ob)) continue;
        const double v = support(oa, ob);
        if (v > best) best = v, best_a = oa, best_b = ob;
        if (v > second && away(oa, ob)) second = v, second_a = oa, second_b = ob;
      }
    const int ca = best_a, cb = best_b;
    for (int oa = std::max(-R, ca - 2); oa <= std::min(R, ca + 2); ++oa)
      for (int ob = std::max(-R, cb - 2); ob <= std::min(R, cb + 2); ++ob)
        if (const double v = support(oa, ob); v > best && !inside(oa, ob)) best = v, best_a = oa, best_b = ob;
    auto lineAt = [&](int oa, int ob) {
      const cv::Point2d pa = a + (b - a) * 0.1 + n * oa, pb = a + (b - a) * 0.9 + n * ob;
      return Line{pa, (pb - pa) / cv::norm(pb - pa), 0, 0};
    };
    if (best >= current + kStraightenGain && best >= kStraightenFloor) {
      moved[i] = lineAt(best_a, best_b);
      continue;
    }
    if (second > 0) {
      const int sa = second_a, sb = second_b;
      for (int oa = std::max(-R, sa - 2); oa <= std::min(R, sa + 2); ++oa)
        for (int ob = std::max(-R, sb - 2); ob <= std::min(R, sb + 2); ++ob)
          if (const double v = support(oa, ob); v > second && away(oa, ob) && !inside(oa, ob))
            second = v, second_a = oa, second_b = ob;
    }
    // An edge of its own: the lines between the side and it dip well below both.
    double valley = 1;
    {
      const int steps = std::max(std::abs(second_a), std::abs(second_b));
      for (int k = 1; k < steps; ++k)
        valley = std::min(valley, support(static_cast<int>(std::lround(second_a * double(k) / steps)),
                                          static_cast<int>(std::lround(second_b * double(k) / steps))));
    }
    if (second >= kParallelFloor && second >= current - kParallelSlack && valley < kParallelValley * std::min(second, current))
      parallel[i] = lineAt(second_a, second_b);
  }
  // A side moved onto an inner straight line (an MRZ band's top, a header
  // band) leaves a quad of the wrong proportions: each move must keep the
  // quad about as good a document shape.
  Quad r = q;
  double fit = documentAspect(q, bgr.size()).fit;
  // Each side's candidate line taken in turn where the quad's shape fit
  // stays at least `gain` above the shape so far.
  auto adopt = [&](const std::array<std::optional<Line>, 4>& candidate, double gain) {
    for (size_t i = 0; i < 4; ++i) {
      if (!candidate[i]) continue;
      std::array<Line, 4> trial = lines;
      trial[i] = *candidate[i];
      const auto t = quadOfLines(trial);
      if (!t) continue;
      if (const double v = documentAspect(*t, bgr.size()).fit; v >= fit + gain) lines = trial, r = *t, fit = v;
    }
  };
  adopt(moved, -kStraightenShape);
  // A parallel line nearly as well supported as the side: taken only for a
  // clearly better document shape.
  adopt(parallel, kParallelShape);
  return r;
}

}  // namespace idkit::deskew::detail
