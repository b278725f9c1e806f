// Layout templates: loading, validation and selection for a record.
#include <idkit/ocr.hpp>

#include <idkit/check.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace idkit::ocr {

namespace {

constexpr std::size_t kMaxPatternBytes = 1000;
// A field's vocabulary is read by rendering each value: a few dozen short
// codes, not a dictionary.
constexpr std::size_t kMaxValues = 64;
constexpr std::size_t kMaxValueBytes = 32;

Expected<cv::Rect2d> rectOf(const Json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 4 || !std::all_of(j.begin(), j.end(), [](const Json& v) { return v.is_number(); }))
    return std::unexpected(Error{"template_invalid", where + ": a region is [x, y, width, height] in mm"});
  cv::Rect2d r(j[0].get<double>(), j[1].get<double>(), j[2].get<double>(), j[3].get<double>());
  if (r.width <= 0 || r.height <= 0 || r.x < -5 || r.y < -5 || r.x + r.width > 200 || r.y + r.height > 200)
    return std::unexpected(Error{"template_invalid", where + ": region out of range"});
  return r;
}

std::vector<std::string> strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const Json& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string str(const Json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Expected<Template> Template::fromJson(const Json& j, std::string id) {
  if (!j.is_object()) return std::unexpected(Error{"template_invalid", id + ": not a JSON object"});
  Template t;
  t.id = std::move(id);
  t.description = str(j, "description");
  t.kind = str(j, "kind");
  if (t.kind != "ID1" && t.kind != "ID2" && t.kind != "ID3")
    return std::unexpected(Error{"template_invalid", t.id + ": kind must be ID1, ID2 or ID3"});
  auto size = j.find("size_mm");
  if (size == j.end() || !size->is_array() || size->size() != 2 || !(*size)[0].is_number() || !(*size)[1].is_number())
    return std::unexpected(Error{"template_invalid", t.id + ": size_mm must be [width, height]"});
  t.size_mm = {(*size)[0].get<double>(), (*size)[1].get<double>()};
  if (!str(j, "lang").empty()) t.lang = str(j, "lang");
  t.typeface = str(j, "typeface");
  if (auto m = j.find("match"); m != j.end() && m->is_object()) {
    t.mrz_formats = strings(*m, "mrz_format");
    t.issuing_states = strings(*m, "issuing_state");
    t.document_codes = strings(*m, "document_code");
    t.aamva = m->contains("aamva") && (*m)["aamva"].is_boolean() && (*m)["aamva"].get<bool>();
  }
  if (auto a = j.find("anchors"); a != j.end() && a->is_array())
    for (const Json& anchor : *a) {
      auto r = rectOf(anchor.is_object() ? anchor.value("region", Json()) : Json(), t.id + " anchor");
      if (!r) return std::unexpected(r.error());
      t.anchors.push_back({*r, str(anchor, "text")});
    }
  auto fields = j.find("fields");
  if (fields == j.end() || !fields->is_array() || fields->empty())
    return std::unexpected(Error{"template_invalid", t.id + ": fields must be a non-empty list"});
  for (const Json& f : *fields) {
    FieldSpec s;
    s.name = str(f, "name");
    if (s.name.empty()) return std::unexpected(Error{"template_invalid", t.id + ": a field has no name"});
    const std::string where = t.id + " field " + s.name;
    auto r = rectOf(f.value("region", Json()), where);
    if (!r) return std::unexpected(r.error());
    s.region_mm = *r;
    auto kind = parseKind(f.contains("kind") ? str(f, "kind") : "text");
    if (!kind) return std::unexpected(Error{"template_invalid", where + ": kind must be name, date, code, sex or text"});
    s.kind = *kind;
    if (f.contains("date_order")) s.date_order = str(f, "date_order");
    if (s.date_order != "DMY" && s.date_order != "MDY" && s.date_order != "YMD")
      return std::unexpected(Error{"template_invalid", where + ": date_order must be DMY, MDY or YMD"});
    s.whitelist = str(f, "whitelist");
    s.lang = str(f, "lang");
    s.pattern = str(f, "pattern");
    s.strip = str(f, "strip");
    for (const std::string* re : {&s.pattern, &s.strip}) {
      // std::regex compiles by recursion: a pattern of thousands of open
      // groups would exhaust the stack. A field's pattern is a line or two.
      if (re->size() > kMaxPatternBytes)
        return std::unexpected(Error{"template_invalid", where + ": regular expression longer than " +
                                                             std::to_string(kMaxPatternBytes) + " bytes"});
      if (!re->empty()) try {
          std::regex test(*re);
        } catch (const std::regex_error&) {
          return std::unexpected(Error{"template_invalid", where + ": bad regular expression '" + *re + "'"});
        }
    }
    if (auto c = f.find("cap_mm"); c != f.end() && c->is_number()) s.cap_mm = c->get<double>();
    if (auto c = f.find("single_char"); c != f.end() && c->is_boolean()) s.single_char = c->get<bool>();
    // A closed vocabulary ("values") and the words every value prints
    // ("words"): short strings, a few dozen at most.
    for (auto [key, list] : {std::pair{"values", &s.values}, std::pair{"words", &s.words}}) {
      auto v = f.find(key);
      if (v == f.end() || !v->is_array()) continue;
      if (v->size() > kMaxValues)
        return std::unexpected(Error{"template_invalid", where + ": more than " + std::to_string(kMaxValues) + " " + key});
      for (const Json& one : *v) {
        if (!one.is_string() || one.get<std::string>().empty() || one.get<std::string>().size() > kMaxValueBytes)
          return std::unexpected(Error{"template_invalid", where + ": each of " + key + " must be a string of 1-" +
                                                               std::to_string(kMaxValueBytes) + " bytes"});
        list->push_back(one.get<std::string>());
      }
    }
    s.reference = str(f, "reference");
    t.fields.push_back(std::move(s));
  }
  return t;
}

Expected<std::vector<Template>> loadTemplates(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return std::unexpected(Error{"templates_unreadable", "no template folder " + dir.string()});
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json" && e.path().filename() != "labels.json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Template> out;
  for (const fs::path& f : files) {
    Json j = parseJson(readFile(f));
    if (j.is_discarded()) return std::unexpected(Error{"template_invalid", f.string() + ": not valid JSON"});
    auto t = Template::fromJson(j, f.stem().string());
    if (!t) return std::unexpected(Error{"template_invalid", f.string() + ": " + t.error().message});
    out.push_back(std::move(*t));
  }
  if (out.empty()) return std::unexpected(Error{"templates_unreadable", "no template in " + dir.string()});
  return out;
}

bool licenceBack(const Json& record) {
  const auto b = record.is_object() ? record.find("barcodes") : record.end();
  return b != record.end() && b->is_array() &&
         std::ranges::any_of(*b, [](const Json& code) { return code.is_object() && code.contains("aamva"); });
}

const Template* select(const std::vector<Template>& templates, const Json& record, std::string_view forced,
                       const Json* partner) {
  if (!forced.empty()) {
    for (const Template& t : templates)
      if (t.id == forced) return &t;
    return nullptr;
  }
  const Json mrz = record.contains("mrz") && record["mrz"].is_object() ? record["mrz"] : Json::object();
  const std::string format = str(mrz, "format");
  const Json fields = mrz.contains("fields") && mrz["fields"].is_object() ? mrz["fields"] : Json::object();
  const std::string state = str(fields, "issuing_state"), code = str(fields, "document_code");
  const Template* best = nullptr;
  int best_score = -1;
  if (!format.empty())
    for (const Template& t : templates) {
      if (std::find(t.mrz_formats.begin(), t.mrz_formats.end(), format) == t.mrz_formats.end()) continue;
      auto has = [](const std::vector<std::string>& list, const std::string& v) {
        return std::find(list.begin(), list.end(), v) != list.end();
      };
      if (!t.issuing_states.empty() && !has(t.issuing_states, state)) continue;
      if (!t.document_codes.empty() && !has(t.document_codes, code)) continue;
      const int score = !t.issuing_states.empty() * 2 + !t.document_codes.empty();
      if (score > best_score) best = &t, best_score = score;
    }
  if (best) return best;
  // An AAMVA payload on this side or, with --pair, on the other (a
  // licence's PDF417 is printed on its back) names the licence layout.
  if (licenceBack(record) || (partner && licenceBack(*partner)))
    for (const Template& t : templates)
      if (t.aamva) return &t;
  return nullptr;
}

namespace {

// The reference fields of a record's own barcodes: an idkit QR card's
// payload, else a driving licence's AAMVA fields (names only when the
// payload does not flag them truncated); an empty object without either.
// Their dates of birth and expiry (ISO) as an MRZ's are: a hypothesis for a
// date no reading gave, and the digits a printed date is weighed against.
Json barcodeReference(const Json& record) {
  const auto b = record.find("barcodes");
  if (b == record.end() || !b->is_array()) return Json::object();
  static const std::regex kIso(R"(\d{4}-\d{2}-\d{2})");
  auto putDates = [](Json& ref, const std::string& birth, const std::string& expiry) {
    if (std::regex_match(birth, kIso)) ref["birth_date"] = birth;
    if (std::regex_match(expiry, kIso)) ref["expiry_date"] = expiry;
  };
  for (const Json& code : *b)
    if (const std::string text = str(code, "text"); !text.empty())
      if (auto p = check::parseIdkitPayload(text)) {
        Json ref = {{"document_number", p->document_number}, {"personal_number", p->personal_number},
                    {"surname", p->surname},               {"given_names", p->given_names}};
        putDates(ref, p->birth_date, p->expiry_date);
        return ref;
      }
  for (const Json& code : *b) {
    if (!code.is_object()) continue;
    const auto a = code.find("aamva");
    if (a == code.end() || !a->is_object() || !a->contains("fields") || !(*a)["fields"].is_object()) continue;
    const Json& f = (*a)["fields"];
    Json ref = Json::object();
    if (const std::string number = str(f, "document_number"); !number.empty()) ref["document_number"] = number;
    putDates(ref, str(f, "birth_date"), str(f, "expiry_date"));
    auto truncated = [&](const char* flag) { return f.contains(flag) && f[flag].is_boolean() && f[flag].get<bool>(); };
    if (!truncated("surname_truncated") && !str(f, "surname").empty()) ref["surname"] = str(f, "surname");
    if (!truncated("first_name_truncated") && !truncated("middle_names_truncated") && !str(f, "given_names").empty())
      ref["given_names"] = str(f, "given_names");
    if (!ref.empty()) return ref;
  }
  return Json::object();
}

}  // namespace

Json referenceFields(const Json& record, const Json* partner) {
  if (!record.is_object()) return Json::object();
  if (auto m = record.find("mrz"); m != record.end() && m->is_object())
    if (auto f = m->find("fields"); f != m->end() && f->is_object() && !f->empty()) return *f;
  if (Json own = barcodeReference(record); !own.empty()) return own;
  if (partner && partner->is_object()) return barcodeReference(*partner);
  return Json::object();
}

std::string referenceName(const Json& reference, std::string_view field) {
  if (!reference.is_object()) return {};
  const std::string surname = normaliseName(str(reference, "surname"));
  const std::string given = normaliseName(str(reference, "given_names"));
  if (field == "surname") return surname;
  if (field == "given_names") return given;
  if (field == "name") return given.empty() ? surname : surname + " " + given;
  return {};
}

const Field* Result::find(std::string_view name) const {
  for (const Field& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Json Field::toJson() const {
  Json j{{"text", text}, {"value", value}};
  if (!read.empty() && read != value) j["read"] = read;
  j["confidence"] = std::round(confidence * 1000) / 1000;
  if (!char_confidence.empty()) {
    Json c = Json::array();
    for (double v : char_confidence) c.push_back(std::round(v * 100) / 100);
    j["char_confidence"] = std::move(c);
  }
  // [character, probability] or null per character of the value; only when
  // one differs from the value's character (a reference may have settled it since).
  if (char_alternatives.size() == value.size()) {
    Json a = Json::array();
    bool any = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const Alternative& alt = char_alternatives[i];
      if (alt.text.empty() || alt.text[0] == value[i]) {
        a.push_back(nullptr);
        continue;
      }
      a.push_back(Json::array({alt.text, std::round(alt.confidence * 100) / 100}));
      any = true;
    }
    if (any) j["char_alternatives"] = std::move(a);
  }
  j["box"] = {box.x, box.y, box.width, box.height};
  if (source != "template") j["source"] = source;
  return j;
}

Json Result::toJson() const {
  Json j;
  j["template"] = template_id.empty() ? Json(nullptr) : Json(template_id);
  if (!registration.is_null()) j["registration"] = registration;
  j["fields"] = Json::object();
  for (const Field& f : fields) j["fields"][f.name] = f.toJson();
  return j;
}

Expected<Labels> loadLabels(const fs::path& file) {
  Json j = parseJson(readFile(file));
  if (j.is_discarded() || !j.is_object())
    return std::unexpected(Error{"labels_invalid", file.string() + ": not a JSON object"});
  Labels out;
  for (const auto& [k, v] : j.items())
    if (v.is_array())
      for (const Json& s : v)
        if (s.is_string()) out[k].push_back(s.get<std::string>());
  return out;
}

}  // namespace idkit::ocr
