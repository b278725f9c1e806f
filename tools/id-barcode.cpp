// id-barcode: read the barcodes of each document and decode AAMVA payloads.
#include <idkit/barcode.hpp>
#include <idkit/cli.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Read PDF417, QR, DataMatrix, Aztec and 1D barcodes; decode AAMVA driving-licence payloads"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  idkit::barcode::Options bopts;
  app.add_option("--format", bopts.formats,
                 "Only this symbology (repeatable): PDF417, QRCode, DataMatrix, Aztec, Code128, Code39...")
      ->allow_extra_args(false)
      ->check([](const std::string& f) {
        return idkit::barcode::knownFormat(f) ? std::string() : "unknown barcode format " + f;
      });
  app.add_flag("--no-rectify", [&](std::int64_t) { bopts.rectify = false; },
               "Do not search and rectify PDF417 regions (flat scans only; faster on misses)");
  app.add_flag("--no-retry", [&](std::int64_t) { bopts.retry = false; },
               "Do not retry with blur and region crops when nothing is found");
  app.add_flag("--no-aamva", [&](std::int64_t) { bopts.parse_aamva = false; }, "Do not parse AAMVA payloads");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  idkit::cli::Tool tool{"id-barcode", [&](idkit::Json& rec) {
    const cv::Mat img = idkit::loadWorkingImage(rec, opts.limits);
    rec["barcodes"] = idkit::barcode::toJson(idkit::barcode::read(img, bopts));
    return idkit::Status::ok;  // no barcode is an answer, not an error
  }};
  return idkit::cli::run(tool, opts);
}
