// id-expect: compare records with DIR/STEM.expected.json; exit 1 on any mismatch.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include <idkit/cli.hpp>
#include <idkit/expect.hpp>

namespace fs = std::filesystem;
using idkit::Json;

int main(int argc, char** argv) {
  CLI::App app{"Compare idkit records (stdin) with expected records DIR/STEM.expected.json"};
  app.set_version_flag("--version", std::string("idkit ") + IDKIT_VERSION);
  std::string dir;
  bool complete = false, quiet = false, pretty = false, allowMissing = false;
  std::vector<std::string> tolerances;
  app.add_option("dir", dir, "Folder holding STEM.expected.json files")->required()->check(CLI::ExistingDirectory);
  app.add_flag("--complete", complete, "Every expected file must be matched by a record");
  app.add_flag("--allow-missing", allowMissing, "Records without an expected file are not mismatches");
  app.add_option("--tolerance", tolerances, "KEY=ABS absolute tolerance for numbers under KEY (repeatable)");
  app.add_flag("--pretty", pretty, "Indent the JSON output");
  app.add_flag("-q,--quiet", quiet, "No diff on stderr");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  idkit::expect::Tolerances tol;
  for (const auto& t : tolerances) {
    auto eq = t.find('=');
    try {
      if (eq == std::string::npos) throw std::invalid_argument(t);
      tol.by_key[t.substr(0, eq)] = std::stod(t.substr(eq + 1));
    } catch (const std::exception&) {
      fmt::print(stderr, "id-expect: --tolerance wants KEY=NUMBER, got '{}'\n", t);
      return idkit::cli::kExitUsage;
    }
  }
  if (isatty(STDIN_FILENO)) {
    fmt::print(stderr, "id-expect: pipe records on stdin\n");
    return idkit::cli::kExitUsage;
  }

  bool colour = idkit::cli::useColor();
  std::set<std::string> seen;
  size_t matched = 0, differed = 0;
  size_t lineNo = 0;
  while (auto line = idkit::cli::readRecordLine(std::cin, lineNo)) {
    Json result = {{"input", nullptr}, {"expected", nullptr}, {"match", false}};
    std::vector<idkit::expect::Mismatch> mismatches;
    std::string problem;
    if (!line->record) {
      problem = fmt::format("stdin line {} {}", line->number, line->why);
    } else {
      const Json& rec = *line->record;
      result["input"] = rec.value("input", Json(nullptr));
      fs::path exp = fs::path(dir) / (idkit::inputStem(rec) + ".expected.json");
      result["expected"] = exp.string();
      seen.insert(exp.filename().string());
      std::ifstream in(exp);
      if (!in) {
        if (allowMissing) {
          result["match"] = true;
          result["note"] = "no expected file";
          idkit::cli::writeRecord(result, pretty);
          continue;
        }
        problem = fmt::format("no expected file {}", exp.string());
      } else {
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        Json expected = idkit::parseJson(text);
        if (expected.is_discarded())
          problem = fmt::format("{} is not valid JSON (or nests deeper than {} levels)", exp.string(), idkit::kMaxJsonDepth);
        else mismatches = idkit::expect::compare(expected, rec, tol);
      }
    }
    bool ok = problem.empty() && mismatches.empty();
    result["match"] = ok;
    if (!problem.empty()) result["problem"] = problem;
    if (!mismatches.empty()) result["mismatches"] = idkit::expect::toJson(mismatches);
    idkit::cli::writeRecord(result, pretty);
    ok ? ++matched : ++differed;
    if (!ok && !quiet) {
      std::string name = result["input"].is_string() ? result["input"].get<std::string>() : "?";
      fmt::print(stderr, "{}MISMATCH{} {}\n", colour ? "\033[1;31m" : "", colour ? "\033[0m" : "", name);
      if (!problem.empty()) fmt::print(stderr, "  {}\n", problem);
      fmt::print(stderr, "{}", idkit::expect::describe(mismatches, colour));
    }
  }
  if (complete) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.ends_with(".expected.json") && !seen.count(name)) {
        ++differed;
        if (!quiet) fmt::print(stderr, "MISSING record for {}\n", e.path().string());
        idkit::cli::writeRecord({{"input", nullptr}, {"expected", e.path().string()}, {"match", false},
                                 {"problem", "no record for this expected file"}}, pretty);
      }
    }
  }
  if (!quiet) fmt::print(stderr, "id-expect: {} matched, {} differ\n", matched, differed);
  return differed ? idkit::cli::kExitRejected : idkit::cli::kExitOk;
}
