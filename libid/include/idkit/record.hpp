// The idkit record: one JSON object per document, one line of NDJSON.
// Tools add their own section and pass every other key through untouched.
#pragma once
#include <string>
#include <string_view>

#include <idkit/json.hpp>

namespace idkit {

inline constexpr int kRecordVersion = 1;

// Ordered from best to worst: merging keeps the worst.
enum class Status { ok = 0, rejected = 1, error = 2 };

std::string_view toString(Status s);
Status parseStatus(std::string_view s);  // unknown text counts as ok
inline Status worst(Status a, Status b) { return a > b ? a : b; }

// {"idkit": 1, "input": path}
Json newRecord(std::string_view input);

// An error record for something that never became a document (broken JSON line,
// unreadable path list entry).
Json errorRecord(std::string_view input, std::string_view tool, std::string_view code,
                 std::string_view message);

// Appends {"tool","code","message"} to record["errors"] and sets status to error.
void addError(Json& record, std::string_view tool, std::string_view code,
              std::string_view message);

// Merges `s` into record["status"], keeping the worse of the two.
void mergeStatus(Json& record, Status s);
Status recordStatus(const Json& record);

// The file the tools should work on: record["image"] when a tool before set
// one (id-deskew's flat card), else record["input"]; empty when neither.
std::string workingImagePath(const Json& record);

// "scans/a.card.png" -> "a.card"; used to pair files ({stem}) and samples.
std::string inputStem(const Json& record);

}  // namespace idkit
