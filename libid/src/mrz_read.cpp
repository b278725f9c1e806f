// Finding and reading the MRZ in an image (see mrz_read.hpp).
//
// Band finding is scale- and rotation-free: dark blobs of a local threshold
// are characters; the direction to each blob's nearest similar neighbour
// gives the text orientations; along each orientation, blobs of one size in
// a row with a regular pitch form lines; two or three parallel lines of the
// same length form a band. Reading warps each line into a canonical strip
// (text height fixed, top and baseline fitted at both ends so mild
// perspective is undone), extends it to the ink's extent, and cuts it into
// the known number of cells at the pitch and offset the classifier likes best.
#include <idkit/codec.hpp>
#include <idkit/mrz_read.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <numeric>
#include <string_view>

#include <opencv2/imgproc.hpp>
#include <atomic>
#include <cstdarg>
#include <cstdio>

#include <idkit/ocrb.hpp>

#include "motion_blur.hpp"
#include "mrz_layout.hpp"
#include "mrz_synth.hpp"

namespace idkit {

std::filesystem::path dataDir() {
  if (const char* env = std::getenv("IDKIT_DATA"); env && *env) return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "share/idkit";
  // Installed tools: <prefix>/bin/../share/idkit; the unit tests run from the
  // build root, beside share/.
  const auto installed = exe.parent_path().parent_path() / "share" / "idkit";
  const auto beside = exe.parent_path() / "share" / "idkit";
  if (!std::filesystem::is_directory(installed, ec) && std::filesystem::is_directory(beside, ec))
    return beside;
  return installed;
}

}  // namespace idkit

namespace idkit::mrz {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Developer aid (mrz_read.hpp): IDKIT_MRZ_DEBUG=DIR writes the rectified
// strips to DIR and traces bands, hypotheses and readings on stderr. The
// directory, or nullptr when tracing is off.
const char* debugDir() {
  static const char* const dir = std::getenv("IDKIT_MRZ_DEBUG");
  return dir && *dir ? dir : nullptr;
}

// printf to stderr; callers test debugDir() first (no formatting cost when off).
[[gnu::format(printf, 1, 2)]] void trace(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
}

float median(std::vector<float> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// ---------------------------------------------------------------------------
// Band finding

struct Blob {
  cv::Point2f c;
  float s;  // size: the larger side of the bounding box
};

// The local threshold's block is the long side over `block_divisor` (at
// least 15 px).
std::vector<Blob> findBlobs(const cv::Mat& gray, int block_divisor) {
  const int longSide = std::max(gray.cols, gray.rows);
  const int block = std::max(15, (longSide / block_divisor) | 1);
  cv::Mat bin;
  cv::adaptiveThreshold(gray, bin, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, block, 9);
  cv::Mat labels, stats, centroids;
  // Grana's block-based labelling: the same components as the default
  // (Wu's) at a sixth of its time with statistics (8 against 56 ms on a
  // 1600 x 1200 photo), which was a third of a 12 MP photo's reading.
  const int n = cv::connectedComponentsWithStats(bin, labels, stats, centroids, 8, CV_32S, cv::CCL_GRANA);
  std::vector<Blob> blobs;
  const int maxSize = std::max(12, longSide / 12);
  for (int i = 1; i < n; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    const int s = std::max(w, h);
    if (s < 5 || s > maxSize || area < 10) continue;
    const double fill = static_cast<double>(area) / (w * h);
    if (fill < 0.1 || fill > 0.92 || std::min(w, h) * 6 < s) continue;
    blobs.push_back({{static_cast<float>(stats.at<int>(i, cv::CC_STAT_LEFT) + w / 2.0),
                      static_cast<float>(stats.at<int>(i, cv::CC_STAT_TOP) + h / 2.0)},
                     static_cast<float>(s)});
  }
  return blobs;
}

bool similar(float a, float b) { return a < 1.6f * b && b < 1.6f * a; }

// Directions (degrees, [0, 180)) in which text lines run.
std::vector<double> textDirections(const std::vector<Blob>& blobs) {
  std::vector<std::size_t> order(blobs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return blobs[a].c.x < blobs[b].c.x; });
  std::array<double, 180> hist{};
  for (std::size_t oi = 0; oi < order.size(); ++oi) {
    const Blob& a = blobs[order[oi]];
    const float reach = 2.5f * a.s;
    float best = reach * reach;
    cv::Point2f bestD;
    auto visit = [&](std::size_t oj) {
      const Blob& b = blobs[order[oj]];
      if (!similar(a.s, b.s)) return;
      const cv::Point2f d = b.c - a.c;
      const float d2 = d.dot(d);
      if (d2 < best && d2 > 0.04f * a.s * a.s) best = d2, bestD = d;
    };
    for (std::size_t oj = oi + 1; oj < order.size() && blobs[order[oj]].c.x - a.c.x <= reach; ++oj) visit(oj);
    for (std::size_t oj = oi; oj-- > 0 && a.c.x - blobs[order[oj]].c.x <= reach;) visit(oj);
    if (best < reach * reach) {
      double deg = std::atan2(bestD.y, bestD.x) * 180.0 / kPi;
      deg = std::fmod(deg + 360.0, 180.0);
      hist[static_cast<std::size_t>(deg) % 180] += 1;
    }
  }
  std::array<double, 180> smooth{};
  for (int i = 0; i < 180; ++i)
    for (int k = -3; k <= 3; ++k) smooth[i] += hist[(i + k + 180) % 180] * (4 - std::abs(k));
  std::vector<double> peaks;
  double first = 0;
  for (int round = 0; round < 3; ++round) {
    const auto it = std::max_element(smooth.begin(), smooth.end());
    if (*it <= 0 || (round > 0 && *it < 0.2 * first)) break;
    const int i = static_cast<int>(it - smooth.begin());
    if (round == 0) first = *it;
    // Sub-degree peak from a parabola through the neighbours.
    const double l = smooth[(i + 179) % 180], r = smooth[(i + 1) % 180], m = *it;
    const double off = (l - 2 * m + r) != 0 ? 0.5 * (l - r) / (l - 2 * m + r) : 0;
    peaks.push_back(i + 0.5 + off);
    for (int k = -12; k <= 12; ++k) smooth[(i + k + 180) % 180] = 0;
  }
  return peaks;
}

struct Line {
  double angle;   // degrees
  double v;       // offset across the direction (at u = 0)
  double slope;   // dv/du of the fitted line
  double u0, u1;  // first and last blob centres along the direction
  float size, pitch;
  int count;
};

// Pieces of one line: a thumb, a glare spot or a run of fillers the blob
// finder lost cuts an MRZ line in two, and a band is only formed from whole
// lines. Segments on the same line (offset within 0.4 text height where they
// meet), of one size and pitch, that do not overlap along it, are joined.
std::vector<Line> mergeCollinear(std::vector<Line> lines) {
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.u0 < b.u0; });
  bool merged = true;
  while (merged) {
    merged = false;
    for (std::size_t i = 0; i < lines.size() && !merged; ++i)
      for (std::size_t j = i + 1; j < lines.size() && !merged; ++j) {
        Line& a = lines[i];
        const Line& b = lines[j];
        if (b.u0 < a.u1 || !similar(a.size, b.size) || !similar(a.pitch, b.pitch)) continue;
        const double mid = (a.u1 + b.u0) / 2;
        const double h = (a.size + b.size) / 2;
        if (std::abs((a.v + a.slope * mid) - (b.v + b.slope * mid)) > 0.4 * h) continue;
        // The direction of the longer piece is the better estimate of both.
        const double wa = a.count, wb = b.count;
        const double slope = (a.slope * wa + b.slope * wb) / (wa + wb);
        const double vmid = ((a.v + a.slope * mid) * wa + (b.v + b.slope * mid) * wb) / (wa + wb);
        a.slope = slope;
        a.v = vmid - slope * mid;
        a.u1 = b.u1;
        a.size = static_cast<float>((a.size * wa + b.size * wb) / (wa + wb));
        a.pitch = static_cast<float>((a.pitch * wa + b.pitch * wb) / (wa + wb));
        a.count += b.count;
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(j));
        merged = true;
      }
  }
  return lines;
}

std::vector<Line> linesAlong(const std::vector<Blob>& blobs, double angleDeg) {
  const double a = angleDeg * kPi / 180.0, ca = std::cos(a), sa = std::sin(a);
  struct P { double u, v; float s; };
  std::vector<P> pts;
  pts.reserve(blobs.size());
  for (const auto& b : blobs) pts.push_back({b.c.x * ca + b.c.y * sa, -b.c.x * sa + b.c.y * ca, b.s});
  std::sort(pts.begin(), pts.end(), [](const P& x, const P& y) { return x.u < y.u; });
  std::vector<int> parent(pts.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t i = 0; i < pts.size(); ++i)
    for (std::size_t j = i + 1; j < pts.size(); ++j) {
      const float s = (pts[i].s + pts[j].s) / 2;
      if (pts[j].u - pts[i].u > 2.3 * s) break;
      if (std::abs(pts[j].v - pts[i].v) < 0.3 * s && similar(pts[i].s, pts[j].s))
        parent[find(static_cast<int>(i))] = find(static_cast<int>(j));
    }
  std::vector<std::vector<std::size_t>> groups(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) groups[static_cast<std::size_t>(find(static_cast<int>(i)))].push_back(i);
  std::vector<Line> lines;
  for (const auto& g : groups) {
    if (g.size() < 10) continue;
    // Least squares v = slope * u + v0 (indices are sorted by u).
    double su = 0, sv = 0, suu = 0, suv = 0;
    for (auto i : g) su += pts[i].u, sv += pts[i].v, suu += pts[i].u * pts[i].u, suv += pts[i].u * pts[i].v;
    const double n = static_cast<double>(g.size());
    const double den = n * suu - su * su;
    const double slope = den > 0 ? (n * suv - su * sv) / den : 0;
    const double v0 = (sv - slope * su) / n;
    std::vector<float> sizes, gaps;
    for (std::size_t k = 0; k < g.size(); ++k) {
      sizes.push_back(pts[g[k]].s);
      if (k) gaps.push_back(static_cast<float>(pts[g[k]].u - pts[g[k - 1]].u));
    }
    const float size = median(sizes), pitch = median(gaps);
    // MRZ text is evenly spaced: most gaps are one pitch.
    const auto regular = std::count_if(gaps.begin(), gaps.end(), [&](float d) { return d > 0.75f * pitch && d < 1.3f * pitch; });
    if (regular < 0.6 * static_cast<double>(gaps.size()) || pitch < 0.6f * size || pitch > 1.6f * size) continue;
    lines.push_back({angleDeg, v0, slope, pts[g.front()].u, pts[g.back()].u, size, pitch, static_cast<int>(g.size())});
  }
  return mergeCollinear(std::move(lines));
}

LineBox toLineBox(const Line& l, double u0, double u1, double scale) {
  const double a = l.angle * kPi / 180.0, ca = std::cos(a), sa = std::sin(a);
  auto point = [&](double u) {
    const double v = l.v + l.slope * u;
    return cv::Point2f(static_cast<float>((u * ca - v * sa) * scale), static_cast<float>((u * sa + v * ca) * scale));
  };
  LineBox box;
  box.start = point(u0);
  box.end = point(u1);
  box.height = static_cast<float>(l.size * 0.9 * scale);
  box.pitch = static_cast<float>(l.pitch * scale);
  box.components = l.count;
  return box;
}

// The blobs of an image, found at a size where MRZ characters are a few to
// a few tens of pixels, and that size.
struct BlobMap {
  std::vector<Blob> blobs;
  double scale = 1.0;  // image pixels per blob-map pixel
  int cols = 0;        // width of the blob map
};

// Blocks of a 60th of the map's long side: on a flat copy about a glyph,
// on a photo a few. A shaken or defocused zone's glyphs run into each other,
// and in a block no larger than that the smeared ink is most of the mean,
// so only a glyph's darkest core stays under it: the lines break into
// pieces that form no band (seed 211's mrvb-photo-0034, a 5 px streak
// across a 10 px pitch). A block twice as large takes its mean from the
// paper about the line too; it is the second map, looked at only when the
// first gives no band.
constexpr int kBlockDivisor = 60;
constexpr int kCoarseBlockDivisor = 30;

BlobMap blobMap(const cv::Mat& grayIn, int block_divisor = kBlockDivisor) {
  const int longSide = std::max(grayIn.cols, grayIn.rows);
  BlobMap m;
  cv::Mat gray;
  if (longSide > 1600) m.scale = longSide / 1600.0;
  else if (longSide < 900) m.scale = longSide / 900.0;
  if (m.scale != 1.0)
    cv::resize(grayIn, gray, {}, 1 / m.scale, 1 / m.scale, m.scale > 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  else
    gray = grayIn;
  m.blobs = findBlobs(gray, block_divisor);
  m.cols = gray.cols;
  return m;
}

// The blob map of the image flipped left to right: thresholding and
// labelling commute with the flip, so its blobs are these mirrored (a
// blob's centre is its box's, left + w/2, which maps to cols - centre).
BlobMap flippedMap(BlobMap m) {
  for (Blob& b : m.blobs) b.c.x = static_cast<float>(m.cols) - b.c.x;
  return m;
}

std::vector<Band> bandsOf(const BlobMap& map, int max_bands) {
  const auto& blobs = map.blobs;
  const double scale = map.scale;
  std::vector<Band> bands;
  for (double angle : textDirections(blobs)) {
    auto lines = linesAlong(blobs, angle);
    std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.v < b.v; });
    if (debugDir()) {
      trace("direction %.1f: %zu blobs, %zu lines (scale %.2f)\n", angle, blobs.size(), lines.size(), scale);
      for (const Line& l : lines)
        trace("  v=%.0f u=%.0f..%.0f n=%d size=%.1f pitch=%.1f\n", l.v, l.u0, l.u1, l.count, l.size, l.pitch);
    }
    // Consecutive lines that stack like an MRZ: same size and pitch, spaced
    // 1.2-3.2 text heights apart, overlapping along the direction.
    auto fits = [](const Line& a, const Line& b) {
      const double gap = b.v - a.v;
      const double h = (a.size + b.size) / 2;
      const double overlap = std::min(a.u1, b.u1) - std::max(a.u0, b.u0);
      const double len = std::max(a.u1 - a.u0, b.u1 - b.u0);
      return gap > 1.1 * h && gap < 3.2 * h && similar(a.size, b.size) && similar(a.pitch, b.pitch) &&
             overlap > 0.4 * len;
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
      for (std::size_t count = 2; count <= 3 && i + count <= lines.size(); ++count) {
        bool ok = true;
        for (std::size_t k = i + 1; k < i + count; ++k) ok = ok && fits(lines[k - 1], lines[k]);
        if (!ok) break;
        // All lines of a band share their ends; take the union.
        double u0 = lines[i].u0, u1 = lines[i].u1, comps = 0;
        for (std::size_t k = i; k < i + count; ++k) {
          u0 = std::min(u0, lines[k].u0 - lines[k].slope * 0), u1 = std::max(u1, lines[k].u1);
          comps += lines[k].count;
        }
        Band band;
        for (std::size_t k = i; k < i + count; ++k) band.lines.push_back(toLineBox(lines[k], u0, u1, scale));
        band.score = comps / static_cast<double>(count) + (count == 3 ? 2 : 0);
        bands.push_back(std::move(band));
      }
    }
  }
  std::stable_sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.score > b.score; });
  if (bands.size() > static_cast<std::size_t>(max_bands)) bands.resize(static_cast<std::size_t>(max_bands));
  return bands;
}

}  // namespace

std::vector<Band> findBands(const cv::Mat& gray, int max_bands) { return bandsOf(blobMap(gray), max_bands); }

// ---------------------------------------------------------------------------
// Reading

namespace {

// A line warped into a canonical strip, with the ink's horizontal extent.
struct PreparedLine {
  cv::Mat strip;     // CV_8U, kStripHeight rows
  cv::Mat ink;       // inkImage(strip)
  cv::Matx33d toImage;  // strip -> image (perspective)
  std::vector<float> lefts, rights;  // candidate ends of the text (strip x), outermost first
  float pitch = 0;                   // measured pitch in strip pixels
  float firstC = 0, lastC = 0;       // the finder's first and last character centres (strip x)
  int components = 0;                // characters the finder saw on this line
  std::vector<double> colInk;        // prefix sums of the ink's text rows per column (colInk[x] = columns < x)
  float spread = 0;                  // edge spread of the text (strip px, see edgeSpread)
  float light = 0;                   // how far the paper's level moves along the text (paperSpread)
  float steep = 0;                   // perspective along the line (cellAt's), when past kSteepPersp; else 0
  float steepPitch = 0;              // the mean pitch that perspective gives (strip px)
};

void setColumnInk(PreparedLine& p) {
  p.colInk.assign(static_cast<std::size_t>(p.ink.cols) + 1, 0.0);
  for (int y = ocrb::kStripTop; y < ocrb::kStripBaseline; ++y) {
    const float* row = p.ink.ptr<float>(y);
    for (int x = 0; x < p.ink.cols; ++x) p.colInk[static_cast<std::size_t>(x) + 1] += row[x];
  }
  for (std::size_t x = 1; x < p.colInk.size(); ++x) p.colInk[x] += p.colInk[x - 1];
}

// Ink of the text rows between columns a and b (clipped to the strip).
double inkBetween(const PreparedLine& p, int a, int b) {
  const int n = static_cast<int>(p.colInk.size()) - 1;
  a = std::clamp(a, 0, n), b = std::clamp(b, 0, n);
  return b > a ? p.colInk[static_cast<std::size_t>(b)] - p.colInk[static_cast<std::size_t>(a)] : 0.0;
}

cv::Point2f apply(const cv::Matx33d& h, cv::Point2f p) {
  const cv::Vec3d q = h * cv::Vec3d(p.x, p.y, 1);
  return {static_cast<float>(q[0] / q[2]), static_cast<float>(q[1] / q[2])};
}

// Rows of the text band in an ink image, between columns x0 and x1.
// Rows outside [row0, row1) are not text (a neighbouring line, the card's
// print above the band).
// A band taller than `height` (> 0) is cut to the `height` rows of most ink
// within it.
std::pair<float, float> textRows(const cv::Mat& ink, int x0, int x1, int row0 = 0, int row1 = -1, int height = 0) {
  x0 = std::clamp(x0, 0, ink.cols - 1);
  x1 = std::clamp(x1, x0 + 1, ink.cols);
  cv::Mat prof;
  cv::reduce(ink.colRange(x0, x1), prof, 1, cv::REDUCE_SUM);
  const int mid = ink.rows / 2;
  int peak = mid;
  for (int r = mid - ink.rows / 6; r <= mid + ink.rows / 6; ++r)
    if (prof.at<float>(r) > prof.at<float>(peak)) peak = r;
  row1 = row1 < 0 ? ink.rows : std::min(row1, ink.rows);
  row0 = std::clamp(row0, 0, std::min(peak, row1 - 1));
  row1 = std::max(row1, peak + 1);
  const float thr = 0.3f * prof.at<float>(peak);
  int top = peak, bottom = peak;
  while (top > row0 && prof.at<float>(top - 1) >= thr) --top;
  while (bottom + 1 < row1 && prof.at<float>(bottom + 1) >= thr) ++bottom;
  if (height > 0 && bottom + 1 - top > height + 1) {
    float sum = 0, best = -1;
    int bestTop = top;
    for (int r = top; r <= bottom; ++r) {
      sum += prof.at<float>(r);
      if (r - height >= top) sum -= prof.at<float>(r - height);
      if (r - top + 1 >= height && sum > best) best = sum, bestTop = r - height + 1;
    }
    top = bestTop, bottom = bestTop + height - 1;
  }
  return {static_cast<float>(top), static_cast<float>(bottom + 1)};
}

// Period of a column ink profile near `guess` (autocorrelation peak).
float periodOf(const cv::Mat& cols, int x0, int x1, float guess) {
  const int n = x1 - x0;
  if (n < 4 * guess) return guess;
  std::vector<double> v(static_cast<std::size_t>(n));
  double mean = 0;
  for (int i = 0; i < n; ++i) mean += v[static_cast<std::size_t>(i)] = cols.at<float>(x0 + i);
  mean /= n;
  for (auto& x : v) x -= mean;
  auto corr = [&](int lag) {
    double s = 0;
    for (int i = 0; i + lag < n; ++i) s += v[static_cast<std::size_t>(i)] * v[static_cast<std::size_t>(i + lag)];
    return s / (n - lag);
  };
  const int lo = static_cast<int>(0.75f * guess), hi = static_cast<int>(1.3f * guess) + 1;
  int best = -1;
  double bestC = 0;
  std::vector<double> c(static_cast<std::size_t>(hi + 2));
  for (int lag = lo - 1; lag <= hi + 1; ++lag) c[static_cast<std::size_t>(lag)] = corr(lag);
  for (int lag = lo; lag <= hi; ++lag)
    if (c[static_cast<std::size_t>(lag)] > bestC && c[static_cast<std::size_t>(lag)] >= c[static_cast<std::size_t>(lag - 1)] &&
        c[static_cast<std::size_t>(lag)] >= c[static_cast<std::size_t>(lag + 1)])
      best = lag, bestC = c[static_cast<std::size_t>(lag)];
  if (best < 0) return guess;
  const double l = c[static_cast<std::size_t>(best - 1)], m = c[static_cast<std::size_t>(best)], r = c[static_cast<std::size_t>(best + 1)];
  const double off = (l - 2 * m + r) < 0 ? 0.5 * (l - r) / (l - 2 * m + r) : 0;
  return static_cast<float>(best + off);
}

// Whether this thread's strips take their paper and ink levels along the
// line (inkImageLocal) instead of over the whole line: the second pass of
// read() for zones the first did not verify (light falling off across the
// band). Not the first pass: on evenly lit lines it reads a few zones worse.
thread_local bool tLocalInk = false;
// Whether this thread's strips whose paper level moves along the line by
// more than kUnevenPaper take their levels along it in windows of
// kUnevenWindow pitches: the pass of read() that follows a first reading
// that is not valid of a band with such a line (a glare spot, a gradient).
thread_local bool tUnevenInk = false;
// Whether this thread's strips are sharpened (an unsharp mask of about a
// stroke's width) before their ink is taken: a later pass of read() for
// defocused and shaken photos, whose strokes the classifier sees washed
// into grey and whose neighbouring glyphs run into each other.
thread_local bool tSharpen = false;

// Unsharp mask of the sharpened pass, in strip pixels (text 24 px high,
// strokes about 3).
constexpr double kSharpenSigma = 2.0;
constexpr double kSharpenAmount = 1.5;
// Unsharp mask of the whole image when no band was found: sigma per 1000 px
// of the long side (MRZ strokes are 2-3 px on a 1000-px card), amount.
constexpr double kFindSharpenSigma = 2.5;
constexpr double kFindSharpenAmount = 2.0;

void sharpen(cv::Mat& gray, double sigma, double amount) {
  cv::Mat soft;
  cv::GaussianBlur(gray, soft, {0, 0}, sigma);
  cv::addWeighted(gray, 1 + amount, soft, -amount, 0, gray);
}

// A bent page (an open passport photographed from above) bows its lines:
// the text's middle sits above or below the straight line through its
// ends, and the classifier reads the middle cells' glyphs cut off at the
// top or the bottom (62_pass-aus: 3 strip pixels, "CITIZEN<<JANE" read
// "CITIZEN99JA1L"). The text rows of windows along the line whose text is
// as high as most windows' (letters and digits, or on a name line runs of
// '<', shorter; not a thumb or a stamp over the line, taller) give its
// centre line. When 8 of the 10 windows are such, a parabola fits them
// closely and its middle is kMinBow or more off the chord through the
// strip's first and last sixth (where the strip's tilt was measured), the
// columns are moved up or down to straighten it. Smaller bows are left
// (1.5-2.2 on a few synthetic photos and on real lines that read right:
// mixed windows of letters and '<' fake a bow of that size), and so are
// bows that 7 windows or fewer give (a deskewed synthetic MRV-A card,
// 3.4 from 7 windows, RMS 0.58: its name's fillers read R).
constexpr int kBowWindows = 10;
constexpr float kMinBow = 2.5f;
constexpr float kBowFit = 0.6f;  // RMS residual of the windows' centres, strip px

bool straighten(cv::Mat& strip, const cv::Mat& ink, int x0, int x1, float pitch) {
  x0 += static_cast<int>(pitch / 2), x1 -= static_cast<int>(pitch / 2);
  const float width = static_cast<float>(x1 - x0) / kBowWindows;
  if (width < 2 * pitch) return false;
  const int slack = static_cast<int>(0.3f * ocrb::kTextHeight);
  std::vector<float> xs, cs, hs;
  for (int i = 0; i < kBowWindows; ++i) {
    const int a = x0 + static_cast<int>(static_cast<float>(i) * width), b = x0 + static_cast<int>(static_cast<float>(i + 1) * width);
    const auto [top, bottom] = textRows(ink, a, b, ocrb::kStripTop - slack, ocrb::kStripBaseline + slack);
    xs.push_back(static_cast<float>(a + b) / 2);
    cs.push_back((top + bottom) / 2);
    hs.push_back(bottom - top);
  }
  const float height = median(hs);
  std::vector<float> fx, fc;
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (std::abs(hs[i] - height) <= 0.2f * height) fx.push_back(xs[i]), fc.push_back(cs[i]);
  if (fx.size() < kBowWindows * 8 / 10 || height < 0.4f * ocrb::kTextHeight) return false;
  // Least squares c = k0 + k1 u + k2 u^2, u in -1..1 over the windows.
  const float mid = static_cast<float>(x0 + x1) / 2, half = static_cast<float>(x1 - x0) / 2;
  cv::Mat A(static_cast<int>(fx.size()), 3, CV_64F), y(static_cast<int>(fx.size()), 1, CV_64F);
  for (std::size_t i = 0; i < fx.size(); ++i) {
    const double u = (fx[i] - mid) / half;
    A.at<double>(static_cast<int>(i), 0) = 1, A.at<double>(static_cast<int>(i), 1) = u, A.at<double>(static_cast<int>(i), 2) = u * u;
    y.at<double>(static_cast<int>(i)) = fc[i];
  }
  cv::Mat k;
  if (!cv::solve(A, y, k, cv::DECOMP_SVD)) return false;
  const cv::Mat res = A * k - y;
  const double rms = std::sqrt(res.dot(res) / static_cast<double>(fx.size()));
  // The chord through u = -2/3 and 2/3 (the strip's first and last sixth).
  const double k2 = k.at<double>(2), bow = -k2 * 4.0 / 9.0;  // middle minus chord
  if (debugDir()) trace("bow %.2f rms %.2f windows %zu\n", bow, rms, fx.size());
  if (std::abs(bow) < kMinBow || rms > kBowFit) return false;
  cv::Mat mapX(strip.size(), CV_32F), mapY(strip.size(), CV_32F);
  for (int x = 0; x < strip.cols; ++x) {
    const double u = std::clamp(static_cast<double>((static_cast<float>(x) - mid) / half), -1.3, 1.3);
    const auto shift = static_cast<float>(k2 * (u * u - 4.0 / 9.0));
    for (int r = 0; r < strip.rows; ++r) mapX.at<float>(r, x) = static_cast<float>(x), mapY.at<float>(r, x) = static_cast<float>(r) + shift;
  }
  cv::Mat out;
  cv::remap(strip, out, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  strip = out;
  return true;
}

// A strip whose paper level (paperSpread) moves by more than this many grey
// levels along its text takes its paper and ink levels along the line in
// the uneven-light pass (tUnevenInk), from windows of kUnevenWindow pitches
// (inkImageLocal). Chosen on 82 of seed 7's photos (the sharp ones read
// wrong, and right ones under glare or a gradient) with these levels in the
// first pass itself: bars of 12 and 20 read the same, 30 leaves two of the
// four new valid zones (light spread 20-30) as they were; windows of 3, 4, 5
// and 7 pitches make 4, 4, 4 and 3 zones right and valid that were not, and
// 3 and 7 cost a right reading (not valid) besides.
constexpr float kUnevenPaper = 20.0f;
constexpr float kUnevenWindow = 4.0f;

// A line seen steeply at an angle (a page tilted by 30 degrees, the camera
// close) is foreshortened along its length more than the cut's search
// (refineCut, perspective up to 0.14) reaches: td3-photo-s211-0015's lines
// have a pitch of 23.7 strip px in their first third and 17.0 in their
// last, a perspective of 0.28, and read with an even pitch every span cuts
// cells across glyphs; the upside-down reading of the same strips scored
// better and the zone was lost. Past this perspective the line's spans are
// also read with it (readCells), from the pitch measured in the first and
// the last third of the line. A bound of 0.06 made 3 more of the tuning
// seeds' 190 zones not read right and valid right and valid (mrva-photo-
// s211-0021, td1-photo-s211-0058 at -0.08, mrva-photo-s269-0060), but the
// real passporteye-33_id-usa, whose lines measure 0.10-0.13 (short TD1
// thirds give the estimate little to go on), then lost its exact reading.
constexpr float kSteepPersp = 0.1f;
// A line of this many pitches or more (36 and 44 cells) has thirds long
// enough for a lower bound: there 0.06 kept mrva-photo-s211-0021 and
// mrva-photo-s269-0060 right and valid, and the real set as it was.
constexpr float kSteepLongLine = 34.0f;
constexpr float kSteepPerspLong = 0.06f;
constexpr float kSteepStep = 0.04f;  // the measured perspective is good to about this

// The perspective (cellAt's) whose pitch at a sixth and at five sixths of
// the line is the period of its first and its last third, and the mean
// pitch it gives; left 0 below kSteepPersp or where a third shows no period.
void steepness(PreparedLine& p, const cv::Mat& cols, int core0, int core1) {
  const int third = (core1 - core0) / 3;
  const float first = periodOf(cols, core0, core0 + third, p.pitch),
              last = periodOf(cols, core1 - third, core1, p.pitch);
  if (first == p.pitch || last == p.pitch) return;
  // Pitch at t: mean (1 + e) / (1 + e t)^2; q is the ratio's square root at t = 1/6 and 5/6.
  const float q = std::sqrt(first / last), e = 6 * (q - 1) / (5 - q);
  const bool longLine = static_cast<float>(core1 - core0) >= kSteepLongLine * p.pitch;
  if (std::abs(e) < (longLine ? kSteepPerspLong : kSteepPersp)) return;
  p.steep = e;
  p.steepPitch = first * (1 + e / 6) * (1 + e / 6) / (1 + e);
}

std::optional<PreparedLine> prepareLine(const cv::Mat& gray, const LineBox& line) {
  cv::Point2f dir = line.end - line.start;
  const float len = std::hypot(dir.x, dir.y);
  if (len < 1 || line.height < 2 || line.pitch < 1) return std::nullopt;
  dir /= len;
  const cv::Point2f up(dir.y, -dir.x);
  // Stage 1: a loose strip around the finder's line, generous along it so
  // lines whose filler runs merged into one blob can be extended.
  const float k0 = ocrb::kTextHeight / line.height;
  const float ext = std::max(3 * line.pitch, 46 * line.pitch - len);
  const cv::Point2f origin = line.start - ext * dir;
  const int w0 = static_cast<int>((len + 2 * ext) * k0);
  const int h0 = static_cast<int>(2.4f * ocrb::kTextHeight);
  if (w0 < 8 || w0 > 20000) return std::nullopt;
  const float c0 = h0 / 2.0f;
  // strip (x, y) -> image: origin + x/k0 * dir + (c0 - y)/k0 * up
  const cv::Matx23d a0(dir.x / k0, -up.x / k0, origin.x + c0 / k0 * up.x, dir.y / k0, -up.y / k0,
                       origin.y + c0 / k0 * up.y);
  cv::Mat loose;
  cv::warpAffine(gray, loose, cv::Mat(a0), {w0, h0}, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  const float xs = ext * k0, xe = (ext + len) * k0, third = (xe - xs) / 3;
  // Paper and ink levels from the text's extent only: beyond a line's ends
  // the strip may be mostly table or hand, which is neither. In the
  // uneven-light pass they are taken along the line here too: with the
  // line's one paper level the shading at the dark end of a gradient is ink,
  // the end third's rows come out low and the strip is cut tilted (seed 7's
  // td1 77: rows L 14-43 M 13-44 R 17-48, its last fillers cut 3 rows high
  // and read 9 as the top of a 9).
  const cv::Mat looseInk = tUnevenInk && !tLocalInk
                               ? ocrb::inkImageLocal(loose, line.pitch * k0, static_cast<int>(xs), static_cast<int>(xe), kUnevenWindow)
                               : ocrb::inkImage(loose, static_cast<int>(xs), static_cast<int>(xe));
  // Text rows at both ends give the residual skew. The height is the
  // largest of three sections: a section of fillers ('<' is shorter than
  // letters and digits) must not shrink the line.
  // OCR-B text is about as high as its pitch: rows much taller than that
  // have merged with background print, and then the pitch sets the height.
  const float pitchL = line.pitch * k0;
  auto rows = [&](float a, float b, int row0 = 0, int row1 = -1, int height = 0) {
    auto [t, bo] = textRows(looseInk, static_cast<int>(a), static_cast<int>(b), row0, row1, height);
    if (bo - t > 1.25f * pitchL) {
      const float mid = (t + bo) / 2;
      t = mid - 0.5f * pitchL, bo = mid + 0.5f * pitchL;
    }
    return std::pair{t, bo};
  };
  // The ends are searched near the middle's rows: the finder's angle is good
  // to about a degree, so an end's text cannot sit a third of a height off,
  // while the neighbouring line's print beside a weak run of '<' can join
  // an end's rows and drag its centre (and the whole strip's tilt) away.
  const auto [topM, botM] = rows(xs + third, xe - third);
  const float slack = 0.35f * (botM - topM);
  const int near0 = static_cast<int>(std::floor(topM - slack)), near1 = static_cast<int>(std::ceil(botM + slack));
  // Cut to the middle's height, or a pitch when the middle is mostly '<'
  // (shorter than letters): OCR-B text is about a pitch high.
  const int heightM = static_cast<int>(std::lround(std::max(botM - topM, pitchL)));
  const auto [topL, botL] = rows(xs, xs + third, near0, near1, heightM);
  const auto [topR, botR] = rows(xe - third, xe, near0, near1, heightM);
  if (debugDir()) trace("rows L %.0f-%.0f M %.0f-%.0f R %.0f-%.0f\n", topL, botL, topM, botM, topR, botR);
  const float xl = xs + third / 2, xr = xe - third / 2;
  const float height = std::max({botL - topL, botM - topM, botR - topR});
  if (height < 4) return std::nullopt;
  const float midL = (topL + botL) / 2, midR = (topR + botR) / 2;
  auto centre = [&](float x) { return midL + (midR - midL) * (x - xl) / (xr - xl); };
  // Stage 2: the strip whose rows kStripTop..kStripBaseline are the text.
  const float k1 = ocrb::kTextHeight / height;
  const int w1 = static_cast<int>(w0 * k1);
  auto looseToImage = [&](float x, float y) {
    return cv::Point2f(static_cast<float>(a0(0, 0) * x + a0(0, 1) * y + a0(0, 2)),
                       static_cast<float>(a0(1, 0) * x + a0(1, 1) * y + a0(1, 2)));
  };
  const float xa = 0, xb = static_cast<float>(w0);
  const std::array<cv::Point2f, 4> src = {cv::Point2f(0, ocrb::kStripTop), cv::Point2f(static_cast<float>(w1), ocrb::kStripTop),
                                          cv::Point2f(static_cast<float>(w1), ocrb::kStripBaseline),
                                          cv::Point2f(0, ocrb::kStripBaseline)};
  const float half = height / 2;
  const std::array<cv::Point2f, 4> dst = {looseToImage(xa, centre(xa) - half), looseToImage(xb, centre(xb) - half),
                                          looseToImage(xb, centre(xb) + half), looseToImage(xa, centre(xa) + half)};
  PreparedLine p;
  const cv::Mat h = cv::getPerspectiveTransform(src.data(), dst.data());
  p.toImage = cv::Matx33d(h);
  cv::warpPerspective(gray, p.strip, h, {w1, ocrb::kStripHeight}, cv::INTER_CUBIC | cv::WARP_INVERSE_MAP,
                      cv::BORDER_REPLICATE);
  if (tSharpen) sharpen(p.strip, kSharpenSigma, kSharpenAmount);
  const int core0 = std::clamp(static_cast<int>((xs - 0.5f * line.pitch * k0) * k1), 0, w1 - 1);
  const int core1 = std::clamp(static_cast<int>((xe + 0.5f * line.pitch * k0) * k1), core0, w1 - 1);
  p.pitch = line.pitch * k0 * k1;
  // In the uneven-light pass, a line whose paper level moves along it (a
  // glare spot, a lamp's gradient) takes its levels along it, in a window
  // narrower than the second pass's: the glyphs inside a glare spot are grey
  // on light grey, lighter than the rest of the line's paper.
  p.light = paperSpread(p.strip, p.pitch, core0, core1);
  const bool alongLine = tUnevenInk && !tLocalInk && p.light > kUnevenPaper;
  if (debugDir()) trace("paper spread %.0f%s\n", p.light, alongLine ? ": levels along the line" : "");
  auto inkOf = [&] {
    if (tLocalInk) return ocrb::inkImageLocal(p.strip, p.pitch, core0, core1);
    if (alongLine) return ocrb::inkImageLocal(p.strip, p.pitch, core0, core1, kUnevenWindow);
    return ocrb::inkImage(p.strip, core0, core1);
  };
  p.ink = inkOf();
  if (straighten(p.strip, p.ink, core0, core1, p.pitch)) p.ink = inkOf();
  setColumnInk(p);
  p.spread = edgeSpread(p.ink, core0, core1);
  cv::Mat cols;
  cv::reduce(p.ink.rowRange(ocrb::kStripTop, ocrb::kStripBaseline), cols, 0, cv::REDUCE_SUM);
  p.pitch = periodOf(cols, core0, core1, p.pitch);
  steepness(p, cols, core0, core1);
  // Extend the finder's extent while ink continues within a pitch and a half
  // (filler runs merge into one blob the finder drops), then offer the
  // outermost glyph edges as candidate ends: a border or a stray mark next
  // to the line is rejected later because the pitch would not fit.
  // Ink threshold relative to the text: background print (guilloches, card
  // edges) must not pass for a glyph edge, while the thin strokes of '<' do.
  std::vector<float> coreCols;
  for (int x = core0; x < core1; ++x) coreCols.push_back(cols.at<float>(x));
  std::nth_element(coreCols.begin(), coreCols.begin() + static_cast<std::ptrdiff_t>(coreCols.size() * 9 / 10), coreCols.end());
  const float colTop = coreCols.empty() ? 10.0f : coreCols[coreCols.size() * 9 / 10];
  const float inkThr = std::max(1.5f, 0.15f * colTop);
  auto inked = [&](int x) { return cols.at<float>(x) > inkThr; };
  const int gap = static_cast<int>(1.4f * p.pitch);
  int left = core0, right = core1;
  for (int x = core0; x >= 0 && left - x <= gap; --x)
    if (inked(x)) left = x;
  for (int x = core1; x < w1 && x - right <= gap; ++x)
    if (inked(x)) right = x;
  std::vector<float> starts, ends;
  for (int x = left; x <= right; ++x) {
    if (inked(x) && (x == 0 || !inked(x - 1))) starts.push_back(static_cast<float>(x));
    if (inked(x) && (x + 1 >= w1 || !inked(x + 1))) ends.push_back(static_cast<float>(x + 1));
  }
  for (float x : starts)
    if (x <= core0 + 3 * p.pitch && p.lefts.size() < 12) p.lefts.push_back(x);
  for (auto it = ends.rbegin(); it != ends.rend(); ++it)
    if (*it >= core1 - 3 * p.pitch && p.rights.size() < 12) p.rights.push_back(*it);
  // The finder's own ends (first and last blob centres of the band, shared
  // by its lines), and a cell or two beyond them for fillers it merged:
  // background print next to the text can hide the ink edges above.
  const float firstC = xs * k1, lastC = xe * k1;
  p.firstC = firstC;
  p.lastC = lastC;
  p.components = line.components;
  for (int k = 0; k <= 2; ++k) {
    p.lefts.push_back(firstC - (0.35f + static_cast<float>(k)) * p.pitch);
    p.rights.push_back(lastC + (0.35f + static_cast<float>(k)) * p.pitch);
  }
  if (const char* dbg = debugDir()) {
    // Developer aid: every rectified strip as PNG plus its end candidates.
    static std::atomic<int> counter{0};
    const int n = counter++;
    codec::writeImageFile(std::string(dbg) + "/strip" + std::to_string(n) + ".png", p.strip);
    trace("strip%d w=%d pitch=%.2f spread=%.2f steep=%.2f core=%d..%d lefts:", n, w1, p.pitch, p.spread, p.steep, core0, core1);
    for (float x : p.lefts) trace(" %.0f", x);
    trace(" rights:");
    for (float x : p.rights) trace(" %.0f", x);
    trace("\n");
  }
  return p;
}

PreparedLine turned(const PreparedLine& p) {
  PreparedLine t;
  cv::rotate(p.strip, t.strip, cv::ROTATE_180);
  cv::rotate(p.ink, t.ink, cv::ROTATE_180);
  setColumnInk(t);
  const double w = p.strip.cols, h = p.strip.rows;
  t.toImage = p.toImage * cv::Matx33d(-1, 0, w, 0, -1, h, 0, 0, 1);
  for (float x : p.rights) t.lefts.push_back(static_cast<float>(w) - x);
  for (float x : p.lefts) t.rights.push_back(static_cast<float>(w) - x);
  t.pitch = p.pitch;
  t.firstC = static_cast<float>(w) - p.lastC;
  t.lastC = static_cast<float>(w) - p.firstC;
  t.components = p.components;
  t.spread = p.spread;
  // Turned, the far end is the near one: cellAt's map reversed.
  t.steep = p.steep == 0.0f ? 0.0f : -p.steep / (1 + p.steep);
  t.steepPitch = p.steepPitch;
  return t;
}

struct Cells {
  float pitch = 0, offset = 0;  // mean cell width, left edge of the first cell
  float persp = 0;              // perspective along the line (see cellAt)
  std::vector<float> shift;     // per-cell refinement
  cv::Mat probs;                // chars x kClasses
  double score = -1e9;          // mean log best probability
};

// Best probability of a real character (not the "misaligned" output).
double bestCharProb(const cv::Mat& probs, int row) {
  const float* r = probs.ptr<float>(row);
  return *std::max_element(r, r + ocrb::kClasses);
}

// The real character read likeliest in a row of probabilities.
char bestChar(const float* row) {
  return ocrb::kAlphabet[static_cast<std::size_t>(std::max_element(row, row + ocrb::kClasses) - row)];
}

// Centre and width of cell i of `chars` cells spanning offset .. offset +
// chars * pitch. A line seen at an angle is foreshortened towards its far
// end: with persp = e the cells follow the projective map t -> (1+e)t/(1+et)
// of [0, 1], so the first cell is (1+e) and the last 1/(1+e) mean pitches
// wide (a constant pitch would drift by cells over a 44-character line).
struct CellGeom {
  float centre, width;
};
CellGeom cellAt(int i, int chars, float pitch, float offset, float persp) {
  const float w = static_cast<float>(chars) * pitch;
  const float t = (static_cast<float>(i) + 0.5f) / static_cast<float>(chars);
  if (persp == 0.0f || i < 0 || i >= chars) return {offset + t * w, pitch};
  const float d = 1 + persp * t;
  return {offset + w * (1 + persp) * t / d, pitch * (1 + persp) / (d * d)};
}

// The ink of a cut's cells (text rows, the middle 80% of each cell), the
// cells just beyond its ends included.
struct CutInk {
  std::vector<double> ink;  // cells -1 .. chars
  double typical = 1;       // the median cell's
  bool blank(int i) const { return ink[static_cast<std::size_t>(i + 1)] < 0.12 * typical; }
  bool inked(int i) const { return ink[static_cast<std::size_t>(i + 1)] > 0.6 * typical; }
};

CutInk cutInk(const PreparedLine& p, int chars, float pitch, float offset, float persp) {
  CutInk out;
  for (int i = -1; i <= chars; ++i) {
    const CellGeom g = cellAt(i, chars, pitch, offset, persp);
    const int x = static_cast<int>(g.centre - 0.4f * g.width);
    out.ink.push_back(inkBetween(p, x, x + static_cast<int>(0.8f * g.width) + 1));
  }
  std::vector<double> sorted(out.ink.begin() + 1, out.ink.end() - 1);
  std::nth_element(sorted.begin(), sorted.begin() + chars / 2, sorted.end());
  out.typical = std::max(sorted[static_cast<std::size_t>(chars / 2)], 1.0);
  return out;
}

// Classifier calls of this thread since the last countEvaluations() (the
// reader's cost; IDKIT_MRZ_DEBUG prints it per image).
thread_local long tEvaluations = 0;

double evaluate(const ocrb::Classifier& clf, const PreparedLine& p, int chars, float pitch, float offset, float persp,
                const std::vector<float>* shifts, cv::Mat* probsOut) {
  ++tEvaluations;
  const cv::Mat& ink = p.ink;
  cv::Mat feats(chars, ocrb::kFeatureSize, CV_32F);
  for (int i = 0; i < chars; ++i) {
    const CellGeom g = cellAt(i, chars, pitch, offset, persp);
    const float cx = g.centre + (shifts ? (*shifts)[static_cast<std::size_t>(i)] : 0.0f);
    ocrb::cellFeatures(ink, cx, g.width, std::span<float>(feats.ptr<float>(i), ocrb::kFeatureSize));
  }
  cv::Mat probs = clf.predict(feats);
  // Every MRZ cell holds ink ('<' included) and the cells just beyond the
  // line are blank; the classifier, which never saw a blank cell, can be
  // confident about one, so the ink decides where the line is.
  const CutInk cut = cutInk(p, chars, pitch, offset, persp);
  double score = 0;
  for (int i = 0; i < chars; ++i)
    score += cut.blank(i) ? std::log(1e-4) : std::log(std::max(bestCharProb(probs, i), 1e-6));
  for (int i : {-1, chars})
    if (cut.inked(i)) score += std::log(1e-3);
  if (probsOut) *probsOut = probs;
  return score / chars;
}

// Spans (pairs of line ends) the classifier reads, of those the projection ranks.
constexpr std::size_t kSpansRead = 3;
// A cut's end cell with less ink than kWeakCellInk of its median cell's and
// a best probability under kWeakCellProb holds no glyph the classifier
// knows (the end cells of the cuts a cell off on 100_pass-lux and
// 62_pass-aus: 0.26-0.53 and 0.00-0.20; a glyph cut off by a bad pitch
// on a synthetic MRV-A photo: 0.59 and 0.55).
// A fainter end cell (blank or nearly, 0.12 of a glyph's ink on a cut of
// the synthetic td1-photo-s23-0036) is the span search's own business:
// it pays the blank price there, and a later read of the band's ends
// reads such a line right, where the cut moved a cell read its new end
// cell P as F, a rival no check digit tells apart.
constexpr double kWeakCellInk = 0.55;
constexpr double kFaintCellInk = 0.2;
constexpr double kWeakCellProb = 0.5;

void refineOffsets(const ocrb::Classifier& clf, const PreparedLine& p, int chars, Cells& best);

// A careful read of a cut whose first glyph's left edge is `left`: the
// pitch within a percent, the perspective, then the offsets.
void refineCut(const ocrb::Classifier& clf, const PreparedLine& p, int chars, Cells& best, float left) {
  const float pitch0 = best.pitch, persp0 = best.persp;
  // Coordinate search over pitch, then offset.
  // Steps stay small: over 44 cells a 1% pitch error moves the last cell
  // by almost half a pitch.
  for (float dp : {-0.01f, -0.005f, 0.005f, 0.01f}) {
    const float pitch = pitch0 * (1 + dp);
    const float offset = left - 0.15f * pitch;
    cv::Mat probs;
    const double s = evaluate(clf, p, chars, pitch, offset, persp0, nullptr, &probs);
    if (s > best.score) best.score = s, best.pitch = pitch, best.offset = offset, best.probs = probs;
  }
  // Perspective: the line's ends stay, the cells between them move.
  for (float de : {-0.12f, -0.08f, -0.04f, 0.04f, 0.08f, 0.12f}) {
    cv::Mat probs;
    const float e = persp0 + de;
    const double s = evaluate(clf, p, chars, best.pitch, best.offset, e, nullptr, &probs);
    if (s > best.score) best.score = s, best.persp = e, best.probs = probs;
  }
  if (best.persp != persp0)
    for (float de : {-0.02f, 0.02f}) {
      cv::Mat probs;
      const float e = best.persp + de;
      const double s = evaluate(clf, p, chars, best.pitch, best.offset, e, nullptr, &probs);
      if (s > best.score) best.score = s, best.persp = e, best.probs = probs;
    }
  refineOffsets(clf, p, chars, best);
}

Cells readCells(const ocrb::Classifier& clf, const PreparedLine& p, int chars, bool refine) {
  Cells best;
  // Ends whose span gives the measured pitch for this many characters; the
  // first and last glyphs leave about 0.15 pitch blank on their outer sides.
  struct Span {
    float left, pitch;
    double gaps;  // ink between cells and beyond the ends over ink at the cells' centres
  };
  // A steep line's spans (PreparedLine::steep) are read with its perspective
  // too, after the even ones: their few best by the projection at it.
  const auto spansAt = [&](float persp) {
    std::vector<Span> spans;
    const float meanPitch = persp == 0.0f ? p.pitch : p.steepPitch;
    for (float l : p.lefts)
      for (float r : p.rights) {
        const float pitch = (r - l) / (chars - 0.3f);
        // The autocorrelation pitch is good to about a percent on flat text
        // and 2% on a foreshortened line; one cell too many or too few
        // changes the pitch by 2.3-3.4%, which the score then rejects.
        // When the finder saw every character, its span gives the pitch too
        // (the autocorrelation can lock onto a neighbouring period).
        const float spanPitch = p.components >= chars - 1 && p.components <= chars
                                    ? (p.lastC - p.firstC) / static_cast<float>(chars - 1)
                                    : -1.0f;
        if (std::abs(pitch - meanPitch) > 0.025f * meanPitch && std::abs(pitch - spanPitch) > 0.01f * spanPitch)
          continue;
        if (pitch < 0.6f * ocrb::kTextHeight || pitch > 1.6f * ocrb::kTextHeight) continue;
        // Ends a pixel apart give the same cells: read once.
        const float offset = l - 0.15f * pitch;
        const bool same = std::any_of(spans.begin(), spans.end(), [&](const Span& q) {
          return std::abs(q.left - l) < 0.04f * pitch &&
                 std::abs(q.pitch - pitch) * static_cast<float>(chars) < 0.04f * pitch;
        });
        if (same) continue;
        // Fixed-pitch OCR-B leaves blank columns between glyphs and beyond the
        // line's ends: a projection scores a span for the price of a few sums.
        double gaps = 0, centres = 1e-6;
        for (int i = -1; i <= chars; ++i) {
          float x0 = offset + static_cast<float>(i) * pitch, w = pitch;
          if (persp != 0.0f) {
            const CellGeom g = cellAt(i, chars, pitch, offset, persp);
            x0 = g.centre - 0.5f * g.width, w = g.width;
          }
          if (i < 0 || i == chars) {
            gaps += inkBetween(p, static_cast<int>(x0 + 0.2f * w), static_cast<int>(x0 + 0.8f * w));
            continue;
          }
          centres += inkBetween(p, static_cast<int>(x0 + 0.3f * w), static_cast<int>(x0 + 0.7f * w));
          gaps += inkBetween(p, static_cast<int>(x0 - 0.08f * w), static_cast<int>(x0 + 0.08f * w) + 1);
        }
        spans.push_back({l, pitch, gaps / centres});
      }
    // The classifier reads the few spans the projection likes best.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.gaps < b.gaps; });
    if (spans.size() > kSpansRead) spans.resize(kSpansRead);
    return spans;
  };
  float left = 0;
  const auto readSpan = [&](const Span& sp, float persp) {
    cv::Mat probs;
    const float offset = sp.left - 0.15f * sp.pitch;
    const double s = evaluate(clf, p, chars, sp.pitch, offset, persp, nullptr, &probs);
    if (s > best.score)
      best.score = s, best.pitch = sp.pitch, best.offset = offset, best.persp = persp, best.probs = probs,
      left = sp.left;
  };
  for (const Span& sp : spansAt(0.0f)) readSpan(sp, 0.0f);
  if (p.steep != 0.0f)
    for (const Span& sp : spansAt(p.steep))
      for (const float de : {-kSteepStep, 0.0f, kSteepStep}) readSpan(sp, p.steep + de);
  if (best.probs.empty() || !refine) return best;
  const float spanPersp = best.persp;
  refineCut(clf, p, chars, best, left);
  // A cut with a glyph's ink just beyond one end and none beyond the other
  // whose cell at the other end is weak (less ink than a glyph, the
  // classifier unsure) may hold the line a cell off: an edge or print next
  // to the line taken for its first or last glyph, or a line's end run
  // into background texture whose ink edge was missing (62_pass-aus: a
  // drawn box's edge before line 2, read "FMA0940...<<<<0"; 100_pass-lux:
  // line 1 read from its second cell, "<LUXMAUS...", the P beyond). The cut
  // moved by a cell towards the ink is read too, and the better read kept.
  const CutInk cut = cutInk(p, chars, best.pitch, best.offset, best.persp);
  const int towards = cut.inked(chars) && !cut.inked(-1) ? 1 : cut.inked(-1) && !cut.inked(chars) ? -1 : 0;
  const int dropped = towards > 0 ? 0 : chars - 1;
  const double droppedInk = cut.ink[static_cast<std::size_t>(dropped + 1)] / cut.typical;
  if (towards != 0 && droppedInk > kFaintCellInk && droppedInk < kWeakCellInk && bestCharProb(best.probs, dropped) < kWeakCellProb) {
    Cells moved;
    moved.pitch = best.pitch;
    moved.persp = spanPersp;
    moved.offset = best.offset + static_cast<float>(towards) * cellAt(dropped, chars, best.pitch, best.offset, best.persp).width;
    moved.score = evaluate(clf, p, chars, moved.pitch, moved.offset, moved.persp, nullptr, &moved.probs);
    refineCut(clf, p, chars, moved, moved.offset + 0.15f * moved.pitch);
    if (debugDir())
      trace("  a cell %s: %.3f, as cut %.3f (end cell %.2f, ink %.2f)\n", towards > 0 ? "later" : "earlier", moved.score, best.score,
            bestCharProb(best.probs, dropped), droppedInk);
    if (moved.score > best.score) best = std::move(moved);
  }
  return best;
}

// The last steps of a careful read at a chosen pitch and perspective: the
// offset within an eighth of a pitch, then per-cell shifts, which absorb
// small local pitch errors (perspective, paper warp); the score becomes
// the mean log best probability of the cells.
void refineOffsets(const ocrb::Classifier& clf, const PreparedLine& p, int chars, Cells& best) {
  const float basePitch = best.pitch, baseOffset = best.offset;
  for (float dx : {-0.12f, -0.06f, 0.06f, 0.12f}) {
    const float offset = baseOffset + dx * basePitch;
    cv::Mat probs;
    const double s = evaluate(clf, p, chars, basePitch, offset, best.persp, nullptr, &probs);
    if (s > best.score) best.score = s, best.offset = offset, best.probs = probs;
  }
  // Per-cell shifts absorb small local pitch errors (perspective, paper warp).
  // A filler seen only off the centre of a cell whose centre shows a round
  // glyph (O, 0, Q, D) read with kWeakCellProb or more is that glyph's
  // arc, not a filler: a blurred O moved a tenth of a pitch reads '<'
  // (mrva-photo-s277-0043's BEETHOVEN read O 0.52 at its centre, '<' 0.89
  // off it, the zone then valid as BEETH VEN). The centre's reading stays.
  // Not C or G, open on the side a '<' is: with them, td2-photo-s7-0053's
  // zone, read right and valid, was read right and not valid.
  const auto roundArc = [](const float* centre, const float* moved) {
    const char c = bestChar(centre);
    return bestChar(moved) == '<' && std::string_view("O0QD").find(c) != std::string_view::npos &&
           *std::max_element(centre, centre + ocrb::kClasses) >= kWeakCellProb;
  };
  best.shift.assign(static_cast<std::size_t>(chars), 0.0f);
  for (float dx : {-0.1f, 0.1f}) {
    std::vector<float> shifts(static_cast<std::size_t>(chars));
    for (int i = 0; i < chars; ++i)
      shifts[static_cast<std::size_t>(i)] = dx * cellAt(i, chars, best.pitch, best.offset, best.persp).width;
    cv::Mat probs;
    evaluate(clf, p, chars, best.pitch, best.offset, best.persp, &shifts, &probs);
    for (int i = 0; i < chars; ++i) {
      const double a = bestCharProb(best.probs, i), b = bestCharProb(probs, i);
      if (b > a + 0.05 && !roundArc(best.probs.ptr<float>(i), probs.ptr<float>(i))) {
        probs.row(i).copyTo(best.probs.row(i));
        best.shift[static_cast<std::size_t>(i)] = shifts[static_cast<std::size_t>(i)];
      }
    }
  }
  double score = 0;
  for (int i = 0; i < chars; ++i) score += std::log(std::max(bestCharProb(best.probs, i), 1e-6));
  best.score = score / chars;
}

// A cell a thumb covers this share of or more is read again from its
// visible pixels (detail::visibleCellProbs); a cell it covers almost wholly
// holds no evidence, and every symbol stays open to the check digits.
constexpr double kCoveredPart = 0.1;
constexpr double kCoveredWhole = 0.8;
// On a blurred line a cell is unknown when a thumb covers this share of it
// (td3-photo-s269-0051's 580, 0.89-0.99); less, the classifier's reading of
// the blurred glyph above the thumb's edge stands (td3-photo-s269-0058's
// birth date's 18 and sex, 0.54-0.78, read right).
constexpr double kCoveredBlurred = 0.85;
// The weight of what a partly covered cell shows against the classifier's
// reading of the whole cell.
constexpr float kCoveredWeight = 0.5f;
// More covered cells than a line's chars / kCoveredMostCells: no thumb.
constexpr int kCoveredMostCells = 4;

// The weight of a faded cell's reading from its own levels
// (detail::fadedCells) against the classifier's reading of its clipped ink.
constexpr float kFadedWeight = 0.5f;
// A faded cell the classifier reads this surely is not read again (the
// fit of 37 symbols costs more than all the rest of a line's cells).
constexpr float kFadedSure = 0.9f;

// A cell's probabilities (`row`, the classifier's) moved to `weight` of a
// reading of what shows of it and the rest of their own.
void blendInto(float* row, const std::array<float, ocrb::kClasses>& seen, float weight) {
  for (int k = 0; k < ocrb::kClasses; ++k) row[k] = weight * seen[static_cast<std::size_t>(k)] + (1 - weight) * row[k];
}

// The classifier's probabilities, with the cells a thumb covers in part or
// wholly read again from what shows (see kCoveredPart), and the cells a
// glare spot fades read again in their own levels (kFadedWeight).
cv::Mat uncoveredProbs(const PreparedLine& p, const Cells& cells, int chars) {
  // On a blurred line a thumb's shade is still found, but what shows of a
  // cell it covers is not read again (visibleCellProbs draws sharp glyphs)
  // and no cell is taken for faded: a cell it covers kCoveredBlurred or
  // more is unknown, one it covers less keeps the classifier's reading. Its
  // blurred rim read as a confident letter made a zone valid with a wrong
  // field (td3-photo-s269-0051's optional data 580 read P11, both check
  // digits verifying).
  const bool blurred = p.spread >= detail::kBlurredSpread;
  std::vector<float> centres(static_cast<std::size_t>(chars)), widths(static_cast<std::size_t>(chars));
  for (int i = 0; i < chars; ++i) {
    const CellGeom g = cellAt(i, chars, cells.pitch, cells.offset, cells.persp);
    centres[static_cast<std::size_t>(i)] = g.centre + (cells.shift.empty() ? 0.0f : cells.shift[static_cast<std::size_t>(i)]);
    widths[static_cast<std::size_t>(i)] = g.width;
  }
  std::vector<double> shares(static_cast<std::size_t>(chars), 0.0);
  std::ptrdiff_t coveredCells = 0;  // cells covered kCoveredPart or more
  const cv::Mat covered = detail::coveredRegion(p.strip, cells.pitch, blurred);
  if (cv::countNonZero(covered) > 0) {
    for (int i = 0; i < chars; ++i) {
      const float cx = centres[static_cast<std::size_t>(i)], w = widths[static_cast<std::size_t>(i)];
      const int x0 = std::max(0, static_cast<int>(cx - 0.4f * w)), x1 = std::min(covered.cols, static_cast<int>(cx + 0.4f * w) + 1);
      if (x1 <= x0) continue;
      const cv::Mat box = covered(cv::Rect(x0, ocrb::kStripTop, x1 - x0, ocrb::kStripBaseline - ocrb::kStripTop));
      shares[static_cast<std::size_t>(i)] = static_cast<double>(cv::countNonZero(box)) / static_cast<double>(box.total());
    }
    // A thumb covers a few cells; darkness over much of a line is light or
    // shade, which hides nothing.
    const double part = blurred ? kCoveredBlurred : kCoveredPart;
    for (double& share : shares)
      if (share < part) share = 0;
    coveredCells = std::count_if(shares.begin(), shares.end(), [](double s) { return s > 0; });
    if (coveredCells > chars / kCoveredMostCells) {
      std::fill(shares.begin(), shares.end(), 0.0);
      coveredCells = 0;
    }
  }
  std::vector<bool> faded = blurred ? std::vector<bool>(static_cast<std::size_t>(chars), false)
                                    : detail::fadedCells(p.strip, centres, widths);
  for (int i = 0; i < chars; ++i)
    if (shares[static_cast<std::size_t>(i)] >= kCoveredPart) faded[static_cast<std::size_t>(i)] = false;
  const bool anyCovered = coveredCells > 0;
  const bool anyFaded = std::find(faded.begin(), faded.end(), true) != faded.end();
  if (!anyCovered && !anyFaded) return cells.probs;
  cv::Mat probs = cells.probs.clone();
  for (int i = 0; i < chars; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (shares[at] < kCoveredPart) continue;
    float* row = probs.ptr<float>(i);
    const auto seen = !blurred && shares[at] < kCoveredWhole
                          ? detail::visibleCellProbs(p.ink, covered, centres[at], widths[at])
                          : std::nullopt;
    // The visible part's reading and the classifier's guess at the whole
    // share the cell: the check digits choose between them, and where none
    // covers the cell neither is sure enough for a valid zone.
    if (seen) blendInto(row, *seen, kCoveredWeight);
    else std::fill(row, row + ocrb::kClasses, 1.0f / ocrb::kClasses);
    if (debugDir()) trace("    cell %d covered %.2f: %c %.2f\n", i, shares[at], bestChar(row), bestCharProb(probs, i));
  }
  if (anyFaded) {
    const cv::Mat ink = detail::unclippedInk(p.strip), none(p.strip.size(), CV_8U, cv::Scalar(0));
    for (int i = 0; i < chars; ++i) {
      const auto at = static_cast<std::size_t>(i);
      if (!faded[at] || bestCharProb(probs, i) >= kFadedSure) continue;
      const auto seen = detail::visibleCellProbs(ink, none, centres[at], widths[at]);
      if (!seen) continue;
      float* row = probs.ptr<float>(i);
      blendInto(row, *seen, kFadedWeight);
      if (debugDir()) trace("    cell %d faded: %c %.2f\n", i, bestChar(row), bestCharProb(probs, i));
    }
  }
  return probs;
}

LineReading toReading(const PreparedLine& p, const Cells& cells, int chars, int top_k) {
  LineReading r;
  double conf = 0;
  const cv::Mat probs = uncoveredProbs(p, cells, chars);
  for (int i = 0; i < chars; ++i) {
    const float* row = probs.ptr<float>(i);
    std::array<int, ocrb::kClasses> idx{};
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + top_k, idx.end(), [&](int a, int b) { return row[a] > row[b]; });
    PositionCandidates pc;
    for (int k = 0; k < top_k; ++k) pc.push_back({ocrb::kAlphabet[static_cast<std::size_t>(idx[static_cast<std::size_t>(k)])], row[idx[static_cast<std::size_t>(k)]]});
    r.text.push_back(pc.front().ch);
    conf += pc.front().score;
    r.candidates.push_back(std::move(pc));
  }
  r.confidence = conf / chars;
  const float x0 = cells.offset, x1 = cells.offset + chars * cells.pitch;
  const float y0 = ocrb::kStripTop, y1 = ocrb::kStripBaseline;
  r.quad = {apply(p.toImage, {x0, y0}), apply(p.toImage, {x1, y0}), apply(p.toImage, {x1, y1}),
            apply(p.toImage, {x0, y1})};
  return r;
}

std::vector<int> lengthsFor(std::size_t lines, std::optional<Format> hint, int chars) {
  if (hint) {
    const auto lengths = lineLengths(*hint);
    if (lengths.size() != lines) return {};
    return {lengths.front()};
  }
  if (lines == 3) return chars == 0 || chars == 30 ? std::vector<int>{30} : std::vector<int>{};
  if (chars == 44 || chars == 36) return {chars};
  if (chars != 0) return {};
  return {44, 36};
}

struct Hypothesis {
  std::vector<const PreparedLine*> lines;  // reading order
  int chars = 0;
  double score = -1e9;
  bool flipped = false;
  std::vector<Cells> quick;  // the quick look's cells per line
};

}  // namespace

float paperSpread(const cv::Mat& strip, float pitch, int x0, int x1) {
  CV_Assert(strip.type() == CV_8U && strip.rows >= ocrb::kStripBaseline);
  if (x1 < 0 || x1 > strip.cols) x1 = strip.cols;
  x0 = std::clamp(x0, 0, x1);
  const int win = std::max(4, static_cast<int>(std::lround(2 * pitch)));
  if (x1 - x0 < 2 * win) return 0;
  int lo = 255, hi = 0;
  std::vector<std::uint8_t> v;
  for (int x = x0; x + win <= x1; x += win / 2) {
    v.clear();
    for (int r = ocrb::kStripTop; r < ocrb::kStripBaseline; ++r) {
      const auto* q = strip.ptr<std::uint8_t>(r);
      v.insert(v.end(), q + x, q + x + win);
    }
    const auto k = v.begin() + static_cast<std::ptrdiff_t>(v.size() * 8 / 10);
    std::nth_element(v.begin(), k, v.end());
    lo = std::min(lo, static_cast<int>(*k)), hi = std::max(hi, static_cast<int>(*k));
  }
  return static_cast<float>(hi - lo);
}

float edgeSpread(const cv::Mat& ink, int x0, int x1) {
  if (ink.type() != CV_32F || ink.rows < ocrb::kStripBaseline || ink.cols < 2) return 0.0f;
  if (x1 < 0 || x1 > ink.cols - 1) x1 = ink.cols - 1;
  x0 = std::clamp(x0, 0, x1);
  double sum = 0, squares = 0;
  for (int y = ocrb::kStripTop; y < ocrb::kStripBaseline; ++y) {
    const float* row = ink.ptr<float>(y);
    for (int x = x0; x < x1; ++x) {
      const double d = std::abs(row[x + 1] - row[x]);
      if (d < 0.05) continue;
      sum += d;
      squares += d * d;
    }
  }
  return squares > 0 ? static_cast<float>(sum / squares) : 0.0f;
}

LineReading readLine(const cv::Mat& gray, const LineBox& line, int chars, int top_k) {
  const auto& clf = ocrb::Classifier::shared();
  const auto p = prepareLine(gray, line);
  if (!p || chars <= 0) return {};
  const Cells cells = readCells(clf, *p, chars, true);
  if (cells.probs.empty()) return {};
  return toReading(*p, cells, chars, std::clamp(top_k, 1, ocrb::kClasses));
}

void ImageReading::scaleQuad(double factor) {
  for (auto& pt : quad) pt *= static_cast<float>(factor);
}

Json ImageReading::toJson() const {
  Json j = result.toJson();
  Json q = Json::array();
  for (const auto& pt : quad)
    q.push_back({std::round(static_cast<double>(pt.x) * 10) / 10, std::round(static_cast<double>(pt.y) * 10) / 10});
  j["quad"] = q;
  j["angle"] = std::round(angle_deg * 10) / 10;
  if (mirrored) j["mirrored"] = true;
  return j;
}

namespace {

struct Attempt {
  std::optional<Result> result;
  std::array<cv::Point2f, 4> quad{};
  double angle = 0;
  double score = -1e9;
  double read_score = -1e9;  // the classifier's mean log probability alone
  double quick = -1e9;       // the best quick look's mean log probability (any band)
  std::size_t band = 0;      // index of the band the reading is of
  int chars = 0;             // characters per line of the reading
  bool flipped = false;      // the band read turned by 180 degrees
  std::vector<Cells> cells;  // the cells of each line, reading order
  std::vector<LineCandidates> candidates;  // what correct() was given
  bool vetoed = false;                     // see BandReading::vetoed
  std::vector<float> spreads;              // see BandReading::spreads
  std::vector<float> lights;               // see BandReading::lights
  // The quick look's best characters of the hypothesis the reading was
  // read carefully from, line by line (detail::vetoNameDisagreement); empty
  // when the reading is the quick look's own.
  std::vector<std::string> glance;
};

// The lines of a band start and end at the same place on the document: the
// ends every line was read with become candidate ends of each line (a line
// whose own ink edges mislead it, a card edge or a filler run merged with
// background, gets its neighbours' ends to try).
PreparedLine withBandEnds(const PreparedLine& p, const std::vector<LineReading>& band, int chars) {
  PreparedLine q = p;
  const cv::Matx33d toStrip = p.toImage.inv();
  for (const LineReading& r : band) {
    const cv::Point2f x0 = apply(toStrip, (r.quad[0] + r.quad[3]) * 0.5f);
    const cv::Point2f x1 = apply(toStrip, (r.quad[1] + r.quad[2]) * 0.5f);
    const float pitch = (x1.x - x0.x) / static_cast<float>(chars);
    if (!(pitch > 0)) continue;
    q.lefts.push_back(x0.x + 0.15f * pitch);
    q.rights.push_back(x1.x - 0.15f * pitch);
  }
  return q;
}

struct BandReading {
  Result result;
  std::vector<LineReading> lines;
  std::vector<Cells> cells;  // what the lines were read at
  double score = 0;  // mean log probability of the lines' best characters
  bool vetoed = false;  // verified, but not valid for a cut doubt (withCutDoubts)
  std::vector<float> spreads;  // each line's edge spread (edgeSpread)
  std::vector<float> lights;   // each line's paper spread (paperSpread)
};

using detail::kBlurredSpread;

// The band's lines read at these cells, corrected by the check digits.
std::optional<BandReading> bandFromCells(const std::vector<const PreparedLine*>& lines, const std::vector<Cells>& lineCells,
                                         int chars, int topK, const ReadOptions& options) {
  BandReading out;
  std::vector<LineCandidates> cands;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const PreparedLine* p = lines[li];
    const Cells& cells = lineCells[li];
    if (cells.probs.empty()) return std::nullopt;
    out.lines.push_back(toReading(*p, cells, chars, topK));
    if (debugDir()) {
      trace("  line offset=%.1f pitch=%.2f persp=%.2f score=%.3f %s\n", cells.offset, cells.pitch, cells.persp,
            cells.score, out.lines.back().text.c_str());
      // The cells the classifier was unsure of, with their runners-up.
      const auto& lc = out.lines.back().candidates;
      for (std::size_t i = 0; i < lc.size(); ++i) {
        if (lc[i].empty() || lc[i][0].score >= 0.9f) continue;
        trace("    %2zu:", i + 1);
        for (const Candidate& c : lc[i]) trace(" %c=%.2f", c.ch, c.score);
        trace("\n");
      }
    }
    cands.push_back(out.lines.back().candidates);
    out.spreads.push_back(p->spread);
    out.lights.push_back(p->light);
    out.score += cells.score;
  }
  if (out.lines.empty()) return std::nullopt;
  out.cells = lineCells;
  out.score /= static_cast<double>(out.lines.size());
  auto res = correct(cands, options.parse);
  if (!res) {
    // Without a correction (shape unknown to it), parse the plain reading.
    std::vector<std::string> texts;
    for (const auto& r : out.lines) texts.push_back(r.text);
    res = parse(texts, options.parse);
  }
  if (!res) return std::nullopt;
  out.result = std::move(*res);
  if (detail::vetoBlurredNames(out.result, cands, out.spreads) && debugDir())
    trace("a name cell of a blurred line read as a digit or beside its blur twin\n");
  // The lines of a band start at the same place on the document. A line
  // read a cell or more off (its first letters cut, fillers added at its
  // end) can still verify when no check digit covers it, as a TD1 name
  // line: then the zone is not valid (and the careful read tries again).
  if (out.lines.size() > 1) {
    const auto startOf = [](const LineReading& r) { return (r.quad[0] + r.quad[3]) * 0.5f; };
    const auto& first = out.lines.front().quad;
    cv::Point2f dir = first[1] - first[0];
    const float len = std::hypot(dir.x, dir.y);
    if (len > 0) {
      dir /= len;
      const float pitch = len / static_cast<float>(chars);
      bool aligned = true;
      for (const auto& r : out.lines) aligned = aligned && std::abs((startOf(r) - startOf(out.lines.front())).dot(dir)) < 0.6f * pitch;
      if (!aligned) {
        out.result.checks.emplace_back("lines_aligned", false);
        out.result.valid = false;
      }
    }
  }
  return out;
}

std::optional<BandReading> readBand(const ocrb::Classifier& clf, const std::vector<const PreparedLine*>& lines,
                                    int chars, int topK, const ReadOptions& options) {
  std::vector<Cells> cells;
  for (const auto* p : lines) cells.push_back(readCells(clf, *p, chars, true));
  return bandFromCells(lines, cells, chars, topK, options);
}

using detail::checkCovers;



// A cell of a blurred line that two cuts read surely as different
// characters (withCutDoubts).
struct CutDoubt {
  int line, col;
  char quick, careful;  // what the two cuts read
};

// A valid reading with a cut doubt that no verifying check digit covers is
// not valid: the cell is listed uncertain (its letter kept) and `legible`
// fails. A state code ICAO knows, which the rival would make unknown, is its
// own witness (CAN against <AN). Whether any doubt vetoed the reading.
bool vetoCutDoubts(Result& r, const std::vector<CutDoubt>& doubts) {
  const auto plans = detail::checkPlans(r.format, r.lines);
  bool veto = false;
  for (const CutDoubt& d : doubts) {
    if (static_cast<std::size_t>(d.line) >= r.lines.size() || static_cast<std::size_t>(d.col) >= r.lines[static_cast<std::size_t>(d.line)].size() ||
        checkCovers(r, plans, d.line, d.col))
      continue;
    const std::string& line = r.lines[static_cast<std::size_t>(d.line)];
    const char now = line[static_cast<std::size_t>(d.col)], rival = now == d.quick ? d.careful : d.quick;
    const auto witnessed = [&] {
      for (const detail::Pos sp : detail::statePositions(r.format)) {
        if (sp.line != d.line || d.col < sp.col || d.col >= sp.col + 3) continue;
        std::string code = line.substr(static_cast<std::size_t>(sp.col), 3);
        if (!detail::knownState(code)) return false;
        code[static_cast<std::size_t>(d.col - sp.col)] = rival;
        return !detail::knownState(code);
      }
      return false;
    };
    if (witnessed()) continue;
    if (debugDir()) trace("cut doubt vetoes: line %d cell %d\n", d.line + 1, d.col + 1);
    r.uncertain.push_back({d.line + 1, d.col + 1, now, rival, "uncertain"});
    veto = true;
  }
  if (veto) detail::markIllegible(r);
  return veto;
}

// `again` (a band read at a new cut of the same strips: the careful read
// after the quick look, the read with the band's ends after the careful
// one) with its doubt restored where a line's first or last cell was seen
// at one glyph by both cuts (centres within 0.3 pitch) and read surely
// (0.8) as different characters: that cell's probabilities become the mean
// of the two, so the check digits decide where they cover it and an
// uncovered name letter is listed as uncertain. A line's end cells lie
// beside whatever the cut's end takes in (a card edge, background): the
// careful cut, a fifth of a pitch further, read a truncated name's last A
// beside a dark card edge as K at 0.96 where the quick look read A at 1.00;
// no check digit covers a TD1 name, so the zone was valid and wrong (raw
// td1-photo-s7-0045, `ABERNK`). Over every cell, not only the ends, the
// same rule lost two right valid zones of the raw set (a name's O and a
// nationality's C that the quick look read '<' surely and the careful cut
// read right). On a blurred line (edge spread kBlurredSpread or more)
// the other cells are compared too, and a valid reading with such a cell
// that no verifying check digit covers is not valid: the cell is listed
// uncertain, its letter kept. Blurred glyphs are read surely and wrongly
// at one cut or the other (two seeds averaged read SOFIA's O as '<' at
// the careful cut, '<' surely where the quick look read O: valid and wrong
// on deskewed td3-photo-s7-0006); a state code ICAO knows is not held back
// by a rival that would make it unknown. Averaging those cells instead lost
// a right zone (raw td2-photo-s7-0053: a name letter left uncertain stops
// the pass that reads its nationality). nullopt when no cell is in doubt.
std::optional<BandReading> withCutDoubts(const std::vector<Cells>& seen, BandReading again,
                                         const std::vector<const PreparedLine*>& lines, int chars, int topK,
                                         const ReadOptions& options) {
  constexpr double kSure = 0.8;      // each cut's best character at least this
  constexpr float kSameGlyph = 0.3f;  // cell centres closer than this many pitches
  bool doubted = false;
  std::vector<CutDoubt> inner;  // cells of blurred lines, not the ends
  for (std::size_t li = 0; li < again.cells.size() && li < seen.size(); ++li) {
    const Cells& a = seen[li];
    if (a.probs.rows != chars) continue;
    Cells& b = again.cells[li];
    const bool blurred = lines[li]->spread >= kBlurredSpread;
    for (int i = 0; i < chars; ++i) {
      const bool end = i == 0 || i == chars - 1;
      if (!end && !blurred) continue;
      const auto centre = [&](const Cells& c) {
        const float s = c.shift.empty() ? 0.0f : c.shift[static_cast<std::size_t>(i)];
        return cellAt(i, chars, c.pitch, c.offset, c.persp).centre + s;
      };
      if (std::abs(centre(a) - centre(b)) > kSameGlyph * b.pitch) continue;
      if (bestCharProb(a.probs, i) < kSure || bestCharProb(b.probs, i) < kSure) continue;
      const float* ra = a.probs.ptr<float>(i);
      float* rb = b.probs.ptr<float>(i);
      const auto ia = std::max_element(ra, ra + ocrb::kClasses) - ra, ib = std::max_element(rb, rb + ocrb::kClasses) - rb;
      if (ia == ib) continue;
      if (debugDir()) trace("cut doubt: line %zu cell %d spread %.2f\n", li + 1, i + 1, lines[li]->spread);
      if (!end) {
        inner.push_back({static_cast<int>(li), i, ocrb::kAlphabet[static_cast<std::size_t>(ia)],
                         ocrb::kAlphabet[static_cast<std::size_t>(ib)]});
        continue;
      }
      for (int k = 0; k < ocrb::kOutputs; ++k) rb[k] = 0.5f * (ra[k] + rb[k]);
      doubted = true;
    }
  }
  if (!doubted && inner.empty()) return std::nullopt;
  auto out = doubted ? bandFromCells(lines, again.cells, chars, topK, options) : std::optional<BandReading>(std::move(again));
  if (!out || !out->result.valid || inner.empty()) return out;
  if (vetoCutDoubts(out->result, inner)) out->vetoed = true;
  return out;
}

// The classifier's certainty decides; check digits that verify only tip the
// balance, as correction can make almost anything verify.
double merit(const BandReading& b) {
  return b.score + (b.result.valid ? 0.5 : 0) - 0.02 * static_cast<double>(b.result.corrections.size());
}
// A valid reading of at least this merit (mean log probability above about
// -0.1) is not beaten by any other reading of the band.
constexpr double kSureMerit = 0.4;

// `best` becomes this reading of band `bi`.
void takeReading(Attempt& best, BandReading& band, double total, std::size_t bi, int chars, bool flipped) {
  const auto& readings = band.lines;
  best.score = total;
  best.read_score = band.score;
  best.band = bi;
  best.chars = chars;
  best.flipped = flipped;
  best.cells = std::move(band.cells);
  best.result = std::move(band.result);
  best.vetoed = band.vetoed;
  best.spreads = std::move(band.spreads);
  best.lights = std::move(band.lights);
  best.glance.clear();
  best.candidates.clear();
  for (const auto& r : readings) best.candidates.push_back(r.candidates);
  best.quad = {readings.front().quad[0], readings.front().quad[1], readings.back().quad[2], readings.back().quad[3]};
  const cv::Point2f d = best.quad[1] - best.quad[0];
  best.angle = std::fmod(std::atan2(-d.y, d.x) * 180.0 / kPi + 360.0, 360.0);
}

// The best character of each cell of each line.
std::vector<std::string> glanceOf(const std::vector<Cells>& lines) {
  std::vector<std::string> out;
  for (const Cells& c : lines) {
    std::string text;
    for (int i = 0; i < c.probs.rows; ++i) text.push_back(bestChar(c.probs.ptr<float>(i)));
    out.push_back(std::move(text));
  }
  return out;
}

// The band's lines prepared for reading, in reading order (turned by 180
// degrees when `flipped`); empty when a line cannot be prepared.
std::vector<PreparedLine> prepareBand(const cv::Mat& gray, const Band& band, bool flipped) {
  std::vector<PreparedLine> out;
  for (const auto& l : band.lines) {
    auto p = prepareLine(gray, l);
    if (!p) return {};
    out.push_back(flipped ? turned(*p) : std::move(*p));
  }
  if (flipped) std::reverse(out.begin(), out.end());
  return out;
}

// Bands whose best quick look scores `min_quick` or less are not read
// carefully (see the mirrored try in read()).
Attempt readBands(const cv::Mat& gray, const ReadOptions& options, const std::vector<Band>& bands,
                  double min_quick = -std::numeric_limits<double>::infinity()) {
  const auto& clf = ocrb::Classifier::shared();
  const int topK = std::clamp(options.top_k, 1, ocrb::kClasses);
  Attempt best;
  for (std::size_t bi = 0; bi < bands.size(); ++bi) {
    const Band& band = bands[bi];
    std::vector<PreparedLine> up, down;
    for (const auto& l : band.lines) {
      auto p = prepareLine(gray, l);
      if (!p) break;
      down.push_back(turned(*p));
      up.push_back(std::move(*p));
    }
    if (up.size() != band.lines.size()) continue;
    std::reverse(down.begin(), down.end());
    // Quick look at every orientation and length, then a careful read of the best two.
    std::vector<Hypothesis> hyps;
    for (int chars : lengthsFor(up.size(), options.parse.format, options.chars))
      for (bool flipped : {false, true}) {
        Hypothesis h{{}, chars, 0, flipped, {}};
        for (const auto& p : flipped ? down : up) {
          h.lines.push_back(&p);
          h.quick.push_back(readCells(clf, p, chars, false));
          h.score += h.quick.back().score;
        }
        h.score /= static_cast<double>(h.lines.size());
        hyps.push_back(h);
      }
    std::sort(hyps.begin(), hyps.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    hyps.resize(std::min<std::size_t>(hyps.size(), 2));
    if (!hyps.empty()) best.quick = std::max(best.quick, hyps.front().score);
    if (hyps.empty() || hyps.front().score <= min_quick) continue;
    auto take = [&](BandReading& band, double total, const Hypothesis& h, bool careful) {
      takeReading(best, band, total, bi, h.chars, h.flipped);
      if (careful) best.glance = glanceOf(h.quick);
    };
    // Coarse to fine: the best hypothesis as the quick look read it. A
    // confident zone whose check digits verify and which the trust rules
    // accept is what the careful read would give too (most flat cards).
    if (!hyps.empty() && !hyps.front().quick.empty()) {
      const auto& h = hyps.front();
      auto quick = bandFromCells(h.lines, h.quick, h.chars, topK, options);
      if (quick && quick->result.valid && merit(*quick) > kSureMerit) {
        if (debugDir()) trace("quick look verifies: chars=%d flipped=%d\n", h.chars, h.flipped);
        take(*quick, merit(*quick), h, false);
        break;
      }
    }
    for (const auto& h : hyps) {
      // A confident reading that verifies without corrections is not
      // going to be beaten by the runner-up of the quick look.
      if (best.result && best.result->valid && best.result->corrections.empty() && best.score > kSureMerit) break;
      auto band = readBand(clf, h.lines, h.chars, topK, options);
      if (!band) continue;
      if (auto doubted = withCutDoubts(h.quick, *band, h.lines, h.chars, topK, options)) band = std::move(doubted);
      // A reading a cut doubt holds back verified: its ends are no matter.
      if (!band->result.valid && !band->vetoed && band->lines.size() > 1) {
        std::vector<PreparedLine> ext;
        for (const auto* p : h.lines) ext.push_back(withBandEnds(*p, band->lines, h.chars));
        std::vector<const PreparedLine*> extLines;
        for (const auto& p : ext) extLines.push_back(&p);
        if (auto again = readBand(clf, extLines, h.chars, topK, options); again && merit(*again) > merit(*band)) {
          if (auto doubted = withCutDoubts(band->cells, *again, extLines, h.chars, topK, options)) again = std::move(doubted);
          band = std::move(again);
        }
      }
      const double total = merit(*band);
      if (debugDir())
        trace("hyp chars=%d flipped=%d score=%.3f valid=%d corr=%zu %s\n", h.chars, h.flipped, band->score,
              band->result.valid, band->result.corrections.size(), band->lines.back().text.c_str());
      if (total > best.score) take(*band, total, h, true);
    }
    if (best.result && best.result->valid) break;
  }
  return best;
}

// Whether two readings of one band differ only where a check digit that
// verifies in `b` covers them: a position no check digit covers that the
// two passes read differently (a '<' at a line's end read 'S' once) is
// left as the first pass read it.
bool agreesOutsideChecks(const Result& a, const Result& b) {
  if (a.format != b.format || a.lines.size() != b.lines.size()) return true;
  const auto plans = detail::checkPlans(b.format, b.lines);
  auto covered = [&](int line, int col) { return checkCovers(b, plans, line, col); };
  // A state code the first pass read as no known code may read as a known
  // one in `b` (a blurred O read Q: "UTQ"); the list of codes is the witness.
  auto stateFixed = [&](int line, int col) {
    for (const detail::Pos s : detail::statePositions(b.format)) {
      if (s.line != line || col < s.col || col >= s.col + 3) continue;
      const auto code = [&](const Result& r) {
        return std::string_view(r.lines[static_cast<std::size_t>(line)]).substr(static_cast<std::size_t>(s.col), 3);
      };
      return !detail::knownState(code(a)) && detail::knownState(code(b));
    }
    return false;
  };
  for (std::size_t li = 0; li < a.lines.size(); ++li) {
    if (a.lines[li].size() != b.lines[li].size()) return true;
    for (std::size_t c = 0; c < a.lines[li].size(); ++c)
      if (a.lines[li][c] != b.lines[li][c] && !covered(static_cast<int>(li), static_cast<int>(c)) &&
          !stateFixed(static_cast<int>(li), static_cast<int>(c)))
        return false;
  }
  return true;
}

Attempt readBands(const cv::Mat& gray, const ReadOptions& options) {
  return readBands(gray, options, findBands(gray, options.max_bands));
}

// Where a line may have been cut a cell or two off: the whole line moved by
// one or two pitches (its first glyphs under a thumb, a border or a mark
// beside it taken for an end), or one end held and the other a cell nearer
// or farther (a pitch off by a cell's worth over the line).
// A line read as `chars` cells may also be one of the other length
// (`length`, 36 against 44): its left or its right end held, at the same
// pitch, and one or two cells either side.
std::vector<Cells> shiftedPlacements(const Cells& c, int chars, int length) {
  std::vector<Cells> out;
  auto add = [&](float pitch, float offset) {
    Cells v;
    v.pitch = pitch, v.offset = offset, v.persp = c.persp;
    out.push_back(std::move(v));
  };
  if (length != chars) {
    for (float end : {0.0f, static_cast<float>(chars - length)})
      for (int k : {-2, -1, 0, 1, 2}) add(c.pitch, c.offset + (end + static_cast<float>(k)) * c.pitch);
    return out;
  }
  for (int k : {-2, -1, 1, 2}) add(c.pitch, c.offset + static_cast<float>(k) * c.pitch);
  for (int d : {-1, 1}) {
    const float pitch = c.pitch * static_cast<float>(chars) / static_cast<float>(chars + d);
    add(pitch, c.offset);
    add(pitch, c.offset + static_cast<float>(chars) * (c.pitch - pitch));
  }
  return out;
}

// Combinations of shifted lines read and corrected, at most.
constexpr std::size_t kShiftedTries = 24;
// A shifted reading's cells outside the verifying check digits are read at
// least this surely.
constexpr float kShiftedSure = 0.5f;

// A zone that fails its check digits may have been cut a cell or two off
// (shiftedPlacements): every line of the first reading's band is read again
// at those placements, and the combinations whose lines start together are
// corrected, best read first. Only a reading that verifies is returned: the
// check digits, not the classifier, tell the right cut (the wrong one often
// reads with more confidence: a thumb's edge or a border read as glyphs).
std::optional<Attempt> readShifted(const cv::Mat& gray, const ReadOptions& options, const Band& band,
                                   const Attempt& first, int chars) {
  const auto lines = prepareBand(gray, band, first.flipped);
  if (lines.empty() || lines.size() != first.cells.size() || first.chars <= 0) return std::nullopt;
  const auto& clf = ocrb::Classifier::shared();
  // Per line: its first placement (at the first reading's length), then the
  // shifted ones, read.
  std::vector<std::vector<Cells>> placements;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    std::vector<Cells> v;
    if (chars == first.chars) v.push_back(first.cells[li]);
    for (Cells& c : shiftedPlacements(first.cells[li], first.chars, chars)) {
      // A cut covers the line from end to end: its first and last cells
      // hold ink, the cells beyond them none (else blank paper or a mark
      // beside the line reads as optional data no check digit covers).
      const CutInk ink = cutInk(lines[li], chars, c.pitch, c.offset, c.persp);
      if (ink.blank(0) || ink.blank(chars - 1) || ink.inked(-1) || ink.inked(chars)) continue;
      c.score = evaluate(clf, lines[li], chars, c.pitch, c.offset, c.persp, nullptr, &c.probs);
      refineOffsets(clf, lines[li], chars, c);
      v.push_back(std::move(c));
    }
    if (v.empty()) return std::nullopt;
    placements.push_back(std::move(v));
  }
  // Combinations whose lines start within half a pitch of each other (the
  // lines of a band start at the same place on the document).
  auto startOf = [&](std::size_t li, const Cells& c) {
    return apply(lines[li].toImage, {c.offset, 0.5f * (ocrb::kStripTop + ocrb::kStripBaseline)});
  };
  struct Combo {
    std::vector<std::size_t> pick;
    double score;
  };
  std::vector<Combo> combos;
  std::vector<std::size_t> pick(lines.size(), 0);
  const cv::Point2f d = first.quad[1] - first.quad[0];
  const float pitchImg = std::hypot(d.x, d.y) / static_cast<float>(chars);
  for (;;) {
    bool original = true, aligned = true;
    double score = 0;
    for (std::size_t li = 0; li < lines.size(); ++li) {
      original = original && pick[li] == 0 && chars == first.chars;
      const Cells& c = placements[li][pick[li]];
      score += c.score;
      const cv::Point2f off = startOf(li, c) - startOf(0, placements[0][pick[0]]);
      aligned = aligned && std::abs(off.dot(d)) / std::max(1e-3f, std::hypot(d.x, d.y)) < 0.5f * pitchImg;
    }
    if (!original && aligned) combos.push_back({pick, score});
    std::size_t li = 0;
    while (li < pick.size() && ++pick[li] == placements[li].size()) pick[li++] = 0;
    if (li == pick.size()) break;
  }
  std::sort(combos.begin(), combos.end(), [](const Combo& a, const Combo& b) { return a.score > b.score; });
  if (combos.size() > kShiftedTries) combos.resize(kShiftedTries);
  std::vector<const PreparedLine*> ptrs;
  for (const auto& p : lines) ptrs.push_back(&p);
  const int topK = std::clamp(options.top_k, 1, ocrb::kClasses);
  std::optional<Attempt> out;
  for (const Combo& combo : combos) {
    std::vector<Cells> cells;
    for (std::size_t li = 0; li < lines.size(); ++li) cells.push_back(placements[li][combo.pick[li]]);
    auto reading = bandFromCells(ptrs, cells, chars, topK, options);
    if (debugDir() && reading) {
      trace("shifted try %.3f:", combo.score);
      for (const auto& l : reading->result.lines) trace(" %s", l.c_str());
      for (const auto& c : reading->result.checks) if (!c.second) trace(" !%s", c.first.c_str());
      trace("\n");
    }
    if (!reading || !reading->result.valid) continue;
    // The check digits are the witness of a new cut: a line moved alone
    // must hold one (a name line that only the lines' alignment placed
    // could come with an unchecked misread the new cut makes valid).
    const auto plans = detail::checkPlans(reading->result.format, reading->result.lines);
    bool witnessed = false;
    for (std::size_t li = 0; li < lines.size(); ++li) {
      const bool moved = chars != first.chars || combo.pick[li] != 0;
      witnessed = witnessed || (moved && std::any_of(plans.begin(), plans.end(), [&](const auto& plan) {
                                  return plan.digit.line == static_cast<int>(li);
                                }));
    }
    // Every cell no check digit covers was read with some confidence: a new
    // cut can read blank paper or a shadow beyond a line's fillers as a
    // character the classifier barely believes (an MRV's optional data
    // ending "O0" at 0.2).
    bool sure = true;
    for (std::size_t li = 0; li < reading->lines.size() && sure; ++li) {
      const auto& lc = reading->lines[li].candidates;
      for (std::size_t c = 0; c < lc.size() && sure; ++c)
        sure = lc[c].empty() || lc[c].front().score >= kShiftedSure ||
               checkCovers(reading->result, plans, static_cast<int>(li), static_cast<int>(c));
    }
    // A line cut to the other length must verify a composite check digit
    // (TD2, TD3, the French ID): an MRV-A line cut to 36 cells is a valid
    // MRV-B, as its last cells are fillers no check digit covers.
    const bool composite = chars == first.chars || reading->result.check("composite");
    if (debugDir()) {
      trace("shifted guards witnessed=%d sure=%d composite=%d:", witnessed, sure, composite);
      for (const auto& l : reading->result.lines) trace(" %s", l.c_str());
      trace("\n");
    }
    // What each guard blocks (IDKIT_MRZ_DEBUG prints every verifying shifted
    // reading with the three): on all 349 zones of bench/mrz.sh's render
    // that are not valid (13 real specimens, 242 raw id-synth photos, 94
    // after id-deskew), 4 shifted readings verified, all wrong, none right:
    // `witnessed` blocks 1 (raw mrva-s7-0083, the sex read '<'), `sure` 2
    // (raw mrva-s7-0001, fillers read "O0"; raw mrva-s7-0056, an MRV-A cut
    // to 36), `composite` 2 (that one again, and deskewed mrva-s7-0025, an
    // MRV-A cut to 36). No right reading is blocked; each guard blocks no
    // more than the one or two wrong readings of its kind.
    if (!witnessed || !sure || !composite) continue;
    if (debugDir()) {
      trace("shifted reading verifies:");
      for (auto k : combo.pick) trace(" %zu", k);
      trace(" %s\n", reading->lines.back().text.c_str());
    }
    if (out && merit(*reading) <= out->score) continue;
    Attempt a = first;
    takeReading(a, *reading, merit(*reading), first.band, chars, first.flipped);
    out = std::move(a);
  }
  return out;
}

// readBands with one of this thread's strip flags (tUnevenInk, tLocalInk, tSharpen) set,
// on bands the first pass found (finding them does not depend on the flags).
Attempt readAgain(bool& flag, const cv::Mat& gray, const ReadOptions& options, const std::vector<Band>& bands) {
  struct Scope {
    bool& f;
    explicit Scope(bool& x) : f(x) { f = true; }
    ~Scope() { f = false; }
  } scope(flag);
  return readBands(gray, options, bands);
}

// Whether an invalid reading shows anything of an MRZ's structure: a run of
// three fillers (every layout pads its names or a field with them; only a
// French ID with long names may have none) or a state code ICAO knows. Print
// that is no MRZ (a driving licence's text block, read as a TD1 or TD2 of
// letters) has neither, and neither has a reading of an MRZ so poor that
// nothing of it can be used; both are "mrz_not_found", not a zone to review.
// Whether the zone's check named `check` is there and fails ("legible":
// the check digits do not vouch for every field they cover; "known_state":
// a state code is none ICAO knows).
bool fails(const Result& r, std::string_view check) {
  return std::any_of(r.checks.begin(), r.checks.end(), [&](const auto& c) { return c.first == check && !c.second; });
}

bool looksLikeMrz(const Result& r) {
  if (r.valid) return true;
  const bool fillerRun = std::any_of(r.lines.begin(), r.lines.end(),
                                     [](const std::string& l) { return l.find("<<<") != std::string::npos; });
  return fillerRun || !fails(r, "known_state");
}

// Name letters the first reading was unsure of, seen again by the other
// passes (`others`: the same band read with levels along the line and
// sharpened, at the same cut): each such cell's candidates become the mean
// of the passes' probabilities, and the zone is corrected again. Every
// other cell keeps the first reading's candidates. The letters stay listed
// as uncertain and the zone not legible whatever the vote: the passes look
// at one glyph, so their agreement is no second witness (UNITED read UMITED
// by all of them); the vote only picks the letter shown.
std::vector<cv::Mat> synthesisOf(const std::vector<PreparedLine>& lines, const Attempt& first, const std::vector<bool>& only = {});

std::optional<Result> voteUncertain(const Attempt& first, const std::vector<Attempt>& others, const std::vector<cv::Mat>& synth,
                                    const ReadOptions& options) {
  const Result& r = *first.result;
  std::vector<LineCandidates> cands = first.candidates;
  auto cellOf = [](auto& c, const Correction& u) -> decltype(&c[0][0]) {
    const auto li = static_cast<std::size_t>(u.line - 1), ci = static_cast<std::size_t>(u.pos - 1);
    return li < c.size() && ci < c[li].size() ? &c[li][ci] : nullptr;
  };
  for (const Correction& u : r.uncertain) {
    PositionCandidates* cell = cellOf(cands, u);
    if (!cell) return std::nullopt;
    std::map<char, double> sum;
    for (const Candidate& c : *cell) sum[c.ch] += c.score;
    for (const Attempt& o : others) {
      if (const PositionCandidates* ocell = cellOf(o.candidates, u))
        for (const Candidate& c : *ocell) sum[c.ch] += c.score;
    }
    PositionCandidates voted;
    for (const auto& [ch, p] : sum) voted.push_back({ch, static_cast<float>(p / static_cast<double>(1 + others.size()))});
    // The synthesis of a blurred line is a reader that looks at the cell's
    // neighbours too: its probabilities multiply the vote's.
    const auto li = static_cast<std::size_t>(u.line - 1);
    if (li < synth.size() && !synth[li].empty() && u.pos >= 1 && u.pos <= synth[li].rows) {
      const float* sp = synth[li].ptr<float>(u.pos - 1);
      double total = 0;
      for (Candidate& c : voted) {
        const int k = ocrb::classIndex(c.ch);
        c.score = k < 0 ? 0.0f : c.score * std::max(sp[k], 1e-4f);
        total += c.score;
      }
      if (total > 0)
        for (Candidate& c : voted) c.score = static_cast<float>(c.score / total);
    }
    std::sort(voted.begin(), voted.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    if (voted.size() > cell->size()) voted.resize(cell->size());
    *cell = std::move(voted);
  }
  auto res = correct(cands, options.parse);
  if (!res || res->format != r.format || res->lines.size() != r.lines.size()) return std::nullopt;
  for (const Correction& u : r.uncertain) {
    const bool listed = std::any_of(res->uncertain.begin(), res->uncertain.end(),
                                    [&](const Correction& v) { return v.line == u.line && v.pos == u.pos; });
    if (listed) continue;
    const char now = res->lines[static_cast<std::size_t>(u.line - 1)][static_cast<std::size_t>(u.pos - 1)];
    res->uncertain.push_back({u.line, u.pos, now, now == u.from ? u.to : u.from, "uncertain"});
  }
  detail::sortByPosition(res->uncertain);
  const auto has = [](const Result& x, const char* name) {
    return std::any_of(x.checks.begin(), x.checks.end(), [&](const auto& c) { return c.first == name; });
  };
  for (const char* name : {"legible", "lines_aligned"})
    if (has(r, name) && !has(*res, name)) res->checks.emplace_back(name, false);
  res->valid = false;
  return std::move(*res);
}

// Whether a check digit of the zone (or the lines' alignment) fails.
bool failsCheckDigit(const Result& r) {
  return std::any_of(r.checks.begin(), r.checks.end(), [](const auto& c) {
    return !c.second && !detail::contentRule(c.first);
  });
}

// A zone that does not verify (a check digit fails, a cell is not legible,
// or a state code is none ICAO knows) with a blurred line (kBlurredSpread)
// read again by synthesis (mrz_synth.hpp): each blurred line's cells get the
// synthesis's probabilities times the classifier's, and correct() chooses
// among them again. The reading is taken only when it verifies and agrees
// with the first reading wherever no check digit covers (a name letter the
// synthesis read differently has no witness but itself), so that it can
// fix digits and codes but never make a zone valid with a wrong name.
// Only zones without uncertain name letters are read so: on one with them
// (mrvb-s7-0078, ISLCOTE read ISL<OTE by both readers), the synthesis's V
// for the classifier's 9 changed the format to MRV-B, which has no
// composite, and the zone became valid with the C lost. A state code read
// as no known code is chosen among the known ones (chooseStates).

// The synthesis's own probabilities (cells x ocrb::kClasses) of each
// blurred line of the first reading (empty for a sharp line or one the
// synthesis could not fit), drawn at the first reading's cells. With
// `only`, just the lines it marks are drawn (a line's synthesis costs most
// of the time of a zone it runs on).
std::vector<cv::Mat> synthesisOf(const std::vector<PreparedLine>& lines, const Attempt& first, const std::vector<bool>& only) {
  std::vector<cv::Mat> out(lines.size());
  if (lines.size() != first.cells.size() || lines.size() != first.spreads.size()) return out;
  const int chars = first.chars;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const Cells& c = first.cells[li];
    if (first.spreads[li] < kBlurredSpread || c.probs.rows != chars || (li < only.size() && !only[li])) continue;
    std::vector<float> centres, widths;
    std::string text;
    for (int i = 0; i < chars; ++i) {
      const CellGeom g = cellAt(i, chars, c.pitch, c.offset, c.persp);
      centres.push_back(g.centre + (c.shift.empty() ? 0.0f : c.shift[static_cast<std::size_t>(i)]));
      widths.push_back(g.width);
      const float* row = c.probs.ptr<float>(i);
      text.push_back(bestChar(row));
    }
    // The strip's own grey levels, not its ink image: that one is clipped
    // at its darkest percent, and a blurred glyph's dense core (an 8's
    // waist, a B's spine) clipped looks like a glyph with less ink.
    cv::Mat linear;
    lines[li].strip.convertTo(linear, CV_32F, -1.0 / 255.0, 1.0);
    const auto synth = detail::synthCells(linear, centres, widths, text);
    if (!synth) continue;
    out[li] = synth->probs;
    if (debugDir()) trace("synthesis line %zu: blur %.2f x %.2f, explains %.2f\n", li + 1, synth->sigma_x, synth->sigma_y, synth->explained);
  }
  return out;
}

// A state code the first reading read as no code ICAO knows, on a line the
// synthesis drew: each known code is scored by the product of the two
// readers' probabilities at its three cells (the classifier's times the
// synthesis's, `probs`), and the best code is taken when it beats the next
// known code by kStateSynthMargin (log) and the synthesis alone finds it
// nearly as good as its own best known code (kSynthRival of its product):
// its cells then carry it alone, so that correct() reads it as the sure
// code. A letter misread under blur (UTO read TTT, GBR read QBR) survives
// every check digit, and the list alone cannot tell which known code it
// was; the synthesis's best symbol of a cell may be no letter of a known
// code (GBR's B drawn as N beside a Q), so the codes, not the cells, are
// compared. At least one of the code's letters must be the first
// reading's. The reading is still taken only when every check verifies
// (readBySynthesis). The first cells of the codes chosen.
constexpr double kStateSynthMargin = 4.0;
// A symbol the synthesis scores at least this share of its best symbol's
// probability (of a state code: its best known code's) is a rival it does
// not rule out.
constexpr float kSynthRival = 0.2f;

std::vector<detail::Pos> chooseStates(std::vector<Cells>& cells, const std::vector<cv::Mat>& synthProbs, const Result& first) {
  std::vector<detail::Pos> chosen;
  for (const detail::Pos sp : detail::statePositions(first.format)) {
    const auto li = static_cast<std::size_t>(sp.line);
    if (li >= cells.size() || li >= synthProbs.size() || synthProbs[li].empty() || li >= first.lines.size() ||
        cells[li].probs.rows < sp.col + 3 || synthProbs[li].rows < sp.col + 3 ||
        static_cast<int>(first.lines[li].size()) < sp.col + 3)
      continue;
    if (detail::knownState(std::string_view(first.lines[li]).substr(static_cast<std::size_t>(sp.col), 3))) continue;
    constexpr double inf = std::numeric_limits<double>::infinity();
    double best = -inf, second = -inf, synthBest = -inf, synthOfPick = -inf;
    std::string pick;
    for (const std::string_view known : detail::knownStates()) {
      std::string code(known);
      code.resize(3, '<');
      double score = 0, alone = 0;
      for (int k = 0; k < 3; ++k) {
        const int cls = ocrb::classIndex(code[static_cast<std::size_t>(k)]);
        if (cls < 0) score = alone = -inf;
        else {
          score += std::log(std::max(cells[li].probs.at<float>(sp.col + k, cls), 1e-6f));
          alone += std::log(std::max(synthProbs[li].at<float>(sp.col + k, cls), 1e-6f));
        }
      }
      synthBest = std::max(synthBest, alone);
      if (score > best) second = best, best = score, pick = code, synthOfPick = alone;
      else if (score > second) second = score;
    }
    if (debugDir())
      trace("state at line %d col %d: %s %.2f, next known %.2f; the synthesis alone %.2f, its best known %.2f\n", sp.line + 1,
            sp.col + 1, pick.c_str(), best, second, synthOfPick, synthBest);
    if (pick.empty() || best - second < kStateSynthMargin || synthOfPick < synthBest + std::log(kSynthRival)) continue;
    // A code none of whose letters the classifier read is another reading,
    // not a misread letter (a garbled visa's CUU scored UNO for UTO).
    int same = 0;
    for (int k = 0; k < 3; ++k) same += pick[static_cast<std::size_t>(k)] == first.lines[li][static_cast<std::size_t>(sp.col + k)];
    if (same == 0) continue;
    for (int k = 0; k < 3; ++k) {
      float* row = cells[li].probs.ptr<float>(sp.col + k);
      const int cls = ocrb::classIndex(pick[static_cast<std::size_t>(k)]);
      for (int j = 0; j < ocrb::kClasses; ++j) row[j] = j == cls ? 1.0f - 1e-3f : 1e-3f / static_cast<float>(ocrb::kClasses - 1);
    }
    chosen.push_back(sp);
  }
  return chosen;
}

std::optional<Attempt> readBySynthesis(const cv::Mat& gray, const ReadOptions& options, const Band& band, const Attempt& first) {
  const std::vector<PreparedLine> lines = prepareBand(gray, band, first.flipped);
  if (lines.empty() || lines.size() != first.cells.size() || lines.size() != first.spreads.size()) return std::nullopt;
  const int chars = first.chars;
  std::vector<Cells> cells = first.cells;
  const std::vector<cv::Mat> synthProbs = synthesisOf(lines, first);  // the synthesis's own, per line read
  bool changed = false;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    Cells& c = cells[li];
    if (synthProbs[li].empty()) continue;
    c.probs = c.probs.clone();
    for (int i = 0; i < chars; ++i) {
      float* row = c.probs.ptr<float>(i);
      const float* s = synthProbs[li].ptr<float>(i);
      double sum = 0;
      for (int k = 0; k < ocrb::kClasses; ++k) sum += row[k] = std::max(row[k], 1e-4f) * std::max(s[k], 1e-4f);
      for (int k = 0; k < ocrb::kClasses; ++k) row[k] = static_cast<float>(row[k] / sum);
    }
    if (debugDir()) {
      std::string text, st, ct;
      for (int i = 0; i < chars; ++i) {
        const float* r0 = first.cells[li].probs.ptr<float>(i);
        const float* s = synthProbs[li].ptr<float>(i);
        const float* row = c.probs.ptr<float>(i);
        text.push_back(bestChar(r0));
        st.push_back(bestChar(s));
        ct.push_back(bestChar(row));
      }
      trace("  read %s\n  synth %s\n  both %s\n", text.c_str(), st.c_str(), ct.c_str());
    }
    changed = true;
  }
  if (!changed) return std::nullopt;
  const std::vector<detail::Pos> statesChosen = chooseStates(cells, synthProbs, *first.result);
  std::vector<const PreparedLine*> ptrs;
  for (const auto& p : lines) ptrs.push_back(&p);
  auto reading = bandFromCells(ptrs, cells, chars, std::clamp(options.top_k, 1, ocrb::kClasses), options);
  if (!reading || !reading->result.valid || !agreesOutsideChecks(*first.result, reading->result)) return std::nullopt;
  // Nor where the synthesis alone reads otherwise: the product of the two
  // readers can take a cell neither reads best, and the check digits that
  // verify are no witness for a cell they do not cover. The synthesis's
  // own reading is each cell's best symbol of those its position allows
  // (a digit field's S is its 5 to correct() too).
  Result seen = reading->result;
  const auto kinds = detail::positionKinds(seen.format);
  for (std::size_t li = 0; li < synthProbs.size() && li < seen.lines.size() && li < kinds.size(); ++li) {
    std::string& text = seen.lines[li];
    if (synthProbs[li].empty() || text.size() != static_cast<std::size_t>(chars) || kinds[li].size() != text.size()) continue;
    for (int i = 0; i < chars; ++i) {
      const float* sp = synthProbs[li].ptr<float>(i);
      int arg = -1;
      for (int k = 0; k < ocrb::kClasses; ++k)
        if (detail::allowed(kinds[li][static_cast<std::size_t>(i)], ocrb::kAlphabet[static_cast<std::size_t>(k)]) && (arg < 0 || sp[k] > sp[arg])) arg = k;
      if (arg >= 0) text[static_cast<std::size_t>(i)] = ocrb::kAlphabet[static_cast<std::size_t>(arg)];
    }
  }
  // A cell no check digit covers (the composite aside) may differ from the
  // synthesis's best symbol only where the synthesis finds the symbol taken
  // nearly as good (a blurred 5 and S of a French ID's office code, which
  // only the composite covers).
  const auto plans = detail::checkPlans(reading->result.format, reading->result.lines);
  bool disagrees = false;
  for (std::size_t li = 0; li < synthProbs.size() && li < seen.lines.size(); ++li) {
    if (synthProbs[li].empty() || reading->result.lines[li].size() != seen.lines[li].size()) continue;
    for (std::size_t c = 0; c < seen.lines[li].size(); ++c) {
      const char took = reading->result.lines[li][c], saw = seen.lines[li][c];
      if (took == saw || checkCovers(reading->result, plans, static_cast<int>(li), static_cast<int>(c))) continue;
      // A chosen state code was weighed as a whole (chooseStates).
      const bool inChosen = std::any_of(statesChosen.begin(), statesChosen.end(), [&](const detail::Pos& sp) {
        return static_cast<std::size_t>(sp.line) == li && static_cast<int>(c) >= sp.col && static_cast<int>(c) < sp.col + 3;
      });
      if (inChosen) continue;
      const int kt = ocrb::classIndex(took), ks = ocrb::classIndex(saw);
      const float* sp = synthProbs[li].ptr<float>(static_cast<int>(c));
      // The composite is then the witness of a classic pair (5 and S).
      if (detail::classicPair(took, saw)) continue;
      if (kt < 0 || ks < 0 || sp[kt] < kSynthRival * sp[ks]) disagrees = true;
    }
  }
  if (disagrees) {
    if (debugDir()) {
      trace("synthesis verifies but disagrees where no check digit covers\n");
      for (std::size_t li = 0; li < seen.lines.size(); ++li) trace("  seen %s\n  took %s\n", seen.lines[li].c_str(), reading->result.lines[li].c_str());
    }
    return std::nullopt;
  }
  if (debugDir()) trace("read by synthesis\n");
  Attempt out = first;
  takeReading(out, *reading, first.score, first.band, chars, first.flipped);
  return out;
}

// Blur past what the classifier learned (defocus or a shaken hand of a
// tenth of the text height and more on a small photo: td2-photo-s31-0225's
// 11 px streak at 33 degrees is 0.8 of its text height) leaves a band the
// finder sees and the classifier reads as garbage ('<' read 6, most letters
// wrong). The blur is undone about that band and the zone searched and read
// again there: a streak found from the zeros it leaves in the spectrum of
// the band's surroundings (motionOf; on seed 7's 21 shaken photos read
// wrong, the whole photo's within 1.5 px and 7 degrees of id-synth's own
// kernel on 17). Defocus leaves no such zeros: where no streak is believed,
// a Gaussian whose width is measured from the first reading's strips
// (defocusOf) is undone instead (a fixed bank of widths against the band's
// pitch made one more zone of seed 7 valid for 15 % more CPU; the measured
// width, twelve). Zones not found at all read no better deblurred
// (bench/README.md, MRZ, session 24): they are not tried.
// A deconvolved glyph can be sure and wrong (a name letter, which no check
// digit covers), so a verified reading is read again deconvolved with more
// damping (kDeblurNoiseCheck): cells the two read differently are listed
// uncertain and the zone is not valid; a zone the second does not verify is
// not valid either.
using detail::kDeblurNoise;
using detail::kDeblurNoiseCheck;
using detail::kMotionBelieved;
using detail::kMotionLongest;
using detail::kMotionSearched;
constexpr double kDefocusLeast = 1.0;     // px; a Gaussian narrower is not undone
// A valid reading after a Gaussian undone is read again with one this much
// wider (the measured width reads the true one short: on seed 7's td3 photo
// 0 and fra-id photo 30 by 1.3-1.5x): a reading that holds at one width only
// is a guess (seed 63's td1-photo-0032: HOLMES read HOLMKS and valid at the
// measured width, not valid 10 % wider or narrower).
constexpr double kDefocusTwin = 1.1;

// Defocus leaves no streak: a Gaussian is measured instead from the first
// reading's strips. A blurred step's edge spread (edgeSpread: the mean width
// of its column-to-column steps) is 2 sqrt(pi) sigma, added in quadrature to
// the spread of a sharp rendering (1.7 strip px; a Gaussian of sigma 1 strip
// px measures 3.9 in the unit test), and the strip's pitch against the
// image's gives the image's sigma.
constexpr double kSharpSpread = 1.7;
constexpr double kSpreadPerSigma = 3.545;  // 2 sqrt(pi)

double defocusOf(const Attempt& first) {
  if (first.spreads.empty() || first.cells.empty() || first.chars <= 0) return 0;
  double spread = 0, stripPitch = 0;
  for (float s : first.spreads) spread += s;
  for (const Cells& c : first.cells) stripPitch += c.pitch;
  spread /= static_cast<double>(first.spreads.size());
  stripPitch /= static_cast<double>(first.cells.size());
  const cv::Point2f d = first.quad[1] - first.quad[0];
  const double pitch = std::hypot(d.x, d.y) / first.chars;
  if (debugDir()) trace("defocus: spread %.2f, pitch %.2f px (strip %.2f)\n", spread, pitch, stripPitch);
  if (stripPitch <= 0 || spread <= kSharpSpread) return 0;
  return std::sqrt(spread * spread - kSharpSpread * kSharpSpread) / kSpreadPerSigma * pitch / stripPitch;
}

std::optional<Attempt> readDeblurred(const cv::Mat& gray, const ReadOptions& options, const Band& band, double defocus) {
  if (band.lines.empty()) return std::nullopt;
  // The band's box, and about it a patch for the spectrum (the blur is the
  // same over a small photo; the whole image's tiles cost most of the time
  // on large ones) and a smaller one to deconvolve and read.
  std::vector<cv::Point2f> ends;
  float size = 0;  // the text's pitch or height, whichever is larger
  for (const LineBox& l : band.lines) ends.push_back(l.start), ends.push_back(l.end), size = std::max({size, l.pitch, l.height});
  const cv::Rect whole(0, 0, gray.cols, gray.rows), box = cv::boundingRect(ends);
  const cv::Point centre = (box.tl() + box.br()) / 2;
  const int side = std::max({512, 2 * box.width, 2 * box.height});
  const cv::Rect around = cv::Rect(centre.x - side / 2, centre.y - side / 2, side, side) & whole;
  const int margin = static_cast<int>(std::ceil(3 * size)) + static_cast<int>(kMotionSearched);
  const cv::Rect patch = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) & whole;
  if (patch.empty() || around.empty()) return std::nullopt;
  // At most ~48 tiles of the spectrum (a large photo's patch), two across.
  auto streak = idkit::detail::motionOf(gray(around), {kMotionSearched, kMotionBelieved, 48, true});
  if (streak && streak->length > kMotionLongest) streak.reset();
  if (!streak && defocus < kDefocusLeast) return std::nullopt;
  // The patch's reading, its quad in the image's coordinates.
  auto readPatch = [&](double noise, double sigma) {
    Attempt a = readBands(streak ? idkit::detail::deblurMotion(gray(patch), *streak, noise)
                                 : idkit::detail::deblurGaussian(gray(patch), sigma, noise),
                          options);
    for (auto& pt : a.quad) pt += cv::Point2f(static_cast<float>(patch.x), static_cast<float>(patch.y));
    return a;
  };
  Attempt best = readPatch(kDeblurNoise, defocus);
  if (debugDir()) {
    if (streak)
      trace("deblurred by a streak of %.2f px at %.0f degrees (score %.2f): ", streak->length, streak->angle, streak->score);
    else
      trace("deblurred by a Gaussian of %.2f px: ", defocus);
    trace("%s %.3f\n", best.result ? (best.result->valid ? "valid" : "read") : "nothing", best.read_score);
  }
  if (!best.result) return std::nullopt;
  // The twins: more damped; for a Gaussian, whose width is an estimate,
  // also a wider one undone (kDefocusTwin).
  std::vector<std::pair<double, double>> twins{{kDeblurNoiseCheck, defocus}};
  if (!streak) twins.emplace_back(kDeblurNoise, kDefocusTwin * defocus);
  bool same = true;
  for (std::size_t t = 0; t < twins.size() && same && best.result->valid; ++t) {
    const Attempt again = readPatch(twins[t].first, twins[t].second);
    Result& r = *best.result;
    same = again.result && again.result->valid && detail::listTwinDifferences(r, *again.result) && r.uncertain.empty();
  }
  if (best.result->valid) {
    Result& r = *best.result;
    if (!same) {
      if (debugDir()) trace("deblurred reading not confirmed by its twins\n");
      detail::sortByPosition(r.uncertain);
      r.checks.emplace_back("legible", false);
      r.valid = false;
    }
  }
  return best;
}

// A mirrored zone's glyphs read as nothing the classifier knows, so the
// flipped image's quick look must beat the first pass's by this much (mean
// log probability) before the flipped bands are read carefully: a reading
// of print that is no MRZ looks no better mirrored.
constexpr double kMirrorGain = 0.2;

}  // namespace

Expected<ImageReading> read(const cv::Mat& image, const ReadOptions& options) {
  if (image.empty()) return std::unexpected(Error{"mrz_not_found", "empty image"});
  cv::Mat gray;
  if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  else if (image.channels() == 4) cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  else gray = image;
  if (gray.depth() != CV_8U) gray.convertTo(gray, CV_8U);
  // Large photos are read at 2000 px: the strips are resampled without
  // prefiltering, and MRZ text is still 15+ px high at that size.
  double scale = 1.0;
  if (const int side = std::max(gray.cols, gray.rows); side > kReadSide) {
    scale = side / static_cast<double>(kReadSide);
    cv::Mat small;
    cv::resize(gray, small, {}, 1 / scale, 1 / scale, cv::INTER_AREA);
    gray = small;
  }
  tEvaluations = 0;
  BlobMap blobs = blobMap(gray);
  std::vector<Band> bands = bandsOf(blobs, options.max_bands);
  // No band in the first map: the coarser map's (kCoarseBlockDivisor) are
  // the image's, for every pass below. Found zones cost nothing more.
  bool coarse = false;
  if (bands.empty())
    if (BlobMap c = blobMap(gray, kCoarseBlockDivisor); !(bands = bandsOf(c, options.max_bands)).empty()) {
      if (debugDir()) trace("bands of the coarse map\n");
      blobs = std::move(c);
      coarse = true;
    }
  Attempt best = readBands(gray, options, bands);
  // A zone not valid whose band has a line under uneven light (paper moving
  // by more than kUnevenPaper along it: a glare spot, a lamp's gradient) is
  // read again with those lines' levels taken along them, and that reading
  // replaces the first when it is valid: inside a glare spot the glyphs are
  // grey on light grey and read as U, L or fillers as letters, names no check
  // digit covers among them, so it need not agree with the first reading.
  // Not in the first pass: on blurred photos whose later passes verify, the
  // levels along the line cost as many valid zones as they gave. A letter
  // the first reading was unsure of must be read as one of the two it
  // hesitated between: a second look at the same glyph is not a second
  // witness for a third (a shaken photo's COTE read C0TE, O/0 uncertain,
  // then CDTE surely: valid), nor for a doubted M, N or H read again
  // short of surely (detail::keepsDoubts).
  if (best.result && !best.result->valid &&
      std::any_of(best.lights.begin(), best.lights.end(), [](float l) { return l > kUnevenPaper; })) {
    Attempt again = readAgain(tUnevenInk, gray, options, {bands[best.band]});
    if (again.result && again.result->valid && detail::keepsDoubts(*best.result, *again.result, again.candidates)) best = std::move(again);
  }
  // Only for zones that failed a check digit, the layout or the trust rules
  // of a field a check digit covers, not for a zone with uncertain name
  // letters: no check digit covers those, and a second look at the same
  // glyph is not a second witness (UNITED read UMITED, M/N uncertain, by
  // both passes, surer the second time: valid). And only for a band the
  // classifier mostly read with confidence (mean
  // character probability above 0.6): light along a line costs a few
  // characters, and a reading of garbage (most raw 12 MP photos that fail)
  // is not worth the time of a second pass.
  if (best.result && !best.result->valid && best.result->uncertain.empty() && best.read_score > std::log(0.6)) {
    // Light falling off across the band (a lamp's gradient, a glare spot's
    // rim) shifts paper and ink along the lines: read again with levels
    // taken along them; a defocused or shaken photo: read again with the
    // strips sharpened. The first of these readings that verifies (and
    // agrees with the first pass where no check digit covers) is kept, not
    // valid if a cut doubt holds it back (its fields are still the better).
    // Only the band of the first reading is read again: the others read
    // worse than it, and reading all of them twice more was most of the
    // time of a raw 12 MP photo that fails.
    for (bool* flag : {&tLocalInk, &tSharpen}) {
      Attempt again = readAgain(*flag, gray, options, {bands[best.band]});
      if (again.result && (again.result->valid || again.vetoed) && agreesOutsideChecks(*best.result, *again.result)) {
        best = std::move(again);
        break;
      }
    }
  }
  // Uncertain name letters: the other passes vote on them (voteUncertain).
  if (best.result && !best.result->valid && !best.result->uncertain.empty() && best.read_score > std::log(0.6)) {
    std::vector<Attempt> others;
    for (bool* flag : {&tLocalInk, &tSharpen}) {
      Attempt again = readAgain(*flag, gray, options, {bands[best.band]});
      if (!again.result || again.chars != best.chars || again.flipped != best.flipped ||
          again.candidates.size() != best.candidates.size())
        continue;
      // The same cut: the line starts within half a cell of the first's.
      const cv::Point2f d = best.quad[1] - best.quad[0];
      const float pitch = std::hypot(d.x, d.y) / static_cast<float>(best.chars);
      const cv::Point2f off = again.quad[0] - best.quad[0];
      if (std::hypot(off.x, off.y) < 0.5f * pitch) others.push_back(std::move(again));
    }
    // Only the lines that hold an uncertain letter are drawn.
    std::vector<bool> lineOf(best.cells.size(), false);
    bool blurredDoubt = false;
    for (const Correction& u : best.result->uncertain) {
      const auto li = static_cast<std::size_t>(u.line - 1);
      if (li >= lineOf.size()) continue;
      lineOf[li] = true;
      blurredDoubt = blurredDoubt || (li < best.spreads.size() && best.spreads[li] >= kBlurredSpread);
    }
    std::vector<cv::Mat> synth;
    if (blurredDoubt) synth = synthesisOf(prepareBand(gray, bands[best.band], best.flipped), best, lineOf);
    const bool synthesised = std::any_of(synth.begin(), synth.end(), [](const cv::Mat& m) { return !m.empty(); });
    if (!others.empty() || synthesised)
      if (auto voted = voteUncertain(best, others, synth, options)) {
        if (debugDir()) trace("uncertain letters voted by %zu passes\n", others.size());
        best.result = std::move(*voted);
      }
  }
  if (best.result && !best.result->valid && !best.vetoed && best.result->uncertain.empty() &&
      (failsCheckDigit(*best.result) || fails(*best.result, "legible") || fails(*best.result, "known_state")) &&
      std::any_of(best.spreads.begin(), best.spreads.end(), [](float s) { return s >= kBlurredSpread; }))
    if (auto synth = readBySynthesis(gray, options, bands[best.band], best)) best = std::move(*synth);
  // A zone whose check digits fail may have been cut a cell or two off.
  if (best.result && !best.result->valid && failsCheckDigit(*best.result)) {
    if (debugDir()) trace("shifted cuts: read_score %.3f\n", best.read_score);
    std::vector<int> lengths{best.chars};
    // A two-line band read as one length may be the other (a smear beside
    // a French ID's line taken for eight more cells).
    if (best.cells.size() == 2 && !options.parse.format && options.chars == 0)
      lengths.push_back(best.chars == 44 ? 36 : 44);
    for (int chars : lengths)
      if (auto shifted = readShifted(gray, options, bands[best.band], best, chars)) {
        best = std::move(*shifted);
        break;
      }
  }
  if (!best.result) {
    // Heavy defocus runs glyphs into each other, and the blob finder sees
    // too few characters to form a line: look again in a sharpened image.
    // Sharpening also turns print, a pattern or a redaction box's edges into
    // "lines": a band found only here counts when the classifier read it
    // mostly with confidence (mean character probability above 0.6, as for
    // the second passes), else the image has no MRZ (a covered MRZ read
    // LTLXNOVQ... at 0.016 confidence was reported as a rejected zone).
    cv::Mat sharp = gray.clone();
    sharpen(sharp, std::max(1.0, std::max(gray.cols, gray.rows) / 1000.0 * kFindSharpenSigma), kFindSharpenAmount);
    if (Attempt found = readBands(sharp, options); found.result && found.read_score > std::log(0.6)) {
      best = std::move(found);
      coarse = false;
    }
  }
  if (best.result && !best.result->valid && best.band < bands.size() &&
      std::any_of(best.spreads.begin(), best.spreads.end(), [](float s) { return s >= kBlurredSpread; }))
    if (auto d = readDeblurred(gray, options, bands[best.band], defocusOf(best))) {
      if (debugDir()) trace("deblurred read_score %.3f (first %.3f)\n", d->read_score, best.read_score);
      // A first reading whose check digits verify and whose fault is a name
      // letter read as a digit (vetoBlurredNames: a blurred O and 0 are one
      // blob, which a deconvolution sharpens into either) keeps that doubt
      // where the deconvolved image reads the cell as it did: the same
      // evidence made sharper and read alike is no second witness
      // (fra-id-photo-s17-0049's DUPONT). Letter-against-letter doubts (N/H,
      // K/E) are left to the deconvolution's check digits and its damped
      // twin: on seed 7 they held back three zones read right. A first
      // reading that fails its check digits vouches for none of its cells.
      // A name cell the first reading read as a digit and correct() gave a
      // letter of the reader's (listed with its rival, mrz_correct.cpp) is
      // that doubt too, where the deconvolved image reads either letter
      // (DUPONT's O read '0' 0.95, D 0.016, O 0.016: D listed, O its rival).
      Result& r = *d->result;
      if (!failsCheckDigit(*best.result) && r.lines.size() == best.result->lines.size()) {
        for (const Correction& u : best.result->uncertain) {
          const auto li = static_cast<std::size_t>(u.line - 1), pi = static_cast<std::size_t>(u.pos - 1);
          if (li >= r.lines.size() || pi >= r.lines[li].size() || r.lines[li].size() != best.result->lines[li].size()) continue;
          const char now = r.lines[li][pi];
          const bool readDigit = li < best.candidates.size() && pi < best.candidates[li].size() &&
                                 !best.candidates[li][pi].empty() &&
                                 std::isdigit(static_cast<unsigned char>(best.candidates[li][pi][0].ch));
          if ((now == u.from && std::isdigit(static_cast<unsigned char>(u.to))) || (readDigit && (now == u.from || now == u.to)))
            r.uncertain.push_back(u);
        }
        if (!r.uncertain.empty() && r.valid) {
          detail::sortByPosition(r.uncertain);
          r.checks.emplace_back("legible", false);
          r.valid = false;
        }
      }
      // Kept when it verifies; one not valid only in place of a first reading the classifier mostly doubted (mean character
      // probability under 0.6, as the second passes' gate), and read more
      // surely: a first reading of a few doubts may hold every field right
      // where a deconvolution's reading that failed its damped twin does not.
      // Nor is a first reading whose check digits fail kept before a surer
      // deconvolved one whose check digits all verify and which only its
      // twin left in doubt, no cell of its own listed uncertain
      // (fra-id-photo-s211-0068, an 8 px streak: the first reading at 0.63
      // reported CHATEAUBRIAND as EHATEAUBRIAND with a failing composite, the
      // deconvolution's at 0.96 every field right, not valid). One with a
      // doubt of its own may be the wrong one (td3-photo-s211-0079, defocus:
      // NGUYEN deconvolved as NGUYCN, C listed with E its rival, where the
      // first reading's later passes read every field right).
      const bool surerAndVerified =
          failsCheckDigit(*best.result) && !failsCheckDigit(*d->result) && d->result->uncertain.empty();
      if (d->result->valid ||
          (d->read_score > best.read_score && (best.read_score < std::log(0.6) || surerAndVerified))) {
        if (debugDir()) trace("read deblurred\n");
        best = std::move(*d);
      }
    }
  bool mirrored = false;
  // A zone that does not verify may be a mirror image. The flipped image's
  // bands are the first pass's blobs mirrored, and only those whose quick
  // look beats the first pass's by kMirrorGain are read. (A confident first
  // reading is no proof against a mirror: mirrored fillers and round glyphs
  // read as '<', O, 0 with confidence, and most mirrored specimens were
  // never tried while that gate held.)
  if (options.try_mirrored && !(best.result && best.result->valid)) {
    cv::Mat flipped;
    cv::flip(gray, flipped, 1);
    Attempt m = readBands(flipped, options, bandsOf(flippedMap(blobs), options.max_bands), best.quick + kMirrorGain);
    if (m.result && m.score > best.score) {
      for (auto& pt : m.quad) pt.x = static_cast<float>(gray.cols - 1) - pt.x;
      best = std::move(m);
      mirrored = true;
    }
  }
  if (best.result && detail::vetoGReadAsQ(*best.result, best.candidates) && debugDir())
    trace("a Q read with G beside it: not vouched for\n");
  if (best.result && detail::vetoNameDisagreement(*best.result, best.candidates, best.glance) && debugDir())
    trace("a name letter the quick look read otherwise: not vouched for\n");
  if (debugDir()) trace("classifier calls: %ld\n", tEvaluations);
  if (std::getenv("IDKIT_MRZ_DUMP")) {
    // Developer aid: the candidates behind the reading, one JSON line per
    // image (null when none), to tune correct() without reading images again,
    // and (MRZSPREAD) the edge spread of each of its lines.
    Json dump = nullptr;
    if (best.result) {
      dump = Json::array();
      for (const auto& line : best.candidates) {
        Json l = Json::array();
        for (const auto& pos : line) {
          Json c = Json::array();
          for (const Candidate& cand : pos) c.push_back({std::string(1, cand.ch), std::round(cand.score * 1e4) / 1e4});
          l.push_back(c);
        }
        dump.push_back(l);
      }
    }
    std::fprintf(stderr, "MRZDUMP %s\n", dump.dump().c_str());
    if (best.result) {
      Json sp = Json::array();
      for (float f : best.spreads) sp.push_back(std::round(f * 100) / 100);
      std::fprintf(stderr, "MRZSPREAD %s\n", sp.dump().c_str());
    }
  }
  if (best.result && !looksLikeMrz(*best.result)) {
    if (debugDir()) trace("no MRZ structure: no filler run, no known state\n");
    best.result.reset();
  }
  if (!best.result) return std::unexpected(Error{"mrz_not_found", "no machine-readable zone found in the image"});
  ImageReading out;
  out.result = std::move(*best.result);
  out.candidates = std::move(best.candidates);
  out.quad = best.quad;
  for (auto& pt : out.quad) pt *= static_cast<float>(scale);
  out.angle_deg = best.angle;
  out.mirrored = mirrored;
  out.coarse = coarse;
  return out;
}

}  // namespace idkit::mrz
