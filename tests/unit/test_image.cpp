#include <catch2/catch.hpp>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/image.hpp>
#include <idkit/quality.hpp>
#include <idkit/record.hpp>

#include "support.hpp"

using namespace idkit;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes encode(const cv::Mat& m, const std::string& ext, std::vector<int> params = {}) {
  Bytes out;
  REQUIRE(cv::imencode(ext, m, out, params));
  return out;
}

cv::Mat testCard(int w = 640, int h = 400) {
  cv::Mat m(h, w, CV_8UC3, cv::Scalar(230, 220, 200));
  cv::rectangle(m, {40, 40}, {200, 240}, cv::Scalar(90, 60, 40), cv::FILLED);
  cv::putText(m, "P<UTOERIKSSON<<ANNA<MARIA", {20, 360}, cv::FONT_HERSHEY_SIMPLEX, 0.8, {0, 0, 0}, 2);
  return m;
}

void be32(Bytes& b, std::uint32_t v) {
  for (int s : {24, 16, 8, 0}) b.push_back(std::uint8_t(v >> s));
}

// A PNG that declares w x h pixels but holds almost no data.
Bytes pngBomb(std::uint32_t w, std::uint32_t h) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  be32(b, 13);
  for (char c : std::string("IHDR")) b.push_back(std::uint8_t(c));
  be32(b, w);
  be32(b, h);
  for (std::uint8_t v : {8, 2, 0, 0, 0}) b.push_back(v);
  be32(b, 0);  // CRC is not checked by the header reader
  return b;
}

}  // namespace

TEST_CASE("image headers give format and size without decoding", "[image]") {
  cv::Mat card = testCard(640, 400);
  for (auto [ext, fmt] : {std::pair{".jpg", ImageFormat::jpeg}, {".png", ImageFormat::png},
                          {".tiff", ImageFormat::tiff}, {".webp", ImageFormat::webp}}) {
    INFO(ext);
    auto h = readImageHeader(encode(card, ext));
    REQUIRE(h);
    CHECK(h->format == fmt);
    CHECK(h->width == 640);
    CHECK(h->height == 400);
  }
  cv::Mat grey;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  auto g = readImageHeader(encode(grey, ".png"));
  REQUIRE(g);
  CHECK(g->channels == 1);
  auto lossless = readImageHeader(encode(card, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}));
  REQUIRE(lossless);
  CHECK(lossless->width == 640);
  CHECK(lossless->height == 400);
}

TEST_CASE("hostile and broken inputs are refused with a code", "[image]") {
  ImageLimits limits;
  CHECK(readImageHeader(Bytes{}).error().code == "empty_file");
  std::string text = "just some text, not an image\n";
  CHECK(readImageHeader(Bytes(text.begin(), text.end())).error().code == "unsupported_format");

  auto bomb = checkImage(pngBomb(40000, 40000), limits);
  REQUIRE_FALSE(bomb);
  CHECK(bomb.error().code == "too_many_pixels");
  CHECK(checkImage(pngBomb(12001, 10), limits).error().code == "too_many_pixels");

  Bytes jpg = encode(testCard(), ".jpg");
  Bytes cut(jpg.begin(), jpg.begin() + jpg.size() / 2);
  CHECK(decodeImage(cut, limits).error().code == "truncated");
  Bytes header(jpg.begin(), jpg.begin() + 4);
  CHECK_FALSE(decodeImage(header, limits));

  ImageLimits tiny;
  tiny.max_bytes = 100;
  CHECK(decodeImage(jpg, tiny).error().code == "too_large");

  // Random garbage after a JPEG magic never crashes the header reader.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Bytes b = {0xFF, 0xD8, 0xFF};
    int n = int(rng() % 64);
    for (int k = 0; k < n; ++k) b.push_back(std::uint8_t(rng()));
    (void)checkImage(b, limits);
  }
}

TEST_CASE("decoding normalises to 8-bit BGR", "[image]") {
  ImageLimits limits;
  cv::Mat card16;
  testCard().convertTo(card16, CV_16UC3, 257);
  auto img16 = decodeImage(encode(card16, ".png"), limits);
  REQUIRE(img16);
  CHECK(img16->bgr.type() == CV_8UC3);
  CHECK(img16->header.bit_depth == 16);

  cv::Mat bgra;
  cv::cvtColor(testCard(), bgra, cv::COLOR_BGR2BGRA);
  auto img4 = decodeImage(encode(bgra, ".png"), limits);
  REQUIRE(img4);
  CHECK(img4->bgr.type() == CV_8UC3);
  CHECK(img4->header.channels == 4);

  auto jpg = decodeImage(encode(testCard(), ".jpg"), limits);
  REQUIRE(jpg);
  CHECK(jpg->sha256.size() == 64);
  CHECK(jpg->size == cv::Size(640, 400));

  // A reduced decode keeps the full size on record.
  auto big = decodeImage(encode(testCard(4000, 2500), ".jpg"), limits, 1000);
  REQUIRE(big);
  CHECK(big->bgr.cols == 1000);
  CHECK(big->size == cv::Size(4000, 2500));
}

TEST_CASE("files: missing, directory, empty", "[image]") {
  auto dir = std::filesystem::temp_directory_path() / "idkit-test-image";
  std::filesystem::create_directories(dir);
  ImageLimits limits;
  CHECK(loadImage(dir / "nope.jpg", limits).error().code == "not_found");
  CHECK(loadImage(dir, limits).error().code == "is_directory");
  std::ofstream(dir / "empty.jpg").close();
  CHECK(loadImage(dir / "empty.jpg", limits).error().code == "empty_file");
  std::filesystem::remove_all(dir);
}

TEST_CASE("sha256 matches the standard test vector", "[image]") {
  std::string abc = "abc";
  CHECK(sha256Hex({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()}) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("quality: blur, glare, exposure and grey are detected", "[quality]") {
  cv::Mat card = testCard(1000, 630);
  auto sharp = quality::measure(card);
  CHECK(sharp.usable);
  CHECK(sharp.colour);
  CHECK(sharp.exposure == "ok");

  cv::Mat blurred;
  cv::GaussianBlur(card, blurred, {0, 0}, 8);
  auto blur = quality::measure(blurred);
  CHECK(blur.sharpness < sharp.sharpness / 10);
  CHECK(std::find(blur.reasons.begin(), blur.reasons.end(), "blurry") != blur.reasons.end());

  cv::Mat glare = card.clone();
  cv::circle(glare, {600, 300}, 120, cv::Scalar(255, 255, 255), cv::FILLED);
  auto g = quality::measure(glare);
  CHECK(g.glare_largest_blob > 0.03);
  CHECK_FALSE(g.usable);

  cv::Mat dark = card * 0.1;
  CHECK(quality::measure(dark).exposure == "under");

  cv::Mat grey, grey3;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
  CHECK_FALSE(quality::measure(grey3, {}, 1).colour);

  cv::Mat noisy = card.clone();
  cv::Mat n(noisy.size(), CV_8UC3);
  cv::randn(n, 0, 25);
  cv::Mat noisyOut;
  cv::add(card, n, noisyOut, cv::noArray(), CV_8UC3);
  CHECK(quality::measure(noisyOut).noise > sharp.noise + 5);

  auto dpi = quality::measure(cv::Mat(638, 1011, CV_8UC3, cv::Scalar(200, 200, 200)), {}, 3, "ID1");
  REQUIRE(dpi.dpi);
  CHECK(*dpi.dpi == Approx(300).margin(1));
}

TEST_CASE("records: status merge, errors, working image, stem", "[record]") {
  Json r = newRecord("scans/a.card.jpg");
  CHECK(r["idkit"] == 1);
  CHECK(recordStatus(r) == Status::ok);
  mergeStatus(r, Status::rejected);
  CHECK(r["status"] == "rejected");
  mergeStatus(r, Status::ok);
  CHECK(r["status"] == "rejected");
  addError(r, "id-mrz", "mrz_not_found", "no MRZ");
  CHECK(r["status"] == "error");
  CHECK(r["errors"][0]["code"] == "mrz_not_found");
  CHECK(workingImagePath(r) == "scans/a.card.jpg");
  r["image"] = "work/a.png";
  CHECK(workingImagePath(r) == "work/a.png");
  CHECK(inputStem(r) == "a.card");
}
