// How a flat document reaches idkit: a flatbed scan (white or grey page,
// slight rotation) or a phone photo (perspective, any rotation, surfaces,
// defocus and motion blur, noise, uneven light, glare, a thumb over an edge).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "synth_internal.hpp"

namespace idkit::synth {

namespace {
constexpr double kPi = std::numbers::pi;
using detail::mix;

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}

// The card's outline in card pixels (pixel centres, so edges at -0.5 and
// size - 0.5): a rectangle with rounded corners when the card has them.
std::vector<cv::Point2d> outline(cv::Size s, double r) {
  const double x0 = -0.5, y0 = -0.5, x1 = s.width - 0.5, y1 = s.height - 0.5;
  if (r < 1) return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  const std::array<cv::Point2d, 4> centres{cv::Point2d(x1 - r, y0 + r), cv::Point2d(x1 - r, y1 - r),
                                           cv::Point2d(x0 + r, y1 - r), cv::Point2d(x0 + r, y0 + r)};
  std::vector<cv::Point2d> pts;
  for (size_t c = 0; c < 4; ++c)
    for (int k = 0; k <= 8; ++k) {
      const double a = (-90.0 + 90.0 * static_cast<double>(c) + 90.0 * k / 8) * kPi / 180;
      pts.push_back(centres[c] + cv::Point2d(std::cos(a), std::sin(a)) * r);
    }
  return pts;
}

// Anti-aliased coverage (CV_8U, 255 = on the card) of the card mapped by `h`
// into an image of `size`. Drawn as a polygon: no card-sized mask is warped.
cv::Mat coverage(cv::Size size, const Card& card, const cv::Matx33d& h) {
  constexpr int kShift = 4;
  std::vector<cv::Point> poly;
  for (const cv::Point2d& p : outline(card.image.size(), card.corner_radius_px)) {
    const cv::Point2d q = apply(h, p);
    poly.emplace_back(static_cast<int>(std::lround(q.x * (1 << kShift))),
                      static_cast<int>(std::lround(q.y * (1 << kShift))));
  }
  cv::Mat m(size, CV_8U, cv::Scalar(0));
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255), cv::LINE_AA, kShift);
  return m;
}

// Pastes the warped card over `dst` with an anti-aliased edge. Only the card's
// bounding box is warped and blended; scans (a rotation) take the cheaper
// affine warp.
void composite(cv::Mat& dst, const Card& card, const cv::Matx33d& h, bool affine) {
  const cv::Size cs = card.image.size();
  std::vector<cv::Point2f> corners{{-0.5f, -0.5f}, {cs.width - 0.5f, -0.5f}, {cs.width - 0.5f, cs.height - 0.5f}, {-0.5f, cs.height - 0.5f}}, out;
  cv::perspectiveTransform(corners, out, cv::Mat(h));
  const cv::Rect roi = (cv::boundingRect(out) + cv::Size(2, 2)) & cv::Rect(0, 0, dst.cols, dst.rows);
  if (roi.empty()) return;
  const cv::Matx33d hr = cv::Matx33d(1, 0, -roi.x, 0, 1, -roi.y, 0, 0, 1) * h;
  cv::Mat warped;
  // Replicated borders: edge pixels blend with the card's own colour, not black.
  if (affine)
    cv::warpAffine(card.image, warped, cv::Mat(hr.get_minor<2, 3>(0, 0)), roi.size(), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
  else
    cv::warpPerspective(card.image, warped, cv::Mat(hr), roi.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const cv::Mat a = coverage(roi.size(), card, hr);
  cv::Mat d = dst(roi);
  for (int y = 0; y < d.rows; ++y) {
    const uchar* ap = a.ptr<uchar>(y);
    const auto* wp = warped.ptr<cv::Vec3b>(y);
    auto* dp = d.ptr<cv::Vec3b>(y);
    for (int x = 0; x < d.cols; ++x) {
      const int al = ap[x];
      if (al == 0) continue;
      if (al == 255) {
        dp[x] = wp[x];
        continue;
      }
      for (int c = 0; c < 3; ++c) dp[x][c] = static_cast<uchar>((wp[x][c] * al + dp[x][c] * (255 - al)) / 255);
    }
  }
}

// Darkens a background under the card's soft, offset shadow. The background
// is still the small version (`small` pixels for `full` image pixels): the
// shadow is blurry, so it is drawn before scaling up, never at full size.
void shadeUnderCard(cv::Mat& small, cv::Size full, const Card& card, const cv::Matx33d& h, cv::Point2d offset,
                    double blur, double strength) {
  const double kx = small.cols / double(full.width), ky = small.rows / double(full.height);
  const cv::Matx33d m = cv::Matx33d(kx, 0, 0, 0, ky, 0, 0, 0, 1) *
                        cv::Matx33d(1, 0, offset.x, 0, 1, offset.y, 0, 0, 1) * h;
  cv::Mat a = coverage(small.size(), card, m);
  cv::GaussianBlur(a, a, cv::Size(0, 0), std::max(0.5, blur * kx));
  cv::Mat gain, gain3;
  a.convertTo(gain, CV_8U, -strength, 255);
  cv::cvtColor(gain, gain3, cv::COLOR_GRAY2BGR);
  cv::multiply(small, gain3, small, 1.0 / 255);
}

// The size at which a background of `full` pixels is painted before scaling up.
cv::Size smallSize(cv::Size full, int long_side) {
  const double k = std::min(1.0, long_side / double(std::max(full.width, full.height)));
  return {std::max(8, static_cast<int>(std::lround(full.width * k))),
          std::max(8, static_cast<int>(std::lround(full.height * k)))};
}

cv::Mat lowNoise(cv::Size small, Rng& rng) {
  cv::Mat m(small, CV_32F);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) m.at<float>(y, x) = static_cast<float>(rng.uniform());
  return m;
}

cv::Scalar randomColour(Rng& rng, double lo, double hi) {
  return {rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(lo, hi)};
}

// Procedural surfaces under a phone photo. `card_mean` makes same-colour ones.
// Painted at reduced size into `s` (surfaces are out of focus; the caller
// scales up once).
std::string paintSurface(cv::Mat& s, Rng& rng, const cv::Scalar& card_mean) {
  const double kind = rng.uniform();
  std::string name;
  if (kind < 0.22) {
    name = "wood";
    const cv::Scalar base = rng.chance(0.5) ? cv::Scalar(60, 100, 150) : cv::Scalar(40, 65, 100);
    cv::Mat n = lowNoise({8, 40}, rng), big;
    cv::resize(n, big, s.size(), 0, 0, cv::INTER_CUBIC);
    const double freq = rng.uniform(0.03, 0.08), ang = rng.uniform(-0.3, 0.3);
    for (int y = 0; y < s.rows; ++y)
      for (int x = 0; x < s.cols; ++x) {
        const double u = x * std::cos(ang) + y * std::sin(ang);
        const double v = -x * std::sin(ang) + y * std::cos(ang);
        const double grain = 0.5 + 0.5 * std::sin(v * freq * 6 + big.at<float>(y, x) * 9 + std::sin(u * 0.01) * 2);
        const double f = 0.75 + 0.35 * std::pow(grain, 3);
        const cv::Scalar c = base * f;
        s.at<cv::Vec3b>(y, x) = {cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                                 cv::saturate_cast<uchar>(c[2])};
      }
  } else if (kind < 0.4) {
    name = "fabric";
    const cv::Scalar base = randomColour(rng, 40, 200);
    const double p = rng.uniform(3, 6);
    for (int y = 0; y < s.rows; ++y)
      for (int x = 0; x < s.cols; ++x) {
        // A faint weave: painted small and scaled up, a strong one turns into stripes.
        const double w = 0.9 + 0.06 * std::sin(2 * kPi * x / p) * std::sin(2 * kPi * y / p) +
                         0.05 * std::sin(2 * kPi * (x + y) / (p * 7));
        const cv::Scalar c = base * w;
        s.at<cv::Vec3b>(y, x) = {cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                                 cv::saturate_cast<uchar>(c[2])};
      }
  } else if (kind < 0.6) {
    name = "desk_clutter";
    s.setTo(randomColour(rng, 90, 200));
    const int n = rng.integer(4, 12);
    for (int i = 0; i < n; ++i) {
      const cv::Point c(rng.integer(0, s.cols), rng.integer(0, s.rows));
      const cv::Scalar col = randomColour(rng, 20, 250);
      const int r = static_cast<int>(rng.uniform(0.05, 0.25) * s.cols);
      switch (rng.integer(0, 3)) {
        case 0:  // paper / book / phone
          cv::RotatedRect(cv::Point2f(c), cv::Size2f(r * 1.6f, r * 1.1f), static_cast<float>(rng.uniform(0, 180)));
          {
            cv::Point2f v[4];
            cv::RotatedRect(cv::Point2f(c), cv::Size2f(r * 1.6f, r * 1.1f), static_cast<float>(rng.uniform(0, 180))).points(v);
            std::vector<cv::Point> poly(v, v + 4);
            cv::fillConvexPoly(s, poly, col, cv::LINE_AA);
          }
          break;
        case 1:  // mug from above
          cv::circle(s, c, r / 2, col, cv::FILLED, cv::LINE_AA);
          cv::circle(s, c, r / 3, col * 0.6, cv::FILLED, cv::LINE_AA);
          break;
        case 2:  // pen
          cv::line(s, c, c + cv::Point(rng.integer(-r, r), rng.integer(-r, r)), col, std::max(2, r / 12), cv::LINE_AA);
          break;
        default:  // text-like lines of a printed page
          for (int l = 0; l < 6; ++l)
            cv::line(s, c + cv::Point(0, l * 6), c + cv::Point(r, l * 6), col * 0.5, 1, cv::LINE_AA);
      }
    }
  } else if (kind < 0.75) {
    name = "white_on_white";
    const double v = rng.uniform(215, 250);
    s.setTo(cv::Scalar(v, v + rng.uniform(-4, 4), v + rng.uniform(-4, 4)));
  } else if (kind < 0.87) {
    name = "same_colour";
    s.setTo(card_mean + cv::Scalar(rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(-12, 12)));
  } else {
    name = "dark";
    s.setTo(randomColour(rng, 10, 60));
  }
  // Soft texture on every surface.
  cv::Mat n = lowNoise({16, 12}, rng), big;
  cv::resize(n, big, s.size(), 0, 0, cv::INTER_CUBIC);
  for (int y = 0; y < s.rows; ++y)
    for (int x = 0; x < s.cols; ++x) {
      const double f = 0.92 + 0.16 * big.at<float>(y, x);
      auto& p = s.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uchar>(p[c] * f);
    }
  return name;
}

// Light that falls off across the frame (and a vignette): a small gain map,
// applied at full size by expose().
Json unevenLight(cv::Mat& gain, Rng& rng) {
  const double strength = rng.uniform(0.0, 0.45), ang = rng.uniform(0, 2 * kPi), vign = rng.uniform(0, 0.35);
  gain.create(cv::Size(64, 48), CV_32F);
  for (int y = 0; y < gain.rows; ++y)
    for (int x = 0; x < gain.cols; ++x) {
      const double u = x / 63.0 - 0.5, v = y / 47.0 - 0.5;
      const double lin = 1 + strength * (u * std::cos(ang) + v * std::sin(ang)) * 1.4;
      const double vg = 1 - vign * (u * u + v * v) * 2;
      gain.at<float>(y, x) = static_cast<float>(lin * vg);
    }
  return {{"gradient", std::round(strength * 100) / 100}, {"vignette", std::round(vign * 100) / 100}};
}

// The exposure at full size: image x gain(x, y), then contrast. The small
// gain map is scaled up with three channels so both steps are OpenCV's
// vectorised 8-bit operations.
void expose(cv::Mat& img, const cv::Mat& gain_small, double contrast, double offset) {
  cv::Mat g8, g;
  gain_small.convertTo(g8, CV_8U, 128.0);
  cv::cvtColor(g8, g8, cv::COLOR_GRAY2BGR);
  cv::resize(g8, g, img.size(), 0, 0, cv::INTER_LINEAR);
  cv::multiply(img, g, img, 1.0 / 128);
  if (contrast != 1.0) img.convertTo(img, -1, contrast, offset);
}

// Specular glare: bright soft spots, centred on the document. A round
// Gaussian spot is the product of two 1-D profiles.
Json glare(cv::Mat& img, const std::array<cv::Point2d, 4>& quad, Rng& rng) {
  Json spots = Json::array();
  const int n = rng.integer(1, 2);
  for (int i = 0; i < n; ++i) {
    const double a = rng.uniform(), b = rng.uniform();
    const cv::Point2d top = quad[0] + (quad[1] - quad[0]) * a, bottom = quad[3] + (quad[2] - quad[3]) * a;
    const cv::Point2d c = top + (bottom - top) * b;
    const double r = rng.uniform(0.04, 0.14) * std::max(img.cols, img.rows);
    const double amp = rng.uniform(0.4, 0.95);
    const cv::Rect roi = cv::Rect(static_cast<int>(c.x - 2 * r), static_cast<int>(c.y - 2 * r),
                                  static_cast<int>(4 * r), static_cast<int>(4 * r)) &
                         cv::Rect(0, 0, img.cols, img.rows);
    std::vector<float> gx(static_cast<size_t>(std::max(0, roi.width)));
    for (int x = 0; x < roi.width; ++x) {
      const double dx = (roi.x + x - c.x) / r;
      gx[static_cast<size_t>(x)] = static_cast<float>(amp * std::exp(-1.5 * dx * dx));
    }
    for (int y = roi.y; y < roi.y + roi.height; ++y) {
      const double dy = (y - c.y) / r;
      const float gy = static_cast<float>(std::exp(-1.5 * dy * dy));
      if (gy * amp < 0.01) continue;
      uchar* p = img.ptr<uchar>(y) + 3 * roi.x;
      for (int x = 0; x < roi.width; ++x) {
        const float g = gx[static_cast<size_t>(x)] * gy;
        for (int ch = 0; ch < 3; ++ch) {
          uchar& v = p[3 * x + ch];
          v = static_cast<uchar>(v + (255 - v) * g + 0.5f);
        }
      }
    }
    spots.push_back({{"centre", {std::round(c.x), std::round(c.y)}}, {"radius", std::round(r)},
                     {"strength", std::round(amp * 100) / 100}});
  }
  return spots;
}

// A thumb holding the card at one of its edges.
Json thumb(cv::Mat& img, const std::array<cv::Point2d, 4>& quad, Rng& rng) {
  const int edge = rng.integer(0, 3);
  const cv::Point2d a = quad[static_cast<size_t>(edge)], b = quad[static_cast<size_t>((edge + 1) % 4)];
  const cv::Point2d centre = (quad[0] + quad[1] + quad[2] + quad[3]) * 0.25;
  const double t = rng.uniform(0.2, 0.8);
  const cv::Point2d on = a + (b - a) * t;
  cv::Point2d out = on - centre;
  out *= 1.0 / std::max(1e-6, std::hypot(out.x, out.y));
  const double edge_len = std::hypot(b.x - a.x, b.y - a.y);
  const double len = rng.uniform(0.18, 0.3) * edge_len, wid = len * 0.45;
  const cv::Point2d tip = on - out * (len * rng.uniform(0.15, 0.45));
  const cv::Point2d c = tip + out * (len * 0.5);
  const double ang = std::atan2(out.y, out.x) * 180 / kPi;
  const cv::Scalar skin = rng.pick(std::array<cv::Scalar, 4>{cv::Scalar(150, 175, 225), cv::Scalar(120, 150, 205),
                                                            cv::Scalar(80, 110, 165), cv::Scalar(55, 80, 120)});
  // Shadow (blended over its bounding box only), thumb, and a lighter nail.
  const cv::RotatedRect shadow(cv::Point2f(c + out * (wid * 0.15)),
                               cv::Size2f(static_cast<float>(len * 1.1), static_cast<float>(wid * 1.1)),
                               static_cast<float>(ang));
  const cv::Rect sr = (shadow.boundingRect() + cv::Size(2, 2)) & cv::Rect(0, 0, img.cols, img.rows);
  if (!sr.empty()) {
    cv::Mat under = img(sr), layer = under.clone();
    cv::ellipse(layer, cv::RotatedRect(shadow.center - cv::Point2f(sr.tl()), shadow.size, shadow.angle),
                cv::Scalar(0, 0, 0), cv::FILLED, cv::LINE_AA);
    cv::addWeighted(under, 0.6, layer, 0.4, 0, under);
  }
  cv::ellipse(img, cv::RotatedRect(cv::Point2f(c), cv::Size2f(static_cast<float>(len), static_cast<float>(wid)), static_cast<float>(ang)),
              skin, cv::FILLED, cv::LINE_AA);
  cv::ellipse(img, cv::RotatedRect(cv::Point2f(c + out * (wid * 0.12)), cv::Size2f(static_cast<float>(len * 0.8), static_cast<float>(wid * 0.55)),
                                   static_cast<float>(ang)),
              skin * 1.08, cv::FILLED, cv::LINE_AA);
  cv::ellipse(img, cv::RotatedRect(cv::Point2f(tip + out * (len * 0.16)), cv::Size2f(static_cast<float>(len * 0.25), static_cast<float>(wid * 0.6)),
                                   static_cast<float>(ang)),
              mix(skin, cv::Scalar(210, 215, 240), 0.5), cv::FILLED, cv::LINE_AA);
  return {{"edge", std::array<std::string, 4>{"top", "right", "bottom", "left"}[static_cast<size_t>(edge)]},
          {"centre", {std::round(c.x), std::round(c.y)}},
          {"length", std::round(len)},
          {"width", std::round(wid)},
          {"angle_deg", std::round(ang)}};
}

// Defocus: a Gaussian when small; two box filters when large (a soft disc
// whose variance is sigma^2; a box costs the same at any size).
void defocus(cv::Mat& img, double sigma) {
  if (sigma <= 1.5) {
    cv::GaussianBlur(img, img, cv::Size(0, 0), sigma);
    return;
  }
  const int w = 2 * static_cast<int>(std::lround((std::sqrt(6.0 * sigma * sigma + 1) - 1) / 2)) + 1;
  for (int i = 0; i < 2; ++i) cv::blur(img, img, cv::Size(w, w));
}

// Motion blur: the mean of `len` copies shifted along the direction (a
// one-pixel line kernel), summed row by row. filter2D would take the DFT
// path for kernels this large at 12 MP.
void motionBlur(cv::Mat& img, int len, double ang_deg) {
  const double dx = std::cos(ang_deg * kPi / 180), dy = std::sin(ang_deg * kPi / 180);
  std::vector<cv::Point> taps;
  for (int k = 0; k < len; ++k) {
    const double t = k - (len - 1) / 2.0;
    taps.emplace_back(static_cast<int>(std::lround(t * dx)), static_cast<int>(std::lround(t * dy)));
  }
  const int pad = len / 2 + 1;
  cv::Mat src;
  cv::copyMakeBorder(img, src, pad, pad, pad, pad, cv::BORDER_REPLICATE);
  const int n = img.cols * 3;
  const uint32_t recip = (1u << 16) / static_cast<uint32_t>(len);
  std::vector<uint16_t> acc(static_cast<size_t>(n));
  for (int y = 0; y < img.rows; ++y) {
    std::ranges::fill(acc, static_cast<uint16_t>(len / 2));
    for (const cv::Point& t : taps) {
      const uchar* s = src.ptr<uchar>(y + pad + t.y) + 3 * (pad + t.x);
      for (int i = 0; i < n; ++i) acc[static_cast<size_t>(i)] = static_cast<uint16_t>(acc[static_cast<size_t>(i)] + s[i]);
    }
    uchar* d = img.ptr<uchar>(y);
    for (int i = 0; i < n; ++i) {
      const uint32_t v = (acc[static_cast<size_t>(i)] * recip) >> 16;
      d[i] = static_cast<uchar>(v > 255 ? 255 : v);
    }
  }
}

Json blur(cv::Mat& img, Rng& rng, double scale) {
  const double kind = rng.uniform();
  if (kind < 0.45) return {{"kind", "none"}};
  if (kind < 0.8) {
    const double sigma = rng.uniform(0.5, 2.2) * scale;
    defocus(img, sigma);
    return {{"kind", "defocus"}, {"sigma_px", std::round(sigma * 100) / 100}};
  }
  const int len = std::max(3, static_cast<int>(std::lround(rng.uniform(3, 9) * scale)));
  const double ang = rng.uniform(0, 180);
  motionBlur(img, len, ang);
  return {{"kind", "motion"}, {"length_px", len}, {"angle_deg", std::round(ang)}};
}

std::array<cv::Point2d, 4> quadOf(const cv::Matx33d& h, cv::Size card) {
  const std::array<cv::Point2d, 4> corners{cv::Point2d(0, 0), cv::Point2d(card.width, 0),
                                           cv::Point2d(card.width, card.height), cv::Point2d(0, card.height)};
  std::array<cv::Point2d, 4> q;
  for (size_t i = 0; i < 4; ++i) q[i] = apply(h, corners[i]);
  return q;
}

// A scanner page's colour: mostly white, sometimes a grey lid or paper.
cv::Scalar scanPageColour(Rng& rng, double& grey) {
  grey = rng.chance(0.6) ? rng.uniform(235, 255) : rng.uniform(170, 215);
  return {grey, grey, std::min(255.0, grey + rng.uniform(-3, 3))};
}

// A card of `s` pixels turned by `angle_deg` (clockwise on screen) about its
// centre, its centre then moved to `centre`: card pixels -> page pixels.
cv::Matx33d placed(cv::Size s, double angle_deg, cv::Point2d centre) {
  const double a = angle_deg * kPi / 180;
  const double cx = s.width / 2.0, cy = s.height / 2.0;
  return {std::cos(a), -std::sin(a), centre.x - std::cos(a) * cx + std::sin(a) * cy,  //
          std::sin(a), std::cos(a),  centre.y - std::sin(a) * cx - std::cos(a) * cy,  //
          0, 0, 1};
}

// The scanner's optics on the finished page: sometimes a slight defocus,
// always sensor noise.
void scanOptics(cv::Mat& img, Json& p, Rng& rng) {
  if (rng.chance(0.3)) {
    const double sigma = rng.uniform(0.4, 0.9);
    cv::GaussianBlur(img, img, cv::Size(0, 0), sigma);
    p["blur"] = {{"kind", "defocus"}, {"sigma_px", std::round(sigma * 100) / 100}};
  } else {
    p["blur"] = {{"kind", "none"}};
  }
  const double sigma = rng.uniform(0.5, 2.5);
  detail::addNoise(img, sigma, rng);
  p["noise_sigma"] = std::round(sigma * 10) / 10;
}

}  // namespace

Shot captureScan(const Card& card, Rng& rng) {
  Shot shot;
  const double ppmm = card.dpi / 25.4;
  const double angle = std::clamp(rng.normal(0, 1.0), -3.0, 3.0);  // a card never lies perfectly square
  const int ml = static_cast<int>(rng.uniform(4, 25) * ppmm), mt = static_cast<int>(rng.uniform(4, 25) * ppmm);
  const int mr = static_cast<int>(rng.uniform(4, 25) * ppmm), mb = static_cast<int>(rng.uniform(4, 25) * ppmm);
  const cv::Size page(card.image.cols + ml + mr, card.image.rows + mt + mb);
  double grey = 0;
  const cv::Scalar page_colour = scanPageColour(rng, grey);
  // Rotate about the card centre, then move it onto the page.
  const cv::Matx33d h = placed(card.image.size(), angle, {ml + card.image.cols / 2.0, mt + card.image.rows / 2.0});
  shot.homography = h;
  shot.angle_deg = std::fmod(angle + 360, 360);
  // The page with the card's shadow, painted at a quarter of the size.
  cv::Mat small(smallSize(page, std::max(page.width, page.height) / 4), CV_8UC3, page_colour);
  const cv::Point2d shadow_offset(rng.uniform(-0.3, 0.3) * ppmm, rng.uniform(-0.3, 0.3) * ppmm);
  shadeUnderCard(small, page, card, h, shadow_offset, 0.5 * ppmm, rng.uniform(0.1, 0.35));
  cv::resize(small, shot.image, page, 0, 0, cv::INTER_LINEAR);
  composite(shot.image, card, h, true);
  Json& p = shot.params;
  p["mode"] = "scan";
  p["dpi"] = card.dpi;
  p["page_grey"] = std::round(grey);
  p["skew_deg"] = std::round(angle * 100) / 100;
  scanOptics(shot.image, p, rng);
  return shot;
}

PageShot captureScanPage(std::span<const Card> cards, Rng& rng) {
  PageShot shot;
  if (cards.empty()) return shot;
  const double dpi = cards.front().dpi, ppmm = dpi / 25.4;
  const cv::Size page(static_cast<int>(std::lround(210 * ppmm)), static_cast<int>(std::lround(297 * ppmm)));
  double grey = 0;
  const cv::Scalar page_colour = scanPageColour(rng, grey);
  // Cards laid by hand: anywhere, a few degrees off square, never overlapping
  // (their turned bounding boxes 3 mm apart and 3 mm inside the glass). The
  // largest go down first; of up to 20 layouts the first with every card
  // placed, else the one with most: a card with no room stays off the page.
  const double margin = 3 * ppmm;
  std::vector<size_t> order(cards.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return cards[a].image.size().area() > cards[b].image.size().area(); });
  std::vector<double> angles;
  for (size_t i = 0; i < cards.size(); ++i) angles.push_back(std::clamp(rng.normal(0, 2.5), -8.0, 8.0));
  std::vector<std::pair<size_t, cv::Rect2d>> best;
  for (int layout = 0; layout < 20 && best.size() < cards.size(); ++layout) {
    std::vector<std::pair<size_t, cv::Rect2d>> boxes;
    for (const size_t i : order) {
      const cv::Size cs = cards[i].image.size();
      const double a = std::abs(angles[i]) * kPi / 180;
      const double bw = cs.width * std::cos(a) + cs.height * std::sin(a), bh = cs.width * std::sin(a) + cs.height * std::cos(a);
      if (bw + 2 * margin > page.width || bh + 2 * margin > page.height) continue;
      for (int attempt = 0; attempt < 50; ++attempt) {
        const cv::Rect2d box(rng.uniform(margin, page.width - margin - bw), rng.uniform(margin, page.height - margin - bh), bw, bh);
        const cv::Rect2d apart(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin);
        if (std::any_of(boxes.begin(), boxes.end(), [&](const auto& b) { return (b.second & apart).area() > 0; })) continue;
        boxes.emplace_back(i, box);
        break;
      }
    }
    if (boxes.size() > best.size()) best = std::move(boxes);
  }
  for (const auto& [i, box] : best) {
    shot.placed.push_back(i);
    shot.homographies.push_back(placed(cards[i].image.size(), angles[i], {box.x + box.width / 2, box.y + box.height / 2}));
    shot.angles_deg.push_back(std::fmod(angles[i] + 360, 360));
  }
  cv::Mat small(smallSize(page, std::max(page.width, page.height) / 4), CV_8UC3, page_colour);
  for (size_t k = 0; k < shot.placed.size(); ++k) {
    const cv::Point2d shadow_offset(rng.uniform(-0.3, 0.3) * ppmm, rng.uniform(-0.3, 0.3) * ppmm);
    shadeUnderCard(small, page, cards[shot.placed[k]], shot.homographies[k], shadow_offset, 0.5 * ppmm,
                   rng.uniform(0.1, 0.35));
  }
  cv::resize(small, shot.image, page, 0, 0, cv::INTER_LINEAR);
  for (size_t k = 0; k < shot.placed.size(); ++k) composite(shot.image, cards[shot.placed[k]], shot.homographies[k], true);
  Json& p = shot.params;
  p["mode"] = "scan";
  p["page"] = "A4";
  p["dpi"] = dpi;
  p["page_grey"] = std::round(grey);
  scanOptics(shot.image, p, rng);
  return shot;
}

Shot capturePhoto(const Card& card, cv::Size out, Rng& rng) {
  Shot shot;
  const cv::Size cs = card.image.size();
  // Orientation in the plane: mostly upright, often a quarter turn, sometimes anything.
  double roll;
  const double r = rng.uniform();
  if (r < 0.5)
    roll = rng.normal(0, 6);
  else if (r < 0.85)
    roll = 90.0 * rng.integer(1, 3) + rng.normal(0, 5);
  else
    roll = rng.uniform(0, 360);
  const double tilt = std::min(30.0, std::abs(rng.normal(0, 12)));  // degrees off the optical axis
  const double tilt_dir = rng.uniform(0, 2 * kPi);
  const double pitch = tilt * std::cos(tilt_dir) * kPi / 180, yaw = tilt * std::sin(tilt_dir) * kPi / 180;
  const double rz = roll * kPi / 180;
  const cv::Matx33d Rx(1, 0, 0, 0, std::cos(pitch), -std::sin(pitch), 0, std::sin(pitch), std::cos(pitch));
  const cv::Matx33d Ry(std::cos(yaw), 0, std::sin(yaw), 0, 1, 0, -std::sin(yaw), 0, std::cos(yaw));
  const cv::Matx33d Rz(std::cos(rz), -std::sin(rz), 0, std::sin(rz), std::cos(rz), 0, 0, 0, 1);
  const cv::Matx33d R = Rx * Ry * Rz;
  // Card centred in its plane (unit = card width), pinhole camera at distance d.
  const double aspect = cs.height / double(cs.width);
  const double d = rng.uniform(1.6, 3.0);
  const auto corners = quadOf(cv::Matx33d::eye(), cs);
  std::array<cv::Point2d, 4> proj;
  for (size_t i = 0; i < 4; ++i) {
    const cv::Vec3d P(corners[i].x / cs.width - 0.5, (corners[i].y / cs.height - 0.5) * aspect, 0);
    const cv::Vec3d Q = R * P;
    proj[i] = {Q[0] / (d + Q[2]), Q[1] / (d + Q[2])};
  }
  // Fit into the frame with the whole document visible.
  double minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
  for (const auto& p : proj) {
    minx = std::min(minx, p.x), maxx = std::max(maxx, p.x), miny = std::min(miny, p.y), maxy = std::max(maxy, p.y);
  }
  const double fill = rng.uniform(0.45, 0.92);
  const double k = fill * std::min(out.width / (maxx - minx), out.height / (maxy - miny));
  const double bw = (maxx - minx) * k, bh = (maxy - miny) * k;
  const double ox = rng.uniform(0, out.width - bw) - minx * k, oy = rng.uniform(0, out.height - bh) - miny * k;
  std::array<cv::Point2f, 4> src, dst;
  for (size_t i = 0; i < 4; ++i) {
    src[i] = cv::Point2f(corners[i]);
    dst[i] = cv::Point2f(static_cast<float>(proj[i].x * k + ox), static_cast<float>(proj[i].y * k + oy));
  }
  const cv::Matx33d h = cv::getPerspectiveTransform(src.data(), dst.data());
  shot.homography = h;
  const cv::Point2d top = cv::Point2d(dst[1]) - cv::Point2d(dst[0]);
  shot.angle_deg = std::fmod(std::atan2(top.y, top.x) * 180 / kPi + 360, 360);

  Json& p = shot.params;
  p["mode"] = "photo";
  cv::Mat small(smallSize(out, 640), CV_8UC3);
  p["surface"] = paintSurface(small, rng, cv::mean(card.image));
  p["tilt_deg"] = std::round(tilt * 10) / 10;
  p["roll_deg"] = std::round(std::fmod(roll + 360, 360) * 10) / 10;
  p["camera_distance"] = std::round(d * 100) / 100;
  p["fill"] = std::round(fill * 100) / 100;

  const auto quad = quadOf(h, cs);
  const double scale = std::max(out.width, out.height) / 1600.0;
  const cv::Point2d shadow_offset(rng.uniform(-6, 6) * scale, rng.uniform(2, 10) * scale);
  const double shadow_blur = rng.uniform(4, 14) * scale;
  shadeUnderCard(small, out, card, h, shadow_offset, shadow_blur, rng.uniform(0.15, 0.45));
  cv::resize(small, shot.image, out, 0, 0, cv::INTER_LINEAR);
  composite(shot.image, card, h, false);
  if (rng.chance(0.25)) p["thumb"] = thumb(shot.image, quad, rng);
  cv::Mat light;
  p["light"] = unevenLight(light, rng);
  if (rng.chance(0.35)) p["glare"] = glare(shot.image, quad, rng);
  double contrast = 1, offset = 0;
  if (rng.chance(0.25)) {  // low contrast: a dim, flat exposure
    contrast = rng.uniform(0.55, 0.8);
    offset = (1 - contrast) * rng.uniform(60, 150);
    p["contrast"] = std::round(contrast * 100) / 100;
  }
  // Blur before the exposure: light and contrast vary slowly, so the order
  // does not show, and blur + exposure + noise make three passes in all.
  p["blur"] = blur(shot.image, rng, std::max(1.0, scale));
  expose(shot.image, light, contrast, offset);
  const double sigma = rng.uniform(1, 7);
  detail::addNoise(shot.image, sigma, rng);
  p["noise_sigma"] = std::round(sigma * 10) / 10;
  return shot;
}

}  // namespace idkit::synth
