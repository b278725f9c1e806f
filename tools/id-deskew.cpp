// id-deskew: find the document in a photo or scan, write it flat and upright.
#include <filesystem>
#include <fstream>
#include <vector>

#include <idkit/codec.hpp>
#include <idkit/cli.hpp>
#include <idkit/deskew.hpp>
#include <idkit/image.hpp>

namespace fs = std::filesystem;

namespace {

// Writes `img` as PNG to a new file in `dir` named after the input; returns its path.
std::string writeCard(const cv::Mat& img, const fs::path& dir, const std::string& stem, int png_level) {
  const std::vector<std::uint8_t> png = idkit::codec::encodePng(img, {.level = png_level});
  const fs::path out = idkit::deskew::reserveOutputPath(dir, stem);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!f) throw idkit::Failure("write_failed", "cannot write " + out.string());
  return out.string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Find identity documents in photos and scans and write them flat and upright"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  idkit::deskew::Options dopts;
  std::string out_dir = ".", kind;
  int png_level = 1;
  app.add_option("--out-dir", out_dir, "Folder for the flat card images (must exist)")->capture_default_str();
  app.add_option("--dpi", dopts.dpi, "Resolution of the flat card (ID1 at 300 dpi: 1011x638)")
      ->check(CLI::Range(50.0, 1200.0))
      ->capture_default_str();
  app.add_option("--png-level", png_level,
                 "zlib level of the card PNG: 1 = compact (default), 0 = stored, twice the size but ~8x faster "
                 "for every later tool to read")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  app.add_flag("--multi", dopts.multi, "Find every document in each image (a scan of several cards)");
  app.add_option("--kind", kind, "Force the size class")->check(CLI::IsMember({"ID1", "ID2", "ID3"}));
  app.add_flag("--no-orient", [&](std::int64_t) { dopts.orient = false; }, "Keep the document as it lies (landscape)");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;
  if (!kind.empty()) dopts.kind = idkit::deskew::parseKind(kind);
  std::error_code ec;
  if (!fs::is_directory(out_dir, ec)) {
    std::fprintf(stderr, "id-deskew: --out-dir %s: not a directory\n", out_dir.c_str());
    return idkit::cli::kExitUsage;
  }

  idkit::cli::Tool tool{"id-deskew", [&](idkit::Json& rec) {
    // Always the original input: deskewing a deskewed card would crop it again.
    idkit::Json src = rec;
    src.erase("image");
    // A reduced JPEG decode (long side >= deskew::kDecodeSide) to find and
    // orient the document on; the full decode only when the card needs its
    // pixels at --dpi (bench/README.md, id-deskew).
    const idkit::LoadedImage img =
        idkit::loadRecordImage(src, opts.limits, idkit::deskew::kDecodeSide, idkit::KeepBytes::yes);
    if (!rec.contains("sha256") && src.contains("sha256")) rec["sha256"] = src["sha256"];
    const double scale = static_cast<double>(img.bgr.cols) / img.size.width;
    // The region is decoded from the bytes that were checked and hashed, not
    // from a second read of a file that may have changed since.
    const auto region = [&](const cv::Rect& roi) { return idkit::deskew::decodeRegion(img.encoded, roi, opts.limits); };
    const auto flats = idkit::deskew::deskewDecoded(img.bgr, scale, region, dopts);
    if (flats.empty())
      throw idkit::Failure("document_not_found", "no document found in " + idkit::workingImagePath(src));
    const std::string stem = fs::path(src.value("input", std::string("card"))).stem().string();
    idkit::Json all = idkit::Json::array();
    for (const auto& f : flats) {
      idkit::Json j = f.document.toJson();
      j["image"] = writeCard(f.card, out_dir, stem, png_level);
      all.push_back(std::move(j));
    }
    rec["image"] = all[0]["image"];
    idkit::Json first = all[0];
    first.erase("image");
    rec["document"] = std::move(first);
    if (dopts.multi) rec["documents"] = std::move(all);
    return idkit::Status::ok;
  }};
  return idkit::cli::run(tool, opts);
}
