// Baseline for bench/run: plain decode of each file with OpenCV, one thread,
// nothing else. Prints one line: files, total ms.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

int main(int argc, char** argv) {
  cv::setNumThreads(1);
  auto t0 = std::chrono::steady_clock::now();
  int n = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    cv::Mat m = cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR);
    if (!m.empty()) ++n;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d %.1f\n", n, ms);
  return n == argc - 1 ? 0 : 1;
}
