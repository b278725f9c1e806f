// Private to libid: a photo's motion blur found from its spectrum and undone
// (barcode.cpp reads a shaken code again, mrz_read.cpp a shaken zone,
// ocr_read.cpp a shaken card's doubtful lines).
#pragma once
#include <optional>

#include <opencv2/core.hpp>

namespace idkit::detail {

// A streak as id-mrz and id-ocr take it: believed where motionOf's score is
// below kMotionBelieved, taken up to kMotionLongest px (longer "streaks" are
// defocus's smooth fall-off), searched up to kMotionSearched px; undone with
// the Wiener noise ratio kDeblurNoise, and kDeblurNoiseCheck for a reading's
// more damped twin.
inline constexpr double kMotionBelieved = 0.6;
inline constexpr double kMotionLongest = 22;
inline constexpr double kMotionSearched = 30;
inline constexpr double kDeblurNoise = 0.01, kDeblurNoiseCheck = 0.03;

// Motion blur: a straight line kernel of `length` pixels at `angle` degrees
// (x right, y down), as a hand moving during the exposure makes it.
struct MotionBlur {
  double length = 0, angle = 0;
  double score = 1;  // spectrum power along the kernel's zeros against the ring's mean (1: no sign of it)
};

struct MotionSearch {
  double max_length = 30;  // px; lengths 3 px to this are tried
  double believe = 0.7;    // only a score below this is believed
  // At most about this many tiles (further apart than half-overlapping on a
  // large patch: the mean spectrum settles long before); 0: every tile.
  double max_tiles = 0;
  bool two_tiles_across = false;  // nullopt on a patch narrower than 1.5 tiles
};

// The motion kernel of a grey patch, from the zeros its spectrum shows: a
// line kernel of length L along d multiplies the spectrum by
// sin(pi L f.d) / (L sin(pi f.d)), which is nought on lines across d every 1/L
// cycles per pixel. The patch's power spectrum (the mean over half-overlapping
// 128 px windowed tiles) is divided by its mean over each ring of frequencies
// (what the content gives whatever the direction); the kernel whose near-zeros
// fall where that ratio is least is taken: coarse over lengths 3 px to
// `max_length` and every 4 degrees, then around the best at a quarter pixel
// and one degree; the length then from the ratio's profile along that angle
// (a longer kernel's zeros score about as low: motion_blur.cpp,
// lengthByProfile). Only a score well below 1 is believed (defocus and sharp
// photos have no such lines). Nullopt also on a patch under 48 px.
std::optional<MotionBlur> motionOf(const cv::Mat& gray, const MotionSearch& search = {});

// Wiener deconvolution of a grey patch (CV_8U) by a motion kernel, the line
// drawn as round(length) one-pixel taps along its direction; `noise` is the
// noise-to-signal power ratio that bounds the gain. CV_8U, the patch's size.
cv::Mat deblurMotion(const cv::Mat& gray, const MotionBlur& k, double noise);

// The same by a Gaussian of `sigma` pixels (defocus), by its transfer
// function (id-mrz: a defocused zone; id-ocr: a blurred line, retry (3b)).
cv::Mat deblurGaussian(const cv::Mat& gray, double sigma, double noise);

}  // namespace idkit::detail
