// id-synth: render synthetic specimen documents with ground truth.
// Writes DIR/NAME.jpg and DIR/NAME.truth.json and one NDJSON record per image.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <opencv2/core.hpp>
#include <thread>

#include <fmt/format.h>

#include <idkit/cli.hpp>
#include <idkit/synth.hpp>

namespace fs = std::filesystem;
using namespace idkit;

namespace {

// Creates `path` only if it does not exist yet (never overwrites).
bool writeNew(const fs::path& path, std::span<const unsigned char> bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return done == bytes.size();
}

bool free(const fs::path& dir, const std::string& stem, const std::vector<synth::Specimen>& sides) {
  for (const auto& s : sides) {
    std::error_code ec;
    if (fs::exists(dir / (stem + s.suffix + ".jpg"), ec) || fs::exists(dir / (stem + s.suffix + ".truth.json"), ec))
      return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Render synthetic specimen identity documents with ground truth (ICAO 9303 "
               "TD1/TD2/TD3, MRV-A/B visas, French ID, US driving licence, QR ID card)",
               "id-synth"};
  app.set_version_flag("--version", std::string("idkit ") + IDKIT_VERSION);
  std::string type = "all", capture = "mixed", out_dir = ".", faces;
  uint64_t count = 1, seed = 1, first = 0;
  int max_side = 0, quality = 0;
  unsigned jobs = 0;
  bool quiet = false, pretty = false;
  app.add_option("-t,--type", type, "td1|td2|td3|mrva|mrvb|fra-id|dl|qr-id|all")
      ->check(CLI::IsMember({"td1", "td2", "td3", "mrva", "mrvb", "fra-id", "dl", "qr-id", "all"}))
      ->capture_default_str();
  app.add_option("-c,--capture", capture, "scan|photo|mixed")
      ->check(CLI::IsMember({"scan", "photo", "mixed"}))
      ->capture_default_str();
  app.add_option("-n,--count", count, "Documents to render")->check(CLI::Range(uint64_t{1}, uint64_t{1000000}));
  app.add_option("--seed", seed, "Seed: same seed and flags, same bytes")->capture_default_str();
  app.add_option("--first", first, "Index of the first document (to extend a batch)")->capture_default_str();
  app.add_option("-o,--out-dir", out_dir, "Output folder (created)")->capture_default_str();
  app.add_option("--faces", faces, "Folder of face photos to use as portraits (default: drawn)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--max-side", max_side, "Scale images down to at most this many pixels a side")
      ->check(CLI::Range(64, 20000));
  app.add_option("--quality", quality, "JPEG quality (default: random, 40-95 photos, 70-95 scans)")
      ->check(CLI::Range(1, 100));
  std::string photo_size;
  app.add_option("--photo-size", photo_size, "Fixed photo size WxH, e.g. 4000x3000 (default: random 0.5-12 MP)")
      ->check([](const std::string& v) -> std::string {
        int w = 0, h = 0;
        return std::sscanf(v.c_str(), "%dx%d", &w, &h) == 2 && w >= 64 && h >= 64 && w <= 12000 && h <= 12000
                   ? ""
                   : "expected WxH, 64..12000 each";
      });
  std::string cards;
  app.add_option("--cards", cards,
                 "Scans of several documents: N or MIN-MAX (1-8) documents on each A4 page (with --capture scan)")
      ->check([](const std::string& v) -> std::string {
        int lo = 0, hi = 0;
        const int n = std::sscanf(v.c_str(), "%d-%d", &lo, &hi);
        if (n == 1) hi = lo;
        return n >= 1 && lo >= 1 && hi >= lo && hi <= 8 ? "" : "expected N or MIN-MAX, 1..8";
      });
  std::string tamper = "none";
  app.add_option("--tamper", tamper,
                 "Forge the print: birth_date (printed one year later) or surname (one printed letter changed); "
                 "the MRZ and barcodes keep the true values, the truth says what was changed")
      ->check(CLI::IsMember({"none", "birth_date", "surname"}))
      ->capture_default_str();
  app.add_option("-j,--jobs", jobs, "Documents rendered in parallel (default: cores)")->check(CLI::Range(0u, 256u));
  app.add_flag("-q,--quiet", quiet, "No diagnostics on stderr");
  app.add_flag("--pretty", pretty, "Indent the JSON output for humans");
  if (auto code = cli::parse(app, argc, argv)) return *code;

  synth::Options opts;
  opts.type = type == "all" ? std::nullopt : synth::parseDocType(type);
  opts.capture = *synth::parseCapture(capture);
  opts.seed = seed;
  opts.max_side = max_side;
  opts.quality = quality;
  opts.faces_dir = faces;
  opts.tamper = *synth::parseTamper(tamper);
  if (!cards.empty()) {
    if (opts.capture != synth::Capture::scan) {
      fmt::print(stderr, "id-synth: --cards needs --capture scan\n");
      return cli::kExitUsage;
    }
    if (std::sscanf(cards.c_str(), "%d-%d", &opts.cards_min, &opts.cards_max) == 1) opts.cards_max = opts.cards_min;
  }
  if (!photo_size.empty()) std::sscanf(photo_size.c_str(), "%dx%d", &opts.photo_size.width, &opts.photo_size.height);
  const fs::path dir(out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) {
    fmt::print(stderr, "id-synth: cannot create output folder {}\n", out_dir);
    return cli::kExitUsage;
  }
  // Each worker renders whole documents; OpenCV's own threads would only compete.
  cv::setNumThreads(1);
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<uint64_t>(jobs, count));

  // Workers render ahead by a bounded window; the main thread writes in order.
  std::mutex mu;
  std::condition_variable cv_done, cv_room;
  std::map<uint64_t, std::vector<synth::Specimen>> ready;
  std::map<uint64_t, std::string> failed;
  std::atomic<uint64_t> next{0};
  uint64_t written = 0;
  const uint64_t window = 2ull * jobs + 2;
  std::vector<std::jthread> pool;
  for (unsigned w = 0; w < jobs; ++w)
    pool.emplace_back([&] {
      for (;;) {
        const uint64_t i = next++;
        if (i >= count) return;
        {
          std::unique_lock lk(mu);
          cv_room.wait(lk, [&] { return i < written + window; });
        }
        std::vector<synth::Specimen> sides;
        std::string error;
        try {
          sides = synth::generate(opts, first + i);
        } catch (const std::exception& e) {
          error = e.what();
        }
        std::lock_guard lk(mu);
        if (error.empty())
          ready[i] = std::move(sides);
        else
          failed[i] = error;
        cv_done.notify_all();
      }
    });

  int status = cli::kExitOk;
  for (uint64_t i = 0; i < count; ++i) {
    std::vector<synth::Specimen> sides;
    {
      std::unique_lock lk(mu);
      cv_done.wait(lk, [&] { return ready.contains(i) || failed.contains(i); });
      if (auto f = failed.find(i); f != failed.end()) {
        if (!quiet) fmt::print(stderr, "id-synth: document {} failed: {}\n", first + i, f->second);
        status = cli::kExitInternal;
        failed.erase(f);
        ++written;
        cv_room.notify_all();
        continue;
      }
      sides = std::move(ready[i]);
      ready.erase(i);
    }
    // A page of several documents is named "cards".
    const Json& first_truth = sides.front().truth;
    const std::string type_name = first_truth.contains("documents")
                                      ? std::string("cards")
                                      : first_truth["document"]["type"].get<std::string>();
    const std::string mode = sides.front().truth["capture"]["mode"].get<std::string>();
    const std::string base = fmt::format("{}-{}-s{}-{:04}", type_name, mode, seed, first + i);
    std::string stem = base;
    for (int n = 2; !free(dir, stem, sides); ++n) stem = fmt::format("{}-{}", base, n);
    for (auto& s : sides) {
      const fs::path img = dir / (stem + s.suffix + ".jpg"), truth = dir / (stem + s.suffix + ".truth.json");
      Json named{{"name", stem + s.suffix}};
      named.update(s.truth);
      const std::string text = named.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
      if (!writeNew(img, s.jpeg) ||
          !writeNew(truth, std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()))) {
        if (!quiet) fmt::print(stderr, "id-synth: cannot write {} (exists or unwritable)\n", img.string());
        status = cli::kExitError;
        continue;
      }
      Json about = Json::object();
      if (named.contains("documents")) {
        about["type"] = "cards";
        about["cards"] = named["documents"].size();
      } else {
        for (const char* k : {"type", "side", "kind"}) about[k] = named["document"][k];
      }
      about.update(Json{{"capture", mode}, {"seed", seed}, {"index", first + i}, {"width", s.size.width},
                        {"height", s.size.height}});
      Json rec{{"idkit", 1}, {"input", img.string()}, {"truth", truth.string()}, {"status", "ok"}, {"synth", about}};
      cli::writeRecord(rec, pretty);
    }
    std::lock_guard lk(mu);
    ++written;
    cv_room.notify_all();
  }
  return status;
}
