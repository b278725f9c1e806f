#include <idkit/paths.hpp>

#include <cstdlib>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace idkit {

fs::path executablePath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p;
}

std::vector<fs::path> dataDirs() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("IDKIT_DATA"); env && *env) candidates.emplace_back(env);
  if (fs::path exe = executablePath(); !exe.empty())
    candidates.push_back(exe.parent_path().parent_path() / "share" / "idkit");
#ifdef IDKIT_SOURCE_DIR
  candidates.push_back(fs::path(IDKIT_SOURCE_DIR) / "data");
#endif
  std::vector<fs::path> out;
  for (auto& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c, ec)) out.push_back(std::move(c));
  }
  return out;
}

std::optional<fs::path> findData(std::string_view relative) {
  for (const fs::path& dir : dataDirs()) {
    std::error_code ec;
    fs::path p = dir / fs::path(std::string(relative));
    if (fs::exists(p, ec)) return p;
  }
  return std::nullopt;
}

}  // namespace idkit
