#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <omp.h>
#include <opencv2/core.hpp>

#include <idkit/cli.hpp>

namespace idkit::cli {
namespace {

// Tesseract's LSTM spreads every line over OpenMP threads, while idkit already
// runs one document per core (-j): those threads only contend (id-ocr -j 1
// spent half its CPU spinning in libgomp). With max-active-levels 0 every
// OpenMP region runs on the thread that reaches it. A user's own OMP_* limits
// are kept.
void limitOpenMp() {
  for (const char* v : {"OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OMP_MAX_ACTIVE_LEVELS"})
    if (std::getenv(v) != nullptr) return;
  omp_set_max_active_levels(0);
}

// CPU seconds a thread has used, by its CPU clock (pthread_getcpuclockid).
double cpuSeconds(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0;
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

}  // namespace

void addCommonOptions(CLI::App& app, Options& opts) {
  app.set_version_flag("--version", std::string("idkit ") + IDKIT_VERSION);
  app.add_option("inputs", opts.inputs, "Image files; '-' reads paths from stdin. Without inputs, "
                                        "stdin holds records (NDJSON) or paths");
  app.add_option("--files-from", opts.files_from, "Read input paths from this file ('-' = stdin)");
  app.add_flag("-0,--null", opts.null_separated, "Paths in --files-from / stdin are NUL-separated");
  app.add_option("-j,--jobs", opts.jobs, "Documents processed in parallel (default: cores)")
      ->check(CLI::Range(0u, 256u));
  app.add_option("--timeout", opts.timeout_s,
                 fmt::format("Per-document limit in seconds of CPU time (a document blocked without using "
                             "the CPU is given up after {} times as long in wall time)",
                             kWallTimeoutFactor))
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_flag("--pretty", opts.pretty, "Indent the JSON output for humans");
  app.add_flag("-q,--quiet", opts.quiet, "No progress or diagnostics on stderr");
  app.add_option("--max-bytes", opts.limits.max_bytes, "Largest input file in bytes")
      ->capture_default_str();
  app.add_option("--max-pixels", opts.limits.max_pixels, "Largest image in pixels (width x height)")
      ->capture_default_str();
  app.add_option("--max-side", opts.limits.max_side, "Largest image side in pixels")
      ->capture_default_str();
}

void addPair(CLI::App& app, Options& opts) {
  app.add_option("--pair", opts.pair_file,
                 "NDJSON records of the documents' other sides (e.g. id-barcode on the licence backs): X-front "
                 "pairs with X-back, whose barcode is read against too");
}

void addAsOf(CLI::App& app, Options& opts) {
  app.add_option("--as-of", opts.as_of,
                 "Reference date YYYY-MM-DD for expiry and age (keeps runs reproducible)")
      ->check([](const std::string& s) -> std::string {
        bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
        for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) ok = ok && i < s.size() && std::isdigit(s[i]);
        return ok ? "" : "expected a date as YYYY-MM-DD";
      });
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return std::nullopt;
}

bool unopenable(const Json& record) {
  static const std::set<std::string, std::less<>> kInputErrors = {
      "not_found", "is_directory", "not_regular_file", "unreadable", "empty_file", "too_large",
      "unsupported_format", "truncated", "too_many_pixels", "decode_failed", "bad_record",
      "missing_input"};
  if (recordStatus(record) != Status::error) return false;
  auto it = record.find("errors");
  if (it == record.end() || !it->is_array()) return true;
  for (const Json& e : *it) {
    auto code = e.find("code");
    if (code != e.end() && code->is_string() && kInputErrors.count(code->get_ref<const std::string&>()))
      return true;
  }
  return false;
}

bool useColor() {
  const char* no = std::getenv("NO_COLOR");
  return isatty(STDERR_FILENO) && !(no && *no);
}

void writeRecord(const Json& record, bool pretty) {
  std::string line = pretty ? record.dump(2, ' ', false, Json::error_handler_t::replace)
                            : record.dump(-1, ' ', false, Json::error_handler_t::replace);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

namespace {

using Clock = std::chrono::steady_clock;

// One input as read: a path, or a record line from a previous tool.
struct Item {
  std::optional<Json> record;  // set: ready-made (a record, or an error record)
  std::string path;
};

// Streams inputs one at a time so that a 100k-line input never sits in memory.
class InputReader {
 public:
  explicit InputReader(const Options& opts) : opts_(opts) {
    if (!opts.files_from.empty()) {
      if (opts.files_from == "-") {
        pathStreams_.push_back(&std::cin);
      } else {
        file_ = std::make_unique<std::ifstream>(opts.files_from);
        if (!*file_) throw CLI::ValidationError("--files-from", "cannot open " + opts.files_from);
        pathStreams_.push_back(file_.get());
      }
    }
    if (opts.inputs.empty() && opts.files_from.empty()) {
      if (isatty(STDIN_FILENO))
        throw CLI::ValidationError("inputs", "no inputs: give image paths, or pipe records or paths");
      stdinMode_ = true;
    }
  }

  std::optional<Item> next() {
    // Positional arguments first ('-' switches to paths from stdin).
    while (argIndex_ < opts_.inputs.size()) {
      const std::string& a = opts_.inputs[argIndex_++];
      if (a == "-") {
        stdinPaths_ = true;
        break;
      }
      return Item{std::nullopt, a};
    }
    if (stdinPaths_) {
      if (auto p = readPath(std::cin)) return Item{std::nullopt, *p};
      stdinPaths_ = false;
    }
    while (!pathStreams_.empty()) {
      if (auto p = readPath(*pathStreams_.front())) return Item{std::nullopt, *p};
      pathStreams_.pop_front();
    }
    if (stdinMode_) return readStdin();
    return std::nullopt;
  }

 private:
  std::optional<std::string> readPath(std::istream& in) {
    std::string line;
    char sep = opts_.null_separated ? '\0' : '\n';
    bool too_long = false;  // no path is that long: its file is not found
    while (readBoundedLine(in, line, sep, kMaxLineBytes, too_long)) {
      if (!opts_.null_separated && !line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) return line;
    }
    return std::nullopt;
  }

  std::optional<Item> readStdin() {
    auto line = readRecordLine(std::cin, lineNo_, opts_.null_separated ? '\0' : '\n');
    if (!line) return std::nullopt;
    if (!recordsMode_) {
      const auto first = line->text.find_first_not_of(" \t\r");
      recordsMode_ = first == std::string::npos || line->text[first] == '{';
    }
    if (!*recordsMode_ && line->why.starts_with("is longer"))
      return Item{errorRecord(fmt::format("<stdin line {}>", lineNo_), "idkit", "bad_record",
                              fmt::format("stdin line {} {}", lineNo_, line->why)),
                  {}};
    if (!*recordsMode_) return Item{std::nullopt, line->text};
    return Item{checkRecord(std::move(*line)), {}};
  }

  Json checkRecord(RecordLine line) {
    if (!line.record)
      return errorRecord(fmt::format("<stdin line {}>", lineNo_), "idkit", "bad_record",
                         fmt::format("stdin line {} {}", lineNo_, line.why));
    Json r = std::move(*line.record);
    auto in = r.find("input");
    if (in == r.end() || !in->is_string() || in->get_ref<const std::string&>().empty()) {
      addError(r, "idkit", "missing_input",
               fmt::format("stdin line {}: the record has no \"input\" path", lineNo_));
    }
    return r;
  }

  const Options& opts_;
  size_t argIndex_ = 0;
  bool stdinPaths_ = false;
  bool stdinMode_ = false;
  std::optional<bool> recordsMode_;
  size_t lineNo_ = 0;
  std::unique_ptr<std::ifstream> file_;
  std::deque<std::istream*> pathStreams_;
};

// A document in flight. The writer waits on the oldest slot; workers fill them.
struct Slot {
  Json record;
  bool ready = false;          // record holds the final result
  bool started = false;
  Clock::time_point start;
  clockid_t cpu_clock{};       // the CPU clock of the worker thread on it
  double cpu_start = 0;        // that clock's reading when the worker took it
  std::string timeout_why;     // set when the document ran past its limit
  bool internal = false;       // an unexpected exception
};

class Executor {
 public:
  Executor(const Tool& tool, unsigned workers) : tool_(tool) {
    for (unsigned i = 0; i < workers; ++i) addWorker();
  }
  ~Executor() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_.notify_all();
    for (auto& t : threads_) t.join();  // run() never gets here after a timeout
  }

  bool timedOut() const { return timedOut_; }

  void submit(std::shared_ptr<Slot> slot) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(slot));
    }
    work_.notify_one();
  }

  // Waits until the slot is done or has run past the limit. Returns false on
  // timeout. The limit is on the CPU time the worker spends on the document,
  // so that a result does not depend on what else the machine runs (a loaded
  // machine gives each document less of the wall clock); a document that is
  // blocked without using the CPU (a stalled read) is given up after
  // kWallTimeoutFactor times the limit of wall time.
  bool wait(Slot& slot, double timeout_s) {
    std::unique_lock lock(mu_);
    const double wall_limit = kWallTimeoutFactor * timeout_s;
    while (!slot.ready) {
      if (!slot.started) {
        done_.wait(lock);
        continue;
      }
      const double cpu = cpuSeconds(slot.cpu_clock) - slot.cpu_start;
      const double wall = std::chrono::duration<double>(Clock::now() - slot.start).count();
      if (cpu >= timeout_s || wall >= wall_limit) {
        addWorkerLocked();  // the stuck worker's place is taken by a new one
        timedOut_ = true;
        slot.timeout_why = cpu >= timeout_s
                               ? fmt::format("processing used more than the {} s of CPU time allowed (--timeout)",
                                             timeout_s)
                               : fmt::format("processing did not finish in {} s of wall time ({} times --timeout)",
                                             wall_limit, kWallTimeoutFactor);
        return false;
      }
      // One thread's CPU time grows no faster than the wall clock: neither
      // limit can be reached before this (a few wake-ups per document).
      const double next = std::max(0.01, std::min(timeout_s - cpu, wall_limit - wall));
      done_.wait_for(lock, std::chrono::duration<double>(next), [&] { return slot.ready; });
    }
    return true;
  }

  std::mutex& mutex() { return mu_; }

 private:
  void addWorker() {
    std::lock_guard lock(mu_);
    addWorkerLocked();
  }
  void addWorkerLocked() { threads_.emplace_back([this] { loop(); }); }

  void loop() {
    cv::setNumThreads(1);  // parallelism is across documents, not inside one
    limitOpenMp();         // an OpenMP setting of the thread that runs the regions
    clockid_t cpu_clock = CLOCK_THREAD_CPUTIME_ID;
    pthread_getcpuclockid(pthread_self(), &cpu_clock);
    for (;;) {
      std::shared_ptr<Slot> slot;
      Json record;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        slot = std::move(queue_.front());
        queue_.pop_front();
        slot->started = true;
        slot->start = Clock::now();
        slot->cpu_clock = cpu_clock;
        slot->cpu_start = cpuSeconds(cpu_clock);
        record = slot->record;
      }
      done_.notify_all();
      bool internal = process(record);
      {
        std::lock_guard lock(mu_);
        if (!slot->ready) {
          slot->record = std::move(record);
          slot->internal = internal;
          slot->ready = true;
        }
      }
      done_.notify_all();
    }
  }

  // Returns true when an unexpected exception escaped the tool.
  bool process(Json& record) {
    if (tool_.skip_errored && unopenable(record)) return false;
    auto t0 = Clock::now();
    bool internal = false;
    try {
      Status s = tool_.process(record);
      mergeStatus(record, s);
    } catch (const Failure& f) {
      addError(record, tool_.name, f.code(), f.what());
    } catch (const cv::Exception& e) {
      addError(record, tool_.name, "internal_error", fmt::format("OpenCV: {}", e.what()));
      internal = true;
    } catch (const std::exception& e) {
      addError(record, tool_.name, "internal_error", e.what());
      internal = true;
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    record["timing_ms"][tool_.name] = std::round(ms * 10) / 10;
    return internal;
  }

  const Tool& tool_;
  std::mutex mu_;
  std::condition_variable work_, done_;
  std::deque<std::shared_ptr<Slot>> queue_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
  bool timedOut_ = false;
};

class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void tick() {
    ++count_;
    if (on_ && count_ > 1) std::fprintf(stderr, "\r%zu done", count_);
  }
  ~Progress() {
    if (on_ && count_ > 1) std::fprintf(stderr, "\r%zu done\n", count_);
  }

 private:
  bool on_;
  size_t count_ = 0;
};

// One line on stderr for an error this tool (or the reader) just added.
void reportNewError(const std::string& tool, const Json& record) {
  auto it = record.find("errors");
  if (it == record.end() || !it->is_array() || it->empty()) return;
  const Json& e = it->back();
  std::string by = e.value("tool", std::string());
  if (by != tool && by != "idkit") return;
  std::fprintf(stderr, "%s: %s: %s\n", tool.c_str(), e.value("code", std::string()).c_str(),
               e.value("message", std::string()).c_str());
}

}  // namespace

int exitFor(Status s) {
  switch (s) {
    case Status::ok: return kExitOk;
    case Status::rejected: return kExitRejected;
    case Status::error: return kExitError;
  }
  return kExitError;
}

bool readBoundedLine(std::istream& in, std::string& text, char separator, std::size_t max, bool& too_long) {
  text.clear();
  too_long = false;
  bool any = false;
  std::array<char, 1 << 16> chunk;
  while (in.good()) {
    in.getline(chunk.data(), static_cast<std::streamsize>(chunk.size()), separator);
    const bool full = in.fail() && !in.eof();  // the chunk filled before the separator came
    const bool found = !in.fail() && !in.eof();
    const auto got = static_cast<std::size_t>(in.gcount());
    const std::size_t kept = found ? got - 1 : got;
    any = any || got > 0;
    const std::size_t room = max - std::min(max, text.size());
    text.append(chunk.data(), std::min(kept, room));
    too_long = too_long || kept > room;
    if (!full) break;
    in.clear();
  }
  if (any && in.eof()) in.clear(std::ios::eofbit);  // a last line without its separator is a line
  return any;
}

std::optional<RecordLine> readRecordLine(std::istream& in, size_t& lineNo, char separator) {
  std::string text;
  bool too_long = false;
  while (readBoundedLine(in, text, separator, kMaxLineBytes, too_long)) {
    ++lineNo;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t\r") == std::string::npos && !too_long) continue;
    RecordLine line{std::move(text), lineNo, std::nullopt, {}};
    if (too_long) {
      line.why = fmt::format("is longer than {} MiB", kMaxLineBytes >> 20);
      return line;
    }
    Json parsed = parseJson(line.text);
    if (!parsed.is_discarded() && parsed.is_object()) line.record = std::move(parsed);
    else if (jsonDepth(line.text) > kMaxJsonDepth) line.why = fmt::format("nests deeper than {} levels", kMaxJsonDepth);
    else line.why = "is not a JSON object";
    return line;
  }
  return std::nullopt;
}

int run(const Tool& tool, const Options& opts) {
  std::unique_ptr<InputReader> reader;
  try {
    reader = std::make_unique<InputReader>(opts);
  } catch (const CLI::Error& e) {
    std::fprintf(stderr, "%s: %s\n", tool.name.c_str(), e.what());
    return kExitUsage;
  }
  unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  const size_t window = 4 * size_t(jobs);  // bounded memory: a few documents per worker
  Executor exec(tool, jobs);
  Progress progress(!opts.quiet && isatty(STDERR_FILENO));

  int exitCode = kExitOk;
  bool internal = false;
  std::deque<std::shared_ptr<Slot>> inFlight;
  bool more = true;
  while (more || !inFlight.empty()) {
    while (more && inFlight.size() < window) {
      auto item = reader->next();
      if (!item) {
        more = false;
        break;
      }
      auto slot = std::make_shared<Slot>();
      if (item->record) {
        slot->record = std::move(*item->record);
      } else {
        slot->record = newRecord(item->path);
      }
      inFlight.push_back(slot);
      exec.submit(slot);
    }
    if (inFlight.empty()) break;
    auto slot = inFlight.front();
    inFlight.pop_front();
    Json out;
    if (exec.wait(*slot, opts.timeout_s)) {
      std::lock_guard lock(exec.mutex());
      out = std::move(slot->record);
      internal = internal || slot->internal;
    } else {
      std::lock_guard lock(exec.mutex());
      out = slot->record;  // the record as it came in; the late result is dropped
      slot->ready = true;
      addError(out, tool.name, "timeout", slot->timeout_why);
    }
    exitCode = std::max(exitCode, exitFor(recordStatus(out)));
    if (!opts.quiet) reportNewError(tool.name, out);
    writeRecord(out, opts.pretty);
    progress.tick();
  }
  int status = internal ? kExitInternal : exitCode;
  if (exec.timedOut()) {
    // A worker is still busy with a document we gave up on: leave without
    // waiting for it.
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(status);
  }
  return status;
}

}  // namespace idkit::cli
