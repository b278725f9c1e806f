// A small stand-in for libFuzzer's driver, so the fuzz targets also run with
// gcc (whose libstdc++ <expected> clang 14 cannot compile) and under ctest.
// Usage: fuzz_X [-runs=N] [-seed=S] [-max_len=L] [FILE|DIR]...
// Runs every seed file once, then N inputs made by mutating the seeds:
// byte flips, inserts, deletes, truncations, splices and runs of one byte.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

Bytes mutate(Bytes b, const std::vector<Bytes>& seeds, std::mt19937_64& rng, size_t maxLen) {
  auto pick = [&](size_t n) { return n ? size_t(rng() % n) : 0; };
  int edits = 1 + int(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 7) {
      case 0:  // flip bits
        if (!b.empty()) b[pick(b.size())] ^= std::uint8_t(1u << (rng() % 8));
        break;
      case 1:  // insert a byte (often a separator or filler)
        b.insert(b.begin() + std::ptrdiff_t(pick(b.size() + 1)),
                 std::uint8_t("<\n\r\x1e\x1c{}\"0A\xff\0"[rng() % 12]));
        break;
      case 2:  // delete a run
        if (!b.empty()) {
          size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(16, b.size() - at));
          b.erase(b.begin() + std::ptrdiff_t(at), b.begin() + std::ptrdiff_t(std::min(b.size(), at + n)));
        }
        break;
      case 3:  // truncate
        b.resize(pick(b.size() + 1));
        break;
      case 4: {  // splice another seed
        const Bytes& o = seeds[pick(seeds.size())];
        if (!o.empty()) {
          size_t from = pick(o.size());
          b.insert(b.begin() + std::ptrdiff_t(pick(b.size() + 1)), o.begin() + std::ptrdiff_t(from), o.end());
        }
        break;
      }
      case 5:  // random byte
        if (!b.empty()) b[pick(b.size())] = std::uint8_t(rng());
        break;
      case 6:  // a run of one byte
        b.insert(b.begin() + std::ptrdiff_t(pick(b.size() + 1)), 1 + pick(64), std::uint8_t(rng()));
        break;
    }
  }
  if (b.size() > maxLen) b.resize(maxLen);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  unsigned long long seed = 1;
  size_t maxLen = 1 << 16;
  std::vector<Bytes> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-runs=", 0) == 0) runs = std::stol(a.substr(6));
    else if (a.rfind("-seed=", 0) == 0) seed = std::stoull(a.substr(6));
    else if (a.rfind("-max_len=", 0) == 0) maxLen = std::stoul(a.substr(9));
    else if (a.rfind("-", 0) == 0) continue;  // libFuzzer flags we do not know
    else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) seeds.push_back(readFile(e.path()));
    } else {
      seeds.push_back(readFile(a));
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) {
    Bytes in = mutate(seeds[rng() % seeds.size()], seeds, rng, maxLen);
    LLVMFuzzerTestOneInput(in.data(), in.size());
  }
  std::printf("fuzz: %zu seeds and %ld mutated inputs, no crash\n", seeds.size(), runs);
  return 0;
}
