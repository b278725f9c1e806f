// OCR-B glyph classifier for the MRZ: the 37 MRZ symbols (A-Z, 0-9, '<'),
// trained from renders of the OCR-B font with print and camera degradations.
//
// Reading works on a *strip*: one MRZ line warped so that its text sits
// between rows kStripTop and kStripBaseline. Training renders strips the
// same way, so the classifier sees what the reader shows it.
#pragma once
#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>

namespace idkit::ocrb {

inline constexpr std::string_view kAlphabet = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
inline constexpr int kClasses = 37;
// The classifier has one more output: "this window is not centred on a
// character" (trained on windows half a pitch off and on glyphs turned
// upside down). It makes the reader's
// search for pitch and offset see misalignment, which plain character
// classes, confident on anything, do not.
inline constexpr int kOutputs = kClasses + 1;
int classIndex(char c);  // -1 for a character outside the alphabet

// Canonical strip: text from the top of the tallest glyphs to the baseline
// is kStripBaseline - kStripTop pixels high.
inline constexpr int kStripHeight = 40;
inline constexpr int kStripTop = 8;
inline constexpr int kStripBaseline = 32;
inline constexpr float kTextHeight = kStripBaseline - kStripTop;

// Feature grid of one cell (a window 1.2 pitches wide around the cell centre).
inline constexpr int kFeatureW = 16;
inline constexpr int kFeatureH = 20;
inline constexpr int kFeatureSize = kFeatureW * kFeatureH;

// Default font (Debian fonts-ocr-b); $IDKIT_OCRB_FONT overrides it.
std::string fontPath();

// A line of OCR-B text rendered dark on white, with its exact geometry.
struct RenderedLine {
  cv::Mat gray;         // CV_8U
  float left = 0;       // x of the first cell's left edge
  float pitch = 0;      // cell width (the font's advance)
  float top = 0;        // y of the top of the tallest glyphs
  float baseline = 0;   // y of the baseline
};
// Characters outside the alphabet are drawn as blank cells. Throws
// Failure("font_missing") when the font cannot be read.
RenderedLine renderLine(std::string_view text, float text_height_px, int margin_px = 0);

// Strip (CV_8U, any width, kStripHeight rows) -> ink image (CV_32F, 0 paper,
// 1 ink) stretched between the paper and ink levels of columns x0..x1
// (default: the whole strip).
cv::Mat inkImage(const cv::Mat& strip, int x0 = 0, int x1 = -1);

// Like inkImage, but paper and ink levels are taken in a window of
// `window` pitches around each column of x0..x1 (outside it, the levels of
// its nearest end): light falling off across a line (a lamp's gradient, the
// rim of a glare spot, a shadow) changes the levels along it, and the
// classifier learned its glyphs normalised over a few cells.
cv::Mat inkImageLocal(const cv::Mat& strip, float pitch, int x0 = 0, int x1 = -1, float window = 7.0f);

// Features of the cell centred at x in an ink image; writes kFeatureSize floats.
void cellFeatures(const cv::Mat& ink, float centre_x, float pitch, std::span<float> out);

struct TrainOptions {
  // 700 x 38 samples, 192 hidden, 14 epochs: about a minute of one core;
  // against 260 / 128 / 16 it reads 28 real specimens exactly instead of 25.
  int samples_per_class = 700;
  int hidden = 192;
  int epochs = 14;
  // Members trained with seeds seed, seed + 1, ... and saved as one model
  // whose probabilities are the mean of theirs. Two members read more zones
  // right (real specimens, deskewed and raw photos) and, behind the doubts
  // of mrz_read.cpp and mrz_correct.cpp, fewer wrong zones valid on seeds
  // never tuned on (3 against v5's 9 on 2,016 photos of seeds 17 and 23);
  // they cost about a fifth more read time and twice the training
  // (bench/README.md, MRZ section, session 19).
  int members = 2;
  std::uint64_t seed = 20240601;
};

// A one-hidden-layer perceptron over cell features.
class Classifier {
 public:
  // The process-wide classifier: loaded from the data directory or the user
  // cache, else trained (a few seconds, deterministic) and cached.
  static const Classifier& shared();

  static Classifier train(const TrainOptions& options = {});
  static std::optional<Classifier> load(const std::filesystem::path& file);
  bool save(const std::filesystem::path& file) const;

  // features: N x kFeatureSize (CV_32F) -> N x kOutputs probabilities.
  cv::Mat predict(const cv::Mat& features) const;
  bool empty() const { return w1_.empty(); }

 private:
  static Classifier trainMember(const TrainOptions& options);
  cv::Mat w1_, b1_, w2_, b2_;
};

// Model file name; bump the version whenever features or training change.
inline constexpr const char* kModelFile = "ocrb-mlp-v6.yml.gz";

}  // namespace idkit::ocrb
