// idkit::parseJson: JSON from outside, refused when it nests too deep.
#include <catch2/catch.hpp>

#include <string>

#include <idkit/json.hpp>

using namespace idkit;

TEST_CASE("jsonDepth counts arrays and objects, not brackets inside strings", "[json]") {
  CHECK(jsonDepth("") == 0);
  CHECK(jsonDepth("42") == 0);
  CHECK(jsonDepth(R"({"a":[1,{"b":[]}]})") == 4);
  CHECK(jsonDepth(R"({"a":"[[[[\"{{{"})") == 1);
  CHECK(jsonDepth(R"(["\\",[]])") == 2);
  // counting stops past the limit
  CHECK(jsonDepth(std::string(1000000, '['), 100) == 101);
}

TEST_CASE("parseJson reads records and refuses text nested deeper than kMaxJsonDepth", "[json]") {
  const Json r = parseJson(R"({"input":"a.jpg","mrz":{"fields":{"names":["ANNA","MARIA"]}}})");
  REQUIRE(r.is_object());
  CHECK(r["mrz"]["fields"]["names"][1] == "MARIA");
  CHECK(parseJson("{broken").is_discarded());

  auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  const Json at_limit = parseJson(nested(kMaxJsonDepth));
  REQUIRE_FALSE(at_limit.is_discarded());
  CHECK(at_limit.is_array());
  CHECK(parseJson(nested(kMaxJsonDepth + 1)).is_discarded());
  CHECK(parseJson(nested(200000)).is_discarded());
}
