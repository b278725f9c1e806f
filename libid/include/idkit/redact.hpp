// Redacted copies of document images for sharing: the MRZ, barcodes, portrait
// and chosen printed fields covered, at the positions earlier tools recorded.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/json.hpp>

namespace idkit::redact {

enum class Style {
  box,     // filled black: nothing of the region survives
  mosaic,  // coarse blocks then a blur: shapes stay visible, text and faces do not
};

// The image a region's coordinates refer to, and the one to redact.
enum class Frame {
  image,  // the record's working image (id-deskew's flat card, else the input)
  input,  // the input photo or scan as given
};

struct Request {
  bool mrz = true, barcodes = true, portrait = true;
  std::vector<std::string> fields;  // id-ocr field names; "all" = every field read
  Frame target = Frame::image;
};

struct Region {
  std::string kind;                    // "mrz", "barcode", "portrait", "field:<name>"
  std::vector<cv::Point2f> polygon;    // target-frame pixels, margin included
  Json toJson() const;                 // {"kind", "polygon"}
};

struct Plan {
  std::vector<Region> regions;
  // Requested kinds the record says nothing about (the tool that finds them
  // did not run, or failed for another reason): a copy would leak them.
  std::vector<std::string> unknown;
};

// Where to redact, from the record's sections. `image_size` is the pixel size
// of the working image; when the record has a flat card beside its input,
// regions recorded in one frame are mapped to the other through document.quad.
Plan plan(const Json& record, const Request& request, cv::Size image_size);

// Covers every region in `img` (8-bit, 1 or 3 channels).
void apply(cv::Mat& img, const std::vector<Region>& regions, Style style);

}  // namespace idkit::redact
