// Deskew accuracy and speed against id-synth ground truth (NAME.truth.json
// beside each NAME.jpg). One thread; for each file: plain decode time, then
// detect + flatten time, the Jaccard index of the found quad with the true one,
// and whether the corners were labelled the right way up.
// Prints one TSV line per file (with -v) and a JSON summary on the last line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <time.h>

#include <idkit/deskew.hpp>
#include <idkit/image.hpp>
#include <idkit/json.hpp>

#include "bench_util.hpp"

namespace fs = std::filesystem;
using idkit::Json;
using namespace idkit::deskew;

namespace {

using idkit::bench::cpuMs;
using idkit::bench::median;

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}


// Truth in red, the found quads in green, top-left corners marked.
void draw(const cv::Mat& img, const std::vector<Quad>& truth, const std::vector<Quad>& found, const fs::path& out) {
  const double k = 900.0 / std::max(img.cols, img.rows);
  cv::Mat small;
  cv::resize(img, small, cv::Size(), k, k, cv::INTER_AREA);
  auto poly = [&](const Quad& q, const cv::Scalar& c) {
    for (size_t i = 0; i < 4; ++i) cv::line(small, q[i] * k, q[(i + 1) % 4] * k, c, 1, cv::LINE_AA);
    cv::circle(small, q[0] * k, 5, c, 2);
  };
  for (const Quad& q : truth) poly(q, {0, 0, 255});
  for (const Quad& q : found) poly(q, {0, 255, 0});
  cv::imwrite(out.string(), small);
}


// The labelling is right when no other cyclic shift of our corners lies closer to the truth's.
bool sameOrientation(const Quad& found, const Quad& truth) {
  double best = 1e300;
  int best_shift = 0;
  for (int s = 0; s < 4; ++s) {
    double d = 0;
    for (size_t i = 0; i < 4; ++i) d += cv::norm(found[(i + static_cast<size_t>(s)) % 4] - truth[i]);
    if (d < best) best = d, best_shift = s;
  }
  return best_shift == 0;
}

struct Tally {
  int n = 0, found = 0, good = 0, oriented = 0, kind_ok = 0;
  double iou_sum = 0;
  void add(bool f, double j, bool o, bool k) {
    ++n;
    found += f;
    iou_sum += j;
    good += j >= 0.95;
    oriented += o;
    kind_ok += k;
  }
  Json json() const {
    const double d = std::max(1, n);
    return {{"n", n},
            {"found", found},
            {"mean_iou", std::round(iou_sum / d * 10000) / 10000},
            {"iou_ge_095", std::round(good / d * 10000) / 10000},
            {"orientation_right", std::round(oriented / d * 10000) / 10000},
            {"kind_right", std::round(kind_ok / d * 10000) / 10000}};
  }
};

// PNG settings for the flat card: later tools decode it once each, so decode
// time matters as much as size.
struct PngSetting {
  std::string name;
  std::vector<int> params;
};

std::vector<PngSetting> pngSettings() {
  std::vector<PngSetting> out{{"OpenCV default (level 1, SUB filter, RLE)", {}}};
  const std::pair<const char*, int> strategies[] = {{"default", cv::IMWRITE_PNG_STRATEGY_DEFAULT},
                                                    {"filtered", cv::IMWRITE_PNG_STRATEGY_FILTERED},
                                                    {"huffman only", cv::IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY},
                                                    {"rle", cv::IMWRITE_PNG_STRATEGY_RLE}};
  for (int level : {0, 1, 2, 3})
    for (const auto& [name, strategy] : strategies) {
      if (level == 0 && strategy != cv::IMWRITE_PNG_STRATEGY_DEFAULT) continue;  // stored: no strategy
      out.push_back({"level " + std::to_string(level) + (level ? std::string(", ") + name : std::string(" (stored)")),
                     {cv::IMWRITE_PNG_COMPRESSION, level, cv::IMWRITE_PNG_STRATEGY, strategy}});
    }
  return out;
}

struct PngTally {
  std::vector<double> encode_ms, decode_ms, bytes;
};

Quad quadOf(const Json& q) {
  Quad r;
  for (size_t i = 0; i < 4; ++i) r[i] = {q[i][0].get<double>(), q[i][1].get<double>()};
  return r;
}

// Found documents matched to true ones, greedily by Jaccard index (the best
// pair first; a pair under 0.5 is no match): for each true document the
// index of its found one, or -1.
std::vector<int> matchDocuments(const std::vector<Quad>& truth, const std::vector<Flat>& found) {
  std::vector<std::tuple<double, size_t, size_t>> pairs;
  for (size_t t = 0; t < truth.size(); ++t)
    for (size_t f = 0; f < found.size(); ++f)
      if (const double j = iou(found[f].document.quad, truth[t]); j >= 0.5) pairs.emplace_back(j, t, f);
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<int> match(truth.size(), -1);
  std::vector<bool> used(found.size(), false);
  for (const auto& [j, t, f] : pairs) {
    if (match[t] >= 0 || used[f]) continue;
    match[t] = static_cast<int>(f);
    used[f] = true;
  }
  return match;
}

// --multi: pages of several documents (id-synth --cards; a one-document truth
// counts as a page of one) through id-deskew's path with Options::multi. Per
// page (-v): true, found, missed, extra, then each true document's kind,
// Jaccard index and way up; a JSON summary last.
int benchMulti(const std::vector<std::string>& files, bool verbose, const std::string& draw_dir) {
  int pages = 0, pages_right = 0, cards = 0, matched = 0, good = 0, upright = 0, extras = 0, missed = 0;
  double j_sum = 0;
  std::vector<double> cpu;
  Options opts;
  opts.multi = true;
  for (const auto& file : files) {
    std::ifstream tin(fs::path(file).replace_extension(".truth.json"));
    const Json truth = tin ? Json::parse(tin, nullptr, false) : Json();
    if (truth.is_discarded() || !(truth.contains("documents") || truth.contains("document"))) {
      std::fprintf(stderr, "bench-deskew: no truth for %s\n", file.c_str());
      continue;
    }
    const Json docs = truth.contains("documents") ? truth["documents"] : Json::array({truth});
    std::vector<Quad> tq;
    for (const auto& d : docs) tq.push_back(quadOf(d["document"]["quad"]));
    std::ifstream in(file, std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    const double c0 = cpuMs();
    std::vector<Flat> flats;
    if (auto dec = idkit::decodeImage(bytes, idkit::ImageLimits{}, kDecodeSide, idkit::Hash::no)) {
      const auto region = [&](const cv::Rect& roi) { return decodeRegion(bytes, roi, idkit::ImageLimits{}); };
      flats = deskewDecoded(dec->bgr, static_cast<double>(dec->bgr.cols) / dec->size.width, region, opts);
    }
    cpu.push_back(cpuMs() - c0);
    const std::vector<int> match = matchDocuments(tq, flats);
    const int page_found = static_cast<int>(std::count_if(match.begin(), match.end(), [](int m) { return m >= 0; }));
    const int page_extra = static_cast<int>(flats.size()) - page_found;
    const int page_missed = static_cast<int>(tq.size()) - page_found;
    bool right = page_extra == 0 && page_missed == 0;
    std::string per_card;
    for (size_t t = 0; t < tq.size(); ++t) {
      const Quad* q = match[t] >= 0 ? &flats[static_cast<size_t>(match[t])].document.quad : nullptr;
      const double j = q ? iou(*q, tq[t]) : 0;
      const bool up = q && sameOrientation(*q, tq[t]);
      j_sum += j;
      good += j >= 0.95;
      upright += up;
      right = right && j >= 0.95 && up;
      char buf[96];
      std::snprintf(buf, sizeof buf, "\t%s:%.4f:%s", docs[t]["document"].value("type", std::string("?")).c_str(), j,
                    q ? (up ? "up" : "WRONG") : "missed");
      per_card += buf;
    }
    ++pages;
    pages_right += right;
    cards += static_cast<int>(tq.size());
    matched += page_found;
    extras += page_extra;
    missed += page_missed;
    if (verbose)
      std::printf("%s\t%zu\t%zu\t%d\t%d\t%.1f%s\n", file.c_str(), tq.size(), flats.size(), page_missed, page_extra,
                  cpu.back(), per_card.c_str());
    if (!draw_dir.empty() && !right) {
      std::vector<Quad> shown;
      for (const auto& f : flats) shown.push_back(f.document.quad);
      draw(cv::imread(file, cv::IMREAD_COLOR), tq, shown,
           fs::path(draw_dir) / fs::path(file).filename().replace_extension(".png"));
    }
  }
  const double n = std::max(1, cards);
  const Json out{{"pages", pages},
                 {"cards", cards},
                 {"found", matched},
                 {"missed", missed},
                 {"extra", extras},
                 {"mean_iou", std::round(j_sum / n * 10000) / 10000},
                 {"iou_ge_095", good},
                 {"upright", upright},
                 {"pages_right", pages_right},
                 {"tool_path_median_cpu_ms", std::round(median(cpu) * 10) / 10}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cv::setNumThreads(1);
  // --no-full: the tool's path only (no full decode and no detection on it; quicker while tuning).
  // --multi: pages of several documents (benchMulti).
  bool verbose = false, png = false, no_full = false, multi = false;
  const auto png_settings = pngSettings();
  std::vector<PngTally> png_tally(png_settings.size());
  Tally tool;
  std::vector<double> tool_cpu, tool_work_cpu, tool_decode_cpu;
  int regions = 0;
  double tool_j = 0;
  bool tool_up = false;
  std::string draw_dir;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-v") verbose = true;
    else if (a == "--draw" && i + 1 < argc) draw_dir = argv[++i];
    else if (a == "--png") png = true;
    else if (a == "--no-full") no_full = true;
    else if (a == "--multi") multi = true;
    else files.push_back(a);
  }
  if (multi) return benchMulti(files, verbose, draw_dir);
  Tally all;
  std::map<std::string, Tally> by;
  std::vector<double> decode_ms, deskew_ms, decode_cpu, deskew_cpu, reduced_cpu, detect_cpu;
  for (const auto& file : files) {
    fs::path truth_path = fs::path(file).replace_extension(".truth.json");
    std::ifstream tin(truth_path);
    if (!tin) {
      std::fprintf(stderr, "bench-deskew: no truth for %s\n", file.c_str());
      continue;
    }
    const Json truth = Json::parse(tin, nullptr, false);
    if (truth.is_discarded() || !truth.contains("document")) continue;
    const Quad tq = quadOf(truth["document"]["quad"]);

    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpuMs();
    const cv::Mat img = no_full && draw_dir.empty() ? cv::Mat(1, 1, CV_8UC3)
                                                    : cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR);
    decode_ms.push_back(msSince(t0));
    decode_cpu.push_back(cpuMs() - c0);
    if (img.empty()) continue;
    // The reduced JPEG decode (DCT scaling by 4) a detection-only pass could start from.
    c0 = cpuMs();
    const cv::Mat quarter = no_full ? cv::Mat()
                                    : cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_REDUCED_COLOR_4);
    reduced_cpu.push_back(cpuMs() - c0);

    t0 = std::chrono::steady_clock::now();
    c0 = cpuMs();
    const auto docs = no_full ? std::vector<Document>{} : detect(img);
    detect_cpu.push_back(cpuMs() - c0);
    cv::Mat flat;
    if (!docs.empty()) flat = flatten(img, docs[0], 300);
    deskew_ms.push_back(msSince(t0));
    deskew_cpu.push_back(cpuMs() - c0);

    // The tool's path: a reduced decode (kDecodeSide), a full-size decode of
    // the card's region only when the card needs it; decodes included.
    c0 = cpuMs();
    const std::span<const std::uint8_t> u8(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    std::vector<Flat> flats;
    double decoding = 0;  // the path's own decodes: the reduced one and a region's
    bool region_decoded = false;
    if (auto dec = idkit::decodeImage(u8, idkit::ImageLimits{}, kDecodeSide, idkit::Hash::no)) {
      decoding = cpuMs() - c0;
      const auto region = [&](const cv::Rect& roi) {
        const double r0 = cpuMs();
        cv::Mat m = decodeRegion(u8, roi, idkit::ImageLimits{});
        decoding += cpuMs() - r0;
        region_decoded = true;
        return m;
      };
      flats = deskewDecoded(dec->bgr, static_cast<double>(dec->bgr.cols) / dec->size.width, region, Options{});
    }
    tool_cpu.push_back(cpuMs() - c0);
    tool_work_cpu.push_back(tool_cpu.back() - decoding);
    tool_decode_cpu.push_back(decoding);
    regions += region_decoded;
    {
      const bool f = !flats.empty();
      const double tj = f ? iou(flats[0].document.quad, tq) : 0;
      tool_j = tj;
      tool_up = f && sameOrientation(flats[0].document.quad, tq);
      tool.add(f, tj, tool_up,
               f && toString(flats[0].document.kind) == truth["document"].value("kind", std::string()));
    }
    // PNG figures on passport-size cards (ID-3, 1476 x 1039 at 300 dpi), the largest a later tool decodes.
    if (png && !flat.empty() && docs[0].kind == Kind::id3)
      for (size_t k = 0; k < png_settings.size(); ++k) {
        std::vector<uchar> enc;
        double e0 = cpuMs();
        cv::imencode(".png", flat, enc, png_settings[k].params);
        png_tally[k].encode_ms.push_back(cpuMs() - e0);
        e0 = cpuMs();
        const cv::Mat back = cv::imdecode(enc, cv::IMREAD_COLOR);
        png_tally[k].decode_ms.push_back(cpuMs() - e0);
        png_tally[k].bytes.push_back(static_cast<double>(enc.size()));
      }

    const bool found = !docs.empty();
    const double j = found ? iou(docs[0].quad, tq) : 0;
    const bool oriented = found && sameOrientation(docs[0].quad, tq);
    const bool kind_ok = found && toString(docs[0].kind) == truth["document"].value("kind", std::string());
    all.add(found, j, oriented, kind_ok);
    const Json& cap = truth.value("capture", Json::object());
    std::vector<std::string> tags{"type:" + truth["document"].value("type", std::string()),
                                  "capture:" + cap.value("kind", cap.contains("surface") ? std::string("photo") : std::string("scan"))};
    if (cap.contains("surface")) tags.push_back("surface:" + cap["surface"].get<std::string>());
    for (const char* k : {"thumb", "glare", "contrast"})
      if (cap.contains(k)) tags.push_back(std::string(k));
    if (cap.contains("blur") && cap["blur"].is_object()) tags.push_back("blur:" + cap["blur"].value("kind", std::string()));
    if (cap.contains("tilt_deg") && cap["tilt_deg"].get<double>() >= 20) tags.push_back("tilt>=20");
    for (const auto& t : tags) by[t].add(found, j, oriented, kind_ok);
    // With --no-full, the tool's path is drawn.
    if (!draw_dir.empty() && (no_full ? tool_j < 0.95 || !tool_up : j < 0.95 || !oriented)) {
      std::vector<Quad> shown;
      if (no_full ? !flats.empty() : found) shown.push_back(no_full ? flats[0].document.quad : docs[0].quad);
      draw(img, {tq}, shown, fs::path(draw_dir) / fs::path(file).filename().replace_extension(".png"));
    }
    if (verbose)
      std::printf("%s\t%s\t%.4f\t%s\t%s\t%s\t%.1f\t%.1f\t%.3f\t%.4f\t%s\t%.1f\t%.1f\n", file.c_str(), found ? "found" : "none", j,
                  oriented ? "up" : "WRONG", found ? std::string(toString(docs[0].kind)).c_str() : "-",
                  found ? docs[0].orientation_cue.c_str() : "-", decode_cpu.back(), deskew_cpu.back(),
                  found ? docs[0].confidence : 0.0, tool_j, tool_up ? "up" : "WRONG", tool_cpu.back(), tool_work_cpu.back());
  }
  Json out = all.json();
  out["decode_median_ms"] = std::round(median(decode_ms) * 10) / 10;
  out["deskew_median_ms"] = std::round(median(deskew_ms) * 10) / 10;
  out["decode_median_cpu_ms"] = std::round(median(decode_cpu) * 10) / 10;
  out["deskew_median_cpu_ms"] = std::round(median(deskew_cpu) * 10) / 10;
  out["detect_median_cpu_ms"] = std::round(median(detect_cpu) * 10) / 10;
  out["decode_reduced4_median_cpu_ms"] = std::round(median(reduced_cpu) * 10) / 10;
  out["tool_path"] = tool.json();
  out["tool_path_median_cpu_ms"] = std::round(median(tool_cpu) * 10) / 10;
  out["tool_path_work_median_cpu_ms"] = std::round(median(tool_work_cpu) * 10) / 10;
  out["tool_path_decode_median_cpu_ms"] = std::round(median(tool_decode_cpu) * 10) / 10;
  out["tool_path_region_decodes"] = regions;
  if (png) {
    Json t = Json::array();
    for (size_t k = 0; k < png_settings.size(); ++k)
      t.push_back({{"setting", png_settings[k].name},
                   {"encode_median_cpu_ms", std::round(median(png_tally[k].encode_ms) * 10) / 10},
                   {"decode_median_cpu_ms", std::round(median(png_tally[k].decode_ms) * 10) / 10},
                   {"median_kb", std::round(median(png_tally[k].bytes) / 1024)}});
    out["png"] = t;
  }
  Json groups = Json::object();
  for (const auto& [k, t] : by) groups[k] = t.json();
  out["by"] = groups;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
