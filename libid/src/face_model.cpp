// Locating and verifying the face models, and the per-thread networks.
#include <idkit/face.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect/face.hpp>

#include <idkit/image.hpp>

#include "face_internal.hpp"

namespace idkit::face {
namespace fs = std::filesystem;

namespace {

fs::path exeDir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

Expected<std::vector<uchar>> readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::unexpected(Error{"model_unreadable", fmt::format("cannot read {}", p.string())});
  return std::vector<uchar>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Reads `file` from the first model directory holding it and checks its sum.
// A copy with the wrong sum is an error, not a reason to look further: it
// means someone replaced a model, which the operator must hear about.
Expected<std::pair<fs::path, std::vector<uchar>>> readModel(const ModelFile& file) {
  std::string searched;
  for (const auto& dir : modelDirs()) {
    auto p = dir / file.name;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      searched += (searched.empty() ? "" : ", ") + dir.string();
      continue;
    }
    auto bytes = readFile(p);
    if (!bytes) return std::unexpected(bytes.error());
    auto sum = sha256Hex(*bytes);
    if (sum != file.sha256)
      return std::unexpected(Error{"model_checksum",
          fmt::format("{} has sha256 {}, expected {}", p.string(), sum, file.sha256)});
    return std::pair{p, std::move(*bytes)};
  }
  return std::unexpected(Error{"model_not_found",
      fmt::format("{} not found (searched {}); run scripts/models, or set IDKIT_MODELS", file.name,
                  searched)});
}

}  // namespace

std::vector<fs::path> modelDirs() {
  std::vector<fs::path> dirs;
  auto add = [&](const fs::path& p) {
    if (p.empty()) return;
    auto n = p.lexically_normal();
    if (std::find(dirs.begin(), dirs.end(), n) == dirs.end()) dirs.push_back(n);
  };
  if (const char* env = std::getenv("IDKIT_MODELS"); env && *env) add(env);
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    add(fs::path(xdg) / "idkit/models");
  else if (const char* home = std::getenv("HOME"); home && *home)
    add(fs::path(home) / ".local/share/idkit/models");
  const auto exe = exeDir();
  if (!exe.empty()) add(exe / "../share/idkit/models");
#ifdef IDKIT_SOURCE_DIR
  add(fs::path(IDKIT_SOURCE_DIR) / "../shared/models");
#endif
  // build/bin/id-face -> <checkout>/../shared/models
  if (!exe.empty()) add(exe / "../../../shared/models");
  return dirs;
}

Expected<fs::path> findModel(const ModelFile& file) {
  auto m = readModel(file);
  if (!m) return std::unexpected(m.error());
  return m->first;
}

std::string_view name(DetectorKind kind) { return kind == DetectorKind::yunet ? "yunet" : "faceapi"; }

namespace {

// $IDKIT_FACE_DETECTOR: a choice for tests and benches (and operators who
// want one detector everywhere); unset or "auto" lets the models decide.
Expected<std::optional<DetectorKind>> detectorFromEnv() {
  const char* env = std::getenv("IDKIT_FACE_DETECTOR");
  const std::string_view v = env ? env : "";
  if (v.empty() || v == "auto") return std::nullopt;
  if (v == "yunet") return DetectorKind::yunet;
  if (v == "faceapi") return DetectorKind::faceapi;
  return std::unexpected(Error{"bad_detector",
      fmt::format("IDKIT_FACE_DETECTOR={}: expected yunet, faceapi or auto", v)});
}

Expected<void> locateFaceApi(Models& m) {
  auto det = readModel(kTinyDetector);
  if (!det) return std::unexpected(det.error());
  auto marks = readModel(kLandmarks68);
  if (!marks) return std::unexpected(marks.error());
  m.detector_kind = DetectorKind::faceapi;
  m.detector = det->first;
  m.detector_onnx = std::move(det->second);
  m.landmarks_onnx = std::move(marks->second);
  return {};
}

}  // namespace

Expected<std::shared_ptr<const Models>> Models::locate(bool need_detector, std::optional<DetectorKind> prefer,
                                                      bool need_recognizer) {
  auto m = std::make_shared<Models>();
  if (need_detector) {
    if (!prefer) {
      auto env = detectorFromEnv();
      if (!env) return std::unexpected(env.error());
      prefer = *env;
    }
    if (prefer == DetectorKind::faceapi) {
      if (auto ok = locateFaceApi(*m); !ok) return std::unexpected(ok.error());
    } else {
      auto det = readModel(kDetector);
      if (det) {
        m->detector = det->first;
      } else if (det.error().code == "model_not_found" && !prefer) {
        // A fresh machine without YuNet still works end to end.
        if (auto ok = locateFaceApi(*m); !ok)
          return std::unexpected(Error{ok.error().code, det.error().message + "; fallback: " + ok.error().message});
      } else {
        return std::unexpected(det.error());
      }
    }
  }
  if (need_recognizer) {
    auto rec = readModel(kRecognizer);
    if (!rec) return std::unexpected(rec.error());
    m->recognizer = rec->first;
    m->recognizer_onnx = std::move(rec->second);
  }
  return std::shared_ptr<const Models>(std::move(m));
}

// ---- Engine -----------------------------------------------------------------

struct Engine::Impl {
  DetectorKind kind = DetectorKind::yunet;
  cv::Ptr<cv::FaceDetectorYN> detector;
  detail::FaceApiNets faceapi;
  cv::dnn::Net recognizer;
};

Engine::Engine(const Models& models) : impl_(std::make_unique<Impl>()) {
  impl_->kind = models.detector_kind;
  if (models.detector_kind == DetectorKind::faceapi)
    impl_->faceapi = detail::FaceApiNets::load(models.detector_onnx, models.landmarks_onnx);
  else if (!models.detector.empty())
    impl_->detector = cv::FaceDetectorYN::create(models.detector.string(), "", cv::Size(320, 320),
                                                 kMinScore, 0.3f, 5000);
  impl_->recognizer = cv::dnn::readNetFromONNX(models.recognizer_onnx);
  impl_->recognizer.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  impl_->recognizer.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

namespace {

// YuNet's boxes degrade on faces much larger than ~300 px and it misses faces
// that fill a small image, so it runs on a copy of bounded size with a margin.
constexpr int kMinSide = 128;

}  // namespace

std::vector<Detection> detail::runDetector(cv::FaceDetectorYN& det, const cv::Mat& bgr, float min_score,
                                           int detect_side) {
  if (bgr.empty()) return {};
  const double scale = std::min(1.0, double(detect_side) / std::max(bgr.cols, bgr.rows));
  cv::Mat img;
  if (scale < 1)
    cv::resize(bgr, img, cv::Size(), scale, scale, cv::INTER_AREA);
  else
    img = bgr;
  const int pad_x = std::max(0, kMinSide - img.cols), pad_y = std::max(0, kMinSide - img.rows);
  if (pad_x || pad_y)
    cv::copyMakeBorder(img, img, 0, pad_y, 0, pad_x, cv::BORDER_CONSTANT, cv::Scalar::all(128));

  det.setInputSize(img.size());
  det.setScoreThreshold(min_score);
  cv::Mat faces;
  det.detect(img, faces);
  std::vector<Detection> out;
  for (int r = 0; r < faces.rows; ++r) {
    const float* f = faces.ptr<float>(r);
    Detection d;
    const auto inv = float(1 / scale);
    d.box = cv::Rect2f(f[0] * inv, f[1] * inv, f[2] * inv, f[3] * inv);
    for (int k = 0; k < 5; ++k) d.landmarks[k] = {f[4 + 2 * k] * inv, f[5 + 2 * k] * inv};
    d.score = f[14];
    if (d.box.width > 1 && d.box.height > 1 && std::isfinite(d.score)) out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  return out;
}


DetectorKind Engine::detectorKind() const { return impl_->kind; }

std::vector<Detection> Engine::detect(const cv::Mat& bgr, float min_score, int side, float second_look_below) {
  if (impl_->kind == DetectorKind::faceapi) {
    if (impl_->faceapi.detector.empty()) throw Failure("model_not_found", "the face detector was not loaded");
    return detail::detectFaceApi(impl_->faceapi, bgr, min_score);
  }
  if (!impl_->detector) throw Failure("model_not_found", "the face detector was not loaded");
  // YuNet's cost grows with the pixels (about 4x from 320 to 640 px): a coarse
  // pass finds the faces, a second look gives the small ones enough pixels.
  auto found = detail::runDetector(*impl_->detector, bgr, min_score, side);
  const double scale = std::min(1.0, double(side) / std::max(bgr.cols, bgr.rows));
  if (scale >= 1) return found;
  // A face that was small in the downscaled copy gets a second look in a
  // window around it where it spans ~kSecondLookFace px: better landmarks,
  // better alignment. Only the best few: the others are rarely the answer.
  constexpr float kSecondLookFace = 140;
  constexpr size_t kSecondLooks = 3;
  for (size_t i = 0; i < found.size() && i < kSecondLooks; ++i) {
    auto& d = found[i];
    if (d.box.width * scale >= second_look_below) continue;
    const float m = std::max(d.box.width, d.box.height);
    cv::Rect win(cv::Point(int(d.box.x - 0.7f * m), int(d.box.y - 0.7f * m)),
                 cv::Size(int(d.box.width + 1.4f * m), int(d.box.height + 1.4f * m)));
    win &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (win.area() <= 0) continue;
    const int look = std::clamp(int(std::max(win.width, win.height) * kSecondLookFace / m), kMinSide, kDetectSide);
    auto again = detail::runDetector(*impl_->detector, bgr(win), min_score, look);
    const cv::Point2f centre = (d.box.tl() + d.box.br()) * 0.5f;
    for (auto& a : again) {
      a.box.x += float(win.x);
      a.box.y += float(win.y);
      for (auto& p : a.landmarks) p += cv::Point2f(float(win.x), float(win.y));
      if (a.box.contains(centre) && a.score >= d.score - 0.1f) {
        d = a;
        break;
      }
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  return found;
}

Descriptor Engine::describeChip(const cv::Mat& chip_bgr) {
  // dlib's input normalisation: (RGB - mean) / 256
  cv::Mat blob = cv::dnn::blobFromImage(chip_bgr, 1.0 / 256, cv::Size(kChipSize, kChipSize),
                                        cv::Scalar(122.782, 117.001, 104.298), true, false);
  cv::Mat out = forward(blob);
  Descriptor d{};
  const float* p = out.ptr<float>(0);
  double norm = 0;
  for (size_t i = 0; i < d.size(); ++i) norm += double(p[i]) * p[i];
  norm = std::sqrt(norm);
  for (size_t i = 0; i < d.size(); ++i) d[i] = norm > 0 ? float(p[i] / norm) : 0.f;
  return d;
}

Descriptor Engine::describeChips(std::span<const cv::Mat> chips_bgr) {
  std::array<double, 128> sum{};
  for (const cv::Mat& chip : chips_bgr) {
    const Descriptor d = describeChip(chip);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += d[i];
  }
  double norm = 0;
  for (double v : sum) norm += v * v;
  norm = std::sqrt(norm);
  Descriptor out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = norm > 0 ? float(sum[i] / norm) : 0.f;
  return out;
}

cv::Mat Engine::forward(const cv::Mat& blob) {
  impl_->recognizer.setInput(blob);
  return impl_->recognizer.forward().clone();
}

Engine& threadEngine(const std::shared_ptr<const Models>& models) {
  // cv::dnn::Net must not run two forward passes at once: one per thread,
  // built from the bytes verified once per process.
  thread_local std::shared_ptr<const Models> owner;
  thread_local std::unique_ptr<Engine> engine;
  if (!engine || owner != models) {
    engine = std::make_unique<Engine>(*models);
    owner = models;
  }
  return *engine;
}

// ---- EnginePool ---------------------------------------------------------------

EnginePool::EnginePool(std::shared_ptr<const Models> models) : models_(std::move(models)) {}
EnginePool::~EnginePool() = default;

EnginePool::Lease::Lease(EnginePool* pool, std::unique_ptr<Engine> engine)
    : pool_(pool), engine_(std::move(engine)) {}
EnginePool::Lease::Lease(Lease&& o) noexcept : pool_(o.pool_), engine_(std::move(o.engine_)) {}
EnginePool::Lease::~Lease() {
  if (!engine_) return;
  std::lock_guard lock(pool_->mu_);
  pool_->idle_.push_back(std::move(engine_));
}

EnginePool::Lease EnginePool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto e = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(e));
    }
    ++built_;
  }
  // Built outside the lock: another thread may return or build one meanwhile.
  try {
    return Lease(this, std::make_unique<Engine>(*models_));
  } catch (...) {
    std::lock_guard lock(mu_);
    --built_;
    throw;
  }
}

size_t EnginePool::size() const {
  std::lock_guard lock(mu_);
  return built_;
}

}  // namespace idkit::face
