// Helpers shared by the MRZ unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <idkit/mrz.hpp>
#include <idkit/synth.hpp>

// Photo `index` of `id-synth -t TYPE -c photo --seed SEED`: its first side.
inline idkit::synth::Specimen seedPhoto(std::uint64_t seed, idkit::synth::DocType type, std::uint64_t index) {
  idkit::synth::Options o;
  o.type = type;
  o.capture = idkit::synth::Capture::photo;
  o.seed = seed;
  return idkit::synth::generate(o, index).at(0);
}

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
