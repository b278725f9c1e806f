// Drawing for the specimen generator: random numbers, security backgrounds
// (gradients, guilloche lines, rosettes), portraits and ghost images.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include <idkit/codec.hpp>

#include "synth_internal.hpp"

namespace idkit::synth {

uint64_t Rng::mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

int Rng::integer(int lo, int hi) {
  if (hi <= lo) return lo;
  const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
  // Rejection sampling keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t v;
  do v = eng_();
  while (v >= limit);
  return lo + static_cast<int>(v % range);
}

double Rng::normal(double mean, double sd) {
  // Box-Muller from two uniforms; 1 - u keeps the logarithm finite.
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace idkit::synth

namespace idkit::synth::detail {

namespace {
constexpr double kPi = std::numbers::pi;
constexpr int kShift = 4;  // sub-pixel bits for OpenCV drawing
constexpr double kSub = 1 << kShift;

cv::Point sub(cv::Point2d p) {
  return {static_cast<int>(std::lround(p.x * kSub)), static_cast<int>(std::lround(p.y * kSub))};
}

void polyline(cv::Mat& img, const std::vector<cv::Point>& pts, const cv::Scalar& c, int thick,
              bool closed) {
  const cv::Point* data = pts.data();
  const int n = static_cast<int>(pts.size());
  cv::polylines(img, &data, &n, 1, closed, c, thick, cv::LINE_AA, kShift);
}

void ellipse(cv::Mat& img, cv::Point2d c, cv::Size2d axes, double angle, const cv::Scalar& col,
             int thickness = cv::FILLED, double a0 = 0, double a1 = 360) {
  cv::ellipse(img, sub(c), cv::Size(static_cast<int>(axes.width * kSub), static_cast<int>(axes.height * kSub)),
              angle, a0, a1, col, thickness, cv::LINE_AA, kShift);
}
}  // namespace

cv::Scalar mix(const cv::Scalar& a, const cv::Scalar& b, double t) {
  return a * (1 - t) + b * t;
}

void paintSecurityBackground(cv::Mat& img, const Palette& pal, double s, Rng& rng) {
  // Smooth two-colour gradient with a soft wave, computed small and scaled up.
  const cv::Size small(48, 32);
  cv::Mat g(small, CV_8UC3);
  const double dir = rng.uniform(0, 2 * kPi), wave = rng.uniform(1.0, 3.0),
               phase = rng.uniform(0, 2 * kPi);
  for (int y = 0; y < small.height; ++y)
    for (int x = 0; x < small.width; ++x) {
      const double u = x / double(small.width - 1) - 0.5, v = y / double(small.height - 1) - 0.5;
      double t = 0.5 + 0.8 * (u * std::cos(dir) + v * std::sin(dir)) +
                 0.15 * std::sin(wave * 2 * kPi * u + phase);
      t = std::clamp(t, 0.0, 1.0);
      const cv::Scalar c = mix(pal.paper, pal.tint, t);
      g.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                                        cv::saturate_cast<uchar>(c[2]));
    }
  cv::resize(g, img, img.size(), 0, 0, cv::INTER_CUBIC);

  // Two interlaced families of sinusoidal lines (the classic guilloche weave).
  // Lines are 0.07 mm wide: one pixel up to ~500 dpi. Above that a second
  // one-pixel line one pixel lower widens them: OpenCV draws one-pixel
  // anti-aliased lines several times faster than thicker ones.
  const double w = img.cols, h = img.rows;
  const bool doubled = 0.07 * s >= 1.5;
  for (int family = 0; family < 2; ++family) {
    const double gap = rng.uniform(0.7, 1.3) * s;
    const double amp = rng.uniform(1.5, 4.5) * s;
    const double lambda = rng.uniform(12, 35) * s;
    const double drift = rng.uniform(0.05, 0.25);
    const double ph0 = rng.uniform(0, 2 * kPi);
    const double mod = rng.uniform(40, 90) * s;  // amplitude modulation length
    const cv::Scalar col = mix(family == 0 ? pal.line1 : pal.line2, pal.paper, 0.35);
    const double step = std::max(2.0, 0.4 * s);
    std::vector<cv::Point> pts;
    for (double y0 = -amp * 2; y0 < h + amp * 2; y0 += gap) {
      pts.clear();
      const double ph = ph0 + y0 / gap * drift * (family == 0 ? 1 : -1);
      for (double x = 0; x <= w + step; x += step) {
        const double a = amp * (0.6 + 0.4 * std::sin(2 * kPi * x / mod + y0 / (8 * gap)));
        pts.push_back(sub({x, y0 + a * std::sin(2 * kPi * x / lambda + ph)}));
      }
      polyline(img, pts, col, 1, false);
      if (doubled) {
        for (auto& p : pts) p.y += static_cast<int>(kSub);
        polyline(img, pts, col, 1, false);
      }
    }
  }
  // Rosettes.
  const int n = rng.integer(1, 2);
  for (int i = 0; i < n; ++i) {
    const cv::Point2d c(rng.uniform(0.2, 0.8) * w, rng.uniform(0.25, 0.65) * h);
    drawRosette(img, c, rng.uniform(0.18, 0.32) * std::min(w, h), mix(pal.line2, pal.paper, 0.2),
                s, rng);
  }
}

void drawRosette(cv::Mat& img, cv::Point2d c, double r, const cv::Scalar& color, double s,
                 Rng& rng) {
  const int petals = rng.integer(7, 16);
  const int curves = rng.integer(18, 36);
  const double depth = rng.uniform(0.08, 0.22);
  const double inner = rng.uniform(0.25, 0.5);
  const int thick = std::max(1, static_cast<int>(std::lround(0.06 * s)));
  const int npts = std::max(180, static_cast<int>(2 * kPi * r / 3));
  std::vector<cv::Point> pts(static_cast<size_t>(npts));
  for (int j = 0; j < curves; ++j) {
    const double ph = 2 * kPi * j / curves / petals;
    const double rr = r * (inner + (1 - inner) * j / curves);
    for (int k = 0; k < npts; ++k) {
      const double t = 2 * kPi * k / npts;
      const double rad = rr * (1 + depth * std::sin(petals * t + ph * petals * 3));
      pts[static_cast<size_t>(k)] = sub({c.x + rad * std::cos(t), c.y + rad * std::sin(t)});
    }
    polyline(img, pts, color, thick, true);
  }
}

void drawEmblem(cv::Mat& img, cv::Point2d c, double r, const cv::Scalar& color, double s) {
  const int thick = std::max(1, static_cast<int>(std::lround(0.12 * s)));
  cv::circle(img, sub(c), static_cast<int>(r * kSub), color, thick, cv::LINE_AA, kShift);
  cv::circle(img, sub(c), static_cast<int>(r * 0.86 * kSub), color, thick, cv::LINE_AA, kShift);
  std::vector<cv::Point> star;
  for (int k = 0; k < 10; ++k) {
    const double a = -kPi / 2 + k * kPi / 5;
    const double rad = (k % 2 == 0 ? 0.6 : 0.25) * r;
    star.push_back(sub({c.x + rad * std::cos(a), c.y + rad * std::sin(a)}));
  }
  polyline(img, star, color, thick, true);
  for (int k = 0; k < 24; ++k) {
    const double a = 2 * kPi * k / 24;
    cv::circle(img, sub({c.x + 0.93 * r * std::cos(a), c.y + 0.93 * r * std::sin(a)}),
               static_cast<int>(0.025 * r * kSub) + 1, color, cv::FILLED, cv::LINE_AA, kShift);
  }
}

// ---- portraits --------------------------------------------------------------

namespace {

struct Look {
  cv::Scalar skin, hair, eyes, clothes, backdrop, lips;
  int hair_style;  // 0 short, 1 long, 2 bald/shaved, 3 bun/up
  bool glasses, beard;
  double face_w, face_h, jaw;
};

Look randomLook(Rng& rng, char sex) {
  static const std::array<cv::Scalar, 8> skins{
      cv::Scalar(189, 208, 241), cv::Scalar(160, 190, 230), cv::Scalar(140, 170, 215),
      cv::Scalar(110, 145, 198), cv::Scalar(80, 115, 170),  cv::Scalar(60, 88, 135),
      cv::Scalar(45, 65, 100),   cv::Scalar(170, 196, 224)};
  static const std::array<cv::Scalar, 7> hairs{
      cv::Scalar(25, 25, 30),   cv::Scalar(30, 45, 70),    cv::Scalar(40, 70, 110),
      cv::Scalar(90, 160, 210), cv::Scalar(170, 170, 175), cv::Scalar(40, 70, 150),
      cv::Scalar(60, 60, 60)};
  static const std::array<cv::Scalar, 5> eyes{cv::Scalar(40, 60, 90), cv::Scalar(150, 110, 60),
                                               cv::Scalar(80, 120, 80), cv::Scalar(30, 40, 50),
                                               cv::Scalar(120, 120, 110)};
  static const std::array<cv::Scalar, 7> clothes{
      cv::Scalar(60, 40, 30),  cv::Scalar(40, 40, 40),   cv::Scalar(120, 70, 40),
      cv::Scalar(200, 200, 205), cv::Scalar(50, 50, 120), cv::Scalar(90, 110, 70),
      cv::Scalar(150, 120, 160)};
  static const std::array<cv::Scalar, 5> backdrops{
      cv::Scalar(235, 232, 228), cv::Scalar(225, 215, 200), cv::Scalar(240, 240, 240),
      cv::Scalar(215, 210, 205), cv::Scalar(230, 225, 215)};
  Look l;
  l.skin = rng.pick(skins);
  l.hair = rng.pick(hairs);
  l.eyes = rng.pick(eyes);
  l.clothes = rng.pick(clothes);
  l.backdrop = rng.pick(backdrops);
  l.lips = mix(l.skin, cv::Scalar(90, 80, 170), rng.uniform(0.25, 0.45));
  const bool female = sex == 'F' || (sex == 'X' && rng.chance(0.5));
  l.hair_style = female ? (rng.chance(0.7) ? 1 : rng.chance(0.5) ? 3 : 0)
                        : (rng.chance(0.75) ? 0 : rng.chance(0.5) ? 2 : 1);
  l.glasses = rng.chance(0.2);
  l.beard = !female && rng.chance(0.25);
  l.face_w = rng.uniform(0.25, 0.30);
  l.face_h = rng.uniform(0.25, 0.29);
  l.jaw = rng.uniform(0.75, 0.95);
  return l;
}

// Blends `color` into img where mask (CV_32F 0..1) says, scaled by `amount`.
void tint(cv::Mat& img, const cv::Mat& mask, const cv::Scalar& color, double amount) {
  for (int y = 0; y < img.rows; ++y) {
    auto* p = img.ptr<cv::Vec3b>(y);
    const float* m = mask.ptr<float>(y);
    for (int x = 0; x < img.cols; ++x) {
      const double a = std::clamp(m[x] * amount, 0.0, 1.0);
      if (a <= 0) continue;
      for (int c = 0; c < 3; ++c) p[x][c] = cv::saturate_cast<uchar>(p[x][c] * (1 - a) + color[c] * a);
    }
  }
}

}  // namespace

cv::Mat drawPortrait(cv::Size size, uint64_t face_seed, char sex) {
  Rng rng(face_seed);
  const Look l = randomLook(rng, sex);
  // Draw at a fixed working size and resize: the same look at every dpi.
  const int W = 420, H = 540;
  cv::Mat img(H, W, CV_8UC3);
  for (int y = 0; y < H; ++y) {
    const cv::Scalar c = mix(l.backdrop, l.backdrop * 0.88, y / double(H));
    img.row(y).setTo(c);
  }
  const double cx = W * rng.uniform(0.47, 0.53), cy = H * 0.45;
  const double fw = W * l.face_w, fh = H * l.face_h;
  const cv::Scalar skin_dark = l.skin * 0.78;

  // Long hair falls behind the shoulders.
  if (l.hair_style == 1) {
    ellipse(img, {cx, cy + fh * 0.35}, {fw * 1.35, fh * 1.35}, 0, l.hair);
    cv::rectangle(img, cv::Point2d(cx - fw * 1.35, cy + fh * 0.3), cv::Point2d(cx + fw * 1.35, cy + fh * 1.55),
                  l.hair, cv::FILLED, cv::LINE_AA);
  }
  // Shoulders and neck.
  ellipse(img, {cx, H * 1.04}, {W * 0.52, H * 0.25}, 0, l.clothes);
  cv::rectangle(img, cv::Point2d(cx - fw * 0.42, cy + fh * 0.5), cv::Point2d(cx + fw * 0.42, H * 0.86),
                skin_dark, cv::FILLED, cv::LINE_AA);
  // Open collar.
  std::vector<cv::Point> collar{sub({cx - fw * 0.55, H * 0.84}), sub({cx, H * 0.97}),
                                sub({cx + fw * 0.55, H * 0.84}), sub({cx + fw * 0.42, H * 0.81}),
                                sub({cx, H * 0.92}), sub({cx - fw * 0.42, H * 0.81})};
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{collar},
               rng.chance(0.5) ? cv::Scalar(235, 235, 235) : l.clothes * 0.7, cv::LINE_AA, kShift);
  // Ears.
  ellipse(img, {cx - fw * 0.98, cy + fh * 0.02}, {fw * 0.14, fh * 0.2}, 0, skin_dark);
  ellipse(img, {cx + fw * 0.98, cy + fh * 0.02}, {fw * 0.14, fh * 0.2}, 0, skin_dark);

  // Face: an egg shape (wide forehead, narrower jaw), shaded towards the edges.
  cv::Mat face_mask(H, W, CV_8U, cv::Scalar(0));
  std::vector<cv::Point> outline;
  for (int k = 0; k < 120; ++k) {
    const double t = 2 * kPi * k / 120;
    const double sy = std::sin(t);
    const double width = fw * (sy > 0 ? 1 - (1 - l.jaw) * sy * sy : 1);
    outline.push_back(sub({cx + width * std::cos(t), cy + fh * 1.12 * sy}));
  }
  cv::fillPoly(face_mask, std::vector<std::vector<cv::Point>>{outline}, cv::Scalar(255), cv::LINE_AA,
               kShift);
  cv::Mat m32;
  face_mask.convertTo(m32, CV_32F, 1 / 255.0);
  tint(img, m32, l.skin, 1.0);
  // The wide blur runs at a quarter of the size: it is smooth by design.
  cv::Mat quarter, shade;
  cv::resize(m32, quarter, cv::Size(W / 4, H / 4), 0, 0, cv::INTER_AREA);
  cv::GaussianBlur(quarter, quarter, cv::Size(0, 0), fw * 0.25 / 4);
  cv::resize(quarter, shade, m32.size(), 0, 0, cv::INTER_LINEAR);
  shade = m32.mul(1.0 - shade);  // 0 in the middle, high near the edge
  tint(img, shade, skin_dark * 0.9, 1.6);

  // Hair on top of the head.
  if (l.hair_style != 2) {
    cv::Mat hair_mask(H, W, CV_8U, cv::Scalar(0));
    ellipse(hair_mask, {cx, cy - fh * 0.35}, {fw * 1.1, fh * 0.95}, 0, cv::Scalar(255));
    // The hairline: cut out the forehead.
    ellipse(hair_mask, {cx, cy + fh * 0.35}, {fw * 0.92, fh * 0.98}, 0, cv::Scalar(0));
    if (l.hair_style == 3) ellipse(hair_mask, {cx, cy - fh * 1.25}, {fw * 0.4, fh * 0.3}, 0, cv::Scalar(255));
    if (l.hair_style == 1) {  // strands framing the face
      ellipse(hair_mask, {cx - fw * 0.95, cy + fh * 0.2}, {fw * 0.18, fh * 0.9}, 0, cv::Scalar(255));
      ellipse(hair_mask, {cx + fw * 0.95, cy + fh * 0.2}, {fw * 0.18, fh * 0.9}, 0, cv::Scalar(255));
    }
    cv::Mat hm;
    hair_mask.convertTo(hm, CV_32F, 1 / 255.0);
    cv::GaussianBlur(hm, hm, cv::Size(0, 0), 1.5);
    tint(img, hm, l.hair, 1.0);
  } else {
    cv::Mat hm(H, W, CV_8U, cv::Scalar(0));
    ellipse(hm, {cx, cy - fh * 0.3}, {fw * 1.0, fh * 0.85}, 0, cv::Scalar(255), cv::FILLED, 180, 360);
    cv::Mat f;
    hm.convertTo(f, CV_32F, 1 / 255.0);
    cv::GaussianBlur(f, f, cv::Size(0, 0), 3);
    tint(img, f.mul(m32), l.hair, 0.25);
  }
  if (l.beard) {
    cv::Mat bm(H, W, CV_8U, cv::Scalar(0));
    ellipse(bm, {cx, cy + fh * 0.55}, {fw * 0.95, fh * 0.62}, 0, cv::Scalar(255), cv::FILLED, 0, 180);
    cv::Mat f;
    bm.convertTo(f, CV_32F, 1 / 255.0);
    cv::GaussianBlur(f, f, cv::Size(0, 0), 4);
    tint(img, f.mul(m32), l.hair, 0.55);
  }

  // Eyes, brows, nose, mouth.
  const double ey = cy - fh * 0.05, ex = fw * 0.42;
  for (int side = -1; side <= 1; side += 2) {
    const cv::Point2d e(cx + side * ex, ey);
    ellipse(img, e, {fw * 0.17, fh * 0.065}, 0, cv::Scalar(235, 240, 245));
    ellipse(img, e, {fw * 0.075, fw * 0.075}, 0, l.eyes);
    ellipse(img, e, {fw * 0.035, fw * 0.035}, 0, cv::Scalar(15, 15, 15));
    ellipse(img, {e.x - fw * 0.02, e.y - fw * 0.025}, {fw * 0.015, fw * 0.015}, 0, cv::Scalar(250, 250, 250));
    ellipse(img, e, {fw * 0.18, fh * 0.075}, 0, l.skin * 0.45, 3, 185, 355);  // upper lid
    ellipse(img, {e.x, e.y - fh * 0.08}, {fw * 0.2, fh * 0.08}, 0, l.hair * 0.9,
            static_cast<int>(fh * 0.045), 200, 340);  // brow
    if (l.glasses) {
      cv::rectangle(img, sub({e.x - fw * 0.26, e.y - fh * 0.13}), sub({e.x + fw * 0.26, e.y + fh * 0.14}),
                    cv::Scalar(40, 40, 40), 3, cv::LINE_AA, kShift);
    }
  }
  if (l.glasses)
    cv::line(img, sub({cx - ex + fw * 0.26, ey}), sub({cx + ex - fw * 0.26, ey}), cv::Scalar(40, 40, 40), 3,
             cv::LINE_AA, kShift);
  // Nose: a soft shadow along one side and the nostrils.
  cv::line(img, sub({cx + fw * 0.06, ey + fh * 0.1}), sub({cx + fw * 0.1, cy + fh * 0.38}), skin_dark * 0.95,
           4, cv::LINE_AA, kShift);
  ellipse(img, {cx, cy + fh * 0.42}, {fw * 0.17, fh * 0.07}, 0, skin_dark * 0.8, 3, 20, 160);
  ellipse(img, {cx - fw * 0.08, cy + fh * 0.44}, {fw * 0.04, fh * 0.02}, 0, skin_dark * 0.55);
  ellipse(img, {cx + fw * 0.08, cy + fh * 0.44}, {fw * 0.04, fh * 0.02}, 0, skin_dark * 0.55);
  // Mouth.
  const double my = cy + fh * 0.7;
  const double smile = rng.uniform(-0.01, 0.04) * fh;
  ellipse(img, {cx, my}, {fw * 0.3, fh * 0.09}, 0, l.lips);
  ellipse(img, {cx, my - smile - fh * 0.02}, {fw * 0.3, fh * 0.03 + smile}, 0, l.lips * 0.55, 3, 0, 180);

  // Soften: a photo is never as crisp as vector drawing.
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.2);
  cv::Mat out;
  cv::resize(img, out, size, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat facePhoto(const std::string& dir, cv::Size size, Rng& rng) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string ext = it->path().extension().string();
    std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") files.push_back(it->path());
  }
  if (files.empty()) return {};
  std::ranges::sort(files);  // directory order is not deterministic
  const auto loaded = loadImage(rng.pick(files), ImageLimits{}, 0, Hash::no);
  const cv::Mat src = loaded ? loaded->bgr : cv::Mat();
  if (src.empty()) return {};
  // Centre crop to the portrait aspect, biased upwards (faces sit high in photos).
  const double aspect = size.width / double(size.height);
  cv::Rect crop;
  if (src.cols / double(src.rows) > aspect) {
    const int w = static_cast<int>(src.rows * aspect);
    crop = {(src.cols - w) / 2, 0, w, src.rows};
  } else {
    const int h = static_cast<int>(src.cols / aspect);
    crop = {0, std::max(0, (src.rows - h) / 3), src.cols, h};
  }
  cv::Mat out;
  cv::resize(src(crop), out, size, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat ghostMask(const cv::Mat& portrait) {
  cv::Mat grey, f;
  cv::cvtColor(portrait, grey, cv::COLOR_BGR2GRAY);
  grey.convertTo(f, CV_32F, 1 / 255.0);
  f = 1.0 - f;  // dark = more ink
  // Fade towards the edges like the vignetted ghost images on real documents.
  cv::Mat vign(f.size(), CV_32F);
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) {
      const double u = (x - f.cols / 2.0) / (f.cols / 2.0), v = (y - f.rows / 2.0) / (f.rows / 2.0);
      vign.at<float>(y, x) = static_cast<float>(std::clamp(1.3 - std::sqrt(u * u + v * v), 0.0, 1.0));
    }
  return f.mul(vign);
}

void addNoise(cv::Mat& img, double sigma, Rng& rng) {
  if (sigma <= 0 || img.empty()) return;
  // cv::RNG is OpenCV's own generator with a fixed algorithm: same seed, same
  // noise. A 512 px tile repeated over the image keeps 12 MP photos fast; the
  // period is invisible under real content. The tile is split into its
  // positive and negative parts so the image takes two saturating 8-bit
  // passes in place, without a 16-bit copy.
  cv::RNG cvr(rng.bits());
  const int t = 512;
  cv::Mat tile(std::min(t, img.rows), std::min(t, img.cols), CV_16SC3), pos, neg;
  cvr.fill(tile, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(sigma));
  tile.convertTo(pos, CV_8U);        // negative values saturate to 0
  tile.convertTo(neg, CV_8U, -1.0);
  for (int y = 0; y < img.rows; y += tile.rows)
    for (int x = 0; x < img.cols; x += tile.cols) {
      const cv::Rect r(x, y, std::min(tile.cols, img.cols - x), std::min(tile.rows, img.rows - y));
      const cv::Rect tr(0, 0, r.width, r.height);
      cv::Mat roi = img(r);
      cv::add(roi, pos(tr), roi);
      cv::subtract(roi, neg(tr), roi);
    }
}

}  // namespace idkit::synth::detail
