// libFuzzer target: untrusted image bytes through the header checks and, when
// they pass with small limits, the decoder.
#include <cstdint>
#include <span>

#include <idkit/image.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  idkit::ImageLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_side = 4000;
  std::span<const std::uint8_t> bytes(data, size);
  (void)idkit::readImageHeader(bytes);
  (void)idkit::decodeImage(bytes, limits);
  return 0;
}
