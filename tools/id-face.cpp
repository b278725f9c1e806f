// id-face: is the person in the selfie the person on the document?
#include <cstdio>
#include <filesystem>

#include <idkit/cli.hpp>
#include <idkit/face.hpp>

namespace fs = std::filesystem;
namespace face = idkit::face;

int main(int argc, char** argv) {
  CLI::App app{"Find the portrait on identity documents and the face in selfies, and compare them"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  std::string selfie, tmpl, crop_dir;
  double threshold = face::kDefaultThreshold;
  app.add_option("--selfie", selfie, "The selfie to compare every document with");
  app.add_option("--selfie-template", tmpl,
                 "Selfie path per document, from its input path: '{dir}/{stem}.selfie.jpg'");
  auto* threshold_opt = app.add_option("--threshold", threshold,
                                       "Cosine similarity at which faces match (default: the detector's calibrated "
                                       "threshold, 0.92)")
                            ->check(CLI::Range(-1.0, 1.0));
  app.add_option("--crop-dir", crop_dir, "Write the portrait and selfie face crops here (must exist)");
  auto* compare = app.add_subcommand("compare", "Compare the faces in two images: id-face compare A B");
  compare->fallthrough();
  std::string first, second;
  compare->add_option("document", first, "Document (or any) image")->required();
  compare->add_option("selfie", second, "Selfie (or any) image")->required();
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;
  if (*compare) {
    opts.inputs = {first};
    opts.files_from.clear();
    selfie = second;
  }
  std::error_code ec;
  if (!crop_dir.empty() && !fs::is_directory(crop_dir, ec)) {
    std::fprintf(stderr, "id-face: --crop-dir %s: not a directory\n", crop_dir.c_str());
    return idkit::cli::kExitUsage;
  }

  auto models = face::Models::locate();
  if (!models) {
    std::fprintf(stderr, "id-face: %s: %s\n", models.error().code.c_str(), models.error().message.c_str());
    return idkit::cli::kExitInternal;
  }
  if (threshold_opt->count() == 0) threshold = face::defaultThreshold((*models)->detector_kind);

  // The document and the selfie are handled on two threads per pair, each
  // with networks from this pool (built once, reused across documents).
  face::EnginePool pool(*models);
  idkit::cli::Tool tool{"id-face", [&](idkit::Json& rec) {
    const std::string selfie_path = face::selfiePath(rec, selfie, tmpl);
    if (selfie_path.empty())
      throw idkit::Failure("no_selfie", "no selfie for this document (--selfie, --selfie-template or a \"selfie\" key)");
    auto loadDocument = [&] {
      // compare: two plain images, no document to look for.
      return face::documentImage(rec, opts.limits, !*compare);
    };
    auto loadSelfie = [&] {
      auto self = idkit::loadImage(selfie_path, opts.limits, face::kSelfieDecodeSide, idkit::Hash::no);
      if (!self)
        throw idkit::Failure("selfie_" + self.error().code, "selfie " + selfie_path + ": " + self.error().message);
      return self->bgr;
    };
    auto m = face::verifyPair(pool, loadDocument, loadSelfie, {}, threshold);
    idkit::Json j = m.toJson();
    j["selfie"]["path"] = selfie_path;
    if (!crop_dir.empty()) {
      auto [portrait, selfie_face] = face::writeCrops(m, crop_dir, idkit::inputStem(rec));
      j["document"]["crop"] = portrait;
      j["selfie"]["crop"] = selfie_face;
    }
    rec["face"] = std::move(j);
    return m.match ? idkit::Status::ok : idkit::Status::rejected;
  }};
  return idkit::cli::run(tool, opts);
}
