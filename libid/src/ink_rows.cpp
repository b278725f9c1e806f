// Runs of rows dense with ink (see ink_rows.hpp).
#include "ink_rows.hpp"

#include <algorithm>

namespace idkit::detail {

std::vector<cv::Rect> inkRowRuns(const cv::Mat& ink, const std::function<int(int fullest)>& least) {
  CV_Assert(ink.type() == CV_8UC1);
  struct Row {
    int count = 0, lo = 0, hi = 0;  // ink pixels, their first column and one past their last
  };
  std::vector<Row> rows(static_cast<std::size_t>(ink.rows));
  int fullest = 0;
  for (int y = 0; y < ink.rows; ++y) {
    const std::uint8_t* p = ink.ptr<std::uint8_t>(y);
    Row& r = rows[static_cast<std::size_t>(y)];
    r.lo = ink.cols, r.hi = 0;
    for (int x = 0; x < ink.cols; ++x)
      if (p[x]) ++r.count, r.lo = std::min(r.lo, x), r.hi = x + 1;
    fullest = std::max(fullest, r.count);
  }
  const int bar = least(fullest);
  std::vector<cv::Rect> runs;
  int from = -1, x0 = 0, x1 = 0;
  for (int y = 0; y <= ink.rows; ++y) {
    if (y < ink.rows && rows[static_cast<std::size_t>(y)].count >= bar) {
      const Row& r = rows[static_cast<std::size_t>(y)];
      if (from < 0) from = y, x0 = r.lo, x1 = r.hi;
      x0 = std::min(x0, r.lo), x1 = std::max(x1, r.hi);
    } else if (from >= 0) {
      runs.emplace_back(x0, from, x1 - x0, y - from);
      from = -1;
    }
  }
  return runs;
}

}  // namespace idkit::detail
