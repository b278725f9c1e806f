// The ICAO state-code list the MRZ reader checks codes against.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../../libid/src/mrz_layout.hpp"

using namespace idkit::mrz::detail;

TEST_CASE("mrz states: sorted, unique, known codes", "[mrz][states]") {
  const auto codes = knownStates();
  CHECK(std::is_sorted(codes.begin(), codes.end()));
  CHECK(std::adjacent_find(codes.begin(), codes.end()) == codes.end());
  for (const char* c : {"UTO", "D", "D<<", "FRA", "GBR", "DEU", "XXA", "EUE", "UNO", "RKS", "ESP", "NLD"})
    CHECK(knownState(c));
  for (const char* c : {"UT0", "FPA", "QQQ", "", "<<<", "GBRR"}) CHECK_FALSE(knownState(c));
}
