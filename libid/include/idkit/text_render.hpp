// A small FreeType text renderer for drawing documents: anti-aliased glyphs
// blended into a BGR image, proportional text with the font's advances, and
// fixed-pitch placement for the MRZ (OCR-B at exactly 10 characters per inch).
//
// A Font is not thread-safe (FreeType faces are not); use one per thread
// (fontFor() keeps a per-thread cache).
#pragma once
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>

namespace idkit::text {

class Font {
 public:
  // Throws idkit::Failure("font_missing", ...) when the file cannot be opened.
  explicit Font(const std::string& path);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // Height of capital letters ("H") as a fraction of the em size, read from
  // the outline so callers can size text by cap height in millimetres.
  double capHeightPerEm() const { return cap_per_em_; }
  const std::string& path() const { return path_; }

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
  double cap_per_em_ = 0.7;
  std::string path_;
};

// Per-thread cached font for a path.
Font& fontFor(const std::string& path);

// Standard fonts of the document renderer (Debian paths).
inline constexpr const char* kOcrB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";
inline constexpr const char* kSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr const char* kSansBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
inline constexpr const char* kSansCondensed =
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf";
inline constexpr const char* kSansCondensedBold =
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf";
inline constexpr const char* kSerifBold = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";

struct Style {
  double cap_height_px = 20;  // height of capital letters in pixels
  cv::Scalar color{0, 0, 0};  // BGR
  double opacity = 1.0;
  double pitch_px = 0;   // > 0: fixed pitch, every glyph centred in its cell
  double tracking_px = 0;  // extra space after every glyph (proportional mode)
};

// Width in pixels that drawText would use for `utf8`.
double measure(Font& font, std::string_view utf8, const Style& style);

// Draws `utf8` with its baseline starting at `origin` (x = left edge of the
// first cell / pen position). Returns the pen x after the last glyph.
double drawText(cv::Mat& bgr, Font& font, std::string_view utf8, cv::Point2d origin,
                const Style& style);

// Cap-height box of text drawn at origin: x, top of capitals, width, cap height.
cv::Rect2d textBox(Font& font, std::string_view utf8, cv::Point2d origin, const Style& style);

}  // namespace idkit::text
