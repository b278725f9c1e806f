// Internals of the face module shared by its source files.
#pragma once
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/dnn.hpp>
#include <opencv2/objdetect.hpp>

#include <idkit/face.hpp>

namespace idkit::face::detail {

// face-api's tiny_face_detector and 68-point landmark net, one thread's copy.
struct FaceApiNets {
  cv::dnn::Net detector, landmarks;
  static FaceApiNets load(std::span<const uchar> detector_onnx, std::span<const uchar> landmarks_onnx);
};

std::vector<Detection> detectFaceApi(FaceApiNets& nets, const cv::Mat& bgr, float min_score);
// YuNet's faces in `bgr`, scaled down to at most `detect_side` pixels (and
// padded to its smallest input), in bgr's pixels, best first.
std::vector<Detection> runDetector(cv::FaceDetectorYN& det, const cv::Mat& bgr, float min_score, int detect_side);
// The detector's boxes alone (no landmarks, no larger canvas), best first, with
// its own scores (not rescaled to YuNet's): enough to say where a face is.
std::vector<Detection> faceApiBoxes(FaceApiNets& nets, const cv::Mat& bgr, float min_score);

}  // namespace idkit::face::detail
