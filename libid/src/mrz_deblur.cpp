// Undoing a photo's blur around an MRZ band (see mrz_deblur.hpp).
#include "mrz_deblur.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace idkit::mrz::detail {

namespace {

constexpr double kPi = 3.14159265358979323846;

// The kernel drawn centred on the origin of an h x w DFT canvas (taps at
// negative offsets wrap around), summing to 1.
cv::Mat kernelCanvas(const BlurKernel& k, int h, int w) {
  cv::Mat c = cv::Mat::zeros(h, w, CV_32F);
  auto add = [&](int x, int y, float v) { c.at<float>(((y % h) + h) % h, ((x % w) + w) % w) += v; };
  if (k.length > 0) {
    // One-pixel taps along the streak, as a shaken exposure sums shifted copies.
    const int taps = std::max(1, static_cast<int>(std::lround(k.length)));
    const double dx = std::cos(k.angle * kPi / 180), dy = std::sin(k.angle * kPi / 180);
    for (int i = 0; i < taps; ++i) {
      const double t = i - (taps - 1) / 2.0;
      add(static_cast<int>(std::lround(t * dx)), static_cast<int>(std::lround(t * dy)), 1.0f / static_cast<float>(taps));
    }
  } else {
    const int r = std::max(1, static_cast<int>(std::ceil(3.5 * k.sigma)));
    double sum = 0;
    for (int y = -r; y <= r; ++y)
      for (int x = -r; x <= r; ++x) sum += std::exp(-(x * x + y * y) / (2 * k.sigma * k.sigma));
    for (int y = -r; y <= r; ++y)
      for (int x = -r; x <= r; ++x) add(x, y, static_cast<float>(std::exp(-(x * x + y * y) / (2 * k.sigma * k.sigma)) / sum));
  }
  return c;
}

}  // namespace

std::optional<BlurKernel> motionOf(const cv::Mat& gray, double max_length, double believe) {
  const int t = std::min({128, gray.cols, gray.rows}) & ~1;
  if (t < 48 || gray.cols < 3 * t / 2) return std::nullopt;
  cv::Mat window;
  cv::createHanningWindow(window, {t, t}, CV_32F);
  cv::Mat power = cv::Mat::zeros(t, t, CV_32F);
  // Tiles half-overlapping, or further apart on a large patch (at most
  // about kMaxTiles of them: the spectrum's mean settles long before).
  constexpr double kMaxTiles = 48;
  const int step = std::max(t / 2, static_cast<int>(std::sqrt(static_cast<double>(gray.cols - t + 1) * (gray.rows - t + 1) / kMaxTiles)));
  for (int y = 0; y + t <= gray.rows; y += step)
    for (int x = 0; x + t <= gray.cols; x += step) {
      cv::Mat f;
      gray(cv::Rect(x, y, t, t)).convertTo(f, CV_32F);
      f = (f - cv::mean(f)[0]).mul(window);
      cv::Mat s;
      cv::dft(f, s, cv::DFT_COMPLEX_OUTPUT);
      for (int v = 0; v < t; ++v) {
        const auto* sp = s.ptr<cv::Vec2f>(v);
        auto* p = power.ptr<float>(v);
        for (int u = 0; u < t; ++u) p[u] += sp[u][0] * sp[u][0] + sp[u][1] * sp[u][1];
      }
    }
  // One half-plane of frequencies (the spectrum of a real patch is
  // symmetric), from 2 cycles a tile (below that the window's own) to Nyquist.
  struct Bin {
    float fx, fy, power;
    int ring;
  };
  std::vector<Bin> bins;
  std::vector<double> ringSum(static_cast<std::size_t>(t), 0.0);
  std::vector<int> ringCount(static_cast<std::size_t>(t), 0);
  for (int v = 0; v <= t / 2; ++v)
    for (int u = 0; u < t; ++u) {
      if (v == 0 && u > t / 2) continue;
      const double fx = (u <= t / 2 ? u : u - t) / static_cast<double>(t), fy = v / static_cast<double>(t);
      const int r = static_cast<int>(std::lround(std::hypot(fx, fy) * t));
      if (r < 2 || r > t / 2) continue;
      const float pw = power.at<float>(v, u);
      bins.push_back({static_cast<float>(fx), static_cast<float>(fy), pw, r});
      ringSum[static_cast<std::size_t>(r)] += pw;
      ++ringCount[static_cast<std::size_t>(r)];
    }
  std::vector<float> ringMean(bins.size());
  for (std::size_t i = 0; i < bins.size(); ++i)
    ringMean[i] = static_cast<float>(ringSum[static_cast<std::size_t>(bins[i].ring)] / ringCount[static_cast<std::size_t>(bins[i].ring)]);
  BlurKernel best;
  best.score = 1e30;
  auto score = [&](double length, double angle) {
    const double dx = std::cos(angle * kPi / 180), dy = std::sin(angle * kPi / 180);
    double seen = 0, expected = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) {
      const double f = bins[i].fx * dx + bins[i].fy * dy, s = std::sin(kPi * f);
      const double h = std::abs(s) < 1e-9 ? 1.0 : std::sin(kPi * length * f) / (length * s);
      const double w = 1.0 / (h * h + 0.01);  // large near the streak's zeros
      seen += bins[i].power * w;
      expected += ringMean[i] * w;
    }
    if (const double q = seen / std::max(expected, 1e-12); q < best.score) best = {length, angle, 0, q};
  };
  for (int length = 3; length <= static_cast<int>(max_length); ++length)
    for (int angle = 0; angle < 180; angle += 4) score(length, angle);
  const BlurKernel coarse = best;
  for (double length = coarse.length - 1; length <= coarse.length + 1.01; length += 0.25)
    for (double angle = coarse.angle - 4; angle <= coarse.angle + 4; angle += 1) score(length, angle);
  best.angle = std::fmod(best.angle + 180, 180);
  return best.score < believe ? std::optional(best) : std::nullopt;
}

cv::Mat deconvolve(const cv::Mat& gray, const BlurKernel& k, double noise) {
  const int pad = static_cast<int>(std::ceil(std::max(k.length, 4 * k.sigma))) + 8;
  cv::Mat f;
  cv::copyMakeBorder(gray, f, pad, pad, pad, pad, cv::BORDER_REFLECT);
  const int w = cv::getOptimalDFTSize(f.cols), h = cv::getOptimalDFTSize(f.rows);
  cv::copyMakeBorder(f, f, 0, h - f.rows, 0, w - f.cols, cv::BORDER_REFLECT);
  f.convertTo(f, CV_32F);
  cv::Mat spectrum, response;
  cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
  cv::dft(kernelCanvas(k, h, w), response, cv::DFT_COMPLEX_OUTPUT);
  for (int y = 0; y < h; ++y) {
    auto* s = spectrum.ptr<cv::Vec2f>(y);
    const auto* r = response.ptr<cv::Vec2f>(y);
    for (int x = 0; x < w; ++x) {
      // S * conj(R) / (|R|^2 + noise)
      const float rr = r[x][0], ri = r[x][1], sr = s[x][0], si = s[x][1];
      const float d = rr * rr + ri * ri + static_cast<float>(noise);
      s[x] = cv::Vec2f((sr * rr + si * ri) / d, (si * rr - sr * ri) / d);
    }
  }
  cv::Mat back, out;
  cv::dft(spectrum, back, cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
  back(cv::Rect(pad, pad, gray.cols, gray.rows)).convertTo(out, CV_8U);
  return out;
}

}  // namespace idkit::mrz::detail
