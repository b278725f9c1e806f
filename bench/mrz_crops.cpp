// For bench/mrz.sh: cuts the MRZ band that id-mrz found out of each image, so
// that Tesseract reads exactly the same text region as idkit's classifier.
// Reads id-mrz records (NDJSON) on stdin; for each record with mrz.quad it
// writes OUT_DIR/<n>.png (the band rectified upright, text about 40 px high,
// a margin of half a line around it) and prints "<input>\t<png>" on stdout.
// Usage: bench-mrz_crops OUT_DIR < records.ndjson
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/json.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench-mrz_crops OUT_DIR < records.ndjson\n");
    return 64;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  std::string line;
  int n = 0;
  while (std::getline(std::cin, line)) {
    const auto rec = idkit::Json::parse(line, nullptr, false);
    if (rec.is_discarded() || !rec.contains("mrz") || !rec["mrz"].contains("quad")) continue;
    const auto& mrz = rec["mrz"];
    const std::string path = rec.value("image", rec.value("input", std::string()));
    const cv::Mat img = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (img.empty()) continue;
    std::array<cv::Point2f, 4> q;
    for (int i = 0; i < 4; ++i)
      q[static_cast<std::size_t>(i)] = {mrz["quad"][i][0].get<float>(), mrz["quad"][i][1].get<float>()};
    const int lines = std::max<int>(1, static_cast<int>(mrz.value("lines", idkit::Json::array()).size()));
    const int chars = lines == 3 ? 30 : static_cast<int>(mrz["lines"][0].get<std::string>().size());
    // The quad runs from the top of the first line to the baseline of the
    // last; lines are spaced about 1.7 text heights, so the text height is
    // the quad height / (1 + 1.7 (lines - 1)).
    const double width = cv::norm(q[1] - q[0]), height = cv::norm(q[3] - q[0]);
    const double textH = height / (1 + 1.7 * (lines - 1));
    const double k = 40 / std::max(textH, 1.0);
    const double mx = width / chars, my = 0.6 * textH;
    const cv::Size size(static_cast<int>((width + 2 * mx) * k), static_cast<int>((height + 2 * my) * k));
    const cv::Point2f dst[4] = {{static_cast<float>(mx * k), static_cast<float>(my * k)},
                                {static_cast<float>((mx + width) * k), static_cast<float>(my * k)},
                                {static_cast<float>((mx + width) * k), static_cast<float>((my + height) * k)},
                                {static_cast<float>(mx * k), static_cast<float>((my + height) * k)}};
    const cv::Mat h = cv::getPerspectiveTransform(q.data(), dst);
    cv::Mat crop;
    cv::warpPerspective(img, crop, h, size, cv::INTER_AREA, cv::BORDER_REPLICATE);
    if (mrz.value("mirrored", false)) cv::flip(crop, crop, 1);
    const auto file = out / (std::to_string(n++) + ".png");
    cv::imwrite(file.string(), crop);
    std::printf("%s\t%s\n", rec.value("input", std::string()).c_str(), file.c_str());
  }
  return 0;
}
