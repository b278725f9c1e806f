// PDF417 codewords and Reed-Solomon error correction over GF(929)
// (idkit::barcode::pdf417::correct, correctGrey).
#include <catch2/catch.hpp>
#include <idkit/barcode.hpp>

#include <random>
#include <set>

#include <opencv2/imgproc.hpp>

#include "barcode_scene.hpp"

namespace barcode = idkit::barcode;
namespace pdf417 = idkit::barcode::pdf417;

namespace {

std::vector<int> randomSymbol(std::mt19937& rng, int dataCount, int k) {
  std::uniform_int_distribution<int> cw(0, 928);
  std::vector<int> data(static_cast<size_t>(dataCount));
  for (int& v : data) v = cw(rng);
  data[0] = dataCount;
  const auto ec = pdf417::ecCodewords(data, k);
  REQUIRE(static_cast<int>(ec.size()) == k);
  data.insert(data.end(), ec.begin(), ec.end());
  return data;
}

// `count` distinct positions of a symbol of n codewords.
std::vector<int> positions(std::mt19937& rng, int n, int count) {
  std::vector<int> all(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(static_cast<size_t>(count));
  return all;
}

void damage(std::vector<int>& c, std::span<const int> at, std::mt19937& rng) {
  std::uniform_int_distribution<int> by(1, 928);
  for (int p : at) c[static_cast<size_t>(p)] = (c[static_cast<size_t>(p)] + by(rng)) % 929;
}

// `payload` as ZXing's writer draws it (ECC level 5: 64 check codewords, 3 px
// modules), with a margin.
cv::Mat drawnSymbol(const std::string& payload) {
  cv::Mat padded;
  cv::copyMakeBorder(barcode::render(payload, "PDF417", 3), padded, 30, 30, 40, 40, cv::BORDER_CONSTANT,
                     cv::Scalar(255));
  return padded;
}

}  // namespace

TEST_CASE("pdf417 ecc: errors and erasures within 2e + f <= k are corrected", "[pdf417][pdf417ecc]") {
  std::mt19937 rng(929);
  for (int trial = 0; trial < 40; ++trial) {
    const int k = 16, n = 150 + trial;
    const auto good = randomSymbol(rng, n - k, k);
    std::vector<int> none;
    auto c = good;
    REQUIRE(pdf417::correct(c, k, none) == 0);
    // 8 errors, no erasures.
    auto at = positions(rng, n, 8);
    c = good;
    damage(c, at, rng);
    auto fixed = pdf417::correct(c, k, none);
    REQUIRE(fixed);
    CHECK(*fixed == 8);
    CHECK(c == good);
    // 16 erasures (values anything).
    at = positions(rng, n, 16);
    c = good;
    damage(c, at, rng);
    fixed = pdf417::correct(c, k, at);
    REQUIRE(fixed);
    CHECK(c == good);
    // 4 errors and 8 erasures, two of the erased positions right after all.
    at = positions(rng, n, 12);
    c = good;
    damage(c, std::span(at).first(10), rng);
    std::vector<int> erased(at.begin() + 4, at.end());
    fixed = pdf417::correct(c, k, erased);
    REQUIRE(fixed);
    CHECK(*fixed == 10);
    CHECK(c == good);
  }
}

TEST_CASE("pdf417 ecc: beyond the capacity the symbol is refused or left as given", "[pdf417][pdf417ecc]") {
  std::mt19937 rng(17);
  int refused = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const int k = 16, n = 200;
    const auto good = randomSymbol(rng, n - k, k);
    const auto at = positions(rng, n, 9);  // 9 errors > 16 / 2
    auto c = good;
    damage(c, at, rng);
    const auto before = c;
    std::vector<int> none;
    const auto fixed = pdf417::correct(c, k, none);
    if (!fixed) {
      ++refused;
      CHECK(c == before);
    } else {
      CHECK(c != good);  // a miscorrection is at least another valid symbol
    }
    // More erasures than check codewords: refused.
    auto e = positions(rng, n, 17);
    auto d = good;
    damage(d, e, rng);
    CHECK_FALSE(pdf417::correct(d, k, e));
  }
  CHECK(refused >= 28);
}

TEST_CASE("pdf417 ecc: codeword patterns are the symbology's, 929 per cluster", "[pdf417][pdf417ecc]") {
  std::set<pdf417::Pattern> seen;
  for (int k : {0, 3, 6}) {
    const auto& ps = pdf417::codewordPatterns(k);
    REQUIRE(ps.size() == 929);
    for (int v = 0; v < 929; ++v) {
      const auto& p = ps[static_cast<size_t>(v)];
      CHECK(pdf417::clusterOf(p) == k);
      CHECK(pdf417::codewordOf(p) == v);
      CHECK(pdf417::patternOf(v, k) == p);
      seen.insert(p);
    }
  }
  CHECK(seen.size() == 3 * 929);
  CHECK_FALSE(pdf417::patternOf(929, 0));
  CHECK_FALSE(pdf417::patternOf(5, 1));
  // Patterns of the right shape and cluster that are no codeword map to -1.
  int outside = 0;
  for (const auto& p : pdf417::clusterPatterns(0)) outside += pdf417::codewordOf(p) < 0;
  CHECK(outside == static_cast<int>(pdf417::clusterPatterns(0).size()) - 929);
}

TEST_CASE("pdf417 ecc: a symbol ZXing draws reads as valid codewords, and damage to it is corrected",
          "[pdf417][pdf417ecc]") {
  const std::string payload = idkit::aamva::compose(idkit::test::sampleCard());
  const auto g = pdf417::readGrey(drawnSymbol(payload));
  REQUIRE(g);
  const auto sharp = pdf417::correctGrey(*g);
  REQUIRE(sharp);
  CHECK(sharp->ec_level == 5);
  CHECK(sharp->changed == 0);
  const int k = 64, n = sharp->rows * sharp->columns;
  REQUIRE(static_cast<int>(sharp->codewords.size()) == n);
  // The check codewords are the ones ZXing's writer computed.
  const std::span<const int> data(sharp->codewords.data(), static_cast<size_t>(n - k));
  const auto ec = pdf417::ecCodewords(data, k);
  CHECK(std::equal(ec.begin(), ec.end(), sharp->codewords.begin() + (n - k)));
  CHECK(sharp->codewords[0] <= n - k);

  // 40 codewords swapped for other patterns of their cluster, 30 of them
  // marked least sure: 10 errors and 30 erasures, 2 * 10 + 30 <= 64.
  std::mt19937 rng(5);
  auto bad = *g;
  std::uniform_int_distribution<int> other(0, 928);
  const auto at = positions(rng, n, 40);
  for (size_t i = 0; i < at.size(); ++i) {
    const int r = at[i] / sharp->columns, j = at[i] % sharp->columns + 1;
    auto& p = bad.codewords[static_cast<size_t>(r)][static_cast<size_t>(j)];
    const int v = pdf417::codewordOf(p);
    p = pdf417::codewordPatterns(3 * (r % 3))[static_cast<size_t>((v + 1 + other(rng) % 927) % 929)];
    bad.margins[static_cast<size_t>(r)][static_cast<size_t>(j)] = i < 30 ? -1.0f : 1e6f;
  }
  const auto fixed = pdf417::correctGrey(bad);
  REQUIRE(fixed);
  CHECK(fixed->changed == 40);
  CHECK(fixed->codewords == sharp->codewords);
  const auto codes = barcode::read(fixed->clean);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == payload);
}

TEST_CASE("pdf417 ecc: second guesses (runner-up patterns) mend what erasures cannot", "[pdf417][pdf417ecc]") {
  const auto g = pdf417::readGrey(drawnSymbol(idkit::aamva::compose(idkit::test::sampleCard())));
  REQUIRE(g);
  const auto sharp = pdf417::correctGrey(*g);
  REQUIRE(sharp);
  const int n = sharp->rows * sharp->columns;
  REQUIRE(n > 120);
  // 30 wrong codewords the reader was sure of (in the back half, where the
  // erasures of equally sure codewords do not reach), and 6 wrong ones it
  // was least sure of, each with the right pattern as runner-up: erased,
  // those 6 leave 6 + 2 * 30 = 66 > 64; guessed, 2 * 30 = 60 <= 64.
  auto bad = *g;
  for (auto& row : bad.margins) std::fill(row.begin(), row.end(), 1e6f);
  bad.runners_up = bad.codewords;
  auto spoil = [&](int pos, bool unsure) {
    const int r = pos / sharp->columns, j = pos % sharp->columns + 1;
    auto& p = bad.codewords[static_cast<size_t>(r)][static_cast<size_t>(j)];
    const int v = pdf417::codewordOf(p);
    p = pdf417::codewordPatterns(3 * (r % 3))[static_cast<size_t>((v + 1 + pos) % 929)];
    if (unsure) bad.margins[static_cast<size_t>(r)][static_cast<size_t>(j)] = -1.0f;
  };
  for (int i = 0; i < 30; ++i) spoil(n - 1 - 2 * i, false);
  for (int i = 0; i < 6; ++i) spoil(3 + 5 * i, true);
  const auto fixed = pdf417::correctGrey(bad);
  REQUIRE(fixed);
  CHECK(fixed->codewords == sharp->codewords);
  CHECK(fixed->changed == 36);
  // Without the right runner-ups the same damage is beyond correction.
  auto wrongGuesses = bad;
  wrongGuesses.runners_up = bad.codewords;
  CHECK_FALSE(pdf417::correctGrey(wrongGuesses));
}
