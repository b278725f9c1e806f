// libFuzzer target: a stdin line as a record, then the record helpers and the
// expected-record comparison on it.
#include <cstdint>
#include <string>

#include <idkit/expect.hpp>
#include <idkit/record.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  idkit::Json r = idkit::Json::parse(line, nullptr, false);
  if (r.is_discarded() || !r.is_object()) return 0;
  (void)idkit::recordStatus(r);
  (void)idkit::workingImagePath(r);
  (void)idkit::inputStem(r);
  (void)idkit::expect::compare(r, r);
  idkit::mergeStatus(r, idkit::Status::rejected);
  idkit::addError(r, "fuzz", "x", "y");
  return 0;
}
