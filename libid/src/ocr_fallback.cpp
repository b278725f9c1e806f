// Reading without a template: whole-card OCR, fields found after their
// printed labels and by the values the MRZ holds; anchors for template choice.
#include <idkit/ocr.hpp>

#include <algorithm>

namespace idkit::ocr {

namespace {

struct TextLine {
  std::string text;  // words joined by single spaces
  cv::Rect box;
  double confidence = 0;
  std::vector<const Engine::Word*> words;
};

std::vector<TextLine> lines(const std::vector<Engine::Word>& words) {
  std::vector<TextLine> out;
  for (const Engine::Word& w : words) {
    if (out.size() <= static_cast<size_t>(w.line)) out.resize(static_cast<size_t>(w.line) + 1);
    TextLine& l = out[static_cast<size_t>(w.line)];
    l.text += (l.text.empty() ? "" : " ") + w.text;
    l.box = l.words.empty() ? w.box : (l.box | w.box);
    l.words.push_back(&w);
  }
  for (TextLine& l : out) {
    double c = 0;
    for (const auto* w : l.words) c += w->confidence;
    l.confidence = l.words.empty() ? 0 : c / static_cast<double>(l.words.size());
  }
  std::erase_if(out, [](const TextLine& l) { return l.words.empty(); });
  return out;
}

Kind kindOf(const std::string& field) {
  if (field.ends_with("_date")) return Kind::date;
  if (field == "sex") return Kind::sex;
  if (field == "surname" || field == "given_names" || field == "name") return Kind::name;
  if (field == "document_number" || field == "nik" || field == "personal_number") return Kind::code;
  return Kind::text;
}

// `needle` occurs in `text` as whole words: "NAME" is not in "GIVEN NAMES".
bool containsWords(const std::string& text, const std::string& needle) {
  if (needle.empty()) return false;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    const std::size_t end = pos + needle.size();
    const bool starts = pos == 0 || text[pos - 1] == ' ';
    const bool ends = end == text.size() || text[end] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

std::string str(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result readWithoutTemplate(Engine& engine, const cv::Mat& flat_bgr, const Labels& labels, const Json& mrz_fields) {
  const auto words = engine.readPage(flat_bgr, "eng");
  const auto text_lines = lines(words);
  Result out;
  auto have = [&](const std::string& name) { return out.find(name) != nullptr; };

  // 1. Labels: the value follows on the same line, or is the line just below.
  // Line texts and labels normalised once, not per field, line and label.
  std::vector<std::string> line_norms;
  for (const TextLine& t : text_lines) line_norms.push_back(normaliseName(t.text));
  for (const auto& [field, names] : labels) {
    if (have(field)) continue;
    std::vector<std::string> label_norms;
    for (const std::string& n : names) label_norms.push_back(normaliseName(n));
    for (std::size_t i = 0; i < text_lines.size() && !have(field); ++i) {
      const std::string& upper = line_norms[i];
      for (const std::string& l : label_norms) {
        if (!containsWords(upper, l)) continue;
        // Words after the label's words on the same line, else the next line below.
        const std::size_t label_words = static_cast<std::size_t>(std::count(l.begin(), l.end(), ' ')) + 1;
        std::string rest;
        std::size_t seen = 0;
        for (const auto* w : text_lines[i].words) {
          const std::string nw = normaliseName(w->text);
          if (seen < label_words && !nw.empty() && l.find(nw) != std::string::npos) {
            ++seen;
            continue;
          }
          if (seen >= label_words) rest += (rest.empty() ? "" : " ") + w->text;
        }
        const TextLine* value_line = nullptr;
        std::string value_text = rest;
        cv::Rect box = text_lines[i].box;
        // Bilingual labels ("Document No. / N° du document"): what follows a
        // slash is the label's other language, the value is on the line below.
        const std::size_t first = rest.find_first_not_of(": ");
        const std::string rest_norm = normaliseName(rest);
        const bool other_language =
            (first != std::string::npos && rest[first] == '/') ||
            (!rest_norm.empty() && std::any_of(label_norms.begin(), label_norms.end(), [&](const std::string& n) {
               return containsWords(n, rest_norm);
             }));
        if (other_language || normaliseText(rest).size() < 1 || (rest.find_first_not_of(":/ ") == std::string::npos)) {
          for (std::size_t k = i + 1; k < text_lines.size(); ++k) {
            const TextLine& below = text_lines[k];
            if (below.box.y > text_lines[i].box.br().y + text_lines[i].box.height * 3) break;
            if (below.box.y >= text_lines[i].box.y + text_lines[i].box.height / 2 &&
                std::abs(below.box.x - text_lines[i].box.x) < text_lines[i].box.height * 3) {
              value_line = &below;
              break;
            }
          }
          if (!value_line) continue;
          value_text = value_line->text;
          box = value_line->box;
        }
        Field f;
        f.name = field;
        f.text = normaliseText(value_text.substr(std::min(value_text.size(), value_text.find_first_not_of(":/ "))));
        f.value = normalise(kindOf(field), f.text);
        if (f.value.empty()) continue;
        f.source = "label";
        f.read = f.value;
        if (kindOf(field) == Kind::code && reconcile(f.value, normaliseCode(str(mrz_fields, field))))
          f.source = "label+mrz";
        f.confidence = value_line ? value_line->confidence : text_lines[i].confidence;
        f.box = box;
        out.fields.push_back(std::move(f));
        break;
      }
    }
  }

  // 2. MRZ values printed anywhere: names and numbers as words, dates in any
  // format. A printed line equal to the MRZ value outweighs a value read after
  // a label that disagrees with it (a misread, or the wrong line below the
  // label); a printed value that was changed is found nowhere and stays.
  auto agrees = [&](const std::string& name, const std::string& want) {
    const Field* f = out.find(name);
    return f != nullptr && f->value == want;
  };
  auto put = [&](Field f) {
    std::erase_if(out.fields, [&](const Field& g) { return g.name == f.name; });
    out.fields.push_back(std::move(f));
  };
  if (mrz_fields.is_object()) {
    for (const char* field : {"surname", "given_names", "document_number"}) {
      const std::string want = std::string(field) == "document_number" ? normaliseCode(str(mrz_fields, field))
                                                                      : normaliseName(str(mrz_fields, field));
      if (want.empty() || agrees(field, want)) continue;
      for (const TextLine& l : text_lines) {
        const std::string norm = kindOf(field) == Kind::code ? normaliseCode(l.text) : normaliseName(l.text);
        if (norm.find(want) == std::string::npos || norm.find("<") != std::string::npos) continue;
        if (l.text.find("<<") != std::string::npos) continue;  // the MRZ itself
        put({field, want, want, l.confidence, l.box, "mrz", {}, {}, {}});
        break;
      }
    }
    for (const char* field : {"birth_date", "expiry_date"}) {
      const std::string want = str(mrz_fields, field);
      if (want.empty() || agrees(field, want)) continue;
      for (const TextLine& l : text_lines)
        for (const std::string order : {"DMY", "MDY"}) {
          if (agrees(field, want) || normaliseDate(l.text, order) != want) continue;
          put({field, normaliseText(l.text), want, l.confidence, l.box, "mrz", {}, {}, {}});
        }
    }
  }
  return out;
}

double anchorScore(Engine& engine, const cv::Mat& flat_bgr, const Template& t) {
  if (t.anchors.empty()) return 0;
  const double sx = flat_bgr.cols / t.size_mm.width, sy = flat_bgr.rows / t.size_mm.height;
  int hits = 0;
  for (const auto& a : t.anchors) {
    cv::Rect r(static_cast<int>(a.region_mm.x * sx), static_cast<int>(a.region_mm.y * sy),
               static_cast<int>(a.region_mm.width * sx), static_cast<int>(a.region_mm.height * sy));
    r &= cv::Rect(0, 0, flat_bgr.cols, flat_bgr.rows);
    if (r.area() < 16) continue;
    const auto line = engine.readLine(flat_bgr(r), t.lang, "", static_cast<int>(sx * 25.4));
    const std::string got = normaliseName(line.text), want = normaliseName(a.text);
    if (!want.empty() && got.find(want) != std::string::npos) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(t.anchors.size());
}

const Template* selectByAnchors(Engine& engine, const cv::Mat& flat_bgr, const std::vector<Template>& templates) {
  if (flat_bgr.empty()) return nullptr;
  const double aspect = static_cast<double>(flat_bgr.cols) / flat_bgr.rows;
  const Template* best = nullptr;
  double best_score = 0.49;
  for (const Template& t : templates) {
    if (t.anchors.empty() || std::abs(t.size_mm.width / t.size_mm.height / aspect - 1) > 0.06) continue;
    const double s = anchorScore(engine, flat_bgr, t);
    if (s > best_score) best_score = s, best = &t;
  }
  return best;
}

}  // namespace idkit::ocr
