// Private to libid: a binary image's runs of rows dense with ink (lines of
// text a blur or a thumb's rim joined, parted at their sparse rows:
// ocr_register.cpp's word boxes, deskew_orient.cpp's MRZ band).
#pragma once
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

namespace idkit::detail {

// The runs of consecutive rows of `ink` (CV_8UC1, non-zero is ink) holding at
// least `least(fullest)` ink pixels, fullest being the fullest row's count,
// each boxed by its ink's columns, in `ink`'s coordinates, top first.
std::vector<cv::Rect> inkRowRuns(const cv::Mat& ink, const std::function<int(int fullest)>& least);

}  // namespace idkit::detail
