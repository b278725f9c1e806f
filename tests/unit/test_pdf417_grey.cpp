// The grey-level PDF417 reader (idkit::barcode::pdf417) on synthetic codes
// blurred beyond what ZXing's binarisers separate.
#include <catch2/catch.hpp>
#include <idkit/barcode.hpp>

#include <cmath>
#include <set>

#include <opencv2/imgproc.hpp>

#include "barcode_scene.hpp"

namespace barcode = idkit::barcode;
namespace pdf417 = idkit::barcode::pdf417;

namespace {

// A level PDF417 of the sample licence at `modulePx` pixels per module, rows
// 3 modules high (as licences print them), on a light card with margins,
// Gaussian-blurred by `sigmaModules` modules, with sensor noise.
// With `motionModules`, a horizontal motion streak of that many modules
// (a box) follows the Gaussian.
cv::Mat blurredCode(double modulePx, double sigmaModules, double noise = 3, double motionModules = 0) {
  const std::string payload = idkit::aamva::compose(idkit::test::sampleCard());
  cv::Mat code = barcode::render(payload, "PDF417", 1);  // 1 px modules, rows 4 px
  cv::Mat rows;
  cv::resize(code, rows, {code.cols, code.rows * 3 / 4}, 0, 0, cv::INTER_NEAREST);
  cv::Mat big;
  cv::resize(rows, big, {}, modulePx, modulePx, cv::INTER_AREA);
  cv::Mat card(big.rows + 80, big.cols + 120, CV_8UC1, cv::Scalar(235));
  cv::Mat f;
  big.convertTo(f, CV_32F, 200.0 / 255, 35);  // black 35, white 235
  f.convertTo(card(cv::Rect(60, 40, big.cols, big.rows)), CV_8U);
  cv::Mat out;
  card.convertTo(out, CV_32F);
  cv::GaussianBlur(out, out, {0, 0}, sigmaModules * modulePx);
  if (motionModules > 0) cv::blur(out, out, {static_cast<int>(std::lround(motionModules * modulePx)) | 1, 1});
  cv::Mat n(out.size(), CV_32F);
  cv::randn(n, 0, noise);
  out += n;
  out.convertTo(out, CV_8U);
  return out;
}

}  // namespace

TEST_CASE("pdf417: the codeword patterns of each cluster follow the cluster rule", "[pdf417]") {
  std::set<std::array<std::uint8_t, 8>> seen;
  for (int k : {0, 3, 6}) {
    const auto& ps = pdf417::clusterPatterns(k);
    CHECK(ps.size() >= 929);
    for (const auto& p : ps) {
      int sum = 0;
      for (auto w : p) {
        REQUIRE(w >= 1);
        REQUIRE(w <= 6);
        sum += w;
      }
      REQUIRE(sum == 17);
      REQUIRE((p[0] - p[2] + p[4] - p[6] + 9) % 9 == k);
      seen.insert(p);
    }
  }
  // The three clusters share no pattern.
  CHECK(seen.size() == pdf417::clusterPatterns(0).size() + pdf417::clusterPatterns(3).size() +
                           pdf417::clusterPatterns(6).size());
  CHECK_THROWS(pdf417::clusterPatterns(1));
}

TEST_CASE("pdf417: blurred codes that ZXing cannot read are read from grey levels", "[pdf417]") {
  const std::string payload = idkit::aamva::compose(idkit::test::sampleCard());
  for (double modulePx : {2.5, 4.0}) {
    for (double sigma : {0.8, 1.0}) {
      for (bool turned : {false, true}) {
        INFO("module " << modulePx << " px, blur sigma " << sigma << " modules, upside down " << turned);
        cv::Mat img = blurredCode(modulePx, sigma);
        if (turned) cv::rotate(img, img, cv::ROTATE_180);
        barcode::Options direct;
        direct.rectify = false;
        direct.retry = false;
        CHECK(barcode::read(img, direct).empty());  // ZXing alone fails
        const auto grey = pdf417::readGrey(img);
        REQUIRE(grey);
        CHECK(grey->columns == 13);
        CHECK(grey->rows == 22);
        CHECK(grey->module_px == Approx(modulePx).epsilon(0.02));
        CHECK(grey->blur_modules == Approx(sigma).margin(0.3));
        const auto codes = barcode::read(grey->clean, direct);
        REQUIRE(codes.size() == 1);
        CHECK(codes[0].text == payload);
        REQUIRE(codes[0].aamva);
        CHECK(codes[0].aamva->fields["document_number"] == "T64235789");
        // The clean symbol's corners map onto the code in the image.
        std::vector<cv::Point2f> c{codes[0].position[0]}, at;
        cv::perspectiveTransform(c, at, grey->cleanToCrop);
        // The writer's 2-module quiet zone (rows 3/4 of it) lies inside the pasted code.
        const auto x0 = static_cast<float>(60 + 2 * modulePx), y0 = static_cast<float>(40 + 1.5 * modulePx);
        const cv::Point2f tl = turned ? cv::Point2f(static_cast<float>(img.cols - 1) - x0, static_cast<float>(img.rows - 1) - y0)
                                      : cv::Point2f(x0, y0);
        CHECK(cv::norm(at[0] - tl) < 1.5 * modulePx);
      }
    }
  }
}

TEST_CASE("pdf417: motion-blurred codes are read with a box kernel", "[pdf417]") {
  // A streak of 2.5 modules: the box's spectrum has a zero below the
  // one-module frequency, which a Gaussian of the same spread has not, and the
  // end patterns alone often fit a Gaussian better.
  const std::string payload = idkit::aamva::compose(idkit::test::sampleCard());
  for (double motion : {2.2, 2.6}) {
    INFO("motion " << motion << " modules");
    const cv::Mat img = blurredCode(4.0, 0.3, 3, motion);
    barcode::Options direct;
    direct.rectify = false;
    direct.retry = false;
    CHECK(barcode::read(img, direct).empty());
    const auto grey = pdf417::readGrey(img);
    REQUIRE(grey);
    CHECK(grey->rows == 22);
    // The spread of box + Gaussian: sqrt(0.3^2 + motion^2 / 12).
    CHECK(grey->blur_modules == Approx(std::sqrt(0.09 + motion * motion / 12)).margin(0.15));
    const auto codes = barcode::read(grey->clean, direct);
    REQUIRE(codes.size() == 1);
    CHECK(codes[0].text == payload);
  }
}

TEST_CASE("pdf417: the grey reader gives up on crops without a code", "[pdf417]") {
  CHECK_FALSE(pdf417::readGrey(cv::Mat()));
  CHECK_FALSE(pdf417::readGrey(cv::Mat(10, 10, CV_8UC1, cv::Scalar(128))));
  CHECK_FALSE(pdf417::readGrey(cv::Mat(300, 900, CV_8UC1, cv::Scalar(230))));
  CHECK_FALSE(pdf417::readGrey(cv::Mat(300, 900, CV_8UC3, cv::Scalar(0))));  // grey crops only
  cv::Mat noise(300, 900, CV_8UC1);
  cv::randu(noise, 0, 256);
  const auto r = pdf417::readGrey(noise);  // whatever it finds, ZXing must not read it
  if (r) CHECK(barcode::read(r->clean).empty());
  // Text lines (bars of a sort, no start or stop pattern).
  cv::Mat text(300, 900, CV_8UC1, cv::Scalar(235));
  for (int y = 30; y < 280; y += 30) cv::putText(text, "ILLINOIS DRIVER LICENSE 1111", {20, y}, cv::FONT_HERSHEY_SIMPLEX, 1.0, 20, 2);
  const auto t = pdf417::readGrey(text);
  if (t) CHECK(barcode::read(t->clean).empty());
}
