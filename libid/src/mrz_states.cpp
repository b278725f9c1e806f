// Issuing states and nationalities an MRZ may carry (ICAO Doc 9303 part 3,
// section 5: ISO 3166-1 alpha-3 codes plus the ICAO-only codes). No check
// digit covers these three letters, so the list is what tells a misread
// code ("FPA", "UT0") from a real one.
#include <algorithm>
#include <iterator>
#include <limits>
#include <span>
#include <string_view>

#include "mrz_layout.hpp"

namespace idkit::mrz::detail {

namespace {

// Sorted, so that a lookup is a binary search (checked by a unit test).
// Besides ISO 3166-1: D (Germany), EUE, GBD/GBN/GBO/GBP/GBS, RKS/XKX
// (Kosovo), UNA/UNK/UNO, UTO (specimens), XBA..XXX (organisations,
// stateless, refugees); and codes of states that no longer exist but whose
// documents are still read: ANT, NTZ, ROM, SCG, TMP, YUG, ZAR.
constexpr std::string_view kStates[] = {
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ANT", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG",
    "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR",
    "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN",
    "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE",
    "D",   "DEU", "DJI", "DMA", "DNK", "DOM", "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "EUE",
    "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBD", "GBN", "GBO", "GBP", "GBR", "GBS", "GEO", "GGY",
    "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY", "HKG",
    "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR",
    "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV",
    "MEX", "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI",
    "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NTZ", "NZL",
    "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF",
    "QAT", "REU", "RKS", "ROM", "ROU", "RUS", "RWA", "SAU", "SCG", "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB",
    "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC",
    "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TMP", "TON", "TTO", "TUN", "TUR", "TUV",
    "TWN", "TZA", "UGA", "UKR", "UMI", "UNA", "UNK", "UNO", "URY", "USA", "UTO", "UZB", "VAT", "VCT", "VEN",
    "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "XBA", "XCC", "XCE", "XCO", "XDC", "XEC", "XES", "XIM", "XKX",
    "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX", "YEM", "YUG", "ZAF", "ZAR", "ZMB", "ZWE",
};

}  // namespace

std::span<const std::string_view> knownStates() { return kStates; }

bool knownState(std::string_view code) {
  // Trailing fillers are no part of the code ("D<<" is Germany).
  while (!code.empty() && code.back() == '<') code.remove_suffix(1);
  return std::binary_search(std::begin(kStates), std::end(kStates), code);
}

std::optional<std::string> likeliestState(const std::function<double(std::size_t, char)>& cost, std::string_view read,
                                          const StateLimits& limits) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  double best = inf, second = inf;
  std::string pick;
  for (const std::string_view known : kStates) {
    std::string code(known);
    code.resize(3, '<');
    double sum = 0;
    int changed = 0;
    for (std::size_t k = 0; k < 3 && sum < inf; ++k) {
      sum += cost(k, code[k]);
      changed += k >= read.size() || code[k] != read[k];
    }
    if (sum == inf || changed > limits.max_changed) continue;
    if (sum < best) second = best, best = sum, pick = code;
    else if (sum < second) second = sum;
  }
  if (pick.empty() || best > limits.max_cost || second - best < limits.margin) return std::nullopt;
  return pick;
}

}  // namespace idkit::mrz::detail
