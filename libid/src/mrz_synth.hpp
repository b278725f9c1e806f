// Private to the mrz_*.cpp files: reading a blurred MRZ line by synthesis.
#pragma once
#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace idkit::mrz::detail {

// What synthCells found on one line.
struct SynthCells {
  cv::Mat probs;        // cells x ocrb::kClasses (CV_32F), each row sums to 1
  float sigma_x = 0;    // the fitted blur (strip pixels)
  float sigma_y = 0;
  double explained = 0; // share of the ink's variance the blurred reading explains
};

// A blurred OCR-B line read by synthesis. `ink` is the line's strip as ink
// (1 - grey / 255, CV_32F; not ocrb::inkImage, which clips the dense cores
// of blurred glyphs), the cells are at `centres` with `widths` (strip x), and
// `text` is the current best reading of the cells. The glyphs of `text` are
// drawn at the cells and a blur (an anisotropic Gaussian: defocus, or a
// motion streak along or across the line) and a small shift are fitted so
// that the drawing explains most of the ink, the ink level by least
// squares. Then each cell's 37 symbols are scored by the residual of the
// line drawn with that symbol at the cell (its neighbours as read, so that
// what a neighbour's blurred ink explains counts for no symbol of the cell),
// and the scores become probabilities. Nullopt when the geometry does not
// fit the strip.
std::optional<SynthCells> synthCells(const cv::Mat& ink, std::span<const float> centres, std::span<const float> widths,
                                     std::string_view text);

// Where a thumb or another opaque body lies over a line's strip (CV_8U,
// 255 where covered): a region darker than the paper too wide for any
// stroke of a glyph (an opening wider than OCR-B's strokes) and larger than
// a glyph. Empty (no pixel set) on a strip nothing covers.
// A `blurred` line's glyphs survive the opening as dark blobs, and a thumb
// beside them joins them: the region is then judged by its part well past
// the text rows, where a thumb shows its own even grey and a blurred glyph
// reaches a few rows at most, and only its pixels no darker than that grey
// are returned (the joined glyphs' ink is not covered).
cv::Mat coveredRegion(const cv::Mat& strip, float pitch, bool blurred = false);

// A cell partly covered: each of the 37 symbols scored by how well its
// glyph explains the ink of the cell's pixels `covered` (CV_8U, 255 where
// hidden) leaves visible, the paper and ink levels fitted on them. An E
// whose lower bar a thumb hides is then as likely as an F, and the zone's
// check digits, not the classifier's guess at the hidden part, choose. The
// probabilities sum to 1; nullopt when too little of the cell shows.
std::optional<std::array<float, 37>> visibleCellProbs(const cv::Mat& ink, const cv::Mat& covered, float centre, float width);

// The cells of a sharp line a glare spot fades (true at each such cell):
// glare lifts the grey of paper and ink alike towards white, so a faded
// cell's paper is as light as the line's or lighter and its ink much
// lighter (its paper-to-ink range under kFadedRange of the line's median
// cell's); shade darkens the paper too.
// The line's ink image clips such a glyph to a few pale strokes; its shape
// is still in the strip's grey.
std::vector<bool> fadedCells(const cv::Mat& strip, std::span<const float> centres, std::span<const float> widths);

// The strip as ink in the line's own levels (paper about 0, ink about 1),
// not clipped: a glyph paler than the line's paper (under a glare spot)
// keeps its shape, for visibleCellProbs' fit of each cell's own levels.
cv::Mat unclippedInk(const cv::Mat& strip);

}  // namespace idkit::mrz::detail
