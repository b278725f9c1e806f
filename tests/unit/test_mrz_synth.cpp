// Reading a blurred MRZ line by synthesis (libid/src/mrz_synth.cpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <idkit/ocrb.hpp>

#include "../../libid/src/mrz_synth.hpp"

namespace {

using namespace idkit;

std::string bestOf(const cv::Mat& probs) {
  std::string out;
  for (int i = 0; i < probs.rows; ++i) {
    cv::Point best;
    cv::minMaxLoc(probs.row(i).colRange(0, ocrb::kClasses), nullptr, nullptr, nullptr, &best);
    out.push_back(ocrb::kAlphabet[static_cast<std::size_t>(best.x)]);
  }
  return out;
}

}  // namespace

TEST_CASE("a heavily blurred line under uneven light is read by synthesis", "[mrz_read]") {
  const std::string text = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
  const auto r = ocrb::renderLine(text, ocrb::kTextHeight, 30);
  const float k = ocrb::kTextHeight / (r.baseline - r.top);
  const cv::Matx23d m(k, 0, 0, 0, k, ocrb::kStripTop - k * r.top);
  cv::Mat strip;
  cv::warpAffine(r.gray, strip, cv::Mat(m), {static_cast<int>(r.gray.cols * k), ocrb::kStripHeight}, cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  // Defocus of sigma 4.0 strip pixels (neighbouring
  // glyphs run together), then light falling off along the line.
  cv::GaussianBlur(strip, strip, cv::Size(0, 0), 4.0);
  cv::Mat grey;
  strip.convertTo(grey, CV_32F);
  for (int x = 0; x < grey.cols; ++x) grey.col(x) *= 1.0 - 0.35 * x / grey.cols;
  grey.convertTo(strip, CV_8U);

  std::vector<float> centres, widths;
  for (std::size_t i = 0; i < text.size(); ++i) {
    centres.push_back((r.left + (static_cast<float>(i) + 0.5f) * r.pitch) * k);
    widths.push_back(r.pitch * k);
  }
  // The classifier's reading is where the synthesis starts.
  const cv::Mat ink = ocrb::inkImage(strip);
  cv::Mat feats(static_cast<int>(text.size()), ocrb::kFeatureSize, CV_32F);
  for (std::size_t i = 0; i < text.size(); ++i)
    ocrb::cellFeatures(ink, centres[i], widths[i], std::span<float>(feats.ptr<float>(static_cast<int>(i)), ocrb::kFeatureSize));
  const std::string classified = bestOf(ocrb::Classifier::shared().predict(feats));
  INFO("classifier: " << classified);
  CHECK(classified != text);

  cv::Mat linear;
  strip.convertTo(linear, CV_32F, -1.0 / 255.0, 1.0);
  const auto synth = mrz::detail::synthCells(linear, centres, widths, classified);
  REQUIRE(synth);
  CHECK(synth->sigma_x == Approx(4.0).margin(1.0));
  CHECK(synth->sigma_y == Approx(4.0).margin(1.0));
  CHECK(bestOf(synth->probs) == text);
}
