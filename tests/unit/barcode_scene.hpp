// Synthetic scenes for barcode tests and bench/barcode.cpp: the back of a
// driving licence with a real PDF417 (idkit::aamva::compose rendered by ZXing's
// writer), flat or photographed (rotation, perspective, noise, blur).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <idkit/aamva.hpp>
#include <idkit/barcode.hpp>

namespace idkit::test {

inline aamva::Card sampleCard() {
  aamva::Card k;
  k.jurisdiction = "VA";
  k.document_number = "T64235789";
  k.surname = "SAMPLE";
  k.first_name = "MICHAEL";
  k.middle_names = "JOHN";
  k.birth_date = "1986-06-06";
  k.issue_date = "2019-06-06";
  k.expiry_date = "2024-12-10";
  k.sex = 'M';
  k.height_cm = 173;
  k.street = "2300 WEST BROAD STREET";
  k.city = "RICHMOND";
  k.postal_code = "23269";
  k.jurisdiction_elements = {{"ZVA", "01"}};
  return k;
}

// A 1011x638 card back (ID-1 at 300 dpi) with text lines and the PDF417 below.
inline cv::Mat cardBack(const std::string& payload) {
  cv::Mat c(638, 1011, CV_8UC3, cv::Scalar(225, 232, 240));
  for (int i = 0; i < 6; ++i)
    cv::putText(c, "RESTRICTIONS NONE   ENDORSEMENTS NONE   CLASS C", {40, 50 + 30 * i},
                cv::FONT_HERSHEY_SIMPLEX, 0.7, {60, 60, 60}, 2);
  cv::Mat code = barcode::render(payload, "PDF417", 3), bgr;
  cv::cvtColor(code, bgr, cv::COLOR_GRAY2BGR);
  const double s = 900.0 / bgr.cols;
  cv::resize(bgr, bgr, {}, s, s, cv::INTER_AREA);
  bgr.copyTo(c(cv::Rect(55, 638 - bgr.rows - 30, bgr.cols, bgr.rows)));
  return c;
}

// A 1011x638 card without any barcode (a passport or ID card's data side):
// a portrait block and lines of print down the whole card.
inline cv::Mat cardWithoutCode() {
  cv::Mat c(638, 1011, CV_8UC3, cv::Scalar(225, 232, 240));
  cv::rectangle(c, cv::Rect(40, 60, 260, 330), cv::Scalar(120, 130, 150), cv::FILLED);
  const char* lines[] = {"SURNAME / NOM", "SAMPLE", "GIVEN NAMES / PRENOMS", "JOHN ALEXANDER",
                         "NATIONALITY  UTOPIAN", "DATE OF BIRTH  12 MAR 1985", "SEX  M   PLACE OF BIRTH  ZENITH",
                         "DATE OF ISSUE  01 JAN 2020", "DATE OF EXPIRY  01 JAN 2030"};
  for (int i = 0; i < 9; ++i)
    cv::putText(c, lines[i], {330, 70 + 38 * i}, cv::FONT_HERSHEY_SIMPLEX, i % 2 ? 0.9 : 0.6, {60, 60, 60}, 2);
  for (int i = 0; i < 2; ++i)
    cv::putText(c, "P<UTOSAMPLE<<JOHN<ALEXANDER<<<<<<<<<<<<<<<<<<", {40, 520 + 50 * i},
                cv::FONT_HERSHEY_PLAIN, 2.0, {30, 30, 30}, 2);
  return c;
}

// A portrait's eyes behind square glasses, as a scan's portrait crop shows
// them (the region a bar detector picks on ID cards): a light face, two
// lens frames whose sides are thick steady dark bars, eyes and a bridge
// between; and a line of bold capitals (a name), whose strokes are steady
// dark bars down the line too. Neither holds a PDF417.
inline cv::Mat glassesCrop() {
  cv::Mat c(480, 960, CV_8UC1, cv::Scalar(60));
  cv::ellipse(c, {480, 300}, {400, 420}, 0, 0, 360, cv::Scalar(215), cv::FILLED);
  for (const int x : {120, 550}) {
    cv::rectangle(c, cv::Rect(x, 170, 270, 165), cv::Scalar(45), 14);
    cv::ellipse(c, {x + 135, 255}, {90, 40}, 0, 0, 360, cv::Scalar(245), cv::FILLED);
    cv::circle(c, {x + 135, 255}, 30, cv::Scalar(50), cv::FILLED);
    cv::ellipse(c, {x + 135, 210}, {100, 30}, 0, 200, 340, cv::Scalar(90), 8);
  }
  cv::line(c, {397, 245}, {553, 245}, cv::Scalar(45), 10);
  cv::GaussianBlur(c, c, {0, 0}, 3.0);
  return c;
}

inline cv::Mat boldNameCrop() {
  cv::Mat c(150, 960, CV_8UC1, cv::Scalar(225));
  cv::putText(c, "CONCEICAO, JOAO", {40, 115}, cv::FONT_HERSHEY_DUPLEX, 3.0, cv::Scalar(25), 12);
  cv::GaussianBlur(c, c, {0, 0}, 1.5);
  return c;
}

// The card photographed: rotated by `angle` degrees, trapezoid `persp`
// (0 = none, 0.08 = top edge 16 % shorter), filling `fill` of the width,
// on a shaded table, with sensor noise and slight defocus.
struct Scene {
  cv::Mat image;
  std::vector<cv::Point2f> card;  // card corners TL, TR, BR, BL in the image
  cv::Mat cardToImage;            // 3x3
};

inline Scene photograph(const cv::Mat& card, double angle, double persp, int width, int height,
                        double fill = 0.7) {
  Scene s;
  cv::Mat bg(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {  // soft vertical shading
    const double t = static_cast<double>(y) / height;
    bg.row(y).setTo(cv::Scalar(70 + 40 * t, 90 + 30 * t, 60 + 20 * t));
  }
  const double cw = width * fill, ch = cw * card.rows / card.cols;
  const cv::Point2f ctr(width / 2.f, height / 2.f);
  const double a = angle * CV_PI / 180;
  const cv::Point2f unit[4] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  for (const auto& u : unit) {
    const double x = u.x * cw / 2 * (1 + persp * u.y), y = u.y * ch / 2;
    s.card.push_back(ctr + cv::Point2f(static_cast<float>(x * std::cos(a) - y * std::sin(a)),
                                       static_cast<float>(x * std::sin(a) + y * std::cos(a))));
  }
  const std::vector<cv::Point2f> src = {{0, 0},
                                        {static_cast<float>(card.cols), 0},
                                        {static_cast<float>(card.cols), static_cast<float>(card.rows)},
                                        {0, static_cast<float>(card.rows)}};
  s.cardToImage = cv::getPerspectiveTransform(src, s.card);
  s.image = bg;
  cv::warpPerspective(card, s.image, s.cardToImage, bg.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);
  cv::Mat noise(s.image.size(), CV_16SC3);
  cv::randn(noise, 0, 5);
  cv::Mat img16;
  s.image.convertTo(img16, CV_16SC3);
  img16 += noise;
  img16.convertTo(s.image, CV_8UC3);
  cv::GaussianBlur(s.image, s.image, {0, 0}, 0.8);
  return s;
}

}  // namespace idkit::test
