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

// Pastes the warped card over `dst` with an anti-aliased alpha edge. Only the
// card's bounding box is warped and blended, which keeps 12 MP photos fast.
void composite(cv::Mat& dst, const cv::Mat& card, const cv::Mat& alpha, const cv::Matx33d& h) {
  std::vector<cv::Point2f> corners{{0, 0}, {float(card.cols), 0}, {float(card.cols), float(card.rows)}, {0, float(card.rows)}}, out;
  cv::perspectiveTransform(corners, out, cv::Mat(h));
  const cv::Rect roi = (cv::boundingRect(out) + cv::Size(2, 2)) & cv::Rect(0, 0, dst.cols, dst.rows);
  if (roi.empty()) return;
  const cv::Matx33d shift(1, 0, -roi.x, 0, 1, -roi.y, 0, 0, 1);
  cv::Mat warped, a;
  cv::warpPerspective(card, warped, cv::Mat(shift * h), roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpPerspective(alpha, a, cv::Mat(shift * h), roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
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

// Darkens `img` under a blurred, offset copy of the card outline.
void dropShadow(cv::Mat& img, const cv::Mat& alpha, const cv::Matx33d& h, cv::Point2d offset, double blur,
                double strength) {
  const cv::Matx33d shift(1, 0, offset.x, 0, 1, offset.y, 0, 0, 1);
  cv::Mat small_a;
  // The shadow is soft: compute it at quarter size.
  const double k = 0.25;
  const cv::Matx33d scale(k, 0, 0, 0, k, 0, 0, 0, 1);
  cv::warpPerspective(alpha, small_a, cv::Mat(scale * shift * h),
                      cv::Size(std::max(1, static_cast<int>(img.cols * k)), std::max(1, static_cast<int>(img.rows * k))),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  cv::GaussianBlur(small_a, small_a, cv::Size(0, 0), std::max(0.5, blur * k));
  // Gain 255 - strength * alpha, applied with OpenCV's vectorised multiply.
  cv::Mat gain_small;
  small_a.convertTo(gain_small, CV_8U, -strength, 255);
  cv::Mat gain, gain3;
  cv::resize(gain_small, gain, img.size(), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(gain, gain3, cv::COLOR_GRAY2BGR);
  cv::multiply(img, gain3, img, 1.0 / 255);
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
std::string paintSurface(cv::Mat& bg, Rng& rng, const cv::Scalar& card_mean) {
  const int W = bg.cols, H = bg.rows;
  const double kind = rng.uniform();
  // Work at reduced size: surfaces are out of focus and this keeps 12 MP fast.
  const double k = std::min(1.0, 1000.0 / std::max(W, H));
  cv::Mat s(cv::Size(std::max(8, static_cast<int>(W * k)), std::max(8, static_cast<int>(H * k))), CV_8UC3);
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
        const double w = 0.85 + 0.15 * std::sin(2 * kPi * x / p) * std::sin(2 * kPi * y / p) +
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
  cv::resize(s, bg, bg.size(), 0, 0, cv::INTER_LINEAR);
  return name;
}

// Light that falls off across the frame (and a vignette), multiplicative.
Json unevenLight(cv::Mat& img, Rng& rng) {
  const double strength = rng.uniform(0.0, 0.45), ang = rng.uniform(0, 2 * kPi), vign = rng.uniform(0, 0.35);
  cv::Mat gain(cv::Size(64, 48), CV_32F);
  for (int y = 0; y < gain.rows; ++y)
    for (int x = 0; x < gain.cols; ++x) {
      const double u = x / 63.0 - 0.5, v = y / 47.0 - 0.5;
      const double lin = 1 + strength * (u * std::cos(ang) + v * std::sin(ang)) * 1.4;
      const double vg = 1 - vign * (u * u + v * v) * 2;
      gain.at<float>(y, x) = static_cast<float>(lin * vg);
    }
  // Fixed point (gain x 128) so the full-size multiply stays in 8 bits.
  cv::Mat g8, g, g3;
  gain.convertTo(g8, CV_8U, 128.0);
  cv::resize(g8, g, img.size(), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(g, g3, cv::COLOR_GRAY2BGR);
  cv::multiply(img, g3, img, 1.0 / 128);
  return {{"gradient", std::round(strength * 100) / 100}, {"vignette", std::round(vign * 100) / 100}};
}

// Specular glare: bright soft spots, centred on the document.
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
    for (int y = roi.y; y < roi.y + roi.height; ++y) {
      auto* p = img.ptr<cv::Vec3b>(y);
      for (int x = roi.x; x < roi.x + roi.width; ++x) {
        const double d2 = ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y)) / (r * r);
        const double g = amp * std::exp(-d2 * 1.5);
        if (g < 0.01) continue;
        for (int ch = 0; ch < 3; ++ch) p[x][ch] = cv::saturate_cast<uchar>(p[x][ch] + (255 - p[x][ch]) * g);
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
  // Shadow, thumb, and a lighter nail towards the tip.
  cv::Mat layer = img.clone();
  cv::ellipse(layer, cv::RotatedRect(cv::Point2f(c + out * (wid * 0.15)), cv::Size2f(static_cast<float>(len * 1.1), static_cast<float>(wid * 1.1)),
                                     static_cast<float>(ang)),
              cv::Scalar(0, 0, 0), cv::FILLED, cv::LINE_AA);
  cv::addWeighted(img, 0.6, layer, 0.4, 0, img);
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

Json blur(cv::Mat& img, Rng& rng, double scale) {
  const double kind = rng.uniform();
  if (kind < 0.45) return {{"kind", "none"}};
  if (kind < 0.8) {
    const double sigma = rng.uniform(0.5, 2.2) * scale;
    cv::GaussianBlur(img, img, cv::Size(0, 0), sigma);
    return {{"kind", "defocus"}, {"sigma_px", std::round(sigma * 100) / 100}};
  }
  const int len = std::max(3, static_cast<int>(std::lround(rng.uniform(3, 9) * scale)));
  const double ang = rng.uniform(0, 180);
  cv::Mat k = cv::Mat::zeros(len, len, CV_32F);
  const cv::Point2d c((len - 1) / 2.0, (len - 1) / 2.0);
  const cv::Point2d d(std::cos(ang * kPi / 180) * (len - 1) / 2.0, std::sin(ang * kPi / 180) * (len - 1) / 2.0);
  cv::line(k, c - d, c + d, cv::Scalar(1.0), 1, cv::LINE_AA);
  k /= cv::sum(k)[0];
  cv::filter2D(img, img, -1, k);
  return {{"kind", "motion"}, {"length_px", len}, {"angle_deg", std::round(ang)}};
}

std::array<cv::Point2d, 4> quadOf(const cv::Matx33d& h, cv::Size card) {
  const std::array<cv::Point2d, 4> corners{cv::Point2d(0, 0), cv::Point2d(card.width, 0),
                                           cv::Point2d(card.width, card.height), cv::Point2d(0, card.height)};
  std::array<cv::Point2d, 4> q;
  for (size_t i = 0; i < 4; ++i) q[i] = apply(h, corners[i]);
  return q;
}

}  // namespace

Shot captureScan(const Card& card, Rng& rng) {
  Shot shot;
  const double ppmm = card.dpi / 25.4;
  const double angle = std::clamp(rng.normal(0, 1.0), -3.0, 3.0);  // a card never lies perfectly square
  const int ml = static_cast<int>(rng.uniform(4, 25) * ppmm), mt = static_cast<int>(rng.uniform(4, 25) * ppmm);
  const int mr = static_cast<int>(rng.uniform(4, 25) * ppmm), mb = static_cast<int>(rng.uniform(4, 25) * ppmm);
  const cv::Size page(card.image.cols + ml + mr, card.image.rows + mt + mb);
  const double grey = rng.chance(0.6) ? rng.uniform(235, 255) : rng.uniform(170, 215);
  shot.image = cv::Mat(page, CV_8UC3, cv::Scalar(grey, grey, std::min(255.0, grey + rng.uniform(-3, 3))));
  // Rotate about the card centre, then move it onto the page.
  const double a = angle * kPi / 180;
  const double cx = card.image.cols / 2.0, cy = card.image.rows / 2.0;
  const cv::Matx33d h(std::cos(a), -std::sin(a), ml + cx - std::cos(a) * cx + std::sin(a) * cy,  //
                      std::sin(a), std::cos(a), mt + cy - std::sin(a) * cx - std::cos(a) * cy,   //
                      0, 0, 1);
  shot.homography = h;
  shot.angle_deg = std::fmod(angle + 360, 360);
  dropShadow(shot.image, card.alpha, h, {rng.uniform(-0.3, 0.3) * ppmm, rng.uniform(-0.3, 0.3) * ppmm},
             0.5 * ppmm, rng.uniform(0.1, 0.35));
  composite(shot.image, card.image, card.alpha, h);
  Json& p = shot.params;
  p["mode"] = "scan";
  p["dpi"] = card.dpi;
  p["page_grey"] = std::round(grey);
  p["skew_deg"] = std::round(angle * 100) / 100;
  if (rng.chance(0.3)) {
    const double sigma = rng.uniform(0.4, 0.9);
    cv::GaussianBlur(shot.image, shot.image, cv::Size(0, 0), sigma);
    p["blur"] = {{"kind", "defocus"}, {"sigma_px", std::round(sigma * 100) / 100}};
  } else {
    p["blur"] = {{"kind", "none"}};
  }
  const double sigma = rng.uniform(0.5, 2.5);
  detail::addNoise(shot.image, sigma, rng);
  p["noise_sigma"] = std::round(sigma * 10) / 10;
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
  shot.image = cv::Mat(out, CV_8UC3);
  p["surface"] = paintSurface(shot.image, rng, cv::mean(card.image));
  p["tilt_deg"] = std::round(tilt * 10) / 10;
  p["roll_deg"] = std::round(std::fmod(roll + 360, 360) * 10) / 10;
  p["camera_distance"] = std::round(d * 100) / 100;
  p["fill"] = std::round(fill * 100) / 100;

  const auto quad = quadOf(h, cs);
  const double scale = std::max(out.width, out.height) / 1600.0;
  dropShadow(shot.image, card.alpha, h, {rng.uniform(-6, 6) * scale, rng.uniform(2, 10) * scale},
             rng.uniform(4, 14) * scale, rng.uniform(0.15, 0.45));
  composite(shot.image, card.image, card.alpha, h);
  if (rng.chance(0.25)) p["thumb"] = thumb(shot.image, quad, rng);
  p["light"] = unevenLight(shot.image, rng);
  if (rng.chance(0.35)) p["glare"] = glare(shot.image, quad, rng);
  if (rng.chance(0.25)) {  // low contrast: a dim, flat exposure
    const double c = rng.uniform(0.55, 0.8);
    shot.image.convertTo(shot.image, -1, c, (1 - c) * rng.uniform(60, 150));
    p["contrast"] = std::round(c * 100) / 100;
  }
  p["blur"] = blur(shot.image, rng, std::max(1.0, scale));
  const double sigma = rng.uniform(1, 7);
  detail::addNoise(shot.image, sigma, rng);
  p["noise_sigma"] = std::round(sigma * 10) / 10;
  return shot;
}

}  // namespace idkit::synth
