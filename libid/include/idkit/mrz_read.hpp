// Reading the MRZ from an image: find the band (any rotation, any scale, flat
// card or raw photo), rectify each line, segment it by the known pitch and
// classify every cell with the OCR-B classifier (ocrb.hpp); the per-position
// top-k candidates go to mrz::correct, which applies the check digits.
// Debugging: with IDKIT_MRZ_DEBUG=DIR the reader writes every rectified line
// strip to DIR/stripN.png and its hypotheses to stderr.
#pragma once
#include <array>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>
#include <idkit/json.hpp>
#include <idkit/mrz.hpp>

namespace idkit {

// Run-time data (trained models, templates): $IDKIT_DATA, else
// <directory of the executable>/../share/idkit.
std::filesystem::path dataDir();

}  // namespace idkit

namespace idkit::mrz {

// One line of MRZ text in image coordinates.
struct LineBox {
  cv::Point2f start, end;  // centre line from the first to the last character
  float height = 0;        // text height (approximate; the reader refines it)
  float pitch = 0;         // distance between character centres
  int components = 0;      // characters the finder saw
};

// Two or three parallel lines of equal length, top to bottom in the direction
// the finder assumed (the reader also tries the band turned by 180 degrees).
struct Band {
  std::vector<LineBox> lines;
  double score = 0;  // larger is more MRZ-like
};

// MRZ-like bands in a grey image, best first.
std::vector<Band> findBands(const cv::Mat& gray, int max_bands = 4);

struct LineReading {
  std::string text;              // best character of every cell
  LineCandidates candidates;     // top-k per cell, best first, score = probability
  double confidence = 0;         // mean best probability
  std::array<cv::Point2f, 4> quad{};  // text box corners: TL, TR, BR, BL in reading order
};

// Reads `line` as `chars` characters (the direction from start to end is the
// reading direction; the top of the text is on the left of it).
LineReading readLine(const cv::Mat& gray, const LineBox& line, int chars, int top_k = 4);

// How far the edges of an ink image's text rows (ocrb::kStripTop ..
// kStripBaseline; CV_32F, 0 paper, 1 ink) are spread across columns
// x0..x1, in pixels: the sum of the ink's steps from column to column over
// the sum of their squares. A step of the whole ink range spread over w
// pixels adds 1 to the first sum and 1/w to the second, so the ratio is the
// edges' mean width. Steps under 0.05 (paper grain, noise) are no edges; 0
// when there is none.
float edgeSpread(const cv::Mat& ink, int x0 = 0, int x1 = -1);

// How far the paper's level moves along a strip's text (CV_8U, the text in
// rows ocrb::kStripTop .. kStripBaseline) between columns x0 and x1, in grey
// levels: the range of the paper level (80th percentile of the text rows,
// as ocrb::inkImage takes it) over windows two pitches wide, a pitch apart.
// About 0 for an evenly lit line; a glare spot or a lamp's gradient moves
// it by tens of levels. 0 when the text is narrower than four pitches.
float paperSpread(const cv::Mat& strip, float pitch, int x0 = 0, int x1 = -1);

struct ReadOptions {
  ParseOptions parse;
  int top_k = 4;
  bool try_mirrored = true;  // mirrored selfie-camera photos
  int max_bands = 3;
  // A photo (no flat card before it) is read from its document, found and
  // flattened as id-deskew does it, before it is read as it is.
  bool find_document = true;
  // Cells a line of the zone holds, when the document's size tells it (a
  // found document's flat copy: an ID-1 card's TD1 30, an ID-2's 36, an
  // ID-3's 44); 0 when any length may be read.
  int chars = 0;
};

struct ImageReading {
  Result result;
  std::array<cv::Point2f, 4> quad{};  // the band: TL, TR, BR, BL in reading order
  double angle_deg = 0;               // reading direction, degrees counter-clockwise from +x
  bool mirrored = false;
  // Found by the coarse blob map only (the first map held no band): a flat
  // card so read is read again from its photo as a card with no zone is
  // (readRecord). Not written to the record.
  bool coarse = false;
  // What the result was corrected from: the reader's top-k per cell (not
  // written to the record).
  std::vector<LineCandidates> candidates;
  // result.toJson() plus "quad" (image coordinates), "angle", "mirrored" when set.
  Json toJson() const;
  // Quad into the coordinates of the image at `factor` times the size read
  // (a reduced decode read, the full image reported).
  void scaleQuad(double factor);
};

// Images are read at this long side at most (larger ones are reduced first).
inline constexpr int kReadSide = 2000;

// Finds and reads the MRZ. Error "mrz_not_found" when no band reads as an MRZ.
Expected<ImageReading> read(const cv::Mat& image, const ReadOptions& options = {});

}  // namespace idkit::mrz

#include <idkit/image.hpp>
#include <idkit/record.hpp>

namespace idkit::mrz {

// id-mrz's work on one record: reads the working image (record["image"], the
// flat card of id-deskew, else record["input"]) and writes record["mrz"].
// When the working image is a flat card without a readable MRZ (id-deskew
// flattened the wrong region or cut the band off) and the record still has
// the original photo, the photo is searched too; the section then says
// "found_in": "input" and its "quad" is mapped into the working image's frame
// through document.quad (the photo's own corners under "input_quad").
// When the working image is the photo itself (options.find_document), the
// document is first found in it and flattened at 300 dpi as id-deskew does
// it, and that flat copy is read; the photo is read as it is only when that reading is not valid. A
// valid reading wins; of two that are not, the surer (bench/README.md, MRZ,
// session 21). An image of a document's proportions is taken for a flat card
// and read as it is first. From the flat copy, the section says
// "found_in": "document", its "quad" mapped back into the photo's pixels,
// the document's corners under "document_quad". A valid reading of a copy
// drawn larger than the photo holds the document, with names read less than
// surely, is checked against the photo read as it is: cells two valid views
// read differently are "uncertain" and the zone is not valid.
// Throws Failure("mrz_not_found") when neither image has an MRZ.
Status readRecord(Json& record, const ImageLimits& limits, const ReadOptions& options);

}  // namespace idkit::mrz
