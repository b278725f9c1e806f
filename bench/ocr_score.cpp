// Scores id-ocr records against id-synth ground truth: reads NDJSON records
// (with the "truth" path id-synth adds) on stdin, normalises each printed
// truth value with the template field's own rules and counts exact values,
// per layout and field with scans and photos apart; the last line is the total.
// OCR_SCORE_VERBOSE=1 lists every wrong field on stderr (input, got, want).
//   bench-ocr-score TEMPLATE_DIR < records.ndjson
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include <idkit/ocr.hpp>

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
  // Per layout.field and capture (scan, photo): exact, total.
  struct Count {
    int exact = 0, total = 0;
  };
  std::map<std::string, std::map<std::string, Count>> per_field;
  int docs = 0, no_template = 0, total = 0, exact = 0;
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
    const idkit::ocr::Template* t = nullptr;
    if (ocr && (*ocr)["template"].is_string()) t = idkit::ocr::select(*templates, {}, (*ocr)["template"].get<std::string>());
    for (const auto& [name, printed] : truth["viz"].items()) {
      const idkit::ocr::FieldSpec* spec = nullptr;
      if (t)
        for (const auto& f : t->fields)
          if (f.name == name) spec = &f;
      if (t && !spec) continue;  // not a field the layout template reads
      const std::string want = idkit::ocr::normalise(spec ? spec->kind : idkit::ocr::Kind::text,
                                                     printed.get<std::string>(), spec ? spec->date_order : "DMY");
      std::string got;
      if (ocr && (*ocr)["fields"].contains(name)) got = (*ocr)["fields"][name].value("value", "");
      const bool ok = !want.empty() && got == want;
      const std::string input = rec.value("input", "");
      const std::string capture = input.find("-photo-") != std::string::npos ? "photo" : "scan";
      Count& c = per_field[std::string(truth["document"]["type"].get<std::string>()) + "." + name][capture];
      ++c.total, ++total;
      c.exact += ok, exact += ok;
      if (!ok && std::getenv("OCR_SCORE_VERBOSE"))
        std::cerr << rec["input"].get<std::string>() << " " << name << ": got '" << got << "' want '" << want << "'\n";
    }
    if (!t) ++no_template;
  }
  // The breakdown: which layout's field is wrong how often, scans and photos apart.
  auto cell = [](const Count& c) {
    return c.total ? fmt::format("{:>3}/{:<3} {:5.1f}%", c.exact, c.total, 100.0 * c.exact / c.total) : std::string(15, ' ');
  };
  fmt::print("{:<28} {:<15}  {:<15}  {}\n", "layout.field", "scans", "photos", "all");
  for (const auto& [k, by_capture] : per_field) {
    Count all, scan, photo;
    if (auto it = by_capture.find("scan"); it != by_capture.end()) scan = it->second;
    if (auto it = by_capture.find("photo"); it != by_capture.end()) photo = it->second;
    all = {scan.exact + photo.exact, scan.total + photo.total};
    fmt::print("{:<28} {}  {}  {}\n", k, cell(scan), cell(photo), cell(all));
  }
  fmt::print("documents {} (without template {}), VIZ fields exact {}/{} = {:.2f}%\n", docs, no_template, exact, total,
             100.0 * exact / std::max(1, total));
}
