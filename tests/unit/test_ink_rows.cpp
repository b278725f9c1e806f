// Runs of rows dense with ink (libid/src/ink_rows.hpp): the parting of lines
// a blur or a thumb's rim joined, shared by id-ocr's word boxes and
// id-deskew's MRZ band.
#include <cstdlib>

#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "../../libid/src/ink_rows.hpp"

using idkit::detail::inkRowRuns;

TEST_CASE("inkRowRuns parts two printed lines joined by a thin stroke", "[ink_rows]") {
  // Two lines of capitals, 12 px apart, joined by a 2 px wide vertical rim.
  cv::Mat ink(80, 300, CV_8UC1, cv::Scalar(0));
  cv::putText(ink, "LINE ONE 123", {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.8, cv::Scalar(255), 2);
  cv::putText(ink, "LINE TWO 456", {12, 62}, cv::FONT_HERSHEY_SIMPLEX, 0.8, cv::Scalar(255), 2);
  cv::rectangle(ink, cv::Rect(150, 5, 2, 70), cv::Scalar(255), cv::FILLED);
  const auto runs = inkRowRuns(ink, [](int fullest) { return fullest / 5 + 1; });
  REQUIRE(runs.size() == 2);
  // Each run holds its line's capitals (cap height ~17 px at this scale) and
  // spans its line's ink from left to right.
  CHECK(runs[0].y <= 15);
  CHECK(runs[0].br().y >= 30);
  CHECK(runs[0].br().y < 40);
  CHECK(runs[1].y > 40);
  CHECK(runs[1].br().y >= 62);
  CHECK(runs[0].x <= 12);
  CHECK(runs[1].x <= 14);
  int base = 0;
  const int width = cv::getTextSize("LINE ONE 123", cv::FONT_HERSHEY_SIMPLEX, 0.8, 2, &base).width;
  CHECK(std::abs(runs[0].br().x - (10 + width)) <= 3);
  CHECK(std::abs(runs[1].br().x - (12 + width)) <= 3);
}

TEST_CASE("inkRowRuns takes rows holding at least the bar, boxed by their ink", "[ink_rows]") {
  cv::Mat ink(6, 10, CV_8UC1, cv::Scalar(0));
  ink.row(0).colRange(2, 8).setTo(255);  // 6 px: the fullest row
  ink.row(1).colRange(3, 6).setTo(255);  // 3 px
  ink.row(2).colRange(0, 2).setTo(255);  // 2 px: under a bar of 3
  ink.row(4).colRange(1, 9).setTo(255);  // 8 px... now the fullest
  ink.row(5).colRange(4, 7).setTo(255);  // 3 px
  int seen = -1;
  const auto runs = inkRowRuns(ink, [&](int fullest) {
    seen = fullest;
    return 3;
  });
  CHECK(seen == 8);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0] == cv::Rect(2, 0, 6, 2));
  CHECK(runs[1] == cv::Rect(1, 4, 8, 2));
  // A bar of one takes every row with ink; an empty image has no run.
  CHECK(inkRowRuns(ink, [](int) { return 1; }) == std::vector<cv::Rect>{cv::Rect(0, 0, 8, 3), cv::Rect(1, 4, 8, 2)});
  CHECK(inkRowRuns(cv::Mat(4, 4, CV_8UC1, cv::Scalar(0)), [](int) { return 1; }).empty());
}
