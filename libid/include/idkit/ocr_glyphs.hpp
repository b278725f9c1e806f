// Reading blurred print by synthesis in the layout's typeface: the value
// whose rendering, blurred as the line is, best explains the line's ink.
//
// Tesseract's LSTM does not read glyphs smeared over half their width
// (bench/README.md, id-ocr sessions 18-19), but where the typeface is known a
// blurred field is a matched-filter problem: each candidate glyph is rendered
// at the line's capital height, blurred by a kernel fitted to the line, and
// the candidate values a field's pattern allows (a date's digits in its
// printed format, a sex letter) are scored by how much of the line's ink
// energy their rendering accounts for (least squares, the ink level fitted).
//
//   auto r = idkit::ocr::glyphs::readDate(grey_line, cap_px, "DMY", idkit::text::kSansBold);
//   if (r && r->margin > ...) use(r->text);   // "14.06.1937"
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace idkit::ocr::glyphs {

struct Reading {
  std::string text;    // as printed: "14.06.1937", "14 JUN/JUIN 1937", "06/14/1937", "F"
  double fit = 0;      // share of the line's ink energy the rendering explains, 0..1
  // How much more of the line's ink the best other value leaves unexplained,
  // as a share of what this one leaves (0..100): under blur a wrong digit
  // still explains most of a right one's ink, so a date's rival fits nearly
  // as well overall, but leaves clearly more unexplained.
  double margin = 0;
  std::string rival;   // that other value, as printed ("" when none fitted)
  // The blur the value was read with: a Gaussian's sigma, or a motion
  // streak's length and angle (degrees), in the line's pixels.
  double sigma = 0, motion_px = 0, motion_deg = 0;
  double cap_px = 0;  // the capital height it was read at, in the line's pixels
  // checkCharacters and checkDate only: for each character checked, how
  // much more ink the best other choice in its place leaves unexplained in
  // the character's cell, as a share of what the choice made leaves (as
  // `margin`, 0..100), and that other choice; 0 and "" where nothing was
  // tried (nothing is known of the character).
  std::vector<double> char_margin;
  std::vector<std::string> char_rival;
  // checkCharacters only: the choice taken in each place (the character
  // checked, or the other that explains its cell better).
  std::vector<std::string> char_taken;
};

// A date on a value line (8-bit grey or BGR, dark print on a light card)
// whose capitals are about `cap_px` high, printed in `font` (a TrueType
// file) as id-synth's layouts print dates: "DD.MM.YYYY" or "DD MON YYYY"
// (English months, bilingual "AUG/AOÛT" where French differs) for the
// order DMY, "MM/DD/YYYY" for MDY; years 1900-2099. nullopt when the line
// is empty, too small for its capitals, holds no ink, or no format fits it
// (another order). Throws idkit::Failure (font_missing) when `font` cannot
// be opened.
// `hints`: values another reader or source gives (ISO dates, "1985-11-06"),
// each printed in the order's formats and judged as the values the line
// gives are (at its own best place, blur and size): one is the reading only
// where it explains the line's ink best.
std::optional<Reading> readDate(const cv::Mat& grey_line, double cap_px, std::string_view date_order,
                                const std::string& font, const std::vector<std::string>& hints = {});

// Which one of `letters` (each one UTF-8 character, e.g. {"M","F","X"}) is
// printed alone on a value line, as readDate reads a date; nullopt also
// when `letters` is empty.
std::optional<Reading> readLetter(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& letters,
                                  const std::string& font);

// A code (a document or personal number, a state code) on a value line: the
// string of `chars` (each one UTF-8 character, e.g. A-Z and 0-9), placed by
// their advances as the document renderer places them, that best explains
// the line's ink (found by dynamic programming over the pen position, then
// improved whole one edit at a time); its rival the best string one edit
// off (a character changed or dropped, two made one). nullopt when the line
// holds no ink or `chars` is empty. `hints`: strings another source gives
// (the MRZ's value of the field), judged as readText's are: one starts the
// edits when it explains more ink than the line's own reading, and is a
// rival of the reading taken. Throws as readDate.
std::optional<Reading> readCode(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                const std::string& font, const std::vector<std::string>& hints = {});

// A name or free text on a value line, as readCode reads a code: `chars`
// may hold a space (no ink, only its advance; never first or last, nor two
// in a row), and each of `marked` (a letter with a diacritic and the letter
// it is written on: {"Ü", "U"}) is not searched along the line but tried in
// place of its base letter (and back) when the string is improved whole: a
// mark is a small part of a blurred letter's ink, and each one searched
// along the line would cost as much as a letter. `same`, when set, gives
// each string its value (a name without its punctuation): strings of one
// value are one reading, never each other's rival. `hints`: strings another
// reader gave, judged as the line's own reading is (the surest starts the
// whole edits), so that a reading is taken only when it explains the ink
// clearly better than they do. `mixed`: what a letter printed next to a
// digit costs, as a share of a glyph's ink (free text's words are numbers or
// letters; a blurred B is nearly an 8): 0 for none. nullopt also when the
// reading is more than half strokes (I and thin marks, which explain some of
// any blurred ink: a line too blurred to read is read as a row of them).
std::optional<Reading> readText(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                const std::vector<std::pair<std::string, std::string>>& marked,
                                const std::string& font,
                                const std::function<std::string(const std::string&)>& same = {},
                                const std::vector<std::string>& hints = {}, double mixed = 0);

// Another reader's code `text` checked character by character against its
// look-alikes (S and 5, B and 8, 0 O D and Q, 1 and I, Z 2 and 7, G and 6),
// each tried where the string has one, when it is among `chars`: the
// string rendered whole under the blur and size fitted to the line, each
// look-alike put in place of the character one at a time (and kept when it
// explains more ink), as readCode improves its own reading. Reading::rival
// is the best other string tried (`text` itself when another won). nullopt
// when the line holds no ink, or `text` has no look-alike with an
// alternative in `chars`. Reading::margin is the smallest over the
// characters checked (kept or changed): how much more ink the other choice
// there leaves unexplained in the character's cell, as a share of what the
// choice made leaves. `classes`, when given, replaces the look-alikes:
// each string a set of characters tried for one another ({"0123456789"}:
// a date's digits). Throws as readDate.
std::optional<Reading> checkLookAlikes(const cv::Mat& grey_line, double cap_px, const std::string& text,
                                       const std::vector<std::string>& chars, const std::string& font,
                                       const std::vector<std::string>& classes = {});

// A date's value (ISO, "1983-09-29") checked digit by digit on its line, as
// checkLookAlikes checks a code: printed in each of `date_order`'s formats
// for its month ("29.09.1983", "29 SEP/SEPT 1983"; "09/29/1983" for MDY),
// the one whose rendering explains most ink kept (Reading::text), and each
// of its digits judged against the other nine in its own place, the rest
// where they are, under the blur fitted to the line (a Gaussian's or a
// motion streak's: checkCharacters' `streaks`). Reading::char_margin and char_rival are aligned with
// `iso` (10 entries): a digit's margin and closest other digit (where
// another digit explains its cell better: 0 and that digit); the hyphens, and the month where a word prints it, 0 and "". Reading::fit
// the rendering's share of the line's ink; `margin` the smallest digit's.
// nullopt when `iso` is no date of 1900-2099, or as checkCharacters.
// `reference`: another source's value of the date (ISO, the MRZ's), or
// empty: a digit of `iso` that differs from it is judged against the
// reference's digit in its place alone (does the print show that one?),
// not the other nine.
std::optional<Reading> checkDate(const cv::Mat& grey_line, double cap_px, const std::string& iso,
                                 std::string_view date_order, const std::string& font,
                                 const std::string& reference = {});

// checkLookAlikes for any characters: `chars` the string as read, one UTF-8
// character each, and others[i] what is tried in place of chars[i] (empty:
// left as it is); a name's letter against its marked forms ({"U"} against
// {"Ü"}). nullopt also when nothing is to be tried. The blur fitted is a
// Gaussian's, or also a motion streak's with `streaks` (five times the
// cost). Throws as readDate.
std::optional<Reading> checkCharacters(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                       const std::vector<std::vector<std::string>>& others,
                                       const std::string& font, bool streaks = false);

// The string `chars` (one UTF-8 character each) rendered whole on its line,
// placed, sized and blurred (a Gaussian) as checkCharacters places its
// string: Reading::fit is the share of the line's ink it explains, `text`
// the string; nothing is tried in place of a character (char_margin all 0).
// Two spellings of a value so weighed say which the print shows (a name
// read SOHA where the reference spells SOFIA: F and I touching). nullopt as
// checkCharacters. Throws as readDate.
std::optional<Reading> fitString(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& chars,
                                 const std::string& font);

// cv::matchTemplate(image, templ, TM_CCORR) for a template nearly as large
// as the image (a reading's rendering slid a few pixels): each placement's
// products summed in double and rounded to float, the template's rows and
// columns with no ink left out. The values matchTemplate gives (it
// correlates CV_32F through a double-precision DFT and rounds the same sums),
// at a fraction of its cost when the placements are few. Both CV_32FC1;
// empty when the template is larger than the image.
cv::Mat correlateNear(const cv::Mat& image, const cv::Mat& templ);

}  // namespace idkit::ocr::glyphs
