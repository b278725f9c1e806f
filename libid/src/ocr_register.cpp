// Template registration: the template's value lines matched to the words
// found on the flat card, so that fields are read where they are printed and
// not where a perfect deskew would have put them.
#include <idkit/ocr.hpp>
#include <idkit/mrz.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <numeric>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "ink_rows.hpp"

namespace idkit::ocr {

namespace {

// Where a field's value line is centred on the flat document: templates
// draw regions centred on it (0.1 mm above, for descenders; and
// kValueIndentMm left of it), measured on id-synth's truth boxes.
constexpr double kValueRaiseMm = 0.1;
// Value lines on a card are at least this far apart (TD1 and ID-1 licences
// print them 3.3-4.7 mm apart): vertical fits closer than half of it are one.
constexpr double kMinLinePitchMm = 3.0;

struct Expected {
  double left_mm, cy_mm, cap_mm, right_mm;
};

std::vector<Expected> expectedLines(const Template& t) {
  std::vector<Expected> out;
  for (const FieldSpec& f : t.fields)
    out.push_back({f.region_mm.x + kValueIndentMm, f.region_mm.y + f.region_mm.height / 2 - kValueRaiseMm,
                   f.cap_mm > 0 ? f.cap_mm : 1.6, f.region_mm.br().x});
  return out;
}

// A value line's words: capitals, maybe with descenders or accents.
bool heightFits(const cv::Rect& b, double cap_px) { return b.height >= 0.7 * cap_px && b.height <= 1.7 * cap_px; }

// 1 at a perfect fit, 0 at the tolerance and beyond.
double closeness(double delta, double tol) {
  const double r = delta / tol;
  return r * r >= 1 ? 0 : 1 - r * r;
}

// Scales tried around the nominal one: a card id-deskew cut (a header band
// or an MRZ strip taken for its edge) or flattened to the wrong size class
// is off by up to a fifth in height. Its width is surer: the MRZ's line
// length or the side edges give it. On the 400 photos of tuning sets 9191,
// 5353, 6464 and 7373 every x scale fitted more than 5 % off nominal
// (1.12-1.2) was a fit a field off, on a card whose lines were found only in
// part (fra-id-photo-s6464-0029: its value lines starting within a tenth of
// the card's width, two of them cut by glare or joined to their label, fitted
// at 1.19 against the date's column), and none right was past 2 %.
constexpr int kMaxWidthScaleSteps = 5;
std::vector<double> scaleSteps(int below = 20, int above = 25) {
  std::vector<double> out;
  for (int i = -below; i <= above; ++i) out.push_back(1 + i * 0.01);
  return out;
}

}  // namespace

std::vector<cv::Rect> componentBoxes(const cv::Mat& binary) {
  CV_Assert(binary.type() == CV_8UC1);
  // The ink as runs along the rows (a card's is sparse: a few runs a row),
  // joined across rows where they touch (8-connected: overlapping or
  // diagonal), each set named by its first run.
  struct Run {
    int x0, x1, y;
  };
  std::vector<Run> runs;
  std::vector<int> row_start(static_cast<std::size_t>(binary.rows) + 1);
  for (int y = 0; y < binary.rows; ++y) {
    row_start[y] = static_cast<int>(runs.size());
    const uchar* p = binary.ptr<uchar>(y);
    const int w = binary.cols;
    for (int x = 0; x < w;) {
      for (std::uint64_t eight = 0; x + 8 <= w; x += 8) {  // blank pixels eight at a time
        std::memcpy(&eight, p + x, 8);
        if (eight) break;
      }
      while (x < w && !p[x]) ++x;
      if (x >= w) break;
      const int x0 = x;
      while (x < w && p[x]) ++x;
      runs.push_back({x0, x - 1, y});
    }
  }
  row_start[binary.rows] = static_cast<int>(runs.size());
  std::vector<int> parent(runs.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (int y = 1; y < binary.rows; ++y) {
    int above = row_start[y - 1];
    for (int i = row_start[y]; i < row_start[y + 1]; ++i) {
      while (above < row_start[y] && runs[above].x1 + 1 < runs[i].x0) ++above;
      for (int k = above; k < row_start[y] && runs[k].x0 <= runs[i].x1 + 1; ++k)
        if (const int a = root(i), b = root(k); a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  // Each component's box, and where connectedComponentsWithStats' labelling
  // (2x2 blocks in raster order, OpenCV's default for 8-connectivity) first
  // meets it: its first block row, and the first block column inked there.
  struct Component {
    cv::Rect box;
    int block_x;
  };
  std::vector<Component> components;
  std::vector<int> component_of(runs.size(), -1);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    int& c = component_of[static_cast<std::size_t>(root(static_cast<int>(i)))];
    if (c < 0) {  // its first run: the top row, and the first block row
      c = static_cast<int>(components.size());
      components.push_back({cv::Rect(r.x0, r.y, r.x1 - r.x0 + 1, 1), r.x0 / 2});
      continue;
    }
    Component& k = components[static_cast<std::size_t>(c)];
    const int x0 = std::min(k.box.x, r.x0), x1 = std::max(k.box.br().x, r.x1 + 1);
    k.box = cv::Rect(x0, k.box.y, x1 - x0, r.y - k.box.y + 1);
    if (r.y / 2 == k.box.y / 2) k.block_x = std::min(k.block_x, r.x0 / 2);
  }
  std::ranges::sort(components, [](const Component& a, const Component& b) {
    return std::pair(a.box.y / 2, a.block_x) < std::pair(b.box.y / 2, b.block_x);
  });
  std::vector<cv::Rect> out;
  out.reserve(components.size());
  for (const Component& c : components) out.push_back(c.box);
  return out;
}

namespace {

// A word taller than this many capital heights is no value line's (the
// registration's heightFits): two lines a blur joined, a visa's value under
// its small label 1.5 mm above it.
constexpr double kJoinedLinesAbove = 1.7;
// Rows holding at most this share of the box's fullest row's ink part two
// lines a blur joined.
constexpr double kLineGapInk = 0.2;

// The lines of `ink` (a component's box, CV_8UC1) parted at their thinnest
// rows: the runs of rows holding more than kLineGapInk of the fullest row's
// ink, each boxed by its ink's columns. The whole box when no such rows part it.
std::vector<cv::Rect> splitJoinedLines(const cv::Mat& ink, double cap_px) {
  std::vector<cv::Rect> out = detail::inkRowRuns(ink, [](int fullest) {
    return static_cast<int>(std::floor(kLineGapInk * fullest)) + 1;
  });
  // A run of a few rows is a stroke's end, not a line.
  std::erase_if(out, [&](const cv::Rect& r) { return r.height < cap_px * 0.35; });
  if (out.size() < 2) return {cv::Rect(0, 0, ink.cols, ink.rows)};
  return out;
}

}  // namespace

std::vector<cv::Rect> findTextBoxes(const cv::Mat& grey, double cap_px, double min_contrast) {
  std::vector<cv::Rect> out;
  if (grey.empty() || cap_px < 3) return out;
  if (grey.channels() != 1) {  // a colour card: its luminance
    cv::Mat g;
    cv::cvtColor(grey, g, grey.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    return findTextBoxes(g, cap_px, min_contrast);
  }
  // Black-hat: dark strokes thinner than the kernel stand out of any
  // background (guilloches, gradients, the portrait's shading).
  const int k = std::max(3, static_cast<int>(std::lround(cap_px * 1.2)) | 1);
  cv::Mat bh, bw;
  cv::morphologyEx(grey, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  const double otsu = cv::threshold(bh, bw, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  if (otsu < min_contrast) cv::threshold(bh, bw, min_contrast, 255, cv::THRESH_BINARY);  // a card with little text
  // Letters of a word, and words of a value, joined; a field's next column
  // is millimetres away.
  const int join = std::max(2, static_cast<int>(std::lround(cap_px * 0.6)));
  cv::morphologyEx(bw, bw, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {join, 1}));
  for (const cv::Rect& b : componentBoxes(bw)) {
    if (b.height < cap_px * 0.35 || b.height > cap_px * 3 || b.width < cap_px * 0.25) continue;
    if (b.height <= cap_px * kJoinedLinesAbove) {
      out.push_back(b);
      continue;
    }
    for (const cv::Rect& part : splitJoinedLines(bw(b), cap_px)) {
      const cv::Rect p = part + b.tl();
      if (p.height >= cap_px * 0.35 && p.width >= cap_px * 0.25) out.push_back(p);
    }
  }
  return out;
}

namespace {

// registerTemplate's fit with the rows sheared by `slope` (card px down per
// card px right, at the lines' nominal left edges), and its score (the
// vertical and horizontal fits' sum).
std::pair<Registration, double> registerSheared(const std::vector<cv::Rect>& boxes, const Template& t, cv::Size card,
                                                double slope) {
  Registration reg;
  reg.slope = slope;
  reg.sx = reg.sx0 = card.width / t.size_mm.width;
  reg.sy = reg.sy0 = card.height / t.size_mm.height;
  const std::vector<Expected> lines = expectedLines(t);
  reg.expected = static_cast<int>(lines.size());
  if (boxes.empty() || lines.empty()) return {reg, -1e18};
  const double sx0 = reg.sx, sy0 = reg.sy;
  const auto steps = scaleSteps(), width_steps = scaleSteps(kMaxWidthScaleSteps, kMaxWidthScaleSteps);
  // A line's rise by the shear, at its nominal left edge.
  auto sheared = [&](const Expected& e) { return slope * e.left_mm * sx0; };

  // 1. Vertical: scale and offset that put most value lines on a word of the
  // right height. Words are only taken within a fifth of the card's width of
  // the field's nominal place (the portrait and other columns stay out), and
  // judged by the nominal capital height whatever the scale tried: a blurred
  // card's words stand taller than its capitals (a shaken visa's 1.7 capital
  // heights), and judged by each scale's capitals they would count as value
  // lines only at a larger scale, which then won with its rows a line off
  // (mrvb-photo-s9191-0028). Each line's word centres, sorted: a line's best
  // word for an offset is the nearest centre (closeness falls with the
  // distance), found by binary search instead of a scan of the column.
  std::vector<std::vector<double>> centres(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Expected& e = lines[i];
    const double x0 = e.left_mm * sx0 - card.width * 0.2, x1 = e.right_mm * sx0 + card.width * 0.2;
    for (const cv::Rect& b : boxes)
      if (b.br().x > x0 && b.x < x1 && heightFits(b, e.cap_mm * sy0)) centres[i].push_back(b.y + b.height / 2.0);
    std::sort(centres[i].begin(), centres[i].end());
  }
  auto nearest = [](const std::vector<double>& sorted, double want) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), want);
    double d = 1e18;
    if (it != sorted.end()) d = *it - want;
    if (it != sorted.begin() && want - *std::prev(it) < std::abs(d)) d = *std::prev(it) - want;
    return d;
  };
  auto yScore = [&](double sy, double ty) {
    double score = 0;
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (!centres[i].empty())
        score +=
            closeness(nearest(centres[i], sy * lines[i].cy_mm + ty + sheared(lines[i])), lines[i].cap_mm * sy * 0.35);
    return score;
  };
  // Every (scale, offset) tried, scored; the best few of distinct offsets
  // are verified horizontally below.
  struct YFit {
    double score, sy, ty;
  };
  std::vector<YFit> yfits;
  for (double f : steps) {
    const double sy = sy0 * f;
    for (std::size_t i = 0; i < lines.size(); ++i)
      for (const double centre : centres[i]) {
        const double ty = centre - sy * lines[i].cy_mm - sheared(lines[i]);
        if (std::abs(ty) > card.height * 0.25) continue;
        // Ties go to the nominal scale and a small shift.
        yfits.push_back({yScore(sy, ty) - 0.5 * std::abs(f - 1) - 0.02 * std::abs(ty) / sy0, sy, ty});
      }
  }
  std::stable_sort(yfits.begin(), yfits.end(), [](const YFit& a, const YFit& b) { return a.score > b.score; });
  if (yfits.empty()) yfits.push_back({-1, sy0, 0});  // no word of a line's height: the nominal rows

  // 2. Horizontal: among the words on each value line's row, the scale and
  // offset that put most lines' first word at the field's left edge.
  struct XFit {
    double score = -1, sx, tx;
    int matched = 0;
  };
  auto fitX = [&](double sy_fit, double ty_fit) {
    std::vector<std::vector<double>> lefts(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const double cap = lines[i].cap_mm * sy_fit, want = sy_fit * lines[i].cy_mm + ty_fit + sheared(lines[i]);
      for (const cv::Rect& b : boxes)
        if (heightFits(b, cap) && std::abs(b.y + b.height / 2.0 - want) < cap * 0.35) lefts[i].push_back(b.x);
      std::sort(lefts[i].begin(), lefts[i].end());
    }
    auto xScore = [&](double sx, double tx, int* matched) {
      double score = 0;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lefts[i].empty()) continue;
        const double best = closeness(nearest(lefts[i], sx * lines[i].left_mm + tx), sx * 0.8);
        score += best;
        if (matched && best > 0) ++*matched;
      }
      return score;
    };
    XFit out{-1, sx0, 0, 0};
    for (double f : width_steps) {
      const double sx = sx0 * f;
      for (std::size_t i = 0; i < lines.size(); ++i)
        for (const double left : lefts[i]) {
          const double tx = left - sx * lines[i].left_mm;
          if (std::abs(tx) > card.width * 0.25) continue;
          const double s = xScore(sx, tx, nullptr) - 0.5 * std::abs(f - 1) - 0.02 * std::abs(tx) / sx0;
          if (s > out.score) out.score = s, out.sx = sx, out.tx = tx;
        }
    }
    xScore(out.sx, out.tx, &out.matched);
    return out;
  };
  // A card whose lines are evenly spaced fits about as well a line up or
  // down when a line is blank (a TD1 without a personal number): the rows'
  // words then no longer start at their fields' left edges. The best
  // vertical fit and the next best of other offsets (within a line's worth
  // of score) are each fitted horizontally; the best sum of both stands.
  double sy_best = sy0, ty_best = 0, best = -1e18;
  XFit xbest{-1, sx0, 0, 0};
  std::vector<double> tried;
  for (const YFit& y : yfits) {
    if (tried.size() >= 3 || y.score < yfits.front().score - 1) break;
    const double apart = 0.5 * kMinLinePitchMm * sy0;
    if (std::any_of(tried.begin(), tried.end(), [&](double ty) { return std::abs(ty - y.ty) < apart; })) continue;
    tried.push_back(y.ty);
    const XFit x = fitX(y.sy, y.ty);
    if (y.score + x.score > best) best = y.score + x.score, sy_best = y.sy, ty_best = y.ty, xbest = x;
  }
  reg.matched = xbest.matched;
  // Too little evidence (a blank or unreadable card, a wrong template): the
  // nominal scaling is a safer guess than a fit to two stray words.
  if (reg.matched < std::max(2, (reg.expected + 2) / 3)) return {reg, best};
  // The shear was fitted at the nominal left edges: toPx() applies it where the card's lines start.
  reg.sx = xbest.sx, reg.sy = sy_best, reg.tx = xbest.tx, reg.ty = ty_best - slope * xbest.tx;
  reg.fitted = true;
  return {reg, best};
}

// The unsheared fit `reg`, or a shear's where that leaves a column's worth
// of lines unmatched: two or more. (A card missing one line, a blank field,
// is the common case: no shear is sought there.) The print may be sheared
// (id-deskew's quad a little off, a column's values lower than the first's
// by more than a line's tolerance). A shear stands only where it matches two
// lines more; between shears, the better fit.
Registration shearedIfBetter(const std::vector<cv::Rect>& boxes, const Template& t, cv::Size card, Registration reg) {
  constexpr int kShearedLines = 2;
  if (reg.matched + kShearedLines > reg.expected) return reg;
  constexpr double kSlopeStep = 0.01;
  constexpr int kSlopeSteps = 5;
  const int unsheared = reg.matched;
  double score = 0;
  for (int i = -kSlopeSteps; i <= kSlopeSteps; ++i) {
    if (i == 0) continue;
    auto [r, s] = registerSheared(boxes, t, card, i * kSlopeStep);
    if (r.fitted && r.matched >= unsheared + kShearedLines &&
        (r.matched > reg.matched || (r.matched == reg.matched && s > score)))
      reg = r, score = s;
  }
  return reg;
}

}  // namespace

Registration registerTemplate(const std::vector<cv::Rect>& boxes, const Template& t, cv::Size card) {
  return shearedIfBetter(boxes, t, card, registerSheared(boxes, t, card, 0).first);
}

namespace {

// A template is of the card's size within 8 % of its aspect: id-deskew
// flattens to ID-1 (1.59) or the ID-2/ID-3 shape (1.42), and an MRV-A
// (1.50) to either, 5.6 % off. An ID-1 layout on an ID-3 card (11.6 % off)
// fits a blurred card's few lines as well as its own (seed 5353
// mrva-photo-0035 and seed 6464 mrvb-photo-0004 read as qr-id): a card's
// size is not doubted by its print's words, only by its zone or barcode
// naming a layout of the other size (seed 6464 fra-id-photo-0093, an ID-2
// card flattened as an ID-1, read with its own layout stretched whole).
constexpr double kSameSizeAspectError = 0.08;

double aspectError(const Template& t, double card_aspect) {
  return std::abs(t.size_mm.width / t.size_mm.height / card_aspect - 1);
}

// A fit's share of matched lines less its aspect error: equal line fits go to
// the template of the card's own shape.
double fitScore(const LayoutFit& f) { return f.share - f.aspect_error; }

// Best first; between equal shares (MRV-A and MRV-B print their lines
// alike) the size that fits the card's aspect better.
void sortFits(std::vector<LayoutFit>& fits) {
  std::sort(fits.begin(), fits.end(), [](const LayoutFit& a, const LayoutFit& b) {
    const double sa = fitScore(a), sb = fitScore(b);
    return sa != sb ? sa > sb : a.t->id < b.t->id;
  });
}

const Template* pickFit(const std::vector<LayoutFit>& fits) {
  if (fits.empty()) return nullptr;
  const double second = fits.size() > 1 ? fitScore(fits[1]) : 0, lead = fitScore(fits[0]) - second;
  // A strong fit, or a fair one well ahead of the rest (a blurred photo's
  // small print leaves some lines unfound).
  if (fits[0].share >= 0.8 && lead >= 0.1) return fits[0].t;
  if (fits[0].share >= 0.6 && lead >= 0.2) return fits[0].t;
  // Equal line fits: the card's aspect decides when it clearly does.
  if (fits[0].share >= 0.8 && fits.size() > 1 && fits[1].aspect_error - fits[0].aspect_error >= 0.03) return fits[0].t;
  return nullptr;
}

}  // namespace

std::vector<LayoutFit> layoutFits(const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                                  double min_contrast, const Template* named) {
  std::vector<LayoutFit> out;
  if (flat_bgr.empty()) return out;
  const cv::Mat& g = flat_bgr;  // findTextBoxes takes colour or grey
  const double aspect = static_cast<double>(g.cols) / g.rows;
  std::map<int, std::vector<cv::Rect>> boxes_by_cap;  // word boxes per capital height (px), found once
  std::vector<std::pair<const std::vector<cv::Rect>*, Registration>> fitted;  // each fit's words and registration
  auto share = [](const Registration& r) {
    return r.fitted ? static_cast<double>(r.matched) / std::max(1, r.expected) : 0;
  };
  for (const Template& t : templates) {
    // Templates of the card's size, and the one its zone or barcode named
    // whatever its size; the aspect error breaks ties.
    const double aspect_error = aspectError(t, aspect);
    if (aspect_error > kSameSizeAspectError && &t != named) continue;
    std::vector<double> caps;
    for (const FieldSpec& f : t.fields) caps.push_back(f.cap_mm > 0 ? f.cap_mm : 1.6);
    std::sort(caps.begin(), caps.end());
    const int cap_px = static_cast<int>(std::lround(caps[caps.size() / 2] * g.rows / t.size_mm.height));
    auto [it, fresh] = boxes_by_cap.try_emplace(cap_px);
    if (fresh) it->second = findTextBoxes(g, cap_px, min_contrast);
    const Registration r = registerSheared(it->second, t, g.size(), 0).first;
    fitted.emplace_back(&it->second, r);
    out.push_back({&t, share(r), aspect_error});
  }
  // A layout the unsheared fits choose stands; else each is fitted as
  // registerTemplate fits it, sheared where that matches more (the cost of
  // the shears, a tenth of a second a card, only where no layout is clear).
  std::vector<LayoutFit> sorted = out;
  sortFits(sorted);
  if (pickFit(sorted)) return sorted;
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].share = share(shearedIfBetter(*fitted[i].first, *out[i].t, g.size(), fitted[i].second));
  sortFits(out);
  return out;
}

const Template* selectByLayout(const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                               const Template* named) {
  std::vector<LayoutFit> fits = layoutFits(flat_bgr, templates, kDefaultTextContrast, named);
  if (const Template* t = pickFit(fits)) return t;
  // None chosen: the card may be out of focus, its words' contrast under
  // findTextBoxes' bar, only their letters' cores found (too short for a
  // value line). The words are sought again at half the bar and each
  // template keeps the better of its two fits.
  const std::vector<LayoutFit> soft = layoutFits(flat_bgr, templates, kDefaultTextContrast / 2, named);
  for (LayoutFit& f : fits)
    for (const LayoutFit& s : soft)
      if (s.t == f.t) f.share = std::max(f.share, s.share);
  sortFits(fits);
  return pickFit(fits);
}

namespace {

// Whether a template's MRZ has the line lengths of the format read (TD2,
// MRV-B and the French ID card all print 2x36; TD3 and MRV-A 2x44).
bool sameMrzGeometry(const Template& t, mrz::Format read) {
  return std::any_of(t.mrz_formats.begin(), t.mrz_formats.end(), [&](const std::string& f) {
    const auto own = mrz::formatFromString(f);
    return own && std::ranges::equal(mrz::lineLengths(*own), mrz::lineLengths(read));
  });
}

// The template the record named, if it fits the card's aspect. Past 8 %
// the layout named is doubted (a licence's text taken for a TD1 zone): a
// zone failing its checks may have been misread across the layouts of its
// geometry (an MRV-A's V lost, its 2x44 zone taken for a TD3's), so a
// template of that geometry that fits the card's aspect stands in; else
// nothing was named. (A valid zone's template kept on a card 10 % off was
// tried: a passport page id-deskew cut wider than it is then registered
// a field off, its number read a letter short and sure: bench/README.md.)
const Template* ofCardSize(const Template& named, double card_aspect, const std::vector<Template>& templates,
                           bool zone_valid) {
  if (aspectError(named, card_aspect) <= kSameSizeAspectError) return &named;
  if (zone_valid || named.aamva) return nullptr;
  const Template* best = nullptr;
  for (const std::string& f : named.mrz_formats)
    if (const auto format = mrz::formatFromString(f))
      for (const Template& t : templates)
        if (&t != &named && !t.aamva && sameMrzGeometry(t, *format) &&
            aspectError(t, card_aspect) <= kSameSizeAspectError &&
            (!best || aspectError(t, card_aspect) < aspectError(*best, card_aspect)))
          best = &t;
  return best;
}

}  // namespace

const Template* choose(Engine& engine, const cv::Mat& flat_bgr, const std::vector<Template>& templates,
                       const Json& record, const Json* partner) {
  const Template* named = select(templates, record, {}, partner), *by_record = named;
  const double aspect = flat_bgr.empty() ? 0 : static_cast<double>(flat_bgr.cols) / flat_bgr.rows;
  const auto mrz = record.is_object() ? record.find("mrz") : record.end();
  const bool mrz_valid = mrz != record.end() && mrz->is_object() && mrz->value("valid", false);
  if (by_record && aspect > 0)
    by_record = ofCardSize(*by_record, aspect, templates, mrz_valid);
  const bool sure = by_record && (by_record->aamva || mrz_valid);
  if (sure) return by_record;
  if (by_record) {
    // An MRZ that fails its checks may have named the wrong layout: it stands
    // unless another template fits the card's text lines clearly better (the
    // one it named among them, whatever its size: a TD3 page flattened as an
    // ID-1 whose zone named td3, mrva standing in for it by ofCardSize).
    const auto fits = layoutFits(flat_bgr, templates, kDefaultTextContrast, named);
    double own = 0;
    for (const LayoutFit& f : fits)
      if (f.t == by_record) own = f.share;
    // Its lines still have its format's lengths when the document code that
    // tells the layouts of one geometry apart was misread (an MRV-B's V read
    // C, its MRZ taken for a TD2): a template of that geometry needs a
    // smaller lead.
    const auto read = mrz::formatFromString(mrz != record.end() && mrz->is_object() ? mrz->value("format", "") : "");
    for (const LayoutFit& f : fits)
      if (read && f.t != by_record && f.share >= 0.6 && f.share - own >= 0.15 && sameMrzGeometry(*f.t, *read)) return f.t;
    if (!fits.empty() && fits[0].t != by_record && fits[0].share >= 0.6 && fits[0].share - own >= 0.3) return fits[0].t;
    return by_record;
  }
  if (const Template* t = selectByLayout(flat_bgr, templates, named)) return t;
  return selectByAnchors(engine, flat_bgr, templates);
}

Json Registration::toJson() const {
  auto r2 = [](double v) { return std::round(v * 100) / 100; };
  auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
  Json j = {{"fitted", fitted},
            {"shift_mm", {r2(tx / sx), r2(ty / sy)}},
            {"scale", {r3(sx / sx0), r3(sy / sy0)}},
            {"lines", std::to_string(matched) + "/" + std::to_string(expected)}};
  if (slope != 0) j["slope"] = r3(slope);
  return j;
}

}  // namespace idkit::ocr
