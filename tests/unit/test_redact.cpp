#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/redact.hpp>

using idkit::Json;
namespace redact = idkit::redact;

namespace {

// A record whose flat card (1000x600) is the input quad (100,50)-(1100,50)-(1100,650)-(100,650):
// a pure shift by (100, 50), so every mapping can be checked by hand.
Json shiftedRecord() {
  return Json::parse(R"({"idkit":1,"input":"in.jpg","image":"in.card.png",
    "document":{"quad":[[100,50],[1100,50],[1100,650],[100,650]],"rotation":0,"kind":"ID1"},
    "mrz":{"quad":[[40,480],[960,480],[960,560],[40,560]]},
    "barcodes":[{"format":"QR","position":[[700,100],[900,100],[900,300],[700,300]]}],
    "face":{"document":{"box":[60,100,200,250],"frame":"image"}},
    "ocr":{"fields":{"surname":{"box":[300,100,400,40]},"birth_date":{"box":[300,200,200,40]},
                     "sex":{"text":""}}}})");
}

const redact::Region* find(const redact::Plan& p, std::string_view kind) {
  for (const auto& r : p.regions)
    if (r.kind == kind) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("redaction plans cover the recorded regions with a margin, in either frame", "[redact]") {
  Json rec = shiftedRecord();
  redact::Request req;
  auto p = redact::plan(rec, req, {1000, 600});
  CHECK(p.unknown.empty());
  REQUIRE(p.regions.size() == 3);
  const auto* mrz = find(p, "mrz");
  REQUIRE(mrz);
  // 80 px tall band: grown by a quarter of its height plus 4 px on every side.
  CHECK(mrz->polygon[0].x == Approx(40 - 24).margin(0.01));
  CHECK(mrz->polygon[0].y == Approx(480 - 24).margin(0.01));
  CHECK(mrz->polygon[2].x == Approx(960 + 24).margin(0.01));
  CHECK(mrz->polygon[2].y == Approx(560 + 24).margin(0.01));
  const auto* portrait = find(p, "portrait");
  REQUIRE(portrait);
  CHECK(portrait->polygon[0].x == Approx(60 - 94).margin(0.01));  // 0.45 * 200 + 4
  REQUIRE(find(p, "barcode"));

  // The same regions on the input photo: shifted by the quad.
  req.target = redact::Frame::input;
  auto pi = redact::plan(rec, req, {1000, 600});
  CHECK(pi.unknown.empty());
  const auto* mrzIn = find(pi, "mrz");
  REQUIRE(mrzIn);
  CHECK(mrzIn->polygon[0].x == Approx(100 + 40 - 24).margin(0.05));
  CHECK(mrzIn->polygon[0].y == Approx(50 + 480 - 24).margin(0.05));

  // A portrait found on the input photo maps onto the card.
  rec["face"]["document"] = Json::parse(R"({"box":[160,150,200,250],"frame":"input"})");
  req.target = redact::Frame::image;
  auto pc = redact::plan(rec, req, {1000, 600});
  REQUIRE(find(pc, "portrait"));
  CHECK(find(pc, "portrait")->polygon[0].x == Approx(60 - 94).margin(0.05));
  CHECK(find(pc, "portrait")->polygon[0].y == Approx(100 - 94).margin(0.05));

  // A tilted quad grows along its own axes.
  Json tilted = Json::parse(R"({"input":"a.jpg","mrz":{"quad":[[0,0],[100,100],[80,120],[-20,20]]},"barcodes":[]})");
  req = {};
  req.portrait = false;
  auto pt = redact::plan(tilted, req, {200, 200});
  REQUIRE(find(pt, "mrz"));
  const auto& q = find(pt, "mrz")->polygon;
  double before = cv::contourArea(std::vector<cv::Point2f>{{0, 0}, {100, 100}, {80, 120}, {-20, 20}});
  CHECK(cv::contourArea(q) > before * 1.3);
  // the grown quad keeps the original's orientation: its first side is still at 45 degrees
  CHECK(std::atan2(q[1].y - q[0].y, q[1].x - q[0].x) == Approx(CV_PI / 4).margin(1e-3));
}

TEST_CASE("fields are covered by name or all, and unknown regions are reported, never skipped silently", "[redact]") {
  Json rec = shiftedRecord();
  redact::Request req;
  req.mrz = req.barcodes = req.portrait = false;
  req.fields = {"surname", "document_number"};
  auto p = redact::plan(rec, req, {1000, 600});
  REQUIRE(find(p, "field:surname"));
  CHECK_FALSE(find(p, "field:birth_date"));
  REQUIRE(p.unknown.size() == 1);
  CHECK(p.unknown[0] == "field:document_number");

  req.fields = {"all"};
  auto pa = redact::plan(rec, req, {1000, 600});
  CHECK(find(pa, "field:surname"));
  CHECK(find(pa, "field:birth_date"));
  CHECK(pa.unknown.empty());  // "sex" has no box: nothing printed was found to cover

  Json bare = Json::parse(R"({"input":"a.jpg"})");
  auto pb = redact::plan(bare, redact::Request{}, {100, 100});
  CHECK(pb.regions.empty());
  CHECK(pb.unknown == std::vector<std::string>{"mrz", "barcodes", "portrait"});

  // id-mrz ran and found no MRZ: nothing to cover, not unknown.
  Json noMrz = Json::parse(R"({"input":"a.jpg","barcodes":[],
    "errors":[{"tool":"id-mrz","code":"mrz_not_found","message":"x"}]})");
  req = {};
  req.portrait = false;
  auto pn = redact::plan(noMrz, req, {100, 100});
  CHECK(pn.unknown.empty());
  CHECK(pn.regions.empty());

  // Hostile sections are ignored, not trusted.
  Json hostile = Json::parse(R"({"input":"a.jpg","mrz":{"quad":[[1,2],[3]]},"barcodes":[{"position":"x"}],
    "face":{"document":{"box":[1,2,-5,3]}}})");
  auto ph = redact::plan(hostile, redact::Request{}, {100, 100});
  CHECK(ph.regions.empty());
  CHECK(ph.unknown.size() == 3);
}

TEST_CASE("redaction leaves nothing of the region and nothing else changed", "[redact]") {
  cv::Mat img(200, 300, CV_8UC3);
  cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(256));
  const cv::Mat original = img.clone();
  std::vector<redact::Region> regions{{"mrz", {{20, 20}, {120, 20}, {120, 80}, {20, 80}}},
                                      {"portrait", {{200, 100}, {400, 100}, {400, 300}, {200, 300}}}};
  cv::Mat boxed = img.clone();
  redact::apply(boxed, regions, redact::Style::box);
  CHECK(cv::countNonZero(boxed(cv::Rect(21, 21, 99, 59)).reshape(1)) == 0);
  CHECK(cv::countNonZero(boxed(cv::Rect(201, 101, 99, 99)).reshape(1)) == 0);  // clipped at the border
  cv::Mat diff;
  cv::absdiff(boxed(cv::Rect(130, 0, 60, 200)), original(cv::Rect(130, 0, 60, 200)), diff);
  CHECK(cv::countNonZero(diff.reshape(1)) == 0);

  cv::Mat mosaic = img.clone();
  redact::apply(mosaic, regions, redact::Style::mosaic);
  // Random noise inside becomes near-flat blocks: its spread collapses.
  cv::Scalar mean, sdIn, sdOut;
  cv::meanStdDev(mosaic(cv::Rect(30, 30, 80, 40)), mean, sdIn);
  cv::meanStdDev(original(cv::Rect(30, 30, 80, 40)), mean, sdOut);
  CHECK(sdIn[0] < sdOut[0] / 4);
  cv::absdiff(mosaic(cv::Rect(130, 0, 60, 200)), original(cv::Rect(130, 0, 60, 200)), diff);
  CHECK(cv::countNonZero(diff.reshape(1)) == 0);
}
