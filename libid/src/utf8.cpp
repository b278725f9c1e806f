#include "idkit/utf8.hpp"

namespace idkit::utf8 {

Char at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return {};
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  // Lead byte: its length and the range its second byte must fall in.
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;       // overlong below U+0800
    else if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;       // overlong below U+10000
    else if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  }
  if (len == 0 || i + len > s.size()) return {};
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : !continuation(b)) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

std::u32string decode(std::string_view s, Invalid invalid) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const Char c = at(s, i);
    if (c.len) {
      out.push_back(c.cp);
      i += c.len;
    } else {
      if (invalid == Invalid::replace) out.push_back(U'\uFFFD');
      ++i;
    }
  }
  return out;
}

std::string sanitise(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const Char c = at(s, i);
    if (c.len) {
      out.append(s.substr(i, c.len));
      i += c.len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

bool isMultibyte(std::string_view s) {
  bool multi = false;
  for (std::size_t i = 0; i < s.size();) {
    const Char c = at(s, i);
    if (!c.len) return false;
    multi |= c.len > 1;
    i += c.len;
  }
  return multi;
}

}  // namespace idkit::utf8
