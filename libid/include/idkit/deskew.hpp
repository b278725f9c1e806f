// Finding identity documents in photos and scans and flattening them.
//
//   auto docs = idkit::deskew::detect(bgr, opts);          // corners, kind, orientation
//   cv::Mat card = idkit::deskew::flatten(bgr, docs[0], 300);  // upright, 300 dpi
//
// Detection runs on a downscaled copy (quad candidates from edges, line
// segments and region masks, scored on edge support, interior texture and the
// ICAO aspect ratios); the best hypotheses are snapped onto the edge points
// along their sides and scored again, and of nested document-like quads the
// outermost wins (a card's own frames are inside it). Each side is then refined
// on the image given by fitting a line to edge points found along its normal
// (id-deskew gives a reduced decode: see deskewDecoded).
// An MRZ band on or beside the quad then anchors the sides: a side that stopped
// at the band's top line or cut it moves to where ICAO 9303 puts the edge for
// that line length and is fitted there (kept only on a clear edge). A quad
// with no band in or around it gives way to a larger candidate around it that
// holds one (a visa sticker whose portrait frame outshone its outline).
// Orientation comes from the MRZ band (bottom of an upright document), else the
// portrait's face (YuNet, when its model is installed), a barcode (decoded,
// else a PDF417's start and stop patterns), the portrait's side and
// Tesseract's script orientation.
#pragma once
#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/image.hpp>
#include <idkit/json.hpp>

namespace idkit::deskew {

// Corners in image pixels, in the order top-left, top-right, bottom-right,
// bottom-left (of the upright document once detected; of the image geometry
// after orderQuad).
using Quad = std::array<cv::Point2d, 4>;

// ICAO Doc 9303 size classes.
enum class Kind { id1, id2, id3 };
std::string_view toString(Kind k);             // "ID1", "ID2", "ID3"
std::optional<Kind> parseKind(std::string_view s);
cv::Size2d sizeMm(Kind k);                     // landscape: ID1 85.60 x 53.98
// Flat pixel size at `dpi` (ID1 at 300 dpi: 1011 x 638).
cv::Size pixelSize(Kind k, double dpi);
// The cells a line of a machine-readable zone holds on a document of size
// class `k` (ICAO 9303: an ID-1 card carries a TD1, 30; an ID-2 document a
// TD2, an MRV-B or a French ID, 36; an ID-3 page a TD3 or an MRV-A, 44), and
// the size class whose zone's lines hold `chars` cells (nullopt for none).
int zoneChars(Kind k);
std::optional<Kind> kindOfZone(int chars);

// The size class whose long/short ratio is nearest `ratio` (any order of the
// sides), or nullopt when none is within `tolerance` (relative). ID2 and ID3
// share a ratio (1.42): aspect alone says ID2 for both; see detect().
std::optional<Kind> classifyAspect(double ratio, double tolerance = 0.06);

// ---- geometry --------------------------------------------------------------

// Orders four corners clockwise (image coordinates, y down) starting with the
// one nearest the image's top-left.
Quad orderQuad(std::span<const cv::Point2d, 4> corners);
// The same corners relabelled as if the document were turned by `quarter_turns`
// x 90 degrees clockwise: corner i becomes corner (i + turns) mod 4.
Quad rotateLabels(const Quad& q, int quarter_turns);
bool isConvex(const Quad& q);
double area(const Quad& q);
// Intersection over union (Jaccard index) of two convex quads; 0 when either is degenerate.
double iou(const Quad& a, const Quad& b);
// Maps `from` corners onto `to` corners.
cv::Matx33d homography(const Quad& from, const Quad& to);
cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p);
// Long/short side ratio of the rectangle seen in perspective as `q`, with the
// camera's principal point at `centre` (unknown focal length, solved from the
// quad); falls back to the ratio of mean opposite side lengths when the quad is
// too close to a parallelogram for the focal length to be measured.
double rectifiedAspect(const Quad& q, cv::Point2d centre);

// ---- detection ---------------------------------------------------------------

struct Options {
  double dpi = 300;            // output resolution of flatten()
  bool multi = false;          // find every document (a flatbed scan of several cards)
  int max_documents = 8;       // with multi
  int detect_side = 640;       // long side of the downscaled copy detection runs on
  bool orient = true;          // resolve 0/90/180/270 (else: the quad's image order, landscape)
  std::optional<Kind> kind;    // force the size class
};

struct Document {
  Quad quad;                 // input pixels, TL, TR, BR, BL of the upright document
  // How the document lies in the input: its top edge turned this many degrees
  // clockwise (0/90/180/270, nearest quarter); flatten() turns it back (counter-clockwise).
  int rotation = 0;
  Kind kind = Kind::id1;
  double confidence = 0;     // 0..1: edge support of the sides, aspect, orientation evidence
  std::string orientation_cue;  // "mrz", "face", "barcode", "pdf417", "portrait", "osd", "none"
  // What the orientation had to go without (no face detector installed); in
  // the record only when there is any.
  std::vector<std::string> warnings;
  Json toJson() const;       // {"quad", "rotation", "kind", "confidence", "orientation_cue", "warnings"?}
};

// Every document found, best first (one unless opts.multi). Empty when none.
std::vector<Document> detect(const cv::Mat& bgr, const Options& opts = {});

// The document warped flat and upright at `dpi` (size pixelSize(kind, dpi)).
cv::Mat flatten(const cv::Mat& bgr, const Document& doc, double dpi);

// ---- orientation -------------------------------------------------------------

// Where an MRZ band sits on a flat landscape card: +1 at the bottom (upright),
// -1 at the top (upside down), 0 when there is none. `lines` receives how many
// MRZ-like text lines were found and `pitch_px` their character pitch.
int mrzSide(const cv::Mat& flat_bgr, int* lines = nullptr, double* pitch_px = nullptr);

// Which way up a PDF417 symbol on a flat landscape card is, from its start
// and stop patterns alone (works where blur stops decoding): +1 upright, -1
// upside down, 0 no symbol or no clear answer.
int pdf417Side(const cv::Mat& flat_bgr);

// Quarter turns (0 or 2) that make a flat landscape card upright, with the cue used.
struct Orientation {
  int quarter_turns = 0;
  std::string cue = "none";
  double confidence = 0;
};
Orientation orientLandscape(const cv::Mat& flat_bgr);

// ---- from a decoded file ------------------------------------------------------

// Long side for a reduced JPEG decode to find and orient documents on (DCT
// scaling by 2, 4 or 8 keeps it at or above this; see loadImage's
// min_side_hint). A card that needs more pixels for its flat copy at the
// requested dpi than this copy has is warped from a full-size decode of just
// its region (decodeRegion). bench/README.md, id-deskew: as accurate as the
// full decode, and what id-deskew does.
inline constexpr int kDecodeSide = 2000;

struct Flat {
  Document document;  // quad in the input's full-size pixels
  cv::Mat card;       // flatten() at opts.dpi
  // The pixels `card` was drawn from (the decoded copy, or the full-size
  // region decoded for it) with the document's quad in them, so that a copy
  // at another dpi (flattenAt) needs no second decode.
  cv::Mat source;
  Document local;
  // The document flattened from `source` at `dpi`; empty when there is none.
  cv::Mat flattenAt(double dpi) const;
};

// The input at full size over `roi` (full-size pixels, inside the image),
// its top-left pixel at roi.tl(); empty when it cannot be decoded.
using RegionDecoder = std::function<cv::Mat(const cv::Rect& roi)>;

// Detects on `decoded`, an image decoded at `scale` (<= 1) times the input's
// size, and flattens each document from it when it holds the card at
// opts.dpi, else from `region` (called at most once, with the bounding box
// of every document that needs it).
std::vector<Flat> deskewDecoded(const cv::Mat& decoded, double scale, const RegionDecoder& region,
                                const Options& opts);

// `roi` of an encoded image at full size: a JPEG stored upright is decoded
// only there (columns cropped to whole blocks, rows after the region never
// read); anything else is decoded whole and cropped. Empty on failure.
cv::Mat decodeRegion(std::span<const std::uint8_t> bytes, cv::Rect roi, const ImageLimits& limits);

// ---- output ------------------------------------------------------------------

// Creates (exclusively) and returns a new file path `dir/stem.tag.png`, or
// `stem.tag-2.png`, `-3`... when that exists: never overwrites any file,
// safe against concurrent callers. Throws Failure("write_failed") on error.
std::filesystem::path reserveOutputPath(const std::filesystem::path& dir, std::string_view stem,
                                        std::string_view tag = "card", std::string_view ext = ".png");

}  // namespace idkit::deskew
