// Scores id-ocr records against id-synth ground truth: reads NDJSON records
// (with the "truth" path id-synth adds) on stdin, normalises each printed
// truth value with the template field's own rules and counts exact values.
//   bench-ocr-score TEMPLATE_DIR < records.ndjson
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
  std::map<std::string, std::pair<int, int>> per_field;  // exact, total
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
      auto& [e, n] = per_field[std::string(truth["document"]["type"].get<std::string>()) + "." + name];
      ++n, ++total;
      e += ok, exact += ok;
      if (!ok && std::getenv("OCR_SCORE_VERBOSE"))
        std::cerr << rec["input"].get<std::string>() << " " << name << ": got '" << got << "' want '" << want << "'\n";
    }
    if (!t) ++no_template;
  }
  for (const auto& [k, v] : per_field) fmt::print("{:<28} {:>4}/{:<4} {:.1f}%\n", k, v.first, v.second, 100.0 * v.first / std::max(1, v.second));
  fmt::print("documents {} (without template {}), VIZ fields exact {}/{} = {:.2f}%\n", docs, no_template, exact, total,
             100.0 * exact / std::max(1, total));
}
