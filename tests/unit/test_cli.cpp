// idkit::cli: record lines read from a stream, whatever the stream holds.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include <idkit/cli.hpp>

using namespace idkit;

TEST_CASE("readBoundedLine keeps at most max bytes and reads past the rest", "[cli]") {
  std::istringstream in("short\n" + std::string(200000, 'x') + "\nafter\nlast without separator");
  std::string text;
  bool too_long = true;
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "short");
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == std::string(100, 'x'));
  CHECK(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "after");
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "last without separator");
  CHECK_FALSE(cli::readBoundedLine(in, text, '\n', 100, too_long));

  // a line exactly as long as the limit is kept whole; NUL-separated lists
  std::istringstream nul(std::string(100, 'y') + '\0' + std::string("b.jpg") + '\0');
  REQUIRE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
  CHECK(text.size() == 100);
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
  CHECK(text == "b.jpg");
  CHECK_FALSE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
}

TEST_CASE("readRecordLine says why a line gives no record, and goes on", "[cli]") {
  std::string stream = "{\"input\":\"a.jpg\"}\n\n{broken\n";
  stream += std::string(150, '[') + std::string(150, ']') + "\n";
  stream += "{\"x\":\"" + std::string(cli::kMaxLineBytes, 'z') + "\"}\n";
  stream += "{\"input\":\"b.jpg\",\"ref\":7}\n";
  std::istringstream in(std::move(stream));
  size_t n = 0;
  auto a = cli::readRecordLine(in, n);
  REQUIRE(a);
  REQUIRE(a->record);
  CHECK((*a->record)["input"] == "a.jpg");
  CHECK(a->number == 1);
  auto broken = cli::readRecordLine(in, n);
  REQUIRE(broken);
  CHECK(broken->number == 3);  // the blank line counted, not returned
  CHECK_FALSE(broken->record);
  CHECK(broken->why == "is not a JSON object");
  auto deep = cli::readRecordLine(in, n);
  REQUIRE(deep);
  CHECK_FALSE(deep->record);
  CHECK(deep->why == "nests deeper than 100 levels");
  auto big = cli::readRecordLine(in, n);
  REQUIRE(big);
  CHECK_FALSE(big->record);
  CHECK(big->why == "is longer than 64 MiB");
  CHECK(big->text.size() == cli::kMaxLineBytes);
  auto b = cli::readRecordLine(in, n);
  REQUIRE(b);
  REQUIRE(b->record);
  CHECK((*b->record)["ref"] == 7);
  CHECK(b->number == 6);
  CHECK_FALSE(cli::readRecordLine(in, n));
}
