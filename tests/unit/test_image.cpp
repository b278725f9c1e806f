#include <catch2/catch.hpp>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/codec.hpp>
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

  // Bytes after the end-of-image marker are not a cut: the image decodes.
  Bytes padded = jpg;
  for (int i = 0; i < 4000; ++i) padded.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  auto whole = decodeImage(padded, limits);
  REQUIRE(whole);
  CHECK(whole->bgr.size() == testCard().size());
  // An EXIF-like segment holding its own end marker does not hide a cut scan.
  Bytes app{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0xFF, 0xD9};
  app.insert(app.end(), jpg.begin() + 2, jpg.begin() + jpg.size() / 2);
  app.insert(app.end(), 3000, 0x41);
  CHECK(decodeImage(app, limits).error().code == "truncated");

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

// idkit's own decoders against OpenCV's imgcodecs (kept in the tests as an
// independent reference): the same pixels from the same libraries' data.
TEST_CASE("codec: decodes JPEG, PNG, TIFF and WebP as imgcodecs does", "[image][codec]") {
  const cv::Mat card = testCard(643, 401);  // odd sizes: no block alignment
  cv::Mat grey, pal;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  struct Case {
    const char* what;
    Bytes bytes;
    int flags;
    codec::DecodeOptions opts;
  };
  std::vector<Case> cases{
      {"jpeg", encode(card, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 85}), cv::IMREAD_COLOR, {}},
      {"jpeg grey", encode(card, ".jpg"), cv::IMREAD_GRAYSCALE, {.grey = true}},
      {"jpeg of a grey image", encode(grey, ".jpg"), cv::IMREAD_COLOR, {}},
      {"jpeg by 2", encode(card, ".jpg"), cv::IMREAD_REDUCED_COLOR_2, {.reduce = 2}},
      {"jpeg by 8", encode(card, ".jpg"), cv::IMREAD_REDUCED_COLOR_8, {.reduce = 8}},
      {"progressive jpeg", encode(card, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), cv::IMREAD_COLOR, {}},
      {"png", encode(card, ".png"), cv::IMREAD_COLOR, {}},
      {"grey png", encode(grey, ".png"), cv::IMREAD_COLOR, {}},
      {"tiff", encode(card, ".tiff"), cv::IMREAD_COLOR, {}},
      {"lossless webp", encode(card, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), cv::IMREAD_COLOR, {}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const cv::Mat want = cv::imdecode(c.bytes, c.flags);
    auto got = codec::decode(c.bytes, c.opts);
    REQUIRE(got);
    REQUIRE(got->size() == want.size());
    REQUIRE(got->type() == want.type());
    CHECK(cv::norm(*got, want, cv::NORM_INF) == 0);
  }
  // Lossless formats give back exactly what was written.
  auto png = codec::decode(codec::encodePng(card));
  REQUIRE(png);
  CHECK(cv::norm(*png, card, cv::NORM_INF) == 0);
  CHECK(codec::encodePng(card) == encode(card, ".png"));  // imwrite's default settings
  const auto stored = codec::encodePng(grey, {.level = 0});
  CHECK(stored.size() > grey.total());  // rows kept as they are
  auto plain = codec::decode(stored);
  REQUIRE(plain);
  CHECK(plain->type() == CV_8UC3);
  CHECK(cv::norm(*plain, cv::Mat(grey.size(), CV_8UC3, cv::Scalar::all(0)), cv::NORM_INF) > 0);
  // JPEG: close to the original, and what imgcodecs writes at that quality.
  auto jpeg = codec::decode(codec::encodeJpeg(card, 90));
  REQUIRE(jpeg);
  CHECK(cv::norm(*jpeg, card, cv::NORM_L1) / double(card.total() * 3) < 3.0);
  CHECK(codec::encodeJpeg(card, 90) == encode(card, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90}));
}

TEST_CASE("codec: EXIF orientation turns the image upright", "[image][codec]") {
  const cv::Mat card = testCard(320, 200);
  const Bytes plain = codec::encodeJpeg(card, 95);
  // An APP1 Exif segment (big-endian TIFF, one IFD entry: orientation) after SOI.
  auto withOrientation = [&](std::uint8_t v) {
    const Bytes tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, v, 0, 0, 0, 0, 0, 0, 0, 0};
    Bytes app1 = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff.begin(), tiff.end());
    app1[2] = std::uint8_t((app1.size() - 2) >> 8), app1[3] = std::uint8_t(app1.size() - 2);
    Bytes b(plain.size() + app1.size());  // SOI, the segment, the rest
    std::copy(plain.begin(), plain.begin() + 2, b.begin());
    std::copy(app1.begin(), app1.end(), b.begin() + 2);
    std::copy(plain.begin() + 2, plain.end(), b.begin() + 2 + std::ptrdiff_t(app1.size()));
    return b;
  };
  for (std::uint8_t v = 1; v <= 8; ++v) {
    INFO("orientation " << int(v));
    const Bytes b = withOrientation(v);
    CHECK(codec::exifOrientation(b) == v);
    const cv::Mat want = cv::imdecode(b, cv::IMREAD_COLOR);  // imgcodecs applies it too
    auto got = codec::decode(b);
    REQUIRE(got);
    REQUIRE(got->size() == want.size());
    CHECK(cv::norm(*got, want, cv::NORM_INF) == 0);
    auto loaded = decodeImage(b, ImageLimits{});
    REQUIRE(loaded);
    CHECK(loaded->size == (v >= 5 ? cv::Size(200, 320) : cv::Size(320, 200)));
  }
  // Cut or lying Exif data is ignored, never read past its segment.
  Bytes bad = withOrientation(6);
  bad[16] = 0x7F;  // IFD offset (TIFF bytes 4-7, after SOI, APP1 header and "Exif\0\0") far outside
  CHECK(codec::exifOrientation(bad) == 1);
}

TEST_CASE("codec: corrupt data is an error, not a crash", "[image][codec]") {
  const cv::Mat card = testCard();
  for (const char* ext : {".jpg", ".png", ".tiff", ".webp"}) {
    INFO(ext);
    Bytes b = encode(card, ext);
    // Garbage over the middle of the data, header intact.
    for (size_t i = b.size() / 3; i < b.size() / 3 + 200 && i < b.size(); ++i) b[i] = std::uint8_t(i * 37);
    auto got = codec::decode(b);
    if (got) CHECK(got->size() == card.size());  // some decoders recover: then at full size
    Bytes cut(b.begin(), b.begin() + std::ptrdiff_t(b.size() / 2));
    auto half = codec::decode(cut);
    if (half) CHECK(half->size() == card.size());
  }
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
