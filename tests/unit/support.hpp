// Helpers shared by the unit tests: where the test data beside the repo is.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace idkit::test {

// ../shared beside the checkout (or $IDKIT_SHARED). Tests that need it call
// REQUIRE_SHARED() and are skipped, with a visible warning, when it is absent.
inline std::optional<std::filesystem::path> sharedDir() {
  if (const char* env = std::getenv("IDKIT_SHARED"); env && *env) {
    if (std::filesystem::is_directory(env)) return std::filesystem::path(env);
    return std::nullopt;
  }
  auto p = std::filesystem::path(IDKIT_SOURCE_DIR) / ".." / "shared";
  if (std::filesystem::is_directory(p / "data")) return std::filesystem::weakly_canonical(p);
  return std::nullopt;
}

inline std::filesystem::path sourceDir() { return IDKIT_SOURCE_DIR; }
inline std::filesystem::path binDir() { return IDKIT_BIN_DIR; }

}  // namespace idkit::test

#define REQUIRE_SHARED(var)                                                   \
  auto var##_opt = ::idkit::test::sharedDir();                                \
  if (!var##_opt) {                                                           \
    WARN("SKIPPED: ../shared not found (set IDKIT_SHARED); test data absent"); \
    return;                                                                   \
  }                                                                           \
  const std::filesystem::path var = *var##_opt
