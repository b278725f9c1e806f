// Comparing a record with its expected record, field by field: what
// id-expect runs in CI over sample documents.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <idkit/json.hpp>

namespace idkit::expect {

struct Mismatch {
  std::string path;  // "mrz.fields.surname", "document.quad[2][0]"
  Json expected;     // null when the key is missing on that side
  Json actual;
  std::string why;   // "differs", "missing", "length", "beyond tolerance 8"
};

// Absolute tolerances for numbers, by the last key on the path ("quad",
// "similarity"). Everything else, and all text, compares exactly.
struct Tolerances {
  std::map<std::string, double> by_key = {
      {"quad", 12.0},       {"box", 12.0},   {"landmarks", 12.0}, {"rotation", 0.0},
      {"confidence", 0.1},  {"score", 0.1},  {"similarity", 0.05}, {"sharpness", 1e9},
      {"timing_ms", 1e12},
  };
  double default_abs = 1e-9;
  double lookup(const std::string& key) const;
};

// Keys of `expected` only: keys absent from the expected record are ignored.
// A top-level "_tolerance" object in `expected` overrides tolerances by key.
// "input" compares by file name, so samples match wherever they are run from.
std::vector<Mismatch> compare(const Json& expected, const Json& actual, Tolerances tol = {});

// A readable diff, one line a mismatch.
std::string describe(const std::vector<Mismatch>& mismatches, bool colour = false);

Json toJson(const std::vector<Mismatch>& mismatches);

}  // namespace idkit::expect
