// Alignment, the document portrait, the selfie face and the decision.
#include <idkit/face.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

#include <opencv2/imgproc.hpp>

namespace idkit::face {

namespace {

double round4(double v) { return std::round(v * 1e4) / 1e4; }
double round1(double v) { return std::round(v * 10) / 10; }

Detection unrotate(const Detection& d, cv::Size original, int rotation) {
  Detection o = d;
  const cv::Point2f corners[4] = {d.box.tl(), {d.box.x + d.box.width, d.box.y}, d.box.br(),
                                  {d.box.x, d.box.y + d.box.height}};
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (auto c : corners) {
    auto p = unrotatePoint(c, original, rotation);
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  o.box = cv::Rect2f(x0, y0, x1 - x0, y1 - y0);
  for (auto& p : o.landmarks) p = unrotatePoint(p, original, rotation);
  return o;
}

struct Candidate {
  Detection det;
  int rotation;
};

// Among the faces of the best-scoring orientation, the largest one whose score
// is within `margin` of the best: ghost portraits are smaller, fainter copies.
std::optional<Candidate> pick(const std::vector<Candidate>& all, float margin) {
  if (all.empty()) return std::nullopt;
  auto best = *std::max_element(all.begin(), all.end(),
                                [](const auto& a, const auto& b) { return a.det.score < b.det.score; });
  Candidate chosen = best;
  for (const auto& c : all) {
    if (c.rotation != best.rotation || c.det.score < best.det.score - margin) continue;
    if (c.det.box.area() > chosen.det.box.area()) chosen = c;
  }
  return chosen;
}

std::vector<Candidate> detectTurned(Engine& engine, const cv::Mat& img, int rotation, float min_score,
                                    int side = kDetectSide) {
  std::vector<Candidate> out;
  for (auto& d : engine.detect(rotation ? rotateImage(img, rotation) : img, min_score, side))
    out.push_back({d, rotation});
  return out;
}

// The faces inside `region` (fractions of `img`), in `img` pixels.
std::vector<Candidate> detectInRegion(Engine& engine, const cv::Mat& img, const cv::Rect2f& region,
                                      float min_score) {
  const cv::Rect r = cv::Rect(int(std::lround(region.x * float(img.cols))), int(std::lround(region.y * float(img.rows))),
                              int(std::lround(region.width * float(img.cols))),
                              int(std::lround(region.height * float(img.rows)))) &
                     cv::Rect(0, 0, img.cols, img.rows);
  std::vector<Candidate> out;
  if (r.width < 16 || r.height < 16) return out;
  for (auto d : engine.detect(img(r), min_score, kPortraitSide, kPortraitSecondLook)) {
    const cv::Point2f o(float(r.x), float(r.y));
    d.box.x += o.x, d.box.y += o.y;
    for (auto& p : d.landmarks) p += o;
    out.push_back({d, 0});
  }
  return out;
}

Found makeFound(const cv::Mat& input, const Candidate& c) {
  Found f;
  f.rotation = c.rotation;
  f.upright = rotateImage(input, c.rotation);
  f.face = c.det;
  f.original = unrotate(c.det, input.size(), c.rotation);
  return f;
}

Json foundJson(const Found& f, const Detail& detail) {
  Json j = f.original.toJson();
  j["rotation"] = f.rotation;
  if (detail.eyes > 0) j["eye_distance"] = round1(detail.eyes);
  return j;
}

}  // namespace

Json Detection::toJson() const {
  Json lm = Json::array();
  for (auto p : landmarks) lm.push_back({round1(p.x), round1(p.y)});
  return Json{{"box", {round1(box.x), round1(box.y), round1(box.width), round1(box.height)}},
              {"landmarks", std::move(lm)},
              {"score", round4(score)}};
}

cv::Matx23d similarityTransform(std::span<const cv::Point2f> from, std::span<const cv::Point2f> to) {
  // Closed-form least squares for x' = a x - b y + tx, y' = b x + a y + ty
  // (Umeyama without reflection), on coordinates centred at their means.
  const size_t n = std::min(from.size(), to.size());
  if (n == 0) return cv::Matx23d(1, 0, 0, 0, 1, 0);
  cv::Point2d mf(0, 0), mt(0, 0);
  for (size_t i = 0; i < n; ++i) mf += cv::Point2d(from[i]), mt += cv::Point2d(to[i]);
  mf *= 1.0 / double(n), mt *= 1.0 / double(n);
  double sxx = 0, sab = 0, sba = 0;
  for (size_t i = 0; i < n; ++i) {
    const cv::Point2d p = cv::Point2d(from[i]) - mf, q = cv::Point2d(to[i]) - mt;
    sxx += p.dot(p);
    sab += p.x * q.x + p.y * q.y;  // -> a
    sba += p.x * q.y - p.y * q.x;  // -> b
  }
  if (sxx <= 0) return cv::Matx23d(1, 0, mt.x - mf.x, 0, 1, mt.y - mf.y);
  const double a = sab / sxx, b = sba / sxx;
  return cv::Matx23d(a, -b, mt.x - (a * mf.x - b * mf.y), b, a, mt.y - (b * mf.x + a * mf.y));
}

cv::Mat alignFace(const cv::Mat& bgr, const Detection& face) {
  cv::Matx23d m = similarityTransform(face.landmarks, kTemplate);
  // Only the pixels the chip samples: its corners mapped back, with a margin
  // for the interpolation (a selfie may be megapixels, the chip 150 px).
  cv::Mat src = bgr;
  {
    cv::Matx23d inv;
    cv::invertAffineTransform(m, inv);
    float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
    for (auto c : {cv::Vec3d(0, 0, 1), cv::Vec3d(kChipSize, 0, 1), cv::Vec3d(0, kChipSize, 1),
                   cv::Vec3d(kChipSize, kChipSize, 1)}) {
      const cv::Vec2d p = inv * c;
      x0 = std::min(x0, float(p[0])), y0 = std::min(y0, float(p[1]));
      x1 = std::max(x1, float(p[0])), y1 = std::max(y1, float(p[1]));
    }
    const float pad = 2 + 0.02f * (x1 - x0);
    cv::Rect roi(cv::Point(int(std::floor(x0 - pad)), int(std::floor(y0 - pad))),
                 cv::Point(int(std::ceil(x1 + pad)), int(std::ceil(y1 + pad))));
    roi &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (roi.area() > 0 && std::isfinite(x0) && std::isfinite(y1)) {
      src = bgr(roi);
      // chip = A (p + o) + t = A p + (A o + t)
      m(0, 2) += m(0, 0) * roi.x + m(0, 1) * roi.y;
      m(1, 2) += m(1, 0) * roi.x + m(1, 1) * roi.y;
    }
  }
  const double scale = std::hypot(m(0, 0), m(1, 0));
  if (scale < 0.5 && scale > 0) {
    // warpAffine samples, it does not average: shrink large faces first.
    const double f = std::min(1.0, 2 * scale);
    cv::Mat small;
    cv::resize(src, small, cv::Size(), f, f, cv::INTER_AREA);
    const double sx = double(small.cols) / src.cols, sy = double(small.rows) / src.rows;
    m = cv::Matx23d(m(0, 0) / sx, m(0, 1) / sy, m(0, 2), m(1, 0) / sx, m(1, 1) / sy, m(1, 2));
    src = small;
  }
  cv::Mat chip;
  cv::warpAffine(src, chip, m, cv::Size(kChipSize, kChipSize), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return chip;
}

cv::Mat alignThrough(const cv::Mat& photo, std::span<const cv::Point2f> card_landmarks,
                     const cv::Matx33d& card_to_photo) {
  const cv::Matx23d s = similarityTransform(card_landmarks, kTemplate);
  const cv::Matx33d card_to_chip(s(0, 0), s(0, 1), s(0, 2), s(1, 0), s(1, 1), s(1, 2), 0, 0, 1);
  const cv::Matx33d chip_to_photo = card_to_photo * card_to_chip.inv();
  auto toPhoto = [&](double x, double y) {
    const cv::Vec3d p = chip_to_photo * cv::Vec3d(x, y, 1);
    return cv::Point2d(p[0] / p[2], p[1] / p[2]);
  };
  // Only the pixels the chip samples (a 12 MP photo, a 150 px chip).
  double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
  for (auto [cx, cy] : std::initializer_list<std::pair<int, int>>{{0, 0}, {kChipSize, 0}, {0, kChipSize}, {kChipSize, kChipSize}}) {
    const cv::Point2d p = toPhoto(cx, cy);
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return {};
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  const double pad = 2 + 0.02 * (x1 - x0);
  if (x1 - x0 > 4.0 * (photo.cols + photo.rows) || y1 - y0 > 4.0 * (photo.cols + photo.rows)) return {};
  cv::Rect roi(cv::Point(int(std::floor(std::max(x0 - pad, -1.0))), int(std::floor(std::max(y0 - pad, -1.0)))),
               cv::Point(int(std::ceil(std::min(x1 + pad, photo.cols + 1.0))),
                         int(std::ceil(std::min(y1 + pad, photo.rows + 1.0)))));
  roi &= cv::Rect(0, 0, photo.cols, photo.rows);
  if (roi.area() <= 0) return {};
  // photo pixel = roi pixel + offset
  cv::Matx33d roi_to_chip = card_to_chip * card_to_photo.inv() *
                            cv::Matx33d(1, 0, roi.x, 0, 1, roi.y, 0, 0, 1);
  cv::Mat src = photo(roi);
  // Chip pixels per photo pixel at the face's middle: warpPerspective
  // samples, it does not average, so a large face is shrunk first.
  const cv::Point2d c0 = toPhoto(kChipSize / 2.0, kChipSize / 2.0), c1 = toPhoto(kChipSize / 2.0 + 1, kChipSize / 2.0);
  const double scale = 1 / std::max(1e-9, cv::norm(c1 - c0));
  if (scale < 0.5) {
    const double f = std::min(1.0, 2 * scale);
    cv::Mat small;
    cv::resize(src, small, cv::Size(), f, f, cv::INTER_AREA);
    const double sx = double(small.cols) / src.cols, sy = double(small.rows) / src.rows;
    roi_to_chip = roi_to_chip * cv::Matx33d(1 / sx, 0, 0, 0, 1 / sy, 0, 0, 0, 1);
    src = small;
  }
  cv::Mat chip;
  cv::warpPerspective(src, chip, roi_to_chip, cv::Size(kChipSize, kChipSize), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return chip;
}

cv::Mat alignFound(const Found& f) {
  if (f.card_to_upright) {
    cv::Mat chip = alignThrough(f.upright, f.card_landmarks, *f.card_to_upright);
    if (!chip.empty()) return chip;
  }
  return alignFace(f.upright, f.face);
}

double similarity(const Descriptor& a, const Descriptor& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

cv::Mat rotateImage(const cv::Mat& bgr, int rotation) {
  cv::Mat out;
  switch (((rotation % 360) + 360) % 360) {
    case 90: cv::rotate(bgr, out, cv::ROTATE_90_CLOCKWISE); break;
    case 180: cv::rotate(bgr, out, cv::ROTATE_180); break;
    case 270: cv::rotate(bgr, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: out = bgr.clone();
  }
  return out;
}

cv::Point2f unrotatePoint(cv::Point2f p, cv::Size original, int rotation) {
  const auto w = float(original.width - 1), h = float(original.height - 1);
  switch (((rotation % 360) + 360) % 360) {
    case 90: return {p.y, h - p.x};
    case 180: return {w - p.x, h - p.y};
    case 270: return {w - p.y, p.x};
    default: return p;
  }
}

std::optional<Found> findPortrait(Engine& engine, const cv::Mat& document, const PortraitOptions& opts) {
  std::vector<Candidate> all;
  if (opts.upright_known && opts.region) {
    // The layout says where the portrait is: one small pass there, which also
    // keeps the ghost portrait and the background out of the search.
    all = detectInRegion(engine, document, *opts.region, opts.min_score);
    if (auto c = pick(all, opts.ghost_margin)) return makeFound(document, *c);
  }
  if (opts.upright_known) {
    // A flattened, oriented card: trust its orientation when a face is there.
    // The portrait spans a fifth of the card's width: a coarse pass finds it.
    all = detectTurned(engine, document, 0, opts.min_score, kCoarseSide);
    // A portrait whose face is small (a wide shot) needs the full pass.
    if (all.empty()) all = detectTurned(engine, document, 0, opts.min_score, kDetectSide);
    if (auto c = pick(all, opts.ghost_margin)) return makeFound(document, *c);
  }
  for (int r : {0, 90, 180, 270}) {
    if (opts.upright_known && r == 0) continue;
    auto found = detectTurned(engine, document, r, opts.min_score);
    all.insert(all.end(), found.begin(), found.end());
  }
  auto c = pick(all, opts.ghost_margin);
  if (!c) return std::nullopt;
  return makeFound(document, *c);
}

std::optional<Found> findFace(Engine& engine, const cv::Mat& photo, float min_score) {
  // A selfie's face is large: a coarse pass, the full one for group photos.
  auto all = detectTurned(engine, photo, 0, min_score, kCoarseSide);
  if (all.empty()) all = detectTurned(engine, photo, 0, min_score, kDetectSide);
  if (all.empty()) {
    // A phone photo without its EXIF orientation: the face lies on its side.
    for (int r : {90, 270, 180}) {
      auto found = detectTurned(engine, photo, r, min_score, kCoarseSide);
      all.insert(all.end(), found.begin(), found.end());
    }
  }
  auto c = pick(all, 0.1f);
  if (!c) return std::nullopt;
  return makeFound(photo, *c);
}

Json Match::toJson() const {
  Json doc = foundJson(document, document_detail);
  if (!frame.empty()) doc["frame"] = frame;
  if (!found_on.empty()) doc["found_on"] = found_on;
  Json j{{"document", std::move(doc)}, {"selfie", foundJson(selfie, selfie_detail)}, {"detector", name(detector)}};
  // Which face was compared at the other's (lower) detail.
  if (reducesTo(selfie_detail, document_detail))
    j["detail_matched"] = "selfie";
  else if (reducesTo(document_detail, selfie_detail))
    j["detail_matched"] = "document";
  j["similarity"] = round4(similarity);
  j["threshold"] = threshold;
  j["match"] = match;
  j["liveness"] = "not_assessed";
  return j;
}

Match verify(Engine& engine, Found document, const cv::Mat& selfie, float min_score, double threshold) {
  auto self = findFace(engine, selfie, min_score);
  if (!self) throw Failure("face_not_found", "no face found in the selfie image");
  Match m;
  const cv::Mat doc_chip = alignFound(document);
  const cv::Mat self_chip = alignFound(*self);
  m.document_detail = detailOf(document, doc_chip);
  m.selfie_detail = detailOf(*self, self_chip);
  m.similarity = similarity(describeForPair(engine, doc_chip, m.document_detail, m.selfie_detail),
                            describeForPair(engine, self_chip, m.selfie_detail, m.document_detail));
  m.threshold = pairThreshold(threshold, m.document_detail, m.selfie_detail, engine.detectorKind());
  m.match = m.similarity >= m.threshold;
  m.detector = engine.detectorKind();
  m.document = std::move(document);
  m.selfie = std::move(*self);
  return m;
}

Match verify(Engine& engine, const cv::Mat& document, const cv::Mat& selfie,
             const PortraitOptions& opts, double threshold) {
  auto doc = findPortrait(engine, document, opts);
  if (!doc) throw Failure("face_not_found", "no face found in the document image");
  return verify(engine, std::move(*doc), selfie, opts.min_score, threshold);
}

cv::Mat portraitCrop(const Found& f, double margin) {
  // The box plus the margin, turned about its centre so that the eyes are
  // level: a face found in an input photo's own pixels may lie at any angle.
  const auto& b = f.face.box;
  const auto& lm = f.face.landmarks;
  const double angle = std::atan2(double(lm[1].y - lm[0].y), double(lm[1].x - lm[0].x));
  const double w = b.width * (1 + 2 * margin), h = b.height * (1 + 2 * margin);
  if (!(w >= 1 && h >= 1) || !std::isfinite(angle) || w > 1e5 || h > 1e5) return {};
  const cv::Point2d c(b.x + b.width / 2.0, b.y + b.height / 2.0);
  // crop pixel q -> image pixel R(angle) (q - size/2) + c; warpAffine wants image -> crop.
  const double co = std::cos(angle), si = std::sin(angle);
  const cv::Matx23d to_crop(co, si, w / 2 - (co * c.x + si * c.y), -si, co, h / 2 - (-si * c.x + co * c.y));
  cv::Mat crop;
  cv::warpAffine(f.upright, crop, to_crop, cv::Size(int(std::lround(w)), int(std::lround(h))), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT);
  return crop;
}

}  // namespace idkit::face
