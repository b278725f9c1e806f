#include <catch2/catch.hpp>

#include <idkit/base64.hpp>

#include <string>
#include <vector>

using namespace idkit;

TEST_CASE("base64: RFC 4648 test vectors and raw bytes", "[base64]") {
  CHECK(base64::encode(std::string_view{}) == "");
  CHECK(base64::encode(std::string_view{"f"}) == "Zg==");
  CHECK(base64::encode(std::string_view{"fo"}) == "Zm8=");
  CHECK(base64::encode(std::string_view{"foo"}) == "Zm9v");
  CHECK(base64::encode(std::string_view{"foobar"}) == "Zm9vYmFy");
  const std::vector<std::uint8_t> raw{0xff, 0x00, 0x1e};
  CHECK(base64::encode(raw) == "/wAe");
}

TEST_CASE("base64: decode is strict and round-trips every byte value", "[base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(base64::decode(base64::encode(all)) == all);
  CHECK(base64::decode("Zm9vYmFy") == "foobar");
  CHECK(base64::decode("Zg==") == "f");
  CHECK_FALSE(base64::decode("Zg=").has_value());       // bad padding
  CHECK_FALSE(base64::decode("Zm9v!").has_value());     // stray character
  CHECK_FALSE(base64::decode("Zm9v YmFy").has_value()); // no whitespace allowed
  CHECK_FALSE(base64::decode("Zm9vYg").has_value());    // unpadded
}
