// Reading the printed fields of a flat document (the visual inspection zone)
// with Tesseract, through layout templates kept as data files.
//
//   auto templates = idkit::ocr::loadTemplates(*idkit::findData("templates"));
//   const auto* t = idkit::ocr::select(*templates, record, "");
//   idkit::ocr::Engine& engine = idkit::ocr::threadEngine();       // one per thread, reused
//   idkit::ocr::Result r = idkit::ocr::read(engine, flat_bgr, *t);  // only the template regions
//   record["ocr"] = r.toJson();
//
// A template (data/templates/NAME.json) lists fields with their region in
// millimetres on the upright flat document, the language, the characters
// allowed and the expected pattern of the value. Without a template,
// readWithoutTemplate() OCRs the whole card and finds fields by their printed
// labels (data/templates/labels.json) and by the values the MRZ holds.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>
#include <idkit/json.hpp>

namespace idkit::ocr {

// How a field's text becomes its normalised value.
enum class Kind {
  name,    // upper case, ICAO transliteration, single spaces
  date,    // ISO 8601 YYYY-MM-DD, by the field's date order
  code,    // A-Z0-9 only (document numbers, state codes)
  sex,     // M, F or X
  text     // trimmed, single spaces
};
std::optional<Kind> parseKind(std::string_view);
std::string_view toString(Kind);

struct FieldSpec {
  std::string name;           // record key: surname, given_names, birth_date, nik ...
  cv::Rect2d region_mm;       // on the flat document, upright
  Kind kind = Kind::text;
  std::string date_order = "DMY";  // DMY, MDY or YMD (dates only)
  std::string whitelist;      // Tesseract character whitelist; empty = by kind
  std::string lang;           // empty = the template's
  std::string pattern;        // ECMAScript regex the value must match (else low confidence)
  std::string strip;          // regex removed from the text first (a printed label in the region)
  double cap_mm = 0;          // expected capital height, to pick the value's line in the region
  bool single_char = false;   // one glyph ("C" visa type, "A" class): Tesseract's single-character mode
  // The values the field may hold, when it is a closed vocabulary (AAMVA's
  // eye and hair colour codes: BLU, HAZ, BRO ...); empty = any.
  std::vector<std::string> values;
  // Words every value of a text field prints as the template spells them
  // (a unit DAYS/JOURS, the word NATIONALITY): a run of the reading within
  // a third of such a word's characters in edits is that word (fitForm).
  std::vector<std::string> words;
  // The reference field (MRZ or QR payload, see referenceFields) holding the
  // same value: empty = the field's own name; "-" = none (a visa's own number,
  // while its MRZ holds the passport's).
  std::string reference;
  std::string_view referenceName() const {
    return reference.empty() ? std::string_view(name) : std::string_view(reference);
  }
};

struct Template {
  std::string id;             // file stem: "td3", "us-dl"
  std::string description;
  std::string kind;           // "ID1", "ID2", "ID3"
  cv::Size2d size_mm;
  std::string lang = "eng";   // Tesseract languages, "eng", "ind", "eng+fra"
  // Selection: an MRZ format and optionally issuing states / document codes,
  // or an AAMVA barcode; `anchors` are printed words checked when nothing else decides.
  std::vector<std::string> mrz_formats, issuing_states, document_codes;
  bool aamva = false;
  struct Anchor {
    cv::Rect2d region_mm;
    std::string text;  // expected, upper case
  };
  std::vector<Anchor> anchors;
  std::vector<FieldSpec> fields;
  // The TrueType file of the typeface the values are printed in ("typeface",
  // optional): a doubtful date or sex is then read again by synthesis in it
  // (ocr_glyphs.hpp). Empty: not known.
  std::string typeface;

  static Expected<Template> fromJson(const Json& j, std::string id);
};

// Every *.json in `dir` except labels.json. Errors: templates_unreadable,
// template_invalid (names the file).
Expected<std::vector<Template>> loadTemplates(const std::filesystem::path& dir);

// The template for a record: `forced` by id when given; else by MRZ format,
// issuing state and document code (the most specific match wins); else an
// AAMVA barcode of the record or of its other side (`partner`, as --pair
// gives it). nullptr when none applies (then anchors or no template).
const Template* select(const std::vector<Template>& templates, const Json& record, std::string_view forced = {},
                       const Json* partner = nullptr);

// One Tesseract engine per language set, owned by one thread and reused.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  struct Symbol {
    std::string text;  // one UTF-8 character
    double confidence = 0;
    cv::Rect box;      // in the crop's pixels (empty when Tesseract gives none)
    // The LSTM's likeliest other character here and its probability (0..1),
    // when readLine was asked for choices; "" when it had none.
    std::string alt;
    double alt_confidence = 0;
    bool word_start = false;  // the first symbol of a word (a space read before it)
  };
  struct Line {
    std::string text;
    double confidence = 0;        // 0..1, the mean over the line
    std::vector<Symbol> symbols;  // each recognised character with its own confidence
  };
  // One text line (grey or BGR crop), optional character whitelist; `raw`
  // skips line finding, `single_char` word finding too. `choices`: each
  // symbol's runner-up too (Tesseract's per-character CTC choices; a few
  // more beam searches per line).
  enum class LineMode { line, raw, single_char };
  Line readLine(const cv::Mat& crop, const std::string& lang, const std::string& whitelist, int dpi = 300,
                LineMode mode = LineMode::line, bool choices = false);
  struct Word {
    std::string text;
    cv::Rect box;
    double confidence = 0;
    int line = 0;  // index of the text line the word is in
  };
  // Every word of a page (automatic segmentation).
  std::vector<Word> readPage(const cv::Mat& image, const std::string& lang, int dpi = 300);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
Engine& threadEngine();

// Where the template sits on the actual flat card. id-deskew's card may be
// shifted by a few millimetres, cut at an edge or stretched to the wrong
// size class; the template's value lines are matched to the text lines found
// on the card, and each axis gets its own scale and offset.
struct Registration {
  double sx = 1, sy = 1, tx = 0, ty = 0;  // card px = s * template mm + t (+ the shear below)
  // Card px down per card px right: a card id-deskew flattened from a quad a
  // little off keeps its print sheared, each column's lines lower or higher
  // than the first's.
  double slope = 0;
  double sx0 = 1, sy0 = 1;                // nominal px per mm: card size / template size
  int matched = 0, expected = 0;          // template value lines found / looked for
  bool fitted = false;                    // false: the nominal scaling (too few lines matched)
  cv::Point2d toPx(cv::Point2d mm) const {
    const double x = sx * mm.x + tx;
    return {x, sy * mm.y + ty + slope * x};
  }
  // A region keeps its height: it is moved by the shear at its left edge, where its value starts.
  cv::Rect2d toPx(const cv::Rect2d& mm) const {
    const cv::Point2d tl = toPx(mm.tl());
    return {tl, cv::Point2d(sx * mm.br().x + tx, sy * mm.br().y + ty + slope * tl.x)};
  }
  Json toJson() const;  // {"fitted","shift_mm":[x,y],"scale":[x,y] (1 = nominal),"lines":"m/n"[,"slope"]}
};

// Boxes of dark text (words) on a card image (grey or BGR) whose capitals are about
// `cap_px` high: a black-hat, Otsu, letters joined horizontally. Where Otsu
// finds no split above `min_contrast` (a card with little text), the ink is
// what reaches `min_contrast`.
constexpr double kDefaultTextContrast = 30;
std::vector<cv::Rect> findTextBoxes(const cv::Mat& grey, double cap_px, double min_contrast = kDefaultTextContrast);
// The boxes of a binary image's 8-connected components (CV_8UC1, non-zero is
// ink), as cv::connectedComponentsWithStats gives them, in its label order,
// from the ink's runs along the rows: no label image (a card's ink is sparse,
// and the boxes are all its readers use).
std::vector<cv::Rect> componentBoxes(const cv::Mat& binary);
// Fits the template to the word boxes: each field's value line is expected at
// its region's left edge + 0.85 mm and vertical centre; per axis, the scale
// (within 0.8-1.25 of the nominal one) and offset that put most value lines
// on a word of the right height. Where that leaves lines unmatched, rows
// sheared by up to 5 px a 100 px are tried too; a shear stands where it
// matches more lines.
Registration registerTemplate(const std::vector<cv::Rect>& boxes, const Template& t, cv::Size card);

// The template whose value lines the card's words fit best (a card whose
// MRZ and barcode were not read): at least 80 % of its lines matched and
// ahead of the runner-up by a tenth (60 % and a fifth ahead), or tied with
// one whose size fits the card's aspect worse. When none is, the words are
// sought again at half findTextBoxes' contrast bar (a defocused card's) and
// each template keeps the better of its two fits. nullptr when still none.
// `named` as layoutFits'.
const Template* selectByLayout(const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                               const Template* named = nullptr);

// How well each template of the card's size (its aspect within 8 %: an
// MRV-A's 120 x 80 mm fits both of id-deskew's shapes), and `named` (the
// template the card's zone or barcode named, whatever its size: an ID-2 card
// id-deskew flattened as an ID-1 is stretched whole), fits its text
// lines: the share of value lines matched; best first, by share less aspect
// error. `min_contrast` as findTextBoxes'.
struct LayoutFit {
  const Template* t = nullptr;
  double share = 0;         // matched / expected value lines, 0 when not fitted
  double aspect_error = 0;  // |template aspect / card aspect - 1|
};
std::vector<LayoutFit> layoutFits(const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                                  double min_contrast = kDefaultTextContrast, const Template* named = nullptr);

// The template for a flat card and its record: the one the MRZ or barcode
// (the record's or its `partner`'s, as --pair gives it) names (select())
// when that fits the card's size and the MRZ is valid; a failing MRZ's
// choice (or, off the card's aspect, a template of its zone's geometry that
// fits it) unless another template fits the card's lines much better; else
// selectByLayout(), else selectByAnchors(). nullptr: none.
const Template* choose(Engine& engine, const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                       const Json& record, const Json* partner = nullptr);

struct Field {
  std::string name;
  std::string text;        // as read
  std::string value;       // normalised ("" when it could not be)
  double confidence = 0;   // 0..1 (Tesseract's, lowered when the pattern fails)
  cv::Rect box;            // flat-document pixels
  std::string source = "template";  // template, label, mrz
  // The value as read from the print alone, kept when the reference (MRZ,
  // QR payload) settled look-alike characters or lost diacritics in `value`
  // (source "template+mrz"): the independent reading, which bench scores.
  std::string read;
  // One confidence per character of `value` (spaces and separators 1), from
  // Tesseract's per-symbol confidences: where a value differs from another
  // source, id-check asks how sure the reading of just those characters was.
  // Empty when unknown (label reads).
  std::vector<double> char_confidence;
  // For each character of `value`, the reading's likeliest other character
  // there and its probability (an empty text: none known, or the character
  // is a separator): a difference from another source that is the
  // runner-up is a plausible misread, one that is not is a sure difference.
  // Empty when unknown (fields no check compares, label reads).
  struct Alternative {
    std::string text;
    double confidence = 0;
  };
  std::vector<Alternative> char_alternatives;
  Json toJson() const;     // {"text","value","read"?,"confidence","char_confidence"?,"char_alternatives"?,"box","source"?}
};

struct Result {
  std::string template_id;  // "" without a template
  Json registration;        // Registration::toJson() (template reads only)
  std::vector<Field> fields;
  const Field* find(std::string_view name) const;
  Json toJson() const;      // {"template", "fields": {name: {...}}}
};

// The image a flat card was cut from, when the card was enlarged from it:
// a field still doubtful after every other retry is read once more from the
// source's own pixels (one interpolation instead of the flat card's two).
// The image is loaded when first needed (image()).
struct Source {
  std::string input;      // the record's input image
  cv::Matx33d to_input;   // flat card pixels -> input pixels
  // The input, grey, and flat card pixels -> its pixels (a reduced decode
  // is smaller than the input); an empty image when it cannot be loaded.
  std::pair<const cv::Mat&, cv::Matx33d> image() const;
  // The input's pixels per flat card pixel about `at` (flat card pixels),
  // along the card's width: under 1 for a card enlarged from the input.
  double pixelsPerCardPixel(cv::Point2d at) const;
  bool loaded() const { return loaded_; }  // image() was asked for

 private:
  mutable bool loaded_ = false;
  mutable cv::Mat grey_;
  mutable cv::Matx33d to_grey_;
};
// The record's input and its document.quad, when id-deskew made the
// record's flat card (`flat_size`) from a quad with fewer pixels per
// millimetre than the card has (a photo of a small card, a 150 dpi scan);
// nullopt otherwise.
std::optional<Source> sourceOf(const Json& record, cv::Size flat_size);

// Reads the template's regions on an upright flat document of any resolution
// (scaled to the template's size). `mrz_fields` (the record's mrz.fields,
// when id-mrz ran) settles look-alike characters in codes: see reconcile().
// `source` (see sourceOf): where a field stays doubtful after the other
// retries, it is read once more from the source's pixels.
Result read(Engine& engine, const cv::Mat& flat_bgr, const Template& t, const Json& mrz_fields = Json::object(),
            const Source* source = nullptr);

// A code's digit 0 that Tesseract read as the letter O, told apart by the
// glyph's width: proportional fonts print the digit narrower (DejaVu Sans
// Bold: ink 0.58 em wide against the O's 0.77 em, both 0.73 em high; Arial
// and OCR-B alike). A symbol read O whose box is narrower than 0.94 of the
// line's capital height (the median symbol height) becomes 0; a 0 stays 0
// (a wide box is more often two glyphs merged than an O). `text` is the line
// as read; returned with those characters settled (unchanged when its
// characters and the symbols do not pair up one to one).
std::string settleZeroes(std::string_view text, const std::vector<Engine::Symbol>& symbols);

// A value line (`crop`, grey flat card pixels) as the typeface's readers
// (ocr_glyphs.hpp) are given it. A card enlarged from a photo that holds it
// at under kEnlargedBelow of the flat card's pixels per millimetre
// (`source_px`: Source::pixelsPerCardPixel) whose line is sharp at the
// photo's own resolution (`blur_px`, the line's blurSigma in card pixels,
// under kSharpInSourcePx source pixels) carries the photo's JPEG blocks and
// the enlargement's bilinear facets, which no blurred rendering of a glyph
// explains: it is smoothed by a Gaussian of kSmoothOfSourcePx source
// pixels. Any other line is returned as it is (the same pixels).
constexpr double kEnlargedBelow = 0.45, kSharpInSourcePx = 0.55, kSmoothOfSourcePx = 0.4;
cv::Mat glyphView(const cv::Mat& crop, double source_px, double blur_px);

// A value line's black-hat (`blackhat`: strokes darker than their
// surroundings, of the grey line `grey`, capitals `cap_px` high) with its
// strokes under a glare spot raised to the line's own level. A glare spot
// takes paper and ink together towards one light level, so its strokes
// stand out from the paper by a fraction of the others' (a glyph grey on
// light grey) and a global threshold drops them. Windows of
// kLevelWindowCaps capital heights, half overlapping, each with its stroke
// level (the black-hat's 97th percentile) and paper level (the closing's
// mean): the line's full-strength ink (windows at half the strongest stroke
// level or more; their median levels, the reference) sets the model; the
// light level is fitted to the windows over kLevelPaperRise brighter
// than the reference and holding ink (a stroke level of kLevelInkShare of
// the reference or more; two such at least): the upper quartile of the
// levels under which each fades no less than the model says; each window
// brighter than the reference is raised by the fading its paper implies
// (at most kLevelMaxGain times), gains running linearly between window
// centres. Returned as it is (the same pixels) when nothing is faded to
// under kLevelFaded, or a quarter of the brighter windows hold
// full-strength ink.
constexpr double kLevelWindowCaps = 2, kLevelPaperRise = 6, kLevelInkShare = 0.2, kLevelMaxGain = 4, kLevelFaded = 0.7;
cv::Mat levelStrokes(const cv::Mat& blackhat, const cv::Mat& grey, double cap_px);

// A name's value line `box` (grey card pixels) with its left end moved out of
// a letter it cuts, to the nearest inkless column at most a capital height
// left of it; unchanged when its left edge is blank or no such column is near.
cv::Rect uncutLeft(const cv::Mat& grey, cv::Rect box, double cap_px);

// Templates draw a field's region this far left of where its value starts
// (measured on id-synth's truth boxes).
constexpr double kValueIndentMm = 0.85;

// A value line `box` (grey card pixels, capitals `cap_px` high) with the
// marks before its value taken off its left end: the label's colon or
// degree sign, the stub of a label's glyph the box's left edge cuts, or a
// neighbouring column's last glyph (the box's margin reaches a label gap's
// width left of the value). Tesseract reads such a mark into the value's
// first character and scores the whole line at 0 for it. The line's ink
// (black-hat over Otsu's level) in parts: the value starts at the leftmost
// part of a value glyph's height (kValueGlyphOfCap to kValueGlyphMaxOfCap
// capital heights) that the left edge does not cut and that ends after
// `value_x` (card px, where the template puts the value's start; -1: no
// such bound); the parts wholly before it on its rows are marks when a gap
// of kLabelGapOfCap capital heights or more separates the last of them from
// the value. The box then starts half that gap (at most kMarkMarginOfCap
// capital heights) before the value. Unchanged when there are no such marks
// or the gap is narrower (a faded first letter's pieces).
constexpr double kValueGlyphOfCap = 0.6, kValueGlyphMaxOfCap = 1.6, kLabelGapOfCap = 0.3, kMarkMarginOfCap = 0.35;
cv::Rect trimLeadingMarks(const cv::Mat& grey, cv::Rect box, double cap_px, int value_x = -1);

// Whether one of `texts` (other readers' readings of a date's line, however
// partial) reads, group for group (runs of letters and digits), what tells
// the printed date `reading` from its `rival`: as many groups as the
// reading, and the reading's own wherever the rival's differs. "10.04. 70"
// settles 10.04.2030 against 30.04.2030; "12.2030" (a group lost) settles
// nothing, and no text settles a rival of the same groups.
bool supportedAgainstRival(const std::string& reading, const std::string& rival, const std::vector<std::string>& texts);

// Per-character confidences of a normalised value from the symbols it was
// read from (see Field::char_confidence); empty when they cannot be aligned.
std::vector<double> valueConfidences(Kind kind, std::string_view value, const std::vector<Engine::Symbol>& symbols,
                                     std::string_view date_order = "DMY");
// The runner-up of each character of a normalised value (see
// Field::char_alternatives), aligned as valueConfidences aligns: a
// character made from a symbol whose alternative normalises to one other
// character gets it; separators, and characters that share their symbol
// with another (a month's name, a spelled-out letter), get none. Empty when
// the value and symbols cannot be aligned or no character has one.
std::vector<Field::Alternative> valueAlternatives(Kind kind, std::string_view value,
                                                  const std::vector<Engine::Symbol>& symbols,
                                                  std::string_view date_order = "DMY");

// A value's character confidences after a second reading of the same print:
// the characters of `value` that an edit alignment with `second` (another
// normalised reading) changes or deletes, and the neighbours of a character
// the second reading has in addition, are capped at `cap`; all of them when
// the second reading is empty. `conf` has one value per character of
// `value` (else returned as it is).
std::vector<double> capUnconfirmed(std::string_view value, std::vector<double> conf, std::string_view second,
                                   double cap);

// A value shorter than its field's pattern: it fails `pattern`, and the
// pattern takes it once characters are added (a run of one capital, digit
// or '-', 1 to 16 long, at one place). What was read is a part of the
// printed value at most: a nationality D|[A-Z]{3,} read "A", eleven
// characters of a [A-Z0-9]{12} number. A value that matches, or that no
// such addition mends (a digit in a nationality, a value too long), is none.
bool fragmentOf(std::string_view value, const std::regex& pattern);

// A code read from print that equals the MRZ's value up to characters the
// printed fonts make look alike (O/0, I/1, S/5, B/8, Z/2, G/6, Q/0, and O
// printed for a 6 or 9 whose opening closed up) takes
// the MRZ's spelling; anything else is left as read. Returns true when changed.
bool reconcile(std::string& value, std::string_view mrz_value);

// A name read from print (A-Z and spaces) that equals the reference's
// (the MRZ's, or an idkit QR payload's) but for letters whose diacritic
// the reading lost (the English model's, or a blurred line's) takes the
// reference's ICAO spelling: O for OE, A for AE or AA, U for UE (Ö, Ø, Ä,
// Æ, Å, Ü), S or B for SS (ß), P for TH (Þ). Anything else is left as read. `conf` (one value per
// character, may be empty) follows: a spelled-out pair takes its letter's.
bool reconcileName(std::string& value, std::string_view reference, std::vector<double>* conf = nullptr);

// Where reconcileName() would spell out a lost mark: each letter of `value`
// (by index) that stands for two of the reference's, with those two ("UE"
// for a U the reference spells UE). Empty when the two names differ otherwise.
std::vector<std::pair<std::size_t, std::string>> lostMarks(std::string_view value, std::string_view reference);

// Which letters of a name read from print differ from the reference's
// spelling without the print showing it: `text` the reading as printed
// (normalising to `value`, A-Z and spaces), each letter of `value` the
// reference spells otherwise checked in its own place on `grey_line` (as
// glyphs::checkCharacters, in `font`, capitals about `cap_px` high) against
// the reference's letter there, or what a pair of its letters may print as
// one: the marked letters it spells (R read for GROSS's SS: ß), or the two
// letters themselves (U read for STIJN's IJ). A letter is doubted where the
// reference's fits the ink as well or better, or all but as well (the
// look-alike check's margin); one the print clearly shows stays as read (a
// forged letter fits better than the genuine one). One flag per letter of
// `value`; all false when the two do not align letter for letter or letter
// for pair, or the rendering does not explain the line (kMarkFit of its ink)
// nor `words`, the part of the line the name's words take, when given (a
// wide region's empty rest holds guilloche no rendering explains). One
// letter of `value` may stand for nothing of the reference's (VAARAT read
// for VAART): no rendering weighs a letter against nothing, so it is
// doubted only where the caller says the line was read with doubt
// (`line_doubted`: no reader confirmed it); on a line read surely it stays
// as read (a letter added to a sharp print is a different name). Throws
// idkit::Failure (font_missing) when `font` cannot be opened.
std::vector<bool> doubtedLetters(const cv::Mat& grey_line, double cap_px, const std::string& text,
                                 const std::string& value, const std::string& reference, const std::string& font,
                                 const cv::Mat& words = {}, bool line_doubted = false);

// doubtedLetters' check, with the letters the print shows surely: `sure`,
// one flag per letter of `value`, set where a letter that differs from the
// reference's is kept as read (not doubted) and the reference's letter put
// in its place leaves clearly more of the letter's cell's ink unexplained
// (glyphs::Reading::char_margin at id-ocr's sure-letter margin, which grows
// where the capitals span few of the input's pixels or blur widths:
// `source_scale`, the input's pixels per pixel of `grey_line`; 0: nothing is
// sure): a forged letter. `rival`: the reference's letter there ("" where
// not sure). None where a letter of `value` stands for nothing of the
// reference's. Such a letter is doubted where the reference's spelling
// rendered whole explains the line as well as the reading does only if it
// also does so against the reading with its letters whose cells the
// reference's letters fit better taken as the reference's (a misread beside
// the forged letter no longer makes the reference's spelling the better fit),
// and, where one word of a longer name holds every differing letter, on that
// word alone too (one letter's ink is little of a long line's).
// Where some letter is sure, `respelled`: `value` with each letter whose
// character's cell the reference's letter explains better by that same
// margin (a misread beside the forged letter: KEETESS's S a blurred R of
// PEETERS) spelled as the reference has it there, so that the forged letter
// is the only difference left; `respelled_of`, per letter of it, the letter
// of `value` kept there (-1: the reference's). Empty where nothing is so.
// Where no letter is sure, `respelled` is the reference's spelling and
// `settled` is set only where every differing letter is one plain letter of
// the reference's whose cell it explains so clearly better than the reading's
// letter, and clearly best of the 26 capitals in its place too (a forged
// letter misread as a third one is no reference's letter): the reading
// was wrong, as settleOwnReading finds a code's.
struct LetterCheck {
  std::vector<bool> doubted;
  std::vector<bool> sure;
  std::vector<std::string> rival;
  std::string respelled;
  std::vector<std::ptrdiff_t> respelled_of;
  bool settled = false;
};
LetterCheck checkLetters(const cv::Mat& grey_line, double cap_px, const std::string& text, const std::string& value,
                         const std::string& reference, const std::string& font, const cv::Mat& words,
                         bool line_doubted, double source_scale);

namespace glyphs {
struct Reading;  // idkit/ocr_glyphs.hpp
}

// Which digits of a date `value` (ISO) that differ from the reference's
// (`reference`, ISO: the MRZ's) its print does not show surely: `check` is
// glyphs::checkDate's reading of `value` on its line, and a digit is sure
// where every other digit in its place leaves clearly more of its cell's ink
// unexplained (char_margin at id-ocr's sure-digit margin or more: a forged
// digit does). All false when the two are not dates of one length or
// `check` does not cover `value`. `sure_margin`: a larger margin asked of
// them (the capture's, as read() asks of a name's letter), if any.
std::vector<bool> doubtedDigits(const glyphs::Reading& check, const std::string& value, const std::string& reference,
                                double sure_margin = 0);

// A code (a document number: FAS134200 read where the MRZ holds FA9134200)
// read as `value`, which the reference spells with as many characters: each
// character that differs checked in the typeface against the reference's
// there, as doubtedLetters checks a name's. `doubted`: one flag per
// character, set where the reference's fits the ink as well or better, or
// all but as well. `shows_reference`: every character that differs is the
// reference's in the print, each clearly (the margin id-ocr asks of a
// look-alike it changes), under a rendering that explains the line as the
// doubt asks: the print, not the reference, says the value is the
// reference's (a forged character explains its own cell better, and
// stays). All false when the lengths differ or nothing differs.
struct CodeCheck {
  std::vector<bool> doubted;
  bool shows_reference = false;
};
CodeCheck checkCodeCharacters(const cv::Mat& grey_line, double cap_px, const std::string& value,
                              const std::string& reference, const std::string& font);

// read()'s check of a compared code field against its reference `ref`
// (normalised), on its value line `crop` (grey, `cap_px` capital height) in
// the typeface `font`. settleOwnReading: a value Tesseract read alone
// (source "template", `text` == `value`) otherwise than `ref`: where the
// print shows the reference's characters (shows_reference) the value and
// `read` take them, each changed character at most
// kUnconfirmedCharConfidence sure and without a runner-up, and `text` keeps
// what Tesseract read; else the characters the check doubts are capped so.
// settleReconciled: a value the reference settled in look-alikes (source
// "template+mrz", the print's reading in `read`): `read` becomes the value
// only where the print shows the settled characters so.
void settleOwnReading(Field& field, const cv::Mat& crop, double cap_px, const std::string& ref,
                      const std::string& font);
void settleReconciled(Field& field, const cv::Mat& crop, double cap_px, const std::string& font);

// The reference spelling of a name field from a record's reference fields
// (see referenceFields): surname, given_names, or "name" (surname and given
// names, as visas print them); "" when the reference has none.
std::string referenceName(const Json& reference, std::string_view field);

// The values that settle look-alike characters and lost diacritics in
// printed fields: the record's mrz.fields when id-mrz read an MRZ, else the
// fields of its barcode (id-barcode: an idkit QR card's payload, or a
// licence's AAMVA document number and untruncated names), else those of the
// barcode on its other side (`partner`, see check::Pairs: a licence front
// paired with its back's PDF417); an empty object when none is there.
Json referenceFields(const Json& record, const Json* partner = nullptr);

// Whether a record is a driving licence's back: its own barcodes hold an
// AAMVA payload (the PDF417 is printed on the back). No template reads it:
// every licence layout is a front's, and a front layout laid over a back
// reads the barcode's stripes as text.
bool licenceBack(const Json& record);

// Printed labels of each field in several languages (labels.json:
// {"surname": ["SURNAME", "NOM", "NAMA", ...], ...}).
using Labels = std::map<std::string, std::vector<std::string>>;
Expected<Labels> loadLabels(const std::filesystem::path& file);

// Whole-card OCR: fields after their labels, and MRZ values (`mrz_fields`,
// the record's mrz.fields) found anywhere in the text.
Result readWithoutTemplate(Engine& engine, const cv::Mat& flat_bgr, const Labels& labels,
                           const Json& mrz_fields = Json::object());

// Whether an anchor's words are found in the card (to pick a template when
// neither MRZ nor barcode decides): the share of anchors matched, 0..1.
double anchorScore(Engine& engine, const cv::Mat& flat_bgr, const Template& t);
// The template with anchors whose size fits the card's aspect and whose
// anchors are found best (at least half of them); nullptr when none.
const Template* selectByAnchors(Engine& engine, const cv::Mat& flat_bgr, const std::vector<Template>& templates);

// ---- normalisation (also applied to ground truth by tests and bench) -------

std::string normaliseName(std::string_view text);
// The same, and per character of the result the index of the (UTF-8) character
// of `text` it comes from (a marked letter spelled out gives two: Ä -> AE).
std::string normaliseName(std::string_view text, std::vector<std::size_t>& source);
std::string normaliseCode(std::string_view text);
std::string normaliseSex(std::string_view text);
std::string normaliseText(std::string_view text);
// A text field's value: single spaces, upper case, letters folded to their
// base letter (ÅLESUND -> ALESUND, ŁÓDŹ -> LODZ; Æ, Œ, ß, Þ spelled out as
// AE, OE, SS, TH): text fields are read with the English model, which sees
// few diacritics, and a comparison key without them is what a back office
// matches on. Stray marks at either end go ("ALESUND .", "7 DAYS/JOURS |"):
// words of no letter or digit, unless the value is nothing else ("-").
std::string foldText(std::string_view text);
// A text field's value in its template's form: each of `words` (printed in
// every value: a unit DAYS/JOURS, the word NATIONALITY) found in the value
// within a third of its characters in edits is spelled as the template
// spells it ("23 DAYS JOURS", "17 DAYSHOURS" -> "... DAYS/JOURS"); then, off
// `pattern`, marks after words go ("NATIONALITY GBR." -> "... GBR"; a mark
// before one may be a misread character, "$9" for 89, and stays), and so do
// words after a whole value in the pattern ("2 AE OE" -> "2"): noise beside
// the print. Unchanged where nothing so matches the pattern; `fits` says
// whether the value returned matches it.
struct FormFit {
  std::string value;
  bool fits = false;
};
FormFit fitForm(std::string_view value, const std::vector<std::string>& words, const std::regex& pattern);
// "12 AUG/AOÛT 1974", "12.08.1974", "08/12/1974" (MDY), "1974-08-12" -> "1974-08-12"; "" when not a date.
std::string normaliseDate(std::string_view text, std::string_view order = "DMY");
// The digits of a date as read, in ISO order, whether or not they make a
// calendar date ("35.07.1947" -> "1947-07-35"): a second reading's opinion
// on each digit of a first one (see capUnconfirmed). "" when not date-shaped.
std::string dateDigits(std::string_view text, std::string_view order = "DMY");
// Whether `text` prints the date `value` (ISO) whole, as the templates'
// dates are printed: a two-digit day, a two-digit month or a month's name
// (one or more words: "MAR/MARS") and a four-digit year in `order` (YMD:
// the year first), each a word of its own, between marks that are neither
// letters nor digits ("14.06. 1989" and "02 01. 1931" are whole; "I8.04 2122"
// is not: its day is a letter and one digit, the value's 08 a guess), and
// normalised they give `value`. Words before or after them are a
// neighbour's print and do not count.
bool dateReadWhole(std::string_view text, std::string_view value, std::string_view order = "DMY");
std::string normalise(Kind kind, std::string_view text, std::string_view date_order = "DMY");

}  // namespace idkit::ocr
