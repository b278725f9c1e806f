// libFuzzer target: idkit::aamva::parse must never crash, hang or read out of
// bounds on any byte string, and what it returns must serialise to JSON.
#include <idkit/aamva.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  (void)idkit::aamva::looksLikeAamva(payload);
  if (auto r = idkit::aamva::parse(payload)) {
    // Raw element values may hold invalid UTF-8: replace rather than throw.
    (void)r->toJson().dump(-1, ' ', false, idkit::Json::error_handler_t::replace);
  }
  return 0;
}
