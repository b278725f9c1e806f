// For bench/ocr.sh: CPU time of id-ocr's work on each flat card (template
// chosen and its regions read, as id-ocr does it), beside a plain Tesseract
// reading of the same card (eng, automatic page segmentation: what
// `tesseract CARD -` does) in the same process, the two taken in turn card by
// card so that load on a shared machine falls on both alike. Both engines
// are started on the first card before timing (model loading is a one-off).
// CPU time is the whole process's (Tesseract may run OpenMP threads; run with
// OMP_THREAD_LIMIT=1 for one core).
// Reads records (id-mrz's output, with .image) on stdin; prints
// "<input>\t<template>\t<id-ocr ms>\t<tesseract ms>" per card and a last line
// "median <id-ocr ms> tesseract <ms> ratio <r> cards <n>".
// Usage: bench-ocr_speed TEMPLATE_DIR < records.ndjson
#include <time.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>

#include <idkit/image.hpp>
#include <idkit/ocr.hpp>
#include <idkit/record.hpp>

#include "bench_util.hpp"

namespace {

double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench-ocr_speed TEMPLATE_DIR < records.ndjson\n");
    return 64;
  }
  cv::setNumThreads(1);
  auto templates = idkit::ocr::loadTemplates(argv[1]);
  if (!templates) {
    std::fprintf(stderr, "bench-ocr_speed: %s\n", templates.error().message.c_str());
    return 66;
  }
  tesseract::TessBaseAPI plain;
  if (plain.Init(nullptr, "eng", tesseract::OEM_LSTM_ONLY) != 0) {
    std::fprintf(stderr, "bench-ocr_speed: Tesseract cannot load eng\n");
    return 69;
  }
  plain.SetPageSegMode(tesseract::PSM_AUTO);
  auto& engine = idkit::ocr::threadEngine();

  std::vector<double> ours, theirs;
  bool warm = false;
  std::string line;
  while (std::getline(std::cin, line)) {
    idkit::Json rec = idkit::Json::parse(line, nullptr, false);
    if (!rec.is_object() || !rec.contains("image")) continue;
    cv::Mat card;
    try {
      card = idkit::loadRecordImage(rec, idkit::ImageLimits{}).bgr;
    } catch (const std::exception&) {
      continue;  // unreadable card: id-ocr reports it, nothing to time
    }
    if (card.empty()) continue;
    auto ocrCard = [&] {
      const idkit::ocr::Template* t = idkit::ocr::choose(engine, card, *templates, rec);
      if (!t) return std::string();
      const idkit::Json mrz_fields = idkit::ocr::referenceFields(rec);
      const auto source = idkit::ocr::sourceOf(rec, card.size());
      (void)idkit::ocr::read(engine, card, *t, mrz_fields, source ? &*source : nullptr);
      return t->id;
    };
    auto tesseractCard = [&] {
      cv::Mat g;
      cv::cvtColor(card, g, cv::COLOR_BGR2GRAY);
      plain.SetImage(g.data, g.cols, g.rows, 1, static_cast<int>(g.step));
      plain.SetSourceResolution(300);
      std::unique_ptr<char[]> text(plain.GetUTF8Text());
      plain.Clear();
    };
    if (!warm) {  // engines started (models loaded) outside the timing
      (void)ocrCard();
      tesseractCard();
      warm = true;
    }
    double t0 = processCpuMs();
    const std::string id = ocrCard();
    const double a = processCpuMs() - t0;
    if (id.empty()) continue;  // the fallback reads the whole card: not what the target times
    t0 = processCpuMs();
    tesseractCard();
    const double b = processCpuMs() - t0;
    ours.push_back(a);
    theirs.push_back(b);
    std::printf("%s\t%s\t%.1f\t%.1f\n", rec.value("input", std::string()).c_str(), id.c_str(), a, b);
  }
  if (ours.empty()) return 65;
  const double m = idkit::bench::median(ours), p = idkit::bench::median(theirs);
  std::printf("median %.1f tesseract %.1f ratio %.2f cards %zu\n", m, p, p > 0 ? m / p : 0.0, ours.size());
  plain.End();
  return 0;
}
