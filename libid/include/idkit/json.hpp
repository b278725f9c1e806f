// The JSON type of idkit records: key order is kept so that records pass
// through every tool with the caller's keys where the caller put them.
#pragma once
#include <nlohmann/json.hpp>

namespace idkit {
using Json = nlohmann::ordered_json;
}
