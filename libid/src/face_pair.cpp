// The pair check with its two independent halves on two threads.
#include <idkit/face.hpp>

#include <exception>
#include <future>
#include <system_error>

#include "face_internal.hpp"

namespace idkit::face {

namespace {

// One half's outcome: the face and its descriptor, or the failure and whether
// it came while loading (a sequential run reports both loads before any face).
struct Half {
  std::optional<Found> found;
  Descriptor descriptor{};
  std::string frame, found_on;
  std::exception_ptr error;
  bool failed_loading = false;
};

template <class Load, class Find>
Half runHalf(EnginePool& pool, const Load& load, const Find& find) {
  Half h;
  try {
    auto input = load();
    try {
      auto engine = pool.acquire();
      find(*engine, input, h);
      h.descriptor = engine->describe(h.found->upright, h.found->face);
    } catch (...) {
      h.error = std::current_exception();
    }
  } catch (...) {
    h.error = std::current_exception();
    h.failed_loading = true;
  }
  return h;
}

}  // namespace

Match verifyPair(EnginePool& pool, const std::function<DocumentImage()>& load_document,
                 const std::function<cv::Mat()>& load_selfie, PortraitOptions opts, double threshold) {
  auto selfieHalf = [&] {
    return runHalf(pool, load_selfie, [&](Engine& engine, const cv::Mat& img, Half& h) {
      h.found = findFace(engine, img, opts.min_score);
      if (!h.found) throw Failure("face_not_found", "no face found in the selfie image");
    });
  };
  std::future<Half> pending;
  try {
    pending = std::async(std::launch::async, selfieHalf);
  } catch (const std::system_error&) {
    // No thread to be had: the selfie half runs after the document's.
  }
  Half doc = runHalf(pool, load_document, [&](Engine& engine, const DocumentImage& img, Half& h) {
    auto p = findDocumentPortrait(engine, img, opts);
    h.found = std::move(p.found);
    h.frame = std::move(p.frame);
    h.found_on = std::move(p.found_on);
  });
  Half self = pending.valid() ? pending.get() : selfieHalf();

  for (const Half* h : {&doc, &self})
    if (h->error && h->failed_loading) std::rethrow_exception(h->error);
  for (const Half* h : {&doc, &self})
    if (h->error) std::rethrow_exception(h->error);
  Match m;
  m.similarity = similarity(doc.descriptor, self.descriptor);
  m.threshold = threshold;
  m.match = m.similarity >= threshold;
  m.detector = pool.detectorKind();
  m.document = std::move(*doc.found);
  m.selfie = std::move(*self.found);
  m.frame = std::move(doc.frame);
  m.found_on = std::move(doc.found_on);
  return m;
}

}  // namespace idkit::face
