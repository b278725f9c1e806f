// id-seal: keep records safely: key pairs, sealed records, keyed pseudonyms,
// a signed hash-chained audit log.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <idkit/cli.hpp>
#include <idkit/seal.hpp>

using idkit::Json;
using idkit::Status;
namespace seal = idkit::seal;

namespace {

constexpr const char* kTool = "id-seal";

// What to write for one input line: a record, or the line itself unchanged.
struct Output {
  Json record;
  bool verbatim = false;  // write the input line byte for byte (its status is record's)
};

// Reads NDJSON records from the files named (or stdin), calls `each` with
// the line and its parsed record, writes what it returns (an error record for
// a line that is not a JSON object), and returns the exit status of the worst
// record written.
int forEachRecord(const std::vector<std::string>& files, bool quiet, bool pretty,
                  const std::function<Output(const std::string& line, Json record)>& each) {
  if (files.empty() && isatty(STDIN_FILENO)) {
    fmt::print(stderr, "{}: pipe records on stdin or name record files\n", kTool);
    return idkit::cli::kExitUsage;
  }
  Status worst = Status::ok;
  auto write = [&](const Json& rec) {
    worst = idkit::worst(worst, idkit::recordStatus(rec));
    idkit::cli::writeRecord(rec, pretty);
  };
  auto run = [&](std::istream& in, const std::string& name) {
    size_t lineNo = 0;
    while (auto line = idkit::cli::readRecordLine(in, lineNo)) {
      if (!line->record) {
        std::string msg = fmt::format("{} line {} {}", name, line->number, line->why);
        if (!quiet) fmt::print(stderr, "{}: bad_record: {}\n", kTool, msg);
        write(idkit::errorRecord(fmt::format("<{} line {}>", name, line->number), kTool, "bad_record", msg));
        continue;
      }
      Json& rec = *line->record;
      size_t errorsBefore = rec.contains("errors") && rec["errors"].is_array() ? rec["errors"].size() : 0;
      Output out = each(line->text, std::move(rec));
      const Json& r = out.record;
      if (!quiet && r.contains("errors") && r["errors"].is_array() && r["errors"].size() > errorsBefore) {
        const Json& e = r["errors"].back();
        fmt::print(stderr, "{}: {}: {}\n", kTool, e.value("code", ""), e.value("message", ""));
      }
      if (out.verbatim) {
        worst = idkit::worst(worst, idkit::recordStatus(r));
        std::fwrite(line->text.data(), 1, line->text.size(), stdout);
        std::fputc('\n', stdout);
      } else {
        write(r);
      }
    }
  };
  if (files.empty()) {
    run(std::cin, "stdin");
  } else {
    for (const auto& f : files) {
      std::ifstream in(f);
      if (!in) {
        if (!quiet) fmt::print(stderr, "{}: not_found: cannot open {}\n", kTool, f);
        write(idkit::errorRecord(f, kTool, "not_found", fmt::format("cannot open {}", f)));
        continue;
      }
      run(in, f);
    }
  }
  std::fflush(stdout);
  return idkit::cli::exitFor(worst);
}

idkit::Expected<seal::SecretKey> secretKey(const std::string& path) {
  std::string warning;
  auto k = seal::loadSecretKey(path, &warning);
  if (!warning.empty()) fmt::print(stderr, "{}: warning: {}\n", kTool, warning);
  return k;
}

int keyError(const idkit::Error& e) {
  fmt::print(stderr, "{}: {}\n", kTool, e.message);
  return idkit::cli::kExitError;
}

std::string utcNow() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

// Appends signed entries to the log, holding an exclusive lock so that two
// processes never interleave one chain.
class LogWriter {
 public:
  LogWriter(const std::string& path, const seal::SecretKey& key) : key_(key) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error_ = {"audit_log_failed", fmt::format("cannot open the log {}: {}", path, std::strerror(errno))};
      return;
    }
    if (::flock(fd_, LOCK_EX) != 0) {
      error_ = {"audit_log_failed", fmt::format("cannot lock the log {}", path)};
      return;
    }
    std::ifstream in(path);
    auto head = seal::readLogHead(in, key.pub);
    if (!head) {
      error_ = {"audit_log_failed", fmt::format("{}: {}; not extending it", path, head.error().message)};
      return;
    }
    head_ = *head;
  }
  ~LogWriter() {
    if (fd_ >= 0) {
      ::fdatasync(fd_);
      ::close(fd_);  // also releases the lock
    }
  }
  const idkit::Error& error() const { return error_; }

  bool append(const std::string& recordLine, const Json& record, const std::string& at) {
    if (!error_.code.empty()) return false;
    seal::LogHead next = head_;
    std::string entry = seal::logEntry(next, recordLine, record, key_, at) + "\n";
    size_t done = 0;
    while (done < entry.size()) {
      ssize_t n = ::write(fd_, entry.data() + done, entry.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = {"audit_log_failed", fmt::format("cannot write the log: {}", std::strerror(errno))};
        return false;
      }
      done += size_t(n);
    }
    head_ = next;
    return true;
  }

 private:
  const seal::SecretKey& key_;
  int fd_ = -1;
  seal::LogHead head_;
  idkit::Error error_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Keep idkit records safely: seal them to a public key, open them, add keyed pseudonyms, "
               "keep a signed hash-chained audit log"};
  app.set_version_flag("--version", std::string("idkit ") + IDKIT_VERSION);
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No diagnostics on stderr");

  std::string prefix;
  auto* keygen = app.add_subcommand("keygen", "Make a key pair: PREFIX.public.json and PREFIX.secret.json (0600)");
  keygen->add_option("--out", prefix, "Path prefix of the two key files")->required();

  std::string keyPath, logPath, at;
  std::vector<std::string> files, keep{"status", "pseudonym"};
  bool pretty = false;

  auto* sealCmd = app.add_subcommand("seal", "Encrypt each record to a public key");
  sealCmd->add_option("--to", keyPath, "Public (or secret) key file of the recipient")->required();
  sealCmd->add_option("--keep", keep, "Keys kept in clear beside the sealed data (default: status pseudonym)")
      ->delimiter(',');
  sealCmd->add_option("records", files, "NDJSON record files (default: stdin)");

  auto* openCmd = app.add_subcommand("open", "Decrypt sealed records with the secret key");
  openCmd->add_option("--key", keyPath, "Secret key file")->required();
  openCmd->add_flag("--pretty", pretty, "Indent the JSON output");
  openCmd->add_option("records", files, "NDJSON record files (default: stdin)");

  auto* pseudoCmd = app.add_subcommand("pseudonym", "Add keyed pseudonyms of the document and the person");
  pseudoCmd->add_option("--key", keyPath, "Secret key file")->required();
  pseudoCmd->add_option("records", files, "NDJSON record files (default: stdin)");

  auto* logCmd = app.add_subcommand("log", "Pass records through, appending a signed entry for each to a log");
  logCmd->add_option("--key", keyPath, "Secret key file (signs the entries)")->required();
  logCmd->add_option("--log", logPath, "Audit log file (created 0600 when missing, appended to)")->required();
  logCmd->add_option("--at", at, "Time written in the entries (default: now, UTC)");
  logCmd->add_option("records", files, "NDJSON record files (default: stdin)");

  std::vector<std::string> logs;
  auto* verifyCmd = app.add_subcommand("verify", "Check audit logs: signatures, sequence, hash chain");
  verifyCmd->add_option("--key", keyPath, "Public (or secret) key file of the signer")->required();
  verifyCmd->add_option("logs", logs, "Audit log files")->required();

  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;
  try {
    seal::init();
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", kTool, e.what());
    return idkit::cli::kExitInternal;
  }

  if (keygen->parsed()) {
    auto written = seal::writeKeyPair(prefix, seal::generate());
    if (!written) return keyError(written.error());
    auto pub = seal::loadPublicKey((*written)[0]);
    if (!pub) return keyError(pub.error());
    idkit::cli::writeRecord({{"id", pub->id()}, {"public", (*written)[0]}, {"secret", (*written)[1]}}, false);
    return idkit::cli::kExitOk;
  }

  if (sealCmd->parsed()) {
    auto key = seal::loadPublicKey(keyPath);
    if (!key) return keyError(key.error());
    return forEachRecord(files, quiet, false,
                         [&](const std::string&, Json rec) { return Output{seal::sealRecord(rec, *key, keep)}; });
  }

  if (openCmd->parsed()) {
    auto key = secretKey(keyPath);
    if (!key) return keyError(key.error());
    return forEachRecord(files, quiet, pretty, [&](const std::string&, Json rec) {
      auto opened = seal::openRecord(rec, *key);
      if (opened) return Output{std::move(*opened)};
      // The sealed record goes out as it came, with the error: nothing is lost.
      idkit::addError(rec, kTool, opened.error().code, opened.error().message);
      return Output{std::move(rec)};
    });
  }

  if (pseudoCmd->parsed()) {
    auto key = secretKey(keyPath);
    if (!key) return keyError(key.error());
    return forEachRecord(files, quiet, false, [&](const std::string&, Json rec) {
      rec["pseudonym"] = seal::pseudonyms(rec, *key);
      return Output{std::move(rec)};
    });
  }

  if (logCmd->parsed()) {
    auto key = secretKey(keyPath);
    if (!key) return keyError(key.error());
    if (at.empty()) at = utcNow();
    LogWriter log(logPath, *key);
    return forEachRecord(files, quiet, false, [&](const std::string& line, Json rec) {
      // Written byte for byte as read: the entry's hash names this line.
      if (log.append(line, rec, at)) return Output{std::move(rec), true};
      idkit::addError(rec, kTool, log.error().code, log.error().message);
      return Output{std::move(rec)};
    });
  }

  if (verifyCmd->parsed()) {
    auto key = seal::loadPublicKey(keyPath);
    if (!key) return keyError(key.error());
    int code = idkit::cli::kExitOk;
    for (const auto& path : logs) {
      std::ifstream in(path);
      Json out{{"log", path}, {"key", key->id()}};
      if (!in) {
        out["valid"] = false;
        out["reason"] = "cannot open the log";
        code = std::max(code, idkit::cli::kExitError);
      } else {
        auto v = seal::verifyLog(in, *key);
        out.update(v.toJson());
        if (!v.valid) code = std::max(code, idkit::cli::kExitRejected);
      }
      if (!quiet && !out["valid"].get<bool>())
        fmt::print(stderr, "{}: {}: line {}: {}\n", kTool, path, out.value("first_bad_line", 0),
                   out.value("reason", std::string()));
      idkit::cli::writeRecord(out, false);
    }
    return code;
  }
  return idkit::cli::kExitUsage;
}
