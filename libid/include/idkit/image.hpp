// Safe image loading: untrusted files are checked from their header (format
// allow-list, byte size, pixel size) before any decoder sees them.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>
#include <idkit/json.hpp>

namespace idkit {

struct ImageLimits {
  std::uintmax_t max_bytes = 25u << 20;   // file size
  std::uint64_t max_pixels = 50'000'000;  // width * height
  int max_side = 12000;                   // either dimension
};

enum class ImageFormat { unknown, jpeg, png, tiff, webp };
std::string_view toString(ImageFormat f);

// What the file header says, read without decoding.
struct ImageHeader {
  ImageFormat format = ImageFormat::unknown;
  int width = 0;
  int height = 0;
  int channels = 0;   // 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha; 0 unknown
  int bit_depth = 8;  // bits per sample
};

// Identifies the format from its magic bytes and reads the pixel size.
// Errors: unsupported_format, truncated.
Expected<ImageHeader> readImageHeader(std::span<const std::uint8_t> bytes);

// Header checks against the limits (too_many_pixels) and a cheap completeness
// check (truncated: a JPEG without its end marker, a PNG without IEND).
Expected<ImageHeader> checkImage(std::span<const std::uint8_t> bytes, const ImageLimits& limits);

struct LoadedImage {
  cv::Mat bgr;         // 8-bit, 3 channels, EXIF orientation applied
  cv::Size size;       // full size, upright (bgr may be a reduced decode)
  ImageHeader header;  // as stored in the file
  std::uintmax_t bytes = 0;
  std::string sha256;  // of the file's bytes, lowercase hex (empty when not asked for)
  // The file's bytes, kept only when asked (KeepBytes::yes): a later partial
  // decode then reads the very bytes that were checked and hashed.
  std::vector<std::uint8_t> encoded;
};

// Whether loading computes the file's sha256 (a pass over every byte).
enum class Hash { yes, no };
// Whether the loaded image keeps the file's bytes (LoadedImage::encoded).
enum class KeepBytes { no, yes };

// Reads, checks and decodes one file. Errors (Error::code): not_found,
// is_directory, not_regular_file, unreadable, empty_file, too_large,
// unsupported_format, truncated, too_many_pixels, decode_failed.
// `min_side_hint` > 0 allows a reduced decode (JPEG DCT scaling by 2, 4 or 8)
// as long as the long side stays at or above the hint: for tools that only
// need an overview.
Expected<LoadedImage> loadImage(const std::filesystem::path& path, const ImageLimits& limits,
                                int min_side_hint = 0, Hash hash = Hash::yes, KeepBytes keep = KeepBytes::no);
Expected<LoadedImage> decodeImage(std::span<const std::uint8_t> bytes, const ImageLimits& limits,
                                  int min_side_hint = 0, Hash hash = Hash::yes);

// Loads the record's working image (see workingImagePath) and records the
// input's sha256 when the record has none (hashing only then: later tools in
// a pipeline do not hash again). Throws Failure on any error.
LoadedImage loadRecordImage(Json& record, const ImageLimits& limits, int min_side_hint = 0,
                            KeepBytes keep = KeepBytes::no);
inline cv::Mat loadWorkingImage(Json& record, const ImageLimits& limits) {
  return loadRecordImage(record, limits).bgr;
}

std::string sha256Hex(std::span<const std::uint8_t> bytes);

}  // namespace idkit
