// Where idkit finds its run-time data files (templates, policies, label lists).
#pragma once
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace idkit {

// Data directories, in the order they are searched: $IDKIT_DATA, then
// <exe>/../share/idkit (the build tree and an installed prefix), then the
// source tree's data/ (IDKIT_SOURCE_DIR, for tests run from anywhere).
// Only directories that exist are listed.
std::vector<std::filesystem::path> dataDirs();

// The first data directory holding `relative` ("templates", "policy/default.json").
std::optional<std::filesystem::path> findData(std::string_view relative);

// The running executable (/proc/self/exe), empty when unknown.
std::filesystem::path executablePath();

}  // namespace idkit
