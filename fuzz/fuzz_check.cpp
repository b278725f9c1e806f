// libFuzzer target: a record line of any shape through id-check's verdict and claims.
#include <cstdint>
#include <string>

#include <idkit/json.hpp>
#include <idkit/check.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  idkit::Json r = idkit::parseJson(line);
  if (r.is_discarded() || !r.is_object()) return 0;
  idkit::check::Options opts;
  opts.as_of = "2025-06-01";
  opts.min_age = 18;
  const auto result = idkit::check::evaluate(r, opts);
  (void)idkit::check::claims(r, result, {"ref"});
  (void)result.toJson().dump(-1, ' ', false, idkit::Json::error_handler_t::replace);
  return 0;
}
