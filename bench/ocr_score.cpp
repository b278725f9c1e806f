// Scores id-ocr records against id-synth ground truth: reads NDJSON records
// (with the "truth" path id-synth adds) on stdin, normalises each printed
// truth value with the template field's own rules and counts exact values,
// per layout and field with scans and photos apart, then photos per capture
// condition (blur, glare, resolution of the card in the photo); the last
// line is the total. Each document is scored on the fields of its own
// layout's template (id-synth's type; "dl" is the us-dl layout), whichever
// template id-ocr chose.
//
// A field is scored by what id-ocr read from the print alone: its "read"
// value when id-ocr gave it the MRZ's spelling of look-alike characters or
// lost diacritics (the value id-check compares), else its "value". The
// printed zone must be read independently of the MRZ, or a tampered print
// would be "read" as the MRZ says; the reconciled score is the line after.
//
// OCR_SCORE_VERBOSE=1 lists every wrong field on stderr (input, got, want)
// and then the documents with the most wrong fields, with their conditions.
//   bench-ocr-score TEMPLATE_DIR < records.ndjson
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include <idkit/ocr.hpp>

namespace {

struct Count {
  int exact = 0, total = 0;
  void add(bool ok) { exact += ok, ++total; }
};

std::string cell(const Count& c) {
  return c.total ? fmt::format("{:>4}/{:<4} {:5.1f}%", c.exact, c.total, 100.0 * c.exact / c.total)
                 : std::string(17, ' ');
}

// A photo's capture conditions from id-synth's truth, as bucket names.
struct Conditions {
  std::string blur, glare, resolution;
  std::string describe() const { return blur + " " + glare + " " + resolution; }
};

Conditions conditionsOf(const idkit::Json& truth) {
  Conditions c;
  const idkit::Json capture = truth.value("capture", idkit::Json::object());
  const double dpi = truth.contains("card") ? truth["card"].value("dpi", 0.0) : 0.0;
  const idkit::Json blur = capture.value("blur", idkit::Json::object());
  const std::string kind = blur.value("kind", "none");
  // The blur's size on the card in millimetres (a capital is 1.5-2.5 mm high).
  double mm = 0;
  if (dpi > 0 && kind == "defocus") mm = blur.value("sigma_px", 0.0) * 25.4 / dpi;
  if (dpi > 0 && kind == "motion") mm = blur.value("length_px", 0.0) / 2 * 25.4 / dpi;
  c.blur = kind == "none" ? "sharp" : fmt::format("{}{}", kind, mm < 0.1 ? "<0.1mm" : mm < 0.2 ? "0.1-0.2mm" : ">=0.2mm");
  double glare = 0;
  if (capture.contains("glare") && capture["glare"].is_array())
    for (const auto& g : capture["glare"]) glare = std::max(glare, g.value("strength", 0.0));
  c.glare = glare == 0 ? "no-glare" : glare < 0.6 ? "glare<0.6" : "glare>=0.6";
  c.resolution = dpi < 200 ? "dpi<200" : dpi < 300 ? "dpi200-300" : dpi < 450 ? "dpi300-450" : "dpi>=450";
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench-ocr-score TEMPLATE_DIR < records.ndjson\n";
    return 64;
  }
  auto templates = idkit::ocr::loadTemplates(argv[1]);
  if (!templates) {
    std::cerr << templates.error().message << "\n";
    return 64;
  }
  const bool verbose = std::getenv("OCR_SCORE_VERBOSE") != nullptr;
  // Per layout.field and capture (scan, photo).
  std::map<std::string, std::map<std::string, Count>> per_field;
  std::map<std::string, Count> per_condition;  // photos only
  struct Doc {
    int wrong = 0, total = 0;
    std::string input, conditions, tmpl;
  };
  std::vector<Doc> docs_wrong;
  int docs = 0, no_template = 0;
  Count all, reconciled;
  for (std::string line; std::getline(std::cin, line);) {
    auto rec = idkit::Json::parse(line, nullptr, false);
    if (rec.is_discarded() || !rec.contains("truth")) continue;
    std::ifstream in(rec["truth"].get<std::string>());
    std::stringstream s;
    s << in.rdbuf();
    auto truth = idkit::Json::parse(s.str(), nullptr, false);
    if (truth.is_discarded() || !truth.contains("viz")) continue;  // driving licence backs
    ++docs;
    const auto* ocr = rec.contains("ocr") ? &rec["ocr"] : nullptr;
    const idkit::ocr::Template* chosen = nullptr;
    if (ocr && (*ocr)["template"].is_string())
      chosen = idkit::ocr::select(*templates, {}, (*ocr)["template"].get<std::string>());
    // The fields counted are those the document's own layout template reads,
    // whichever template id-ocr chose: a wrong choice loses every field its
    // template does not share with the right one (and those it reads from
    // the wrong place), rather than being scored on the shared ones alone.
    const std::string type = truth.contains("document") ? truth["document"].value("type", "") : "";
    const idkit::ocr::Template* t = idkit::ocr::select(*templates, {}, type == "dl" ? "us-dl" : type);
    if (!t) t = chosen;
    const std::string input = rec.value("input", "");
    const bool photo = input.find("-photo-") != std::string::npos;
    const Conditions cond = conditionsOf(truth);
    Doc doc{0, 0, input, photo ? cond.describe() : "scan", chosen ? chosen->id : "-"};
    for (const auto& [name, printed] : truth["viz"].items()) {
      const idkit::ocr::FieldSpec* spec = nullptr;
      if (t)
        for (const auto& f : t->fields)
          if (f.name == name) spec = &f;
      if (t && !spec) continue;  // not a field the layout template reads
      const std::string want = idkit::ocr::normalise(spec ? spec->kind : idkit::ocr::Kind::text,
                                                     printed.get<std::string>(), spec ? spec->date_order : "DMY");
      std::string got, value;
      if (ocr && (*ocr)["fields"].contains(name)) {
        const auto& f = (*ocr)["fields"][name];
        value = f.value("value", "");
        got = f.value("read", value);
      }
      const bool ok = !want.empty() && got == want;
      per_field[std::string(truth["document"]["type"].get<std::string>()) + "." + name][photo ? "photo" : "scan"].add(ok);
      all.add(ok);
      reconciled.add(!want.empty() && value == want);
      if (photo) {
        per_condition[cond.blur].add(ok);
        per_condition[cond.glare].add(ok);
        per_condition[cond.resolution].add(ok);
      }
      ++doc.total, doc.wrong += !ok;
      if (!ok && verbose) std::cerr << input << " " << name << ": got '" << got << "' want '" << want << "'\n";
    }
    if (!chosen) ++no_template;
    if (doc.wrong) docs_wrong.push_back(std::move(doc));
  }
  fmt::print("{:<28} {:<17}  {:<17}  {}\n", "layout.field", "scans", "photos", "all");
  for (const auto& [k, by_capture] : per_field) {
    Count scan, photo;
    if (auto it = by_capture.find("scan"); it != by_capture.end()) scan = it->second;
    if (auto it = by_capture.find("photo"); it != by_capture.end()) photo = it->second;
    fmt::print("{:<28} {}  {}  {}\n", k, cell(scan), cell(photo), cell({scan.exact + photo.exact, scan.total + photo.total}));
  }
  fmt::print("\nphotos by capture condition (blur on the card in mm; strongest glare spot; card resolution in the photo)\n");
  for (const auto& [k, c] : per_condition) fmt::print("  {:<22} {}\n", k, cell(c));
  if (verbose) {
    std::stable_sort(docs_wrong.begin(), docs_wrong.end(), [](const Doc& a, const Doc& b) { return a.wrong > b.wrong; });
    std::cerr << "\ndocuments by wrong fields:\n";
    for (const Doc& d : docs_wrong)
      std::cerr << fmt::format("{:>3}/{:<3} {:<8} {}  {}\n", d.wrong, d.total, d.tmpl, d.input, d.conditions);
  }
  fmt::print("VIZ fields with the MRZ's spelling of look-alikes and diacritics (what id-check compares): {}/{} = {:.2f}%\n",
             reconciled.exact, reconciled.total, 100.0 * reconciled.exact / std::max(1, reconciled.total));
  fmt::print("documents {} (without template {}), VIZ fields exact {}/{} = {:.2f}%\n", docs, no_template, all.exact,
             all.total, 100.0 * all.exact / std::max(1, all.total));
}
