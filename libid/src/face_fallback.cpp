// The fallback detector: face-api's tiny_face_detector (a Tiny-YOLOv2 with
// separable convolutions, 13x13 cells x 5 anchors on a 416 px square) and its
// 68-point landmark net, both converted to ONNX by scripts/models. Decoding
// follows face-api's TinyYolov2Base and FaceLandmark68NetBase.
#include "face_internal.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace idkit::face {

namespace {

constexpr int kGridInput = 416;
constexpr int kCells = 13;
constexpr int kLandmarkInput = 112;
constexpr float kNmsIou = 0.4f;  // face-api's IOU_THRESHOLD
// Landmarks cost a forward pass each: only the best boxes get them.
constexpr size_t kMaxFaces = 8;
constexpr float kScoreScale = 0.5f;
// Anchor sizes in cells (face-api's tinyFaceDetector BOX_ANCHORS).
const std::array<cv::Point2f, 5> kAnchors{{
    {1.603231f, 2.094468f}, {6.041143f, 7.080126f}, {2.882459f, 3.518061f},
    {4.266906f, 5.178857f}, {9.041765f, 10.66308f}}};
const cv::Scalar kDetectorMeanRgb(117.001, 114.697, 97.404);
const cv::Scalar kLandmarkMeanRgb(122.782, 117.001, 104.298);

float sigmoid(float v) { return 1.f / (1.f + std::exp(-v)); }

cv::dnn::Net readNet(std::span<const uchar> onnx) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(std::vector<uchar>(onnx.begin(), onnx.end()));
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

// Boxes above min_score after non-maximum suppression, best first, in `bgr` pixels.
std::vector<Detection> gridBoxes(cv::dnn::Net& net, const cv::Mat& bgr, float min_score) {
  // face-api pads the image at the bottom/right to a square with black and
  // scales the square to 416 px; scaling first and padding after is the same.
  const double scale = double(kGridInput) / std::max(bgr.cols, bgr.rows);
  cv::Mat img;
  cv::resize(bgr, img, cv::Size(std::max(1, int(std::lround(bgr.cols * scale))),
                                std::max(1, int(std::lround(bgr.rows * scale)))),
             0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::copyMakeBorder(img, img, 0, kGridInput - img.rows, 0, kGridInput - img.cols, cv::BORDER_CONSTANT,
                     cv::Scalar::all(0));
  net.setInput(cv::dnn::blobFromImage(img, 1.0 / 255, {}, kDetectorMeanRgb, true, false));
  const cv::Mat grid = net.forward();  // [1, 25, 13, 13]
  if (grid.dims != 4 || grid.size[1] != 25 || grid.size[2] != kCells || grid.size[3] != kCells) return {};

  std::vector<cv::Rect2d> boxes;
  std::vector<float> scores;
  const float* g = grid.ptr<float>();
  auto at = [&](int channel, int row, int col) { return g[(channel * kCells + row) * kCells + col]; };
  const double cell = double(kGridInput) / kCells / scale;  // one cell in `bgr` pixels
  for (int row = 0; row < kCells; ++row)
    for (int col = 0; col < kCells; ++col)
      for (size_t a = 0; a < kAnchors.size(); ++a) {
        const int c = int(a) * 5;
        const float score = sigmoid(at(c + 4, row, col));
        if (score < min_score || !std::isfinite(score)) continue;
        const double cx = (col + sigmoid(at(c, row, col))) * cell;
        const double cy = (row + sigmoid(at(c + 1, row, col))) * cell;
        const double w = std::exp(std::min(at(c + 2, row, col), 10.f)) * kAnchors[a].x * cell;
        const double h = std::exp(std::min(at(c + 3, row, col), 10.f)) * kAnchors[a].y * cell;
        boxes.emplace_back(cx - w / 2, cy - h / 2, w, h);
        scores.push_back(score);
      }
  std::vector<int> keep;
  cv::dnn::NMSBoxes(boxes, scores, min_score, kNmsIou, keep);
  std::vector<Detection> out;
  for (int i : keep) {
    Detection d;
    d.box = cv::Rect2f(boxes[size_t(i)]);
    d.score = scores[size_t(i)];
    out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  return out;
}

// The 68 points of the face in `box`: face-api cuts the box (clipped to the
// image), pads it centred to a square with black and scales it to 112 px.
std::optional<std::array<cv::Point2f, 68>> landmarks68(cv::dnn::Net& net, const cv::Mat& bgr, const cv::Rect2f& box) {
  cv::Rect r(cv::Point(int(std::lround(box.x)), int(std::lround(box.y))),
             cv::Point(int(std::lround(box.x + box.width)), int(std::lround(box.y + box.height))));
  r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (r.width < 4 || r.height < 4) return std::nullopt;
  const int side = std::max(r.width, r.height);
  const int diff = side - std::min(r.width, r.height);
  const int after = int(std::lround(diff * 0.5)), before = diff - after;
  const double scale = double(kLandmarkInput) / side;
  cv::Mat crop;
  cv::resize(bgr(r), crop, cv::Size(std::max(1, int(std::lround(r.width * scale))),
                                    std::max(1, int(std::lround(r.height * scale)))),
             0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  // Padding in the 112 px square, the same split as face-api's before scaling.
  const int pb = int(std::lround(before * scale));
  const int pad_x = r.width < r.height ? pb : 0, pad_y = r.height < r.width ? pb : 0;
  cv::Mat square(kLandmarkInput, kLandmarkInput, CV_8UC3, cv::Scalar::all(0));
  const cv::Rect dst(pad_x, pad_y, std::min(crop.cols, kLandmarkInput - pad_x), std::min(crop.rows, kLandmarkInput - pad_y));
  crop(cv::Rect(0, 0, dst.width, dst.height)).copyTo(square(dst));
  net.setInput(cv::dnn::blobFromImage(square, 1.0 / 255, {}, kLandmarkMeanRgb, true, false));
  const cv::Mat out = net.forward();
  if (out.total() != 136) return std::nullopt;
  const float* v = out.ptr<float>();
  std::array<cv::Point2f, 68> pts;
  // Outputs are fractions of the padded square.
  const float ox = float(r.x - (r.width < r.height ? before : 0));
  const float oy = float(r.y - (r.height < r.width ? before : 0));
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(v[2 * i]) || !std::isfinite(v[2 * i + 1])) return std::nullopt;
    pts[i] = {ox + v[2 * i] * float(side), oy + v[2 * i + 1] * float(side)};
  }
  return pts;
}

}  // namespace

std::array<cv::Point2f, 5> fivePoints(std::span<const cv::Point2f> p) {
  std::array<cv::Point2f, 5> out{};
  if (p.size() != 68) return out;
  auto mean = [&](size_t from, size_t to) {
    cv::Point2f m(0, 0);
    for (size_t i = from; i < to; ++i) m += p[i];
    return m * (1.f / float(to - from));
  };
  // iBUG 300-W: 36-41 the eye on the image's left (the subject's right), 42-47
  // the other, 30 the nose tip, 48 and 54 the mouth corners.
  return {mean(36, 42), mean(42, 48), p[30], p[48], p[54]};
}

namespace detail {

FaceApiNets FaceApiNets::load(std::span<const uchar> detector_onnx, std::span<const uchar> landmarks_onnx) {
  return {readNet(detector_onnx), readNet(landmarks_onnx)};
}

std::vector<Detection> faceApiBoxes(FaceApiNets& nets, const cv::Mat& bgr, float min_score) {
  return bgr.empty() ? std::vector<Detection>{} : gridBoxes(nets.detector, bgr, min_score);
}

std::vector<Detection> detectFaceApi(FaceApiNets& nets, const cv::Mat& bgr, float min_score) {
  if (bgr.empty()) return {};
  // tiny_face_detector's scores run lower than YuNet's on the same faces
  // (face-api's own default is 0.5): the callers' YuNet-calibrated floor is halved.
  const float floor = min_score * kScoreScale;
  auto detectIn = [&](const cv::Mat& img, cv::Point2f offset) {
    auto found = gridBoxes(nets.detector, img, floor);
    if (found.size() > kMaxFaces) found.resize(kMaxFaces);
    std::vector<Detection> out;
    for (auto& d : found) {
      auto pts = landmarks68(nets.landmarks, img, d.box);
      if (!pts) continue;
      d.landmarks = fivePoints(*pts);
      d.box.x -= offset.x, d.box.y -= offset.y;
      for (auto& p : d.landmarks) p -= offset;
      out.push_back(d);
    }
    return out;
  };
  auto out = detectIn(bgr, {0, 0});
  if (!out.empty()) return out;
  // A face that fills the image (a tight crop) is larger than anything the
  // detector saw in training: again with the image in the middle of a canvas
  // twice, then three times its size. Tight 150 px crops of the photo set
  // (a face cut at the forehead and chin) are found only at three times.
  for (int canvas_factor : {2, 3}) {
    const int mx = bgr.cols * (canvas_factor - 1) / 2, my = bgr.rows * (canvas_factor - 1) / 2;
    cv::Mat canvas;
    cv::copyMakeBorder(bgr, canvas, my, my, mx, mx, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    out = detectIn(canvas, cv::Point2f(float(mx), float(my)));
    if (!out.empty()) break;
  }
  return out;
}

}  // namespace detail
}  // namespace idkit::face
