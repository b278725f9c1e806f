// The pair check with its two independent halves on two threads.
#include <idkit/face.hpp>

#include <exception>
#include <future>
#include <system_error>

#include "face_internal.hpp"

namespace idkit::face {

namespace {

// One half's outcome: the face, its chip and descriptor, or the failure and
// whether it came while loading (a sequential run reports both loads before
// any face).
struct Half {
  std::optional<EnginePool::Lease> engine;  // held from the search to the descriptor
  std::optional<Found> found;
  cv::Mat chip;
  Detail detail;
  Descriptor descriptor{};
  std::string frame, found_on;
  std::exception_ptr error;
  bool failed_loading = false;
};

// The first step: load the image, find the face, align its chip.
template <class Load, class Find>
void findHalf(EnginePool& pool, const Load& load, const Find& find, Half& h) {
  try {
    auto input = load();
    try {
      h.engine.emplace(pool.acquire());
      find(**h.engine, input, h);
      h.chip = alignFound(*h.found);
      h.detail = detailOf(*h.found, h.chip);
    } catch (...) {
      h.error = std::current_exception();
    }
  } catch (...) {
    h.error = std::current_exception();
    h.failed_loading = true;
  }
}

// The second: the descriptor, at the other face's detail when that one is
// small (nothing to describe when the other half failed: the pair fails).
void describeHalf(Half& h, const std::optional<Detail>& other) {
  if (!h.error && other) {
    try {
      h.descriptor = describeForPair(**h.engine, h.chip, h.detail, *other);
    } catch (...) {
      h.error = std::current_exception();
    }
  }
  h.engine.reset();
}

std::optional<Detail> detailOrNone(const Half& h) {
  return h.error ? std::nullopt : std::optional<Detail>(h.detail);
}

}  // namespace

Match verifyPair(EnginePool& pool, const std::function<DocumentImage()>& load_document,
                 const std::function<cv::Mat()>& load_selfie, PortraitOptions opts, double threshold) {
  auto findSelfie = [&](Half& h) {
    findHalf(pool, load_selfie, [&](Engine& engine, const cv::Mat& img, Half& half) {
      half.found = findFace(engine, img, opts.min_score);
      if (!half.found) throw Failure("face_not_found", "no face found in the selfie image");
    }, h);
  };
  auto findDocument = [&](Half& h) {
    findHalf(pool, load_document, [&](Engine& engine, const DocumentImage& img, Half& half) {
      auto p = findDocumentPortrait(engine, img, opts);
      half.found = std::move(p.found);
      half.frame = std::move(p.frame);
      half.found_on = std::move(p.found_on);
    }, h);
  };
  // Each half tells the other its face's detail once its chip is aligned, and
  // waits for the other's before describing its own (matchDetail).
  std::promise<std::optional<Detail>> document_ready;
  std::shared_future<std::optional<Detail>> document_detail = document_ready.get_future().share();
  std::promise<std::optional<Detail>> selfie_ready;
  std::future<std::optional<Detail>> selfie_detail = selfie_ready.get_future();
  Half doc, self;
  std::future<void> pending;
  try {
    pending = std::async(std::launch::async, [&] {
      findSelfie(self);
      selfie_ready.set_value(detailOrNone(self));
      describeHalf(self, document_detail.get());
    });
  } catch (const std::system_error&) {
    // No thread to be had: the selfie half runs after the document's.
  }
  findDocument(doc);
  document_ready.set_value(detailOrNone(doc));
  if (pending.valid()) {
    describeHalf(doc, selfie_detail.get());
    pending.get();
  } else {
    findSelfie(self);
    describeHalf(doc, detailOrNone(self));
    describeHalf(self, detailOrNone(doc));
  }

  for (const Half* h : {&doc, &self})
    if (h->error && h->failed_loading) std::rethrow_exception(h->error);
  for (const Half* h : {&doc, &self})
    if (h->error) std::rethrow_exception(h->error);
  Match m;
  m.similarity = similarity(doc.descriptor, self.descriptor);
  m.threshold = pairThreshold(threshold, doc.detail, self.detail, pool.detectorKind());
  m.match = m.similarity >= m.threshold;
  m.detector = pool.detectorKind();
  m.document = std::move(*doc.found);
  m.selfie = std::move(*self.found);
  m.document_detail = doc.detail;
  m.selfie_detail = self.detail;
  m.frame = std::move(doc.frame);
  m.found_on = std::move(doc.found_on);
  return m;
}

}  // namespace idkit::face
