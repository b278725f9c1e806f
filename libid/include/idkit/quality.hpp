// Image quality: is this capture good enough to read a document from?
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/image.hpp>
#include <idkit/json.hpp>

namespace idkit::quality {

// Thresholds behind quality.usable; documented in man/id-scan.1.scd.
struct Thresholds {
  int min_short_side = 600;           // px
  double min_dpi = 150;               // when the document kind is known
  double min_sharpness = 40;          // variance of Laplacian at 1000 px long side
  double max_glare_blob = 0.01;       // largest saturated blob, fraction of the image
  double max_dark_fraction = 0.5;     // pixels below 16
  double max_bright_fraction = 0.25;  // pixels above 240 (besides white paper)
  double min_mean = 40, max_mean = 235;
  double max_noise = 12;              // estimated sigma, grey levels
};

struct Report {
  int width = 0, height = 0;
  std::optional<double> dpi;  // only when the document kind (physical size) is known
  double sharpness = 0;
  double glare_fraction = 0, glare_largest_blob = 0;
  double mean = 0, dark_fraction = 0, bright_fraction = 0;
  std::string exposure;  // "ok", "under", "over"
  double noise = 0;
  double colourfulness = 0;
  bool colour = true;
  bool usable = true;
  std::vector<std::string> reasons;  // stable codes: small, low_dpi, blurry, glare, ...
  Json toJson() const;
};

// Physical width in mm of an ICAO document kind ("ID1", "ID2", "ID3"), or 0.
double documentWidthMm(std::string_view kind);

// Measures are taken at this long side, whatever the image's resolution.
inline constexpr int kAnalysisSide = 1000;

// Measures `bgr`, which may be a reduced copy of an image of `full_size`
// (empty: bgr's own size). `header_channels` is the channel count the file
// declared (1 or 2 mean grey); `kind` is the document kind when the image is
// a flat card.
Report measure(const cv::Mat& bgr, cv::Size full_size = {}, int header_channels = 3,
               std::string_view kind = {}, const Thresholds& t = {});

}  // namespace idkit::quality
