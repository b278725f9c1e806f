// Image codecs: JPEG (libjpeg-turbo), PNG (libpng), TIFF (libtiff) and WebP
// (libwebp) called directly. OpenCV's imgcodecs would do the same through
// GDAL's dependency tree: 120 more shared objects that every tool paid for at
// start (about 0.1 s of CPU per process) for formats idkit refuses anyway.
//
// Untrusted files go through loadImage/decodeImage (image.hpp), which check
// the header against the limits before calling decode().
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>
#include <idkit/image.hpp>

namespace idkit::codec {

struct DecodeOptions {
  int reduce = 1;     // JPEG only: decode at 1/2, 1/4 or 1/8 of the size (DCT scaling)
  bool grey = false;  // one channel (JPEG: luma straight from the file, no colour conversion)
  bool apply_orientation = true;  // turn by the JPEG's EXIF orientation
};

// Decodes JPEG, PNG, TIFF or WebP (found from the magic bytes) to 8-bit BGR
// (or grey). 16-bit samples keep their high byte, alpha is dropped, palettes
// and low bit depths are expanded. Errors: unsupported_format, decode_failed.
Expected<cv::Mat> decode(std::span<const std::uint8_t> bytes, const DecodeOptions& opts = {});
// The same when the caller has already read the header (no second look).
Expected<cv::Mat> decode(std::span<const std::uint8_t> bytes, ImageFormat format, const DecodeOptions& opts = {});

// The EXIF orientation (1-8) of a JPEG, 1 when it has none or it is unreadable.
int exifOrientation(std::span<const std::uint8_t> jpeg);
// Turns a decoded image upright for an EXIF orientation value.
cv::Mat applyOrientation(const cv::Mat& img, int orientation);

// 8-bit BGR or grey in, file bytes out.
std::vector<std::uint8_t> encodeJpeg(const cv::Mat& img, int quality);

// PNG: level 1 (the default) is what OpenCV's imwrite writes (zlib level 1,
// run-length strategy, "sub" row filter): half the raw size. Level 0 stores
// the rows unfiltered and uncompressed: twice the size of level 1, but about
// eight times faster to decode (a 1011x638 card: 4 ms instead of 34 ms),
// which pays when several tools read the same intermediate card.
struct PngOptions {
  int level = 1;  // zlib level 0-9
};
std::vector<std::uint8_t> encodePng(const cv::Mat& img, const PngOptions& opts = {});

// Writes `img` as PNG or JPEG (by the extension; JPEG at quality 95). For
// debugging dumps, benches and tests: false when it cannot.
bool writeImageFile(const std::filesystem::path& path, const cv::Mat& img);

}  // namespace idkit::codec
