#include <cmath>

#include <opencv2/imgproc.hpp>

#include <idkit/quality.hpp>

namespace idkit::quality {
namespace {

cv::Mat analysisCopy(const cv::Mat& bgr) {
  int side = std::max(bgr.cols, bgr.rows);
  if (side <= kAnalysisSide) return bgr;
  double f = double(kAnalysisSide) / side;
  cv::Mat small;
  cv::resize(bgr, small, {}, f, f, cv::INTER_AREA);
  return small;
}

// Immerkaer's fast noise estimate: the Laplacian difference mask cancels
// image structure, what is left is mostly noise.
double noiseSigma(const cv::Mat& grey) {
  if (grey.cols < 3 || grey.rows < 3) return 0;
  cv::Mat k = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat r;
  cv::filter2D(grey, r, CV_32F, k, {-1, -1}, 0, cv::BORDER_REPLICATE);
  double sum = cv::norm(r, cv::NORM_L1);
  return std::sqrt(CV_PI / 2) * sum / (6.0 * (grey.cols - 2) * (grey.rows - 2));
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

  cv::Mat small = analysisCopy(bgr);
  cv::Mat grey;
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);

  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_32F);
  cv::Scalar m, sd;
  cv::meanStdDev(lap, m, sd);
  q.sharpness = sd[0] * sd[0];

  // Glare: clipped highlights in all channels, as blobs.
  cv::Mat clipped;
  cv::inRange(small, cv::Scalar(250, 250, 250), cv::Scalar(255, 255, 255), clipped);
  double area = double(grey.total());
  q.glare_fraction = cv::countNonZero(clipped) / area;
  if (q.glare_fraction > 0) {
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(clipped, labels, stats, centroids, 8, CV_32S);
    int largest = 0;
    for (int i = 1; i < n; ++i) largest = std::max(largest, stats.at<int>(i, cv::CC_STAT_AREA));
    q.glare_largest_blob = largest / area;
  }

  q.mean = cv::mean(grey)[0];
  cv::Mat dark = grey < 16, bright = grey > 240;
  q.dark_fraction = cv::countNonZero(dark) / area;
  q.bright_fraction = cv::countNonZero(bright) / area;
  q.exposure = "ok";
  if (q.mean < t.min_mean || q.dark_fraction > t.max_dark_fraction) q.exposure = "under";
  if (q.mean > t.max_mean || q.bright_fraction > t.max_bright_fraction) q.exposure = "over";

  q.noise = noiseSigma(grey);

  // Mean distance from grey: 0 for a grey scan, tens for a colour photo.
  std::vector<cv::Mat> ch;
  cv::split(small, ch);
  cv::Mat rg, yb;
  cv::absdiff(ch[2], ch[1], rg);
  cv::absdiff((ch[2] + ch[1]) / 2, ch[0], yb);
  q.colourfulness = (cv::mean(rg)[0] + cv::mean(yb)[0]) / 2;
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
