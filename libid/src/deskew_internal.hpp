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

struct Scored {
  Quad quad{};
  double total = 0;
  double edges = 0, aspect = 0, aspect_fit = 0, texture = 0;
};
Scored score(const Frame& f, const Quad& q);

// Moves a side outwards onto a parallel edge when one lies beyond it: a strong
// inner border (MRZ zone, header band) is often chosen over a faint card edge.
Quad growToOuterEdges(const Frame& f, const Quad& q);

// Moves each side of `q` (input pixels) onto the strongest nearby edge along
// its normal (within +-range px) and intersects the fitted lines.
Quad refine(const cv::Mat& bgr, const Quad& q, double range, double smooth);

}  // namespace idkit::deskew::detail
