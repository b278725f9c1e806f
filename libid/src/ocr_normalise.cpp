// Normalised values of printed fields: what id-check compares.
#include <idkit/mrz.hpp>
#include <idkit/ocr.hpp>
#include <idkit/utf8.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

namespace idkit::ocr {

namespace {

std::string collapse(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Month names as printed on documents (English, French, German, Indonesian,
// Spanish, Italian, Dutch), already transliterated to A-Z.
struct Month {
  std::string_view name;
  int number;
};
constexpr std::array<Month, 45> kMonths{{
    {"JAN", 1}, {"JANV", 1}, {"ENE", 1}, {"GEN", 1},  {"FEB", 2},  {"FEV", 2},  {"FEVR", 2}, {"MAR", 3},
    {"MARS", 3}, {"MAER", 3}, {"MRZ", 3}, {"APR", 4}, {"AVR", 4},  {"ABR", 4},  {"MAY", 5},  {"MAI", 5},
    {"MEI", 5}, {"MAG", 5},  {"JUN", 6},  {"JUIN", 6}, {"JUL", 7},  {"JUIL", 7}, {"AUG", 8},  {"AOUT", 8},
    {"AGU", 8}, {"AGT", 8},  {"AGO", 8},  {"SEP", 9},  {"SEPT", 9}, {"SET", 9},  {"OCT", 10}, {"OKT", 10},
    {"NOV", 11}, {"DEC", 12}, {"DES", 12}, {"DEZ", 12}, {"DIC", 12}, {"JUNI", 6}, {"JULI", 7}, {"MARET", 3},
    {"AGUSTUS", 8}, {"OKTOBER", 10}, {"DESEMBER", 12}, {"MAERZ", 3}, {"DECEMBER", 12},
}};

std::optional<int> monthNumber(std::string_view word) {
  for (const Month& m : kMonths)
    if (m.name == word) return m.number;
  // Long forms: the first three letters decide (JANUARY, FEBRUARI...).
  if (word.size() > 4)
    for (const Month& m : kMonths)
      if (m.name.size() == 3 && word.starts_with(m.name)) return m.number;
  return std::nullopt;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `strict`: a calendar date or nothing; else any digits that fit the format.
std::string iso(int y, int m, int d, bool strict = true) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!strict) {
    if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99) return {};
  } else if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return {};
  if (strict && m == 2 && d == 29 && !leap(y)) return {};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

std::string normaliseText(std::string_view text) { return collapse(text); }

namespace {

// A word with no letter or digit (a bullet, a bar, a dash, a stray dot):
// what a text line's crop takes in from a rule, a guilloche or the next
// field's edge. Punctuation and symbols outside ASCII (U+00A0-U+00BF, U+00D7,
// U+00F7, U+2000-U+2BFF: dashes, quotes, bullets, arrows, boxes) are marks;
// any other character beyond ASCII counts as a letter (another script).
bool strayMark(std::string_view word) {
  for (std::size_t i = 0; i < word.size();) {
    const auto b = static_cast<unsigned char>(word[i]);
    if (b < 0x80) {
      if (std::isalnum(b)) return false;
      ++i;
      continue;
    }
    const utf8::Char c = utf8::at(word, i);  // a byte that starts no character is taken as itself
    const char32_t cp = c.len ? c.cp : b;
    i += std::max<std::size_t>(c.len, 1);
    const bool mark = (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF);
    if (!mark) return false;
  }
  return true;
}

// `text` (single spaces) less its stray marks at either end, unless nothing
// else is there (a remark printed as a lone "-").
std::string trimStrayMarks(std::string text) {
  std::vector<std::pair<std::size_t, std::size_t>> words;  // [begin, end) of each word
  for (std::size_t from = 0; from < text.size();) {
    const std::size_t space = std::min(text.find(' ', from), text.size());
    words.emplace_back(from, space);
    from = space + 1;
  }
  auto mark = [&](const std::pair<std::size_t, std::size_t>& w) {
    return strayMark(std::string_view(text).substr(w.first, w.second - w.first));
  };
  const auto first = std::find_if_not(words.begin(), words.end(), mark);
  if (first == words.end()) return text;
  const auto last = std::find_if_not(words.rbegin(), words.rend(), mark);
  return text.substr(first->first, last->second - first->first);
}

}  // namespace

std::string foldText(std::string_view text) {
  const std::string t = trimStrayMarks(collapse(text));
  std::string out;
  for (std::size_t i = 0; i < t.size();) {
    const auto b = static_cast<unsigned char>(t[i]);
    if (b < 0x80) {
      out += static_cast<char>(std::toupper(b));
      ++i;
      continue;
    }
    const std::size_t len = utf8::charLength(t, i);
    const std::string_view cp = std::string_view(t).substr(i, len);
    i += len;
    const std::string icao = mrz::transliterate(cp);
    // Ligatures and letters of their own keep every letter; a letter with a
    // diacritic keeps its base letter (Ä is AE in the MRZ, A here).
    static constexpr std::array<std::string_view, 10> kSpelledOut{"\u00C6", "\u00E6", "\u0152", "\u0153", "\u00DF",
                                                                  "\u1E9E", "\u00DE", "\u00FE", "\u0132", "\u0133"};
    if (icao.empty() || icao == "<") out += cp;  // another script, or a space-like sign: as printed
    else if (std::find(kSpelledOut.begin(), kSpelledOut.end(), cp) != kSpelledOut.end()) out += icao;
    else out += icao.front();
  }
  return out;
}

namespace {

// The run of `value` nearest `word` in edits (a substring, any start and
// end: semi-global alignment): [begin, end) and the edits it costs.
struct Run {
  std::size_t begin = 0, end = 0;
  std::size_t cost = 0;
};
Run nearestRun(std::string_view value, std::string_view word) {
  const std::size_t n = word.size(), m = value.size();
  // cost[i][j]: word's first i characters against a run ending at value[j];
  // from[i][j]: where that run begins.
  std::vector<std::vector<std::size_t>> cost(n + 1, std::vector<std::size_t>(m + 1)), from(cost);
  for (std::size_t j = 0; j <= m; ++j) from[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cost[i][0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t sub = cost[i - 1][j - 1] + (word[i - 1] != value[j - 1]);
      const std::size_t del = cost[i - 1][j] + 1, ins = cost[i][j - 1] + 1;
      cost[i][j] = std::min({sub, del, ins});
      from[i][j] = cost[i][j] == sub ? from[i - 1][j - 1] : cost[i][j] == del ? from[i - 1][j] : from[i][j - 1];
    }
  }
  Run best{0, 0, n};
  for (std::size_t j = 1; j <= m; ++j)
    if (cost[n][j] < best.cost) best = {from[n][j], j, cost[n][j]};
  return best;
}

bool isPunct(char c) { return static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c)); }

}  // namespace

FormFit fitForm(std::string_view value, const std::vector<std::string>& words, const std::regex& pattern) {
  std::string v(value);
  for (const std::string& w : words) {
    const Run r = nearestRun(v, w);
    if (r.cost == 0 || r.cost > w.size() / 3 || r.end <= r.begin) continue;
    v = collapse(v.substr(0, r.begin) + " " + w + " " + v.substr(r.end));
  }
  if (std::regex_match(v, pattern)) return {v, true};
  // Each word less the marks after it (a full stop, a quote, a bar read off
  // the print's edge), those of nothing else dropped. A mark before a word
  // stays: it may be a misread first character ("$9" for 89). `kept` holds
  // the words joined by single spaces, `ends` where each word ends in it.
  std::string kept;
  std::vector<std::size_t> ends;
  for (std::size_t from = 0; from < v.size();) {
    const std::size_t space = std::min(v.find(' ', from), v.size());
    std::string_view word = std::string_view(v).substr(from, space - from);
    from = space + 1;
    const bool fixed = std::ranges::find(words, word) != words.end();
    while (!fixed && !word.empty() && isPunct(word.back())) word.remove_suffix(1);
    if (word.empty()) continue;
    if (!kept.empty()) kept += ' ';
    kept += word;
    ends.push_back(kept.size());
  }
  // The longest run of leading words in the pattern: words after a whole
  // value are noise beside the print.
  for (auto end = ends.rbegin(); end != ends.rend(); ++end)
    if (std::regex_match(kept.cbegin(), kept.cbegin() + static_cast<std::ptrdiff_t>(*end), pattern))
      return {kept.substr(0, *end), true};
  return {v, false};
}

bool reconcile(std::string& value, std::string_view mrz_value) {
  if (value.size() != mrz_value.size() || value == mrz_value) return false;
  auto cls = [](char c) {
    switch (c) {
      case 'O': case 'Q': case 'D': return '0';
      case 'I': case 'L': return '1';
      case 'S': return '5';
      case 'B': return '8';
      case 'Z': return '2';
      case 'G': return '6';
      default: return c;
    }
  };
  // A printed 6 or 9 whose opening blur or bold ink closed reads as O
  // (NT29T6RLW read NT29TORLW at 0.99 per character on a clean scan).
  auto closedLoop = [](char printed, char ref) { return printed == 'O' && (ref == '6' || ref == '9'); };
  for (std::size_t i = 0; i < value.size(); ++i)
    if (cls(value[i]) != cls(mrz_value[i]) && !closedLoop(value[i], mrz_value[i])) return false;
  value = mrz_value;
  return true;
}

namespace {

// Whether printed[i..] renders reference[j..] with lost diacritics only;
// `from` gets, per reference character, the printed character it comes from.
// `failed` remembers dead ends (i, j), so that a long run of one letter stays linear.
struct NameAligner {
  std::string_view printed, ref;
  std::vector<char> failed;
  std::vector<std::size_t> from;

  bool run(std::size_t i, std::size_t j) {
    if (i == printed.size() || j == ref.size()) return i == printed.size() && j == ref.size();
    char& dead = failed[i * (ref.size() + 1) + j];
    if (dead) return false;
    const char p = printed[i];
    if (p == ref[j]) {
      from.push_back(i);
      if (run(i + 1, j + 1)) return true;
      from.pop_back();
    }
    if (j + 1 < ref.size()) {
      const std::string_view pair = ref.substr(j, 2);
      const bool lost = ((pair == "AE" || pair == "AA") && p == 'A') || (pair == "OE" && p == 'O') ||
                        (pair == "UE" && p == 'U') || (pair == "SS" && (p == 'S' || p == 'B')) ||
                        (pair == "TH" && p == 'P');
      if (lost) {
        from.push_back(i), from.push_back(i);
        if (run(i + 1, j + 2)) return true;
        from.pop_back(), from.pop_back();
      }
    }
    dead = 1;
    return false;
  }
};

}  // namespace

bool reconcileName(std::string& value, std::string_view reference, std::vector<double>* conf) {
  if (value.empty() || value == reference || value.size() >= reference.size()) return false;
  if (reference.size() > 200) return false;
  NameAligner a{value, reference, std::vector<char>((value.size() + 1) * (reference.size() + 1), 0), {}};
  if (!a.run(0, 0)) return false;
  const std::vector<std::size_t>& from = a.from;
  if (conf && conf->size() == value.size()) {
    std::vector<double> out;
    for (std::size_t k : from) out.push_back((*conf)[k]);
    *conf = std::move(out);
  } else if (conf) {
    conf->clear();
  }
  value = reference;
  return true;
}

std::vector<std::pair<std::size_t, std::string>> lostMarks(std::string_view value, std::string_view reference) {
  std::vector<std::pair<std::size_t, std::string>> out;
  if (value.empty() || value.size() >= reference.size() || reference.size() > 200) return out;
  NameAligner a{value, reference, std::vector<char>((value.size() + 1) * (reference.size() + 1), 0), {}};
  if (!a.run(0, 0)) return out;
  // A printed letter two reference letters come from spelled out a mark.
  for (std::size_t j = 0; j + 1 < a.from.size(); ++j)
    if (a.from[j] == a.from[j + 1]) out.emplace_back(a.from[j], std::string(reference.substr(j, 2))), ++j;
  return out;
}

std::string normaliseName(std::string_view text, std::vector<std::size_t>& source) {
  std::string out;
  source.clear();
  for (std::size_t i = 0, k = 0; i < text.size(); ++k) {
    const std::size_t len = utf8::charLength(text, i);
    for (const char c : mrz::transliterate(text.substr(i, len)))  // A-Z0-9, '<' for blanks and hyphens
      if ((c >= 'A' && c <= 'Z') || (c == '<' && !out.empty() && out.back() != ' '))
        out += c == '<' ? ' ' : c, source.push_back(k);
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back(), source.pop_back();
  return out;
}

std::string normaliseName(std::string_view text) {
  std::vector<std::size_t> source;
  return normaliseName(text, source);
}

std::string normaliseCode(std::string_view text) {
  std::string out;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string normaliseSex(std::string_view text) {
  // "F/F", "M / M": bilingual documents print the letter twice.
  if (const auto first = text.find_first_not_of(" :"); first != std::string_view::npos) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[first])));
    const std::string_view rest = text.substr(first + 1);
    if ((c == 'M' || c == 'F' || c == 'X') && (rest.empty() || rest.front() == '/' || rest.front() == ' '))
      return std::string(1, c);
  }
  const std::string u = normaliseName(text);
  if (u.empty()) return {};
  // One letter read twice ("MM", "m M"): the bilingual print or a doubled glyph.
  if (u.find_first_not_of(u.front()) == std::string::npos || u == std::string{u.front(), ' ', u.front()})
    if (u.front() == 'M' || u.front() == 'F' || u.front() == 'X') return std::string(1, u.front());
  if (u.starts_with("LAKI") || u == "MALE" || u == "MASCULIN" || u == "H") return "M";
  if (u.starts_with("PEREMPUAN") || u.starts_with("WANITA") || u == "FEMALE" || u == "FEMININ" || u == "W")
    return "F";
  // "M", "F", "F/F", "M/M", "X"
  const char c = u.front();
  if ((c == 'M' || c == 'F' || c == 'X') && (u.size() == 1 || u[1] == ' ')) return std::string(1, c);
  return {};
}

namespace {
std::string dateValue(std::string_view text, std::string_view order, bool strict) {
  // Tokens: digit runs and letter runs of the transliterated text.
  const std::string t = mrz::transliterate(text);
  std::vector<std::string> tokens;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) tokens.push_back(cur);
    cur.clear();
  };
  for (char c : t) {
    const bool digit = c >= '0' && c <= '9', alpha = c >= 'A' && c <= 'Z';
    if (!digit && !alpha) {
      flush();
      continue;
    }
    if (!cur.empty() && (std::isdigit(static_cast<unsigned char>(cur.back())) != 0) != digit) flush();
    cur += c;
  }
  flush();
  std::vector<int> numbers;
  std::vector<std::size_t> number_len;
  std::optional<int> month_word;
  for (const std::string& tok : tokens) {
    if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
      if (tok.size() > 8) return {};
      numbers.push_back(std::stoi(tok));
      number_len.push_back(tok.size());
    } else if (!month_word) {
      month_word = monthNumber(tok);  // the first month name; "AUG/AOUT" repeats it
    }
  }
  if (month_word) {
    // "12 AUG 1974" or "AUG 12 1974": the four-digit number is the year.
    if (numbers.size() == 2) {
      const bool year_last = number_len[1] == 4;
      return year_last ? iso(numbers[1], *month_word, numbers[0], strict) : iso(numbers[0], *month_word, numbers[1], strict);
    }
    // A neighbour's print caught in the crop ("04 MAY/MAI 2017 5"): the day
    // is the short number just before the first four-digit one.
    for (std::size_t k = 1; k < numbers.size(); ++k)
      if (number_len[k] == 4) return number_len[k - 1] <= 2 ? iso(numbers[k], *month_word, numbers[k - 1], strict) : std::string();
    return {};
  }
  // "19.04.2023 5": digits after a whole day.month.year are a neighbour's.
  if (numbers.size() > 3 && number_len[2] == 4 && number_len[0] <= 2) {
    numbers.resize(3);
    number_len.resize(3);
  }
  if (numbers.size() == 1 && number_len[0] == 8) {
    const int n = numbers[0];
    if (order == "YMD") return iso(n / 10000, n / 100 % 100, n % 100, strict);
    const int a = n / 1000000, b = n / 10000 % 100, y = n % 10000;
    return order == "MDY" ? iso(y, a, b, strict) : iso(y, b, a, strict);
  }
  if (numbers.size() != 3) return {};
  if (number_len[0] == 4) return iso(numbers[0], numbers[1], numbers[2], strict);  // ISO whatever the order
  if (number_len[2] != 4) return {};
  return order == "MDY" ? iso(numbers[2], numbers[0], numbers[1], strict) : iso(numbers[2], numbers[1], numbers[0], strict);
}
}  // namespace

std::string normaliseDate(std::string_view text, std::string_view order) { return dateValue(text, order, true); }

std::string dateDigits(std::string_view text, std::string_view order) { return dateValue(text, order, false); }

bool dateReadWhole(std::string_view text, std::string_view value, std::string_view order) {
  // The words of the text, split at every ASCII mark that is neither a
  // letter nor a digit (a byte over 0x7F is a marked letter's: FÉV); a word
  // mixing letters and digits ("I8") is neither a number nor a month's name.
  auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  auto isLetter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80;
  };
  std::vector<std::string> words;
  std::string cur;
  for (const char c : std::string(text) + " ") {
    if (isDigit(c) || isLetter(c)) {
      cur += c;
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  auto digits = [&](std::size_t k, std::size_t n) {
    return k < words.size() && words[k].size() == n && std::ranges::all_of(words[k], isDigit);
  };
  auto letters = [&](std::size_t k) { return k < words.size() && std::ranges::all_of(words[k], isLetter); };
  const bool year_first = order == "YMD";
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (!digits(k, year_first ? 4 : 2)) continue;
    // The month: two digits, or a run of words of letters the first of which names a month.
    std::size_t end = k + 1;
    if (digits(end, 2)) {
      ++end;
    } else if (letters(end) && monthNumber(mrz::transliterate(words[end]))) {
      while (letters(end)) ++end;
    } else {
      continue;
    }
    if (!digits(end, year_first ? 2 : 4)) continue;
    std::string whole;
    for (std::size_t w = k; w <= end; ++w) whole += (whole.empty() ? "" : " ") + words[w];
    if (normaliseDate(whole, order) == value) return true;
  }
  return false;
}

std::string normalise(Kind kind, std::string_view text, std::string_view date_order) {
  switch (kind) {
    case Kind::name: return normaliseName(text);
    case Kind::date: return normaliseDate(text, date_order);
    case Kind::code: return normaliseCode(text);
    case Kind::sex: return normaliseSex(text);
    case Kind::text: return foldText(text);
  }
  return {};
}

namespace {

// Where each character of a normalised value was read: the symbols
// [first, last] it comes from (one symbol, or a date component read with
// another width than the value's: all of that run's symbols), or none
// (first < 0) for a separator the normalisation put in.
struct Span {
  int first = -1, last = -1;
  bool operator==(const Span&) const = default;
};

// A date's digit and letter runs with the symbol of each character.
struct Token {
  bool digits = false;
  std::string text;
  std::vector<int> from;
};

std::vector<Span> dateSpans(const std::vector<Engine::Symbol>& symbols, std::string_view order) {
  std::vector<Token> tokens;
  bool open = false;
  for (std::size_t k = 0; k < symbols.size(); ++k) {
    // A word's first symbol starts a run, as the text's space does for
    // normaliseDate ("20 02.2027": 20, 02 and 2027, not 2002 and 2027).
    if (symbols[k].word_start) open = false;
    const std::string t = mrz::transliterate(symbols[k].text);
    bool any = false;
    for (char c : t) {
      const bool digit = c >= '0' && c <= '9', alpha = c >= 'A' && c <= 'Z';
      if (!digit && !alpha) {
        open = false;
        continue;
      }
      any = true;
      if (!open || tokens.back().digits != digit) tokens.push_back({digit, {}, {}});
      open = true;
      tokens.back().text += c;
      tokens.back().from.push_back(static_cast<int>(k));
    }
    if (!any) open = false;
  }
  std::vector<const Token*> numbers;
  const Token* month = nullptr;
  for (const Token& t : tokens)
    if (t.digits) numbers.push_back(&t);
    else if (!month && t.text.size() >= 3) month = &t;
  // A component of `width` characters from a token: character by character
  // when the token has that many, else the whole token for each.
  auto part = [](const Token& t, std::size_t width) {
    std::vector<Span> out;
    if (t.from.size() == width)
      for (int k : t.from) out.push_back({k, k});
    else
      out.assign(width, Span{t.from.front(), t.from.back()});
    return out;
  };
  auto iso = [](std::vector<Span> y, std::vector<Span> m, std::vector<Span> d) {
    std::vector<Span> out = std::move(y);
    out.emplace_back();
    out.insert(out.end(), m.begin(), m.end());
    out.emplace_back();
    out.insert(out.end(), d.begin(), d.end());
    return out;
  };
  if (month && numbers.size() == 2) {
    const bool year_last = numbers[1]->text.size() == 4;
    const Token &y = year_last ? *numbers[1] : *numbers[0], &d = year_last ? *numbers[0] : *numbers[1];
    return iso(part(y, 4), part(*month, 2), part(d, 2));
  }
  if (month) {  // as normaliseDate: the day before the first four-digit number
    for (std::size_t k = 1; k < numbers.size(); ++k)
      if (numbers[k]->text.size() == 4)
        return numbers[k - 1]->text.size() <= 2 ? iso(part(*numbers[k], 4), part(*month, 2), part(*numbers[k - 1], 2))
                                                : std::vector<Span>{};
    return {};
  }
  if (numbers.size() > 3 && numbers[2]->text.size() == 4 && numbers[0]->text.size() <= 2) numbers.resize(3);
  if (numbers.size() == 1 && numbers[0]->text.size() == 8) {
    const std::vector<Span> c = part(*numbers[0], 8);
    auto at = [&](std::size_t from, std::size_t n) { return std::vector<Span>(c.begin() + from, c.begin() + from + n); };
    if (order == "YMD") return iso(at(0, 4), at(4, 2), at(6, 2));
    return order == "MDY" ? iso(at(4, 4), at(0, 2), at(2, 2)) : iso(at(4, 4), at(2, 2), at(0, 2));
  }
  if (numbers.size() != 3) return {};
  if (numbers[0]->text.size() == 4) return iso(part(*numbers[0], 4), part(*numbers[1], 2), part(*numbers[2], 2));
  return order == "MDY" ? iso(part(*numbers[2], 4), part(*numbers[0], 2), part(*numbers[1], 2))
                        : iso(part(*numbers[2], 4), part(*numbers[1], 2), part(*numbers[0], 2));
}

// The symbols each character of a normalised value was read from; empty
// when the value and the symbols cannot be aligned.
std::vector<Span> valueSpans(Kind kind, std::string_view value, const std::vector<Engine::Symbol>& symbols,
                             std::string_view date_order) {
  if (value.empty() || symbols.empty() || kind == Kind::text) return {};
  if (kind == Kind::date) {
    auto c = dateSpans(symbols, date_order);
    return c.size() == value.size() ? c : std::vector<Span>{};
  }
  if (kind == Kind::sex) {  // the letter that decided ("F/F" prints it twice: the surer one)
    int best = -1;
    for (std::size_t k = 0; k < symbols.size(); ++k)
      if (normaliseName(symbols[k].text) == value &&
          (best < 0 || symbols[k].confidence > symbols[static_cast<std::size_t>(best)].confidence))
        best = static_cast<int>(k);
    return best < 0 ? std::vector<Span>{} : std::vector<Span>{{best, best}};
  }
  // Names and codes: each symbol normalised alone gives the value's letters in order.
  std::vector<int> letters;
  for (std::size_t k = 0; k < symbols.size(); ++k) {
    const std::string n = kind == Kind::name ? normaliseName(symbols[k].text) : normaliseCode(symbols[k].text);
    for (char c : n)
      if (c != ' ') letters.push_back(static_cast<int>(k));
  }
  std::vector<Span> out;
  std::size_t k = 0;
  for (char c : value) {
    if (c == ' ') {
      out.emplace_back();
      continue;
    }
    if (k >= letters.size()) return {};
    out.push_back({letters[k], letters[k]});
    ++k;
  }
  return k == letters.size() ? out : std::vector<Span>{};
}

}  // namespace

std::vector<double> valueConfidences(Kind kind, std::string_view value, const std::vector<Engine::Symbol>& symbols,
                                     std::string_view date_order) {
  const std::vector<Span> spans = valueSpans(kind, value, symbols, date_order);
  std::vector<double> out;
  out.reserve(spans.size());
  for (const Span& s : spans) {
    double c = 1;  // a separator
    for (int k = s.first; k >= 0 && k <= s.last; ++k) c = std::min(c, symbols[static_cast<std::size_t>(k)].confidence);
    out.push_back(c);
  }
  return out;
}

std::vector<Field::Alternative> valueAlternatives(Kind kind, std::string_view value,
                                                  const std::vector<Engine::Symbol>& symbols,
                                                  std::string_view date_order) {
  const std::vector<Span> spans = valueSpans(kind, value, symbols, date_order);
  if (spans.size() != value.size()) return {};
  std::vector<Field::Alternative> out(value.size());
  bool any = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    // Only a character read from one symbol that made no other character.
    const Span& from = spans[i];
    if (from.first < 0 || from.first != from.last || std::count(spans.begin(), spans.end(), from) > 1) continue;
    const Engine::Symbol& s = symbols[static_cast<std::size_t>(from.first)];
    if (s.alt.empty()) continue;
    const std::string alt = kind == Kind::name ? normaliseName(s.alt)
                            : kind == Kind::sex ? normaliseSex(s.alt)
                                                : normaliseCode(s.alt);
    if (alt.size() != 1 || alt[0] == value[i] || (kind == Kind::date && !std::isdigit(static_cast<unsigned char>(alt[0]))))
      continue;
    out[i] = {alt, s.alt_confidence};
    any = true;
  }
  return any ? out : std::vector<Field::Alternative>{};
}

std::vector<double> capUnconfirmed(std::string_view value, std::vector<double> conf, std::string_view second,
                                   double cap) {
  if (conf.size() != value.size() || value == second) return conf;
  auto lower = [&](std::size_t i) { conf[i] = std::min(conf[i], cap); };
  const std::size_t n = value.size(), m = second.size();
  if (m == 0 || n > 256 || m > 256) {  // nothing to align with (or not worth it): none confirmed
    for (std::size_t i = 0; i < n; ++i) lower(i);
    return conf;
  }
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (value[i - 1] != second[j - 1])});
  std::size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (value[i - 1] != second[j - 1])) {
      if (value[i - 1] != second[j - 1]) lower(i - 1);
      --i, --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      lower(--i);
    } else {  // the second reading has a character more before value[i]: its neighbours are in doubt
      if (i > 0) lower(i - 1);
      if (i < n) lower(i);
      --j;
    }
  }
  return conf;
}

bool fragmentOf(std::string_view value, const std::regex& pattern) {
  const std::string v(value);
  if (std::regex_match(v, pattern)) return false;
  static constexpr std::string_view kAdded = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
  for (std::size_t at = 0; at <= v.size(); ++at)
    for (const char c : kAdded)
      for (std::size_t n = 1; n <= 16; ++n)
        if (std::regex_match(v.substr(0, at) + std::string(n, c) + v.substr(at), pattern)) return true;
  return false;
}

std::optional<Kind> parseKind(std::string_view s) {
  if (s == "name") return Kind::name;
  if (s == "date") return Kind::date;
  if (s == "code") return Kind::code;
  if (s == "sex") return Kind::sex;
  if (s == "text") return Kind::text;
  return std::nullopt;
}

std::string_view toString(Kind k) {
  switch (k) {
    case Kind::name: return "name";
    case Kind::date: return "date";
    case Kind::code: return "code";
    case Kind::sex: return "sex";
    case Kind::text: return "text";
  }
  return "text";
}

}  // namespace idkit::ocr
