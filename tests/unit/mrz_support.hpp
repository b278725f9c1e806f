// Helpers shared by the MRZ unit tests.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <idkit/mrz.hpp>

// A confident reading of `lines`: every position its character at 0.97 and
// a runner-up ('X', or 'Y' where the character is 'X') at 0.01.
inline std::vector<idkit::mrz::LineCandidates> sureReading(const std::vector<std::string>& lines) {
  std::vector<idkit::mrz::LineCandidates> out;
  for (const auto& l : lines) {
    idkit::mrz::LineCandidates lc;
    for (char c : l) lc.push_back({{c, 0.97f}, {c == 'X' ? 'Y' : 'X', 0.01f}});
    out.push_back(std::move(lc));
  }
  return out;
}

// A reading that is not valid because no check vouches for a cell: the
// legibility check fails.
inline void notLegible(const idkit::mrz::Result& r) {
  CHECK_FALSE(r.valid);
  CHECK_FALSE(r.check("legible"));
}
