// Driving-licence backs photographed by id-synth: how many PDF417 codes
// idkit::barcode::read (the path id-barcode takes on a raw image) decodes with
// the right AAMVA fields. The truth is NAME.truth.json beside each NAME.jpg
// (barcodes[0].aamva); a code counts as read when surname, given names, birth
// and expiry dates, sex and document number all equal the truth.
// One thread, per-thread CPU time; --no-grey leaves the grey-level PDF417
// reader out (the figures before it). Prints one TSV line per file with -v, the
// failures with --failures, and a JSON summary (overall and by capture
// condition) on the last line. IDKIT_BENCH_SHOW_TEXT=1 prints to stderr the
// text of every PDF417 read that is not AAMVA (a misread's payload).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <idkit/barcode.hpp>
#include <idkit/json.hpp>

#include "bench_util.hpp"

namespace fs = std::filesystem;
using idkit::Json;

namespace {

using idkit::bench::cpuMs;
using idkit::bench::median;



constexpr const char* kCompared[] = {"surname", "given_names", "birth_date", "expiry_date", "sex",
                                     "document_number"};

// "" when every compared field equals the truth, else the first that differs.
std::string firstMismatch(const Json& truth, const Json& got) {
  for (const char* k : kCompared)
    if (truth.value(k, Json()) != got.value(k, Json())) return k;
  return "";
}

struct Tally {
  int n = 0, decoded = 0, right = 0;
  std::vector<double> ms;
  void add(bool d, bool r, double t) {
    ++n;
    decoded += d;
    right += r;
    ms.push_back(t);
  }
  Json json() const {
    return {{"n", n}, {"decoded", decoded}, {"right", right},
            {"right_share", n ? std::round(1e4 * right / n) / 1e4 : 0.0},
            {"median_cpu_ms", std::round(median(ms))}};
  }
};

// Capture conditions as the truth describes them, in buckets coarse enough to
// give each a few dozen documents.
std::vector<std::string> tagsOf(const Json& truth) {
  const Json cap = truth.value("capture", Json::object());
  std::vector<std::string> tags;
  const double roll = cap.value("roll_deg", 0.0);
  const double off = std::fmod(roll + 45, 90) - 45;  // distance from the nearest quarter turn
  tags.push_back("rotation:" + std::to_string(static_cast<int>(std::lround(roll / 90)) % 4 * 90) +
                 (std::abs(off) > 10 ? "+-more than 10" : "+-10"));
  const double tilt = cap.value("tilt_deg", 0.0);
  tags.push_back(tilt < 10 ? "tilt:<10" : tilt < 20 ? "tilt:10-20" : "tilt:>=20");
  if (cap.contains("blur") && cap["blur"].is_object()) tags.push_back("blur:" + cap["blur"].value("kind", ""));
  tags.push_back(cap.contains("glare") ? "glare:yes" : "glare:no");
  if (cap.contains("thumb")) tags.push_back("thumb");
  if (cap.contains("contrast")) tags.push_back("low contrast");
  const int q = cap.value("jpeg_quality", 0);
  tags.push_back(q < 60 ? "jpeg:<60" : q < 80 ? "jpeg:60-79" : "jpeg:>=80");
  const Json img = truth.value("image", Json::object());
  const double mp = img.value("width", 0) * img.value("height", 0) / 1e6;
  tags.push_back(mp < 2 ? "size:<2 MP" : mp < 6 ? "size:2-6 MP" : "size:>=6 MP");
  // Code size in the photo: width of the code quad's top edge per module.
  if (truth.contains("barcodes") && !truth["barcodes"].empty()) {
    const Json& b = truth["barcodes"][0];
    if (b.contains("quad") && b.value("columns", 0) > 0) {
      const auto& qd = b["quad"];
      const double w = std::hypot(qd[1][0].get<double>() - qd[0][0].get<double>(),
                                  qd[1][1].get<double>() - qd[0][1].get<double>());
      const double px = w / b["columns"].get<double>();
      tags.push_back(px < 2 ? "module:<2 px" : px < 3 ? "module:2-3 px" : "module:>=3 px");
    }
  }
  return tags;
}

}  // namespace

int main(int argc, char** argv) {
  cv::setNumThreads(1);
  bool verbose = false, failures = false;
  idkit::barcode::Options options;  // --no-grey: without the grey-level PDF417 reader
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-v") verbose = true;
    else if (a == "--failures") failures = true;
    else if (a == "--no-grey") options.grey = false;
    else files.push_back(a);
  }
  Tally all;
  std::map<std::string, Tally> by;
  for (const auto& file : files) {
    std::ifstream tin(fs::path(file).replace_extension(".truth.json"));
    const Json truth = tin ? Json::parse(tin, nullptr, false) : Json();
    if (truth.is_discarded() || !truth.contains("barcodes") || truth["barcodes"].empty()) continue;
    const Json& want = truth["barcodes"][0]["aamva"];
    const cv::Mat img = cv::imread(file, cv::IMREAD_COLOR);
    if (img.empty()) continue;
    const double t0 = cpuMs();
    const auto codes = idkit::barcode::read(img, options);
    const double ms = cpuMs() - t0;
    bool decoded = false;
    std::string mismatch = "not decoded", method = "-";
    for (const auto& c : codes) {
      if (c.format != "PDF417") continue;
      decoded = true;
      method = c.method;
      mismatch = c.aamva ? firstMismatch(want, c.aamva->fields) : "no aamva";
      if (!c.aamva && std::getenv("IDKIT_BENCH_SHOW_TEXT")) std::fprintf(stderr, "%s: %s\n", file.c_str(), c.text.c_str());
      if (mismatch.empty()) break;
    }
    const bool right = decoded && mismatch.empty();
    all.add(decoded, right, ms);
    for (const auto& t : tagsOf(truth)) by[t].add(decoded, right, ms);
    if (verbose || (failures && !right)) {
      std::string tags;
      for (const auto& t : tagsOf(truth)) tags += t + "; ";
      std::printf("%s\t%s\t%s\t%.0f\t%s\n", file.c_str(), right ? "right" : mismatch.c_str(), method.c_str(), ms,
                  tags.c_str());
    }
  }
  Json out = all.json();
  Json groups = Json::object();
  for (const auto& [k, t] : by) groups[k] = t.json();
  out["by"] = groups;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
