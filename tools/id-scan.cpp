// id-scan: open inputs safely, measure image quality, start records.
#include <idkit/cli.hpp>
#include <idkit/quality.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Open identity-document images safely, measure their quality and start records"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  bool strict = false;
  app.add_flag("--strict", strict, "Reject (exit 1) images that are not usable");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  idkit::cli::Tool tool{"id-scan", [&](idkit::Json& rec) {
    // Quality is measured at 1000 px: a reduced JPEG decode is enough.
    auto img = idkit::loadRecordImage(rec, opts.limits, idkit::quality::kAnalysisSide);
    std::string kind;
    if (auto d = rec.find("document"); d != rec.end() && d->is_object() && rec.contains("image"))
      kind = d->value("kind", std::string());
    auto q = idkit::quality::measure(img.bgr, img.size, img.header.channels, kind);
    idkit::Json j = q.toJson();
    j["format"] = std::string(idkit::toString(img.header.format));
    j["bytes"] = img.bytes;
    rec["quality"] = std::move(j);
    return strict && !q.usable ? idkit::Status::rejected : idkit::Status::ok;
  }};
  return idkit::cli::run(tool, opts);
}
