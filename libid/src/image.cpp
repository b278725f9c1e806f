#include <algorithm>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <sodium.h>

#include <idkit/codec.hpp>
#include <idkit/image.hpp>
#include <idkit/record.hpp>

namespace idkit {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint32_t be16(Bytes b, size_t o) { return (b[o] << 8) | b[o + 1]; }
std::uint32_t be32(Bytes b, size_t o) { return (be16(b, o) << 16) | be16(b, o + 2); }
std::uint32_t le16(Bytes b, size_t o) { return b[o] | (b[o + 1] << 8); }
std::uint32_t le24(Bytes b, size_t o) { return le16(b, o) | (b[o + 2] << 16); }
std::uint32_t le32(Bytes b, size_t o) { return le16(b, o) | (le16(b, o + 2) << 16); }

bool startsWith(Bytes b, std::initializer_list<std::uint8_t> magic, size_t at = 0) {
  if (b.size() < at + magic.size()) return false;
  size_t i = at;
  for (auto m : magic)
    if (b[i++] != m) return false;
  return true;
}

Error truncatedHeader(std::string_view what) {
  return {"truncated", fmt::format("the {} header is cut short", what)};
}

Expected<ImageHeader> jpegHeader(Bytes b) {
  // Walk the marker segments up to the first start-of-frame.
  size_t o = 2;
  while (o + 4 <= b.size()) {
    if (b[o] != 0xFF) return std::unexpected(Error{"truncated", "JPEG marker stream is corrupt"});
    std::uint8_t m = b[o + 1];
    if (m == 0xFF) { ++o; continue; }            // fill byte
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { o += 2; continue; }
    if (m == 0xD9 || m == 0xDA) break;            // end or scan before any frame
    std::uint32_t len = be16(b, o + 2);
    if (len < 2) return std::unexpected(Error{"truncated", "JPEG segment length is invalid"});
    bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (o + 10 > b.size()) return std::unexpected(truncatedHeader("JPEG"));
      ImageHeader h{ImageFormat::jpeg, int(be16(b, o + 7)), int(be16(b, o + 5)), b[o + 9], b[o + 4]};
      return h;
    }
    o += 2 + len;
  }
  return std::unexpected(truncatedHeader("JPEG"));
}

Expected<ImageHeader> pngHeader(Bytes b) {
  if (b.size() < 29 || !startsWith(b, {'I', 'H', 'D', 'R'}, 12))
    return std::unexpected(truncatedHeader("PNG"));
  static constexpr int kChannels[] = {1, 0, 3, 3, 2, 0, 4};  // by colour type
  int colour = b[25];
  int channels = colour <= 6 ? kChannels[colour] : 0;
  ImageHeader h{ImageFormat::png, int(std::min<std::uint32_t>(be32(b, 16), INT32_MAX)),
                int(std::min<std::uint32_t>(be32(b, 20), INT32_MAX)), channels, b[24]};
  return h;
}

Expected<ImageHeader> tiffHeader(Bytes b) {
  bool little = b[0] == 'I';
  auto u16 = [&](size_t o) { return little ? le16(b, o) : be16(b, o); };
  auto u32 = [&](size_t o) { return little ? le32(b, o) : be32(b, o); };
  if (b.size() < 8) return std::unexpected(truncatedHeader("TIFF"));
  std::uint32_t ifd = u32(4);
  if (ifd + 2 > b.size()) return std::unexpected(truncatedHeader("TIFF"));
  std::uint32_t n = u16(ifd);
  ImageHeader h{ImageFormat::tiff, 0, 0, 0, 8};
  for (std::uint32_t i = 0; i < n; ++i) {
    size_t e = ifd + 2 + 12 * size_t(i);
    if (e + 12 > b.size()) return std::unexpected(truncatedHeader("TIFF"));
    std::uint32_t tag = u16(e), type = u16(e + 2);
    std::uint32_t value = type == 3 ? u16(e + 8) : u32(e + 8);  // SHORT or LONG
    if (tag == 256) h.width = int(std::min<std::uint32_t>(value, INT32_MAX));
    if (tag == 257) h.height = int(std::min<std::uint32_t>(value, INT32_MAX));
    if (tag == 258) h.bit_depth = int(value);
    if (tag == 277) h.channels = int(value);
  }
  if (h.width <= 0 || h.height <= 0)
    return std::unexpected(Error{"truncated", "TIFF has no image width/height tags"});
  return h;
}

Expected<ImageHeader> webpHeader(Bytes b) {
  if (b.size() < 30) return std::unexpected(truncatedHeader("WebP"));
  ImageHeader h{ImageFormat::webp, 0, 0, 3, 8};
  if (startsWith(b, {'V', 'P', '8', ' '}, 12)) {
    if (!startsWith(b, {0x9D, 0x01, 0x2A}, 23))
      return std::unexpected(Error{"truncated", "WebP VP8 frame header is corrupt"});
    h.width = int(le16(b, 26) & 0x3FFF);
    h.height = int(le16(b, 28) & 0x3FFF);
  } else if (startsWith(b, {'V', 'P', '8', 'L'}, 12)) {
    std::uint32_t bits = le32(b, 21);
    h.width = int((bits & 0x3FFF) + 1);
    h.height = int(((bits >> 14) & 0x3FFF) + 1);
    h.channels = 4;
  } else if (startsWith(b, {'V', 'P', '8', 'X'}, 12)) {
    h.width = int(le24(b, 24) + 1);
    h.height = int(le24(b, 27) + 1);
  } else {
    return std::unexpected(Error{"unsupported_format", "WebP file holds no known image chunk"});
  }
  return h;
}

// A JPEG is complete when its marker stream reaches EOI: the segments are
// walked by their lengths (an EXIF thumbnail's own EOI is inside one) and each
// scan's entropy-coded data up to the next marker (0xFF then neither a 0x00
// stuffing byte nor a restart marker). Bytes after EOI (cameras and tools
// append some, some pad to a block) are not part of the image.
bool jpegComplete(Bytes b) {
  size_t o = 2;
  while (o + 2 <= b.size()) {
    if (b[o] != 0xFF) return false;
    const std::uint8_t m = b[o + 1];
    if (m == 0xFF) { ++o; continue; }  // fill byte
    if (m == 0xD9) return true;
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { o += 2; continue; }
    if (o + 4 > b.size()) return false;
    const size_t len = be16(b, o + 2);
    if (len < 2) return false;
    o += 2 + len;
    if (m != 0xDA) continue;
    // Entropy-coded data after the scan header: find the next real marker.
    for (;;) {
      const void* ff = std::memchr(b.data() + o, 0xFF, b.size() - std::min(o, b.size()));
      if (!ff) return false;
      o = static_cast<size_t>(static_cast<const std::uint8_t*>(ff) - b.data());
      if (o + 1 >= b.size()) return false;
      const std::uint8_t next = b[o + 1];
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
        o += next == 0xFF ? 1 : 2;
        continue;
      }
      break;
    }
  }
  return false;
}

// Formats whose end we can check cheaply: refuse a cut-off file instead of
// letting the decoder fill the missing part with grey.
bool looksComplete(Bytes b, ImageFormat f) {
  size_t n = b.size();
  while (n > 0 && (b[n - 1] == 0x00 || b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' ')) --n;
  if (f == ImageFormat::jpeg) return (n >= 2 && b[n - 2] == 0xFF && b[n - 1] == 0xD9) || jpegComplete(b);
  if (f == ImageFormat::png) return n >= 12 && startsWith(b, {'I', 'E', 'N', 'D'}, n - 8);
  if (f == ImageFormat::webp) return b.size() >= 8 && le32(b, 4) + 8 <= b.size();
  return true;
}

}  // namespace

std::string_view toString(ImageFormat f) {
  switch (f) {
    case ImageFormat::jpeg: return "jpeg";
    case ImageFormat::png: return "png";
    case ImageFormat::tiff: return "tiff";
    case ImageFormat::webp: return "webp";
    case ImageFormat::unknown: break;
  }
  return "unknown";
}

Expected<ImageHeader> readImageHeader(Bytes b) {
  if (b.empty()) return std::unexpected(Error{"empty_file", "the file is empty"});
  if (startsWith(b, {0xFF, 0xD8, 0xFF})) return jpegHeader(b);
  if (startsWith(b, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) return pngHeader(b);
  if (startsWith(b, {'I', 'I', 42, 0}) || startsWith(b, {'M', 'M', 0, 42})) return tiffHeader(b);
  if (startsWith(b, {'R', 'I', 'F', 'F'}) && startsWith(b, {'W', 'E', 'B', 'P'}, 8))
    return webpHeader(b);
  return std::unexpected(
      Error{"unsupported_format", "not a JPEG, PNG, TIFF or WebP image (checked from its header)"});
}

Expected<ImageHeader> checkImage(Bytes bytes, const ImageLimits& limits) {
  auto h = readImageHeader(bytes);
  if (!h) return h;
  if (h->width <= 0 || h->height <= 0)
    return std::unexpected(Error{"truncated", "the header gives no pixel size"});
  std::uint64_t pixels = std::uint64_t(h->width) * std::uint64_t(h->height);
  if (h->width > limits.max_side || h->height > limits.max_side || pixels > limits.max_pixels)
    return std::unexpected(Error{
        "too_many_pixels",
        fmt::format("{}x{} px exceeds the limit ({} px a side, {:.0f} MP); refused before decoding",
                    h->width, h->height, limits.max_side, double(limits.max_pixels) / 1e6)});
  if (!looksComplete(bytes, h->format))
    return std::unexpected(
        Error{"truncated", fmt::format("the {} file is cut short", toString(h->format))});
  return h;
}

Expected<LoadedImage> decodeImage(Bytes bytes, const ImageLimits& limits, int min_side_hint, Hash hash) {
  if (bytes.size() > limits.max_bytes)
    return std::unexpected(Error{"too_large", fmt::format("{} bytes exceeds the {} byte limit",
                                                          bytes.size(), limits.max_bytes)});
  auto h = checkImage(bytes, limits);
  if (!h) return std::unexpected(h.error());
  LoadedImage img;
  img.header = *h;
  img.bytes = bytes.size();
  if (hash == Hash::yes) img.sha256 = sha256Hex(bytes);
  codec::DecodeOptions opts;
  const int side = std::max(h->width, h->height);
  if (min_side_hint > 0 && h->format == ImageFormat::jpeg)
    for (int r : {8, 4, 2})
      if (side / r >= min_side_hint) {
        opts.reduce = r;
        break;
      }
  opts.apply_orientation = false;  // applied here: the size on record needs it too
  auto decoded = codec::decode(bytes, h->format, opts);
  if (!decoded) return std::unexpected(decoded.error());
  if (decoded->empty()) return std::unexpected(Error{"decode_failed", "the image data could not be decoded"});
  const int orientation = h->format == ImageFormat::jpeg ? codec::exifOrientation(bytes) : 1;
  img.bgr = codec::applyOrientation(*decoded, orientation);
  // A quarter turn swaps the header's size, which is before the turn.
  img.size = orientation >= 5 ? cv::Size(h->height, h->width) : cv::Size(h->width, h->height);
  return img;
}

Expected<LoadedImage> loadImage(const std::filesystem::path& path, const ImageLimits& limits,
                                int min_side_hint, Hash hash, KeepBytes keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return std::unexpected(Error{"not_found", fmt::format("{}: no such file", path.string())});
  if (fs::is_directory(st))
    return std::unexpected(Error{"is_directory", fmt::format("{}: is a directory", path.string())});
  if (!fs::is_regular_file(st))
    return std::unexpected(
        Error{"not_regular_file", fmt::format("{}: not a regular file", path.string())});
  auto size = fs::file_size(path, ec);
  if (ec) return std::unexpected(Error{"unreadable", fmt::format("{}: {}", path.string(), ec.message())});
  if (size > limits.max_bytes)
    return std::unexpected(Error{"too_large", fmt::format("{}: {} bytes exceeds the {} byte limit",
                                                          path.string(), size, limits.max_bytes)});
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(Error{"unreadable", fmt::format("{}: cannot open for reading", path.string())});
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size));
  if (!in && size > 0)
    return std::unexpected(Error{"unreadable", fmt::format("{}: read failed", path.string())});
  auto img = decodeImage(bytes, limits, min_side_hint, hash);
  if (!img) {
    Error e = img.error();
    e.message = fmt::format("{}: {}", path.string(), e.message);
    return std::unexpected(e);
  }
  if (keep == KeepBytes::yes) img->encoded = std::move(bytes);
  return img;
}

LoadedImage loadRecordImage(Json& record, const ImageLimits& limits, int min_side_hint, KeepBytes keep) {
  std::string path = workingImagePath(record);
  if (path.empty()) throw Failure("missing_input", "the record has neither \"image\" nor \"input\"");
  const bool record_hash = !record.contains("sha256") && path == record.value("input", std::string());
  auto img = loadImage(path, limits, min_side_hint, record_hash ? Hash::yes : Hash::no, keep);
  if (!img) throw Failure(img.error());
  if (record_hash) record["sha256"] = img->sha256;
  return std::move(*img);
}

std::string sha256Hex(Bytes bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest, '0');
  for (size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace idkit
