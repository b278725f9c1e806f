// id-ocr: read the printed fields (visual inspection zone) through layout templates.
#include <fmt/format.h>

#include <idkit/check.hpp>
#include <idkit/cli.hpp>
#include <idkit/deskew.hpp>
#include <idkit/ocr.hpp>
#include <idkit/paths.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Read the printed fields of identity documents with Tesseract through layout templates"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  std::string forced, templates_dir;
  bool no_fallback = false;
  app.add_option("--template", forced, "Use this template (file stem in the template folder, e.g. td3)");
  app.add_option("--templates", templates_dir, "Template folder (default: share/idkit/templates)");
  app.add_flag("--no-fallback", no_fallback, "Fail documents no template applies to instead of reading labels");
  idkit::cli::addPair(app, opts);
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  if (templates_dir.empty())
    if (auto found = idkit::findData("templates")) templates_dir = found->string();
  auto templates = idkit::ocr::loadTemplates(templates_dir);
  if (!templates) {
    fmt::print(stderr, "id-ocr: {}\n", templates.error().message);
    return idkit::cli::kExitUsage;
  }
  const auto pairs = idkit::check::Pairs::load(opts.pair_file);
  if (!pairs) {
    fmt::print(stderr, "id-ocr: {}\n", pairs.error().message);
    return idkit::cli::kExitUsage;
  }
  if (!forced.empty() && !idkit::ocr::select(*templates, idkit::Json::object(), forced)) {
    fmt::print(stderr, "id-ocr: no template '{}' in {}\n", forced, templates_dir);
    return idkit::cli::kExitUsage;
  }
  idkit::ocr::Labels labels;
  if (auto l = idkit::ocr::loadLabels(std::filesystem::path(templates_dir) / "labels.json")) labels = std::move(*l);

  idkit::cli::Tool tool{"id-ocr", [&](idkit::Json& rec) {
    // A licence's back holds its PDF417, not the printed fields: it is
    // named, not read through the front's layout.
    if (forced.empty() && idkit::ocr::licenceBack(rec)) {
      rec["ocr"] = {{"template", nullptr}, {"side", "back"}, {"fields", idkit::Json::object()}};
      return idkit::Status::ok;
    }
    auto img = idkit::loadRecordImage(rec, opts.limits);
    cv::Mat card = img.bgr;
    if (!rec.contains("image")) {  // not flattened by id-deskew yet: do it here
      auto docs = idkit::deskew::detect(img.bgr);
      if (docs.empty()) throw idkit::Failure("document_not_found", "no document found to read (run id-deskew first)");
      card = idkit::deskew::flatten(img.bgr, docs.front(), 300);
    }
    auto& engine = idkit::ocr::threadEngine();
    const idkit::ocr::Template* t = forced.empty() ? idkit::ocr::choose(engine, card, *templates, rec, pairs->partnerOf(rec))
                                                   : idkit::ocr::select(*templates, rec, forced);
    if (!t && no_fallback) throw idkit::Failure("template_not_found", "no layout template applies to this document");
    // The MRZ's or a barcode's values (this side's or, with --pair, the
    // other's) settle look-alike characters and lost diacritics.
    const idkit::Json mrz_fields = idkit::ocr::referenceFields(rec, pairs->partnerOf(rec));
    const std::optional<idkit::ocr::Source> source = t ? idkit::ocr::sourceOf(rec, card.size()) : std::nullopt;
    const idkit::ocr::Result r = t ? idkit::ocr::read(engine, card, *t, mrz_fields, source ? &*source : nullptr)
                                   : idkit::ocr::readWithoutTemplate(engine, card, labels, mrz_fields);
    rec["ocr"] = r.toJson();
    return idkit::Status::ok;
  }};
  return idkit::cli::run(tool, opts);
}
