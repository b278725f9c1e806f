// libFuzzer target: the configuration files a user may hand idkit — a layout
// template (id-ocr --templates) and a check policy (id-check --policy) — of
// any shape. Either parses or returns its error; nothing throws or crashes.
// Byte mutations mostly break the JSON syntax, so when the input parses, its
// last bytes also steer structural ones: a node of the document (counted in
// pre-order) is replaced by a value of another type.
#include <cstdint>
#include <string>
#include <vector>

#include <idkit/json.hpp>
#include <idkit/check.hpp>
#include <idkit/ocr.hpp>

namespace {

void parseBoth(const idkit::Json& j) {
  (void)idkit::ocr::Template::fromJson(j, "fuzz");
  (void)idkit::check::Policy::parse(j.dump());
}

void nodes(idkit::Json& j, std::vector<idkit::Json*>& out) {
  out.push_back(&j);
  if (j.is_structured())
    for (auto& v : j) nodes(v, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)idkit::check::Policy::parse(text);
  const idkit::Json j = idkit::parseJson(text);
  if (j.is_discarded()) return 0;
  (void)idkit::ocr::Template::fromJson(j, "fuzz");
  const idkit::Json hostile[] = {nullptr, -1, 0, 1e308, -1e308, 18446744073709551615ull, "", "(((", "ID1",
                                 idkit::Json::array(), idkit::Json::object(), idkit::Json::array({1, 2, 3, 4}),
                                 true};
  for (size_t k = 0; k + 1 < size && k < 16; k += 2) {
    idkit::Json m = j;
    std::vector<idkit::Json*> all;
    nodes(m, all);
    *all[data[size - 1 - k] % all.size()] = hostile[data[size - 2 - k] % std::size(hostile)];
    parseBoth(m);
  }
  return 0;
}
