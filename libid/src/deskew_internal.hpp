// Pieces of deskew shared between its source files (not a public API).
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include <cstdlib>

#include <opencv2/core.hpp>

#include <idkit/deskew.hpp>

namespace idkit::face {
struct Models;
}

namespace idkit::deskew::detail {

// Nested hypotheses, shared by detection's container step (deskew_detect.cpp)
// and the pick of the outermost document (deskew.cpp): a hypothesis is
// document-shaped from an aspect fit of kDocumentShape; an outer one
// kContainerGrowth times larger or more scoring kContainerShare of the inner
// one is the card around a crisp part of it; a smaller outer one needs
// kFringeShare, or it is the inner one plus a fringe.
constexpr double kDocumentShape = 0.8, kContainerGrowth = 1.6, kContainerShare = 0.84, kFringeShare = 0.93;

// The downscaled copy detection works on.
struct Frame {
  cv::Mat bgr;              // smoothed
  cv::Mat gx, gy, mag;      // CV_32F colour gradient (strongest channel)
  cv::Mat edges_strong, edges_weak;
  cv::Mat edge_integral;    // of edges_weak
  double edge_threshold = 20;
  double scale = 1;         // frame = input * scale
  cv::Vec3i border_bgr;     // median colour of the frame's border (mostly background)
  double border_cut = 0;    // fromBorder beyond which a pixel is unlike the border (0: no border)
  bool plain_border = false;  // the border shows no texture (a plain desk or page)
  mutable std::optional<bool> band_across;  // bandAcrossFrame's answer, once asked
};

// Whether an MRZ band runs across the frame's width (mrzSide of the frame
// itself: a data page cropped to its own edges), searched once a frame.
bool bandAcrossFrame(const Frame& f);

// The value num/den of the way up v: its (v.size() * num / den)-th smallest
// (0-based; v is reordered; num < den, v not empty). The medians and upper
// percentiles of detection and orientation.
template <class T>
T fractile(std::vector<T>& v, std::size_t num, std::size_t den) {
  const auto at = v.begin() + static_cast<std::ptrdiff_t>(v.size() * num / den);
  std::nth_element(v.begin(), at, v.end());
  return *at;
}

// How far a colour lies from the frame's border colour: BGR with chroma
// weighted up (Lab would be nicer but its 8-bit tables cost a lot on first
// use in every thread).
inline uchar fromBorder(const Frame& f, const cv::Vec3b& p) {
  const int db = p[0] - f.border_bgr[0], dg = p[1] - f.border_bgr[1], dr = p[2] - f.border_bgr[2];
  const int luma = (db + 2 * dg + dr) / 4;
  const int c1 = dr - dg, c2 = db - dg;
  return cv::saturate_cast<uchar>(std::abs(luma) + 1.5 * (std::abs(c1) + std::abs(c2)));
}

// The share of points a little outside `q` (frame pixels) that look like the
// frame's border: a document lies on the page or desk, a part of it (the
// portrait, a header band) lies on the document. -1 when the border is too
// varied to tell or most of the ring is off the frame.
double backgroundAround(const Frame& f, const Quad& q);

Frame makeFrame(const cv::Mat& bgr, int detect_side);

// The document's width/height ratio once perspective is undone, and how well
// it fits an ICAO size class (0..1). The camera's principal point is unknown:
// the image centre (an uncropped photo), the quad's own centre (a photo aimed
// at the document, or a crop of one) and no perspective at all (a scan) are
// tried; the hypothesis nearest a size class wins.
struct AspectEstimate {
  double ratio = 0, fit = 0;
};
AspectEstimate documentAspect(const Quad& q, cv::Size image);

struct Scored {
  Quad quad{};
  double total = 0;
  double edges = 0, aspect = 0, aspect_fit = 0, texture = 0;
};
Scored score(const Frame& f, const Quad& q);
// Every hypothesis of the document's outline on the frame, scored (a total of
// 0: no plausible shape).
std::vector<Scored> candidates(const Frame& f);

// A pick with no background around it is a part of a document (a scan's
// portrait or header band, crisper than the card's faint rim on the lid):
// the best hypothesis with a document's shape (aspect fit >= 0.8), edges
// along its sides (>= 0.4) and at least a quarter of the pick's score that
// holds it, 1.6 times its area or more, and lies on background (0.75 of
// the ring around it). `scored` best first; nullptr when none.
const Scored* containerOnBackground(const Frame& f, const std::vector<Scored>& scored, const Scored& pick);

// Moves each side onto the line through the edge points the frame's gradient
// shows across it within +-range px (robust fit): quads from contours, masks
// and line pairs are a few pixels or degrees off, and only an exact quad gets
// the full edge support and aspect ratio a document has.
// `precise` false: a cheaper line fit, for ranking many hypotheses before the
// best few are snapped precisely.
Quad snapToEdges(const Frame& f, const Quad& q, int range, bool precise = true);

// A hypothesis whose sides show edges and whose inside is printed but whose
// shape is no document's has one side on something else: a thumb or a shadow
// joined to the outline, or an inner frame. Every combination of the sides'
// own places and the best-supported parallel edges within reach that has a
// document's aspect is scored; the best if it beats `q`.
std::optional<Quad> reshapeSides(const Frame& f, const Quad& q);
// A pick with print beyond one of its sides (kPrintBeyond of the density
// just inside, in strips kPrintStrip of the way across) is part of a card
// whose own edge is faint: the sides so crossed move out up to kWidenFar of
// the way across, the others up to kWidenNear, onto parallel edges
// (support >= kWidenSupport); the best document-shaped quad that scores
// kWidenGain times the pick or more (frame pixels), scored; nullopt when none.
std::optional<Scored> widenToOutline(const Frame& f, const Quad& q);

// A card whose faint rim lost to a crisp part of it (the portrait's frame, a
// colour band, a text block) lies around that part, its sides about parallel
// to the part's: each side of `part` may move outwards onto one of the
// best-supported parallel edges up to the frame's border (or stay), and of the
// combinations with a document's shape (aspect fit >= 0.8) and 1.6 times the
// part's area or more, the best-scoring one is the container.
std::optional<Quad> containerAround(const Frame& f, const Quad& part);
// Whether `part`, shaped like a portrait, cannot be the portrait of `card`:
// it lies along the card's long side, away from both short sides, or covers
// more than a third of it (every layout idkit knows stands the portrait
// across the card near one short side). False for a part of another shape.
bool notItsPortrait(const Quad& part, const Quad& card);

// Moves a side outwards onto a parallel edge when one lies beyond it: a strong
// inner border (MRZ zone, header band) is often chosen over a faint card edge.
Quad growToOuterEdges(const Frame& f, const Quad& q);

// Moves each side of `q` (input pixels) onto the strongest nearby edge along
// its normal (within +-range px) and intersects the fitted lines; `sides`
// says which sides may move (side i runs from corner i to corner i + 1).
Quad refine(const cv::Mat& bgr, const Quad& q, double range, double smooth,
            std::array<bool, 4> sides = {true, true, true, true});
// Replaces a side of `q` (input pixels) by the line, its ends each within
// 0.15 of the quad's shortest side of the side's own, that shows an edge along
// clearly more of its length (a side tilted onto a thumb, a grain line or an
// MRZ band at one end, or lying on a shadow beyond the card). A line with both
// ends well inside, or one that spoils the quad's document shape, is an inner
// band's border and is not taken. A side on a crisp line of the card's print
// with the card's edge as crisp a little beyond it (a visa's MRZ strip) moves
// out onto that edge when the quad becomes a clearly better document shape.
// `smooth`: as for refine.
Quad straighten(const cv::Mat& bgr, const Quad& q, double smooth);

// An MRZ band in a grey image whose text lines run along x: the union box of
// its two or three lines, their count, mean centre, height and character pitch
// (0 when the characters could not be counted).
struct MrzBand {
  cv::Rect box;
  int lines = 0;
  double centre_y = 0, line_height = 0, pitch = 0;
  // The median step between neighbouring characters (0 when fewer than 20
  // were counted): the size class's pitch, which blur and a thumb over the
  // line do not lengthen.
  double step_pitch = 0;
};
// `card_w` and `card_h` are the document's expected size in the image's pixels:
// line width and height limits are relative to it (an image wider than the
// card still has the band). Tuned for a card about 640 px wide.
std::optional<MrzBand> findMrzBand(const cv::Mat& grey, double card_w, double card_h);

// Which side of a card `card_h` high a band centred at `centre_y` lies on:
// +1 the bottom (below 55%), -1 the top (above 45%), 0 the middle.
inline int bandSide(double centre_y, double card_h) {
  return centre_y > 0.55 * card_h ? 1 : centre_y < 0.45 * card_h ? -1 : 0;
}

// The card's width in anchorToMrz's probe: what findMrzBand is tuned for.
inline constexpr int kProbeWidth = 640;

// The MRZ as an anchor for the sides of `q` (input pixels, landscape labels):
// ICAO 9303 fixes where the band sits on each format (a line of 30, 36 or 44
// characters 2.54 mm apart, the last line a few mm above the bottom edge,
// centred across the width), so a side that stopped at the band's top line, cut
// through it or missed it altogether is moved to where the format puts the
// edge and fitted to the edge found there. Returns the new quad with the band
// at its bottom (labels turned when it was at the top) and the size class the
// line length says; nullopt when no band lies on or next to `q`.
struct Anchored {
  Quad quad;
  Kind kind = Kind::id1;
  int moved = 0;  // sides moved
  // When no side moved, the card is the one the probe rectified: mrzSide's
  // answer on the probe cropped to the card (+1 band along the bottom in the
  // returned labels, -1 along the top, 0 none or in the middle) and the band's
  // character pitch there (probe pixels, the card kProbeWidth wide), so the
  // caller needs no second warp to confirm the band.
  int side = 0;
  double pitch = 0;
};
// `band_seen` (optional) says whether any band was found in or around the
// quad at all: when not, the flat card has none either and its orientation
// needs no second MRZ search.
std::optional<Anchored> anchorToMrz(const cv::Mat& bgr, const Quad& q, bool allow_outside,
                                    bool* band_seen = nullptr);

// An MRZ band found on the detection frame itself, whatever way the card lies
// and whatever quad was picked: two or three long, dark, parallel text lines
// of one length, spaced as ICAO spaces them (4.25 mm). Frame pixels.
struct FrameBand {
  cv::Point2d centre;        // of the band
  cv::Point2d along, across; // unit vectors along its lines and across them
  double half_length = 0;    // half the longest line
  double half_height = 0;    // from the centre to the outer edge of the outer lines
  int lines = 0, chars = 0;  // the line length in characters (30, 36 or 44)
  double ppm = 0;            // frame pixels per mm
};
std::optional<FrameBand> findFrameBand(const Frame& f);
// The outlines the band implies (frame pixels): for each ICAO format with its
// line length, the card lying on either side of it.
std::vector<Quad> bandCards(const FrameBand& b);
// Whether the band is an MRZ at the input's resolution (`bgr`, the frame's
// source): findMrzBand on a probe of it, straightened and scaled as the
// card it implies, finds two or three lines whose length in counted
// character pitches is the frame's line length (within 2.5), as long as the
// frame's line (12%) and ending inside the probe (a line seen only in part
// on the frame implies a card too small, whose probe cuts the band).
bool confirmFrameBand(const cv::Mat& bgr, const Frame& f, const FrameBand& b);
// Whether `q` (frame pixels) agrees with the band: the band lies inside it and
// its area is within [lo, hi] times that of an outline the band implies.
bool bandFits(const FrameBand& b, const Quad& q, double lo = 0.55, double hi = 1.7);

// `src` seen through `m` (source -> output pixels) at `size`, grey, for the
// MRZ probes: only the part of `src` the output sees is converted, and a
// source over 2.5 times finer (`shrink`) is averaged 2 x 2 first.
cv::Mat warpGrey(const cv::Mat& src, const cv::Matx33d& m, cv::Size size, double shrink);

// An MRZ band on a flat card whose band the anchor's probe did not see,
// searched again with a line cut in pieces (a thumb, a glare spot) joined:
// `side` +1 along the bottom (upright), -1 along the top, 0 none or in the
// middle (orientWithoutMrz's "mrz-pieces"); `pitch` the characters' pitch in
// the card's pixels, the median step between neighbours (a hidden stretch of
// the line left out), 0 when fewer than 20 were counted.
struct PiecedBand {
  int side = 0;
  double pitch = 0;
};
PiecedBand piecedMrzBand(const cv::Mat& flat_bgr);
// orientLandscape without its MRZ cue, for a card already searched for one.
// `pieced` (optional) holds the card's pieced band once searched: the cue
// uses it as it is, or searches and keeps it there for the size class.
Orientation orientWithoutMrz(const cv::Mat& flat_bgr, std::optional<PiecedBand>* pieced = nullptr);
// The portrait's face cue with `models`' detector (orientWithoutMrz uses the
// process's: YuNet, else face-api's): +1 upright, -1 upside down, 0 no answer.
int faceSideWith(const face::Models& models, const cv::Mat& flat_bgr, double* conf_out);
// Empty when a face detector is installed for the portrait cue; else why
// none is (a warning for the record: orientation then goes without it).
std::string faceCueMissing();
// A licence back's layout on a flat card (grey): its PDF417 block printed
// near the top edge, +1 upright, -1 upside down, 0 none or unclear
// (orientWithoutMrz's "pdf417-layout").
int pdf417LayoutSide(const cv::Mat& grey);

}  // namespace idkit::deskew::detail
