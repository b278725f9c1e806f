#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <algorithm>

#include <opencv2/imgproc.hpp>

#include <idkit/quality.hpp>

namespace idkit::quality {
namespace {

// The analysis images at kAnalysisSide: the grey one is area-averaged (what
// sharpness and noise are calibrated on), reducing one channel instead of
// three; the colour one only feeds statistics (colour cast, clipped share),
// for which a nearest-neighbour subsample is as good and nearly free.
struct AnalysisImages {
  cv::Mat grey, colour;
};

AnalysisImages analysisImages(const cv::Mat& bgr) {
  AnalysisImages a;
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  int side = std::max(bgr.cols, bgr.rows);
  if (side <= kAnalysisSide) {
    a.grey = grey;
    a.colour = bgr;
    return a;
  }
  double f = double(kAnalysisSide) / side;
  cv::resize(grey, a.grey, {}, f, f, cv::INTER_AREA);
  cv::resize(bgr, a.colour, a.grey.size(), 0, 0, cv::INTER_NEAREST);
  return a;
}

// Sharpness, noise and exposure of the grey image in one pass over its
// interior pixels (the one-pixel border is left out of the stencils):
// - sharpness: variance of the 4-neighbour Laplacian;
// - noise: Immerkaer's fast estimate, whose difference mask cancels image
//   structure so that what is left is mostly noise;
// - exposure: mean and the shares of near-black and near-white pixels.
struct GreyStats {
  double sharpness = 0, noise = 0, mean = 0, dark = 0, bright = 0;
};

GreyStats greyStats(const cv::Mat& grey) {
  GreyStats g;
  // Per-row 32-bit accumulators (rows are at most kAnalysisSide wide) keep
  // the inner loops vectorisable.
  std::uint64_t sum = 0;
  std::int64_t dark = 0, bright = 0;
  for (int y = 0; y < grey.rows; ++y) {
    const auto* p = grey.ptr<std::uint8_t>(y);
    std::uint32_t row_sum = 0;
    std::int32_t row_dark = 0, row_bright = 0;
    for (int x = 0; x < grey.cols; ++x) {
      row_sum += p[x];
      row_dark += p[x] < 16 ? 1 : 0;
      row_bright += p[x] > 240 ? 1 : 0;
    }
    sum += row_sum;
    dark += row_dark;
    bright += row_bright;
  }
  double n = std::max<double>(1, double(grey.total()));
  g.mean = double(sum) / n;
  g.dark = dark / n;
  g.bright = bright / n;
  if (grey.cols < 3 || grey.rows < 3) return g;

  std::int64_t lap_sum = 0;
  std::uint64_t lap_sq = 0, noise_abs = 0;
  for (int y = 1; y + 1 < grey.rows; ++y) {
    const auto* u = grey.ptr<std::uint8_t>(y - 1);
    const auto* c = grey.ptr<std::uint8_t>(y);
    const auto* d = grey.ptr<std::uint8_t>(y + 1);
    std::int32_t row_lap = 0, row_noise = 0;
    std::uint32_t row_sq = 0;  // <= 1000 * (4 * 255)^2 < 2^32
    for (int x = 1; x + 1 < grey.cols; ++x) {
      int cross = u[x] + d[x] + c[x - 1] + c[x + 1];
      int diag = u[x - 1] + u[x + 1] + d[x - 1] + d[x + 1];
      int lap = cross - 4 * c[x];
      row_lap += lap;
      row_sq += std::uint32_t(lap * lap);
      // Immerkaer's mask [1 -2 1; -2 4 -2; 1 -2 1].
      row_noise += std::abs(diag - 2 * cross + 4 * c[x]);
    }
    lap_sum += row_lap;
    lap_sq += row_sq;
    noise_abs += std::uint64_t(row_noise);
  }
  double m = double(grey.cols - 2) * double(grey.rows - 2);
  double lap_mean = double(lap_sum) / m;
  g.sharpness = double(lap_sq) / m - lap_mean * lap_mean;
  g.noise = std::sqrt(CV_PI / 2) * double(noise_abs) / (6.0 * m);
  return g;
}

// Colour cast and clipped highlights of the colour image.
struct ColourStats {
  double colourfulness = 0;  // mean of |R-G| and |(R+G)/2-B|
  cv::Mat clipped;           // 255 where every channel is >= 250
  int clipped_count = 0;
};

ColourStats colourStats(const cv::Mat& bgr) {
  ColourStats c;
  cv::inRange(bgr, cv::Scalar(250, 250, 250), cv::Scalar(255, 255, 255), c.clipped);
  c.clipped_count = cv::countNonZero(c.clipped);
  // The colour cast is a mean over the whole image: every other pixel of
  // every other row estimates it as well at a quarter of the cost.
  std::uint64_t sum = 0, n = 0;
  for (int y = 0; y < bgr.rows; y += 2) {
    const auto* p = bgr.ptr<std::uint8_t>(y);
    std::int32_t row = 0;
    for (int x = 0; x < bgr.cols; x += 2) {
      int b = p[3 * x], g = p[3 * x + 1], r = p[3 * x + 2];
      row += std::abs(r - g) + std::abs(((r + g) >> 1) - b);
    }
    sum += std::uint64_t(row);
    n += std::uint64_t((bgr.cols + 1) / 2);
  }
  c.colourfulness = n ? double(sum) / (2.0 * double(n)) : 0;
  return c;
}

double round3(double v) { return std::round(v * 1000) / 1000; }

}  // namespace

double documentWidthMm(std::string_view kind) {
  if (kind == "ID1") return 85.60;
  if (kind == "ID2") return 105.0;
  if (kind == "ID3") return 125.0;
  return 0;
}

Report measure(const cv::Mat& bgr, cv::Size full_size, int header_channels, std::string_view kind,
               const Thresholds& t) {
  Report q;
  if (full_size.empty()) full_size = bgr.size();
  q.width = full_size.width;
  q.height = full_size.height;
  if (double mm = documentWidthMm(kind); mm > 0)
    q.dpi = std::max(q.width, q.height) / (mm / 25.4);

  auto [grey, colour] = analysisImages(bgr);

  auto g = greyStats(grey);
  q.sharpness = g.sharpness;

  // Glare: clipped highlights in all channels, as blobs.
  auto cs = colourStats(colour);
  double area = double(grey.total());
  q.glare_fraction = cs.clipped_count / area;
  if (cs.clipped_count > 0) {
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(cs.clipped, labels, stats, centroids, 8, CV_32S);
    int largest = 0;
    for (int i = 1; i < n; ++i) largest = std::max(largest, stats.at<int>(i, cv::CC_STAT_AREA));
    q.glare_largest_blob = largest / area;
  }

  q.mean = g.mean;
  q.dark_fraction = g.dark;
  q.bright_fraction = g.bright;
  q.exposure = "ok";
  if (q.mean < t.min_mean || q.dark_fraction > t.max_dark_fraction) q.exposure = "under";
  if (q.mean > t.max_mean || q.bright_fraction > t.max_bright_fraction) q.exposure = "over";

  q.noise = g.noise;

  // Mean distance from grey: 0 for a grey scan, tens for a colour photo.
  q.colourfulness = cs.colourfulness;
  q.colour = header_channels >= 3 && q.colourfulness >= 2.0;

  auto fail = [&](const char* reason) {
    q.usable = false;
    q.reasons.emplace_back(reason);
  };
  if (std::min(q.width, q.height) < t.min_short_side) fail("small");
  if (q.dpi && *q.dpi < t.min_dpi) fail("low_dpi");
  if (q.sharpness < t.min_sharpness) fail("blurry");
  if (q.glare_largest_blob > t.max_glare_blob) fail("glare");
  if (q.exposure == "under") fail("underexposed");
  if (q.exposure == "over") fail("overexposed");
  if (q.noise > t.max_noise) fail("noisy");
  return q;
}

Json Report::toJson() const {
  Json j = Json::object();
  j["width"] = width;
  j["height"] = height;
  j["megapixels"] = round3(width * double(height) / 1e6);
  j["dpi"] = dpi ? Json(std::round(*dpi)) : Json(nullptr);
  j["sharpness"] = round3(sharpness);
  j["glare"] = {{"fraction", round3(glare_fraction)}, {"largest_blob", round3(glare_largest_blob)}};
  j["exposure"] = {{"verdict", exposure}, {"mean", round3(mean)},
                   {"dark_fraction", round3(dark_fraction)},
                   {"bright_fraction", round3(bright_fraction)}};
  j["noise"] = round3(noise);
  j["colour"] = colour;
  j["colourfulness"] = round3(colourfulness);
  j["usable"] = usable;
  j["reasons"] = reasons;
  return j;
}

}  // namespace idkit::quality
