// libFuzzer target: untrusted image bytes through the header checks and, when
// they pass with small limits, the decoders (also on cut files), whole and
// over a region as id-deskew decodes a card at full size.
#include <cstdint>
#include <span>

#include <idkit/codec.hpp>
#include <idkit/deskew.hpp>
#include <idkit/image.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  idkit::ImageLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_side = 4000;
  std::span<const std::uint8_t> bytes(data, size);
  (void)idkit::readImageHeader(bytes);
  (void)idkit::decodeImage(bytes, limits);
  // The decoders themselves, past the completeness check (a cut file must
  // fail cleanly too), when the header's size is small.
  (void)idkit::codec::exifOrientation(bytes);
  if (auto h = idkit::checkImage(bytes, limits); h || (h.error().code == "truncated" && size > 16)) {
    auto header = idkit::readImageHeader(bytes);
    if (header && std::uint64_t(header->width) * std::uint64_t(header->height) <= limits.max_pixels &&
        header->width <= limits.max_side && header->height <= limits.max_side) {
      (void)idkit::codec::decode(bytes, {.reduce = 2});
      // A region inside the image (the JPEG path crops columns to whole
      // blocks and stops after the region's last row).
      int w = int(header->width), h = int(header->height);
      if (w >= 2 && h >= 2) (void)idkit::deskew::decodeRegion(bytes, cv::Rect(w / 4, h / 3, w / 2, h / 2), limits);
    }
  }
  return 0;
}
