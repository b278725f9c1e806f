#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include <idkit/expect.hpp>

namespace idkit::expect {
namespace {

std::string keyPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

void walk(const Json& exp, const Json& act, const std::string& path, const std::string& key,
          double tol, const Tolerances& t, std::vector<Mismatch>& out) {
  if (exp.is_object()) {
    if (!act.is_object()) {
      out.push_back({path, exp, act, act.is_null() ? "missing" : "not an object"});
      return;
    }
    for (const auto& [k, v] : exp.items()) {
      if (path.empty() && k == "_tolerance") continue;
      std::string p = keyPath(path, k);
      auto it = act.find(k);
      if (it == act.end()) {
        out.push_back({p, v, nullptr, "missing"});
        continue;
      }
      double kt = t.by_key.count(k) ? t.lookup(k) : tol;
      walk(v, *it, p, k, kt, t, out);
    }
    return;
  }
  if (exp.is_array()) {
    if (!act.is_array()) {
      out.push_back({path, exp, act, "not an array"});
      return;
    }
    if (exp.size() != act.size()) {
      out.push_back({path, exp, act, fmt::format("length {} instead of {}", act.size(), exp.size())});
      return;
    }
    for (size_t i = 0; i < exp.size(); ++i)
      walk(exp[i], act[i], fmt::format("{}[{}]", path, i), key, tol, t, out);
    return;
  }
  if (exp.is_number() && act.is_number()) {
    double d = std::abs(exp.get<double>() - act.get<double>());
    if (d > tol)
      out.push_back({path, exp, act, tol > 1e-9 ? fmt::format("beyond tolerance {}", tol) : "differs"});
    return;
  }
  if (path == "input" && exp.is_string() && act.is_string()) {
    namespace fs = std::filesystem;
    if (fs::path(exp.get<std::string>()).filename() != fs::path(act.get<std::string>()).filename())
      out.push_back({path, exp, act, "differs"});
    return;
  }
  if (exp != act) out.push_back({path, exp, act, act.is_null() ? "missing" : "differs"});
}

}  // namespace

double Tolerances::lookup(const std::string& key) const {
  auto it = by_key.find(key);
  return it == by_key.end() ? default_abs : it->second;
}

std::vector<Mismatch> compare(const Json& expected, const Json& actual, Tolerances tol) {
  if (auto it = expected.find("_tolerance"); it != expected.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_number()) tol.by_key[k] = v.get<double>();
  std::vector<Mismatch> out;
  walk(expected, actual, "", "", tol.default_abs, tol, out);
  return out;
}

std::string describe(const std::vector<Mismatch>& mismatches, bool colour) {
  const char* red = colour ? "\033[31m" : "";
  const char* green = colour ? "\033[32m" : "";
  const char* reset = colour ? "\033[0m" : "";
  std::string s;
  for (const auto& m : mismatches) {
    s += fmt::format("  {}: {}\n", m.path, m.why);
    s += fmt::format("    {}- expected {}{}\n", green, m.expected.dump(), reset);
    s += fmt::format("    {}+ actual   {}{}\n", red, m.actual.dump(), reset);
  }
  return s;
}

Json toJson(const std::vector<Mismatch>& mismatches) {
  Json a = Json::array();
  for (const auto& m : mismatches)
    a.push_back({{"path", m.path}, {"expected", m.expected}, {"actual", m.actual}, {"why", m.why}});
  return a;
}

}  // namespace idkit::expect
