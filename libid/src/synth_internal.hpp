// Private pieces of the specimen generator shared by its source files.
#pragma once
#include <opencv2/core.hpp>
#include <string>

#include "idkit/synth.hpp"

namespace idkit::synth::detail {

// Colours of a document design (BGR).
struct Palette {
  cv::Scalar paper;   // background near the edges
  cv::Scalar tint;    // second gradient colour
  cv::Scalar line1;   // guilloche lines
  cv::Scalar line2;   // rosettes
  cv::Scalar accent;  // header band, titles
  cv::Scalar label;   // field labels
  cv::Scalar text;    // field values
};

cv::Scalar mix(const cv::Scalar& a, const cv::Scalar& b, double t);

// Gradient, interlaced sinusoidal line families and rosettes over the whole image.
void paintSecurityBackground(cv::Mat& img, const Palette& pal, double px_per_mm, Rng& rng);
// A rosette (closed sinusoidal curves around a centre), radius in pixels.
void drawRosette(cv::Mat& img, cv::Point2d centre, double radius, const cv::Scalar& color,
                 double px_per_mm, Rng& rng);
// A faint emblem: concentric rings with a star, like a state seal.
void drawEmblem(cv::Mat& img, cv::Point2d centre, double radius, const cv::Scalar& color,
                double px_per_mm);

// A drawn head-and-shoulders portrait (BGR), look chosen by `face_seed`.
cv::Mat drawPortrait(cv::Size size, uint64_t face_seed, char sex);
// A face photo from `dir` cropped to `size`; empty Mat when the folder has none.
cv::Mat facePhoto(const std::string& dir, cv::Size size, Rng& rng);
// The faded, single-colour ghost image of a portrait, as an alpha mask (CV_32F,
// 0..1 = ink amount) to print in one colour over the background.
cv::Mat ghostMask(const cv::Mat& portrait);

// Pixel noise from the raw engine output (deterministic), added to `img`.
void addNoise(cv::Mat& img, double sigma, Rng& rng);

}  // namespace idkit::synth::detail
