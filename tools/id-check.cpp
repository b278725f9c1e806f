// id-check: cross-check everything in the record and give a verdict with reasons.
#include <fmt/format.h>

#include <idkit/check.hpp>
#include <idkit/cli.hpp>
#include <idkit/paths.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Cross-check identity-document records (MRZ, printed fields, barcode, expiry, age, face) "
               "and give a verdict with reasons"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  idkit::cli::addAsOf(app, opts);
  std::string policy_file;
  int min_age = 0;
  bool claims = false;
  std::vector<std::string> keep{"ref"};
  app.add_option("--policy", policy_file, "Policy JSON: which reason codes fail, warn or are ignored "
                                          "(default: share/idkit/policy/default.json)");
  app.add_option("--min-age", min_age, "Minimum age in years on the --as-of date")->check(CLI::Range(1, 150));
  app.add_flag("--claims", claims, "Write only derived claims (age over N, valid until, nationality, face "
                                   "matched, pass), no personal fields");
  app.add_option("--keep", keep, "With --claims: record keys to keep (default: ref); e.g. --keep ref,input")
      ->delimiter(',');
  idkit::cli::addPair(app, opts);
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  const auto pairs = idkit::check::Pairs::load(opts.pair_file);
  if (!pairs) {
    fmt::print(stderr, "id-check: {}\n", pairs.error().message);
    return idkit::cli::kExitUsage;
  }

  idkit::check::Options copts;
  copts.min_age = min_age;
  if (policy_file.empty()) {
    if (auto found = idkit::findData("policy/default.json")) policy_file = found->string();
  }
  if (!policy_file.empty()) {
    auto p = idkit::check::Policy::load(policy_file);
    if (!p) {
      fmt::print(stderr, "id-check: {}\n", p.error().message);
      return idkit::cli::kExitUsage;
    }
    copts.policy = std::move(*p);
  }
  // No --as-of: today, fixed once for the whole batch and written into every record.
  copts.as_of = opts.as_of.empty() ? idkit::check::today() : opts.as_of;

  idkit::cli::Tool tool{"id-check", [&](idkit::Json& rec) {
    const idkit::check::Result r = idkit::check::evaluate(rec, copts, pairs->partnerOf(rec));
    if (claims)
      rec = idkit::check::claims(rec, r, keep);
    else
      rec["check"] = r.toJson();
    return r.pass ? idkit::Status::ok : idkit::Status::rejected;
  }};
  tool.skip_errored = false;  // errored records still get a verdict: not_processed
  return idkit::cli::run(tool, opts);
}
