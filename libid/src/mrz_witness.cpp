// A second, independent reader for a zone the OCR-B classifier could not
// make valid: Tesseract's LSTM reads each line of the band the classifier
// found. It settles the cells two views of the classifier disagreed on (no
// check digit covers them), and it reads a zone printed in a font other than
// OCR-B, which the classifier, trained on OCR-B alone, reads as garbage.
// Either way its reading is taken only when every check verifies and
// Tesseract was sure of the characters it decides; each cell it changes is
// listed in `corrections` with why "witness".

#include "mrz_witness.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "idkit/ocr.hpp"
#include "mrz_layout.hpp"

namespace idkit::mrz::detail {

namespace {

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
// Each line is drawn at this many pixels per character (capitals ~26 px
// high, where Tesseract's LSTM reads best) with this much of the line pitch
// above and below it.
constexpr double kPixelsPerChar = 28;
constexpr double kLineReach = 0.3;
// A witness character decides a cell only at this confidence (0..1) or more.
constexpr double kSure = 0.85;

struct WitnessLine {
  std::string text;                // A-Z0-9<, spaces dropped
  std::vector<double> confidence;  // per character of text
  std::vector<int> cell;           // per character of text: the cell its box centres on (-1: none)
};

// The band's lines read by Tesseract, in the classifier's reading order.
std::vector<WitnessLine> readLines(const cv::Mat& image, const std::array<cv::Point2f, 4>& quad, std::size_t count,
                                   std::size_t chars) {
  std::vector<WitnessLine> out;
  if (image.empty() || count == 0 || chars == 0) return out;
  const double width = chars * kPixelsPerChar;
  const double top = cv::norm(quad[1] - quad[0]), side = cv::norm(quad[3] - quad[0]);
  if (!(top > 0) || !(side > 0)) return out;
  const double height = side * width / top;
  const double pitch = height / static_cast<double>(count);
  const int margin = static_cast<int>(std::ceil(kPixelsPerChar));
  const std::array<cv::Point2f, 4> target = {
      cv::Point2f(static_cast<float>(margin), static_cast<float>(margin)),
      cv::Point2f(static_cast<float>(margin + width), static_cast<float>(margin)),
      cv::Point2f(static_cast<float>(margin + width), static_cast<float>(margin + height)),
      cv::Point2f(static_cast<float>(margin), static_cast<float>(margin + height))};
  const cv::Mat h = cv::getPerspectiveTransform(quad.data(), target.data());
  cv::Mat band;
  cv::warpPerspective(image, band, h,
                      cv::Size(static_cast<int>(width) + 2 * margin, static_cast<int>(height) + 2 * margin),
                      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  ocr::Engine& engine = ocr::threadEngine();
  for (std::size_t i = 0; i < count; ++i) {
    const int y0 = std::max(0, static_cast<int>(margin + pitch * (static_cast<double>(i) - kLineReach)));
    const int y1 = std::min(band.rows, static_cast<int>(margin + pitch * (static_cast<double>(i) + 1 + kLineReach)));
    if (y1 - y0 < 8) return {};
    const ocr::Engine::Line line = engine.readLine(band(cv::Range(y0, y1), cv::Range::all()), "eng", kAlphabet);
    WitnessLine w;
    for (const auto& s : line.symbols) {
      const int cell = s.box.empty() ? -1
                                     : static_cast<int>(std::floor((s.box.x + s.box.width / 2.0 - margin) / kPixelsPerChar));
      for (char c : s.text)
        if (c != ' ') w.text.push_back(c), w.confidence.push_back(s.confidence), w.cell.push_back(cell);
    }
    out.push_back(std::move(w));
  }
  return out;
}

// A check digit (or the composite): not a rule on the content
// (contentRule), nor the lines' alignment.
bool digitCheck(const std::string& check) { return !contentRule(check) && check != "lines_aligned"; }

// A check digit fails, not only a rule on the content.
bool digitFails(const Result& r) {
  return std::any_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return !c.second && digitCheck(c.first); });
}

// The check digits (and composite) a reading verifies.
int digitsVerified(const Result& r) {
  return static_cast<int>(
      std::count_if(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.second && digitCheck(c.first); }));
}

// A witness line counted to `want` characters at its trailing fillers (the
// LSTM slips in the count of a long run of them); nullopt when it does not fit.
std::optional<std::string> fitted(std::string text, std::size_t want) {
  while (text.size() > want && text.back() == '<') text.pop_back();
  if (text.size() < want) text.append(want - text.size(), '<');
  if (text.size() != want) return std::nullopt;
  return text;
}

bool onlyIllegible(const Result& r) {
  return std::all_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.second || c.first == "legible"; });
}

// The witness's character in each cell of a line, placed by where its box
// lies (an inserted or dropped character does not shift the others), the
// surer one where two fall in a cell; '\0' where it read none.
struct Cells {
  std::string ch;
  std::vector<double> confidence;
};
Cells placed(const WitnessLine& w, std::size_t chars) {
  Cells out{std::string(chars, '\0'), std::vector<double>(chars, 0.0)};
  for (std::size_t i = 0; i < w.text.size(); ++i) {
    if (w.cell[i] < 0 || w.cell[i] >= static_cast<int>(chars)) continue;
    const auto c = static_cast<std::size_t>(w.cell[i]);
    if (!out.ch[c] || w.confidence[i] > out.confidence[c]) out.ch[c] = w.text[i], out.confidence[c] = w.confidence[i];
  }
  return out;
}

// The uncertain cells settled by the witness: each read by it surely as the
// classifier's letter or its rival, on lines where it reads every other
// character the classifier read (fillers aside) alike and surely. A second
// doubt the classifier did not see (TOMAS read FTMAS, the witness unsure
// there) settles nothing. The listed letters are not the only doubts that
// keep a zone from being legible: correct()'s trust rule (a check digit
// vouching for a field read too faintly) and padding rule list no cell. So
// the zone is judged again by correct(), from the classifier's candidates
// (`cands`) with each settled cell read as the witness read it; it is valid
// only when that reading is the settled zone and valid (held-out
// td1-photo-s137-0082, glare over line 2's end: `<<<<<<<<999` and composite
// 5 for eleven fillers and 6, the 9s read at 0.13-0.30; a name letter
// settled on line 3 made it valid, wrong; held-out mrva-photo-s151-0000, its
// birth date 000903 corrected to 000520 through cells read at 0.03-0.05).
std::optional<Result> settleUncertain(const Result& r, std::span<const LineCandidates> cands,
                                      const std::vector<WitnessLine>& w, const ParseOptions& parse) {
  if (cands.size() != r.lines.size()) return std::nullopt;
  for (std::size_t li = 0; li < cands.size(); ++li)
    if (cands[li].size() != r.lines[li].size()) return std::nullopt;
  std::vector<std::string> lines = r.lines;
  std::vector<Cells> seen(lines.size());
  for (std::size_t li = 0; li < lines.size(); ++li) {
    if (std::none_of(r.uncertain.begin(), r.uncertain.end(), [&](const Correction& u) { return u.line == static_cast<int>(li) + 1; }))
      continue;
    seen[li] = placed(w[li], lines[li].size());
    for (std::size_t c = 0; c < lines[li].size(); ++c) {
      const bool doubtful = std::any_of(r.uncertain.begin(), r.uncertain.end(), [&](const Correction& u) {
        return u.line == static_cast<int>(li) + 1 && u.pos == static_cast<int>(c) + 1;
      });
      // Tesseract takes the filler for K, C, S or E, surely; the classifier
      // reads it in any font (readOtherFont): not counted either way.
      if (doubtful || lines[li][c] == '<') continue;
      if (seen[li].ch[c] != lines[li][c] || seen[li].confidence[c] < kSure) return std::nullopt;
    }
  }
  std::vector<Correction> swaps;
  std::vector<LineCandidates> pinned(cands.begin(), cands.end());
  for (const Correction& u : r.uncertain) {
    const auto li = static_cast<std::size_t>(u.line - 1), ci = static_cast<std::size_t>(u.pos - 1);
    const char c = seen[li].ch[ci];
    if (!c || seen[li].confidence[ci] < kSure || (c != u.from && c != u.to)) return std::nullopt;
    pinned[li][ci] = {{c, 1.0f}};
    if (c != u.from) {
      lines[li][ci] = c;
      swaps.push_back({u.line, u.pos, u.from, c, "witness"});
    }
  }
  ParseOptions p = parse;
  p.format = r.format;
  // correct()'s valid reading is the settled zone parsed; it keeps the
  // confidence and the corrections of the reading the witness settled (the
  // pinned cells read at 1.0 say nothing of how surely the classifier read
  // them), with the witness's own changes.
  auto settled = correct(pinned, p);
  if (!settled || !settled->valid || settled->lines != lines) return std::nullopt;
  settled->confidence = r.confidence;
  settled->field_confidence = r.field_confidence;
  settled->corrections = r.corrections;
  settled->corrections.insert(settled->corrections.end(), swaps.begin(), swaps.end());
  sortByPosition(settled->corrections);
  return std::move(*settled);
}

// The witness's own reading as it read it (a line's trailing fillers counted
// to the format's length), when it was sure of every character that is not a
// filler, reads otherwise than the classifier, verifies at least as many
// check digits as the classifier's reading (which the correction may have
// bent to verify some with garbage) and is surer on the whole: a font the
// classifier does not know. Not valid when a check still fails (a specimen
// whose composite was computed wrong). Each cell it reads otherwise than the
// classifier is a correction. Its check digits must verify a field it read:
// a line it read a few characters of is counted out with fillers, and a zone
// of fillers verifies every check (absent fields) and was valid (seed 7's
// fra-id-photo-0042, its blur undone too far in a trial: the witness read `IDL`
// and fillers, a TD3 with no number, names or dates, valid).
std::optional<Result> readOtherFont(const Result& r, const std::vector<WitnessLine>& w, const ParseOptions& parse) {
  std::vector<std::string> lines;
  double least = 1.0, sum = 0;
  std::size_t n = 0;
  for (std::size_t li = 0; li < w.size(); ++li) {
    std::string text = w[li].text;
    for (std::size_t c = 0; c < text.size(); ++c) {
      if (text[c] == '<') continue;
      least = std::min(least, w[li].confidence[c]);
      sum += w[li].confidence[c], ++n;
    }
    const std::size_t want = r.lines[li].size();
    auto fit = fitted(std::move(text), want);
    if (!fit) return std::nullopt;
    text = std::move(*fit);
    // The classifier's filler is the one glyph it reads in any font (a plain
    // chevron), and the one Tesseract takes for K, C, L or E: a cell the
    // classifier read '<' stays one.
    for (std::size_t c = 0; c < want; ++c)
      if (r.lines[li][c] == '<' && text[c] != '<') return std::nullopt;
    lines.push_back(std::move(text));
  }
  if (n == 0 || least < kSure) return std::nullopt;
  // Tesseract reads by no cell's type: a surely read 0 in a name (an MRV-B's
  // JOAO read JOA0, its check digits verifying what it read of the dates) is
  // no name letter. The classifier's character stands in such a cell.
  auto typed = typedAsCells(r.format, std::move(lines), r.lines);
  if (!typed) return std::nullopt;
  lines = std::move(*typed);
  ParseOptions p = parse;
  p.format = r.format;
  auto read = mrz::parse(lines, p);
  if (!read || read->lines == r.lines || !verifiesAField(read->format, read->lines) ||
      digitsVerified(*read) < digitsVerified(r) ||
      sum / static_cast<double>(n) <= r.confidence)
    return std::nullopt;
  for (std::size_t li = 0; li < lines.size(); ++li)
    for (std::size_t c = 0; c < lines[li].size(); ++c)
      if (r.lines[li][c] != lines[li][c])
        read->corrections.push_back({static_cast<int>(li) + 1, static_cast<int>(c) + 1, r.lines[li][c], lines[li][c], "witness"});
  read->confidence = sum / static_cast<double>(n);
  for (const auto& [field, conf] : r.field_confidence) read->field_confidence[field] = least;
  return std::move(*read);
}

}  // namespace

std::optional<std::vector<std::string>> typedAsCells(Format format, std::vector<std::string> lines,
                                                     std::span<const std::string> classifier) {
  const auto kinds = positionKinds(format);
  if (kinds.size() != lines.size() || classifier.size() != lines.size()) return std::nullopt;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    if (kinds[li].size() != lines[li].size() || classifier[li].size() != lines[li].size()) return std::nullopt;
    for (std::size_t c = 0; c < lines[li].size(); ++c) {
      if (allowed(kinds[li][c], lines[li][c])) continue;
      if (!allowed(kinds[li][c], classifier[li][c])) return std::nullopt;
      lines[li][c] = classifier[li][c];
    }
  }
  return lines;
}

bool witness(Result& r, std::span<const LineCandidates> cands, const cv::Mat& image, const std::array<cv::Point2f, 4>& quad,
             const ParseOptions& parse) {
  if (r.valid || r.lines.empty()) return false;
  const bool uncertainOnly = !r.uncertain.empty() && onlyIllegible(r);
  if (!uncertainOnly && !digitFails(r)) return false;
  const std::vector<WitnessLine> w = readLines(image, quad, r.lines.size(), r.lines[0].size());
  if (w.size() != r.lines.size()) return false;
  std::optional<Result> better = uncertainOnly ? settleUncertain(r, cands, w, parse) : readOtherFont(r, w, parse);
  if (!better) return false;
  r = std::move(*better);
  return true;
}

}  // namespace idkit::mrz::detail
