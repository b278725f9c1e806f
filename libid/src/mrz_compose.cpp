// Composition of MRZ lines from fields (see docs/mrz.md).
#include <idkit/mrz.hpp>

#include "mrz_layout.hpp"

namespace idkit::mrz {

std::vector<std::string> compose(Format f, const Fields&) {
  std::vector<std::string> out;
  for (int n : lineLengths(f)) out.emplace_back(static_cast<std::size_t>(n), '<');
  return out;
}

Fields fieldsOf(const Result&) { return {}; }

std::string transliterate(std::string_view utf8) { return std::string(utf8); }

}  // namespace idkit::mrz
