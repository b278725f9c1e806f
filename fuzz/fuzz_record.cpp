// libFuzzer target: a stdin stream read as the tools read it (line by line,
// each line a record or a reason why not), then the record helpers and the
// expected-record comparison on each record.
#include <cstdint>
#include <sstream>
#include <string>

#include <idkit/cli.hpp>
#include <idkit/expect.hpp>
#include <idkit/record.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  size_t line_no = 0;
  while (auto line = idkit::cli::readRecordLine(in, line_no)) {
    if (!line->record) {
      if (line->why.empty()) __builtin_trap();  // every refused line says why
      continue;
    }
    idkit::Json& r = *line->record;
    (void)idkit::recordStatus(r);
    (void)idkit::workingImagePath(r);
    (void)idkit::inputStem(r);
    (void)idkit::expect::compare(r, r);
    idkit::mergeStatus(r, idkit::Status::rejected);
    idkit::addError(r, "fuzz", "x", "y");
  }
  return 0;
}
