// Comparing a pair of faces at the same detail (a small, blurred document
// portrait against a sharp selfie).
#include <idkit/face.hpp>

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace idkit::face {

namespace {

// The eye distance every chip has: the template's.
const double kChipEyes = double(kTemplate[1].x - kTemplate[0].x);

}  // namespace

double chipSharpness(const cv::Mat& chip_bgr) {
  if (chip_bgr.empty()) return 0;
  // The middle of the chip: eyes, nose and mouth, not the hair or the
  // background, whose texture differs from one photo to the next.
  const cv::Rect middle = cv::Rect(chip_bgr.cols / 5, chip_bgr.rows / 5, chip_bgr.cols * 3 / 5, chip_bgr.rows * 3 / 5) &
                          cv::Rect(0, 0, chip_bgr.cols, chip_bgr.rows);
  if (middle.width < 3 || middle.height < 3) return 0;
  cv::Mat grey, lap;
  if (chip_bgr.channels() == 3)
    cv::cvtColor(chip_bgr(middle), grey, cv::COLOR_BGR2GRAY);
  else
    grey = chip_bgr(middle);
  cv::Laplacian(grey, lap, CV_32F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd);
  return sd[0];
}

Detail detailOf(const Detection& face, const cv::Mat& chip_bgr) {
  return {cv::norm(face.landmarks[1] - face.landmarks[0]), chipSharpness(chip_bgr)};
}

Detail detailOf(const Found& found, const cv::Mat& chip_bgr) {
  Detail d = detailOf(found.face, chip_bgr);
  if (found.capture_eyes > 0) d.eyes = found.capture_eyes;
  return d;
}

bool reducesTo(const Detail& own, const Detail& other) {
  return other.eyes > 0 && other.eyes < kMatchDetailBelow && other.eyes < own.eyes;
}

double pairThreshold(double threshold, const Detail& a, const Detail& b, DetectorKind kind) {
  return reducesTo(a, b) || reducesTo(b, a) ? threshold + detailMatchedMargin(kind) : threshold;
}

cv::Mat matchDetail(const cv::Mat& chip, const Detail& own, const Detail& other) {
  if (chip.empty() || !reducesTo(own, other)) return chip;
  // The chip shrunk to the other face's eye distance and back: what a camera
  // that far away would have kept of it.
  const double k = std::min(1.0, other.eyes / kChipEyes);
  const cv::Size small(std::max(1, int(std::lround(chip.cols * k))), std::max(1, int(std::lround(chip.rows * k))));
  cv::Mat reduced, out;
  cv::resize(chip, reduced, small, 0, 0, cv::INTER_AREA);
  cv::resize(reduced, out, chip.size(), 0, 0, cv::INTER_LINEAR);
  // Not blurred further to the other's sharpness, though print and camera blur
  // a portrait beyond its resolution: that raised genuine and impostor scores
  // alike (bench, 82 documents: every small genuine pair above 0.92, but 11
  // impostors of 8036 instead of 4).
  return out;
}

Descriptor describeForPair(Engine& engine, const cv::Mat& chip, const Detail& own, const Detail& other, int views) {
  const cv::Mat matched = matchDetail(chip, own, other);
  if (views < 2 || !(reducesTo(own, other) || reducesTo(other, own))) return engine.describeChip(matched);
  cv::Mat mirror;
  cv::flip(matched, mirror, 1);
  const cv::Mat both[] = {matched, mirror};
  return engine.describeChips(both);
}

}  // namespace idkit::face
