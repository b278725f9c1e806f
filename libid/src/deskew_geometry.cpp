// Quad geometry for deskew: ordering, areas, Jaccard index, homographies,
// ICAO size classes and the aspect ratio of a rectangle seen in perspective.
#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include <idkit/deskew.hpp>

namespace idkit::deskew {

std::string_view toString(Kind k) {
  switch (k) {
    case Kind::id1: return "ID1";
    case Kind::id2: return "ID2";
    case Kind::id3: return "ID3";
  }
  return "ID1";
}

std::optional<Kind> parseKind(std::string_view s) {
  if (s == "ID1" || s == "id1") return Kind::id1;
  if (s == "ID2" || s == "id2") return Kind::id2;
  if (s == "ID3" || s == "id3") return Kind::id3;
  return std::nullopt;
}

cv::Size2d sizeMm(Kind k) {
  switch (k) {
    case Kind::id1: return {85.60, 53.98};
    case Kind::id2: return {105.0, 74.0};
    case Kind::id3: return {125.0, 88.0};
  }
  return {85.60, 53.98};
}

cv::Size pixelSize(Kind k, double dpi) {
  const cv::Size2d mm = sizeMm(k);
  return {static_cast<int>(std::lround(mm.width / 25.4 * dpi)), static_cast<int>(std::lround(mm.height / 25.4 * dpi))};
}

int zoneChars(Kind k) {
  switch (k) {
    case Kind::id1: return 30;
    case Kind::id2: return 36;
    case Kind::id3: return 44;
  }
  return 0;
}

std::optional<Kind> kindOfZone(int chars) {
  for (Kind k : {Kind::id1, Kind::id2, Kind::id3})
    if (zoneChars(k) == chars) return k;
  return std::nullopt;
}

std::optional<Kind> classifyAspect(double ratio, double tolerance) {
  if (!(ratio > 0) || !std::isfinite(ratio)) return std::nullopt;
  if (ratio < 1) ratio = 1 / ratio;
  std::optional<Kind> best;
  double best_err = tolerance;
  // ID3 (1.420) is listed after ID2 (1.419) and never strictly nearer by more
  // than rounding, so a 1.42 ratio reads as ID2: the caller tells them apart by scale.
  for (Kind k : {Kind::id1, Kind::id2}) {
    const cv::Size2d mm = sizeMm(k);
    const double err = std::abs(std::log(ratio / (mm.width / mm.height)));
    if (err <= best_err) best_err = err, best = k;
  }
  return best;
}

Quad orderQuad(std::span<const cv::Point2d, 4> corners) {
  cv::Point2d c(0, 0);
  for (const auto& p : corners) c += p;
  c *= 0.25;
  Quad q;
  std::copy(corners.begin(), corners.end(), q.begin());
  // Clockwise on screen (y down) is increasing atan2 angle.
  std::sort(q.begin(), q.end(), [&](const cv::Point2d& a, const cv::Point2d& b) {
    return std::atan2(a.y - c.y, a.x - c.x) < std::atan2(b.y - c.y, b.x - c.x);
  });
  size_t first = 0;
  for (size_t i = 1; i < 4; ++i)
    if (q[i].x + q[i].y < q[first].x + q[first].y) first = i;
  std::rotate(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(first), q.end());
  return q;
}

Quad rotateLabels(const Quad& q, int quarter_turns) {
  const int t = ((quarter_turns % 4) + 4) % 4;
  Quad r;
  for (int i = 0; i < 4; ++i) r[static_cast<size_t>((i + t) % 4)] = q[static_cast<size_t>(i)];
  return r;
}

namespace {
double cross(cv::Point2d a, cv::Point2d b) { return a.x * b.y - a.y * b.x; }
}  // namespace

bool isConvex(const Quad& q) {
  int sign = 0;
  for (size_t i = 0; i < 4; ++i) {
    const double c = cross(q[(i + 1) % 4] - q[i], q[(i + 2) % 4] - q[(i + 1) % 4]);
    if (!std::isfinite(c) || std::abs(c) < 1e-9) return false;
    const int s = c > 0 ? 1 : -1;
    if (sign == 0) sign = s;
    else if (s != sign) return false;
  }
  return true;
}

double area(const Quad& q) {
  double a = 0;
  for (size_t i = 0; i < 4; ++i) a += cross(q[i], q[(i + 1) % 4]);
  return std::abs(a) / 2;
}

double iou(const Quad& a, const Quad& b) {
  if (!isConvex(a) || !isConvex(b)) return 0;
  // a clipped by each side's half-plane of b (Sutherland-Hodgman), in double
  // precision. cv::intersectConvexConvex (OpenCV 4.6) returns the larger
  // quad's whole area when a smaller one shares a side's line with it, as a
  // container built around a part does: the Jaccard index came out 1.
  const double wind = cross(b[1] - b[0], b[2] - b[1]) > 0 ? 1 : -1;
  std::vector<cv::Point2d> poly(a.begin(), a.end()), next;
  for (size_t i = 0; i < 4 && !poly.empty(); ++i) {
    const cv::Point2d p0 = b[i], d = b[(i + 1) % 4] - b[i];
    auto inside = [&](const cv::Point2d& p) { return wind * cross(d, p - p0); };
    next.clear();
    for (size_t k = 0; k < poly.size(); ++k) {
      const cv::Point2d& u = poly[k];
      const cv::Point2d& v = poly[(k + 1) % poly.size()];
      const double su = inside(u), sv = inside(v);
      if (su >= 0) next.push_back(u);
      if ((su >= 0) != (sv >= 0)) next.push_back(u + (v - u) * (su / (su - sv)));
    }
    poly.swap(next);
  }
  double inter = 0;
  for (size_t k = 0; k < poly.size(); ++k) inter += cross(poly[k], poly[(k + 1) % poly.size()]);
  inter = std::abs(inter) / 2;
  const double uni = area(a) + area(b) - inter;
  return uni > 0 ? std::clamp(inter / uni, 0.0, 1.0) : 0;
}

cv::Matx33d homography(const Quad& from, const Quad& to) {
  std::array<cv::Point2f, 4> s, d;
  for (size_t i = 0; i < 4; ++i) {
    s[i] = cv::Point2f(static_cast<float>(from[i].x), static_cast<float>(from[i].y));
    d[i] = cv::Point2f(static_cast<float>(to[i].x), static_cast<float>(to[i].y));
  }
  return cv::Matx33d(cv::getPerspectiveTransform(s.data(), d.data()));
}

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}

double rectifiedAspect(const Quad& q, cv::Point2d centre) {
  const double w = (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3])) / 2;
  const double h = (cv::norm(q[3] - q[0]) + cv::norm(q[2] - q[1])) / 2;
  const double naive = h > 0 ? w / h : 0;
  // Rectangle corners m1 (0,0), m2 (w,0), m3 (0,h), m4 (w,h) seen as q[0], q[1],
  // q[3], q[2]; with the principal point at the origin the focal length and the
  // aspect follow from the two vanishing directions (the camera model of a pinhole
  // with square pixels).
  const double s = std::max(1.0, std::max(std::abs(centre.x), std::abs(centre.y)));
  auto hom = [&](cv::Point2d p) { return cv::Vec3d((p.x - centre.x) / s, (p.y - centre.y) / s, 1); };
  const cv::Vec3d m1 = hom(q[0]), m2 = hom(q[1]), m3 = hom(q[3]), m4 = hom(q[2]);
  const double d2 = m2.cross(m4).dot(m3), d3 = m3.cross(m4).dot(m2);
  if (std::abs(d2) < 1e-12 || std::abs(d3) < 1e-12) return naive;
  const double k2 = m1.cross(m4).dot(m3) / d2, k3 = m1.cross(m4).dot(m2) / d3;
  const cv::Vec3d n2 = k2 * m2 - m1, n3 = k3 * m3 - m1;
  if (std::abs(n2[2]) < 1e-4 || std::abs(n3[2]) < 1e-4) {
    const double a = std::hypot(n2[0], n2[1]), b = std::hypot(n3[0], n3[1]);
    return b > 0 ? a / b : naive;
  }
  const double f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2]);
  // A focal length far outside what cameras have (here in units of half the
  // frame) means the quad is not a rectangle in perspective: trust the sides.
  if (!(f2 > 0.3) || f2 > 400) return naive;
  const double a = (n2[0] * n2[0] + n2[1] * n2[1]) / f2 + n2[2] * n2[2];
  const double b = (n3[0] * n3[0] + n3[1] * n3[1]) / f2 + n3[2] * n3[2];
  if (!(a > 0) || !(b > 0)) return naive;
  const double r = std::sqrt(a / b);
  return std::isfinite(r) ? r : naive;
}

}  // namespace idkit::deskew
