// deskew corner refinement: straightening a side that a coarse quad left
// tilted (one end on the card's edge, the other on a thumb or beyond the
// card), on a rendered scene with a known outline; and a side on the card's
// own faint edge stays there when a crisper band runs parallel inside it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include <idkit/deskew.hpp>

#include "../../libid/src/deskew_internal.hpp"

using namespace idkit::deskew;

namespace {

// A pale ID-1 card (856 x 540 px, 10 px per mm) on a mottled grey desk,
// turned 8 degrees and seen with a little perspective: a blue header band
// 6 mm deep, print, an MRZ-like band near the bottom, and a thumb over the
// middle of the right side. Returns the image; `truth` gets the card's corners.
cv::Mat scene(Quad& truth, int desk_grey) {
  const cv::Size card_px(856, 540);
  cv::Mat card(card_px, CV_8UC3, cv::Scalar(236, 240, 242));
  cv::rectangle(card, cv::Rect(0, 0, card_px.width, 60), cv::Scalar(150, 100, 50), cv::FILLED);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> w(20, 90);
  for (int row = 0; row < 6; ++row)
    for (int x = 330; x < 800;) {
      const int len = w(rng);
      cv::rectangle(card, cv::Rect(x, 110 + 45 * row, len, 14), cv::Scalar(60, 60, 60), cv::FILLED);
      x += len + 15;
    }
  cv::rectangle(card, cv::Rect(40, 100, 250, 300), cv::Scalar(170, 180, 200), cv::FILLED);
  for (int line = 0; line < 3; ++line)
    for (int x = 40; x + 18 < 816; x += 26)
      cv::rectangle(card, cv::Rect(x, 420 + 34 * line, 18, 24), cv::Scalar(30, 30, 30), cv::FILLED);

  cv::Mat img(1600, 2000, CV_8UC3);
  cv::Mat noise(40, 50, CV_8UC1);
  cv::randu(noise, desk_grey - 12, desk_grey + 12);
  cv::Mat mottled;
  cv::resize(noise, mottled, img.size(), 0, 0, cv::INTER_CUBIC);
  cv::cvtColor(mottled, img, cv::COLOR_GRAY2BGR);

  const double a = 8 * CV_PI / 180;
  const cv::Point2d c(1000, 800);
  auto at = [&](double x, double y) {
    return c + cv::Point2d(x * std::cos(a) - y * std::sin(a), x * std::sin(a) + y * std::cos(a));
  };
  truth = {at(-470, -300), at(470, -290), at(460, 300), at(-460, 290)};
  const std::array<cv::Point2f, 4> src{cv::Point2f(0, 0), cv::Point2f(856, 0), cv::Point2f(856, 540), cv::Point2f(0, 540)};
  std::array<cv::Point2f, 4> dst;
  for (size_t i = 0; i < 4; ++i) dst[i] = cv::Point2f(static_cast<float>(truth[i].x), static_cast<float>(truth[i].y));
  const cv::Mat h = cv::getPerspectiveTransform(src.data(), dst.data());
  cv::Mat mask(card_px, CV_8UC1, cv::Scalar(255)), warped, warped_mask;
  cv::warpPerspective(card, warped, h, img.size(), cv::INTER_LINEAR);
  cv::warpPerspective(mask, warped_mask, h, img.size(), cv::INTER_LINEAR);
  warped.copyTo(img, warped_mask > 127);
  // The thumb: over the right side's middle, reaching onto the desk.
  const cv::Point2d mid = (truth[1] + truth[2]) * 0.5;
  cv::ellipse(img, cv::Point(static_cast<int>(mid.x) + 40, static_cast<int>(mid.y)), cv::Size(110, 60), 8, 0, 360,
              cv::Scalar(120, 150, 205), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, cv::Size(5, 5), 1.2);
  return img;
}

double worstCorner(const Quad& a, const Quad& b) {
  double worst = 0;
  for (size_t i = 0; i < 4; ++i) worst = std::max(worst, cv::norm(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("straighten: a side left tilted beyond the card comes back onto its edge", "[deskew][refine]") {
  Quad truth;
  const cv::Mat img = scene(truth, 150);
  // The right side as a coarse quad may leave it: its top end on the card's
  // corner, its bottom end 45 px (4.5 mm) out on the desk past the thumb.
  Quad coarse = truth;
  const cv::Point2d along = (truth[2] - truth[3]) / cv::norm(truth[2] - truth[3]);
  coarse[2] = truth[2] + along * 45.0;
  REQUIRE(worstCorner(coarse, truth) > 40);
  const Quad refined = detail::refine(img, coarse, 6, 2);
  const Quad straight = detail::straighten(img, refined, 2);
  CHECK(worstCorner(straight, truth) < 3.0);
  CHECK(iou(straight, truth) > 0.995);
  CHECK(iou(refined, truth) < 0.99);  // what refinement alone left
}

TEST_CASE("straighten: a side on the card's own edge stays off the header band inside it", "[deskew][refine]") {
  Quad truth;
  // A pale desk: the card's top edge is faint, the header band's lower edge
  // 6 mm inside is crisp and runs parallel to it.
  const cv::Mat img = scene(truth, 225);
  // The band's edge is 60 px inside; the card's edge may settle a few px off.
  const Quad straight = detail::straighten(img, truth, 2);
  CHECK(worstCorner(straight, truth) < 6.0);
  // And nothing to do on a quad already on all four edges.
  Quad again = detail::straighten(img, straight, 2);
  CHECK(worstCorner(again, straight) < 1.0);
}

TEST_CASE("straighten: a side on a header band's line gives way to the card's edge beyond it for a card's shape",
          "[deskew][refine]") {
  Quad truth;
  // A dark desk: the card's top edge (the header band against the desk) and
  // the band's lower line 60 px inside are both crisp and run parallel; a
  // quad on the band's line is 856 x 480, no card's proportions (fit 0.1).
  const cv::Mat img = scene(truth, 45);
  Quad cut = truth;
  cut[0] = truth[0] + (truth[3] - truth[0]) * (60.0 / 540);
  cut[1] = truth[1] + (truth[2] - truth[1]) * (60.0 / 540);
  REQUIRE(detail::documentAspect(cut, img.size()).fit < 0.3);
  const Quad straight = detail::straighten(img, cut, 2);
  CHECK(worstCorner(straight, truth) < 4.0);
  CHECK(detail::documentAspect(straight, img.size()).fit > 0.9);
  // On the card's own edges it stays: the band's line inside is no move.
  CHECK(worstCorner(detail::straighten(img, truth, 2), truth) < 2.0);
}
