// A photo's motion blur found from its spectrum and undone (motion_blur.hpp).
#include "motion_blur.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace idkit::detail {

namespace {

// One frequency of a patch's mean power spectrum (cycles per pixel) and the
// mean power of its ring (the frequencies as far from nought).
struct Bin {
  float fx, fy, power, ring;
};

// A line kernel's transfer at frequency f along it (cycles per pixel), given
// s = sin(pi f) (motionOf's search keeps it per frequency).
double lineTransfer(double length, double f, double s) {
  return std::abs(s) < 1e-9 ? 1.0 : std::sin(CV_PI * length * f) / (length * s);
}

// The streak's length at its found angle, from the profile along it: the
// power against its ring's mean, averaged over the frequencies as far along
// the streak (whatever they are across it), follows the kernel's
// h(f) = sin(pi L f) / (L sin(pi f)), and the length whose log (h^2 + 0.01)
// correlates best with that profile's log is taken. motionOf's score
// weighs the kernel's zeros, and every frequency along a streak beyond its
// first zero is faint, so a longer kernel, whose zeros fill that band more
// densely, scores about as low: on the 301 streaked photos of id-synth
// seeds 211, 269 and 277 the score's length was 1.5-3.5 px long on 26 and
// twice the streak on 2 (fra-id-photo-s211-0053: 20.5 px for 9). The
// profile shows the first zero where the streak puts it. Searched from
// kShortest to kLongest times the score's length, and kept only where it
// correlates better than within half a pixel of that length by
// kProfileGain (motionOf's score, the belief, stays the score's).
constexpr double kShortest = 0.4, kLongest = 1.05, kProfileGain = 0.03;

double lengthByProfile(const std::vector<Bin>& bins, int t, const MotionBlur& found, double max_length) {
  const double dx = std::cos(found.angle * CV_PI / 180), dy = std::sin(found.angle * CV_PI / 180);
  const int n = t / 2 + 1;
  std::vector<double> sum(static_cast<std::size_t>(n), 0.0);
  std::vector<int> count(static_cast<std::size_t>(n), 0);
  for (const Bin& b : bins) {
    const auto k = static_cast<std::size_t>(std::lround(std::abs(b.fx * dx + b.fy * dy) * t));
    if (k >= sum.size()) continue;
    sum[k] += b.power / std::max(b.ring, 1e-12f);
    ++count[k];
  }
  std::vector<double> f, y;
  for (std::size_t k = 0; k < sum.size(); ++k)
    if (count[k] > 0) f.push_back(static_cast<double>(k) / t), y.push_back(std::log(sum[k] / count[k] + 1e-6));
  // The Pearson correlation of the profile's log with the kernel's.
  auto correlation = [&](double length) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double h = lineTransfer(length, f[i], std::sin(CV_PI * f[i])), x = std::log(h * h + 0.01);
      sx += x, sy += y[i], sxx += x * x, syy += y[i] * y[i], sxy += x * y[i];
    }
    const auto m = static_cast<double>(f.size());
    return (m * sxy - sx * sy) / std::sqrt(std::max(1e-12, (m * sxx - sx * sx) * (m * syy - sy * sy)));
  };
  double at_found = -2;  // the best within a step of the score's length
  for (double length = found.length - 0.5; length <= found.length + 0.51; length += 0.25)
    if (length >= 3) at_found = std::max(at_found, correlation(length));
  double best = at_found, best_length = found.length;
  const double last = std::min(max_length, kLongest * found.length);
  for (double length = std::max(3.0, kShortest * found.length); length <= last + 1e-9; length += 0.25)
    if (const double c = correlation(length); c > best) best = c, best_length = length;
  return best > at_found + kProfileGain ? best_length : found.length;
}

}  // namespace

std::optional<MotionBlur> motionOf(const cv::Mat& patch, const MotionSearch& search) {
  const int t = std::min({128, patch.cols, patch.rows}) & ~1;
  if (t < 48 || (search.two_tiles_across && patch.cols < 3 * t / 2)) return std::nullopt;
  cv::Mat window;
  cv::createHanningWindow(window, {t, t}, CV_32F);
  cv::Mat power = cv::Mat::zeros(t, t, CV_32F);
  const int step =
      search.max_tiles <= 0
          ? t / 2
          : std::max(t / 2, static_cast<int>(std::sqrt(static_cast<double>(patch.cols - t + 1) * (patch.rows - t + 1) /
                                                       search.max_tiles)));
  for (int y = 0; y + t <= patch.rows; y += step)
    for (int x = 0; x + t <= patch.cols; x += step) {
      cv::Mat f;
      patch(cv::Rect(x, y, t, t)).convertTo(f, CV_32F);
      f = (f - cv::mean(f)[0]).mul(window);
      cv::Mat spectrum;
      cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
      for (int v = 0; v < t; ++v) {
        const auto* s = spectrum.ptr<cv::Vec2f>(v);
        auto* p = power.ptr<float>(v);
        for (int u = 0; u < t; ++u) p[u] += s[u][0] * s[u][0] + s[u][1] * s[u][1];
      }
    }
  // The frequencies of one half-plane (the spectrum is symmetric), from 2
  // cycles per tile (below, the tile's own window) to Nyquist.
  std::vector<Bin> bins;
  std::vector<double> ringSum(static_cast<size_t>(t), 0.0);
  std::vector<int> ringCount(static_cast<size_t>(t), 0), ringOf;
  for (int v = 0; v <= t / 2; ++v)
    for (int u = 0; u < t; ++u) {
      const double fx = (u <= t / 2 ? u : u - t) / static_cast<double>(t), fy = v / static_cast<double>(t);
      const int r = static_cast<int>(std::lround(std::hypot(fx, fy) * t));
      if (r < 2 || r > t / 2 || (v == 0 && u > t / 2)) continue;
      const float pw = power.at<float>(v, u);
      bins.push_back({static_cast<float>(fx), static_cast<float>(fy), pw, 0});
      ringOf.push_back(r);
      ringSum[static_cast<size_t>(r)] += pw;
      ++ringCount[static_cast<size_t>(r)];
    }
  for (size_t i = 0; i < bins.size(); ++i)
    bins[i].ring = static_cast<float>(ringSum[static_cast<size_t>(ringOf[i])] / ringCount[static_cast<size_t>(ringOf[i])]);
  MotionBlur best;
  best.score = 1e30;
  // Each bin's frequency along an angle and its sine, which every length
  // tried at that angle shares: taken once an angle (half of the search's sines).
  struct Along {
    double f, s;
  };
  std::map<double, std::vector<Along>> along;
  auto alongAngle = [&](double angle) -> const std::vector<Along>& {
    auto [it, fresh] = along.try_emplace(angle);
    if (fresh) {
      const double dx = std::cos(angle * CV_PI / 180), dy = std::sin(angle * CV_PI / 180);
      it->second.reserve(bins.size());
      for (const Bin& b : bins) {
        const double f = b.fx * dx + b.fy * dy;
        it->second.push_back({f, std::sin(CV_PI * f)});
      }
    }
    return it->second;
  };
  auto score = [&](double length, double angle) {
    const std::vector<Along>& fs = alongAngle(angle);
    double seen = 0, expected = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) {
      const Bin& b = bins[i];
      const double h = lineTransfer(length, fs[i].f, fs[i].s);
      const double w = 1.0 / (h * h + 0.01);  // large near the kernel's zeros
      seen += b.power * w;
      expected += b.ring * w;
    }
    if (const double q = seen / std::max(expected, 1e-12); q < best.score) best = {length, angle, q};
  };
  // Coarse: every whole length at every 4 degrees. At one angle a bin's
  // sin(pi L f) for L = 1, 2, ... is its sin(pi f) turned by pi f L times
  // (two products and a sum a length instead of a sine: this grid was most
  // of the search's cost); the scores are then taken in the order of the
  // lengths, each length's angles in turn, as the fine search takes them.
  const int longest = static_cast<int>(search.max_length);
  constexpr int kAngles = 45;
  if (longest >= 3) {
    const auto lengths = static_cast<std::size_t>(longest - 2);
    std::vector<double> q(lengths * kAngles), seen(lengths), expected(lengths);
    for (int a = 0; a < kAngles; ++a) {
      const std::vector<Along>& fs = alongAngle(a * 4);
      std::fill(seen.begin(), seen.end(), 0.0);
      std::fill(expected.begin(), expected.end(), 0.0);
      for (std::size_t i = 0; i < bins.size(); ++i) {
        const Bin& b = bins[i];
        const double f = fs[i].f, s = fs[i].s;
        if (std::abs(s) < 1e-9) {  // h is 1 at every length
          const double h = 1.0, w = 1.0 / (h * h + 0.01);
          for (std::size_t l = 0; l < lengths; ++l) seen[l] += b.power * w, expected[l] += b.ring * w;
          continue;
        }
        const double c = std::cos(CV_PI * f);
        double sl = s, cl = c;  // sin and cos of pi f L, from L = 1
        for (int length = 2; length <= longest; ++length) {
          const double next = sl * c + cl * s;
          cl = cl * c - sl * s, sl = next;
          if (length < 3) continue;
          const double h = sl / (length * s), w = 1.0 / (h * h + 0.01);
          seen[static_cast<std::size_t>(length - 3)] += b.power * w;
          expected[static_cast<std::size_t>(length - 3)] += b.ring * w;
        }
      }
      for (std::size_t l = 0; l < lengths; ++l) q[l * kAngles + static_cast<std::size_t>(a)] = seen[l] / std::max(expected[l], 1e-12);
    }
    for (std::size_t l = 0; l < lengths; ++l)
      for (int a = 0; a < kAngles; ++a)
        if (const double v = q[l * kAngles + static_cast<std::size_t>(a)]; v < best.score)
          best = {static_cast<double>(l + 3), static_cast<double>(a * 4), v};
  }
  const MotionBlur coarse = best;
  for (double length = coarse.length - 1; length <= coarse.length + 1.01; length += 0.25)
    for (double angle = coarse.angle - 4; angle <= coarse.angle + 4; angle += 1) score(length, angle);
  best.length = lengthByProfile(bins, t, best, search.max_length);
  best.angle = std::fmod(best.angle + 180, 180);
  return best.score < search.believe ? std::optional(best) : std::nullopt;
}

namespace {

// Wiener deconvolution of a patch padded by `pad` pixels (reflected), the
// kernel drawn by `draw` into a zero h x w image with its centre at (0, 0),
// wrapping around.
template <class Draw>
cv::Mat wiener(const cv::Mat& patch, int pad, double noise, Draw draw) {
  cv::Mat f;
  cv::copyMakeBorder(patch, f, pad, pad, pad, pad, cv::BORDER_REFLECT);
  const int w = cv::getOptimalDFTSize(f.cols), h = cv::getOptimalDFTSize(f.rows);
  cv::copyMakeBorder(f, f, 0, h - f.rows, 0, w - f.cols, cv::BORDER_REFLECT);
  f.convertTo(f, CV_32F);
  cv::Mat kernel = cv::Mat::zeros(h, w, CV_32F);
  draw(kernel);
  cv::Mat spectrum, response;
  cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
  cv::dft(kernel, response, cv::DFT_COMPLEX_OUTPUT);
  for (int y = 0; y < h; ++y) {
    auto* s = spectrum.ptr<cv::Vec2f>(y);
    const auto* r = response.ptr<cv::Vec2f>(y);
    for (int x = 0; x < w; ++x) {
      const cv::Vec2f a = r[x], b = s[x];
      const float d = a[0] * a[0] + a[1] * a[1] + static_cast<float>(noise);
      s[x] = {(a[0] * b[0] + a[1] * b[1]) / d, (a[0] * b[1] - a[1] * b[0]) / d};  // conj(a) b / d
    }
  }
  cv::Mat back, out;
  cv::dft(spectrum, back, cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
  back(cv::Rect(pad, pad, patch.cols, patch.rows)).convertTo(out, CV_8U);
  return out;
}

}  // namespace

cv::Mat deblurMotion(const cv::Mat& patch, const MotionBlur& k, double noise) {
  const int pad = static_cast<int>(std::ceil(k.length)) + 8;
  return wiener(patch, pad, noise, [&](cv::Mat& kernel) {
    const int h = kernel.rows, w = kernel.cols;
    const int taps = std::max(1, static_cast<int>(std::lround(k.length)));
    const double dx = std::cos(k.angle * CV_PI / 180), dy = std::sin(k.angle * CV_PI / 180);
    for (int i = 0; i < taps; ++i) {
      const double s = i - (taps - 1) / 2.0;
      const int x = static_cast<int>(std::lround(s * dx)), y = static_cast<int>(std::lround(s * dy));
      kernel.at<float>((y + h) % h, (x + w) % w) += 1.0f / static_cast<float>(taps);
    }
  });
}

cv::Mat deblurGaussian(const cv::Mat& patch, double sigma, double noise) {
  const int pad = static_cast<int>(std::ceil(sigma * 4)) + 4;
  cv::Mat f;
  cv::copyMakeBorder(patch, f, pad, pad, pad, pad, cv::BORDER_REFLECT);
  const int w = cv::getOptimalDFTSize(f.cols), h = cv::getOptimalDFTSize(f.rows);
  cv::copyMakeBorder(f, f, 0, h - f.rows, 0, w - f.cols, cv::BORDER_REFLECT);
  f.convertTo(f, CV_32F);
  cv::Mat spectrum;
  cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
  // A Gaussian's transfer is real and positive: exp(-2 pi^2 sigma^2 |f|^2),
  // no kernel drawn and cut off.
  for (int y = 0; y < h; ++y) {
    auto* s = spectrum.ptr<cv::Vec2f>(y);
    const double fy = (y <= h / 2 ? y : y - h) / static_cast<double>(h);
    for (int x = 0; x < w; ++x) {
      const double fx = (x <= w / 2 ? x : x - w) / static_cast<double>(w);
      const double a = std::exp(-2 * CV_PI * CV_PI * sigma * sigma * (fx * fx + fy * fy));
      s[x] *= static_cast<float>(a / (a * a + noise));
    }
  }
  cv::Mat back, out;
  cv::dft(spectrum, back, cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
  back(cv::Rect(pad, pad, patch.cols, patch.rows)).convertTo(out, CV_8U);
  return out;
}

}  // namespace idkit::detail
