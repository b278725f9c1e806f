// Which way up a flat card is. Cues, strongest first: the MRZ band (always
// along the bottom of an upright document), the portrait's face (a face
// detector scores a face the right way up higher, and where it scores one
// nearly as high both ways, the face lies on the card's left; face-api's
// detector, used when YuNet is absent or finds no face, by that side alone
// and after the barcode), a barcode's own orientation, a PDF417's start and
// stop patterns, the MRZ band sought again with its lines in pieces, a
// licence back's layout (its PDF417 printed near the top edge), the
// portrait's side (on the left of every ICAO data page and most cards), and
// Tesseract's script orientation for what remains.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <tesseract/baseapi.h>
#include <ZXing/ReadBarcode.h>

#include <idkit/deskew.hpp>
#include <idkit/face.hpp>

#include "deskew_internal.hpp"
#include "face_internal.hpp"
#include "ink_rows.hpp"

namespace idkit::deskew {

namespace {

constexpr int kWorkWidth = 640;

cv::Mat greyAtWidth(const cv::Mat& bgr, int width) {
  cv::Mat grey;
  if (bgr.channels() == 3)
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  else
    grey = bgr;
  if (grey.cols != width) {
    const double k = static_cast<double>(width) / grey.cols;
    cv::resize(grey, grey, cv::Size(), k, k, k < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  return grey;
}

// Joins the pieces of one line of print that a thumb or a glare spot cut:
// boxes of about the same height on the same row, in x order, a gap of up to
// a fifth of the card apart.
std::vector<cv::Rect> joinLinePieces(std::vector<cv::Rect> pieces, double card_w) {
  std::sort(pieces.begin(), pieces.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.x < b.x; });
  std::vector<cv::Rect> lines;
  std::vector<bool> used(pieces.size(), false);
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (used[i]) continue;
    cv::Rect line = pieces[i];
    for (size_t j = i + 1; j < pieces.size(); ++j) {
      const cv::Rect& b = pieces[j];
      const int shared = std::min(line.br().y, b.br().y) - std::max(line.y, b.y);
      if (used[j] || b.x < line.br().x || b.x - line.br().x > 0.2 * card_w) continue;
      if (b.height < 0.7 * pieces[i].height || b.height > 1.4 * pieces[i].height ||
          shared < 0.7 * std::min(pieces[i].height, b.height))
        continue;
      line |= b;
      used[j] = true;
    }
    lines.push_back(line);
  }
  return lines;
}

// A row of a line's component holding this share of its densest row's
// pixels is in the line; a thumb's rim joined to it crosses its rows sparsely.
constexpr double kDenseRow = 0.1;

// The runs of rows of `box` in which component `label` of `labels` has at
// least `share` of its pixels in its densest row, each boxed to that
// component's pixels in those rows.
std::vector<cv::Rect> denseRowRuns(const cv::Mat& labels, int label, const cv::Rect& box, double share) {
  std::vector<cv::Rect> runs = idkit::detail::inkRowRuns(labels(box) == label, [&](int most) {
    return static_cast<int>(std::ceil(share * most));
  });
  for (cv::Rect& r : runs) r += box.tl();
  return runs;
}

// findMrzBand's search; with `join_pieces`, a line may be in pieces.
std::optional<detail::MrzBand> mrzBandIn(const cv::Mat& grey, double card_w, double card_h, bool join_pieces);

}  // namespace

namespace detail {

std::optional<MrzBand> findMrzBand(const cv::Mat& grey, double card_w, double card_h) {
  return mrzBandIn(grey, card_w, card_h, false);
}

}  // namespace detail

namespace {

std::optional<detail::MrzBand> mrzBandIn(const cv::Mat& grey, double card_w, double card_h, bool join_pieces) {
  if (grey.empty() || grey.cols < 16 || grey.rows < 8 || !(card_w > 16) || !(card_h > 8)) return std::nullopt;
  // Dark characters smaller than the kernel light up; pictures and bands do not.
  cv::Mat bh, bin, joined;
  cv::morphologyEx(grey, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {15, 9}));
  // Below Otsu's level: bold print sets it, and thin filler chevrons fall under it.
  const double otsu = cv::threshold(bh, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::threshold(bh, bin, std::max(28.0, 0.6 * otsu), 255, cv::THRESH_BINARY);  // faint guilloche stays out
  // OCR-B characters sit a pitch apart with narrow gaps: closing a little more
  // than a gap (a pitch is 13-19 px here) joins one MRZ line into one component, never two lines.
  cv::morphologyEx(bin, joined, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {19, 1}));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(joined, labels, stats, centroids, 8, CV_32S);
  std::vector<cv::Rect> cand, pieces;
  auto consider = [&](const cv::Rect& r, int px) {
    if (r.height < 0.02 * card_h || r.height > 0.11 * card_h) return;
    if (px < 0.15 * r.area()) return;  // a run of chevrons fills little of its box
    if (r.width >= 0.62 * card_w) cand.push_back(r);
    else if (join_pieces && r.width >= 0.1 * card_w) pieces.push_back(r);
  };
  for (int i = 1; i < n; ++i) {
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const int px = stats.at<int>(i, cv::CC_STAT_AREA);
    if (!join_pieces || r.width < 0.1 * card_w) {
      consider(r, px);
      continue;
    }
    // A thumb over the band joins its dark rim to the lines it crosses: one
    // component two lines tall (two runs of rows dense with its ink), or a
    // line with the rim hanging off it, sparse, over more than half the
    // line's height. Its runs are the lines (or their pieces); any other
    // component stays as it is (a blurred line's fringe rows are sparse too).
    const std::vector<cv::Rect> runs = denseRowRuns(labels, i, r, kDenseRow);
    if (runs.size() == 1 && 2 * (runs[0].y - r.y) <= runs[0].height &&
        2 * (r.br().y - runs[0].br().y) <= runs[0].height) {
      consider(r, px);
      continue;
    }
    for (const cv::Rect& run : runs) consider(run, cv::countNonZero(labels(run) == i));
  }
  if (join_pieces)
    for (const cv::Rect& r : joinLinePieces(std::move(pieces), card_w))
      if (r.width >= 0.62 * card_w) cand.push_back(r);
  // Two or three lines of about the same height, stacked closely.
  int best_count = 0;
  double best_y = 0;
  cv::Rect best_box, best_union;
  for (size_t i = 0; i < cand.size(); ++i) {
    int count = 1;
    double ysum = cand[i].y + cand[i].height / 2.0;
    cv::Rect uni = cand[i];
    for (size_t j = 0; j < cand.size(); ++j) {
      if (j == i) continue;
      const double hi = cand[i].height, hj = cand[j].height;
      if (hj < 0.6 * hi || hj > 1.6 * hi) continue;
      const double dy = std::abs((cand[j].y + hj / 2) - (cand[i].y + hi / 2));
      if (dy > 3.2 * hi) continue;
      ++count;
      ysum += cand[j].y + hj / 2;
      uni |= cand[j];
    }
    if (count > best_count) best_count = count, best_y = ysum / count, best_box = cand[i], best_union = uni;
  }
  if (best_count < 2) return std::nullopt;
  detail::MrzBand band;
  band.lines = best_count;
  band.centre_y = best_y;
  band.box = best_union;
  // Characters in one line: components of the unjoined mask at least half as tall as the line.
  cv::Mat roi = bin(best_box).clone();
  cv::Mat l2, s2, c2;
  const int m = cv::connectedComponentsWithStats(roi, l2, s2, c2, 8, CV_32S);
  int chars = 0;
  std::vector<double> xs;  // the characters' centres along the line
  for (int i = 1; i < m; ++i)
    if (s2.at<int>(i, cv::CC_STAT_HEIGHT) >= 0.35 * best_box.height) ++chars, xs.push_back(c2.at<double>(i, 0));
  if (chars >= 20) band.pitch = best_box.width / static_cast<double>(chars);
  // The median step from one character to the next: a line joined across a
  // thumb or a glare spot spans characters hidden there, and blur merges
  // neighbours into one component, both of which lengthen the line's width
  // over the count.
  if (xs.size() >= 20) {
    std::sort(xs.begin(), xs.end());
    std::vector<double> steps;
    for (size_t i = 1; i < xs.size(); ++i) steps.push_back(xs[i] - xs[i - 1]);
    band.step_pitch = detail::fractile(steps, 1, 2);
    if (join_pieces) band.pitch = band.step_pitch;
  }
  band.line_height = best_box.height;
  return band;
}

}  // namespace

int mrzSide(const cv::Mat& flat_bgr, int* lines_out, double* pitch_out) {
  if (lines_out) *lines_out = 0;
  if (pitch_out) *pitch_out = 0;
  if (flat_bgr.empty() || flat_bgr.cols < 16 || flat_bgr.rows < 8) return 0;
  const cv::Mat grey = greyAtWidth(flat_bgr, kWorkWidth);
  const int W = grey.cols, H = grey.rows;
  const auto band = detail::findMrzBand(grey, W, H);
  if (!band) return 0;
  if (lines_out) *lines_out = band->lines;
  // Back to the caller's pixels.
  if (pitch_out) *pitch_out = (band->step_pitch > 0 ? band->step_pitch : band->pitch) * flat_bgr.cols / W;
  return detail::bandSide(band->centre_y, H);
}

namespace {

// The face detector, located and checked once per process: YuNet when its
// model is present, else face-api's tiny detector (scripts/models provisions
// it); $IDKIT_FACE_DETECTOR chooses as it does for id-face. Null when neither
// is installed: the other cues remain, and the record says the face was not
// looked for (faceCueMissing).
struct FaceModels {
  std::shared_ptr<const face::Models> models;
  std::string missing;  // why there is none
};
const FaceModels& faceModels() {
  static const FaceModels m = [] {
    auto r = face::Models::locate(true, std::nullopt, false);
    return r ? FaceModels{*r, {}} : FaceModels{nullptr, r.error().message};
  }();
  return m;
}

// face-api's detector beside YuNet, for a second look at a card on which
// YuNet finds no face at all (a portrait faded by glare or defocus); null
// when YuNet is not the detector or face-api is not installed.
const face::Models* secondModels() {
  static const std::shared_ptr<const face::Models> m = []() -> std::shared_ptr<const face::Models> {
    const auto& first = faceModels().models;
    if (!first || first->detector_kind != face::DetectorKind::yunet) return nullptr;
    auto r = face::Models::locate(true, face::DetectorKind::faceapi, false);
    return r ? *r : nullptr;
  }();
  return m.get();
}

// The best face a detector finds: its score and centre (fraction of the width).
struct Look {
  double score = 0, x = 0.5;
};

// face-api's tiny detector scores a card's portrait 0.45-0.86 either way up
// (upside down as often higher as lower) and other print on a card at most
// 0.25; its face lies at 0.15-0.18 of the width upright, 0.81-0.84 turned,
// 0.22-0.34 of the card's height. It also returns boxes the card's whole
// height (0.36-0.67, centred anywhere): no portrait is over kFaceApiTallest.
// A face seen one way up only needs kFaceApiAlone (a faded or small portrait
// scores 0.41-0.42 the right way up and nothing the other).
constexpr float kFaceApiFloor = 0.35f, kFaceApiAlone = 0.4f, kFaceApiTallest = 0.6f;
// YuNet's faces count from its default score.
constexpr float kYunetFloor = 0.5f;

// One thread's detector.
struct FaceLooker {
  cv::Ptr<cv::FaceDetectorYN> yunet;
  std::optional<face::detail::FaceApiNets> faceapi;
  bool ok = false;
  explicit FaceLooker(const face::Models& m) {
    try {
      if (m.detector_kind == face::DetectorKind::faceapi)
        faceapi = face::detail::FaceApiNets::load(m.detector_onnx, m.landmarks_onnx);
      else
        yunet = cv::FaceDetectorYN::create(m.detector.string(), "", cv::Size(224, 142), kYunetFloor, 0.3f, 20);
      ok = true;
    } catch (const cv::Exception&) {
    }
  }
  Look look(const cv::Mat& img) {
    Look b;
    auto consider = [&](double score, double x, double w) {
      if (score > b.score) b = {score, (x + w / 2) / img.cols};
    };
    if (faceapi) {
      for (const auto& d : face::detail::faceApiBoxes(*faceapi, img, kFaceApiFloor))
        if (d.box.height <= kFaceApiTallest * img.rows) consider(d.score, d.box.x, d.box.width);
      return b;
    }
    for (const auto& d : face::detail::runDetector(*yunet, img, kYunetFloor, std::max(img.cols, img.rows)))
      consider(d.score, d.box.x, d.box.width);
    return b;
  }
};

// face-api's answer, by where the face lies alone: each way up whose best
// face is clearly on one side votes for the way up that puts it on the left;
// two votes must agree, one alone needs kFaceApiAlone.
int faceApiSide(const Look& up, const Look& down, double* conf_out) {
  auto vote = [](const Look& l, int sign) {
    if (l.score < kFaceApiFloor) return 0;
    return l.x < 0.4 ? sign : l.x > 0.6 ? -sign : 0;
  };
  const int a = vote(up, 1), b = vote(down, -1);
  if (a != 0 && b != 0) {
    if (a != b) return 0;
    *conf_out = 0.8;
    return a;
  }
  const Look& alone = a != 0 ? up : down;
  if (a == b || alone.score < kFaceApiAlone) return 0;
  *conf_out = 0.65;
  return a != 0 ? a : b;
}

// +1 when the card shows a face the right way up, -1 upside down, 0 neither
// or both; `conf_out` says how sure: the best score when the other way up
// scores far lower, 0.6 plus the margin between the two when only the face's
// side decided. A card's portrait is a quarter of its height or more: a 224 px
// copy keeps it well above the detector's smallest face, and costs a few ms a
// turn. `none_out` (when given) says whether the detector found no face at all.
int faceSideBy(FaceLooker& det, const cv::Mat& flat_bgr, double* conf_out, bool* none_out = nullptr) {
  if (none_out) *none_out = false;
  if (!det.ok || flat_bgr.empty()) return 0;
  cv::Mat small;
  const double k = 224.0 / flat_bgr.cols;
  cv::resize(flat_bgr, small, cv::Size(), k, k, cv::INTER_AREA);
  const Look up = det.look(small);
  cv::Mat turned;
  cv::rotate(small, turned, cv::ROTATE_180);
  const Look down = det.look(turned);
  if (none_out) *none_out = up.score == 0 && down.score == 0;
  if (det.faceapi) return faceApiSide(up, down, conf_out);
  const double score = std::max(up.score, down.score), gap = std::abs(up.score - down.score);
  if (score < 0.75) return 0;
  if (gap >= 0.3) {
    *conf_out = std::min(0.95, score);
    return up.score > down.score ? 1 : -1;
  }
  // The detector scores some portraits nearly as high upside down (0.96
  // against 0.999). The portrait sits in the card's left half on every
  // layout idkit knows (ICAO data pages and cards, licences, ID cards): the
  // way up that puts the face there, when only one does.
  const bool up_left = up.x < 0.5, down_left = down.x < 0.5;
  if (up.score < 0.5 || down.score < 0.5 || up_left == down_left) return 0;
  *conf_out = 0.6 + gap;
  return up_left ? 1 : -1;
}

// faceSideBy with this thread's copy of the process's detector.
int faceSide(const cv::Mat& flat_bgr, double* conf_out, bool* none_out) {
  const auto& models = faceModels().models;
  if (!models) return 0;
  thread_local std::optional<FaceLooker> det;
  if (!det) det.emplace(*models);
  return faceSideBy(*det, flat_bgr, conf_out, none_out);
}

// faceSideBy with this thread's copy of face-api's detector beside YuNet.
int secondFaceSide(const cv::Mat& flat_bgr, double* conf_out) {
  const face::Models* models = secondModels();
  if (!models) return 0;
  thread_local std::optional<FaceLooker> det;
  if (!det) det.emplace(*models);
  return faceSideBy(*det, flat_bgr, conf_out);
}

// +1 when a barcode on the card reads upright, -1 upside down, 0 none.
int barcodeSide(const cv::Mat& grey) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::PDF417 | ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::DataMatrix |
                   ZXing::BarcodeFormat::Aztec);
  hints.setTryRotate(true);
  hints.setTryHarder(false);
  const ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum, static_cast<int>(grey.step));
  const ZXing::Result r = ZXing::ReadBarcode(view, hints);
  if (!r.isValid()) return 0;
  const int o = ((r.orientation() % 360) + 360) % 360;
  if (o < 45 || o > 315) return 1;
  if (o > 135 && o < 225) return -1;
  return 0;
}

// The largest solid block of `mask` (over a flat landscape card) long and
// wide enough for a PDF417 symbol; empty when none. Solid parts (a frame is
// no part) are joined when they share their rows and nearly touch: blur thins
// the gradient in places and the threshold can cut a symbol into pieces side
// by side. `slant_out` (when given and no block is found) gets the slant in
// degrees of the largest part that is a solid block only once turned level
// (a flat card whose corners were found a little off leaves its symbol a few
// degrees askew, and its upright box then holds empty corners); 0 when none.
cv::Rect symbolBlock(cv::Mat mask, double* slant_out = nullptr) {
  const int W = mask.cols, H = mask.rows;
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {W / 60 + 1, H / 40 + 1}));
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {W / 40 + 1, H / 10 + 1}));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  std::vector<std::pair<cv::Rect, int>> parts;  // box, pixels
  std::vector<int> askew;                        // labels of parts too sparse for their box
  for (int i = 1; i < n; ++i) {
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const int px = stats.at<int>(i, cv::CC_STAT_AREA);
    if (r.height >= 0.1 * H && px >= 0.8 * r.area()) parts.emplace_back(r, px);
    else if (r.height >= 0.1 * H && r.width >= 0.3 * W && r.width >= 1.5 * r.height) askew.push_back(i);
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first.x < b.first.x; });
  for (size_t i = 0; i + 1 < parts.size();) {
    const cv::Rect a = parts[i].first, b = parts[i + 1].first;
    const int shared = std::min(a.br().y, b.br().y) - std::max(a.y, b.y);
    if (b.x - a.br().x <= W / 25 && shared >= 0.7 * std::min(a.height, b.height)) {
      parts[i] = {a | b, parts[i].second + parts[i + 1].second};
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    } else {
      ++i;
    }
  }
  cv::Rect box;
  for (const auto& [r, px] : parts) {
    if (r.width < 0.3 * W || r.width < 1.5 * r.height) continue;
    if (px < 0.8 * r.area()) continue;  // a solid block, not a frame
    if (r.area() > box.area()) box = r;
  }
  if (slant_out) *slant_out = 0;
  if (!box.empty() || !slant_out) return box;
  double best = 0;
  for (const int i : askew) {
    std::vector<cv::Point> pts;
    cv::findNonZero(labels == i, pts);
    const cv::RotatedRect rr = cv::minAreaRect(pts);
    if (pts.size() < 0.8 * rr.size.area() || rr.size.area() <= best) continue;
    cv::Point2f c[4];
    rr.points(c);
    // The long side's direction, in (-90, 90] degrees.
    const cv::Point2f e = cv::norm(c[1] - c[0]) > cv::norm(c[2] - c[1]) ? c[1] - c[0] : c[2] - c[1];
    double a = std::atan2(e.y, e.x) * 180 / CV_PI;
    if (a > 90) a -= 180;
    if (a <= -90) a += 180;
    if (std::abs(a) < 0.5 || std::abs(a) > 8) continue;
    best = rr.size.area();
    *slant_out = a;
  }
  return box;
}

// Where a card shows bars densely (a PDF417 symbol): a strong horizontal
// gradient over an area. Text has it too, but in lines a few pixels tall
// that symbolBlock's opening removes.
cv::Mat denseBars(const cv::Mat& grey) {
  cv::Mat gx;
  cv::Sobel(grey, gx, CV_16S, 1, 0, 3);
  gx = cv::abs(gx);
  gx.convertTo(gx, CV_32F);
  cv::blur(gx, gx, cv::Size(grey.cols / 50 | 1, grey.rows / 30 | 1));
  return gx > 30;
}

// Defocus flattens the data columns' gradient until the block of dense bars
// falls apart into pieces too far apart to join; the symbol is still the
// card's one large dark area, as tall as a licence's symbol is (a blurred MRZ
// band is half that) and inside its quiet zones (a coloured band runs from
// edge to edge). Empty when none; `slant_out` as symbolBlock's.
cv::Rect darkBlock(const cv::Mat& grey, double* slant_out = nullptr) {
  const int W = grey.cols, H = grey.rows;
  cv::Mat dark;
  cv::blur(grey, dark, cv::Size(W / 50 | 1, H / 30 | 1));
  double lo = 0, hi = 0;
  cv::minMaxLoc(dark, &lo, &hi);
  const cv::Rect box = symbolBlock(dark < hi - 0.35 * (hi - lo), slant_out);
  if (box.height < 0.25 * H || box.x < W / 50 || box.br().x > W - W / 50) return {};
  return box;
}

// Where a PDF417 symbol too blurred to decode still shows which way up it is:
// its start pattern opens with an 8-module bar at the symbol's outer edge,
// while the stop pattern's 7-module bar sits about 11 modules in from the
// other edge (bar 7, then 1/3/1/1/1/2/1 of thin bars and gaps). Blur merges
// the thin bars into grey but leaves the thick ones dark, so: +1 when the
// outermost thick bar is on the left (upright), -1 on the right, 0 no symbol
// or no clear answer. `grey` is the flat landscape card; `conf_out` (when
// given) says how sure: 0.85 by the strict rule, 0.7 when only the ink beyond
// each bar compared decided, 0.65 by the mean ink beyond them, 0.6 by one bar
// alone. A symbol a few degrees askew is read once turned level (`levelled`
// says that was done).
// An end of a PDF417 block whose own contrast is under kEndContrast of the
// whole profile's lies inside the symbol (a glare spot cut the block short there).
constexpr double kEndContrast = 0.45;
// A licence's symbol is a quarter of the card's height or more; a block of
// dense bars under kSymbolHeight of it is something else (an MRZ band's two
// lines: 0.11 on mrvb-photo-s38-0116's card).
constexpr double kSymbolHeight = 0.2;
int pdf417GreySide(const cv::Mat& grey, double* conf_out = nullptr, bool levelled = false) {
  const int W = grey.cols, H = grey.rows;
  if (W < 200 || H < 100) return 0;
  double slant = 0;
  auto readLevel = [&] {
    cv::Mat level;
    cv::warpAffine(grey, level, cv::getRotationMatrix2D(cv::Point2f(W / 2.0f, H / 2.0f), slant, 1.0), grey.size(),
                   cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return pdf417GreySide(level, conf_out, true);
  };
  cv::Rect box = symbolBlock(denseBars(grey), levelled ? nullptr : &slant);
  if (box.empty() && slant != 0) return readLevel();
  if (!box.empty() && box.height < kSymbolHeight * H) return 0;
  const bool dark_block = box.empty();
  if (dark_block) {
    box = darkBlock(grey, levelled ? nullptr : &slant);
    if (box.empty() && slant != 0) return readLevel();
  }
  if (box.empty()) return 0;
  // Column profile over the middle rows: bars run the symbol's full height,
  // codeword patterns average out to grey.
  const int margin = std::max(6, box.width / 12);
  const int x0 = std::max(0, box.x - margin), x1 = std::min(W, box.x + box.width + margin);
  cv::Mat prof;
  cv::reduce(grey(cv::Rect(x0, box.y + box.height / 5, x1 - x0, box.height * 3 / 5)), prof, 0, cv::REDUCE_AVG, CV_32F);
  const auto* p = prof.ptr<float>(0);
  const int len = prof.cols;
  const int bl = box.x - x0, br = bl + box.width;
  // Paper and ink levels over [from, to) of the profile, and the thresholds
  // between them: a bar's ink is below `solid`, any ink below `faint`.
  struct Levels {
    double paper = 0, ink = 255;
    double faint() const { return paper - 0.3 * (paper - ink); }
    double solid() const { return paper - 0.65 * (paper - ink); }
  };
  auto levelsIn = [&](int from, int to) {
    Levels l;
    for (int i = std::max(0, from); i < std::min(len, to); ++i) {
      l.paper = std::max(l.paper, static_cast<double>(p[i]));
      l.ink = std::min(l.ink, static_cast<double>(p[i]));
    }
    return l;
  };
  const Levels whole = levelsIn(0, len);
  if (whole.paper - whole.ink < 40) return 0;
  // The widest solid run in [from, to): a thick bar.
  auto widestRun = [&](int from, int to, double solid) {
    std::pair<int, int> best{0, 0};  // start, width
    for (int i = std::max(0, from); i < std::min(len, to);) {
      if (p[i] >= solid) {
        ++i;
        continue;
      }
      int j = i;
      while (j < len && p[j] < solid) ++j;
      if (j - i > best.second) best = {i, j - i};
      i = j;
    }
    return best;
  };
  // Ink beyond a thick bar (thin bars, gaps of up to 3 modules between them).
  auto inkBeyond = [&](int edge, int dir, int bar, double faint) {
    const int gap = std::max(2, bar * 6 / 10);
    int last = edge;
    for (int i = edge + dir; i >= 0 && i < len && std::abs(i - last) <= gap; i += dir)
      if (p[i] < faint) last = i;
    return std::abs(last - edge);
  };
  // Both bars a PDF417's: alike in width and dark down the block's whole
  // height, where the print of text lines leaves gaps.
  auto fullHeight = [&](int start, int width, double faint) {
    cv::Mat rows;
    cv::reduce(grey(cv::Rect(x0 + start + width / 4, box.y, std::max(1, width / 2), box.height)), rows, 1,
               cv::REDUCE_AVG, CV_32F);
    return cv::countNonZero(rows < faint) >= 0.9 * box.height;
  };
  auto meanInk = [&](int edge, int dir, int bar, const Levels& l) {
    double sum = 0;
    int n = 0;
    for (int i = edge + dir; i >= 0 && i < len && n < bar * 3 / 2; i += dir, ++n)
      sum += (l.paper - p[i]) / (l.paper - l.ink);
    return n > 0 ? sum / n : 0.0;
  };
  // A glare spot can cut the block of strong gradient short of one end: one
  // thick bar, at the block's other end, is the start when only the quiet
  // zone lies beyond it and the stop when thin bars do.
  auto singleBar = [&](bool on_left, int start, int width, const Levels& l) {
    const double faint = l.faint();
    if (!fullHeight(start, width, faint)) return 0;
    const int edge = on_left ? start : start + width - 1, dir = on_left ? -1 : 1;
    const double out = inkBeyond(edge, dir, width, faint), ink = meanInk(edge, dir, width, l);
    if (conf_out) *conf_out = 0.6;
    const int start_side = out < 0.35 * width && ink < 0.08 ? 1 : out > 0.8 * width && ink > 0.25 ? -1 : 0;
    return on_left ? start_side : -start_side;
  };
  // The reading with given paper and ink levels at each end: `side` as
  // pdf417GreySide's; `found` whether both thick bars were seen, alike in
  // width (with `single`, whether both were seen at all); `single` lets one
  // bar alone answer.
  struct Reading {
    int side = 0;
    bool found = false;
  };
  auto readEnds = [&](const Levels& left, const Levels& right, bool single) -> Reading {
    // The widest solid run in each end fifth of the block: the thick bars.
    const auto [ls, lw] = widestRun(bl - margin, bl + box.width / 5, left.solid());
    const auto [rs, rw] = widestRun(br - box.width / 5, br + margin, right.solid());
    if (single && !dark_block && (lw < 3) != (rw < 3))
      return {lw >= 3 ? singleBar(true, ls, lw, left) : singleBar(false, rs, rw, right)};
    if (lw < 3 || rw < 3 || rs <= ls + lw) return {};
    // Bars unalike in width (a thin bar taken for a thick one under glare)
    // leave the reading by each end's own levels to come.
    const bool found = single || (lw < 2 * rw && rw < 2 * lw);
    const double out_left = inkBeyond(ls, -1, lw, left.faint());
    const double out_right = inkBeyond(rs + rw - 1, 1, rw, right.faint());
    // The start bar has only the quiet zone beyond it; the stop bar about 1.5 of its widths of thin bars.
    const bool bars =
        lw < 2 * rw && rw < 2 * lw && fullHeight(ls, lw, left.faint()) && fullHeight(rs, rw, right.faint());
    if (dark_block && !bars) return {0, found};
    if (conf_out) *conf_out = 0.85;
    if (out_left < 0.35 * lw && out_right > 0.8 * rw) return {1, found};
    if (out_right < 0.35 * rw && out_left > 0.8 * lw) return {-1, found};
    // Blur spreads the start bar into its quiet zone too: then the end with
    // clearly more ink beyond its bar is the stop pattern.
    if (!bars) return {0, found};
    if (conf_out) *conf_out = 0.7;
    const double beyond_left = out_left / lw, beyond_right = out_right / rw;
    if (beyond_right > 0.8 && beyond_right > 2.5 * beyond_left) return {1, found};
    if (beyond_left > 0.8 && beyond_left > 2.5 * beyond_right) return {-1, found};
    // Stronger blur greys the stop's thin bars above the faint level: the
    // mean ink over the 11 modules beyond each bar (1.5 of its widths) still
    // tells them from the start's quiet zone.
    const double ink_left = meanInk(ls, -1, lw, left), ink_right = meanInk(rs + rw - 1, 1, rw, right);
    if (conf_out) *conf_out = 0.65;
    if (ink_right > 0.15 && ink_right > 3 * ink_left) return {1, found};
    if (ink_left > 0.15 && ink_left > 3 * ink_right) return {-1, found};
    return {0, found};
  };
  if (const Reading r = readEnds(whole, whole, false); r.side != 0 || r.found) return r.side;
  // A glare spot over one end lifts its bars above the card's ink level: each
  // end read by its own levels (over its fifth of the block and its margin);
  // no bar is sought at an end inside the symbol (kEndContrast).
  Levels left = levelsIn(bl - margin, bl + box.width / 5), right = levelsIn(br - box.width / 5, br + margin);
  const double least = std::max(40.0, kEndContrast * (whole.paper - whole.ink));
  const bool left_ok = left.paper - left.ink >= least, right_ok = right.paper - right.ink >= least;
  if (!left_ok && !right_ok) return 0;
  // At an end inside the symbol no bar is sought: no run is darker than 0.
  if (!left_ok) left = Levels{0, 0};
  if (!right_ok) right = Levels{0, 0};
  return readEnds(left, right, true).side;
}

// The margin on the symbol's near side is under kLayoutGap of the far one's
// (id-synth's licence backs: 0.14 of the card's height above, 0.45-0.6 below).
constexpr double kLayoutGap = 0.5;

}  // namespace

// A licence back's layout, for a PDF417 whose start and stop patterns tell
// nothing (glare or blur over an end): the symbol is printed near the card's
// top edge, with the lines of text in the wider margin below it. Only on a
// card of a licence's shape (ID-1) and a block with card around it on every
// side: a flat "card" that is part of one (a wrong quad) cuts the symbol at
// its edge.
int detail::pdf417LayoutSide(const cv::Mat& grey) {
  const int W = grey.cols, H = grey.rows;
  if (W < 200 || H < 100) return 0;
  const cv::Size id1 = pixelSize(Kind::id1, 300);
  if (std::abs(static_cast<double>(W) / H - static_cast<double>(id1.width) / id1.height) > 0.05) return 0;
  cv::Rect box = symbolBlock(denseBars(grey));
  if (box.empty()) box = darkBlock(grey);
  if (box.empty() || box.height < kSymbolHeight * H) return 0;
  if (box.x < W / 50 || box.br().x > W - W / 50 || box.y < H / 50 || box.br().y > H - H / 50) return 0;
  const double above = box.y, below = H - box.br().y;
  if (above < kLayoutGap * below) return 1;
  if (below < kLayoutGap * above) return -1;
  return 0;
}

int pdf417Side(const cv::Mat& flat_bgr) {
  if (flat_bgr.empty()) return 0;
  return pdf417GreySide(greyAtWidth(flat_bgr, std::max(kWorkWidth, flat_bgr.cols)));
}

namespace {

// The portrait is the one large solid picture on a card: after removing strokes
// the size of text, whichever end keeps more non-background area has it.
double portraitBalance(const cv::Mat& grey) {
  const int W = grey.cols, H = grey.rows;
  cv::Mat small;
  cv::resize(grey, small, cv::Size(160, std::max(8, 160 * H / W)), 0, 0, cv::INTER_AREA);
  std::vector<uchar> v(small.begin<uchar>(), small.end<uchar>());
  const int bg = detail::fractile(v, 3, 4);  // the card's paper is its lighter part
  cv::Mat diff;
  cv::absdiff(small, cv::Scalar(bg), diff);
  cv::Mat mask = diff > 35;
  const int k = std::max(3, small.rows / 10);
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  const int third = small.cols * 35 / 100;
  const cv::Rect mid(0, small.rows / 8, small.cols, small.rows * 3 / 4);
  const double left = cv::countNonZero(mask(cv::Rect(0, mid.y, third, mid.height)));
  const double right = cv::countNonZero(mask(cv::Rect(small.cols - third, mid.y, third, mid.height)));
  const double norm = third * mid.height;
  return (left - right) / norm;  // > 0: portrait on the left (upright)
}

struct Osd {
  std::unique_ptr<tesseract::TessBaseAPI> api;
  bool ok = false;
  Osd() : api(std::make_unique<tesseract::TessBaseAPI>()) {
    api->SetVariable("debug_file", "/dev/null");
    ok = api->Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) == 0;
    if (ok) api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
  }
  ~Osd() {
    if (ok) api->End();
  }
};

// Tesseract's script orientation: +1 upright, -1 upside down, 0 unsure.
int osdSide(const cv::Mat& grey, double* conf_out) {
  thread_local Osd osd;
  if (!osd.ok) return 0;
  osd.api->SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  osd.api->SetSourceResolution(300);
  int deg = 0;
  float conf = 0, script_conf = 0;
  const char* script = nullptr;
  if (!osd.api->DetectOrientationScript(&deg, &conf, &script, &script_conf)) return 0;
  osd.api->Clear();
  *conf_out = conf;
  if (conf < 1.0) return 0;
  if (deg == 0) return 1;
  if (deg == 180) return -1;
  return 0;
}

}  // namespace

int detail::faceSideWith(const face::Models& models, const cv::Mat& flat_bgr, double* conf_out) {
  FaceLooker det(models);
  return faceSideBy(det, flat_bgr, conf_out);
}

detail::PiecedBand detail::piecedMrzBand(const cv::Mat& flat_bgr) {
  if (flat_bgr.empty() || flat_bgr.cols < 16 || flat_bgr.rows < 8) return {};
  const cv::Mat grey = greyAtWidth(flat_bgr, kWorkWidth);
  const auto band = mrzBandIn(grey, grey.cols, grey.rows, true);
  if (!band) return {};
  return {detail::bandSide(band->centre_y, grey.rows), band->pitch > 0 ? band->pitch * flat_bgr.cols / grey.cols : 0};
}

std::string detail::faceCueMissing() {
  const auto& m = faceModels();
  return m.models ? std::string() : "no face detector, the portrait's face was not looked for: " + m.missing;
}

Orientation orientLandscape(const cv::Mat& flat_bgr) {
  if (flat_bgr.empty()) return {};
  if (const int s = mrzSide(flat_bgr); s != 0) return {s > 0 ? 0 : 2, "mrz", 1.0};
  return detail::orientWithoutMrz(flat_bgr);
}

Orientation detail::orientWithoutMrz(const cv::Mat& flat_bgr, std::optional<PiecedBand>* pieced) {
  if (flat_bgr.empty()) return {};
  // face-api's answer rests on the face's side alone: a barcode read goes first.
  const auto& models = faceModels().models;
  const bool face_first = models && models->detector_kind == face::DetectorKind::yunet;
  double face_conf = 0;
  bool no_face = false;
  if (face_first)
    if (const int s = faceSide(flat_bgr, &face_conf, &no_face); s != 0) return {s > 0 ? 0 : 2, "face", face_conf};
  const cv::Mat grey = greyAtWidth(flat_bgr, std::max(kWorkWidth, flat_bgr.cols));
  if (const int s = barcodeSide(grey); s != 0) return {s > 0 ? 0 : 2, "barcode", 0.95};
  if (!face_first)
    if (const int s = faceSide(flat_bgr, &face_conf, nullptr); s != 0) return {s > 0 ? 0 : 2, "face", face_conf};
  double pdf_conf = 0;
  if (const int s = pdf417GreySide(grey, &pdf_conf); s != 0) return {s > 0 ? 0 : 2, "pdf417", pdf_conf};
  // YuNet found no face either way up (a portrait faded by glare or blur):
  // face-api's detector may still, read by the face's side as without YuNet.
  // After the PDF417 cue: a licence back has no face, and the look costs
  // about 30 ms.
  if (no_face)
    if (const int s = secondFaceSide(flat_bgr, &face_conf); s != 0) return {s > 0 ? 0 : 2, "face", face_conf};
  // Its own cue name: "mrz" tells detection the band was seen (deskew.cpp's container rule).
  std::optional<PiecedBand> searched;
  if (!pieced) pieced = &searched;
  if (!*pieced) *pieced = detail::piecedMrzBand(flat_bgr);
  if (const int s = (*pieced)->side; s != 0) return {s > 0 ? 0 : 2, "mrz-pieces", 0.9};
  if (const int s = detail::pdf417LayoutSide(grey); s != 0) return {s > 0 ? 0 : 2, "pdf417-layout", 0.55};
  const double p = portraitBalance(grey);
  if (std::abs(p) > 0.12) return {p > 0 ? 0 : 2, "portrait", std::min(0.9, 0.6 + std::abs(p))};
  double conf = 0;
  if (const int s = osdSide(grey, &conf); s != 0) return {s > 0 ? 0 : 2, "osd", std::min(0.85, 0.5 + conf / 20)};
  if (std::abs(p) > 0.03) return {p > 0 ? 0 : 2, "portrait", 0.5};
  return {0, "none", 0.3};
}

}  // namespace idkit::deskew
