// Pieces of deskew shared between its source files (not a public API).
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/deskew.hpp>

namespace idkit::deskew::detail {

// The downscaled copy detection works on.
struct Frame {
  cv::Mat bgr;              // smoothed
  cv::Mat gx, gy, mag;      // CV_32F colour gradient (strongest channel)
  cv::Mat edges_strong, edges_weak;
  cv::Mat edge_integral;    // of edges_weak
  double edge_threshold = 20;
  double scale = 1;         // frame = input * scale
};

Frame makeFrame(const cv::Mat& bgr, int detect_side);
std::vector<Quad> candidates(const Frame& f);

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

// Moves each side onto the line through the edge points the frame's gradient
// shows across it within +-range px (robust fit): quads from contours, masks
// and line pairs are a few pixels or degrees off, and only an exact quad gets
// the full edge support and aspect ratio a document has.
Quad snapToEdges(const Frame& f, const Quad& q, int range);

// Moves a side outwards onto a parallel edge when one lies beyond it: a strong
// inner border (MRZ zone, header band) is often chosen over a faint card edge.
Quad growToOuterEdges(const Frame& f, const Quad& q);

// Moves each side of `q` (input pixels) onto the strongest nearby edge along
// its normal (within +-range px) and intersects the fitted lines.
Quad refine(const cv::Mat& bgr, const Quad& q, double range, double smooth);

}  // namespace idkit::deskew::detail
