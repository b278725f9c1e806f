// Runs the grey-level PDF417 reader on level crops (e.g. the region crops
// IDKIT_BARCODE_DEBUG writes) and reports what it found and whether ZXing
// decodes the clean re-rendering: a tool to see why a blurred code is missed.
// With --truth NAME.truth.json (an id-synth licence back) the symbol is
// encoded again as id-synth drew it and the codewords read are compared with
// it, row by row.
//   bench-barcode_grey [--truth T.json] CROP.png...
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <idkit/barcode.hpp>
#include <idkit/json.hpp>

namespace {

// Module bits (true = bar) of each row, at one module per entry.
using Rows = std::vector<std::vector<bool>>;

Rows truthRows(const std::string& path) {
  std::ifstream in(path);
  const auto t = idkit::Json::parse(in, nullptr, false);
  if (t.is_discarded() || !t.contains("barcodes")) return {};
  const std::string text = t["barcodes"][0]["text"];
  const auto m = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::PDF417).setMargin(0).setEccLevel(3).encode(text, 0, 0);
  Rows rows;
  for (int y = 2; y < m.height(); y += 4) {  // four pixels a row
    std::vector<bool> r;
    for (int x = 0; x < m.width(); ++x) r.push_back(m.get(x, y));
    rows.push_back(r);
  }
  return rows;
}

// The same from renderRows' clean symbol (3 px a module, rows 3 modules, quiet 4).
Rows cleanRows(const cv::Mat& clean, int rows, int modules) {
  Rows out;
  for (int r = 0; r < rows; ++r) {
    std::vector<bool> row;
    const int y = (4 + 3 * r) * 3 + 4;
    for (int m = 0; m < modules; ++m) row.push_back(clean.at<std::uint8_t>(y, (4 + m) * 3 + 1) < 128);
    out.push_back(row);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Rows truth;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--truth" && i + 1 < argc) {
      truth = truthRows(argv[++i]);
      continue;
    }
    const cv::Mat crop = cv::imread(a, cv::IMREAD_GRAYSCALE);
    const auto g = idkit::barcode::pdf417::readGrey(crop);
    // Whether read()'s gate lets its costly fallbacks run on this crop.
    const char* gate = idkit::barcode::pdf417::hasStartOrStop(crop) ? "gate open" : "gate shut";
    if (!g) {
      std::printf("%s\tnot located\t%s\n", a.c_str(), gate);
      continue;
    }
    const auto codes = idkit::barcode::read(g->clean);
    std::printf("%s\trows %d columns %d module %.2f px blur %.2f modules fit %.3f\t%s\t%s\n", a.c_str(), g->rows,
                g->columns, g->module_px, g->blur_modules, g->fit, codes.empty() ? "no decode" : "decoded", gate);
    cv::imwrite(a + ".clean.png", g->clean);
    const int modules = 17 * g->columns + 69;
    if (truth.empty() || static_cast<int>(truth[0].size()) != modules || static_cast<int>(truth.size()) != g->rows) {
      if (!truth.empty())
        std::printf("  truth has %zu rows, %zu modules: not compared\n", truth.size(), truth[0].size());
      continue;
    }
    const Rows got = cleanRows(g->clean, g->rows, modules);
    int wrong = 0;
    for (size_t r = 0; r < got.size(); ++r) {
      std::string marks;
      for (int c = 0; c < g->columns + 2; ++c) {
        bool same = true;
        for (int m = 17 + 17 * c; m < 34 + 17 * c; ++m) same &= got[r][static_cast<size_t>(m)] == truth[r][static_cast<size_t>(m)];
        marks += same ? '.' : 'X';
        wrong += !same;
      }
      std::printf("  row %2zu %s\n", r, marks.c_str());
    }
    std::printf("  %d of %d codewords wrong\n", wrong, g->rows * (g->columns + 2));
    // The wrong codewords' rank among the least sure (0 = least sure).
    std::vector<std::pair<float, bool>> order;
    for (size_t r = 0; r < got.size(); ++r)
      for (int c = 1; c <= g->columns; ++c) {
        bool same = true;
        for (int m = 17 + 17 * c; m < 34 + 17 * c; ++m) same &= got[r][static_cast<size_t>(m)] == truth[r][static_cast<size_t>(m)];
        order.push_back({g->margins[r][static_cast<size_t>(c)], !same});
      }
    std::sort(order.begin(), order.end());
    std::string ranks;
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i].second) ranks += std::to_string(i) + " ";
    std::printf("  wrong data codewords' sureness ranks: %s\n", ranks.c_str());
    // How many wrong codewords have the truth as their runner-up pattern
    // (what a second guess per codeword, Chase decoding, would recover).
    int secondRight = 0;
    for (size_t r = 0; r < got.size() && r < g->runners_up.size(); ++r)
      for (int c = 1; c <= g->columns; ++c) {
        const auto at = [&](const Rows& rows, int m) { return rows[r][static_cast<size_t>(m)]; };
        bool same = true;
        for (int m = 17 + 17 * c; m < 34 + 17 * c; ++m) same &= at(got, m) == at(truth, m);
        if (same) continue;
        const auto& p = g->runners_up[r][static_cast<size_t>(c)];
        bool second = true;
        int m = 17 + 17 * c;
        for (size_t e = 0; e < 8; ++e)
          for (int k = 0; k < p[e]; ++k, ++m) second &= at(truth, m) == (e % 2 == 0);
        secondRight += second;
      }
    std::printf("  wrong data codewords whose runner-up is right: %d\n", secondRight);
  }
  return 0;
}
