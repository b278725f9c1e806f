// For bench/mrz.sh: CPU time of reading the MRZ of each image on one core
// (decode + find + read + correct), measured with the thread's CPU clock so
// that other jobs on a shared machine do not inflate it.
// Prints "<file>\t<cpu ms>\t<valid|invalid|not_found>\t<decode ms>\t<record
// ms>\t<valid|invalid|not_found>" per image (cpu ms = decode + find + read +
// correct of the image as it is, mrz::read; the target counts find +
// read + correct, i.e. cpu ms - decode ms; record ms = id-mrz's own work on
// the file, mrz::readRecord with its default options: decode, the document
// found and flattened, read, the photo read too where that is not valid) and
// a last line "median <ms> read <ms> record <ms> record-decode <ms>".
// Usage: bench-mrz_speed IMAGE...
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/image.hpp>
#include <idkit/mrz_read.hpp>
#include <idkit/record.hpp>
#include <idkit/ocrb.hpp>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  cv::setNumThreads(1);
  (void)idkit::ocrb::Classifier::shared();
  std::vector<double> times, reads, records, record_reads;
  for (int i = 1; i < argc; ++i) {
    const double t0 = idkit::bench::cpuMs();
    auto img = idkit::loadImage(argv[i], idkit::ImageLimits{}, idkit::mrz::kReadSide);  // as id-mrz
    const double t1 = idkit::bench::cpuMs();
    const char* what = "unreadable";
    if (img) {
      const auto r = idkit::mrz::read(img->bgr);
      what = !r ? "not_found" : r->result.valid ? "valid" : "invalid";
    }
    const double ms = idkit::bench::cpuMs() - t0;
    times.push_back(ms);
    reads.push_back(ms - (t1 - t0));
    idkit::Json rec = idkit::newRecord(argv[i]);
    const char* rec_what = "not_found";
    const double t2 = idkit::bench::cpuMs();
    try {
      idkit::mrz::readRecord(rec, idkit::ImageLimits{}, idkit::mrz::ReadOptions{});
      rec_what = rec.contains("mrz") && rec["mrz"].value("valid", false) ? "valid" : "invalid";
    } catch (const idkit::Failure&) {
    }
    const double rec_ms = idkit::bench::cpuMs() - t2;
    records.push_back(rec_ms);
    record_reads.push_back(rec_ms - (t1 - t0));
    std::printf("%s\t%.1f\t%s\t%.1f\t%.1f\t%s\n", argv[i], ms, what, t1 - t0, rec_ms, rec_what);
  }
  if (times.empty()) return 64;
  std::printf("median %.1f read %.1f record %.1f record-decode %.1f\n", idkit::bench::median(times),
              idkit::bench::median(reads), idkit::bench::median(records), idkit::bench::median(record_reads));
  return 0;
}
