// Face verification bench: score distributions, EER, TAR at fixed FAR, the
// document-portrait case and the time per document+selfie pair, with the bare
// recognizer forward pass measured in the same run.
//
//   bench-face FACES_DIR [DOCS_DIR]
//
// FACES_DIR: one folder per person (../shared/data/faces). DOCS_DIR (optional,
// made by bench/face.sh with id-synth --faces): DOCS_DIR/<person>/<photo stem>/
// holds documents whose portrait is that one photo; each document is compared
// with every *other* photo of the person (genuine) and every photo of everyone
// else (impostor). Writes Markdown to stdout for bench/README.md, and the
// pipeline case (id-deskew's flat cards as PNG, their records naming a selfie)
// to DOCS_DIR/.pipeline/ for bench/face.sh's batch runs of id-face.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/face.hpp>
#include <idkit/image.hpp>
#include <idkit/record.hpp>

#include "bench_util.hpp"

namespace fs = std::filesystem;
namespace face = idkit::face;
using Clock = std::chrono::steady_clock;
using idkit::bench::cpuMs;

namespace {

double msSince(double cpu_t0) { return cpuMs() - cpu_t0; }

// CPU time of every thread of the process (verifyPair's two halves).
double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double wallMsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Photo {
  std::string person, stem, path;
  face::Descriptor d{};  // of the chip as aligned
  cv::Mat chip{};        // kept to compare it at a small portrait's detail
  // Its descriptor in a detail-matched pair when it is not the face reduced
  // (face::describeForPair: the same in every such pair), on first use.
  mutable std::optional<face::Descriptor> d_matched{};
  face::Detail detail{};
  bool ok = false;
};

// A pair's score as id-face decides it: the sharper face compared at the
// other's detail when that one is small (face::matchDetail), less the margin
// such a pair's threshold has (face::pairThreshold), so that every table's
// threshold is the one id-face is given; else the plain descriptors. Counts
// the pairs matched so.
int detail_matched_pairs = 0;
// IDKIT_FACE_BENCH_VIEWS=N: views per chip of a detail-matched pair (face::kSmallPairViews).
int pairViews() {
  const char* v = std::getenv("IDKIT_FACE_BENCH_VIEWS");
  return v && *v ? std::atoi(v) : face::kSmallPairViews;
}
// `da_matched`: side a's descriptor for a detail-matched pair in which a is
// not the one reduced (the same for every such pair), computed on first use.
double pairScore(face::Engine& engine, const cv::Mat& chip_a, const face::Detail& a, const face::Descriptor& da,
                 std::optional<face::Descriptor>& da_matched, const Photo& b) {
  const bool a_reduced = face::reducesTo(a, b.detail), b_reduced = face::reducesTo(b.detail, a);
  if (!a_reduced && !b_reduced) return face::similarity(da, b.d);
  ++detail_matched_pairs;
  const int views = pairViews();
  face::Descriptor left, right;
  if (a_reduced) {
    left = face::describeForPair(engine, chip_a, a, b.detail, views);
  } else {
    if (!da_matched) da_matched = face::describeForPair(engine, chip_a, a, b.detail, views);
    left = *da_matched;
  }
  if (b_reduced) {
    right = face::describeForPair(engine, b.chip, b.detail, a, views);
  } else {
    if (!b.d_matched) b.d_matched = face::describeForPair(engine, b.chip, b.detail, a, views);
    right = *b.d_matched;
  }
  return face::similarity(left, right) - face::detailMatchedMargin(engine.detectorKind());
}

struct Scores {
  std::vector<double> genuine, impostor;
};

double rate(const std::vector<double>& v, double t, bool above) {
  if (v.empty()) return 0;
  const auto n = std::count_if(v.begin(), v.end(), [&](double s) { return above ? s >= t : s < t; });
  return double(n) / double(v.size());
}

// EER: the threshold where false accepts and false rejects are closest.
std::pair<double, double> eer(const Scores& s) {
  std::vector<double> ts = s.genuine;
  ts.insert(ts.end(), s.impostor.begin(), s.impostor.end());
  std::sort(ts.begin(), ts.end());
  double best = 2, at = 0;
  for (double t : ts) {
    const double far = rate(s.impostor, t, true), frr = rate(s.genuine, t, false);
    if (std::max(far, frr) < best) best = std::max(far, frr), at = t;
  }
  return {best, at};
}

// TAR at the lowest threshold whose FAR is at most `far`.
std::pair<double, double> tarAt(const Scores& s, double far) {
  std::vector<double> imp = s.impostor;
  std::sort(imp.begin(), imp.end(), std::greater<>());
  const auto allowed = static_cast<size_t>(far * double(imp.size()));
  // threshold just above the (allowed+1)-th highest impostor score
  const double t = allowed < imp.size() ? std::nextafter(imp[allowed], 2.0) : -1.0;
  return {rate(s.genuine, t, true), t};
}

std::string stats(const std::vector<double>& v) {
  if (v.empty()) return "–";
  auto s = v;
  std::sort(s.begin(), s.end());
  double mean = 0;
  for (double x : s) mean += x;
  mean /= double(s.size());
  return fmt::format("{:.4f} / {:.4f} / {:.4f} / {:.4f}", s.front(), s[s.size() / 100], mean, s.back());
}

std::string report(const std::string& title, const Scores& s) {
  std::string out = fmt::format("### {}\n\n{} genuine pairs, {} impostor pairs.\n\n", title,
                                s.genuine.size(), s.impostor.size());
  out += "| scores | min / 1st pct / mean / max |\n|---|---|\n";
  out += fmt::format("| genuine | {} |\n| impostor | {} |\n\n", stats(s.genuine), stats(s.impostor));
  auto [e, et] = eer(s);
  auto [t1, th1] = tarAt(s, 0.01);
  auto [t01, th01] = tarAt(s, 0.001);
  out += fmt::format("EER {:.2f}% (at {:.4f}); TAR {:.2f}% at FAR 1% (threshold {:.4f}); "
                     "TAR {:.2f}% at FAR 0.1% (threshold {:.4f}).\n\n",
                     100 * e, et, 100 * t1, th1, 100 * t01, th01);
  out += "| threshold | TAR (genuine accepted) | FAR (impostors accepted) |\n|---|---|---|\n";
  for (double t : {0.86, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95}) {
    out += fmt::format("| {:.2f}{} | {:.2f}% | {:.3f}% |\n", t, t == face::kDefaultThreshold ? " (default)" : "",
                       100 * rate(s.genuine, t, true), 100 * rate(s.impostor, t, true));
  }
  return out + "\n";
}

std::vector<fs::path> images(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".png" || ext == ".jpeg")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench-face FACES_DIR [DOCS_DIR]\n");
    return 64;
  }
  const fs::path faces_dir = argv[1];
  auto models = face::Models::locate();
  if (!models) {
    std::fprintf(stderr, "bench-face: %s\n", models.error().message.c_str());
    return 70;
  }
  cv::setNumThreads(1);  // as id-face's workers run it
  const double t_load = cpuMs();
  face::Engine& engine = face::threadEngine(*models);
  const double load_ms = msSince(t_load);
  idkit::ImageLimits limits;

  // ---- the photo set -----------------------------------------------------------
  std::vector<Photo> photos;
  std::vector<std::string> people;
  for (const auto& e : fs::directory_iterator(faces_dir))
    if (e.is_directory()) people.push_back(e.path().filename().string());
  std::sort(people.begin(), people.end());
  double photo_ms = 0, forward_ms = 0;
  int forwards = 0, missed = 0;
  for (const auto& person : people) {
    for (const auto& p : images(faces_dir / person)) {
      Photo ph{person, p.stem().string(), p.string()};
      auto img = idkit::loadImage(p, limits, face::kSelfieDecodeSide);  // as id-face loads selfies
      if (!img) continue;
      const double t = cpuMs();
      auto f = face::findFace(engine, img->bgr);
      if (f) {
        ph.chip = face::alignFace(f->upright, f->face);
        ph.detail = face::detailOf(f->face, ph.chip);
        ph.d = engine.describeChip(ph.chip);
        ph.ok = true;
        photo_ms += msSince(t);
        // the bare model forward pass on the same chip, for the ratio
        const cv::Mat chip = face::alignFace(f->upright, f->face);
        const double tf = cpuMs();
        (void)engine.describeChip(chip);
        forward_ms += msSince(tf);
        ++forwards;
      } else {
        ++missed;
        std::fprintf(stderr, "bench-face: no face in %s\n", ph.path.c_str());
      }
      photos.push_back(ph);
    }
  }
  Scores set;
  for (size_t i = 0; i < photos.size(); ++i)
    for (size_t j = i + 1; j < photos.size(); ++j) {
      if (!photos[i].ok || !photos[j].ok) continue;
      std::optional<face::Descriptor> none;  // photo a is rarely small: no cache
      const double s = pairScore(engine, photos[i].chip, photos[i].detail, photos[i].d, none, photos[j]);
      (photos[i].person == photos[j].person ? set.genuine : set.impostor).push_back(s);
    }

  std::string out = report(fmt::format("Photo vs photo, {} detector: `{}` ({} photos, {} people, {} without a face found)",
                                       face::name((*models)->detector_kind), faces_dir.filename().string(),
                                       photos.size(), people.size(), missed),
                           set);

  // ---- document portraits (id-synth --faces) ------------------------------------
  // The pipeline case, id-deskew then id-face: the flat card written as PNG
  // with a record naming it, its size class and a selfie. Timed step by step
  // on one thread (CPU), then as id-face runs it: verifyPair, two threads.
  struct {
    double read_card = 0, portrait = 0, describe_card = 0, read_selfie = 0, selfie_face = 0, describe_selfie = 0;
    std::vector<double> wall, process_cpu;
  } steps;
  std::map<std::string, int> found_on;  // where the document portraits were found
  double pair_ms = 0;
  int pairs_timed = 0, docs = 0, doc_missed = 0, card_pairs = 0, region_hits = 0;
  Scores doc, doc_plain, doc_small, doc_large;  // doc_plain: without matchDetail
  int small_docs = 0;
  face::EnginePool pool(*models);
  {
    // Both halves' networks built before timing: id-face builds them once.
    auto a = pool.acquire();
    auto b = pool.acquire();
  }
  if (argc > 2) {
    const fs::path docs_dir = argv[2];
    const fs::path pipeline_dir = docs_dir / ".pipeline";
    fs::create_directories(pipeline_dir);
    // IDKIT_FACE_BENCH_SPEED=0: scores only (no timing, no pipeline records);
    // IDKIT_FACE_BENCH_ONLY=TEXT: only the documents whose path holds TEXT.
    const char* speed_env = std::getenv("IDKIT_FACE_BENCH_SPEED");
    const bool speed = !(speed_env && *speed_env == '0');
    const char* only = std::getenv("IDKIT_FACE_BENCH_ONLY");
    std::ofstream pipeline_records, pairs_out;
    if (const char* pf = std::getenv("IDKIT_FACE_BENCH_PAIRS"); pf && *pf) pairs_out.open(pf, std::ios::trunc);
    if (speed) pipeline_records.open(pipeline_dir / "records.ndjson", std::ios::trunc);
    for (const auto& ph : photos) {
      const fs::path dir = docs_dir / ph.person / ph.stem;
      if (!fs::is_directory(dir)) continue;
      // A selfie for the timing: the person's next photo (any other if alone).
      const Photo* selfie = nullptr;
      for (const auto& o : photos)
        if (o.person == ph.person && o.path != ph.path) selfie = &o;
      for (const auto& p : images(dir)) {
        // Sides without a portrait (licence backs) are not face documents.
        auto truth_path = p;
        truth_path.replace_extension(".truth.json");
        idkit::Json truth;
        if (std::ifstream tf(truth_path); tf) {
          truth = idkit::Json::parse(tf, nullptr, false);
          if (!truth.is_discarded() && !truth.contains("portrait")) continue;
        }
        if (only && p.string().find(only) == std::string::npos) continue;
        ++docs;
        const double t = cpuMs();
        idkit::Json rec = idkit::newRecord(p.string());
        face::Descriptor d{};
        cv::Mat doc_chip;
        face::Detail doc_detail;
        std::string where;  // for the per-document list
        try {
          auto img = face::documentImage(rec, limits);
          face::PortraitOptions po;
          if (const char* a = std::getenv("IDKIT_FACE_BENCH_ALIGN_ON_CARD"); a && *a == '1') po.align_on_input = false;
          if (const char* t = std::getenv("IDKIT_FACE_BENCH_TRUSTED")) po.trusted_score = std::strtof(t, nullptr);
          if (const char* a = std::getenv("IDKIT_FACE_BENCH_PERSPECTIVE"); a && *a == '0') po.align_through_card = false;
          auto dp = face::findDocumentPortrait(engine, img, po);
          const face::Found* f = &dp.found;
          found_on[dp.found_on]++;
          doc_chip = face::alignFound(*f);
          doc_detail = face::detailOf(*f, doc_chip);
          d = engine.describeChip(doc_chip);
          where = fmt::format("{} found on {} in {} card score {:.3f} upright {:.1f}, box {:.0f}x{:.0f}+{:.0f}+{:.0f} score {:.3f}, "
                              "eyes {:.1f} px sharpness {:.1f}",
                              img.source, dp.found_on, dp.frame, dp.card_score, dp.card_uprightness, f->face.box.width, f->face.box.height,
                              f->original.box.x, f->original.box.y,
                              f->face.score, doc_detail.eyes, doc_detail.sharpness);
          if (!img.found_document.is_null()) where += "; deskew " + img.found_document.dump();
          auto selfieHalf = [&] {  // decode included
            auto s = idkit::loadImage(selfie->path, limits, face::kSelfieDecodeSide);
            auto sf = s ? face::findFace(engine, s->bgr) : std::nullopt;
            if (sf) {
              const cv::Mat chip = face::alignFace(sf->upright, sf->face);
              (void)face::describeForPair(engine, chip, face::detailOf(sf->face, chip), doc_detail);
            }
          };
          if (selfie && speed) {
            selfieHalf();
            pair_ms += msSince(t);
            ++pairs_timed;
          }
          const std::string kind = truth.is_object() ? truth["document"].value("kind", std::string()) : "";
          if (speed && selfie && img.source == "deskew" && !kind.empty()) {
            const fs::path card_png = pipeline_dir / fmt::format("{:04d}.card.png", docs);
            std::vector<uchar> png;
            cv::imencode(".png", img.bgr, png);  // as id-deskew writes it
            std::ofstream(card_png, std::ios::binary | std::ios::trunc)
                .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
            idkit::Json prec = idkit::newRecord(p.string());
            prec["image"] = card_png.string();
            prec["document"] = {{"kind", kind}};
            prec["selfie"] = selfie->path;
            pipeline_records << prec.dump() << '\n';

            double step = cpuMs();
            auto lap = [&](double& acc) { acc += msSince(step); step = cpuMs(); };
            idkit::Json r2 = prec;
            auto card = face::documentImage(r2, limits);
            lap(steps.read_card);
            face::PortraitOptions po2;
            po2.region = card.portrait_region;
            std::optional<face::Found> f2;
            try {
              f2 = face::findDocumentPortrait(engine, card, po2).found;
            } catch (const idkit::Failure&) {
            }
            lap(steps.portrait);
            face::Detail card_detail;
            if (f2) {
              const cv::Mat chip = face::alignFound(*f2);
              card_detail = face::detailOf(*f2, chip);
              (void)face::describeForPair(engine, chip, card_detail, selfie->detail);
            }
            lap(steps.describe_card);
            auto s = idkit::loadImage(selfie->path, limits, face::kSelfieDecodeSide, idkit::Hash::no);
            lap(steps.read_selfie);
            auto sf = s ? face::findFace(engine, s->bgr) : std::nullopt;
            lap(steps.selfie_face);
            if (sf) {
              const cv::Mat chip = face::alignFace(sf->upright, sf->face);
              (void)face::describeForPair(engine, chip, face::detailOf(sf->face, chip), card_detail);
            }
            lap(steps.describe_selfie);
            ++card_pairs;
            // Where the portrait was found: in the layout's region (the fast path)?
            if (f2 && po2.region && f2->upright.size() == card.bgr.size() && f2->face.box.x + f2->face.box.width <= po2.region->width * float(card.bgr.cols) + 1)
              ++region_hits;

            const auto w0 = Clock::now();
            const double c0 = processCpuMs();
            try {
              (void)face::verifyPair(
                  pool, [&] { idkit::Json r3 = prec; return face::documentImage(r3, limits); },
                  [&] {
                    auto sl = idkit::loadImage(selfie->path, limits, face::kSelfieDecodeSide, idkit::Hash::no);
                    if (!sl) throw idkit::Failure("selfie_unreadable", selfie->path);
                    return sl->bgr;
                  });
            } catch (const idkit::Failure&) {
            }
            steps.wall.push_back(wallMsSince(w0));
            steps.process_cpu.push_back(processCpuMs() - c0);
          }
        } catch (const idkit::Failure& e) {
          ++doc_missed;
          std::fprintf(stderr, "bench-face: no portrait found in %s\n", p.string().c_str());
          // counts as a rejected genuine pair and a rejected impostor pair each
          for (const auto& o : photos) {
            if (!o.ok || o.path == ph.path) continue;
            (o.person == ph.person ? doc.genuine : doc.impostor).push_back(-1);
            (o.person == ph.person ? doc_plain.genuine : doc_plain.impostor).push_back(-1);
          }
          continue;
        }
        std::optional<face::Descriptor> d_matched;
        double worst = 2;
        int genuine = 0, rejected = 0;
        small_docs += doc_detail.eyes < face::kMatchDetailBelow;
        for (const auto& o : photos) {
          if (!o.ok || o.path == ph.path) continue;
          const double sim = pairScore(engine, doc_chip, doc_detail, d, d_matched, o);
          (o.person == ph.person ? doc.genuine : doc.impostor).push_back(sim);
          (o.person == ph.person ? doc_plain.genuine : doc_plain.impostor).push_back(face::similarity(d, o.d));
          const bool small = doc_detail.eyes < face::kMatchDetailBelow;
          Scores& band = small ? doc_small : doc_large;
          (o.person == ph.person ? band.genuine : band.impostor).push_back(sim);
          // IDKIT_FACE_BENCH_PAIRS=FILE: every document pair's score, to try thresholds offline.
          if (pairs_out)
            pairs_out << fmt::format("{}\t{}\t{}\t{:.2f}\t{:.2f}\t{:.2f}\t{:.5f}\t{:.5f}\n", p.string(), o.path,
                                     int(o.person == ph.person), doc_detail.eyes, doc_detail.sharpness, o.detail.eyes,
                                     sim, face::similarity(d, o.d));
          if (o.person == ph.person) {
            worst = std::min(worst, sim);
            ++genuine;
            rejected += sim < face::kDefaultThreshold;
          }
        }
        // IDKIT_FACE_BENCH_LIST=1: one line per document on stderr, to study the failures.
        if (std::getenv("IDKIT_FACE_BENCH_LIST"))
          std::fprintf(stderr, "doc %s: lowest genuine %.4f, %d of %d rejected (%s)\n", p.string().c_str(), worst,
                       rejected, genuine, where.c_str());
      }
    }
    out += report(fmt::format("Document portrait vs another photo of the person, {} detector ({} id-synth documents, "
                              "{} without a portrait found, counted as non-matches)",
                              face::name((*models)->detector_kind), docs, doc_missed),
                  doc);
    // Detail matching: the same pairs without it, and FAR per band of
    // portrait detail (the threshold must hold in each, not only overall).
    auto cell = [](const Scores& sc, double t) {
      return fmt::format("{:.2f}% / {:.3f}%", 100 * rate(sc.genuine, t, true), 100 * rate(sc.impostor, t, true));
    };
    out += fmt::format("Small portraits (eyes < {:.0f} px apart in the pixels they are aligned from): {} of {} documents; "
                       "{} pairs compared at the smaller face's detail (photo set and documents). TAR / FAR:\n\n",
                       face::kMatchDetailBelow, small_docs, docs, detail_matched_pairs);
    out += fmt::format("| threshold | all, without detail matching | all, detail matched | small portraits ({} / {} pairs) "
                       "| the others ({} / {} pairs) |\n|---|---|---|---|---|\n",
                       doc_small.genuine.size(), doc_small.impostor.size(), doc_large.genuine.size(),
                       doc_large.impostor.size());
    for (double t : {0.90, 0.91, 0.915, 0.92, 0.925, 0.93})
      out += fmt::format("| {:.3f}{} | {} | {} | {} | {} |\n", t, t == face::kDefaultThreshold ? " (default)" : "",
                         cell(doc_plain, t), cell(doc, t), cell(doc_small, t), cell(doc_large, t));
    out += "\n";
    std::string where = "Portraits found";
    for (const auto& [k, n] : found_on) where += fmt::format(" on the {}: {},", k == "input" ? "whole input" : k, n);
    where.back() = '.';
    out += where + " (card: the flattened document; quad: the input photo around the document's quad, searched "
                   "when the card's face scored below " + fmt::format("{:.2f}", face::kTrustedCardScore) +
                   ", did not look upright or lay where the layout puts no portrait).\n\n";
  }

  out += "### Speed (CPU ms of one thread unless said, OpenCV on 1 thread, models loaded once: " +
         fmt::format("{:.0f} ms", load_ms) + ")\n\n";
  out += "| step | ms |\n|---|---|\n";
  if (forwards)
    out += fmt::format("| bare recognizer forward pass (150x150 chip), mean | {:.1f} |\n"
                       "| photo: detect + align + describe (decode excluded), mean | {:.1f} |\n",
                       forward_ms / forwards, photo_ms / forwards);
  const double fwd = forward_ms / std::max(1, forwards);
  if (pairs_timed) {
    const double raw = pair_ms / pairs_timed;
    out += fmt::format("| pair from the raw document photo, one thread: decode both, find and flatten "
                       "the card, portrait, selfie face, two descriptors, mean | {:.1f} ({:.1f}x the forward pass) |\n",
                       raw, raw / fwd);
  }
  if (card_pairs) {
    const double n = card_pairs;
    const double card_half = (steps.read_card + steps.portrait + steps.describe_card) / n;
    const double selfie_half = (steps.read_selfie + steps.selfie_face + steps.describe_selfie) / n;
    out += fmt::format("| pair after id-deskew, one thread: read the flat card (PNG) and the selfie, portrait, "
                       "selfie face, two descriptors, mean | {:.1f} ({:.1f}x the forward pass) |\n",
                       card_half + selfie_half, (card_half + selfie_half) / fwd);
    out += fmt::format("| – card half: read the card / portrait ({} of {} in the layout's region) / descriptor | "
                       "{:.1f} = {:.1f} / {:.1f} / {:.1f} |\n",
                       region_hits, card_pairs, card_half, steps.read_card / n, steps.portrait / n,
                       steps.describe_card / n);
    out += fmt::format("| – selfie half: read the selfie / face / descriptor | {:.1f} = {:.1f} / {:.1f} / {:.1f} |\n",
                       selfie_half, steps.read_selfie / n, steps.selfie_face / n, steps.describe_selfie / n);
    out += fmt::format("| pair after id-deskew as id-face runs it (verifyPair: the halves on two threads): "
                       "CPU of both threads, mean | {:.1f} |\n",
                       [&] {
                         double sum = 0;
                         for (double v : steps.process_cpu) sum += v;
                         return sum / n;
                       }());
    out += fmt::format("| – its latency: wall clock, median (depends on the machine's load) | {:.1f} |\n",
                       idkit::bench::median(steps.wall));
    out += fmt::format("| – its latency on two idle cores: the slower half (max of the halves' CPU), mean | {:.1f} |\n",
                       std::max(card_half, selfie_half));
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}
