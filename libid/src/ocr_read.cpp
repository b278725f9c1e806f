// Tesseract on template regions (and on the whole card for the fallback).
#include <idkit/ocr.hpp>
#include <idkit/ocr_glyphs.hpp>

#include <idkit/check.hpp>
#include <idkit/image.hpp>
#include <idkit/mrz.hpp>
#include <idkit/paths.hpp>
#include <idkit/text_render.hpp>
#include <idkit/utf8.hpp>

#include "motion_blur.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <regex>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>

namespace idkit::ocr {

// ---- engine ------------------------------------------------------------------

struct Engine::Impl {
  // One initialised API per language set; Init is the expensive part (model load).
  std::map<std::string, std::unique_ptr<tesseract::TessBaseAPI>> apis;

  tesseract::TessBaseAPI& api(const std::string& lang) {
    auto& slot = apis[lang];
    if (!slot) {
      auto a = std::make_unique<tesseract::TessBaseAPI>();
      // Quiet: Tesseract otherwise prints resolution warnings to stderr.
      // No dictionaries: fields are names, numbers and dates, which a word
      // list only bends towards English words, and the beam search is faster
      // without them. No inverted second reading of doubtful lines: crops are
      // dark print on a light card (white-on-dark print is not read).
      std::vector<std::string> names{"debug_file",        "load_system_dawg", "load_freq_dawg",
                                     "load_unambig_dawg", "load_punc_dawg",   "load_number_dawg",
                                     "load_bigram_dawg",  "tessedit_do_invert"},
          values{"/dev/null", "0", "0", "0", "0", "0", "0", "0"};
      // idkit's own language data before the system's: a data directory's
      // tessdata/<lang>.traineddata. Tesseract loads an LSTM's word list
      // whatever load_system_dawg says, and Debian's Latin one is 89 MB; a
      // Latin file whose list keeps only its all-capital words reads the
      // cards' capitals alike and loads in under half the time, with a third
      // of the memory (bench/README.md, id-ocr session 11).
      const auto own = lang.find('+') == std::string::npos ? findData("tessdata/" + lang + ".traineddata")
                                                           : std::nullopt;
      const std::string datapath = own ? own->parent_path().string() + "/" : std::string();
      if (a->Init(own ? datapath.c_str() : nullptr, lang.c_str(), tesseract::OEM_LSTM_ONLY, nullptr, 0, &names, &values,
                  false) != 0)
        throw Failure("ocr_unavailable", "Tesseract cannot load language data '" + lang + "'");
      slot = std::move(a);
    }
    return *slot;
  }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() {
  for (auto& [lang, api] : impl_->apis) api->End();
}

namespace {
cv::Mat grey(const cv::Mat& img) {
  if (img.channels() == 1) return img;
  cv::Mat g;
  cv::cvtColor(img, g, img.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return g;
}
}  // namespace

Engine::Line Engine::readLine(const cv::Mat& crop, const std::string& lang, const std::string& whitelist, int dpi,
                              LineMode mode, bool choices) {
  tesseract::TessBaseAPI& api = impl_->api(lang);
  cv::Mat g = grey(crop);
  if (!g.isContinuous()) g = g.clone();
  api.SetPageSegMode(mode == LineMode::raw           ? tesseract::PSM_RAW_LINE
                     : mode == LineMode::single_char ? tesseract::PSM_SINGLE_CHAR
                                                     : tesseract::PSM_SINGLE_LINE);
  api.SetVariable("tessedit_char_whitelist", whitelist.c_str());
  // 2: alternatives per character from the CTC decoding (1 would give them per time step).
  // One more beam search, which leaves out the best path's characters, gives the runner-ups.
  api.SetVariable("lstm_choice_mode", choices ? "2" : "0");
  api.SetVariable("lstm_choice_iterations", "1");
  api.SetImage(g.data, g.cols, g.rows, 1, static_cast<int>(g.step));
  api.SetSourceResolution(dpi);
  Line line;
  if (char* text = api.GetUTF8Text()) {
    line.text = text;
    delete[] text;
  }
  line.confidence = std::max(0, api.MeanTextConf()) / 100.0;
  if (std::unique_ptr<tesseract::ResultIterator> it{api.GetIterator()}; it && !line.text.empty()) do {
      std::unique_ptr<char[]> sym(it->GetUTF8Text(tesseract::RIL_SYMBOL));
      if (!sym) continue;
      int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
      const cv::Rect box = it->BoundingBox(tesseract::RIL_SYMBOL, &x0, &y0, &x1, &y1)
                               ? cv::Rect(cv::Point(x0, y0), cv::Point(x1, y1))
                               : cv::Rect();
      Symbol s{sym.get(), std::max(0.0f, it->Confidence(tesseract::RIL_SYMBOL)) / 100.0, box, {}, 0,
               it->IsAtBeginningOf(tesseract::RIL_WORD)};
      if (choices) {
        tesseract::ChoiceIterator ci(*it);
        do {
          const char* c = ci.GetUTF8Text();
          // Tesseract gives the LSTM choices' scores as 0-100.
          if (const double p = ci.Confidence() / 100.0; c && s.text != c && p > s.alt_confidence)
            s.alt = c, s.alt_confidence = p;
        } while (ci.Next());
      }
      line.symbols.push_back(std::move(s));
    } while (it->Next(tesseract::RIL_SYMBOL));
  while (!line.text.empty() && (line.text.back() == '\n' || line.text.back() == ' ')) line.text.pop_back();
  api.Clear();
  return line;
}

std::vector<Engine::Word> Engine::readPage(const cv::Mat& image, const std::string& lang, int dpi) {
  tesseract::TessBaseAPI& api = impl_->api(lang);
  cv::Mat g = grey(image);
  if (!g.isContinuous()) g = g.clone();
  api.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
  api.SetVariable("tessedit_char_whitelist", "");
  api.SetImage(g.data, g.cols, g.rows, 1, static_cast<int>(g.step));
  api.SetSourceResolution(dpi);
  std::vector<Word> words;
  if (api.Recognize(nullptr) != 0) {
    api.Clear();
    return words;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  int line = -1;
  if (it) do {
      if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) ++line;
      std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!text) continue;
      int x0, y0, x1, y1;
      it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1);
      words.push_back({text.get(), cv::Rect(x0, y0, x1 - x0, y1 - y0), it->Confidence(tesseract::RIL_WORD) / 100.0,
                       std::max(0, line)});
    } while (it->Next(tesseract::RIL_WORD));
  api.Clear();
  return words;
}

Engine& threadEngine() {
  thread_local Engine engine;
  return engine;
}

namespace {

// The widest digit 0 as a share of the capital height (see settleZeroes).
constexpr double kZeroWidthOfCap = 0.94;

}  // namespace

// ---- template reading ----------------------------------------------------------

std::string settleZeroes(std::string_view text, const std::vector<Engine::Symbol>& symbols) {
  std::string out(text);
  std::vector<std::size_t> at;  // the byte of each symbol in `text` (spaces have none)
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] != ' ' && out[i] != '\n') at.push_back(i);
  if (at.size() != symbols.size()) return out;  // not one byte per symbol: leave it
  std::vector<int> heights;
  for (const Engine::Symbol& s : symbols)
    if (s.box.height > 0) heights.push_back(s.box.height);
  if (heights.empty()) return out;
  std::nth_element(heights.begin(), heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2), heights.end());
  const double cap = heights[heights.size() / 2];
  for (std::size_t k = 0; k < symbols.size(); ++k) {
    const Engine::Symbol& s = symbols[k];
    if (s.text == "O" && out[at[k]] == 'O' && s.box.height > 0 && s.box.width < kZeroWidthOfCap * cap) out[at[k]] = '0';
  }
  return out;
}

cv::Mat levelStrokes(const cv::Mat& blackhat, const cv::Mat& grey, double cap_px) {
  const int win = std::max(4, static_cast<int>(std::lround(cap_px * kLevelWindowCaps)));
  const int step = std::max(2, win / 2);
  if (blackhat.empty() || blackhat.cols < 2 * win) return blackhat;
  // Each window's stroke level (a high percentile of the black-hat: the
  // darkest strokes against their surroundings) and paper level (the
  // closing, the black-hat's reference: the grey plus the black-hat).
  struct Window {
    double x, stroke, paper;
  };
  std::vector<Window> windows;
  cv::Mat paper;
  cv::add(grey, blackhat, paper);
  std::vector<uchar> v;
  for (int x0 = 0; x0 + step <= blackhat.cols; x0 += step) {
    const int x1 = std::min(blackhat.cols, x0 + win);
    v.clear();
    for (int y = 0; y < blackhat.rows; ++y) {
      const uchar* row = blackhat.ptr<uchar>(y);
      v.insert(v.end(), row + x0, row + x1);
    }
    const auto at = v.begin() + static_cast<std::ptrdiff_t>(v.size() * 97 / 100);
    std::nth_element(v.begin(), at, v.end());
    windows.push_back({(x0 + x1 - 1) / 2.0, static_cast<double>(*at), cv::mean(paper.colRange(x0, x1))[0]});
  }
  double top = 0;
  for (const Window& w : windows) top = std::max(top, w.stroke);
  // The line's full-strength ink: windows at half the strongest or more.
  std::vector<double> strokes, papers;
  for (const Window& w : windows)
    if (w.stroke >= 0.5 * top) strokes.push_back(w.stroke), papers.push_back(w.paper);
  if (strokes.size() < 2) return blackhat;
  auto median = [](std::vector<double> x) {
    std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2), x.end());
    return x[x.size() / 2];
  };
  const double stroke_ref = median(strokes), paper_ref = median(papers);
  // A glare spot takes paper and ink alike towards one light level L: a
  // stroke's contrast falls as (L - paper) / (L - paper_ref). Each window
  // brighter than the reference bounds L from below: its strokes (its
  // black-hat's level against the reference) fade no more than the model
  // says where it holds ink, and more where it holds none (a faint
  // guilloche); full-strength ink there bounds it at infinity (no glare).
  // L is the upper quartile of the bounds (a window straddling the spot's
  // rim holds unfaded ink). Each window's gain is then the fading its
  // paper level implies, whatever it holds: the ink and the background's
  // pattern under the spot are raised alike, so that what is faint in the
  // rest of the line stays faint.
  std::vector<double> bounds;
  for (const Window& w : windows) {
    if (w.paper <= paper_ref + kLevelPaperRise) continue;
    const double r = w.stroke / stroke_ref;
    if (r < kLevelInkShare) continue;  // no ink to tell its fading: brighter paper alone is no glare
    bounds.push_back(r >= 1 ? std::numeric_limits<double>::infinity() : (w.paper - r * paper_ref) / (1 - r));
  }
  if (bounds.size() < 2) return blackhat;
  const auto upper = bounds.begin() + static_cast<std::ptrdiff_t>(bounds.size() * 3 / 4);
  std::nth_element(bounds.begin(), upper, bounds.end());
  const double light = *upper;
  if (!std::isfinite(light)) return blackhat;
  std::vector<double> gain(windows.size(), 1.0);
  bool faded = false;
  for (std::size_t i = 0; i < windows.size(); ++i)
    if (windows[i].paper > paper_ref) {
      gain[i] = std::clamp((light - paper_ref) / std::max(light - windows[i].paper, 1e-3), 1.0, kLevelMaxGain);
      faded = faded || gain[i] * kLevelFaded > 1;
    }
  if (!faded) return blackhat;
  cv::Mat out;
  blackhat.convertTo(out, CV_32F);
  std::size_t i = 0;
  for (int x = 0; x < out.cols; ++x) {
    while (i + 1 < windows.size() && windows[i + 1].x <= x) ++i;
    double k = gain[i];
    if (i + 1 < windows.size() && x > windows[i].x) {
      const double t = (x - windows[i].x) / (windows[i + 1].x - windows[i].x);
      k = gain[i] * (1 - t) + gain[i + 1] * t;
    }
    if (k != 1.0) out.col(x) *= k;
  }
  out.convertTo(out, CV_8U);  // saturates
  return out;
}

namespace {

std::string defaultWhitelist(Kind k) {
  switch (k) {
    case Kind::date: return "0123456789./- ABCDEFGHIJKLMNOPQRSTUVWXYZÉÛ";
    case Kind::code: return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
    case Kind::sex: return "MFX/";
    // Þ and the Turkish and Icelandic letters too: Latin script data reads them (Þ is TH in the MRZ).
    case Kind::name: return "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßŁŃŚŹŻĄĘĆŠŽČŘĎŤŇĚŮÞÐŞİĞ -',";
    case Kind::text: return "";
  }
  return "";
}

// The text line in a region whose height is nearest the expected capital
// height: regions are drawn generously (the card may be off by a millimetre
// after deskewing) and may hold the field's small printed label above.
cv::Rect pickLine(const cv::Mat& g, double cap_px) {
  cv::Mat bw;
  cv::threshold(g, bw, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  std::vector<int> ink(static_cast<size_t>(bw.rows));
  for (int y = 0; y < bw.rows; ++y) ink[static_cast<size_t>(y)] = cv::countNonZero(bw.row(y));
  const int min_ink = std::max(2, bw.cols / 200);
  struct Band {
    int y0, y1;
    long mass;
  };
  std::vector<Band> bands;
  for (int y = 0; y < bw.rows; ++y) {
    if (ink[static_cast<size_t>(y)] < min_ink) continue;
    if (!bands.empty() && y - bands.back().y1 <= std::max(1, static_cast<int>(cap_px * 0.12))) {
      bands.back().y1 = y;
      bands.back().mass += ink[static_cast<size_t>(y)];
    } else {
      bands.push_back({y, y, ink[static_cast<size_t>(y)]});
    }
  }
  const Band* best = nullptr;
  double best_cost = 1e9;
  for (const Band& b : bands) {
    const double h = b.y1 - b.y0 + 1;
    if (h < cap_px * 0.45 || b.mass < cap_px * 2) continue;
    // A value line is a capital height plus maybe descenders: 1.0-1.35 cap.
    const double cost = std::abs(h - cap_px * 1.1) / cap_px - 0.2 * std::log1p(b.mass / (cap_px * cap_px));
    if (cost < best_cost) best_cost = cost, best = &b;
  }
  if (!best) return {0, 0, g.cols, g.rows};
  const int pad = static_cast<int>(std::ceil(cap_px * 0.35));
  const int y0 = std::max(0, best->y0 - pad), y1 = std::min(g.rows - 1, best->y1 + pad);
  return {0, y0, g.cols, y1 - y0 + 1};
}

// A value line with the card's background taken out: the black-hat keeps
// strokes darker than their surroundings (guilloches, tints and gradients
// go), faint ones (fine guilloche lines, JPEG noise) are dropped below half
// of Otsu's level, and the rest is stretched to black on white. Tesseract's
// own global threshold otherwise loses a lone letter or a thin glyph in a
// tinted pattern. Grey levels are kept: the LSTM reads anti-aliased edges.
cv::Mat flattenBackground(const cv::Mat& g, double cap_px, bool* levelled = nullptr) {
  const int k = std::max(3, static_cast<int>(std::lround(cap_px * 0.9)) | 1);
  cv::Mat bh;
  cv::morphologyEx(g, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  if (levelled) {
    const cv::Mat even = levelStrokes(bh, g, cap_px);
    *levelled = even.data != bh.data;
    bh = even;
  }
  cv::Mat bw;
  const double otsu = cv::threshold(bh, bw, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  double lo = std::max(8.0, otsu * 0.5), hi = 0;
  cv::minMaxLoc(bh, nullptr, &hi);
  // The stroke level: the 90th percentile of the pixels Otsu calls ink.
  std::vector<uchar> ink;
  for (int y = 0; y < bh.rows; ++y)
    for (int x = 0; x < bh.cols; ++x)
      if (bh.at<uchar>(y, x) > otsu) ink.push_back(bh.at<uchar>(y, x));
  if (!ink.empty()) {
    std::nth_element(ink.begin(), ink.begin() + static_cast<std::ptrdiff_t>(ink.size() * 9 / 10), ink.end());
    hi = ink[ink.size() * 9 / 10];
  }
  if (hi <= lo + 4) return g;  // nothing stands out: leave the crop as it is
  cv::Mat out;
  bh.convertTo(out, CV_8U, -255.0 / (hi - lo), 255.0 + 255.0 * lo / (hi - lo));
  return out;
}

}  // namespace

namespace {

// Ink a reading left unread before its first character or after its last:
// a glare spot fades the start or the end of a value below what
// flattenBackground keeps, and Tesseract reads the rest surely
// (dl-photo-s4545-0030: QUINTANA read NTANA at 0.94, its QUI at two fifths of
// the line's stroke contrast; td3-photo-s5353-0034: ISABELLA CHRISTINA read
// without its last A at 0.96). Column by column, the line's black-hat
// (strokes darker than their surroundings) against the read characters' own
// level: a run a letter wide or more at kUnreadInkShare of it or above,
// reaching to within a letter space of the first (last) character, is ink the
// reading left out (retry (1b) then reads the line levelled). A label printed
// further left (a licence's field number) or a field further right stands
// apart and is not counted. `x_offset`: the line's first column in the
// symbols' pixels.
constexpr double kUnreadInkShare = 0.3;
bool inkBesideReading(const cv::Mat& line, double cap_px, const std::vector<Engine::Symbol>& symbols, int x_offset) {
  int x0 = std::numeric_limits<int>::max(), x1 = std::numeric_limits<int>::min();
  for (const Engine::Symbol& s : symbols)
    if (!s.box.empty()) x0 = std::min(x0, s.box.x - x_offset), x1 = std::max(x1, s.box.br().x - x_offset);
  const int letter = static_cast<int>(std::lround(cap_px * 0.5)), space = static_cast<int>(std::lround(cap_px * 0.6));
  if (x1 <= x0 || x0 < 0 || x1 > line.cols) return false;
  const bool room_before = x0 >= letter, room_after = line.cols - x1 >= letter;
  if (!room_before && !room_after) return false;  // no letter's width of line past either end
  const int k = std::max(3, static_cast<int>(std::lround(cap_px * 0.9)) | 1);
  cv::Mat bh;
  cv::morphologyEx(line, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::Mat peak;
  cv::reduce(bh, peak, 0, cv::REDUCE_MAX);
  const uchar* col = peak.ptr<uchar>(0);
  std::vector<uchar> read(col + x0, col + x1);
  const auto upper = read.begin() + static_cast<std::ptrdiff_t>(read.size() * 3 / 4);
  std::nth_element(read.begin(), upper, read.end());
  const double level = *upper * kUnreadInkShare;
  if (level < 8) return false;
  // From an end character outwards (`step` -1 or 1): the width of the run of
  // inked columns (gaps inside a letter or between letters shorter than a
  // letter space).
  auto runFrom = [&](int from, int step) {
    int end = from, gap = 0;
    for (int x = from + step; x >= 0 && x < line.cols && gap <= space; x += step) {
      if (col[x] >= level) end = x, gap = 0;
      else ++gap;
    }
    return std::abs(end - from);
  };
  return (room_before && runFrom(x0, -1) >= letter) || (room_after && runFrom(x1 - 1, 1) >= letter);
}

}  // namespace

// A name's line with its left end moved out of the letter it cuts: a region
// drawn from the layout may start a little inside the first letter when the
// card or its label print runs wider (MARIE read AARIE from the M's right
// half). Names only: where a label is printed inline before a date or a
// number (a licence's DOB, DL), the label's last letter would be taken in.
// When the line's left column holds ink on the value's rows, the box starts
// instead at the nearest column left of it without any, at most a capital
// height away; none there (a background pattern, a label run into the
// value) leaves it as it is.
cv::Rect uncutLeft(const cv::Mat& g, cv::Rect box, double cap_px) {
  const int reach = static_cast<int>(std::lround(cap_px));
  const int x0 = std::max(0, box.x - reach);
  if (box.x - x0 < 2) return box;
  const cv::Rect strip(x0, box.y, std::min(box.br().x, box.x + reach) - x0, box.height);
  const int k = std::max(3, static_cast<int>(std::lround(cap_px * 1.2)) | 1);
  cv::Mat bh, bw;
  cv::morphologyEx(g(box), bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  const double level = std::max(30.0, cv::threshold(bh, bw, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU));
  cv::morphologyEx(g(strip), bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::threshold(bh, bw, level, 255, cv::THRESH_BINARY);
  // The value's rows: the middle of the box (its margins hold the neighbours' descenders).
  const int y0 = bw.rows / 4, y1 = bw.rows - bw.rows / 4;
  auto inked = [&](int x) { return cv::countNonZero(bw(cv::Range(y0, y1), cv::Range(x, x + 1))) >= 2; };
  const int at = box.x - x0;
  if (!inked(at) && !inked(at + 1)) return box;
  for (int x = at - 1; x >= 0; --x)
    if (!inked(x)) {
      const int left = x0 + std::max(0, x - 2);
      return {left, box.y, box.br().x - left, box.height};
    }
  return box;
}

cv::Rect trimLeadingMarks(const cv::Mat& g, cv::Rect box, double cap_px, int value_x) {
  if (box.width < 4 || box.height < 4 || cap_px < 3) return box;
  // The line's ink in parts: its black-hat over Otsu's level, connected.
  const int k = std::max(3, static_cast<int>(std::lround(cap_px * 1.2)) | 1);
  cv::Mat bh, bw;
  cv::morphologyEx(g(box), bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::threshold(bh, bw, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const std::vector<cv::Rect> parts = componentBoxes(bw);
  // The value's first glyph: the leftmost part of a glyph's height that the
  // box's left edge does not cut, ending after the value's expected start.
  std::optional<cv::Rect> first;
  for (const cv::Rect& p : parts)
    if (p.x > 0 && p.height >= kValueGlyphOfCap * cap_px && p.height <= kValueGlyphMaxOfCap * cap_px &&
        box.x + p.br().x > value_x && (!first || p.x < first->x))
      first = p;
  if (!first) return box;
  // The marks: parts wholly before it, on its rows.
  int marks_end = -1;
  for (const cv::Rect& p : parts)
    if (p.br().x <= first->x && p.y < first->br().y && p.br().y > first->y) marks_end = std::max(marks_end, p.br().x);
  if (marks_end < 0) return box;
  const int gap = first->x - marks_end;
  if (gap < kLabelGapOfCap * cap_px) return box;
  const int cut = first->x - std::min(gap / 2, static_cast<int>(std::ceil(kMarkMarginOfCap * cap_px)));
  return {box.x + cut, box.y, box.width - cut, box.height};
}

namespace {

// A date's printed groups (day, month or its words, year), or any text's
// runs of letters and digits: "10.04. 70" is 10, 04, 70.
std::vector<std::string> dateGroups(const std::string& text) {
  std::vector<std::string> out;
  std::string run;
  for (const char c : text)
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      run += c;
    } else if (!run.empty()) {
      out.push_back(std::move(run));
      run.clear();
    }
  if (!run.empty()) out.push_back(std::move(run));
  return out;
}

}  // namespace

bool supportedAgainstRival(const std::string& reading, const std::string& rival,
                           const std::vector<std::string>& texts) {
  const std::vector<std::string> r = dateGroups(reading), v = dateGroups(rival);
  if (r.empty() || r.size() != v.size() || r == v) return false;
  for (const std::string& text : texts) {
    const std::vector<std::string> g = dateGroups(text);
    if (g.size() != r.size()) continue;
    bool all = true;
    for (std::size_t i = 0; i < r.size() && all; ++i)
      if (r[i] != v[i]) all = g[i] == r[i];
    if (all) return true;
  }
  return false;
}

namespace {

// The value line of a field on a registered card: the words of about the
// field's capital height whose centre is within the region and on the
// expected line; empty when none is. (A sheared card is levelled before its
// lines are looked for: Registration::slope.)
std::optional<cv::Rect> valueLine(const std::vector<cv::Rect>& words, const cv::Rect& region, double want_cy,
                                  double cap_px) {
  std::optional<cv::Rect> line;
  for (const cv::Rect& w : words) {
    const double cx = w.x + w.width / 2.0, cy = w.y + w.height / 2.0;
    if (w.height < 0.7 * cap_px || w.height > 1.7 * cap_px || std::abs(cy - want_cy) > cap_px * 0.5) continue;
    if (cx < region.x || cx > region.br().x) continue;
    line = line ? (*line | w) : w;
  }
  return line;
}

// The retry policy. A reading below this confidence (empty, off its
// pattern or unsure) is doubtful: it is read again in other ways, each
// tried only while the surest reading so far is still doubtful, and the
// surest stays (see read()). Sharpening or re-reading every line costs time
// and accuracy on clean scans (ringing), so sure readings are never retried.
constexpr double kRetryBelow = 0.75;
// Blur (Gaussian sigma, card px) beyond which a doubtful field is deconvolved:
// a sharp 300 dpi line measures about 0.5 px.
constexpr double kDeblurAbovePx = 0.8;
// A blurred line's Wiener deconvolution (retry (3b)): a Gaussian of this
// many times the blur the line shows (blurSigma), with this noise-to-signal
// ratio. Measured on 52 of bench/ocr.sh's photos (40 with 3 or more fields
// wrong, 12 sharp): 0.6, 0.8, 1.0, 1.25, 1.5 times fixed 1, 7, 8, 10, 4
// fields, none broken (bench/README.md, id-ocr session 25).
constexpr double kWienerOfBlur = 1.25, kWienerNoise = 0.01;
// Below this line confidence a field's reading is checked by a second one;
// above it (most fields of scans and sharp photos) no time is spent.
constexpr double kConfirmBelow = 0.93;
// The most a character is trusted that no second look confirmed: a
// deconvolved reading's characters (deconvolution also makes confident
// misreads), and those a confirming reading disagrees with. Under id-check's
// kStrongCharConfidence, so a difference in them from another source is
// reported as unreadable print, not a forgery.
constexpr double kUnconfirmedCharConfidence = 0.9;
// A flat card's streak search (at half size, retry (3a)) scoring under this,
// believed or not (detail::kMotionBelieved), is reason to search the photo
// it was enlarged from: on the enlarged cards of id-synth photo sets 9191,
// 5353 and 6464 (167), each streak the photo's search found (26) scored at
// most 0.65 on the flat card; of the 141 others, 3 scored under this.
constexpr double kMotionHinted = 0.7;
// A source (the input a flat card was cut from) is read from when it has
// under this share of the flat card's pixels per millimetre.
constexpr double kSourceSmallerThan = 0.9;
// A reading by synthesis in the template's typeface (ocr_glyphs.hpp) is
// taken when its rendering explains at least this share of the line's ink
// and the best other value leaves this much more unexplained (a share of
// what the reading leaves: glyphs::Reading::margin; a single letter's rival
// differs in all its ink, a date's in a digit or two). Measured on
// bench/ocr.sh's blurred photos (bench/README.md, id-ocr session 20).
constexpr double kGlyphFit = 0.8;
constexpr double kGlyphMarginDate = 0.03;
constexpr double kGlyphMarginLetter = 0.3;
// A code's characters are placed by their advances, not fixed places: its
// reading must explain more of the ink (a wrong string of narrow letters
// still covers a blurred line); its rival is one edit off (ocr_glyphs.hpp).
constexpr double kGlyphFitCode = 0.92;
constexpr double kGlyphMarginCode = 0.05;
// A code read as the value the MRZ holds, with that value as a hypothesis
// (readByGlyphs): two sources agree, and the print need only support it.
// Measured on bench/ocr.sh's 300 documents (bench/README.md, id-ocr session
// 24): the fields it fixed were read at fit 0.91-0.98, margin 0.015-0.08.
constexpr double kGlyphFitAgreed = 0.85;
constexpr double kGlyphMarginAgreed = 0.01;
// Names and free text are read as codes are, with a space between words.
constexpr double kGlyphFitText = 0.9;
constexpr double kGlyphMarginText = 0.05;
// A code's look-alike characters (S and 5, B and 8, 0 and D ...) checked in
// the typeface (glyphs::checkLookAlikes), whatever Tesseract's confidence:
// the check's string is taken when it explains this share of the line's ink
// and every character it checked is this clear (its margin). Measured on
// bench/ocr.sh's 300 documents (bench/README.md, id-ocr session 23).
constexpr double kLookAlikeFit = 0.9;
constexpr double kLookAlikeMargin = 0.05;
// A date's digit is surely read (kSureDigitConfidence, over id-check's
// kStrongCharConfidence) when every other digit put in its place leaves this
// much more of its cell's ink unexplained (glyphs::checkDate's char_margin).
// Measured on the dates of bench/ocr.sh's 300 documents with a digit read
// under kStrongCharConfidence (bench/README.md, id-ocr session 28): the 14
// digits read wrong had margins of 0.15 at most (10 of them 0: another
// digit fitted better); 330 of the 458 right ones 0.3 or more, on lines the
// date's rendering explains (247 with Gaussian blurs only: a shaken line's
// digits are told apart under its streak).
constexpr double kSureDigitMargin = 0.3;
constexpr double kSureDigitConfidence = 0.97;
// A name's letter that differs from the reference's is surely read
// (kSureDigitConfidence) when the reference's letter in its place leaves
// this much more of its cell's ink unexplained (checkLetters' sure_margin).
constexpr double kSureLetterMargin = 0.3;
// kSureLetterMargin holds where the capitals span at least kSureFullAtCells
// blur widths of the input the card was cut from (its capital height in the
// input's pixels over the blur the check fitted there, a Gaussian's sigma, at
// least one pixel): the photo's own pixels, not the flat card's it was
// enlarged to. Under that the margin grows as the cells shrink, and on
// capitals under kSureLetterNoneUnderPx of the input's pixels no letter is
// sure. A blurred photo's few pixels a cell fit a wrong glyph clearly better
// than the right one: on bench/tamper.sh's seed 41 the digits read wrong
// with a margin of 0.3-0.46 had capitals of 8.5-8.7 px under a defocus of
// 1.9 px (4.5 cells), while forged digits read right on small captures had
// 0.45-1.24 at 6.1-6.8 cells; a genuine letter misread at 0.71 had capitals
// of 5.2 px (qr-id-photo-s41-0015). A forged letter read at 0.35 on a shaken
// line (fra-id-photo-s41-0053: 6.2 cells) is sure. A date's digit that
// differs from the MRZ's must clear the same margin (read()'s check (11)).
constexpr double kSureFullAtCells = 6.5;
constexpr double kSureLetterNoneUnderPx = 6;

// The margin a letter checked by `check` (its fitted blur in the line's
// pixels) must clear to be surely read, on a line whose capitals are
// `cap_px` high and whose input has `source_scale` pixels per line pixel:
// kSureLetterMargin where the cells are large enough. Infinite (nothing
// sure) on capitals under kSureLetterNoneUnderPx of the input's pixels.
double sureLetterMargin(const glyphs::Reading& check, double cap_px, double source_scale) {
  const double cap_source = cap_px * source_scale;
  if (!(cap_source > 0) || cap_source < kSureLetterNoneUnderPx) return std::numeric_limits<double>::infinity();
  const double cells = cap_source / std::max(1.0, check.sigma * source_scale);
  return cells >= kSureFullAtCells ? kSureLetterMargin : kSureLetterMargin * kSureFullAtCells / cells;
}
// A date's digit that differs from the reference's on capitals under
// kSureLetterNoneUnderPx of the input's pixels, down to kSureDigitNoneUnderPx,
// is surely read where the reference's digit in its place leaves
// kSureTinyDigitMargin more of its cell's ink unexplained, on a line sharp in
// the input (the fitted blur at most one of its pixels). On the small sharp
// captures of bench/tamper.sh's seeds 79 and 83 (5.5 px capitals) the forged
// digits read right had margins of 0.91 and 1.09 over the MRZ's
// (fra-id-photo-s79-0005, td3-photo-s83-0058). On the genuine small
// captures (capitals under 7 px) of those seeds' genuine sets, of seed 67's
// and of photo sets 9191, 5353, 6464 and 7373, 28 dates read as the MRZ has
// them, each digit replaced in turn by each other digit (991 values): the
// wrong digit fitted its place better than the printed one 7 times, by 0.2 at
// most where the date's rendering explained the line (kGlyphFit; 0.35
// elsewhere); a genuine 1983 misread 1907 on 4.8 px capitals had its
// differing digits at 0.25 at most (td2-photo-s79-0057). A name keeps
// kSureLetterNoneUnderPx: a genuine letter misread on 5.2 px capitals had
// 0.71 (qr-id-photo-s41-0015).
constexpr double kSureTinyDigitMargin = 0.8;
constexpr double kSureDigitNoneUnderPx = 5;

// The margin a date's digit checked by `check` that differs from the
// reference's must clear to be surely read: sureLetterMargin, but
// kSureTinyDigitMargin on a sharp line of capitals between
// kSureDigitNoneUnderPx and kSureLetterNoneUnderPx of the input's pixels.
double sureDigitMargin(const glyphs::Reading& check, double cap_px, double source_scale) {
  const double cap_source = cap_px * source_scale;
  if (cap_source >= kSureDigitNoneUnderPx && cap_source < kSureLetterNoneUnderPx && check.sigma * source_scale <= 1)
    return kSureTinyDigitMargin;
  return std::max(kSureDigitMargin, sureLetterMargin(check, cap_px, source_scale));
}
// A name's rendering explains less of its line than a code's (its
// punctuation, kerning and marks): 0.85-0.96 on the ten names of bench/ocr.sh's
// 300 records whose reading lost a mark. The marks tried are only those the
// reference spells out, so a mark is already likely where one is tried.
constexpr double kMarkFit = 0.8;
// In free text a letter printed next to a digit costs half a glyph's ink
// (glyphs::readText's `mixed`): 8LU is BLU, CABADA stays doubtful.
constexpr double kGlyphMixedText = 0.5;

// The characters a code field's pattern allows: the whitelist's, or
// capitals and digits, each kept when a run of it matches.
std::vector<std::string> codeChars(const FieldSpec& f, const std::regex& pattern) {
  const std::string all = f.whitelist.empty() ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" : f.whitelist;
  std::vector<std::string> chars;
  for (const char c : all)
    for (std::size_t n = 1; n <= 12; ++n)
      if (std::regex_match(std::string(n, c), pattern)) {
        chars.emplace_back(1, c);
        break;
      }
  return chars;
}

// A field read by synthesis (readByGlyphs, readDifferingDate): `text` as
// printed, `value` normalised; as sure as a doubtful reading may be (no
// retry follows, and id-check compares it), each character at most
// kUnconfirmedCharConfidence.
Field glyphField(const FieldSpec& f, const std::string& text, const std::string& value) {
  Field out;
  out.name = f.name;
  out.text = text;
  out.value = value;
  out.read = value;
  out.confidence = kRetryBelow;
  for (const char c : value)
    out.char_confidence.push_back(std::isalnum(static_cast<unsigned char>(c)) ? kUnconfirmedCharConfidence : 1.0);
  return out;
}

// A date, a sex, a code, a name or free text read by synthesis in `typeface`
// from the value line `crop` (card pixels): nullopt when the reading is
// not clearly the best fit or its value is off the field's pattern. Its
// characters were seen by no second reader: at most kUnconfirmedCharConfidence.
// `earlier`: the text read so far, a name's or free text's rival (its
// reading must explain the ink better than that does). `other`: a code's
// value in the MRZ (normalised), tried as a hypothesis when the line alone
// gives no clear reading; `agreed_only`: only that value may be read.
std::optional<Field> readByGlyphs(const FieldSpec& f, const std::regex& pattern, const cv::Mat& crop, double cap_px,
                                  const std::string& typeface, const std::string& earlier, const std::string& other = {},
                                  bool agreed_only = false, const std::vector<std::string>& partial = {}) {
  std::optional<glyphs::Reading> r;
  double fit = kGlyphFit, margin = kGlyphMarginDate;
  try {
    if (!f.values.empty()) {  // a closed vocabulary: which of its values is printed
      r = glyphs::readLetter(crop, cap_px, f.values, typeface);
      margin = kGlyphMarginLetter;
    } else if (f.kind == Kind::date) {
      r = glyphs::readDate(crop, cap_px, f.date_order, typeface);
      // Not clearly read alone: the other source's date (ISO) as a hypothesis
      // the print must support, as a code's below: judged with the values the
      // line gives, each at its own best place and blur (readDate's hints),
      // and taken only when it is the reading; two sources then agree, and
      // its rival need only be kGlyphMarginAgreed behind (the date's own fit
      // bar stays). A print that differs is read as before, or not at all.
      if (!other.empty() && (!r || r->fit < fit || r->margin < margin)) {
        auto agrees = [&](const std::optional<glyphs::Reading>& x) {
          return x && normalise(f.kind, x->text, f.date_order) == other;
        };
        if (!agrees(r))
          if (std::optional<glyphs::Reading> h = glyphs::readDate(crop, cap_px, f.date_order, typeface, {other});
              agrees(h))
            r = std::move(h);
        if (agrees(r)) margin = kGlyphMarginAgreed;
      }
    } else if (f.kind == Kind::sex && f.whitelist.empty()) {  // a whitelist: printed as words (LAKI-LAKI)
      std::vector<std::string> letters;
      for (const char* l : {"M", "F", "X"})
        if (std::regex_match(l, pattern)) letters.emplace_back(l);
      r = glyphs::readLetter(crop, cap_px, letters, typeface);
      margin = kGlyphMarginLetter;
    } else if (f.kind == Kind::code) {
      const std::vector<std::string> chars = codeChars(f, pattern);
      // One glyph (a passport's type letter) is read as a sex is; when no
      // letter is clearly the best, as a code (of any length, which a
      // blurred glyph's spread ink may fit better).
      if (f.single_char) {
        r = glyphs::readLetter(crop, cap_px, chars, typeface);
        margin = kGlyphMarginLetter;
      }
      if (!r || r->fit < fit || r->margin < margin) {
        if (!agreed_only) r = glyphs::readCode(crop, cap_px, chars, typeface);
        fit = kGlyphFitCode, margin = kGlyphMarginCode;
        // Not clearly read alone: the MRZ's value as a hypothesis the print
        // must support. It starts the search where it explains more ink than
        // the line's own reading and is a rival of the reading taken; only a
        // reading that is that value is taken, at a lower bar (two sources
        // agree), and never without it (a print that differs is read as
        // before, or not at all).
        if (!other.empty() && (agreed_only || !r || r->fit < fit || r->margin < margin)) {
          std::optional<glyphs::Reading> h = glyphs::readCode(crop, cap_px, chars, typeface, {other});
          if (h && h->text == other)  // as printed: a 5 the glyphs show as S is no agreement
            r = std::move(h), fit = kGlyphFitAgreed, margin = kGlyphMarginAgreed;
          else if (agreed_only)
            r.reset();
        }
      }
    } else if (f.kind == Kind::name || f.kind == Kind::text) {
      // The whitelist's characters (a name's default one for names), or
      // capitals, digits and the punctuation printed in free text; a
      // letter with a diacritic is tried only in place of its base letter
      // (the first letter of its MRZ spelling: Ü as U, ß as S, Ø as O).
      const std::string all = !f.whitelist.empty() ? f.whitelist
                              : f.kind == Kind::name ? defaultWhitelist(Kind::name)
                                                     : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -',./");
      std::vector<std::string> chars;
      std::vector<std::pair<std::string, std::string>> marked;
      for (std::size_t i = 0; i < all.size();) {
        const std::size_t len = utf8::charLength(all, i);
        const std::string c = all.substr(i, len);
        i += len;
        if (len == 1) {
          // A name's punctuation is no part of its value (O'REILLY is OREILLY, a
          // hyphen a space): a space stands for it, and the thin marks, which
          // explain some of any blurred ink, are not searched.
          if (f.kind == Kind::text || c == " " || std::isalnum(static_cast<unsigned char>(c[0]))) chars.push_back(c);
        } else if (const std::string base = mrz::transliterate(c); !base.empty() && base[0] >= 'A' && base[0] <= 'Z') {
          marked.emplace_back(c, base.substr(0, 1));
        }
      }
      r = glyphs::readText(crop, cap_px, chars, marked, typeface,
                           [&](const std::string& t) { return normalise(f.kind, t, f.date_order); },
                           earlier.empty() ? std::vector<std::string>{} : std::vector<std::string>{earlier},
                           f.kind == Kind::text ? kGlyphMixedText : 0.0);
      fit = kGlyphFitText, margin = kGlyphMarginText;
    }
  } catch (const Failure&) {  // the typeface's file cannot be opened
    return std::nullopt;
  }
  // A date not clearly the best fit alone, which another reader's partial
  // reading tells from its rival (supportedAgainstRival): two readers agree
  // where it matters, and the print need only support it (as a code the
  // MRZ holds: kGlyphMarginAgreed).
  if (r && f.kind == Kind::date && f.values.empty() && r->fit >= fit && r->margin < margin &&
      r->margin >= kGlyphMarginAgreed && supportedAgainstRival(r->text, r->rival, partial))
    margin = kGlyphMarginAgreed;
  if (!r || r->fit < fit || r->margin < margin) return std::nullopt;
  const std::string value = normalise(f.kind, r->text, f.date_order);
  if (value.empty() || !std::regex_match(value, pattern)) return std::nullopt;
  return glyphField(f, r->text, value);
}

// A date no reader gave, read against the reference's (`reference`, ISO:
// the MRZ's, else a barcode's): the reference's date checked digit by digit
// in the print (glyphs::checkDate, each digit against the other nine in its
// own place), and each digit another fits better checked again, the rest
// the reference's, against the reference's digit alone: a digit that
// differs is taken where it clears sureDigitMargin (`source_scale` as
// there) on a line the date's rendering explains (kGlyphFit). One at a
// time: on a blurred line a wrong digit fits some cells better than the
// printed one (a forged 2017 checked as 7017 where the MRZ says 2016), and
// is no sure digit against the reference's. The digits the print keeps as
// the reference's must be seen there too, at least half of them sure
// against the other nine (kSureDigitMargin): a line whose rendering places
// the date where its own digits are not seen shows no digit surely either
// (td3-photo-s83-0010's genuine expiry, 2025 checked as 2021 at 0.48 over a
// margin of 0.32, none of its other five digits sure; its forged birth
// year's 7 at 3.7, three of five sure). The date so read, checked whole
// against the reference's once more, is taken as glyphField takes a
// synthesis reading, for read()'s check (11) to weigh. nullopt where the
// print shows the reference's date or nothing surely: the field stays
// unread, as before.
std::optional<Field> readDifferingDate(const FieldSpec& f, const std::regex& pattern, const cv::Mat& crop,
                                       double cap_px, const std::string& typeface, const std::string& reference,
                                       double source_scale) {
  // Each digit of `value` that differs from the reference's sure in the
  // print, and the reference's digits it keeps seen there.
  auto sureWhere = [&](const std::string& value, std::optional<glyphs::Reading>& r) {
    r = glyphs::checkDate(crop, cap_px, value, f.date_order, typeface, reference);
    if (!r || r->fit < kGlyphFit || r->char_margin.size() != value.size()) return false;
    const double margin = sureDigitMargin(*r, cap_px, source_scale);
    int kept = 0, seen = 0;  // the MRZ's digits the print keeps (checked: a rival tried), and those sure
    for (std::size_t i = 0; i < value.size(); ++i)
      if (value[i] != reference[i]) {
        if (!(r->char_margin[i] >= margin)) return false;
      } else if (!r->char_rival[i].empty()) {
        ++kept;
        seen += r->char_margin[i] >= kSureDigitMargin;
      }
    return 2 * seen >= kept;
  };
  std::string value = reference;
  std::optional<glyphs::Reading> r;
  try {
    const std::optional<glyphs::Reading> all = glyphs::checkDate(crop, cap_px, reference, f.date_order, typeface);
    if (!all || all->fit < kGlyphFit || all->char_margin.size() != reference.size()) return std::nullopt;
    for (std::size_t k = 0; k < reference.size(); ++k) {
      const std::string& other = all->char_rival[k];  // another digit that fits better: margin 0
      if (all->char_margin[k] > 0 || other.size() != 1 || other[0] == reference[k] ||
          !std::isdigit(static_cast<unsigned char>(other[0])))
        continue;
      std::string one = reference;
      one[k] = other[0];
      if (sureWhere(one, r)) value[k] = other[0];
    }
    if (value == reference || !std::regex_match(value, pattern) || !sureWhere(value, r)) return std::nullopt;
  } catch (const Failure&) {  // the typeface's file cannot be opened
    return std::nullopt;
  }
  // The text as printed in the form the check fitted, its digits the date's
  // (the check took another digit where the MRZ's fitted worse, sure or not).
  std::string order_digits;  // the date's digits in the form's order
  const std::string day = value.substr(8, 2), month = value.substr(5, 2), year = value.substr(0, 4);
  const auto digit_count = std::ranges::count_if(r->text, [](char c) { return c >= '0' && c <= '9'; });
  if (digit_count == 6) order_digits = day + year;  // the month a word
  else if (digit_count == 8) order_digits = (f.date_order == "MDY" ? month + day : day + month) + year;
  else return std::nullopt;
  std::string text = r->text;
  for (std::size_t i = 0, d = 0; i < text.size(); ++i)
    if (text[i] >= '0' && text[i] <= '9') text[i] = order_digits[d++];
  if (normalise(Kind::date, text, f.date_order) != value) return std::nullopt;
  return glyphField(f, text, value);
}

// How blurred a value line is, as the sigma (px) of a Gaussian that would
// blur a sharp edge as much: a step of contrast C blurred so has a steepest
// slope of C / (sigma * sqrt(2 pi)). C and the slope are high percentiles of
// the crop's levels and gradients (a line holds many edges; thin strokes
// that never reach full contrast make this an underestimate).
double blurSigma(const cv::Mat& g) {
  cv::Mat f, dx, dy, mag;
  g.convertTo(f, CV_32F);
  cv::Sobel(f, dx, CV_32F, 1, 0, 3, 1.0 / 8);
  cv::Sobel(f, dy, CV_32F, 0, 1, 3, 1.0 / 8);
  cv::magnitude(dx, dy, mag);
  auto percentile = [](const cv::Mat& m, double q) {
    std::vector<float> v(m.begin<float>(), m.end<float>());
    if (v.empty()) return 0.0f;
    auto at = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), at, v.end());
    return *at;
  };
  const double contrast = percentile(f, 0.95) - percentile(f, 0.03);
  const double slope = percentile(mag, 0.995);
  if (contrast < 10 || slope <= 0) return 0;
  return contrast / (slope * 2.5066);
}

// Richardson-Lucy deconvolution with a Gaussian point spread of `sigma` px:
// a defocused or shaken photo's letters get their edges back (the unsharp
// mask only steepens them, and merges what the blur joined). Few iterations:
// more ring on the card's noise.
cv::Mat deblur(const cv::Mat& g, double sigma, int iterations) {
  const int pad = static_cast<int>(std::ceil(sigma * 3));
  cv::Mat f, est, blurred, ratio;
  cv::copyMakeBorder(g, f, pad, pad, pad, pad, cv::BORDER_REPLICATE);
  f.convertTo(f, CV_32F, 1 / 255.0, 0.01);
  est = f.clone();
  for (int i = 0; i < iterations; ++i) {
    cv::GaussianBlur(est, blurred, cv::Size(), sigma);
    cv::divide(f, cv::max(blurred, 1e-3), ratio);
    cv::GaussianBlur(ratio, ratio, cv::Size(), sigma);
    est = est.mul(ratio);
  }
  cv::Mat out;
  est(cv::Rect(pad, pad, g.cols, g.rows)).convertTo(out, CV_8U, 255.0, -2.55);
  return out;
}

// The marked letters a name may print for a pair its ICAO spelling
// spells out: Ä Æ Å Ö Ø Ü ß Þ.
const std::vector<std::string> kMarkedLetters{"\u00C4", "\u00C6", "\u00C5", "\u00D6",
                                              "\u00D8", "\u00DC", "\u00DF", "\u00DE"};

// The marked letters whose ICAO spelling is `pair` ("UE": Ü).
std::vector<std::string> markedFor(std::string_view pair) {
  std::vector<std::string> out;
  for (const std::string& m : kMarkedLetters)
    if (mrz::transliterate(m) == pair) out.push_back(m);
  return out;
}

// A name as read (`text`, printed characters) split into its characters,
// with `of` per letter of its normalised form the character it comes from.
// Empty when `text` does not normalise to `read`.
std::vector<std::string> nameChars(const std::string& text, const std::string& read, std::vector<std::size_t>& of) {
  if (normaliseName(text, of) != read) return {};
  std::vector<std::string> chars;
  for (std::size_t i = 0; i < text.size(); i += chars.back().size())
    chars.push_back(text.substr(i, utf8::charLength(text, i)));
  return chars;
}

// A name as read (`text`, printed characters) that lost marks the reference
// spells out (lostMarks: MULLER for MUELLER): its characters, and at each
// letter that stands for a pair, the marked letters whose ICAO spelling is
// that pair (U: Ü; O: Ö, Ø; A: Ä, Æ for AE, Å for AA; S or B: ß; P: Þ).
// Empty when `text` does not normalise to `read` or nothing is to be tried.
std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> markCandidates(
    const std::string& text, const std::string& read, const std::string& reference) {
  std::vector<std::size_t> of;  // per letter of the normalised name, the character it comes from
  std::vector<std::string> chars = nameChars(text, read, of);
  if (chars.empty()) return {};
  std::vector<std::vector<std::string>> others(chars.size());
  bool any = false;
  for (const auto& [at, pair] : lostMarks(read, reference)) {
    const std::size_t k = of[at];
    if (chars[k].size() != 1) continue;  // already a marked letter
    others[k] = markedFor(pair);
    any = any || !others[k].empty();
  }
  if (!any) return {};
  return {std::move(chars), std::move(others)};
}

double medianCap(const Template& t) {
  std::vector<double> caps;
  for (const FieldSpec& f : t.fields) caps.push_back(f.cap_mm > 0 ? f.cap_mm : 1.6);
  std::nth_element(caps.begin(), caps.begin() + static_cast<std::ptrdiff_t>(caps.size() / 2), caps.end());
  return caps[caps.size() / 2];
}

// A name as read (`text`, printed characters, normalising to `value`) whose
// letters differ from the reference's: its characters, and at each one
// printed for a letter the reference spells otherwise, what the reference
// has there: its letter, or the marked letters a pair of its letters spells
// (R read where GROSS has SS: ß). The two names are aligned letter for
// letter or letter for pair, with the fewest letters differing; a space
// only matches a space. One letter of the reading may stand for nothing of
// the reference's (VAARAT read for VAART): `inserted` is then its index in
// the characters returned (its candidates empty: the typeface cannot weigh
// a letter against nothing). Empty when they do not align so or nothing
// differs. `of`: per letter of `value`, the character it comes from.
std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> letterCandidates(
    const std::string& text, const std::string& value, const std::string& reference, std::vector<std::size_t>& of,
    std::optional<std::size_t>& inserted) {
  inserted.reset();
  const std::size_t n = value.size(), m = reference.size();
  if (value == reference || n == 0 || n > m + 1 || m > 200) return {};
  std::vector<std::string> chars = nameChars(text, value, of);
  if (chars.empty()) return {};
  // Only the characters the value comes from are rendered: what the reading
  // has before or after them (a dash of the guilloche) is no print of it.
  const std::size_t first = of.front();
  chars.erase(chars.begin() + static_cast<std::ptrdiff_t>(of.back()) + 1, chars.end());
  chars.erase(chars.begin(), chars.begin() + static_cast<std::ptrdiff_t>(first));
  for (std::size_t& k : of) k -= first;
  // cost[u][i][j]: the fewest letters differing when value[i..] is printed
  // for reference[j..], u letters of the value (at most one) left standing
  // for nothing so far.
  constexpr int kNone = 1 << 20;
  std::vector<int> cost(2 * (n + 1) * (m + 1), kNone);
  auto at = [&](std::size_t u, std::size_t i, std::size_t j) -> int& { return cost[(u * (n + 1) + i) * (m + 1) + j]; };
  // At each place of the reference, what one printed letter may stand for
  // its pair there: the marked letters the pair spells, and the two letters
  // themselves (IJ read U: two narrow letters blurred into one) (taken once:
  // the alignment below asks for each place many times).
  std::vector<std::vector<std::string>> pair_at(m + 1);
  for (std::size_t j = 0; j + 1 < m; ++j)
    if (reference[j] != ' ' && reference[j + 1] != ' ') {
      pair_at[j] = markedFor(reference.substr(j, 2));
      pair_at[j].push_back(reference.substr(j, 2));
    }
  auto pairOf = [&](std::size_t j) -> const std::vector<std::string>& { return pair_at[std::min(j, m)]; };
  at(0, n, m) = at(1, n, m) = 0;
  for (std::size_t i = n + 1; i-- > 0;)
    for (std::size_t j = m + 1; j-- > 0;)
      for (std::size_t u = 0; u < 2; ++u) {
        if (i == n) continue;
        int best = kNone;
        if (j < m) {
          const bool space = value[i] == ' ' || reference[j] == ' ';
          if (value[i] == reference[j]) best = at(u, i + 1, j + 1);
          else if (!space) best = at(u, i + 1, j + 1) + 1;
          if (!space && !pairOf(j).empty()) best = std::min(best, at(u, i + 1, j + 2) + 1);
        }
        if (u == 0 && value[i] != ' ') best = std::min(best, at(1, i + 1, j) + 1);
        at(u, i, j) = std::min(best, kNone);
      }
  if (at(0, 0, 0) >= kNone || at(0, 0, 0) == 0) return {};
  std::vector<std::vector<std::string>> others(chars.size());
  bool any = false;
  for (std::size_t i = 0, j = 0, u = 0; i < n; ++i) {
    const std::size_t k = of[i];
    const int here = at(u, i, j);
    const bool space = j < m && (value[i] == ' ' || reference[j] == ' ');
    if (j < m && (value[i] == reference[j] || !space) &&
        here == at(u, i + 1, j + 1) + (value[i] == reference[j] ? 0 : 1) && at(u, i + 1, j + 1) < kNone) {
      if (value[i] != reference[j] && chars[k].size() == 1) others[k] = {std::string(1, reference[j])}, any = true;
      ++j;
    } else if (j < m && !space && !pairOf(j).empty() && here == at(u, i + 1, j + 2) + 1 &&
               at(u, i + 1, j + 2) < kNone) {  // a letter printed for a pair
      if (chars[k].size() == 1) others[k] = pairOf(j), any = true;
      j += 2;
    } else {  // a letter printed for nothing
      inserted = k;
      u = 1;
    }
  }
  if (!any && !inserted) return {};
  return {std::move(chars), std::move(others)};
}

// The characters of `field` flagged in `doubted` (one flag per character
// of its value: doubtedLetters, checkCodeCharacters, doubtedDigits) count
// as at most kUnconfirmedCharConfidence sure: unreadable print to id-check.
void capDoubted(Field& field, const std::vector<bool>& doubted) {
  for (std::size_t v = 0; v < doubted.size() && v < field.char_confidence.size(); ++v)
    if (doubted[v]) field.char_confidence[v] = std::min(field.char_confidence[v], kUnconfirmedCharConfidence);
}

// Character `i` of `field` surely read (kSureDigitConfidence, unless more
// already), `rival` its runner-up weighed under id-check's kRunnerUpWeight:
// a difference from another source in it is no misread.
void markSure(Field& field, std::size_t i, const std::string& rival) {
  if (i >= field.char_confidence.size() || field.char_confidence[i] >= kSureDigitConfidence) return;
  if (field.char_alternatives.size() != field.value.size()) field.char_alternatives.assign(field.value.size(), {});
  field.char_confidence[i] = kSureDigitConfidence;
  field.char_alternatives[i] = {rival, 1 - kSureDigitConfidence};
}

// `field`'s value respelled (LetterCheck::respelled; `of`, per letter, the
// value's letter kept there or -1), its per-letter confidences and
// alternatives carried along: a letter of the reference's was read by no
// second reader (at most kUnconfirmedCharConfidence). Its text stays as read.
void respell(Field& field, const std::string& respelled, const std::vector<std::ptrdiff_t>& of) {
  if (respelled.empty() || of.size() != respelled.size() || field.char_confidence.size() != field.value.size()) return;
  const bool alternatives = field.char_alternatives.size() == field.value.size();
  std::vector<double> conf;
  std::vector<Field::Alternative> alt;
  for (const std::ptrdiff_t v : of) {
    const auto u = static_cast<std::size_t>(v);
    conf.push_back(v < 0 ? kUnconfirmedCharConfidence : field.char_confidence[u]);
    if (alternatives) alt.push_back(v < 0 ? Field::Alternative{} : field.char_alternatives[u]);
  }
  field.value = respelled;
  field.char_confidence = std::move(conf);
  if (alternatives) field.char_alternatives = std::move(alt);
  else field.char_alternatives.clear();
}

// The source's grey pixels about a flat card of `flat` size (to_src: flat
// card pixels -> source pixels) with the capture's motion streak undone, as
// id-mrz undoes a shaken photo's (readShakenDocument): the streak looked for
// in the source's own pixels, where motionOf's limits are those of the
// capture; and flat card pixels -> the returned pixels. nullopt where the
// source shows no streak motionOf believes.
std::optional<std::pair<cv::Mat, cv::Matx33d>> unshakenSource(const cv::Mat& src, const cv::Matx33d& to_src,
                                                              cv::Size flat) {
  std::vector<cv::Point2f> corners;
  for (const auto& [x, y] : {std::pair{0, 0}, {flat.width, 0}, {flat.width, flat.height}, {0, flat.height}}) {
    const cv::Vec3d v = to_src * cv::Vec3d(x, y, 1);
    corners.emplace_back(static_cast<float>(v[0] / v[2]), static_cast<float>(v[1] / v[2]));
  }
  const cv::Rect whole(0, 0, src.cols, src.rows);
  const int margin = static_cast<int>(detail::kMotionSearched);
  const cv::Rect box = (cv::boundingRect(corners) + cv::Size(2 * margin, 2 * margin) - cv::Point(margin, margin)) & whole;
  if (box.width < 64 || box.height < 64) return std::nullopt;
  const std::optional<detail::MotionBlur> streak =
      detail::motionOf(src(box), {detail::kMotionSearched, detail::kMotionBelieved, 48, true});
  if (!streak || streak->length > detail::kMotionLongest) return std::nullopt;
  // Undone with a streak's reach of the source about the box, so that the box's edges are no wrapped border.
  const cv::Rect region = (box + cv::Size(2 * margin, 2 * margin) - cv::Point(margin, margin)) & whole;
  return std::pair{detail::deblurMotion(src(region), *streak, detail::kDeblurNoise),
                   cv::Matx33d(1, 0, -region.x, 0, 1, -region.y, 0, 0, 1) * to_src};
}

}  // namespace

std::optional<Source> sourceOf(const Json& record, cv::Size flat_size) {
  const Json* quad = nullptr;
  if (auto d = record.find("document"); d != record.end() && d->is_object())
    if (auto q = d->find("quad"); q != d->end() && q->is_array() && q->size() == 4) quad = &*q;
  const std::string input = record.value("input", std::string());
  if (!quad || input.empty() || !record.contains("image") || flat_size.width < 1 || flat_size.height < 1) return std::nullopt;
  std::vector<cv::Point2f> corners;
  for (const Json& p : *quad) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
    corners.emplace_back(p[0].get<float>(), p[1].get<float>());
  }
  // The card's width in the input (its top and bottom sides) against the flat card's.
  const double width = (cv::norm(corners[1] - corners[0]) + cv::norm(corners[2] - corners[3])) / 2;
  if (!(width < kSourceSmallerThan * flat_size.width)) return std::nullopt;
  const auto w = static_cast<float>(flat_size.width), h = static_cast<float>(flat_size.height);
  const std::vector<cv::Point2f> card{{0, 0}, {w, 0}, {w, h}, {0, h}};
  Source s;
  s.input = input;
  s.to_input = cv::Matx33d(cv::getPerspectiveTransform(card, corners));
  return s;
}

std::pair<const cv::Mat&, cv::Matx33d> Source::image() const {
  if (!loaded_) {
    loaded_ = true;
    if (auto img = loadImage(input, ImageLimits{}, 0, Hash::no); img && !img->bgr.empty()) {
      grey_ = grey(img->bgr);
      const double k = static_cast<double>(grey_.cols) / std::max(1, img->size.width);
      to_grey_ = cv::Matx33d(k, 0, 0, 0, k, 0, 0, 0, 1) * to_input;
    }
  }
  return {grey_, to_grey_};
}

double Source::pixelsPerCardPixel(cv::Point2d at) const {
  auto map = [&](double x) {
    const cv::Vec3d v = to_input * cv::Vec3d(x, at.y, 1);
    return cv::Point2d(v[0] / v[2], v[1] / v[2]);
  };
  constexpr double kHalf = 50;  // card px either side
  return cv::norm(map(at.x + kHalf) - map(at.x - kHalf)) / (2 * kHalf);
}

cv::Mat glyphView(const cv::Mat& crop, double source_px, double blur_px) {
  if (crop.empty() || !(source_px > 0) || source_px >= kEnlargedBelow || blur_px * source_px >= kSharpInSourcePx)
    return crop;
  cv::Mat out;
  cv::GaussianBlur(crop, out, cv::Size(), kSmoothOfSourcePx / source_px);
  return out;
}

Result read(Engine& engine, const cv::Mat& flat_bgr, const Template& t, const Json& mrz_fields, const Source* source) {
  Result out;
  out.template_id = t.id;
  cv::Mat g = grey(flat_bgr);
  const cv::Rect whole(0, 0, g.cols, g.rows);
  const double cap0 = medianCap(t) * g.rows / t.size_mm.height;
  std::vector<cv::Rect> words = findTextBoxes(g, cap0);
  Registration reg = registerTemplate(words, t, g.size());
  // A card id-deskew left upside down matches few lines; its half turn may match more.
  bool turned = false;
  if (reg.matched * 3 < reg.expected * 2) {
    cv::Mat r;
    cv::rotate(g, r, cv::ROTATE_180);
    std::vector<cv::Rect> w = findTextBoxes(r, cap0);
    Registration rr = registerTemplate(w, t, r.size());
    if (rr.fitted && rr.matched > reg.matched + 1) g = r, words = std::move(w), reg = rr, turned = true;
  }
  out.registration = reg.toJson();
  if (turned) out.registration["rotated"] = 180;
  // A sheared card (Registration::slope) is read levelled: each column's
  // lines moved back up or down by the shear, as Tesseract reads a level
  // line best. `shear` maps the levelled card's pixels back.
  const double shear = reg.slope;
  if (shear != 0) {
    cv::Mat level;
    cv::warpAffine(g, level, cv::Matx23d(1, 0, 0, -shear, 1, 0), g.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    g = level;
    words = findTextBoxes(g, cap0);
    reg.slope = 0;
  }
  // The card's motion streak (detail::motionOf on the whole flat card: the
  // blur of a shaken photo is the same over the card), looked for once a
  // card, when a doubtful field's line first shows blur (retry (3a));
  // nullopt when it shows none. `streak_hinted`: the search's score is under
  // kMotionHinted (believed or not, however long: a streak the photo's own
  // pixels may show better).
  std::optional<std::optional<detail::MotionBlur>> card_motion;
  bool streak_hinted = false;
  auto cardMotion = [&]() -> const std::optional<detail::MotionBlur>& {
    if (!card_motion) {
      // At half size: the search's cost is its lengths times the spectrum's
      // bins, and the flat card of a photo is most often enlarged from fewer pixels.
      cv::Mat half;
      cv::resize(g, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
      std::optional<detail::MotionBlur> k = detail::motionOf(half, {detail::kMotionLongest / 2, kMotionHinted, 48, false});
      streak_hinted = k.has_value();
      if (k && k->score >= detail::kMotionBelieved) k.reset();
      if (k) k->length *= 2;
      if (k && k->length > detail::kMotionLongest) k.reset();
      card_motion = k;
    }
    return *card_motion;
  };
  // The source's pixels about the card with the capture's streak undone
  // (unshakenSource), made once a card when a doubtful line first shows blur
  // on a card that shows a streak (retry (3a)); nullopt when there is no
  // source or it shows no streak.
  std::optional<std::optional<std::pair<cv::Mat, cv::Matx33d>>> source_unshaken;
  auto sourceUnshaken = [&]() -> const std::optional<std::pair<cv::Mat, cv::Matx33d>>& {
    if (!source_unshaken) {
      source_unshaken.emplace();
      if (source)
        if (const auto [src, to_src] = source->image(); !src.empty())
          *source_unshaken = unshakenSource(src, to_src, g.size());
    }
    return *source_unshaken;
  };
  // Tesseract's LSTM reads best with capitals of about 30 px; cards at 300 dpi
  // print 1.5-2 mm capitals (18-24 px).
  for (const FieldSpec& f : t.fields) {
    const cv::Rect2d rp = reg.toPx(f.region_mm);
    cv::Rect r(cv::Point(static_cast<int>(std::floor(rp.x)), static_cast<int>(std::floor(rp.y))),
               cv::Point(static_cast<int>(std::ceil(rp.br().x)), static_cast<int>(std::ceil(rp.br().y))));
    r &= whole;
    if (r.width < 4 || r.height < 4) continue;
    const double cap_px = (f.cap_mm > 0 ? f.cap_mm : 1.6) * reg.sy;
    const int pad = static_cast<int>(std::ceil(cap_px * 0.35));
    cv::Rect line_box;  // card pixels
    std::optional<cv::Rect> found;
    if (reg.fitted) found = valueLine(words, r, reg.sy * (f.region_mm.y + f.region_mm.height / 2 - 0.1) + reg.ty, cap_px);
    const int value_width = found ? found->width : 0;  // the value's words, card px (0: none found)
    // The most card pixels `text` takes printed on the line: a capital is at
    // most 1.1 capital heights wide, a space half of one.
    auto widthAtMost = [&](std::string_view text) {
      double caps = 0;
      for (std::size_t i = 0; i < text.size(); ++i)
        if (!utf8::continuation(static_cast<unsigned char>(text[i]))) caps += text[i] == ' ' ? 0.5 : 1.1;
      return caps * cap_px;
    };
    // A reading that accounts for under half of the value's words.
    auto readShort = [&](const std::string& text) {
      return value_width > 0 && value_width > 2 * widthAtMost(text) + cap_px;
    };
    if (found) {
      // The region's width (values are left-aligned in it) or the words' if
      // they run on; the words' height with a margin.
      const int x0 = std::max(std::min(r.x, found->x - pad), r.x - 2 * pad);
      int x1 = std::min(std::max(r.br().x, found->br().x + pad), r.br().x + 6 * pad);
      // Never into the next column's value on the same line (a long date
      // beside a personal number): a word a capital height or more after the
      // value's end is not the value's.
      for (const cv::Rect& w : words)
        if (w.x >= found->br().x + cap_px && std::abs(w.y + w.height / 2.0 - (found->y + found->height / 2.0)) < cap_px * 0.5)
          x1 = std::min(x1, std::max(found->br().x + 1, w.x - 2));
      line_box = cv::Rect(cv::Point(x0, found->y - pad), cv::Point(x1, found->br().y + pad)) & whole;
    } else {
      const cv::Rect l = pickLine(g(r), cap_px);
      line_box = cv::Rect(r.x, r.y + l.y, r.width, l.height);
    }
    if (f.kind == Kind::name && line_box.width >= 4 && line_box.height >= 4) line_box = uncutLeft(g, line_box, cap_px);
    // Not a date's: its readers take the date out of the line's text, and its
    // readings gained nothing from it (bench/README.md, id-ocr session 28).
    if (f.kind != Kind::date)
      line_box = trimLeadingMarks(g, line_box, cap_px,
                                  reg.fitted ? static_cast<int>(std::lround(rp.x + kValueIndentMm * reg.sx)) : -1);
    if (line_box.width < 4 || line_box.height < 4) continue;
    cv::Mat crop = g(line_box);
    // The blur the line shows (blurSigma), measured once a field when a step asks for it.
    std::optional<double> crop_blur;
    auto lineBlur = [&] {
      if (!crop_blur) crop_blur = blurSigma(crop);
      return *crop_blur;
    };
    // The input's pixels per card pixel at the line (1 without a smaller source).
    auto sourceScale = [&]() {
      if (!source) return 1.0;
      // The turned card's pixels are the flat card's at the mirrored place.
      const cv::Point2d mid(line_box.x + line_box.width / 2.0,
                            line_box.y + line_box.height / 2.0 + shear * (line_box.x + line_box.width / 2.0));
      return source->pixelsPerCardPixel(turned ? cv::Point2d(g.cols - mid.x, g.rows - mid.y) : mid);
    };
    // The line as the typeface's readers are given it when they read
    // nothing clearly from the card's own pixels (glyphView): a card
    // photographed sharp at a low resolution smoothed at the photo's scale.
    // Only then: smoothing also blurs the corners that tell look-alikes
    // apart (a D read O, an 8 read B). Not for dates: a smoothed date's
    // digits fit other digits too (a year 2075 taken for 2025).
    std::optional<cv::Mat> glyph_crop;
    auto glyphCrop = [&]() -> const cv::Mat& {
      if (!glyph_crop) {
        glyph_crop = crop;
        if (source && f.kind != Kind::date)
          if (const double k = sourceScale(); k < kEnlargedBelow) glyph_crop = glyphView(crop, k, lineBlur());
      }
      return *glyph_crop;
    };
    const double scale = std::clamp(30.0 / cap_px, 1.0, 4.0);
    cv::Mat big;
    cv::resize(crop, big, cv::Size(), scale, scale, cv::INTER_CUBIC);
    const std::string whitelist = f.whitelist.empty() ? defaultWhitelist(f.kind) : f.whitelist;
    const std::string& lang = f.lang.empty() ? t.lang : f.lang;
    const int dpi = static_cast<int>(std::lround(reg.sx * scale * 25.4));
    const std::regex pattern(f.pattern.empty() ? ".*" : f.pattern);
    auto glyphRead = [&](const auto&... rest) {
      std::optional<Field> r = readByGlyphs(f, pattern, crop, cap_px, rest...);
      if (!r)
        if (const cv::Mat& view = glyphCrop(); view.data != crop.data) r = readByGlyphs(f, pattern, view, cap_px, rest...);
      return r;
    };
    // Each character's runner-up, for the fields id-check compares with another source.
    const bool choices = check::comparedVizField(f.name);
    // `in_lang`: the Tesseract languages; `widen`: px added to the
    // background-removal kernel (blurred strokes are wider).
    // The last readCrop's line, its symbols and the padding before them, for
    // inkBesideReading, asked of the first reading and the levelled one only.
    cv::Mat last_line;
    std::vector<Engine::Symbol> last_symbols;
    int last_side = 0;
    auto endUnread = [&] {
      return !f.single_char && f.kind != Kind::sex && inkBesideReading(last_line, cap_px * scale, last_symbols, last_side);
    };
    auto readCrop = [&](const cv::Mat& line_img, const std::string& in_lang, double widen = 0, bool flatten = true) {
      cv::Mat padded = flatten ? flattenBackground(line_img, cap_px * scale + widen) : line_img.clone();
      // A lone letter (sex) needs room around it for the line finder to see a line.
      const int side = f.kind == Kind::sex ? padded.rows : 12;
      cv::copyMakeBorder(padded, padded, 8, 8, side, side, cv::BORDER_REPLICATE);
      using Mode = Engine::LineMode;
      Engine::Line l =
          engine.readLine(padded, in_lang, whitelist, dpi, f.single_char ? Mode::single_char : Mode::line, choices);
      // Line mode sometimes finds no line in a lone letter; raw-line mode skips
      // that step, single-character mode the word finding too.
      if (l.text.empty() && f.kind == Kind::sex) l = engine.readLine(padded, in_lang, whitelist, dpi, Mode::raw, choices);
      if (l.text.empty() && f.kind == Kind::sex)
        l = engine.readLine(padded, in_lang, whitelist, dpi, Mode::single_char, choices);
      // The field's text: the line less the label a strip pattern removes.
      const std::optional<std::regex> strip =
          f.strip.empty() ? std::nullopt : std::optional<std::regex>(std::in_place, f.strip);
      auto fieldText = [&](const std::string& line) {
        return normaliseText(strip ? std::regex_replace(line, *strip, "") : line);
      };
      // A 0 read as O, where the field may hold digits (not in a nationality's letters).
      if (f.kind == Kind::code)
        if (std::string settled = settleZeroes(l.text, l.symbols);
            settled != l.text && std::regex_match(normaliseCode(fieldText(settled)), pattern))
          l.text = std::move(settled);
      Field field;
      field.name = f.name;
      field.text = fieldText(l.text);
      field.value = normalise(f.kind, field.text, f.date_order);
      // A text field's value in its template's form (fitForm): its fixed
      // words spelled as printed, noise after a whole value dropped.
      bool fits = false;
      if (f.kind == Kind::text && (!f.words.empty() || !f.pattern.empty())) {
        FormFit fit = fitForm(field.value, f.words, pattern);
        field.value = std::move(fit.value);
        fits = fit.fits;
      } else {
        fits = std::regex_match(field.value, pattern);
      }
      field.confidence = l.confidence;
      if (!fits) field.confidence *= 0.5;
      if (field.value.empty()) field.confidence = 0;
      // The label a strip pattern removes is not part of the value: align on
      // the symbols of what is left (the stripped text is a suffix of the line).
      std::vector<Engine::Symbol> symbols = l.symbols;
      if (!f.strip.empty()) {
        const auto need = static_cast<std::size_t>(
            std::count_if(field.text.begin(), field.text.end(), [](char c) { return c != ' '; }));
        std::size_t bytes = 0, n = 0;
        for (auto it = symbols.rbegin(); it != symbols.rend() && bytes < need; ++it, ++n) bytes += it->text.size();
        symbols.erase(symbols.begin(), symbols.end() - static_cast<std::ptrdiff_t>(n));
      }
      field.char_confidence = valueConfidences(f.kind, field.value, symbols, f.date_order);
      if (choices) field.char_alternatives = valueAlternatives(f.kind, field.value, symbols, f.date_order);
      field.read = field.value;
      if (f.kind == Kind::code && mrz_fields.is_object())
        if (auto m = mrz_fields.find(f.referenceName()); m != mrz_fields.end() && m->is_string() &&
                                                         reconcile(field.value, normaliseCode(m->get<std::string>())))
          field.source = "template+mrz";
      if (f.kind == Kind::name)
        if (const std::string other = referenceName(mrz_fields, f.referenceName()); !other.empty())
          if (reconcileName(field.value, other, &field.char_confidence)) field.source = "template+mrz";
      if (field.char_alternatives.size() != field.value.size()) field.char_alternatives.clear();  // respelled
      last_line = line_img;
      last_symbols = std::move(l.symbols);
      last_side = side;
      return field;
    };
    // The retry policy (kRetryBelow): a doubtful reading is read again, each
    // try only while the surest reading so far is doubtful: (1) in the
    // template's language when the field has its own (names are read with the
    // Latin script model, which sees diacritics; the English one reads some
    // blurred print more surely); (2) sharpened (unsharp mask at a fifth of
    // the capital height), in each language; (3) when the line is blurred (a
    // defocused or shaken photo), deconvolved at the blur it shows, with the
    // background taken out at a size that fits the blurred strokes, in each
    // language ((3a): a motion streak the card shows is undone first; (3b):
    // Wiener's deconvolution at a larger blur last). The surest reading
    // stays; a deconvolved one's characters
    // never count as surely read (VON DER read VON OER at 0.82).
    std::vector<std::string> langs{lang};
    if (t.lang != lang) langs.push_back(t.lang);
    Field field = readCrop(big, lang);
    const bool end_unread = endUnread();
    // The readings of the line as it is or sharpened (trusted characters).
    std::vector<Field> trusted{field};
    auto readAgain = [&](const cv::Mat& img, double widen, bool confirmed, std::size_t first_lang = 0,
                         bool flatten = true) {
      for (std::size_t i = first_lang; i < langs.size() && field.confidence < kRetryBelow; ++i) {
        Field second = readCrop(img, langs[i], widen, flatten);
        if (confirmed) trusted.push_back(second);
        if (second.confidence <= field.confidence) continue;
        // A trusted reading of the same value, however unsure (a deconvolved
        // reading between them may have read another value): its characters stand.
        const auto same = std::find_if(trusted.begin(), trusted.end(), [&](const Field& t) {
          return !t.value.empty() && t.value == second.value;
        });
        if (!confirmed && second.value == field.value) {  // the surer reading's value was read before: its characters stand
          second.char_confidence = field.char_confidence;
          second.char_alternatives = field.char_alternatives;
        } else if (!confirmed && same != trusted.end()) {
          second.char_confidence = same->char_confidence;
          second.char_alternatives = same->char_alternatives;
        } else if (!confirmed) {
          for (double& c : second.char_confidence) c = std::min(c, kUnconfirmedCharConfidence);
        }
        field = std::move(second);
      }
    };
    readAgain(big, 0, true, 1);
    // (1b) a line under a glare spot or uneven light (levelStrokes): its faded
    // strokes raised to the line's own level before the background is taken
    // out. The same pixels otherwise: nothing to read again.
    // So is a sure reading that left the value's start or end unread (a
    // glare spot faded it: inkBesideReading), taken when it reads the faded
    // part surely; on a line not levelled, the line as it is is read instead
    // (td3-photo-s5353-0034's faded last A).
    if (field.confidence < kRetryBelow || end_unread) {
      bool levelled = false;
      const cv::Mat even = flattenBackground(big, cap_px * scale, &levelled);
      if (levelled && field.confidence < kRetryBelow) {
        readAgain(even, 0, true, 0, false);
      } else if (levelled || field.confidence >= kRetryBelow) {
        // Not levelled: the line as it is, Tesseract's own threshold keeping
        // the faded strokes flattenBackground drops below its level.
        Field second = readCrop(levelled ? even : big, lang, 0, false);
        if (second.confidence >= kRetryBelow && second.value.size() > field.value.size() && !endUnread()) {
          trusted.push_back(second);
          field = std::move(second);
        }
      }
    }
    if (field.confidence < kRetryBelow) {
      cv::Mat blur, sharp;
      cv::GaussianBlur(big, blur, cv::Size(), cap_px * scale * 0.2);
      cv::addWeighted(big, 2.5, blur, -1.5, 0, sharp);
      readAgain(sharp, 0, true);
    }
    // The line at the reading's scale warped straight from an image of the
    // source (`to_img`: flat card pixels -> its pixels): one interpolation,
    // cubic, instead of the flat card's bilinear one and the crop's.
    auto fromSource = [&](const cv::Mat& img, const cv::Matx33d& to_img) {
      const double inv = 1 / scale;
      cv::Matx33d to_card(inv, 0, line_box.x + 0.5 * inv - 0.5, 0, inv, line_box.y + 0.5 * inv - 0.5, 0, 0, 1);
      if (shear != 0) to_card = cv::Matx33d(1, 0, 0, shear, 1, 0, 0, 0, 1) * to_card;
      if (turned) to_card = cv::Matx33d(-1, 0, g.cols - 1, 0, -1, g.rows - 1, 0, 0, 1) * to_card;
      cv::Mat own;
      cv::warpPerspective(img, own, cv::Mat(to_img * to_card), big.size(), cv::INTER_CUBIC | cv::WARP_INVERSE_MAP,
                          cv::BORDER_REPLICATE);
      return own;
    };
    // The line deconvolved by `undo` (Wiener: (3a), (3b)) from the card's own
    // pixels `margin` px about it, so that its edges are no wrapped border, and read again.
    auto readUndone = [&](int margin, const auto& undo) {
      const cv::Rect around = cv::Rect(line_box.x - margin, line_box.y - margin, line_box.width + 2 * margin,
                                       line_box.height + 2 * margin) &
                              whole;
      const cv::Mat undone = undo(g(around));
      cv::Mat sharp_big;
      cv::resize(undone(line_box - around.tl()), sharp_big, cv::Size(), scale, scale, cv::INTER_CUBIC);
      readAgain(sharp_big, 0, false);
    };
    // (3a) first, when the capture shows a motion streak, the line with the
    // streak undone (Wiener, motion_blur.hpp): a Gaussian's deconvolution
    // leaves a shaken photo's letters smeared along it. The streak is looked
    // for first in the source's own pixels (sourceUnshaken), undone there,
    // and the line warped from them as (5) warps it: a small card's streak,
    // enlarged with its flat copy, is past what the flat card's search
    // believes (7 px in a photo holding the card at 3 px a millimetre is 27
    // flat card pixels). Then, still doubtful, the flat card's own (cardMotion).
    // The photo is searched only where the flat card's own search hints at a
    // streak (streak_hinted): the photo's search costs about twice the flat
    // card's at half size (70-90 ms a card), and finds none elsewhere.
    if (field.confidence < kRetryBelow && lineBlur() > kDeblurAbovePx) {
      const std::optional<detail::MotionBlur>& k = cardMotion();
      if (streak_hinted)
        if (const auto& unshaken = sourceUnshaken()) readAgain(fromSource(unshaken->first, unshaken->second), 0, false);
      if (field.confidence < kRetryBelow && k)
        readUndone(static_cast<int>(std::ceil(k->length)) + 8,
                   [&](const cv::Mat& patch) { return detail::deblurMotion(patch, *k, detail::kDeblurNoise); });
    }
    if (field.confidence < kRetryBelow)
      if (const double sigma = lineBlur(); sigma > kDeblurAbovePx) {
        cv::Mat sharp_big;
        cv::resize(deblur(crop, sigma, 10), sharp_big, cv::Size(), scale, scale, cv::INTER_CUBIC);
        readAgain(sharp_big, 8 * sigma * scale, false);
        // (3b) still doubtful, and not a date (a date misread so, 2079 for
        // 2029, outweighed an unsure MRZ's expiry in id-check): Wiener's
        // deconvolution at a larger blur (kWienerOfBlur), from the card's
        // pixels about the line; it restores more of the fine detail than ten
        // Richardson-Lucy steps (and rings more, so it comes last).
        if (field.confidence < kRetryBelow && f.kind != Kind::date) {
          const double wide = sigma * kWienerOfBlur;
          readUndone(static_cast<int>(std::ceil(wide * 4)) + 4,
                     [&](const cv::Mat& patch) { return detail::deblurGaussian(patch, wide, kWienerNoise); });
        }
      }
    // (4) at two thirds of the size: a blurred line's strokes are narrower
    // there in pixels. A reading only this one gives is not trusted (as (3)).
    if (field.confidence < kRetryBelow) {
      const double small = scale * 2 / 3;
      cv::Mat img;
      cv::resize(crop, img, cv::Size(), small, small, small < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
      readAgain(img, cap_px * (small - scale), false);
    }
    // (5) from the source's own pixels, when the flat card was enlarged from
    // a smaller image (a photo of a small card): warped straight to the
    // reading's scale (one interpolation, cubic, instead of the flat card's
    // bilinear one and this crop's). Not trusted
    // either: the blur of such a photo is in the source too.
    if (source && field.confidence < kRetryBelow)
      if (const auto [src, to_src] = source->image(); !src.empty()) readAgain(fromSource(src, to_src), 0, false);
    // (6) a date or a sex still doubtful, where the template names the
    // typeface its values are printed in: the value whose rendering, blurred
    // as the line is, best explains the line (a blurred photo's glyphs that
    // Tesseract cannot read). A value read before too keeps that reading's
    // characters: the two readers' agreement makes it no less sure than it was.
    // A code, a name or free text only on a line that shows blur (as for
    // deconvolution, (3)): a sharp line Tesseract doubts is seldom misread
    // glyph by glyph, and their search costs a few hundred milliseconds.
    // A code read short (under half of its words' width, readShort) is read so
    // on a sharp line too: Tesseract loses most of a small card's enlarged,
    // blocky print (LZ6819844 read L) that the typeface may still explain.
    // So is one the MRZ holds, but only as the MRZ's value (readByGlyphs's
    // `agreed_only`): a sharp line's glyph reading is otherwise not trusted.
    // A date no reading so far gave (nothing to read surely, nothing to
    // compare) is given the MRZ's date as a hypothesis, taken only as that
    // date and only when the line alone gives no clear one (readByGlyphs).
    // The hypothesis is the MRZ's value normalised as this field's values
    // are (a code's characters; a date in ISO, as the MRZ gives it), so that
    // readByGlyphs compares it with a reading as it is; empty where none is
    // given (a code the MRZ lacks, a date already read, any other kind).
    std::string mrz_hypothesis;
    if ((f.kind == Kind::code || (f.kind == Kind::date && field.value.empty())) && mrz_fields.is_object())
      if (auto m = mrz_fields.find(f.referenceName()); m != mrz_fields.end() && m->is_string())
        mrz_hypothesis = normalise(f.kind, m->get<std::string>(), f.date_order);
    // A date's trusted readings (the line as it is or sharpened) that gave
    // no date: what they read of it may still settle a glyph reading's doubt.
    auto partialDates = [&] {
      std::vector<std::string> texts;
      if (f.kind == Kind::date)
        for (const Field& reading : trusted)
          if (reading.value.empty() && !reading.text.empty()) texts.push_back(reading.text);
      return texts;
    };
    bool glyphs_tried = false;  // (6) ran
    bool by_glyphs = false;     // read by synthesis in (6)
    if (field.confidence < kRetryBelow && !t.typeface.empty() &&
        (f.kind == Kind::date || f.kind == Kind::sex ||
         ((f.kind == Kind::code || f.kind == Kind::name || f.kind == Kind::text) && lineBlur() > kDeblurAbovePx) ||
         (f.kind == Kind::code && readShort(field.text)) || !mrz_hypothesis.empty()))
      if (glyphs_tried = true; std::optional<Field> glyph = glyphRead(
              t.typeface, field.text, mrz_hypothesis,
              f.kind == Kind::code && !readShort(field.text) && lineBlur() <= kDeblurAbovePx, partialDates())) {
        if (glyph->value == field.value) {
          glyph->text = field.text;
          glyph->char_confidence = std::move(field.char_confidence);
          glyph->char_alternatives = std::move(field.char_alternatives);
        } else if ((f.kind == Kind::code || f.kind == Kind::name) && glyph->value.size() == field.value.size() &&
                   field.char_confidence.size() == field.value.size()) {
          // A code's characters both readers saw alike keep the earlier reading's confidence.
          for (std::size_t i = 0; i < glyph->value.size(); ++i)
            if (glyph->value[i] == field.value[i]) glyph->char_confidence[i] = field.char_confidence[i];
        }
        field = std::move(*glyph);
        by_glyphs = true;
      }
    // (6b) A compared date no reading gave, the reference's hypothesis (the
    // MRZ's or a barcode's) not the print's either: the print may show another
    // date surely, digit by digit against it (readDifferingDate), where no reading of the whole
    // line was clear (a blurred or small capture's forged year). Check (11)
    // below weighs its digits as any date's.
    if (f.kind == Kind::date && field.value.empty() && !mrz_hypothesis.empty() && !t.typeface.empty() &&
        check::comparedVizField(f.name))
      if (std::optional<Field> differing =
              readDifferingDate(f, pattern, crop, cap_px, t.typeface, mrz_hypothesis, sourceScale())) {
        field = std::move(*differing);
        by_glyphs = true;
      }
    // (7) a code of one glyph (a passport's type letter), however sure
    // Tesseract was: it reads a lone capital poorly even when sharp (P read
    // D or J over the guilloche at 0.78-0.9, 3 of bench/ocr.sh's 21 TD3
    // scans). The letter whose rendering best explains the line is taken
    // when it is clearly the best fit. So is a field's value from its closed
    // vocabulary (a licence's eye and hair colour codes: a blurred BRO read
    // ERO, HAZ read MAR at 0.9, itself a colour code), unless Tesseract read
    // one of its values surely (kConfirmBelow: the check costs ~50 ms a field).
    auto inVocabulary = [&](const std::string& v) { return std::ranges::find(f.values, v) != f.values.end(); };
    const bool vocabulary_doubt =
        !f.values.empty() && (field.confidence < kConfirmBelow || !inVocabulary(field.value));
    const bool one_of = vocabulary_doubt || (f.kind == Kind::code && f.single_char);
    if (!glyphs_tried && one_of && !t.typeface.empty() && field.source == "template")
      if (std::optional<Field> glyph = glyphRead(t.typeface, field.text);
          glyph && (f.values.empty() ? glyph->value.size() == 1 : inVocabulary(glyph->text))) {
        if (glyph->value == field.value) {
          glyph->text = field.text;
          glyph->char_confidence = std::move(field.char_confidence);
        }
        field = std::move(*glyph);
      }
    // (8) A code's look-alikes (S and 5, B and 8, 0 O and D, 1 and I, Z 2
    // and 7, G and 6) checked in the typeface, each in its own place, however
    // sure Tesseract was (ASPWG4M3R read at 0.99 a character on a clean scan
    // for A5PWG4M3R). A character changed so was seen by no second reader:
    // at most kUnconfirmedCharConfidence, so that a difference in it from the
    // MRZ is unreadable print to id-check, not a forgery.
    // A character Tesseract read as the MRZ has it stays: two readers agree
    // on it, where the typeface's blurred 5 and S (8 and B) differ little
    // (PW2850147 checked PW28S0147 at fit 0.91, margin 0.19, on a blurred
    // photo; 2N5737004 checked ZNS737004: its Z taken, its S not).
    // A one-glyph field is left to (7), which weighed every letter.
    if (f.kind == Kind::code && !f.single_char && !t.typeface.empty() && !field.read.empty()) {
      std::optional<glyphs::Reading> r;
      try {
        r = glyphs::checkLookAlikes(crop, cap_px, field.read, codeChars(f, pattern), t.typeface);
      } catch (const Failure&) {  // the typeface's file cannot be opened
      }
      std::string ref;  // the MRZ's value of the field, normalised as a code ("" when none)
      if (mrz_fields.is_object())
        if (auto m = mrz_fields.find(f.referenceName()); m != mrz_fields.end() && m->is_string())
          ref = normaliseCode(m->get<std::string>());
      if (r && ref.size() == field.read.size() && r->text.size() == field.read.size())
        for (std::size_t i = 0; i < ref.size(); ++i)
          if (field.read[i] == ref[i]) r->text[i] = ref[i];
      if (r && r->text != field.read && r->fit >= kLookAlikeFit && r->margin >= kLookAlikeMargin &&
          r->text.size() == field.read.size() && std::regex_match(r->text, pattern)) {
        std::string value = r->text;
        const bool was_reconciled = field.source == "template+mrz";
        bool reconciled = false, agrees = false;
        if (!ref.empty()) {
          agrees = value == ref;
          reconciled = reconcile(value, ref);
        }
        // A value the MRZ settled stays settled unless the corrected reading
        // is the MRZ's value or settled by it too.
        if (!was_reconciled || agrees || reconciled) {
          if (field.char_confidence.size() == r->text.size())
            for (std::size_t i = 0; i < r->text.size(); ++i)
              if (r->text[i] != field.read[i])
                field.char_confidence[i] = std::min(field.char_confidence[i], kUnconfirmedCharConfidence);
          field.text = r->text;
          field.read = r->text;
          field.value = value;
          field.source = reconciled ? "template+mrz" : "template";
        }
      }
    }
    // (9) A date Tesseract (not (6)) read surely enough (kRetryBelow) but not surely
    // (kConfirmBelow), printed whole (two-digit day and month, four-digit
    // year): each digit checked against the other nine in its own place, as
    // a code's look-alikes are (a blurred 5 read 4, 0 read 9: 2018-04-04 for
    // 2018-05-05, 2039 for 2030). A changed digit is at most
    // kUnconfirmedCharConfidence sure; the value must still be a date. Only
    // on a line that shows blur (as (6) for codes): the misread digits were
    // all on blurred photos, and the check cost ~12 ms a card at the median
    // on sharp scans too.
    std::optional<std::pair<std::string, std::string>> digits_proposed;  // (9)'s other date, not taken: value, text
    // (9) and (9b) take another date: its digits that differ, which only the
    // synthesis read, at most kUnconfirmedCharConfidence sure.
    auto takeDate = [&](const std::string& value, const std::string& text) {
      if (field.char_confidence.size() == value.size())
        for (std::size_t i = 0; i < value.size(); ++i)
          if (value[i] != field.value[i])
            field.char_confidence[i] = std::min(field.char_confidence[i], kUnconfirmedCharConfidence);
      field.char_alternatives.clear();
      field.text = text;
      field.value = value;
      field.read = value;
    };
    if (f.kind == Kind::date && !by_glyphs && field.confidence >= kRetryBelow && field.confidence < kConfirmBelow &&
        lineBlur() > kDeblurAbovePx &&
        !t.typeface.empty() && field.source == "template" && !field.value.empty()) {
      static const std::regex kWhole(R"(\d\d([./])\d\d\1\d{4}|\d\d [A-Z/]+ \d{4})");
      if (std::regex_match(field.text, kWhole)) {
        std::optional<glyphs::Reading> r;
        try {
          r = glyphs::checkLookAlikes(crop, cap_px, field.text, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
                                      t.typeface, {"0123456789"});
        } catch (const Failure&) {  // the typeface's file cannot be opened
        }
        if (r && r->text != field.text)
          if (std::string value = normalise(f.kind, r->text, f.date_order);
              !value.empty() && std::regex_match(value, pattern) && value.size() == field.value.size()) {
            if (r->fit < kLookAlikeFit || r->margin < kLookAlikeMargin) {
              digits_proposed.emplace(value, r->text);  // not clear alone: judged whole in (9b)
            } else {
              takeDate(value, r->text);
            }
          }
      }
    }
    // (9b) A doubtful date on a blurred line whose readers disagree, read
    // whole by synthesis with their values as hypotheses (glyphs::readDate's
    // hints): (9)'s digits that did not explain enough of the ink on their
    // own (a shaken line: 1985 for Tesseract's 1925 at fit 0.897), or a
    // deconvolved reading taken over a trusted reading of another date (1964
    // over 1984: deconvolution also makes confident misreads). The whole
    // date's rendering is judged under the blur fitted to the line, each
    // value at its own best place, and one of the hypotheses is taken only
    // when it explains the ink clearly best (kGlyphFit, kGlyphMarginDate):
    // two readers then agree on it. A trusted reading taken so keeps its
    // characters; a digit only the synthesis read is at most
    // kUnconfirmedCharConfidence sure.
    if (f.kind == Kind::date && !by_glyphs && !t.typeface.empty() && field.source == "template" &&
        lineBlur() > kDeblurAbovePx) {
      std::vector<std::string> hints;
      auto hint = [&](const std::string& v) {
        if (!v.empty() && std::ranges::find(hints, v) == hints.end()) hints.push_back(v);
      };
      const bool value_trusted =
          std::ranges::any_of(trusted, [&](const Field& reading) { return reading.value == field.value; });
      if (digits_proposed) hint(digits_proposed->first);
      if (!field.value.empty() && !value_trusted)
        for (const Field& reading : trusted) hint(reading.value);
      std::erase(hints, field.value);
      if (!hints.empty()) {
        if (!field.value.empty()) hints.push_back(field.value);
        std::optional<glyphs::Reading> r;
        try {
          r = glyphs::readDate(crop, cap_px, f.date_order, t.typeface, hints);
        } catch (const Failure&) {  // the typeface's file cannot be opened
        }
        const std::string value = r ? normalise(f.kind, r->text, f.date_order) : std::string();
        if (r && r->fit >= kGlyphFit && r->margin >= kGlyphMarginDate && value != field.value &&
            std::ranges::find(hints, value) != hints.end() && std::regex_match(value, pattern)) {
          const auto same =
              std::ranges::find_if(trusted, [&](const Field& reading) { return reading.value == value; });
          if (same != trusted.end()) {
            field = *same;
            field.confidence = std::max(field.confidence, kRetryBelow);
          } else {
            takeDate(value, digits_proposed && digits_proposed->first == value ? digits_proposed->second : r->text);
          }
        }
      }
    }
    // (10) A name whose reading lost marks the reference spells out (MULLER
    // for the MRZ's MUELLER, GROB for GROSS: ß read B): each such letter
    // checked against its marked forms in its own place, as a code's
    // look-alikes are (8). The reference only says where a mark may be;
    // the print decides. The value (the reference's spelling) is unchanged;
    // the reading from the print alone (`read`) takes the marks.
    if (f.kind == Kind::name && field.source == "template+mrz" && !field.read.empty() &&
        field.read != field.value && !t.typeface.empty()) {
      auto [chars, others] = markCandidates(field.text, field.read, field.value);
      std::optional<glyphs::Reading> r;
      try {
        if (!chars.empty()) r = glyphs::checkCharacters(crop, cap_px, chars, others, t.typeface);
      } catch (const Failure&) {  // the typeface's file cannot be opened
      }
      if (r && r->text != field.text && r->fit >= kMarkFit && r->margin >= kLookAlikeMargin) {
        field.text = r->text;
        field.read = normaliseName(r->text);
      }
    }
    // (10b) A name read surely but otherwise than the reference spells it
    // (CHATEAUSRIAND for CHATEAUBRIAND at 0.98 a letter, AMANA for AMARA,
    // GROR for GROSS: ß read R): each differing letter checked in its own
    // place in the typeface against the reference's letter there (or the
    // marked letters a pair of its letters spells), as (10) checks marks.
    // The image decides, not the reference: a letter the reference's fits
    // as well or better (kLookAlikeMargin) is no longer sure (at most
    // kUnconfirmedCharConfidence: unreadable print to id-check, not a
    // forgery); one that fits clearly better stays sure, and the value is
    // never changed. Only where a name differs from its reference. A letter
    // read for nothing the reference has (VAARAT for VAART) is doubted where
    // Tesseract read the line below kConfirmBelow: nothing else weighs it.
    std::optional<LetterCheck> sure_letters;  // (10b)'s letters shown surely, raised after the second look below
    if (f.kind == Kind::name && field.source == "template" && check::comparedVizField(f.name) && !t.typeface.empty() &&
        !field.value.empty() && field.char_confidence.size() == field.value.size())
      if (const std::string ref = referenceName(mrz_fields, f.referenceName()); !ref.empty() && ref != field.value) {
        // Where the whole line's rendering explains too little of its ink,
        // the line from the value's words (`found`) as far as they or the
        // reference's name could reach, a margin either side: the name's
        // ink without the guilloche of the region's empty rest
        // (td1-photo-s5353-0032: GROß on a 520 px line, its words 150 px:
        // fit 0.69, under kMarkFit, the R left sure; on its words 0.87, the
        // ß explains its cell better). A faint last letter the words missed
        // (CHRISTIN(A)) stays in.
        cv::Mat words;
        if (found) {
          const int from = std::max(0, found->x - pad - line_box.x);
          const int reach = std::max(found->br().x, found->x + static_cast<int>(std::ceil(widthAtMost(ref))));
          const int to = std::min(crop.cols, reach + pad - line_box.x);
          if (to - from >= 4) words = crop.colRange(from, to);
        }
        LetterCheck c;
        try {
          c = checkLetters(crop, cap_px, field.text, field.value, ref, t.typeface, words,
                           field.confidence < kConfirmBelow, sourceScale());
        } catch (const Failure&) {  // the typeface's file cannot be opened
        }
        capDoubted(field, c.doubted);
        if (c.settled) {
          // The print shows the reference's letters where the reading
          // differs: the reading was wrong (LetterCheck::settled), and the
          // reference's spelling is what compares (id-check takes a name's
          // value, not Tesseract's text, from a field the reference settled).
          respell(field, c.respelled, c.respelled_of);
          field.read = field.value;
          field.source = "template+mrz";
        } else if (c.sure.size() == field.value.size() && std::ranges::find(c.sure, true) != c.sure.end()) {
          sure_letters = std::move(c);
        }
      }
    // A code is checked so too, character for character (FAS134200 read
    // surely where the MRZ holds FA9134200: a blurred 9 is nearly an S, and
    // the two are no look-alikes (8) tries). Where the print shows the MRZ's
    // character clearly better in every place that differs
    // (checkCodeCharacters' shows_reference), the reading was wrong and the
    // value is the MRZ's, its text Tesseract's reading still
    // (settleOwnReading): the MRZ said which characters to look at, the print
    // decided (a sharply printed other character, a forgery's, explains its
    // own cell better and stays, sure). The characters so changed were read
    // by no second reader: at most kUnconfirmedCharConfidence. A value the
    // MRZ settled in look-alikes (reconcile) keeps its reading from the
    // print (`read`) unless the print shows the settled characters so
    // (settleReconciled).
    if (f.kind == Kind::code && check::comparedVizField(f.name) && !t.typeface.empty() && !field.value.empty() &&
        mrz_fields.is_object())
      if (auto m = mrz_fields.find(f.referenceName()); m != mrz_fields.end() && m->is_string()) {
        settleOwnReading(field, crop, cap_px, normaliseCode(m->get<std::string>()), t.typeface);
        settleReconciled(field, crop, cap_px, t.typeface);
      }
    // A reading Tesseract was not sure of as a whole is read once more from
    // the crop as it is (no background removal): where the two values disagree, the
    // first reading's characters count as at most 0.9 sure, so that id-check
    // reports a difference in them from the MRZ as unreadable print, not a
    // forgery. Confident misreads of blurred print (NOR read DAR at 0.96 per
    // character, 1947 read 1937) seldom survive the second look; a clean
    // glyph, genuine or altered, reads the same both ways. Reconciled values
    // already equal the reference and need no second look, and a field no
    // check compares (remarks, height, place of birth) needs no per-character
    // opinion at all.
    // Nor does a value none of whose characters id-check would take as surely
    // read (a cap to 0.9 changes nothing below check::kStrongCharConfidence).
    const bool some_sure = std::any_of(field.char_confidence.begin(), field.char_confidence.end(),
                                       [](double c) { return c >= check::kStrongCharConfidence; });
    if (field.confidence < kConfirmBelow && !field.value.empty() && field.source == "template" &&
        check::comparedVizField(f.name) && (some_sure || field.char_confidence.empty())) {
      // A second reading that gives no value (nothing read) has no opinion:
      // it refutes nothing. A date's digits count even when they make no
      // calendar date (1937 read 1947 with the day 15 read 35).
      const Field second = readCrop(big, lang, 0, /*flatten=*/false);
      const std::string other = f.kind == Kind::date && second.value.empty() ? dateDigits(second.text, f.date_order)
                                                                              : second.value;
      if (!other.empty())
        field.char_confidence = capUnconfirmed(field.value, field.char_confidence, other, kUnconfirmedCharConfidence);
    }
    // (10c) A name's letters (10b) found surely printed otherwise than the
    // reference spells them (a forged letter: the reference's letter in its
    // place leaves clearly more of its cell's ink unexplained, kSureLetterMargin)
    // are surely read, whoever read them and however the second look read
    // them, as a date's digits are (11); the reference's letter is their
    // runner-up, weighed under id-check's kRunnerUpWeight (no misread).
    // Beside them, a letter the print shows as the reference's as clearly
    // takes the reference's spelling (LetterCheck::respelled: KEETESS, its S
    // a blurred R, is KEETERS; MROB, its B a blurred ß, is MROSS), so that
    // id-check weighs the forged letter alone, not the least sure letter
    // differing (td1-photo-s41-0040 and -0024 passed with a warning).
    if (sure_letters && sure_letters->sure.size() == field.char_confidence.size()) {
      for (std::size_t v = 0; v < field.value.size(); ++v)
        if (sure_letters->sure[v]) markSure(field, v, sure_letters->rival[v]);
      respell(field, sure_letters->respelled, sure_letters->respelled_of);
    }
    // (10d) A compared date whose reading does not print it whole
    // (dateReadWhole: a day, month and year each a word of its own, of the
    // template's lengths) was pieced together by the normaliser from what
    // Tesseract made of the line: a letter for a digit dropped, a missing
    // digit supplied (td1-photo-s41-0032: 19.08.2029 shaken, read
    // `I8.04 2122` with the 2 of 2122 at 0.98, taken as 2122-04-08). None of
    // its digits is surely read on that reading's word (at most
    // kUnconfirmedCharConfidence): id-check reports a difference in them as
    // unreadable print, not a forgery. The typeface's check (11) below may
    // still show its digits surely in the print.
    if (f.kind == Kind::date && check::comparedVizField(f.name) && field.source == "template" &&
        !field.value.empty() && !dateReadWhole(field.text, field.value, f.date_order))
      for (double& c : field.char_confidence) c = std::min(c, kUnconfirmedCharConfidence);
    // (11) A compared date some of whose digits are not surely read (a
    // synthesis reading's, a deconvolved one's, one a second look disagreed
    // with): each digit checked against the other nine in its own place
    // (glyphs::checkDate), under the blur and size fitted to the line. A
    // digit whose rendering explains its cell's ink clearly better than every
    // other digit's (kSureDigitMargin), on a line the date's rendering
    // explains (kGlyphFit), is surely read, whoever read it; the closest
    // other digit is its runner-up. Image evidence only: no other source's
    // value is looked at.
    // So is a date read otherwise than the MRZ's (2076 read surely where the
    // MRZ holds 2026): a digit that differs is surely read only where the
    // check says so too; elsewhere it is at most kUnconfirmedCharConfidence
    // sure (unreadable print to id-check, not a forgery). The MRZ says only
    // which digits to look at and what to weigh them against: a digit that
    // differs is checked against the MRZ's digit alone, as a name's letter is
    // against the reference's (10b), since whether the print shows the MRZ's
    // digit is the question; the print decides (a forged 5 over the MRZ's 4
    // at margin 1.6, where a blurred 6 fitted nearly as well, 0.25:
    // td2-photo-s67-0097, bench/tamper.sh seed 67). A misread differing digit
    // has the MRZ's, the printed one, fit its cell better: margin 0.
    std::string date_reference;
    if (f.kind == Kind::date && mrz_fields.is_object())
      if (auto m = mrz_fields.find(f.referenceName()); m != mrz_fields.end() && m->is_string() &&
                                                        m->get<std::string>().size() == field.value.size())
        date_reference = m->get<std::string>();
    if (f.kind == Kind::date && !t.typeface.empty() && check::comparedVizField(f.name) &&
        field.char_confidence.size() == field.value.size() &&
        (std::ranges::any_of(field.char_confidence, [](double c) { return c < check::kStrongCharConfidence; }) ||
         (!date_reference.empty() && date_reference != field.value))) {
      std::optional<glyphs::Reading> r;
      try {
        r = glyphs::checkDate(crop, cap_px, field.value, f.date_order, t.typeface, date_reference);
      } catch (const Failure&) {  // the typeface's file cannot be opened
      }
      if (r && r->fit >= kGlyphFit && r->char_margin.size() == field.value.size()) {
        if (field.char_alternatives.size() != field.value.size()) field.char_alternatives.assign(field.value.size(), {});
        // A digit that differs from the reference's must clear the margin
        // a name's letter must (sureLetterMargin), or kSureTinyDigitMargin on
        // a sharp capture's smallest capitals (sureDigitMargin): on a small
        // or blurred capture's few pixels a cell a wrong digit fits clearly
        // better than the right one (fra-id-photo-s41-0093: 22 read 11 on
        // 800x600 under a 2 px defocus, the MRZ's 2 the 1's rival).
        const double differing_margin = sureDigitMargin(*r, cap_px, sourceScale());
        for (std::size_t i = 0; i < field.value.size(); ++i) {
          const bool differs = !date_reference.empty() && field.value[i] != date_reference[i];
          if (r->char_margin[i] >= (differs ? differing_margin : kSureDigitMargin)) markSure(field, i, r->char_rival[i]);
        }
        capDoubted(field, doubtedDigits(*r, field.value, date_reference, differing_margin));
      }
    }
    // A reading that accounts for under half of the value's ink (a blurred
    // OYVIND read J, surely), or a value shorter than the field's pattern
    // (a nationality ISL read "A", the A at 0.95: td3-photo-s6161-0090), is
    // a part of the value at most: none of its characters counts as surely
    // read (id-check: unreadable print, a warning, where another source
    // differs). A full-length value keeps its confidences: a forged one
    // stays a mismatch.
    if (check::comparedVizField(f.name) && field.source == "template" && !field.text.empty() &&
        (readShort(field.text) || fragmentOf(field.value, pattern)))
      for (double& c : field.char_confidence) c = std::min(c, kUnconfirmedCharConfidence);
    // Boxes are in the card's own pixels, as the record's image holds it
    // (a levelled line's moved back by the shear at its middle).
    if (shear != 0) line_box.y += static_cast<int>(std::lround(shear * (line_box.x + line_box.width / 2.0)));
    field.box = turned ? cv::Rect(g.cols - line_box.br().x, g.rows - line_box.br().y, line_box.width, line_box.height)
                       : line_box;
    out.fields.push_back(std::move(field));
  }
  return out;
}

namespace {

// Where `chars` (one UTF-8 character each) lie on `line`: the print's ink
// columns (those darker than halfway between the paper and the ink, the
// guilloche's paler lines left out) shared among the characters by their
// advances in `font`. Each character's [left, right) column; empty when the
// line shows no ink.
std::vector<std::pair<int, int>> spreadByAdvances(const cv::Mat& line, double cap_px,
                                                  const std::vector<std::string>& chars, const std::string& font) {
  if (line.empty() || chars.empty()) return {};
  cv::Mat grey;
  if (line.channels() == 3) cv::cvtColor(line, grey, cv::COLOR_BGR2GRAY);
  else grey = line;
  cv::Mat darkest;
  cv::reduce(grey, darkest, 0, cv::REDUCE_MIN);
  darkest.convertTo(darkest, CV_32F);
  double ink = 0, paper = 0;
  cv::minMaxLoc(darkest, &ink, &paper);
  if (paper - ink < 1) return {};
  const double level = (ink + paper) / 2;
  int from = -1, to = -1;
  for (int x = 0; x < darkest.cols; ++x)
    if (darkest.at<float>(0, x) < level) to = x + 1, from = from < 0 ? x : from;
  if (from < 0) return {};
  text::Font& f = text::fontFor(font);
  text::Style style;
  style.cap_height_px = cap_px;
  std::vector<double> pen{0};
  std::string prefix;
  for (const std::string& c : chars) pen.push_back(text::measure(f, prefix += c, style));
  if (!(pen.back() > 0)) return {};
  const double scale = (to - from) / pen.back();
  std::vector<std::pair<int, int>> out;
  for (std::size_t k = 0; k < chars.size(); ++k)
    out.emplace_back(from + static_cast<int>(std::lround(pen[k] * scale)),
                     from + static_cast<int>(std::lround(pen[k + 1] * scale)));
  return out;
}

// The one word of a name of several (words parted by spaces or hyphens)
// that holds every character to try (others[k] not empty), on its own part
// of `line` (spreadByAdvances, half a capital's margin either side): a long
// name's rendering placed whole drifts from the print along the line, and
// explains too little of its ink to weigh one letter (td3-photo-s41-0002,
// ABERNATHY-MOLFESCHLEGEL on a 730 px line: fit 0.79). nullopt for a name of
// one word, or one whose tried characters lie in more than one word.
struct WordPart {
  cv::Mat line;
  std::size_t from = 0, to = 0;  // chars[from, to)
};
std::optional<WordPart> wordToCheck(const cv::Mat& line, double cap_px, const std::vector<std::string>& chars,
                                    const std::vector<std::vector<std::string>>& others, const std::string& font) {
  auto parts = [](const std::string& c) { return c == " " || c == "-"; };
  if (std::ranges::none_of(chars, parts)) return std::nullopt;
  std::optional<WordPart> out;
  for (std::size_t a = 0; a < chars.size();) {
    std::size_t b = a;
    while (b < chars.size() && !parts(chars[b])) ++b;
    for (std::size_t k = a; k < b; ++k)
      if (!others[k].empty()) {
        if (out) return std::nullopt;
        out = WordPart{{}, a, b};
        break;
      }
    a = b + 1;
  }
  if (!out || out->to - out->from == chars.size()) return std::nullopt;
  const std::vector<std::pair<int, int>> at = spreadByAdvances(line, cap_px, chars, font);
  if (at.size() != chars.size()) return std::nullopt;
  const int margin = static_cast<int>(std::lround(cap_px / 2));
  const int x0 = std::max(0, at[out->from].first - margin), x1 = std::min(line.cols, at[out->to - 1].second + margin);
  if (x1 - x0 < 4) return std::nullopt;
  out->line = line.colRange(x0, x1);
  return out;
}

// A word's check (`part`, of chars[from, to)) spread over the whole name:
// nothing known of the other words' characters (margin 0, no rival, taken as
// read). charactersOf below is its inverse.
glyphs::Reading spreadOver(const glyphs::Reading& part, const std::vector<std::string>& chars, std::size_t from,
                           std::size_t to) {
  glyphs::Reading whole = part;
  whole.char_margin.assign(chars.size(), 0);
  whole.char_rival.assign(chars.size(), std::string());
  whole.char_taken = chars;
  for (std::size_t k = from; k < to; ++k) {
    whole.char_margin[k] = part.char_margin[k - from];
    whole.char_rival[k] = part.char_rival[k - from];
    if (k - from < part.char_taken.size()) whole.char_taken[k] = part.char_taken[k - from];
  }
  return whole;
}

// A check's findings on chars[from, to) alone (checkCharacters' per-character
// vectors cut to them), for a weighing on that part of the line.
glyphs::Reading charactersOf(const glyphs::Reading& r, std::size_t from, std::size_t to) {
  glyphs::Reading out = r;
  auto cut = [&](auto& v) {
    const auto a = static_cast<std::ptrdiff_t>(std::min(from, v.size()));
    const auto b = static_cast<std::ptrdiff_t>(std::min(to, v.size()));
    v.assign(v.begin() + a, v.begin() + b);
  };
  cut(out.char_margin);
  cut(out.char_rival);
  cut(out.char_taken);
  return out;
}

// The printed characters `chars` checked in the typeface where `others`
// holds the reference's in their place (glyphs::checkCharacters), on the
// line or, where its rendering explains too little of it, on `words` (the
// part of the line the value's words take, when given): nullopt when
// nothing is tried or neither rendering explains kMarkFit of the ink.
std::optional<glyphs::Reading> checkedAgainst(const cv::Mat& grey_line, double cap_px,
                                              const std::vector<std::string>& chars,
                                              const std::vector<std::vector<std::string>>& others,
                                              const std::string& font, const cv::Mat& words = {}) {
  if (chars.empty()) return std::nullopt;
  std::optional<glyphs::Reading> r = glyphs::checkCharacters(grey_line, cap_px, chars, others, font);
  if ((!r || r->fit < kMarkFit) && !words.empty() && words.cols < grey_line.cols)
    r = glyphs::checkCharacters(words, cap_px, chars, others, font);
  if (!r || r->fit < kMarkFit || r->char_margin.size() != chars.size()) return std::nullopt;
  return r;
}

// From such a check of `chars` (of[v]: the one each character of the value
// comes from): a character is doubted where the reference's fits the ink as
// well or better, or all but as well (kLookAlikeMargin). One flag per
// character of the value (`n`); all false without a check.
std::vector<bool> doubtedWhere(const std::optional<glyphs::Reading>& r, const std::vector<std::string>& chars,
                               const std::vector<std::vector<std::string>>& others,
                               const std::vector<std::size_t>& of, std::size_t n) {
  std::vector<bool> doubted(n, false);
  if (!r || of.size() != n) return doubted;
  for (std::size_t v = 0; v < n; ++v)
    if (const std::size_t k = of[v]; !others[k].empty())
      doubted[v] = r->char_rival[k] == chars[k] || r->char_margin[k] < kLookAlikeMargin;
  return doubted;
}

// Whether the print shows the reference's spelling as well as the reading
// (`as_read`, with others[k] what the reference has in place of
// as_read[k]; where `check`, the per-letter check, found the reference's
// letter fits better, the reading takes it):
// each rendered whole, placed, sized and blurred on its own
// (glyphs::fitString), on the line or, where neither explains enough of
// it, on `words`. A letter lost where
// two touch (SOFIA read SOHA, ERIKA read ERKA, each letter at 0.97 or more)
// moves every letter after it, so that no check of one letter in its place
// can weigh it; the two spellings rendered whole can. Shown where the
// reference's leaves at most kLookAlikeMargin more of the ink unexplained
// than the reading's (a forged name's print leaves its reference's
// spelling clearly worse); nullopt where neither explains kMarkFit of the
// line nor of the words (a reading that lost a letter explains less ink:
// SOHA 0.75 of the words SOFIA explains 0.87 of).
std::optional<bool> referenceShown(const cv::Mat& grey_line, double cap_px, const std::vector<std::string>& as_read,
                                   const std::vector<std::vector<std::string>>& others, const std::string& font,
                                   const cv::Mat& words, const std::optional<glyphs::Reading>& check) {
  // The reading as the per-letter check leaves it: a letter whose cell the
  // reference's letter explains better is the reference's (KEETESS for
  // PEETERS, its S a blurred R: KEETERS), so that such a misread beside a
  // forged letter (the K) does not make the reference's spelling the better
  // fit of the whole line (td1-photo-s41-0040: every letter was doubted).
  // A place so taken is the same in the reference's spellings below.
  std::vector<std::string> chars = as_read;
  if (check && check->char_taken.size() == chars.size())
    for (std::size_t k = 0; k < chars.size(); ++k)
      if (!others[k].empty() && check->char_rival[k] == as_read[k]) chars[k] = check->char_taken[k];
  // The reference's spellings: each differing character replaced by the
  // first or the last thing the reference has there (a marked letter or
  // the pair it spells: ß or SS).
  std::vector<std::vector<std::string>> spellings;
  for (const bool last : {false, true}) {
    std::vector<std::string> s;
    for (std::size_t k = 0; k < chars.size(); ++k)
      if (others[k].empty() || chars[k] != as_read[k]) s.push_back(chars[k]);
      else s.push_back(last ? others[k].back() : others[k].front());
    if (s != chars && std::ranges::find(spellings, s) == spellings.end()) spellings.push_back(std::move(s));
  }
  if (spellings.empty()) return std::nullopt;
  auto on = [&](const cv::Mat& line) -> std::optional<bool> {
    const std::optional<glyphs::Reading> read = glyphs::fitString(line, cap_px, chars, font);
    if (!read) return std::nullopt;
    double best = 0;
    for (const auto& s : spellings)
      if (const std::optional<glyphs::Reading> r = glyphs::fitString(line, cap_px, s, font)) best = std::max(best, r->fit);
    if (std::max(best, read->fit) < kMarkFit) return std::nullopt;
    return 1 - best <= (1 - read->fit) * (1 + kLookAlikeMargin);
  };
  std::optional<bool> shown = on(grey_line);
  if (!shown && !words.empty() && words.cols < grey_line.cols) shown = on(words);
  return shown;
}

// For checkLetters with no letter sure: the reference's letter in each place
// where the reading differs (`others`), where each is one plain capital the
// per-letter check found clearly better (`clear`) and a second check finds
// clearly best of the 26 capitals in that place (its margin over the next
// best at least the capital size's sureLetterMargin); empty strings
// elsewhere. nullopt where any differing place is not so, or nothing
// differs.
template <class Clear>
std::optional<std::vector<std::string>> referenceLettersShown(const cv::Mat& grey_line, double cap_px,
                                                              const std::vector<std::string>& chars,
                                                              const std::vector<std::vector<std::string>>& others,
                                                              const std::string& font, const cv::Mat& words,
                                                              double source_scale, const Clear& clear) {
  static constexpr std::string_view kCapitals = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::vector<std::string> as_reference = chars;
  std::vector<std::vector<std::string>> alphabet(chars.size());
  bool any = false;
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (others[k].empty()) continue;
    if (!clear(k) || others[k].size() != 1 || others[k][0].size() != 1 ||
        kCapitals.find(others[k][0][0]) == std::string_view::npos)
      return std::nullopt;
    as_reference[k] = others[k][0];
    for (const char c : kCapitals)
      if (c != others[k][0][0]) alphabet[k].emplace_back(1, c);
    any = true;
  }
  if (!any) return std::nullopt;
  const std::optional<glyphs::Reading> best = checkedAgainst(grey_line, cap_px, as_reference, alphabet, font, words);
  if (!best || best->char_taken.size() != chars.size()) return std::nullopt;
  const double margin = sureLetterMargin(*best, cap_px, source_scale);
  std::vector<std::string> shown(chars.size());
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (alphabet[k].empty()) continue;
    if (best->char_taken[k] != as_reference[k] || best->char_margin[k] < margin) return std::nullopt;
    shown[k] = as_reference[k];
  }
  return shown;
}

}  // namespace

LetterCheck checkLetters(const cv::Mat& grey_line, double cap_px, const std::string& text, const std::string& value,
                         const std::string& reference, const std::string& font, const cv::Mat& words,
                         bool line_doubted, double source_scale) {
  std::vector<std::size_t> of;
  std::optional<std::size_t> inserted;
  const auto [chars, others] = letterCandidates(text, value, reference, of, inserted);
  std::optional<glyphs::Reading> r = checkedAgainst(grey_line, cap_px, chars, others, font, words);
  // A long name whose line no rendering explains: the one word holding the
  // letters to try, checked and weighed whole on its own part of the line
  // (wordToCheck), its reading spread over the name's characters (nothing
  // known of the other words').
  std::optional<WordPart> part;
  std::vector<std::string> part_chars;
  std::vector<std::vector<std::string>> part_others;
  std::optional<glyphs::Reading> part_r;
  // The one word holding every differing letter, on the words' ink where
  // that was cut out, else on the line.
  auto findWord = [&] { return wordToCheck(words.empty() ? grey_line : words, cap_px, chars, others, font); };
  if (!r && (part = findWord())) {
    const auto from = static_cast<std::ptrdiff_t>(part->from), to = static_cast<std::ptrdiff_t>(part->to);
    part_chars.assign(chars.begin() + from, chars.begin() + to);
    part_others.assign(others.begin() + from, others.begin() + to);
    if ((part_r = checkedAgainst(part->line, cap_px, part_chars, part_others, font)))
      r = spreadOver(*part_r, chars, part->from, part->to);
  }
  // The reference's spelling weighed against the reading's (referenceShown)
  // on the line, or on the word's part when the word was checked alone.
  auto shownBy = [&](bool with_check) {
    if (part_r)
      return referenceShown(part->line, cap_px, part_chars, part_others, font, {}, with_check ? part_r : std::nullopt);
    return referenceShown(grey_line, cap_px, chars, others, font, words, with_check ? r : std::nullopt);
  };
  // The same weighing (with the check) on the one word that holds every
  // differing letter (wordToCheck), on a line of more than one word: a
  // letter's ink is little of a long line's, so that the reference's
  // spelling rendered whole may explain the line all but as well as the
  // reading's where its letter leaves the read letter's cell clearly worse
  // explained (td1-photo-s79-0024: ASSKNÇÃO FERREIRA printed for ASSUNCAO,
  // its K sure at a margin of 1.2, the line's two fits within
  // kLookAlikeMargin, the first word's not). nullopt where no one word holds
  // them or neither spelling explains the word.
  auto wordShown = [&]() -> std::optional<bool> {
    if (part_r || !r || r->char_taken.size() != chars.size()) return std::nullopt;
    const std::optional<WordPart> word = findWord();
    if (!word) return std::nullopt;
    const auto from = static_cast<std::ptrdiff_t>(word->from), to = static_cast<std::ptrdiff_t>(word->to);
    return referenceShown(word->line, cap_px, {chars.begin() + from, chars.begin() + to},
                          {others.begin() + from, others.begin() + to}, font, {},
                          charactersOf(*r, word->from, word->to));
  };
  LetterCheck out{doubtedWhere(r, chars, others, of, value.size()), std::vector<bool>(value.size(), false),
                  std::vector<std::string>(value.size()), {}, {}};
  std::vector<bool>& doubted = out.doubted;
  if (inserted && line_doubted)
    for (std::size_t v = 0; v < of.size() && v < doubted.size(); ++v)
      if (of[v] == *inserted) doubted[v] = true;
  // Sure: a letter kept as read whose cell the reference's letter explains
  // clearly worse, in a name that aligns with the reference letter for letter.
  // A rival of two letters (a pair the reference spells where the print shows
  // one: a marked letter, or a name the print cuts short, MASTI read where the
  // reference has MASTERSON, I against ON) says nothing of a changed letter.
  const double sure_margin = r ? sureLetterMargin(*r, cap_px, source_scale) : 0;
  auto sure = [&](std::size_t v) {
    const std::size_t k = of[v];
    if (!r || inserted || of.size() != value.size() || others[k].empty() || doubted[v]) return false;
    const std::string& rival = r->char_rival[k];
    return rival != chars[k] && !rival.empty() && utf8::charLength(rival, 0) == rival.size() &&
           r->char_margin[k] >= sure_margin;
  };
  // The reference's letter fits the cell of chars[k] clearly better, as
  // surely as a sure letter's own (a misread beside a forged letter).
  auto reference_clear = [&](std::size_t k) {
    return r && !others[k].empty() && r->char_rival[k] == chars[k] && r->char_margin[k] >= sure_margin;
  };
  // A letter read for nothing the reference has is left to the line's doubt
  // above (a letter added to a sharp print is another name). Where the
  // reference's spelling explains the line as well, a letter that would be
  // sure is doubted only if it does so against the reading with the letters
  // the reference's fit better taken as the reference's too (a misread
  // beside a forged letter: referenceShown's `check`), and on the word
  // holding the differing letters too where one word does (wordShown), and
  // only where every differing letter is so sure or so clearly the
  // reference's (genuine td1-photo-s5353-0056: NGUYEN read REUNEN, its N for
  // Y would be sure).
  if (!inserted)
    if (const std::optional<bool> shown = shownBy(false); shown && *shown) {
      bool clear = true;
      for (std::size_t v = 0; v < of.size() && v < doubted.size(); ++v)
        if (!others[of[v]].empty()) clear = clear && (sure(v) || reference_clear(of[v]));
      std::optional<bool> beside;
      std::vector<bool> doubt(doubted.size(), false);
      for (std::size_t v = 0; v < of.size() && v < doubted.size(); ++v)
        if (!others[of[v]].empty()) {
          doubt[v] = true;
          if (clear && sure(v)) {
            if (!beside) {
              beside = shownBy(true).value_or(true);
              if (*beside)
                if (const std::optional<bool> w = wordShown()) beside = *w;
            }
            doubt[v] = *beside;
          }
        }
      for (std::size_t v = 0; v < doubt.size(); ++v) doubted[v] = doubted[v] || doubt[v];
    }
  for (std::size_t v = 0; v < value.size() && v < of.size(); ++v)
    if (sure(v)) {
      out.sure[v] = true;
      out.rival[v] = r->char_rival[of[v]];
    }
  // Beside a sure letter, the letters the print shows as the reference's as
  // clearly (the other that fits its cell better by sure_margin) take the
  // reference's spelling.
  if (!r || r->char_taken.size() != chars.size()) return out;
  std::vector<std::string> shown(chars.size());
  bool any = false;
  if (std::ranges::find(out.sure, true) == out.sure.end()) {
    // With no letter sure, the reference's spelling only where the print
    // shows every differing letter as the reference's (LetterCheck::settled).
    if (inserted || of.size() != value.size()) return out;
    const std::optional<std::vector<std::string>> settled =
        referenceLettersShown(grey_line, cap_px, chars, others, font, words, source_scale, reference_clear);
    if (!settled) return out;
    shown = *settled;
    out.settled = true;
  } else {
    for (std::size_t k = 0; k < chars.size(); ++k)
      if (reference_clear(k)) shown[k] = normaliseName(r->char_taken[k]), any = any || !shown[k].empty();
    if (!any) return out;
  }
  for (std::size_t v = 0; v < value.size(); ++v)
    if (const std::size_t k = of[v]; shown[k].empty()) {
      out.respelled += value[v];
      out.respelled_of.push_back(static_cast<std::ptrdiff_t>(v));
    } else if (v == 0 || of[v - 1] != k) {
      out.respelled += shown[k];
      out.respelled_of.insert(out.respelled_of.end(), shown[k].size(), -1);
    }
  return out;
}

std::vector<bool> doubtedLetters(const cv::Mat& grey_line, double cap_px, const std::string& text,
                                 const std::string& value, const std::string& reference, const std::string& font,
                                 const cv::Mat& words, bool line_doubted) {
  return checkLetters(grey_line, cap_px, text, value, reference, font, words, line_doubted, 0).doubted;
}

std::vector<bool> doubtedDigits(const glyphs::Reading& check, const std::string& value, const std::string& reference,
                                double sure_margin) {
  std::vector<bool> doubted(value.size(), false);
  if (reference.size() != value.size() || check.char_margin.size() != value.size()) return doubted;
  for (std::size_t i = 0; i < value.size(); ++i)
    doubted[i] = value[i] != reference[i] && check.char_margin[i] < std::max(kSureDigitMargin, sure_margin);
  return doubted;
}

CodeCheck checkCodeCharacters(const cv::Mat& grey_line, double cap_px, const std::string& value,
                              const std::string& reference, const std::string& font) {
  CodeCheck out{std::vector<bool>(value.size(), false), false};
  if (value.size() != reference.size() || value == reference) return out;
  std::vector<std::string> chars;
  std::vector<std::vector<std::string>> others(value.size());
  std::vector<std::size_t> of;
  for (std::size_t i = 0; i < value.size(); ++i) {
    chars.emplace_back(1, value[i]);
    of.push_back(i);
    if (value[i] != reference[i]) others[i] = {std::string(1, reference[i])};
  }
  const std::optional<glyphs::Reading> r = checkedAgainst(grey_line, cap_px, chars, others, font);
  out.doubted = doubtedWhere(r, chars, others, of, value.size());
  // The reference's characters shown clearly, each where it differs (the
  // margin (8) asks of a look-alike it changes), by a rendering that
  // explains the line (checkedAgainst: as the doubt itself asks).
  out.shows_reference = r.has_value();
  for (std::size_t i = 0; i < value.size() && out.shows_reference; ++i)
    if (!others[i].empty()) out.shows_reference = r->char_rival[i] == chars[i] && r->char_margin[i] >= kLookAlikeMargin;
  return out;
}

namespace {
// checkCodeCharacters, nothing doubted nor shown where the typeface's file
// cannot be opened (the value then stays as read).
CodeCheck checkCodeCharactersOrNone(const cv::Mat& crop, double cap_px, const std::string& value,
                                    const std::string& reference, const std::string& font) {
  try {
    return checkCodeCharacters(crop, cap_px, value, reference, font);
  } catch (const Failure&) {
    return {};
  }
}
}  // namespace

// ocr.hpp: a value Tesseract read alone; `text` keeps its reading.
void settleOwnReading(Field& field, const cv::Mat& crop, double cap_px, const std::string& ref,
                      const std::string& font) {
  if (field.source != "template" || field.text != field.value ||
      field.char_confidence.size() != field.value.size())
    return;
  const CodeCheck c = checkCodeCharactersOrNone(crop, cap_px, field.value, ref, font);
  if (!c.shows_reference) {
    capDoubted(field, c.doubted);
    return;
  }
  for (std::size_t i = 0; i < ref.size(); ++i)
    if (ref[i] != field.value[i]) {
      field.char_confidence[i] = std::min(field.char_confidence[i], kUnconfirmedCharConfidence);
      if (i < field.char_alternatives.size()) field.char_alternatives[i] = {};
    }
  field.value = field.read = ref;
}

// ocr.hpp: a value the reference settled in look-alikes.
void settleReconciled(Field& field, const cv::Mat& crop, double cap_px, const std::string& font) {
  if (field.source != "template+mrz" || field.read.empty() || field.read == field.value) return;
  if (checkCodeCharactersOrNone(crop, cap_px, field.read, field.value, font).shows_reference) field.read = field.value;
}

}  // namespace idkit::ocr
