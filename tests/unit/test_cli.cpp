// idkit::cli: record lines read from a stream, whatever the stream holds;
// the per-document time limit.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <idkit/cli.hpp>

using namespace idkit;

TEST_CASE("readBoundedLine keeps at most max bytes and reads past the rest", "[cli]") {
  std::istringstream in("short\n" + std::string(200000, 'x') + "\nafter\nlast without separator");
  std::string text;
  bool too_long = true;
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "short");
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == std::string(100, 'x'));
  CHECK(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "after");
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(in, text, '\n', 100, too_long));
  CHECK(text == "last without separator");
  CHECK_FALSE(cli::readBoundedLine(in, text, '\n', 100, too_long));

  // a line exactly as long as the limit is kept whole; NUL-separated lists
  std::istringstream nul(std::string(100, 'y') + '\0' + std::string("b.jpg") + '\0');
  REQUIRE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
  CHECK(text.size() == 100);
  CHECK_FALSE(too_long);
  REQUIRE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
  CHECK(text == "b.jpg");
  CHECK_FALSE(cli::readBoundedLine(nul, text, '\0', 100, too_long));
}

TEST_CASE("readRecordLine says why a line gives no record, and goes on", "[cli]") {
  std::string stream = "{\"input\":\"a.jpg\"}\n\n{broken\n";
  stream += std::string(150, '[') + std::string(150, ']') + "\n";
  stream += "{\"x\":\"" + std::string(cli::kMaxLineBytes, 'z') + "\"}\n";
  stream += "{\"input\":\"b.jpg\",\"ref\":7}\n";
  std::istringstream in(std::move(stream));
  size_t n = 0;
  auto a = cli::readRecordLine(in, n);
  REQUIRE(a);
  REQUIRE(a->record);
  CHECK((*a->record)["input"] == "a.jpg");
  CHECK(a->number == 1);
  auto broken = cli::readRecordLine(in, n);
  REQUIRE(broken);
  CHECK(broken->number == 3);  // the blank line counted, not returned
  CHECK_FALSE(broken->record);
  CHECK(broken->why == "is not a JSON object");
  auto deep = cli::readRecordLine(in, n);
  REQUIRE(deep);
  CHECK_FALSE(deep->record);
  CHECK(deep->why == "nests deeper than 100 levels");
  auto big = cli::readRecordLine(in, n);
  REQUIRE(big);
  CHECK_FALSE(big->record);
  CHECK(big->why == "is longer than 64 MiB");
  CHECK(big->text.size() == cli::kMaxLineBytes);
  auto b = cli::readRecordLine(in, n);
  REQUIRE(b);
  REQUIRE(b->record);
  CHECK((*b->record)["ref"] == 7);
  CHECK(b->number == 6);
  CHECK_FALSE(cli::readRecordLine(in, n));
}

// cli::run as a tool would: in a child process (a timed-out document makes
// run() leave at once, without waiting for its worker), its records read
// back from the child's stdout.
namespace {
std::vector<Json> runInChild(const cli::Tool& tool, const cli::Options& opts, int& status) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::fflush(stdout);  // nothing of this process's own output goes down the pipe
  std::cout.flush();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    const int rc = cli::run(tool, opts);
    std::fflush(stdout);
    _exit(rc);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, std::size_t(n));
  close(fds[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  std::vector<Json> records;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    INFO("child's output line: " << line);
    REQUIRE(Json::accept(line));
    records.push_back(Json::parse(line));
  }
  return records;
}
}  // namespace

TEST_CASE("cli: the time limit (--timeout) counts CPU time and waiting only past 10 times the limit", "[cli]") {
  // "spin" computes until it is given up; "wait-N" sleeps N tenths of a
  // second using no CPU (a document held up by a loaded machine or a slow
  // disk), then finishes.
  cli::Tool tool{"id-test", [](Json& record) {
                   const std::string in = record["input"];
                   const auto t0 = std::chrono::steady_clock::now();
                   if (in == "spin") {
                     volatile double x = 0;
                     while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60)) x = x + 1;
                   } else {
                     std::this_thread::sleep_for(std::chrono::milliseconds(100 * std::stoi(in.substr(5))));
                   }
                   record["done"] = true;
                   return Status::ok;
                 }};
  cli::Options opts;
  opts.jobs = 1;
  opts.quiet = true;
  opts.timeout_s = 0.25;  // wall limit 2.5 s
  opts.inputs = {"wait-12", "spin", "wait-40", "wait-3"};
  const auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  const std::vector<Json> r = runInChild(tool, opts, status);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.size() == 4);
  CHECK(status == cli::kExitError);
  // 1.2 s waited, far past 0.25 s of wall clock, little CPU: done.
  CHECK(r[0]["input"] == "wait-12");
  CHECK(r[0].value("done", false));
  CHECK_FALSE(r[0].contains("errors"));
  // Computing: given up after 0.25 s of CPU, not 60 s.
  CHECK(r[1]["input"] == "spin");
  CHECK_FALSE(r[1].contains("done"));
  REQUIRE(r[1].contains("errors"));
  CHECK(r[1]["errors"][0]["code"] == "timeout");
  CHECK(r[1]["errors"][0]["message"].get<std::string>().find("CPU time") != std::string::npos);
  // Blocked past 10 times the limit of wall time: given up too.
  CHECK(r[2]["input"] == "wait-40");
  REQUIRE(r[2].contains("errors"));
  CHECK(r[2]["errors"][0]["code"] == "timeout");
  CHECK(r[2]["errors"][0]["message"].get<std::string>().find("wall time") != std::string::npos);
  // The batch goes on after both.
  CHECK(r[3].value("done", false));
  CHECK(took < 15);
}
