// Reading a blurred MRZ line by synthesis (libid/src/mrz_synth.cpp).
#include <catch2/catch.hpp>

#include <cmath>
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

// `text` drawn in OCR-B as a line's strip (kStripHeight rows, the text
// between kStripTop and kStripBaseline), with its cells' centres and pitch.
struct Strip {
  cv::Mat grey;  // CV_8U
  std::vector<float> centres;
  float pitch = 0;
};
Strip stripOf(const std::string& text) {
  const auto r = ocrb::renderLine(text, ocrb::kTextHeight, 30);
  const float k = ocrb::kTextHeight / (r.baseline - r.top);
  const cv::Matx23d m(k, 0, 0, 0, k, ocrb::kStripTop - k * r.top);
  Strip out;
  cv::warpAffine(r.gray, out.grey, cv::Mat(m), {static_cast<int>(r.gray.cols * k), ocrb::kStripHeight}, cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  for (std::size_t i = 0; i < text.size(); ++i) out.centres.push_back((r.left + (static_cast<float>(i) + 0.5f) * r.pitch) * k);
  out.pitch = r.pitch * k;
  return out;
}

}  // namespace

TEST_CASE("a heavily blurred line under uneven light is read by synthesis", "[mrz_read]") {
  const std::string text = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
  const Strip drawn = stripOf(text);
  cv::Mat strip = drawn.grey;
  // Defocus of sigma 4.0 strip pixels (neighbouring
  // glyphs run together), then light falling off along the line.
  cv::GaussianBlur(strip, strip, cv::Size(0, 0), 4.0);
  cv::Mat grey;
  strip.convertTo(grey, CV_32F);
  for (int x = 0; x < grey.cols; ++x) grey.col(x) *= 1.0 - 0.35 * x / grey.cols;
  grey.convertTo(strip, CV_8U);

  const std::vector<float>& centres = drawn.centres;
  const std::vector<float> widths(centres.size(), drawn.pitch);
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

TEST_CASE("a thumb over an E's lower part is found, and the cell read from what shows", "[mrz_read]") {
  const std::string text = "1302779216099THEO<<<<<<<<<<7003251M6";
  const Strip drawn = stripOf(text);
  cv::Mat strip;
  cv::GaussianBlur(drawn.grey, strip, cv::Size(0, 0), 0.7);
  const float pitch = drawn.pitch;
  auto centre = [&](int i) { return drawn.centres[static_cast<std::size_t>(i)]; };
  // Nothing covers the line yet.
  CHECK(cv::countNonZero(mrz::detail::coveredRegion(strip, pitch)) == 0);
  // A thumb's tip, mid grey, rising from below the strip over the E's
  // lower part (cell 15), as id-synth draws it.
  const int e = 15;
  cv::ellipse(strip, cv::RotatedRect(cv::Point2f(centre(e), ocrb::kStripBaseline + 10.0f), cv::Size2f(5.0f * pitch, 40.0f), 0),
              cv::Scalar(150), cv::FILLED, cv::LINE_AA);
  const cv::Mat covered = mrz::detail::coveredRegion(strip, pitch);
  const auto cellCovered = [&](int i) {
    const int x0 = static_cast<int>(centre(i) - 0.4f * pitch), x1 = static_cast<int>(centre(i) + 0.4f * pitch);
    return cv::countNonZero(covered(cv::Rect(x0, ocrb::kStripTop, x1 - x0, ocrb::kStripBaseline - ocrb::kStripTop)));
  };
  CHECK(cellCovered(e) > 0);
  for (int i : {0, 5, 10, 20, 25, 30, 35}) CHECK(cellCovered(i) == 0);
  // The classifier reads the cell as another letter; read from what shows,
  // the E is the likeliest.
  const cv::Mat ink = ocrb::inkImage(strip);
  cv::Mat feats(1, ocrb::kFeatureSize, CV_32F);
  ocrb::cellFeatures(ink, centre(e), pitch, std::span<float>(feats.ptr<float>(0), ocrb::kFeatureSize));
  const std::string classified = bestOf(ocrb::Classifier::shared().predict(feats));
  const auto probs = mrz::detail::visibleCellProbs(ink, covered, centre(e), pitch);
  REQUIRE(probs);
  std::string seen;
  for (int c = 0; c < ocrb::kClasses; ++c)
    if ((*probs)[static_cast<std::size_t>(c)] > 1e-3f)
      seen += std::string(1, ocrb::kAlphabet[static_cast<std::size_t>(c)]) + " " + std::to_string((*probs)[static_cast<std::size_t>(c)]) + "; ";
  INFO("classifier " << classified << ", visible part " << seen);
  CHECK(classified != "E");
  CHECK((*probs)[static_cast<std::size_t>(ocrb::classIndex('E'))] > 0.5f);
}

TEST_CASE("cells a glare spot fades are found, and a faded glyph read in its own levels", "[mrz_read]") {
  const std::string text = "IDFRADARTAGNAN<<<<<<<<<<<<<<<<764228";
  const Strip drawn = stripOf(text);
  cv::Mat strip;
  cv::GaussianBlur(drawn.grey, strip, cv::Size(0, 0), 0.7);
  const std::vector<float> widths(drawn.centres.size(), drawn.pitch);
  // No cell is faded on an even line.
  for (bool f : mrz::detail::fadedCells(strip, drawn.centres, widths)) CHECK(!f);
  // A glare spot as id-synth draws it (grey lifted towards white by a
  // Gaussian factor, 0.9 at its centre) over the last cells.
  const float c = drawn.centres.back();
  for (int y = 0; y < strip.rows; ++y)
    for (int x = 0; x < strip.cols; ++x) {
      const double d = (x - c) / (3.0 * drawn.pitch);
      const double g = 0.9 * std::exp(-1.5 * d * d);
      uchar& v = strip.at<uchar>(y, x);
      v = cv::saturate_cast<uchar>(v + (255 - v) * g);
    }
  const auto faded = mrz::detail::fadedCells(strip, drawn.centres, widths);
  const int last = static_cast<int>(text.size()) - 1;
  CHECK(faded[static_cast<std::size_t>(last)]);
  CHECK(faded[static_cast<std::size_t>(last - 1)]);
  for (int i = 0; i < 25; ++i) CHECK(!faded[static_cast<std::size_t>(i)]);
  // The line's ink image leaves the last glyph too pale for the classifier;
  // fitted in its own levels, the 8 is read.
  const cv::Mat ink = mrz::detail::unclippedInk(strip), none(strip.size(), CV_8U, cv::Scalar(0));
  const auto probs = mrz::detail::visibleCellProbs(ink, none, drawn.centres.back(), drawn.pitch);
  REQUIRE(probs);
  CHECK((*probs)[static_cast<std::size_t>(ocrb::classIndex('8'))] > 0.5f);
}
