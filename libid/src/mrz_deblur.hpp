// Private to the mrz_*.cpp files: undoing a photo's blur around an MRZ band
// before it is read again (mrz_read.cpp, readDeblurred).
#pragma once
#include <optional>

#include <opencv2/core.hpp>

namespace idkit::mrz::detail {

// A blur kernel: a straight streak of `length` pixels at `angle` degrees
// (x right, y down; a hand moving during the exposure), or a Gaussian of
// `sigma` pixels (defocus) when length is 0.
struct BlurKernel {
  double length = 0, angle = 0, sigma = 0;
  double score = 1;  // the streak's evidence (motionOf): below 1, less power on its zeros than the content has
};

// The streak that blurred a grey patch, from the zeros it leaves in the
// patch's spectrum: a line kernel of length L along direction d multiplies
// the spectrum by sin(pi L f.d) / (L sin(pi f.d)), nought on the lines
// across d every 1/L cycles per pixel. The power spectrum (the mean over
// half-overlapping windowed tiles) is divided by its mean on each ring of
// frequencies (what any content has, whatever the direction), and the
// streak whose near-zeros hold the least of that ratio is taken (lengths
// 3 px to `max_length`, every 4 degrees, then finer about the best).
// Nullopt on a patch too small for two tiles or when even the best streak's
// zeros hold more than `believe` of what the rings have (defocus and sharp
// photos have no such lines).
std::optional<BlurKernel> motionOf(const cv::Mat& gray, double max_length, double believe = 0.7);

// `gray` (CV_8U) deconvolved by `k` (a Wiener filter, `noise` the
// noise-to-signal power ratio that bounds its gain), CV_8U, same size.
cv::Mat deconvolve(const cv::Mat& gray, const BlurKernel& k, double noise);

}  // namespace idkit::mrz::detail
