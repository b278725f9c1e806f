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

// Test cases started and skipped in this process (main.cpp turns a run whose
// every case skipped into ctest's skip status).
inline int& casesStarted() {
  static int n = 0;
  return n;
}
inline int& casesSkipped() {
  static int n = 0;
  return n;
}
inline std::filesystem::path binDir() { return IDKIT_BIN_DIR; }

}  // namespace idkit::test

// Ends the test case as skipped, with a visible warning saying why.
#define SKIP_CASE(why)                   \
  do {                                   \
    WARN("SKIPPED: " why);               \
    SUCCEED("skipped");                  \
    ++::idkit::test::casesSkipped();     \
    return;                              \
  } while (false)

#define REQUIRE_SHARED(var)                                                        \
  auto var##_opt = ::idkit::test::sharedDir();                                     \
  if (!var##_opt) SKIP_CASE("../shared not found (set IDKIT_SHARED); test data absent"); \
  const std::filesystem::path var = *var##_opt
