// The MRZ band as an anchor for a document's sides.
//
// Edges fail where the MRZ is: its lines are the crispest horizontal edges on
// a data page, so a side search that starts inside the card stops at the
// band's top line, and a visa's bottom strip (MRZ on plain paper) is left out
// altogether when the sticker's edge is faint. The band itself is found
// reliably, and ICAO 9303 fixes where it sits: lines of 30 (TD1), 36 (TD2,
// MRV-B) or 44 (TD3, MRV-A) characters at 2.54 mm, centred across the width,
// the last line's characters ending about 4.4 mm (TD1) or 6.4 mm (all others)
// above the bottom edge. Sides that disagree with that are moved there and
// fitted to the edge found nearby.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "deskew_internal.hpp"

namespace idkit::deskew::detail {

namespace {

constexpr double kPitchMm = 2.54;

// Where ICAO 9303 puts the band on each format (mm). Two 44-character formats
// share a line length: the passport page (TD3) and the MRV-A visa sticker.
struct Format {
  int chars;
  double width, height;
  double bottom_gap;    // from the last line's characters to the bottom edge
  double side_margin;   // from the line's ends to the side edges
};
constexpr Format kFormats[] = {
    {30, 85.60, 53.98, 4.4, 4.7},    // TD1
    {36, 105.0, 74.0, 6.4, 6.75},    // TD2, MRV-B
    {44, 125.0, 88.0, 6.4, 6.6},     // TD3
    {44, 120.0, 80.0, 6.4, 4.1},     // MRV-A
};

// The first format whose lines hold `chars` characters (TD3 for 44, whose
// line length MRV-A shares).
const Format& formatFor(int chars) {
  for (const Format& g : kFormats)
    if (g.chars == chars) return g;
  return kFormats[2];
}

Quad rect(double x0, double y0, double x1, double y1) {
  return {cv::Point2d(x0, y0), cv::Point2d(x1, y0), cv::Point2d(x1, y1), cv::Point2d(x0, y1)};
}

// Median colour step (summed over channels) across side a->b, between the
// points `d` pixels either side of it: a card's edge shows one along its whole
// length, a line through the background or the card's print does not.
double edgeStep(const cv::Mat& bgr, cv::Point2d a, cv::Point2d b, double d) {
  const double len = cv::norm(b - a);
  if (len < 8) return 0;
  const cv::Point2d n(-(b - a).y / len, (b - a).x / len);
  auto at = [&](cv::Point2d p) {
    const int x = std::clamp(static_cast<int>(std::lround(p.x)), 0, bgr.cols - 1);
    const int y = std::clamp(static_cast<int>(std::lround(p.y)), 0, bgr.rows - 1);
    return bgr.at<cv::Vec3b>(y, x);
  };
  std::vector<double> steps;
  for (int i = 0; i < 40; ++i) {
    const cv::Point2d p = a + (b - a) * (0.1 + 0.8 * (i + 0.5) / 40);
    const cv::Vec3b u = at(p + n * d), v = at(p - n * d);
    steps.push_back(std::abs(u[0] - v[0]) + std::abs(u[1] - v[1]) + std::abs(u[2] - v[2]));
  }
  return fractile(steps, 1, 2);
}

}  // namespace

// `src` seen through `m` (source -> output pixels) at `size`, grey. Only the
// part of `src` the output sees is converted to grey (a third of the warp's
// work is then gone), and a source more than 2.5 times finer is first
// averaged 2 x 2 so thin strokes (the MRZ's characters) do not alias away.
cv::Mat warpGrey(const cv::Mat& src, const cv::Matx33d& m, cv::Size size, double shrink) {
  const cv::Matx33d inv = m.inv();
  std::vector<cv::Point2f> seen;
  for (const cv::Point2d p : {cv::Point2d(0, 0), cv::Point2d(size.width, 0), cv::Point2d(size.width, size.height),
                              cv::Point2d(0, size.height)}) {
    const cv::Point2d q = apply(inv, p);
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) return {};
    seen.emplace_back(static_cast<float>(std::clamp(q.x, -1.0, src.cols + 1.0)),
                      static_cast<float>(std::clamp(q.y, -1.0, src.rows + 1.0)));
  }
  // A margin for bilinear sampling and the 2 x 2 average; the output's
  // corners bound what it sees (a homography maps the rectangle to a convex quad).
  const cv::Rect roi = (cv::boundingRect(seen) + cv::Size(8, 8) - cv::Point(4, 4)) & cv::Rect(0, 0, src.cols, src.rows);
  if (roi.empty()) return {};
  cv::Mat grey;
  if (src.channels() == 3) cv::cvtColor(src(roi), grey, cv::COLOR_BGR2GRAY);
  else grey = src(roi);
  cv::Matx33d t = m * cv::Matx33d(1, 0, roi.x, 0, 1, roi.y, 0, 0, 1);
  if (shrink > 2.5) {
    cv::Mat half;
    cv::resize(grey, half, cv::Size(grey.cols / 2, grey.rows / 2), 0, 0, cv::INTER_AREA);
    grey = half;
    // Half-size pixel centres: x_crop = 2 x_half + 0.5.
    t = t * cv::Matx33d(2, 0, 0.5, 0, 2, 0.5, 0, 0, 1);
  }
  cv::Mat out;
  cv::warpPerspective(grey, out, cv::Mat(t), size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

std::optional<Anchored> anchorToMrz(const cv::Mat& bgr, const Quad& q_in, bool allow_outside, bool* band_seen) {
  if (band_seen) *band_seen = true;  // unknown: the caller must look itself
  if (bgr.empty() || !isConvex(q_in)) return std::nullopt;
  Quad q = q_in;
  double ratio = documentAspect(q, bgr.size()).ratio;
  if (!(ratio > 0.5) || ratio > 3) return std::nullopt;
  // The probe: the quad's plane rectified so the card is kProbeWidth wide,
  // with room around it for a band the quad cut or left out.
  const double W = kProbeWidth, H = W / ratio;
  const double mx = 0.12 * W, my = (allow_outside ? 0.45 : 0.12) * H;
  const cv::Size esize(static_cast<int>(std::lround(W + 2 * mx)), static_cast<int>(std::lround(H + 2 * my)));
  const cv::Matx33d to_probe = homography(q, rect(0, 0, W, H));
  const cv::Matx33d shift(1, 0, mx, 0, 1, my, 0, 0, 1);
  const double shrink = std::max(cv::norm(q[1] - q[0]), cv::norm(q[2] - q[3])) / W;
  const cv::Mat grey = warpGrey(bgr, shift * to_probe, esize, shrink);
  auto band = findMrzBand(grey, W, H);
  if (band_seen) *band_seen = band.has_value();
  if (!band) return std::nullopt;
  // Probe coordinates (the quad spans 0..W x 0..H).
  double x0 = band->box.x - mx, x1 = band->box.x + band->box.width - mx;
  double y0 = band->box.y - my, y1 = band->box.y + band->box.height - my;
  double cy = band->centre_y - my;
  // On or next to the quad: across most of its width, and within reach of it.
  const double overlap = std::min(x1, W) - std::max(x0, 0.0);
  if (overlap < 0.6 * (x1 - x0)) return std::nullopt;
  if (!allow_outside && (cy < 0 || cy > H)) return std::nullopt;
  const bool flipped = cy < H / 2;
  if (flipped) {
    // The band is along the top: the document is upside down in these labels.
    q = rotateLabels(q, 2);
    std::tie(x0, x1) = std::pair(W - x1, W - x0);
    std::tie(y0, y1) = std::pair(H - y1, H - y0);
    cy = H - cy;
  }
  const double bw = x1 - x0;
  // The line's length in characters says the format: 3 lines are TD1; the
  // band's length in pitches (the characters counted on its line) tells 36
  // from 44 when it is within 1.5 of either (a quad made too wide by a thumb
  // or the surface's grain does not change it); else, the band cut, the
  // card's width in pitches (41 and 47-49), else the line's length in
  // character heights (38 and 47).
  int chars = 44;
  const double counted = band->step_pitch > 0 ? bw / band->step_pitch : band->pitch > 0 ? bw / band->pitch : 0;
  if (band->lines >= 3) {
    // Three lines of a TD1 have 33.7 pitches across the card; more is a
    // two-line band joined with a line of print: no sure anchor.
    if (band->pitch > 0 && W / band->pitch > 37.5) return std::nullopt;
    chars = 30;
  }
  else if (std::abs(counted - 36) < 1.5) chars = 36;
  else if (std::abs(counted - 44) < 1.5) chars = 44;
  else if (band->pitch > 0) chars = W / band->pitch < 45 ? 36 : 44;
  else chars = bw / std::max(1.0, band->line_height) < 42 ? 36 : 44;
  const Format& f = formatFor(chars);
  // Scale across: the quad's own width when the band lies within it (its side
  // edges are then the card's), else the band's length.
  const bool inside = x0 >= 0 && x1 <= W;
  double ppm_x = inside ? W / f.width : bw / (chars * kPitchMm - 0.4);
  if (inside && chars == 44) ppm_x = W / (0.5 * (kFormats[2].width + kFormats[3].width));
  // Scale down: the quad's aspect may be wrong (that is why it is here), so
  // from the lines' spacing (4.25 mm), when it agrees roughly with across.
  double ppm_y = ppm_x;
  if (band->lines >= 2) {
    const double spacing = (band->box.height - band->line_height) / (band->lines - 1);
    const double v = spacing / 4.25;
    if (v > 0.8 * ppm_x && v < 1.25 * ppm_x) ppm_y = v;
  }
  std::array<double, 4> at{0, W, H, 0};  // top y, right x, bottom y, left x (probe)
  std::array<double, 4> range_mm{};
  std::array<bool, 4> moved{};
  // Sides moved on strong evidence from the band (a header-cut top, a side
  // run out beside the card): they need to land on an edge, not on one as
  // clear as the sides the quad kept.
  std::array<bool, 4> faint{};
  bool by_width = false;  // the top moved by the scale across (below)
  auto move = [&](size_t side, double to, double range) {
    at[side] = to;
    moved[side] = true;
    range_mm[side] = range;
  };
  // Bottom: a fixed gap below the last line. A quad whose bottom runs through
  // the last line or just under it (within half the gap) stopped at the
  // band's crisp lines, short of a faint edge (a white page on a white desk):
  // the band is evidence enough for that edge.
  if (const double want = y1 + f.bottom_gap * ppm_y; std::abs(H - want) > 1.3 * ppm_y) {
    move(2, want, 1.6);
    faint[2] = H - y1 < 0.5 * f.bottom_gap * ppm_y;
  }
  // Sides: the margins are 4 mm or more; a side at or inside the line's end
  // cut the band (a thumb, glare): the format's margin beyond the end.
  const double margin = chars == 44 ? 0.5 * (kFormats[2].side_margin + kFormats[3].side_margin) : f.side_margin;
  if (x0 < 1.5 * ppm_x) move(3, x0 - margin * ppm_x, 2.2);
  if (x1 > W - 1.5 * ppm_x) move(1, x1 + margin * ppm_x, 2.2);
  // A side 3 mm or more beyond the widest margin of any format with this
  // line length ran onto a thumb, a shadow or the surface's grain beside the
  // card: the format's margin from the line's end, kept only on a clear edge
  // when within 6 mm (the band's end may be short by a few filler chevrons
  // lost under the threshold), on a faint one beyond (a pale card's side on
  // grey or grained surface, beside the crisp top and bottom the quad kept).
  const double widest = chars == 44 ? kFormats[2].side_margin : f.side_margin;
  if (x0 > (widest + 3) * ppm_x) {
    move(3, x0 - margin * ppm_x, 2.2);
    faint[3] = x0 > (widest + 6) * ppm_x;
  }
  if (W - x1 > (widest + 3) * ppm_x) {
    move(1, x1 + margin * ppm_x, 2.2);
    faint[1] = W - x1 > (widest + 6) * ppm_x;
  }
  // Top: when the height is far from every format with this line (20%): the
  // vertical scale is the least sure figure here. A quad 7-20% too short
  // stopped at the header band's lower line, which is crisper than the card's
  // own top edge; that move is checked against a lower edge floor below.
  {
    // TD3 and MRV-A share the line length but not its margins (6.6 and 4.1
    // mm to the side edges): when the band lies inside the quad and its nearer
    // end clearly shows one of them, only that format's height counts, so a
    // page cut at its header band is not taken for a visa's height.
    auto ruledOut = [&](const Format& g) {
      if (chars != 44 || !inside) return false;
      const Format& other = &g == &kFormats[2] ? kFormats[3] : kFormats[2];
      const double gap = std::min(x0, W - x1) / ppm_x, off = std::abs(gap - g.side_margin);
      return off > 1.2 && off > std::abs(gap - other.side_margin);
    };
    // The top of the nearest format's height at `ppm` pixels a mm, and how
    // far the quad's top is from it.
    auto nearestTop = [&](double ppm) {
      double best = 0, err = 1e300;
      for (const Format& g : kFormats) {
        if (g.chars != chars || ruledOut(g)) continue;
        const double want = at[2] - g.height * ppm;
        if (std::abs(want) < err) err = std::abs(want), best = want;
      }
      return std::pair{best, err};
    };
    const auto [best, err] = nearestTop(ppm_y);
    if (err > 0.2 * f.height * ppm_y) move(0, best, 3.0);
    else if (best < 0 && err > 0.07 * f.height * ppm_y) move(0, best, 3.0), faint[0] = true;
    else if (inside && !moved[1] && !moved[3]) {
      // A quad cut short across the card (at a line of its print, the card's
      // own top faint on a pale desk) gets its perspective, and so its aspect,
      // wrong: the probe is squashed down, the lines' spacing with it, and the
      // height looks right against that spacing. When the band's ends lie at
      // the format's margins from both sides, the sides are the card's and so
      // is the scale across: against it, the quad is 7% or more short of the
      // format's height (td2 of seed 6161, 0057: 11%; its spacing said 4%).
      // The edge must be there. (A side moved in off the surface leaves the
      // quad's width no scale: mrvb-photo-s21-0156 lost its right side.)
      const auto [best_x, err_x] = nearestTop(ppm_x);
      if (best_x < 0 && err_x > 0.07 * f.height * ppm_x) move(0, best_x, 3.0), faint[0] = true, by_width = true;
    }
  }
  // A side with the band's outer line beyond it cuts through the MRZ or
  // stops short of it, and the card's edge lies beyond the band: the format
  // puts it there even where no edge shows (a white page on a white desk,
  // blurred), so the move stands without one.
  const double char_w = band->pitch > 0 ? band->pitch : band->line_height;
  const std::array<bool, 4> across_band{false, moved[1] && x1 > W + 2 * char_w,
                                        moved[2] && y1 > H + 0.25 * band->line_height, moved[3] && x0 < -2 * char_w};
  const double ppm = ppm_x;
  Anchored out;
  out.kind = kindOfZone(chars).value_or(Kind::id3);
  // The quad as it is, with the confirmation mrzSide would make on a probe
  // of this very quad: the same pixels, cropped to the card.
  auto asItIs = [&] {
    out.quad = q;
    out.moved = 0;
    const cv::Rect card = cv::Rect(static_cast<int>(std::lround(mx)), static_cast<int>(std::lround(my)),
                                   static_cast<int>(W), static_cast<int>(std::lround(H))) &
                          cv::Rect(0, 0, grey.cols, grey.rows);
    if (const auto b = findMrzBand(grey(card), card.width, card.height)) {
      const double c = flipped ? card.height - b->centre_y : b->centre_y;
      out.side = bandSide(c, card.height);
      out.pitch = b->step_pitch > 0 ? b->step_pitch : b->pitch;
    }
    return out;
  };
  out.moved = static_cast<int>(std::count(moved.begin(), moved.end(), true));
  if (out.moved == 0) return asItIs();
  // Only the top moved by the scale across: a card with this line length
  // but another height (id-synth's French ID card, 105 x 66 mm, read as a
  // TD2) shows no edge there, and is then the quad as it is, as before.
  const bool tentative = by_width && out.moved == 1;
  // Back to input pixels: the probe of the (possibly relabelled) quad.
  const cv::Matx33d back = homography(rect(0, 0, W, H), q);
  const double px_per_probe = shrink;
  const double smooth = std::max(1.0, 0.15 * ppm * px_per_probe);
  // A side moved where no edge is (a document that does not follow the
  // format's layout) goes back: only sides that land on an edge about as
  // clear as the card's other sides stay moved.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Quad probe_quad = rect(moved[3] ? at[3] : 0, moved[0] ? at[0] : 0, moved[1] ? at[1] : W, moved[2] ? at[2] : H);
    Quad moved_quad;
    for (size_t i = 0; i < 4; ++i) moved_quad[i] = apply(back, probe_quad[i]);
    if (!isConvex(moved_quad)) return std::nullopt;
    double range_max = 0;
    for (size_t i = 0; i < 4; ++i)
      if (moved[i]) range_max = std::max(range_max, range_mm[i]);
    const Quad fitted = refine(bgr, moved_quad, std::max(2.0, range_max * ppm * px_per_probe), smooth, moved);
    // Again closer in: the first fit starts up to a few mm off the edge.
    out.quad = refine(bgr, fitted, std::max(2.0, 0.3 * ppm * px_per_probe), smooth, moved);
    std::array<double, 4> step{};
    double kept = 0;
    int kept_n = 0;
    for (size_t i = 0; i < 4; ++i) {
      step[i] = edgeStep(bgr, out.quad[i], out.quad[(i + 1) % 4], 2 * smooth);
      if (!moved[i]) kept += step[i], ++kept_n;
    }
    const double floor = std::max(8.0, kept_n ? 0.4 * kept / kept_n : 0.0);
    bool all_ok = true;
    // The top edge of a card cut at its header band is faint (that is why
    // the band won), and so is a card's side far beyond the band's end.
    const double faint_floor = std::max(12.0, 0.1 * kept / std::max(1, kept_n));
    for (size_t i = 0; i < 4; ++i)
      if (moved[i] && !across_band[i] && step[i] < (faint[i] ? faint_floor : floor)) moved[i] = false, all_ok = false;
    if (all_ok) break;
    out.quad = q;
  }
  out.moved = static_cast<int>(std::count(moved.begin(), moved.end(), true));
  if (out.moved == 0 && tentative) return asItIs();
  return out;
}

std::optional<FrameBand> findFrameBand(const Frame& f) {
  if (f.bgr.empty()) return std::nullopt;
  const double long_side = std::max(f.bgr.cols, f.bgr.rows);
  cv::Mat grey, bh, bin, joined;
  cv::cvtColor(f.bgr, grey, cv::COLOR_BGR2GRAY);
  // Dark print smaller than the kernel: a character at the frame's scale is
  // under 12 px high even on a card that fills the frame.
  const int k = std::max(9, static_cast<int>(long_side / 45) | 1);
  cv::morphologyEx(grey, bh, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  const double otsu = cv::threshold(bh, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::threshold(bh, bin, std::max(18.0, 0.6 * otsu), 255, cv::THRESH_BINARY);
  // The band's characters and lines joined into one block, whatever its angle.
  cv::morphologyEx(bin, joined, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {7, 7}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(joined, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  auto dark = [&](cv::Point2d p) {
    const int x = static_cast<int>(std::lround(p.x)), y = static_cast<int>(std::lround(p.y));
    return x >= 0 && y >= 0 && x < bin.cols && y < bin.rows && bin.at<uchar>(y, x) != 0;
  };
  std::optional<FrameBand> best;
  for (const auto& c : contours) {
    if (c.size() < 4) continue;
    const cv::RotatedRect r = cv::minAreaRect(c);
    const double len = std::max(r.size.width, r.size.height), thick = std::min(r.size.width, r.size.height);
    if (len < 0.12 * long_side || thick < 3 || len < 5 * thick || len > 60 * thick) continue;
    if (cv::contourArea(c) < 0.6 * len * thick) continue;
    if (best && 2 * best->half_length >= len) continue;
    const double a = (r.size.width >= r.size.height ? r.angle : r.angle + 90) * CV_PI / 180;
    cv::Point2d d(std::cos(a), std::sin(a));
    if (d.x < 0 || (d.x == 0 && d.y < 0)) d = -d;
    const cv::Point2d n(-d.y, d.x), centre(r.center);
    // Across the block: the share of dark pixels along each row (half-pixel
    // steps over the middle 80% of its length) shows its text lines as peaks.
    // A block of one line (the lines of a large band stay apart) is looked at
    // again with room for its neighbours, 4.5 times its height either side.
    int rows = 0;
    auto offset = [&](int i) { return -0.5 * (rows - 1) * 0.5 + 0.5 * i; };  // row i across the middle
    std::vector<std::pair<int, int>> runs;
    for (const double reach : {1.0, 4.5}) {
      rows = static_cast<int>(2 * reach * thick) + 1;
      std::vector<double> prof(static_cast<size_t>(rows));
      for (int i = 0; i < rows; ++i) {
        const double v = offset(i);
        int hit = 0;
        for (int s = 0; s < 64; ++s) hit += dark(centre + d * (len * (-0.4 + 0.8 * (s + 0.5) / 64)) + n * v);
        prof[static_cast<size_t>(i)] = hit / 64.0;
      }
      const double top = *std::max_element(prof.begin(), prof.end());
      runs.clear();
      if (top < 0.3) break;
      // Runs above half the highest share: the lines.
      for (int i = 0; i < rows; ++i) {
        if (prof[static_cast<size_t>(i)] < 0.5 * top) continue;
        if (!runs.empty() && runs.back().second >= i - 1) runs.back().second = i;
        else runs.emplace_back(i, i);
      }
      if (runs.size() != 1) break;
    }
    if (runs.size() < 2 || runs.size() > 3) continue;
    std::vector<double> mid;
    for (const auto& [lo, hi] : runs) mid.push_back(0.5 * (lo + hi) * 0.5);
    const double spacing = (mid.back() - mid.front()) / static_cast<double>(mid.size() - 1);
    if (mid.size() == 3 && std::abs((mid[1] - mid[0]) - (mid[2] - mid[1])) > 0.25 * spacing) continue;
    // Line length over spacing: 44 characters 26.2, 36 21.4, 30 (three lines) 17.8.
    const double ratio = len / spacing;
    int chars = 0;
    if (runs.size() == 3) chars = ratio > 14 && ratio < 22 ? 30 : 0;
    else if (ratio > 17.5 && ratio < 23.8) chars = 36;
    else if (ratio >= 23.8 && ratio < 31) chars = 44;
    if (!chars) continue;
    FrameBand b;
    const double v0 = offset(runs.front().first), v1 = offset(runs.back().second);
    b.centre = centre + n * (0.5 * (v0 + v1));
    b.along = d;
    b.across = n;
    b.half_length = 0.5 * len;
    b.half_height = 0.5 * (v1 - v0);
    b.lines = static_cast<int>(runs.size());
    b.chars = chars;
    b.ppm = len / (chars * kPitchMm - 0.4);
    best = b;
  }
  return best;
}

bool confirmFrameBand(const cv::Mat& bgr, const Frame& f, const FrameBand& b) {
  // The probe: the implied card's width (kProbeWidth px) along the band, 0.3
  // of its height on either side of the band's middle.
  const Format& g = formatFor(b.chars);
  const double hu = 0.5 * g.width * b.ppm, hv = 0.3 * g.height * b.ppm;
  const double k = 1 / f.scale;
  auto at = [&](double u, double v) { return (b.centre + b.along * u + b.across * v) * k; };
  const Quad from{at(-hu, -hv), at(hu, -hv), at(hu, hv), at(-hu, hv)};
  const double W = kProbeWidth, H = W * (2 * hv) / (2 * hu);
  const cv::Matx33d m = homography(from, rect(0, 0, W, H));
  const cv::Mat grey = warpGrey(bgr, m, cv::Size(static_cast<int>(W), static_cast<int>(std::lround(H))), 2 * hu * k / W);
  if (grey.empty()) return false;
  const auto band = findMrzBand(grey, W, W * g.height / g.width);
  if (!band || band->pitch <= 0) return false;
  // As long as the frame's line, as many pitches as its characters, and
  // ending inside the probe: a line seen in part on the frame (broken by a
  // gap in its print) is cut by the probe of the card it implies.
  const double pitches = band->box.width / band->pitch, want = W * (b.chars * kPitchMm - 0.4) / g.width;
  const double inset = std::min<double>(band->box.x, W - band->box.x - band->box.width);
  return std::abs(pitches - b.chars) < 2.5 && std::abs(band->box.width - want) < 0.12 * want && inset > 0.015 * W;
}

std::vector<Quad> bandCards(const FrameBand& b) {
  std::vector<Quad> out;
  for (const Format& g : kFormats) {
    if (g.chars != b.chars) continue;
    const double hw = 0.5 * g.width * b.ppm;
    for (const double side : {1.0, -1.0}) {
      // The card lies on `side` of the band (across): its far edge a format's
      // height away from the edge below the last line.
      const double near = -side * (b.half_height + g.bottom_gap * b.ppm);
      const double far = near + side * g.height * b.ppm;
      auto at = [&](double u, double v) { return b.centre + b.along * u + b.across * v; };
      std::array<cv::Point2d, 4> pts{at(-hw, near), at(hw, near), at(hw, far), at(-hw, far)};
      out.push_back(orderQuad(pts));
    }
  }
  return out;
}

bool bandFits(const FrameBand& b, const Quad& q, double lo, double hi) {
  if (!isConvex(q)) return false;
  std::vector<cv::Point2f> poly;
  for (const auto& p : q) poly.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
  const double slack = 0.05 * b.half_length;
  for (const double su : {-1.0, 1.0})
    for (const double sv : {-1.0, 1.0}) {
      const cv::Point2d p = b.centre + b.along * (su * b.half_length) + b.across * (sv * b.half_height);
      if (cv::pointPolygonTest(poly, cv::Point2f(static_cast<float>(p.x), static_cast<float>(p.y)), true) < -slack)
        return false;
    }
  const double a = area(q);
  for (const Quad& c : bandCards(b))
    if (const double r = a / area(c); r >= lo && r <= hi) return true;
  return false;
}

}  // namespace idkit::deskew::detail
