// Check-digit-driven correction of OCR readings (see docs/mrz.md).
#include <idkit/mrz.hpp>

#include "mrz_layout.hpp"

namespace idkit::mrz {

Expected<Result> correct(std::span<const LineCandidates>, const ParseOptions&) {
  return std::unexpected(Error{"mrz_not_implemented", "MRZ correction is not written yet"});
}

Expected<Result> repair(std::span<const std::string> lines, const ParseOptions& opts) {
  return parse(lines, opts);
}

}  // namespace idkit::mrz
