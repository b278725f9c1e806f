// The JSON type of idkit records: key order is kept so that records pass
// through every tool with the caller's keys where the caller put them.
#pragma once
#include <string_view>

#include <nlohmann/json.hpp>

namespace idkit {
using Json = nlohmann::ordered_json;

// Records, templates, policies and key files nest a few levels. Text nested
// deeper than this is refused: nlohmann's parser keeps its own stack, but a
// copy or a dump of what it builds recurses once a level, and a line of a
// million '[' would overflow the stack of the tool that passes it on.
inline constexpr int kMaxJsonDepth = 100;

// Json::parse(text, nullptr, false) for text from outside: a discarded value
// when the text is not JSON or nests deeper than kMaxJsonDepth.
Json parseJson(std::string_view text);

// The deepest nesting of arrays and objects in `text` (brackets inside
// strings do not count); stops counting past `limit`.
int jsonDepth(std::string_view text, int limit = kMaxJsonDepth);
}  // namespace idkit
