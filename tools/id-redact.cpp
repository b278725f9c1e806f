// id-redact: copies of document images with the MRZ, barcodes, portrait and
// chosen printed fields covered, for sharing.
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include <idkit/cli.hpp>
#include <idkit/codec.hpp>
#include <idkit/deskew.hpp>
#include <idkit/image.hpp>
#include <idkit/redact.hpp>

namespace fs = std::filesystem;
using idkit::Json;

namespace {

// The pixel size of the flat card from its header, without reading or
// decoding the whole file (id-deskew writes PNG: the size is in its first
// bytes, and there is no EXIF orientation to apply).
cv::Size headerSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> head(64 * 1024);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  auto h = idkit::readImageHeader(head);
  if (!h) throw idkit::Failure(h.error().code, path + ": " + h.error().message);
  return {h->width, h->height};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write copies of identity-document images with the MRZ, barcodes, portrait and chosen fields covered"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  std::string out_dir, style = "box", target = "image";
  std::vector<std::string> regions{"mrz", "barcodes", "portrait"}, fields;
  bool allow_missing = false;
  app.add_option("--out-dir", out_dir, "Folder for the redacted copies (must exist)")->required();
  app.add_option("--regions", regions, "What to cover: mrz, barcodes, portrait, none (default: all three)")
      ->delimiter(',')
      ->check(CLI::IsMember({"mrz", "barcodes", "portrait", "none"}));
  app.add_option("--fields", fields, "Printed fields read by id-ocr to cover too (names, or all)")->delimiter(',');
  app.add_option("--style", style, "box (filled black) or mosaic")->check(CLI::IsMember({"box", "mosaic"}))
      ->capture_default_str();
  app.add_option("--target", target, "Redact the working image (flat card) or the input photo")
      ->check(CLI::IsMember({"image", "input"}))
      ->capture_default_str();
  app.add_flag("--allow-missing", allow_missing,
               "Write the copy even when the record does not say where a requested region is");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;
  std::error_code ec;
  if (!fs::is_directory(out_dir, ec)) {
    std::fprintf(stderr, "id-redact: --out-dir %s: not a directory\n", out_dir.c_str());
    return idkit::cli::kExitUsage;
  }
  const std::set<std::string> want(regions.begin(), regions.end());
  idkit::redact::Request req;
  req.mrz = want.contains("mrz");
  req.barcodes = want.contains("barcodes");
  req.portrait = want.contains("portrait");
  req.fields = fields;
  req.target = target == "input" ? idkit::redact::Frame::input : idkit::redact::Frame::image;
  const auto drawStyle = style == "mosaic" ? idkit::redact::Style::mosaic : idkit::redact::Style::box;

  idkit::cli::Tool tool{"id-redact", [&](Json& rec) {
    const std::string working = idkit::workingImagePath(rec);
    const std::string path = req.target == idkit::redact::Frame::input ? rec.value("input", std::string()) : working;
    if (path.empty()) throw idkit::Failure("missing_input", "the record names no image");
    auto img = idkit::loadImage(path, opts.limits, 0, idkit::Hash::no);
    if (!img) throw idkit::Failure(img.error());
    cv::Size imageSize = path == working ? img->size : headerSize(working);
    auto plan = idkit::redact::plan(rec, req, imageSize);
    Json out;
    out["target"] = target;
    out["style"] = style;
    if (!plan.unknown.empty()) {
      out["unknown"] = plan.unknown;
      if (!allow_missing) {
        rec["redact"] = out;
        std::string what;
        for (const auto& u : plan.unknown) what += (what.empty() ? "" : ", ") + u;
        throw idkit::Failure("region_unknown",
                             fmt::format("the record does not say where to find: {} (run the tool that finds it "
                                         "first, or pass --allow-missing); no copy written",
                                         what));
      }
    }
    idkit::redact::apply(img->bgr, plan.regions, drawStyle);
    const fs::path file = idkit::deskew::reserveOutputPath(out_dir, idkit::inputStem(rec), "redacted", ".png");
    const auto png = idkit::codec::encodePng(img->bgr, {});
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    if (!f) throw idkit::Failure("write_failed", "cannot write " + file.string());
    out["image"] = file.string();
    Json rs = Json::array();
    for (const auto& r : plan.regions) rs.push_back(r.toJson());
    out["regions"] = rs;
    rec["redact"] = out;
    return idkit::Status::ok;
  }};
  return idkit::cli::run(tool, opts);
}
