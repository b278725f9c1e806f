#include <catch2/catch.hpp>

#include <idkit/expect.hpp>

using idkit::Json;
using namespace idkit::expect;

TEST_CASE("expect: only expected keys count, text exact, geometry within tolerance", "[expect]") {
  Json expected = Json::parse(R"({
    "input": "samples/td1-01.jpg", "status": "ok",
    "mrz": {"format": "TD1", "fields": {"surname": "ERIKSSON"}, "confidence": 0.95},
    "document": {"quad": [[10, 10], [500, 12], [498, 320], [8, 318]]}
  })");
  Json actual = Json::parse(R"({
    "idkit": 1, "input": "/tmp/elsewhere/td1-01.jpg", "status": "ok", "sha256": "abc",
    "mrz": {"format": "TD1", "fields": {"surname": "ERIKSSON", "given_names": "ANNA"}, "confidence": 0.99},
    "document": {"quad": [[14, 9], [503, 12], [498, 325], [8, 318]]}
  })");
  CHECK(compare(expected, actual).empty());

  actual["mrz"]["fields"]["surname"] = "ERIKSS0N";
  actual["document"]["quad"][1][0] = 540;
  actual["mrz"].erase("format");
  auto m = compare(expected, actual);
  REQUIRE(m.size() == 3);
  CHECK(m[0].path == "mrz.format");
  CHECK(m[0].why == "missing");
  CHECK(m[1].path == "mrz.fields.surname");
  CHECK(m[2].path == "document.quad[1][0]");
  CHECK(describe(m).find("ERIKSS0N") != std::string::npos);

  expected["_tolerance"] = {{"quad", 50}};
  CHECK(compare(expected, actual).size() == 2);
}

TEST_CASE("expect: arrays must have the expected length, and numbers are exact by default", "[expect]") {
  Json e = {{"barcodes", Json::array({{{"format", "PDF417"}}})}, {"count", 3}};
  Json a = {{"barcodes", Json::array()}, {"count", 3}};
  auto m = compare(e, a);
  REQUIRE(m.size() == 1);
  CHECK(m[0].why.find("length") != std::string::npos);
  a = {{"barcodes", Json::array({{{"format", "PDF417"}, {"text", "x"}}})}, {"count", 3.5}};
  m = compare(e, a);
  REQUIRE(m.size() == 1);
  CHECK(m[0].path == "count");
}
