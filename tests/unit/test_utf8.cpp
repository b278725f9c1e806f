// idkit::utf8: well-formed sequences by Unicode's table 3-7, and what each
// caller gets for bytes that are not.
#include <catch2/catch.hpp>

#include <idkit/utf8.hpp>

using namespace idkit;

TEST_CASE("utf8::at decodes one sequence of each length", "[utf8]") {
  const std::string s = "A\xC3\x98\xE2\x82\xAC\xF0\x9F\x98\x80";  // A Ø € 😀
  CHECK(utf8::at(s, 0).cp == U'A');
  CHECK(utf8::at(s, 0).len == 1);
  CHECK(utf8::at(s, 1).cp == U'\u00D8');
  CHECK(utf8::at(s, 1).len == 2);
  CHECK(utf8::at(s, 3).cp == U'\u20AC');
  CHECK(utf8::at(s, 3).len == 3);
  CHECK(utf8::at(s, 6).cp == U'\U0001F600');
  CHECK(utf8::at(s, 6).len == 4);
  CHECK(utf8::at(s, 2).len == 0);   // a continuation byte starts nothing
  CHECK(utf8::at(s, 10).len == 0);  // past the end
}

TEST_CASE("utf8::at refuses overlong forms, surrogates, cut and out-of-range sequences", "[utf8]") {
  for (const std::string bad : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                                "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xC3\x41"})
    CHECK(utf8::at(bad, 0).len == 0);
  // The edges that are allowed.
  CHECK(utf8::at("\xC2\x80", 0).cp == U'\u0080');
  CHECK(utf8::at("\xED\x9F\xBF", 0).cp == U'\uD7FF');
  CHECK(utf8::at("\xF4\x8F\xBF\xBF", 0).cp == U'\U0010FFFF');
}

TEST_CASE("utf8::decode skips or replaces invalid bytes; sanitise keeps valid text byte for byte", "[utf8]") {
  const std::string s = "M\xC3\xBCller\xFF\xC3";  // Müller, a stray byte, a cut sequence
  CHECK(utf8::decode(s, utf8::Invalid::skip) == U"M\u00FCller");
  CHECK(utf8::decode(s, utf8::Invalid::replace) == U"M\u00FCller\uFFFD\uFFFD");
  CHECK(utf8::sanitise(s) == "M\xC3\xBCller\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(utf8::sanitise("P<UTOERIKSSON<<ANNA") == "P<UTOERIKSSON<<ANNA");
  CHECK(utf8::sanitise("\xC0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("utf8::isMultibyte needs well-formed text with a non-ASCII character", "[utf8]") {
  CHECK(utf8::isMultibyte("J\xC3\x96RG"));
  CHECK_FALSE(utf8::isMultibyte("JORG"));
  CHECK_FALSE(utf8::isMultibyte("J\xD6RG"));         // Latin-1, not UTF-8
  CHECK_FALSE(utf8::isMultibyte("J\xC3\x96RG\xC1\x81"));  // an overlong form after a good one
  CHECK(utf8::continuation(0x80));
  CHECK_FALSE(utf8::continuation('A'));
  CHECK_FALSE(utf8::continuation(0xC3));
}
