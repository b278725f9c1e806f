// deskew: detect -> refine -> orient -> flatten, and writing the flat card.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <numbers>
#include <span>

#include <fcntl.h>
#include <unistd.h>

#include <opencv2/imgproc.hpp>

#include <idkit/error.hpp>

#include "deskew_internal.hpp"

namespace idkit::deskew {

Json Document::toJson() const {
  Json q = Json::array();
  for (const auto& p : quad) q.push_back({std::round(p.x * 10) / 10, std::round(p.y * 10) / 10});
  Json j{{"quad", std::move(q)},
         {"rotation", rotation},
         {"kind", std::string(toString(kind))},
         {"confidence", std::round(confidence * 1000) / 1000},
         {"orientation_cue", orientation_cue}};
  if (!warnings.empty()) j["warnings"] = warnings;
  return j;
}

namespace {

Quad scaled(const Quad& q, double k) {
  Quad r;
  for (size_t i = 0; i < 4; ++i) r[i] = q[i] * k;
  return r;
}

// Flat landscape target corners of a w x h image.
Quad target(cv::Size s) {
  return {cv::Point2d(0, 0), cv::Point2d(s.width, 0), cv::Point2d(s.width, s.height), cv::Point2d(0, s.height)};
}

cv::Mat warp(const cv::Mat& bgr, const Quad& q, cv::Size out) {
  cv::Mat flat;
  // Shrinking a large photo of the card more than twice in one bilinear warp
  // aliases fine print (and the MRZ); warp at twice the size, then average.
  const double side = cv::norm(q[1] - q[0]);
  if (side > 2.5 * out.width) {
    const cv::Size big(out.width * 2, out.height * 2);
    cv::warpPerspective(bgr, flat, cv::Mat(homography(q, target(big))), big, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::resize(flat, flat, out, 0, 0, cv::INTER_AREA);
  } else {
    cv::warpPerspective(bgr, flat, cv::Mat(homography(q, target(out))), out, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  return flat;
}

// A reshaped outline inside a card-shaped hypothesis scoring this share of it
// is an inner frame of that card.
constexpr double kInnerOfCard = 0.5;

// The area two convex quads share.
double intersection(const Quad& a, const Quad& b) {
  const double j = iou(a, b);
  return j * (area(a) + area(b)) / (1 + j);
}

// Whether any two picks overlap (a card and its own portrait, two hypotheses of one card).
bool overlaps(const Quad& a, const Quad& b) {
  if (!isConvex(a) || !isConvex(b)) return true;
  if (iou(a, b) > 0.05) return true;
  // Containment: the IoU of a small quad inside a big one is small too.
  return intersection(a, b) > 0.2 * std::min(area(a), area(b));
}

// On a page of several documents, an outline around `inner` that takes in
// (whole or in part) another hypothesis beside `inner`, at least 0.6 times
// its size, with a document's shape and a better score than the outline,
// spans two cards side by side: it is no card around a crisp part of itself.
bool spansAnother(const std::vector<detail::Scored>& scored, const detail::Scored& inner, const detail::Scored& outer) {
  if (&outer == &inner) return false;
  const double a = area(inner.quad);
  for (const auto& o : scored) {
    if (o.total <= outer.total) break;
    if (o.aspect_fit < detail::kDocumentShape || area(o.quad) < 0.6 * a || overlaps(o.quad, inner.quad)) continue;
    if (intersection(o.quad, outer.quad) > 0.05 * area(o.quad)) return true;
  }
  return false;
}

// A document's own printed frames (the zone above an MRZ, a header band, the
// portrait's border) are rectangles inside it, often with edges as crisp as
// its own: of nested hypotheses that both look like a document, the outermost
// is the document.
const detail::Scored& outermost(const std::vector<detail::Scored>& scored, const detail::Scored& inner) {
  const detail::Scored* cur = &inner;
  for (bool moved = true; moved;) {
    moved = false;
    const double a = area(cur->quad);
    for (const auto& s : scored) {
      // Nearly as good on every count: grain, a shadow or a thumb beyond the
      // card make an outer quad too, with weaker edges. One 1.6 times as large
      // or more with a document's shape (aspect fit kDocumentShape) is no such fringe but
      // the card around a crisp inner part of it (its text block beside the
      // portrait column, a scan's portrait): 0.84 of the scores is enough.
      if (&s == cur || s.aspect_fit < 0.5) continue;
      const double b = area(s.quad);
      if (b < 1.08 * a) continue;
      const double share = b >= detail::kContainerGrowth * a && s.aspect_fit >= detail::kDocumentShape
                              ? detail::kContainerShare
                              : detail::kFringeShare;
      if (s.total < share * cur->total || s.edges < share * cur->edges) continue;
      if (intersection(s.quad, cur->quad) < 0.92 * a) continue;
      cur = &s;
      moved = true;
      break;
    }
  }
  return *cur;
}

// A fringe beyond the card (a side run out onto a clutter object's edge or
// the desk's grain past a thumb) makes an outline a little larger than the
// card's, with weaker edges (a side leaves the card's edge part of the way),
// that can still score best on the grain's texture inside it or on a shape
// weighted higher than the card's own (an ID-1 against an MRV-A). A nested
// hypothesis of kTrimArea of its area, scoring below it but kTrimShare of
// it, with edges along its sides kTrimEdges better and a document's shape
// close to a size class (aspect fit kTrimShape: a page cut at its header
// band is further off) is the card. When `outer` was reached from a
// better-scoring `inner` (by `outermost` or the container step: a card around
// its crisp part), the card lies between the two: it holds `inner` too.
constexpr double kTrimEdges = 0.04, kTrimShare = 0.95, kTrimShape = 0.88;
constexpr std::array<double, 2> kTrimArea{0.7, 0.95};
const detail::Scored& trimFringe(const std::vector<detail::Scored>& scored, const detail::Scored& outer,
                                 const detail::Scored& inner) {
  const detail::Scored* best = &outer;
  const double a = area(outer.quad), a_inner = area(inner.quad);
  for (const auto& s : scored) {
    if (s.total < kTrimShare * outer.total) break;
    if (&s == &outer || s.total > outer.total || s.aspect_fit < kTrimShape || s.edges < outer.edges + kTrimEdges) continue;
    const double b = area(s.quad);
    if (b < kTrimArea[0] * a || b > kTrimArea[1] * a || !isConvex(s.quad)) continue;
    if (intersection(s.quad, outer.quad) < 0.97 * b) continue;
    if (&inner != &outer && intersection(s.quad, inner.quad) < 0.97 * a_inner) continue;
    if (best == &outer || s.total > best->total) best = &s;
  }
  return *best;
}

// A pick within this Jaccard index of an outline its frame's MRZ band implies
// agrees with the band; one from kBandNear on lies on the same side of it.
constexpr double kBandAgrees = 0.95, kBandNear = 0.7;
// Outlines this close (Jaccard index) are one.
constexpr double kSameOutline = 0.99;

// Character pitches across a card below which it is an ID-1 (33.7; ID-2 41.3),
// and below which a wider one is an ID-2 (41.3; ID-3 and MRV-A 47-49).
constexpr double kId1Pitches = 37.5;
constexpr double kId2Pitches = 45.0;
// The aspect ratio above which a card without an MRZ read is an ID-1 (1.586):
// halfway (geometric mean) to the widest ID-3 size class, the MRV-A visa
// (120 x 80 mm, 1.50; ID-2 and ID-3 1.42). At 1.5 every other MRV-A whose band
// was blurred away was made an ID-1.
constexpr double kId1Ratio = 1.54;

// The MRZ band a card's way up was read from: its character pitches counted
// across the card (0 when not counted), the size class the anchor's line
// length gave (36 or 44 characters) when the anchor placed it, and whether its
// lines were joined from pieces (a thumb, a glare spot).
struct BandPitch {
  double pitches = 0;
  std::optional<Kind> anchored;
  bool pieced = false;
};

// The size class from the card's shape (`shaped`: ID-1, or ID-3 for the
// shape ID-2 and ID-3 share) and its MRZ band's pitch, whole or pieced
// (ID-1 33.7 pitches across the card, ID-2 41.3, ID-3 and MRV-A 47-49).
Kind sizeClass(Kind shaped, const BandPitch& band) {
  const Kind by_pitch = band.pitches < kId1Pitches ? Kind::id1 : band.pitches < kId2Pitches ? Kind::id2 : Kind::id3;
  if (band.anchored) {
    // A two-line band says 36 or 44 characters (ID-2, ID-3); on a card with
    // ID-1 proportions (1.59; MRV-A is 1.50) it is no ICAO layout and the
    // card's shape wins, unless the pitch says a wider card: an MRV-A seen at
    // a slant fits ID-1's ratio too.
    const bool id1_pitch = !(band.pitches > 0) || by_pitch == Kind::id1;
    return shaped == Kind::id1 && *band.anchored != Kind::id1 && id1_pitch ? Kind::id1 : *band.anchored;
  }
  if (!(band.pitches > 0)) return shaped;
  // A band cut in pieces is no anchor, but its pitch still tells an ID-2 from
  // an ID-3 (their shape is one).
  if (band.pieced) return shaped == Kind::id3 && by_pitch == Kind::id2 ? Kind::id2 : shaped;
  return by_pitch;
}

int rotationOf(const Quad& q) {
  const cv::Point2d top = q[1] - q[0];
  const double deg = std::atan2(top.y, top.x) * 180 / std::numbers::pi;  // clockwise on screen
  const int quarter = static_cast<int>(std::lround(deg / 90.0));
  return ((quarter * 90) % 360 + 360) % 360;
}

// A document found, with the flat card its orientation was read from when
// that card is what flatten() at opts.dpi would give (saves a second warp).
struct Found {
  Document doc;
  cv::Mat card;
  bool band_seen = true;  // an MRZ band in or around the quad (or not looked for)
};

// `others`: the other documents found on the page (input pixels), which the
// MRZ anchor may not move a side onto.
Found finish(const cv::Mat& bgr, Quad q, double edge_score, double aspect_fit, const Options& opts,
             bool anchor = true, std::span<const Quad> others = {}) {
  Found found;
  Document& doc = found.doc;
  double ratio = detail::documentAspect(q, bgr.size()).ratio;
  if (ratio < 1) {
    q = rotateLabels(q, 1);  // long side on top
    ratio = 1 / ratio;
  }
  doc.kind = opts.kind ? *opts.kind : ratio > kId1Ratio ? Kind::id1 : Kind::id3;
  std::optional<detail::Anchored> anchored;
  bool band_seen = true;
  if (opts.orient && anchor) {
    // Sides the edges placed wrong near the MRZ (its top line taken for the
    // card's edge, a visa's MRZ strip left out) move to where ICAO puts them.
    anchored = detail::anchorToMrz(bgr, q, !opts.multi, &band_seen);
    if (anchored && std::any_of(others.begin(), others.end(), [&](const Quad& o) {
          return intersection(anchored->quad, o) > intersection(q, o) + 0.01 * area(q);
        }))
      anchored.reset();
    if (anchored) q = anchored->quad;
    found.band_seen = band_seen;
  }
  if (opts.orient) {
    Orientation o;
    int side = 0;
    double pitch = 0;
    const cv::Size probe = pixelSize(doc.kind, 640.0 / (sizeMm(doc.kind).width / 25.4));
    // No band in or around the quad: none on the flat card either. An anchored
    // band is confirmed on the anchored card: the anchor can lock onto print
    // that is no MRZ, and trusting it turned such a card upside down.
    // A grey probe of only the part of the image it sees, like the anchor's.
    if (band_seen && anchored && anchored->moved == 0) {
      side = anchored->side;  // confirmed on the anchor's own probe of this quad
      pitch = anchored->pitch * probe.width / detail::kProbeWidth;
    } else if (band_seen) {
      const double shrink = std::max(cv::norm(q[1] - q[0]), cv::norm(q[2] - q[3])) / probe.width;
      side = mrzSide(detail::warpGrey(bgr, homography(q, target(probe)), probe, shrink), nullptr, &pitch);
    }
    // The band the card's way up was read from, for its size class.
    BandPitch band;
    Kind shaped = doc.kind;
    cv::Mat card;
    if (anchored && side > 0) {
      // The anchor put the band along the bottom: upright, and the line
      // length gave the size class; the anchored quad's proportions are the shape.
      o = {0, "mrz", 1.0};
      band = {pitch > 0 ? probe.width / pitch : 0, anchored->kind, false};
      shaped = detail::documentAspect(q, bgr.size()).ratio > kId1Ratio ? Kind::id1 : Kind::id3;
    } else if (side != 0) {
      o = {side > 0 ? 0 : 2, "mrz", 1.0};
      band.pitches = pitch > 0 ? probe.width / pitch : 0;
    } else {
      // No MRZ: barcodes and print need the card at a readable resolution
      // (the warp flatten() makes at 300 dpi, kept when that is the output).
      // A band the probe missed may still show whole on this card; else the
      // other cues, the band in pieces among them, searched once.
      card = warp(bgr, q, pixelSize(doc.kind, 300));
      std::optional<detail::PiecedBand> pieced;
      if (const int s = band_seen ? mrzSide(card) : 0; s != 0) o = {s > 0 ? 0 : 2, "mrz", 1.0};
      else o = detail::orientWithoutMrz(card, &pieced);
      if (o.cue != "mrz")
        if (auto w = detail::faceCueMissing(); !w.empty()) doc.warnings.push_back(std::move(w));
      // Only a card of the ID-2 and ID-3 shape has a class the pieced band's
      // pitch can change.
      if (!opts.kind && doc.kind == Kind::id3) {
        if (!pieced) pieced = detail::piecedMrzBand(card);
        if (pieced->side != 0 && pieced->pitch > 0) band = {card.cols / pieced->pitch, std::nullopt, true};
      }
    }
    if (!opts.kind) doc.kind = sizeClass(shaped, band);
    // The card warped for the cues is the flat card when the class it was warped at stood.
    if (!card.empty() && o.quarter_turns == 0 && opts.dpi == 300 && doc.kind == shaped) found.card = card;
    if (o.quarter_turns == 2) q = rotateLabels(q, 2);
    doc.orientation_cue = o.cue;
    doc.confidence = o.confidence;
  } else {
    doc.orientation_cue = "none";
    doc.confidence = 0.5;
  }
  doc.quad = q;
  doc.rotation = rotationOf(q);
  // Reported, never hidden: weak edges, an odd shape or a guessed orientation lower it.
  doc.confidence = std::clamp(edge_score, 0.0, 1.0) * (0.6 + 0.4 * aspect_fit) * (0.5 + 0.5 * doc.confidence);
  return found;
}

// The best few hypotheses that contain `inner` (at least 1.6 times its area,
// nearly all of it inside) and hold an MRZ band within their own outline:
// the first such, refined (input pixels), with its score; nullopt when none.
template <class Refine>
std::optional<std::pair<Quad, detail::Scored>> mrzContainer(const cv::Mat& bgr, const std::vector<detail::Scored>& scored,
                                                            const detail::Scored& inner, const Refine& refined) {
  const double a = area(inner.quad);
  std::vector<const detail::Scored*> tried;
  for (const auto& s : scored) {
    if (tried.size() >= 3 || s.total < 0.25 * inner.total) break;
    if (s.aspect_fit < 0.5 || !isConvex(s.quad)) continue;
    const double b = area(s.quad);
    if (b < 1.6 * a) continue;
    const double j = iou(s.quad, inner.quad);
    if (j * (a + b) / (1 + j) < 0.9 * a) continue;
    // Near-copies of one outline: one probe each.
    if (std::any_of(tried.begin(), tried.end(), [&](const auto* t) { return iou(t->quad, s.quad) > 0.9; })) continue;
    tried.push_back(&s);
    const Quad q = refined(s.quad);
    if (detail::anchorToMrz(bgr, q, false)) return std::pair{q, s};
  }
  return std::nullopt;
}

std::vector<Found> detectFound(const cv::Mat& bgr_in, const Options& opts) {
  if (bgr_in.empty() || bgr_in.cols < 16 || bgr_in.rows < 16) return {};
  cv::Mat bgr = bgr_in;
  if (bgr.type() != CV_8UC3) {
    if (bgr.channels() == 1) cv::cvtColor(bgr_in, bgr, cv::COLOR_GRAY2BGR);
    else if (bgr.channels() == 4) cv::cvtColor(bgr_in, bgr, cv::COLOR_BGRA2BGR);
    else return {};
  }
  const detail::Frame f = detail::makeFrame(bgr, std::max(160, opts.detect_side));
  std::vector<detail::Scored> scored = detail::candidates(f);
  std::erase_if(scored, [](const detail::Scored& s) { return !(s.total > 0); });
  auto byTotal = [](const auto& a, const auto& b) { return a.total > b.total; };
  std::sort(scored.begin(), scored.end(), byTotal);
  // The best distinct hypotheses, snapped onto their edges and scored again:
  // a card's outline found a few pixels off loses to its own crisp portrait
  // until it sits exactly on its edges.
  // Distinct: some corner more than 2% of the frame away (every candidate is
  // ordered by orderQuad, so corners correspond; cheaper than a Jaccard index
  // against each of hundreds of near-copies).
  const double apart = 0.02 * std::max(f.bgr.cols, f.bgr.rows);
  auto same = [&](const Quad& a, const Quad& b) {
    for (size_t i = 0; i < 4; ++i)
      if (cv::norm(a[i] - b[i]) > apart) return false;
    return true;
  };
  // Hypotheses with edges along their sides and print inside, but no
  // document's shape: one side is on a thumb, a shadow or an inner frame.
  // The best few are reshaped side by side onto the parallel edges near them.
  std::vector<Quad> reshaped;
  {
    constexpr int kmax = 3;
    std::vector<Quad> tried;
    for (size_t i = 0; i < std::min<size_t>(40, scored.size()) && static_cast<int>(tried.size()) < kmax; ++i) {
      const auto& s = scored[i];
      if (s.edges < 0.4 || s.texture < 0.5 || s.aspect_fit >= 0.5) continue;
      if (std::any_of(tried.begin(), tried.end(), [&](const Quad& t) { return same(t, s.quad); })) continue;
      tried.push_back(s.quad);
      // A repair of this outline, not another object: most of it stays (and
      // most of its area: not an inner frame), its sides are as well supported, and it beats every hypothesis so far clearly.
      if (const auto r = detail::reshapeSides(f, s.quad); r && iou(*r, s.quad) >= 0.7 && area(*r) >= 0.8 * area(s.quad)) {
        const detail::Scored rs = detail::score(f, *r);
        if (rs.total > 1.05 * scored.front().total && rs.edges >= std::max(0.6, s.edges)) reshaped.push_back(*r);
      }
    }
  }
  std::vector<detail::Scored> snapped;
  for (const auto& s : scored) {
    if (snapped.size() >= 16) break;
    if (std::any_of(snapped.begin(), snapped.end(), [&](const auto& t) { return same(t.quad, s.quad); })) continue;
    snapped.push_back(s);
  }
  // Snapped cheaply to rank them, then the best few again with the precise fit.
  auto snap = [&](const Quad& q, bool precise) {
    const Quad near = detail::snapToEdges(f, q, 8, precise);
    return detail::score(f, precise ? detail::snapToEdges(f, near, 3, true) : near);
  };
  std::vector<detail::Scored> cheap;
  std::vector<std::pair<double, size_t>> rank;
  for (size_t i = 0; i < snapped.size(); ++i) {
    cheap.push_back(snap(snapped[i].quad, false));
    rank.emplace_back(-cheap.back().total, i);
  }
  std::sort(rank.begin(), rank.end());
  // The precise fit decides between near-equal quads; the cheap ranking puts
  // the winner among its best three on every id-synth photo of bench/deskew.sh.
  constexpr size_t kPrecise = 3;
  for (size_t r = 0; r < rank.size(); ++r) {
    const size_t i = rank[r].second;
    snapped[i] = r < kPrecise ? snap(snapped[i].quad, true) : cheap[i];
  }
  scored.insert(scored.end(), snapped.begin(), snapped.end());
  std::sort(scored.begin(), scored.end(), byTotal);
  // A reshaped outline, snapped like the others, must still beat the best of
  // them clearly (else an inner frame the reshaping found could win).
  // Nor may it lie inside a card-shaped hypothesis twice its size or more
  // that scores half as well: it is an inner frame there (a QR code or a
  // portrait reshaped into a small card), not a repaired outline. With an MRZ
  // band across a landscape frame, a small pick is left as it is for the
  // whole-image rule below (a data page cropped to its own edges: its
  // portrait reshaped, inside the page's print below its header band).
  auto insideCard = [&](const detail::Scored& r) {
    const double a = area(r.quad);
    return std::any_of(scored.begin(), scored.end(), [&](const detail::Scored& c) {
      return c.total >= kInnerOfCard * r.total && c.aspect_fit >= detail::kDocumentShape && c.edges >= 0.6 && area(c.quad) >= 2 * a &&
             isConvex(c.quad) && intersection(c.quad, r.quad) >= 0.9 * a;
    }) && !(f.bgr.cols >= f.bgr.rows && detail::bandAcrossFrame(f));
  };
  for (const Quad& q : reshaped) {
    const auto snapped_q = snap(q, true), as_is = detail::score(f, q);
    const auto& s = snapped_q.total >= as_is.total ? snapped_q : as_is;
    if (s.total > 1.05 * scored.front().total && !insideCard(s)) scored.insert(scored.begin(), s);
  }
  constexpr double kFloor = 0.15;
  std::vector<detail::Scored> picks;
  for (const auto& best : scored) {
    if (best.total < kFloor) break;
    const detail::Scored* c = &outermost(scored, best);
    if (opts.multi && spansAnother(scored, best, *c)) c = &best;
    const auto* around = detail::containerOnBackground(f, scored, *c);
    if (around && !(opts.multi && spansAnother(scored, best, *around))) c = around;
    c = &trimFringe(scored, *c, best);
    const detail::Scored& s = *c;
    if (!picks.empty() && (!opts.multi || s.total < 0.5 * picks.front().total)) break;
    if (std::any_of(picks.begin(), picks.end(), [&](const auto& p) { return overlaps(p.quad, s.quad); })) continue;
    picks.push_back(s);
    if (!opts.multi || static_cast<int>(picks.size()) >= opts.max_documents) break;
  }
  std::vector<Found> docs;
  // A data page cropped to its own edges has no outline to find, and its
  // portrait's crisp frame wins instead: when the whole image carries an MRZ
  // band across its width (a photographed card that wide covers a third of
  // the frame or more) and the pick is small, the image is the document.
  // The band's lines run along x, so such an image is landscape like the
  // document (a card photographed upright in a portrait frame has a band
  // across the frame's width too, and the frame is not the card).
  // An MRZ band found on the frame on its own (below), confirmed at the
  // input's resolution once it is needed.
  const auto band = opts.multi ? std::nullopt : detail::findFrameBand(f);
  std::optional<bool> confirmed;
  auto sure = [&] {
    if (!confirmed) confirmed = band && detail::confirmFrameBand(bgr, f, *band);
    return *confirmed;
  };
  const double w = bgr.cols, h = bgr.rows;
  // A band that implies a card far smaller than the frame says the frame is
  // not the document (a visa on a white page, its band across the frame).
  const double fw = f.bgr.cols, fh = f.bgr.rows;
  const Quad frame_whole{cv::Point2d(0, 0), cv::Point2d(fw, 0), cv::Point2d(fw, fh), cv::Point2d(0, fh)};
  if (!opts.multi && (picks.empty() || area(picks.front().quad) < 0.2 * f.bgr.size().area()) && w >= h &&
      detail::bandAcrossFrame(f) && !(band && !detail::bandFits(*band, frame_whole) && sure())) {
    const Quad whole{cv::Point2d(0, 0), cv::Point2d(w, 0), cv::Point2d(w, h), cv::Point2d(0, h)};
    docs.push_back(finish(bgr, whole, 0.5, detail::documentAspect(whole, bgr.size()).fit, opts, false));
    return docs;
  }
  // An MRZ band found on the frame on its own says where the card is: a pick
  // that does not hold it, or is far larger or smaller than the card it
  // implies, is some other outline (the whole frame around a white visa on a
  // white desk, a side through the card's print or out into clutter). The
  // best outline that agrees with the band replaces it: a hypothesis, or the
  // outline the band implies, snapped onto the edges near its sides.
  // (`band` is empty with --multi.)
  const int reach = band ? std::max(8, static_cast<int>(std::lround(3 * band->ppm))) : 0;
  auto snappedCard = [&](const Quad& q) {
    return detail::score(f, detail::snapToEdges(f, detail::snapToEdges(f, q, reach, false), 3, true));
  };
  if (band && !picks.empty() && !detail::bandFits(*band, picks.front().quad) && sure()) {
    std::vector<detail::Scored> fits;
    const auto hyp = std::find_if(scored.begin(), scored.end(), [&](const detail::Scored& s) {
      return s.aspect_fit >= 0.5 && detail::bandFits(*band, s.quad);
    });
    if (hyp != scored.end()) fits.push_back(*hyp);
    for (const Quad& q : detail::bandCards(*band))
      if (const auto s = snappedCard(q); detail::bandFits(*band, s.quad)) fits.push_back(s);
    if (!fits.empty()) picks.front() = *std::max_element(fits.begin(), fits.end(), [](const auto& a, const auto& b) {
      return a.total < b.total;
    });
  } else if (band && !picks.empty()) {
    // A pick that holds the band but is none of the outlines it implies: a
    // side ran on along a glare streak or a shadow past the card's corner
    // (its shape then another size class's). The implied outline on the
    // pick's side, snapped onto its edges, replaces it where it scores better.
    const detail::Scored& pick = picks.front();
    std::vector<Quad> near;
    bool agrees = false;
    for (const Quad& q : detail::bandCards(*band)) {
      const double j = iou(q, pick.quad);
      agrees = agrees || j >= kBandAgrees;
      if (j >= kBandNear) near.push_back(q);
    }
    // Only where the pick's shape is another size class's than the band's.
    const double ratio = detail::documentAspect(pick.quad, f.bgr.size()).ratio;
    const bool id1_shape = std::max(ratio, 1 / ratio) > kId1Ratio;
    agrees = agrees || id1_shape == (band->chars == 30);
    if (!agrees && !near.empty() && sure()) {
      const detail::Scored* best = &pick;
      std::vector<detail::Scored> cards;
      for (const Quad& q : near) cards.push_back(snappedCard(q));
      for (const auto& c : cards)
        if (c.total > best->total) best = &c;
      if (best != &pick) picks.front() = *best;
    }
  }
  const double k = 1 / f.scale;
  auto refined = [&](const Quad& frame_quad) {
    Quad q = scaled(detail::growToOuterEdges(f, frame_quad), k);
    q = detail::refine(bgr, q, 2.5 * k + 2, std::max(1.0, 0.7 * k));
    q = detail::refine(bgr, q, std::max(2.0, 0.8 * k), std::max(1.0, 0.5 * k));
    const Quad s = detail::straighten(bgr, q, std::max(1.0, 0.5 * k));
    return s == q ? q : detail::refine(bgr, s, std::max(2.0, 0.8 * k), std::max(1.0, 0.5 * k));
  };
  // Several documents: the other picks (input pixels), which the MRZ anchor
  // of one may not move a side onto (a white card's faint top edge on a white
  // page gave way to the bottom edge of the passport above it).
  std::vector<Quad> others;
  if (opts.multi)
    for (const auto& p : picks) others.push_back(scaled(p.quad, k));
  for (size_t i = 0; i < picks.size(); ++i) {
    const auto& p = picks[i];
    const Quad rq = refined(p.quad);
    std::vector<Quad> beside = others;
    if (!beside.empty()) beside.erase(beside.begin() + static_cast<std::ptrdiff_t>(i));
    Found found = finish(bgr, rq, p.edges, p.aspect_fit, opts, true, beside);
    // Two picks apart in the frame, both parts of one card (its MRZ zone and
    // the print above it), can each refine and anchor to the whole card: it
    // is found once.
    if (opts.multi && std::any_of(docs.begin(), docs.end(),
                                  [&](const Found& d) { return overlaps(d.doc.quad, found.doc.quad); }))
      continue;
    docs.push_back(std::move(found));
    if (opts.multi || !opts.orient || docs.back().band_seen) continue;
    // No MRZ band in or around the pick. A visa sticker on a white page shows
    // its portrait's frame more clearly than its own outline, and the
    // portrait has a document's proportions too; the sticker (MRV-A 120 x 80
    // mm, MRV-B 105 x 74 mm) has its band along its bottom edge. So a larger
    // hypothesis around the pick that holds a band is the document.
    if (const auto outer = mrzContainer(bgr, scored, p, refined)) {
      Found again = finish(bgr, outer->first, outer->second.edges, outer->second.aspect_fit, opts);
      if (again.doc.orientation_cue == "mrz") {
        docs.back() = std::move(again);
        continue;
      }
    }
    // Nor a larger outline with a band: where print runs on past the pick's
    // sides, the card's faint edge beyond it (a white card on a white desk).
    // One that refines back onto the pick's quad leaves the pick as it was.
    if (const auto wide = detail::widenToOutline(f, p.quad))
      if (const Quad q = refined(wide->quad); iou(q, rq) < kSameOutline)
        docs.back() = finish(bgr, q, wide->edges, wide->aspect_fit, opts);
  }
  return docs;
}

}  // namespace

std::vector<Document> detect(const cv::Mat& bgr, const Options& opts) {
  std::vector<Document> docs;
  for (auto& f : detectFound(bgr, opts)) docs.push_back(std::move(f.doc));
  return docs;
}

cv::Mat flatten(const cv::Mat& bgr, const Document& doc, double dpi) {
  const cv::Size out = pixelSize(doc.kind, dpi);
  if (bgr.empty() || out.width < 1 || out.height < 1) return {};
  return warp(bgr, doc.quad, out);
}

std::vector<Flat> deskewDecoded(const cv::Mat& decoded, double scale, const RegionDecoder& region,
                                const Options& opts) {
  std::vector<Flat> out;
  if (!(scale > 0) || scale > 1 || decoded.empty()) return out;
  std::vector<Found> found = detectFound(decoded, opts);
  // Documents whose flat card needs more pixels than the decoded copy has
  // (the card's width along its top and bottom sides, in decoded pixels),
  // and the full-size region that covers them all.
  std::vector<bool> needs(found.size(), false);
  cv::Rect roi;
  const double k = 1 / scale;
  for (size_t i = 0; i < found.size(); ++i) {
    const Document& d = found[i].doc;
    const double width = std::min(cv::norm(d.quad[1] - d.quad[0]), cv::norm(d.quad[2] - d.quad[3]));
    if (scale >= 1 || width >= 0.95 * pixelSize(d.kind, opts.dpi).width) continue;
    needs[i] = true;
    std::vector<cv::Point2f> pts;
    for (const auto& p : d.quad) pts.emplace_back(static_cast<float>(p.x * k), static_cast<float>(p.y * k));
    // A few pixels of margin: bilinear sampling reads a neighbour beyond the edge.
    const cv::Rect r = cv::boundingRect(pts) + cv::Size(8, 8) - cv::Point(4, 4);
    roi = roi.empty() ? r : (roi | r);
  }
  const cv::Rect image(0, 0, static_cast<int>(decoded.cols * k), static_cast<int>(decoded.rows * k));
  roi &= image;
  cv::Mat big;
  if (!roi.empty() && region) big = region(roi);
  for (size_t i = 0; i < found.size(); ++i) {
    Flat f;
    f.document = found[i].doc;
    f.document.quad = scaled(found[i].doc.quad, k);
    // Without the region, an upsampled card beats none.
    if (!needs[i] || big.empty()) {
      f.source = decoded;
      f.local = found[i].doc;
    } else {
      f.source = big;
      f.local = f.document;
      for (auto& p : f.local.quad) p -= cv::Point2d(roi.tl());
    }
    f.card = !needs[i] && !found[i].card.empty() ? std::move(found[i].card) : f.flattenAt(opts.dpi);
    out.push_back(std::move(f));
  }
  return out;
}

cv::Mat Flat::flattenAt(double dpi) const { return flatten(source, local, dpi); }

std::filesystem::path reserveOutputPath(const std::filesystem::path& dir, std::string_view stem, std::string_view tag,
                                        std::string_view ext) {
  for (int i = 1; i < 100000; ++i) {
    std::string name(stem);
    name += '.';
    name += tag;
    if (i > 1) name += "-" + std::to_string(i);
    name += ext;
    const std::filesystem::path p = dir / name;
    // O_EXCL: the name is ours alone even with other threads or processes writing beside us.
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return p;
    }
    if (errno != EEXIST) throw Failure("write_failed", "cannot create " + p.string() + ": " + std::strerror(errno));
  }
  throw Failure("write_failed", "no free output name for " + std::string(stem) + " in " + dir.string());
}

}  // namespace idkit::deskew
