// What every id-* tool shares: the common flags, reading inputs (paths or
// records), the ordered parallel executor, and the exit status.
#pragma once
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <idkit/image.hpp>
#include <idkit/record.hpp>

namespace idkit::cli {

// Exit statuses (DESIGN.md): the worst document decides.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitError = 2;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitInternal = 70;

struct Options {
  std::vector<std::string> inputs;  // image paths; "-" reads paths from stdin
  std::string files_from;           // a file of paths, one a line ("-" = stdin)
  bool null_separated = false;      // -0: paths are NUL-separated
  unsigned jobs = 0;                // 0 = number of cores
  double timeout_s = 30;            // per document, CPU seconds (see kWallTimeoutFactor)
  bool pretty = false;
  bool quiet = false;
  ImageLimits limits;
  std::string as_of;                // YYYY-MM-DD; tools that need a date require it
  std::string pair_file;            // --pair: records of the documents' other sides (addPair)
};

// --timeout limits the CPU time a worker spends on one document; a document
// blocked without using the CPU is given up after this many times the limit
// of wall time.
inline constexpr double kWallTimeoutFactor = 10;

// Adds -j, --timeout, --pretty, --quiet, --files-from, -0, --max-bytes,
// --max-pixels, --max-side and the positional inputs. `as_of` is only added
// by tools that use dates (addAsOf).
void addCommonOptions(CLI::App& app, Options& opts);
void addAsOf(CLI::App& app, Options& opts);
// --pair FILE: NDJSON records of two-sided documents' other sides (id-check
// compares their barcode, id-ocr reads against it; see check::Pairs).
void addPair(CLI::App& app, Options& opts);

// Parses the command line. Returns the exit status to return at once (0 after
// --help/--version, 64 on a usage error), or nullopt to go on.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

struct Tool {
  std::string name;  // "id-mrz": used in errors and timing_ms
  // Adds the tool's section to the record. Throw Failure for a document that
  // cannot be processed; return Status::rejected for a negative answer.
  std::function<Status(Json& record)> process;
  // Records whose input could not be opened (see unopenable) pass through
  // untouched. A record that another tool failed on (no MRZ on a driving
  // licence) is still processed: the image is fine.
  bool skip_errored = true;
};

// Reads inputs (arguments, --files-from, or stdin: records when it starts with
// '{', else paths), runs `tool.process` on `opts.jobs` threads and writes one
// NDJSON line per input to stdout, in input order. Returns the exit status.
int run(const Tool& tool, const Options& opts);

// True when an earlier tool could not open the record's input at all (a
// missing, unreadable, oversized or undecodable file, a broken record line).
bool unopenable(const Json& record);

// Colour on stderr: only on a terminal, and never with NO_COLOR set.
bool useColor();

// Writes one record to stdout (one line, or indented with --pretty).
void writeRecord(const Json& record, bool pretty);

// The exit status a record of this status calls for (the worst record decides
// a tool's exit status).
int exitFor(Status status);

// Records are a few kilobytes; a line longer than this is refused, its
// bytes read past and dropped (a stream of zeros or a file piped by mistake
// must not hold the whole of itself in memory).
inline constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

// One line of an NDJSON record stream.
struct RecordLine {
  std::string text;            // as read, without a trailing '\r' (its first kMaxLineBytes when longer)
  size_t number = 0;           // 1-based line number in its stream
  std::optional<Json> record;  // the parsed object; nullopt when the line is not a JSON object
  std::string why;             // when there is no record: "is not a JSON object", "is longer than 64 MiB", ...
};

// Reads the next non-blank line of `in` (`lineNo` counts the lines read so
// far, blank ones included); nullopt at the end of the stream.
std::optional<RecordLine> readRecordLine(std::istream& in, size_t& lineNo, char separator = '\n');

// Reads up to `separator` or the end of `in` into `text`, keeping at most
// `max` bytes (the rest of the line is read and dropped); false at the end of
// the stream with nothing read. `too_long` tells whether bytes were dropped.
bool readBoundedLine(std::istream& in, std::string& text, char separator, std::size_t max, bool& too_long);

}  // namespace idkit::cli
