// libFuzzer target for idkit::mrz: arbitrary bytes as MRZ text through
// parse, repair and correct (with the bytes also as candidate scores), then
// compose from whatever was parsed. Nothing may crash or hang.
#include <idkit/mrz.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idkit::mrz;
  if (size > 4096) return 0;  // an MRZ is at most 132 characters; keep runs fast
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lines = splitLines(text);

  if (auto r = parse(lines)) {
    (void)r->toJson().dump();
    (void)compose(r->format, fieldsOf(*r));
  }
  if (auto r = repair(lines)) (void)r->toJson().dump();

  // Candidates: each character with its byte as score, the next byte as a
  // second candidate.
  std::vector<LineCandidates> cands;
  for (const auto& l : lines) {
    LineCandidates lc;
    for (std::size_t i = 0; i < l.size(); ++i) {
      PositionCandidates pc{{l[i], static_cast<float>(static_cast<unsigned char>(l[i]))}};
      if (i + 1 < l.size()) pc.push_back({l[i + 1], static_cast<float>(i % 7) / 7.0f});
      lc.push_back(std::move(pc));
    }
    cands.push_back(std::move(lc));
  }
  if (auto r = correct(cands)) (void)r->toJson().dump();
  for (Format f : {Format::TD1, Format::TD3, Format::FrenchID}) {
    ParseOptions o;
    o.format = f;
    if (auto r = correct(cands, o)) (void)r->toJson().dump();
  }
  (void)transliterate(text);
  return 0;
}
