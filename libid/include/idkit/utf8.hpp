// UTF-8 decoding shared by every part of libid that takes text apart: MRZ
// transliteration, record output, AAMVA payloads, id-synth's text and the
// glyph renderer. Well-formed means Unicode's table 3-7: no overlong forms,
// no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace idkit::utf8 {

// The sequence starting at s[i]: its code point and its length in bytes;
// length 0 when the bytes there are not one well-formed sequence.
struct Char {
  char32_t cp = 0;
  std::size_t len = 0;
};
Char at(std::string_view s, std::size_t i);

// The bytes to step over for the character starting at s[i]: its
// sequence's length, or 1 for a byte that starts no well-formed sequence
// (text taken apart character by character never stalls on a bad byte).
inline std::size_t charLength(std::string_view s, std::size_t i) {
  const std::size_t n = at(s, i).len;
  return n ? n : 1;
}

// A continuation byte (10xxxxxx): not the start of a character.
constexpr bool continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// What decode does with a byte that does not start a well-formed sequence.
enum class Invalid { skip, replace };  // replace: U+FFFD

std::u32string decode(std::string_view s, Invalid invalid);

// `s` with each byte that does not start a well-formed sequence replaced by
// U+FFFD, so it can go into JSON as it is.
std::string sanitise(std::string_view s);

// True when `s` is well-formed and holds at least one multi-byte sequence.
bool isMultibyte(std::string_view s);

}  // namespace idkit::utf8
