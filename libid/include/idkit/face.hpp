// Face verification: is the person in the selfie the person on the document?
//
//   auto models = idkit::face::Models::locate();                // once per process
//   idkit::face::Engine engine(*models);                        // once per thread
//   auto doc = idkit::face::findPortrait(engine, card_bgr, {}); // rotations, ghosts
//   auto self = idkit::face::findFace(engine, selfie_bgr);
//   auto m = idkit::face::verify(engine, std::move(*doc), selfie_bgr);  // or by hand:
//   double s = idkit::face::similarity(engine.describe(card_bgr, doc->face),
//                                      engine.describe(selfie_bgr, self->face));
//   (verify also compares a small portrait at its own detail: matchDetail)
//
// A batch tool runs the pair's two independent halves on two threads instead:
//   idkit::face::EnginePool pool(*models);                      // once per process
//   auto m = idkit::face::verifyPair(pool, loadDocument, loadSelfie, {});
//
// Detector: YuNet (cv::FaceDetectorYN, 5 landmarks) when its model is present,
// else face-api's tiny_face_detector with its 68-point landmark net (converted
// by scripts/models; the five alignment points are derived from the 68).
// Recognizer: dlib's ResNet face descriptor (128-D) as shipped in
// @vladmandic/face-api, converted to ONNX by scripts/models and run with
// OpenCV's dnn. Every model file is checked
// against a pinned sha256 before it is used. Descriptors stay in memory: no
// function here writes them anywhere.
#pragma once
#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/error.hpp>
#include <idkit/image.hpp>
#include <idkit/json.hpp>

namespace idkit::face {

// Cosine similarity at which two faces count as the same person. Calibrated on
// ../shared/data/faces (bench/face_bench.cpp, bench/README.md).
inline constexpr double kDefaultThreshold = 0.92;
// Detector confidence below which a box is not a face.
inline constexpr float kMinScore = 0.6f;
// Long side of the image the detector searches: kDetectSide for whole photos,
// kCoarseSide where faces are large in the image (a flat card's portrait, a
// selfie); small faces then get a second look at full resolution.
inline constexpr int kDetectSide = 640;
inline constexpr int kCoarseSide = 320;
// Where the layout puts the portrait, as fractions of the flat upright
// document: ICAO 9303 places it on the left of every data page (TD1, TD2,
// TD3, visas), and the ghost copy, when there is one, on the right. The left
// half leaves margin for designs that push it inwards.
inline const cv::Rect2f kPortraitRegion(0.f, 0.f, 0.5f, 1.f);
// The portrait region is searched at this long side: a portrait face spans
// about a quarter of the card's height, ~100 px there, which is all YuNet needs
// for its landmarks; faces smaller than kPortraitSecondLook px there get the
// second look.
inline constexpr int kPortraitSide = 320;
inline constexpr float kPortraitSecondLook = 64;
// Selfies may be decoded reduced (JPEG DCT scaling) down to this long side:
// detection runs at 640 px and a selfie's face keeps well over the 150 px chip.
inline constexpr int kSelfieDecodeSide = 1024;
// Detector score from which a portrait found on a flattened card is trusted
// without looking at the input photo (PortraitOptions::trusted_score).
inline constexpr float kTrustedCardScore = 0.95f;
// uprightness() below which a card's face is taken for one upside down or on
// its side (a card flattened the wrong way up): not trusted, and any face
// found around the quad replaces it. Upright portraits measure 2-145 on the
// bench's documents, the one flattened upside down -67.
inline constexpr double kMinUprightness = 0;
// Around the document's quad in the input photo, the margin searched for the
// portrait (fraction of the quad's longer bounding-box side): a wrong quad
// that is the portrait photo alone still holds the face.
inline constexpr float kQuadSearchMargin = 0.15f;

// ---- models --------------------------------------------------------------------

struct ModelFile {
  std::string_view name;    // file name looked up in the model directories
  std::string_view sha256;  // pinned
};
inline constexpr ModelFile kDetector{
    "face_detection_yunet_2022mar.onnx",
    "50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7"};
inline constexpr ModelFile kRecognizer{
    "face_recognition.onnx",
    "280d26b4a7a0b81b7d55cb26152bd233c0062b63661e4d53034a5fd4ef41701a"};
// The fallback detector: face-api's tiny_face_detector and face_landmark_68,
// converted by scripts/convert_face_detector.py.
inline constexpr ModelFile kTinyDetector{
    "face_detector_tiny.onnx",
    "5a09eed5bfe58c68560f902675c2255795ae4a99381f5de9ead8cec1deae979d"};
inline constexpr ModelFile kLandmarks68{
    "face_landmark68.onnx",
    "0f58a2f22f02d40299df6c59393ba36c1966e6fd976fe13bbaeedd8f63027a5a"};

enum class DetectorKind { yunet, faceapi };
std::string_view name(DetectorKind kind);  // "yunet", "faceapi"

// The fallback detector's landmarks (derived from 68 points) align faces a
// little differently, which moves the scores: its own calibrated threshold
// (bench/face.sh with IDKIT_FACE_DETECTOR=faceapi, bench/README.md).
inline constexpr double kDefaultThresholdFaceApi = 0.92;
constexpr double defaultThreshold(DetectorKind kind) {
  return kind == DetectorKind::faceapi ? kDefaultThresholdFaceApi : kDefaultThreshold;
}

// Where models are looked for, in order: $IDKIT_MODELS,
// ${XDG_DATA_HOME:-~/.local/share}/idkit/models (where scripts/models puts
// them), <exe>/../share/idkit/models, and ../shared/models beside the source
// tree or beside the build directory holding the executable.
std::vector<std::filesystem::path> modelDirs();

// The first copy of `file` in modelDirs() whose sha256 matches. Errors:
// model_not_found (names the directories searched), model_checksum.
Expected<std::filesystem::path> findModel(const ModelFile& file);

// The verified model files, located and read once per process; immutable and
// shared by every thread's Engine.
struct Models {
  DetectorKind detector_kind = DetectorKind::yunet;
  std::filesystem::path detector;      // empty when located without it
  std::vector<uchar> detector_onnx;    // faceapi: the tiny detector's bytes
  std::vector<uchar> landmarks_onnx;   // faceapi: the 68-point landmark net's bytes
  std::filesystem::path recognizer;
  std::vector<uchar> recognizer_onnx;  // bytes checked against kRecognizer
  // The detector: `prefer` when given, else $IDKIT_FACE_DETECTOR (yunet,
  // faceapi, auto), else YuNet when its model is found and face-api's when not.
  // A model present with a wrong checksum is an error, never a reason to fall back.
  // Without `need_recognizer` (a caller that only looks for faces) the
  // recognizer is neither read nor required, and an Engine cannot be built.
  static Expected<std::shared_ptr<const Models>> locate(bool need_detector = true,
                                                        std::optional<DetectorKind> prefer = std::nullopt,
                                                        bool need_recognizer = true);
};

// ---- detection and alignment ---------------------------------------------------

struct Detection {
  cv::Rect2f box;                           // x, y, w, h in image pixels
  std::array<cv::Point2f, 5> landmarks{};   // right eye, left eye, nose, right/left mouth corner
  float score = 0;
  Json toJson() const;  // {"box": [x,y,w,h], "landmarks": [[x,y] x5], "score"}
};

// The five alignment landmarks from 68 points in the iBUG 300-W order
// (face-api's landmark net): eye centres, nose tip, mouth corners.
std::array<cv::Point2f, 5> fivePoints(std::span<const cv::Point2f> pts68);

// How upright an aligned chip looks (grey levels: the nasal bridge and the
// cheeks less the eyes): positive on an upright face, negative on one whose
// landmarks were put on a face upside down or on its side. The detector
// scores faces alike in every quarter turn, so its score cannot tell.
double uprightness(const cv::Mat& chip_bgr);

class Engine;
// How upright a face found in one quarter turn is, for comparing the turns of
// one face (higher: more upright). YuNet finds a face in every quarter turn,
// scores them alike (0.87-1.0) and puts its landmarks where an upright face
// has them, so no single cue decides: three that fail on different faces are
// summed. The recognizer's descriptor of the chip against its mirror image's
// (cosine; trained on upright faces, it describes an upright face and its
// mirror image alike, 0.986-0.994 on the photo set, a face upside down or on
// its side less so), x100; uprightness() / 50; the detector's score x2.
// On the photo set's 105 faces, each in the turns YuNet finds it in, the
// upright turn scores highest for all 105, by 0.70 at least (alone, the
// mirror cue gets all 105 by 0.16, uprightness 99, the score 79; with the
// score x10 104). Costs two recognizer passes.
double turnUprightness(Engine& engine, const cv::Mat& chip_bgr, float detector_score);

// The 150x150 chip the recognizer was trained on: where the five landmarks go.
inline const std::array<cv::Point2f, 5> kTemplate{{
    {47.6f, 46.6f}, {100.5f, 46.6f}, {74.0f, 76.6f}, {50.4f, 103.0f}, {97.6f, 103.0f}}};
inline constexpr int kChipSize = 150;

// Least-squares similarity transform (rotation, uniform scale, translation)
// taking `from` onto `to`: the 2x3 matrix for cv::warpAffine.
cv::Matx23d similarityTransform(std::span<const cv::Point2f> from, std::span<const cv::Point2f> to);

// The aligned 150x150 BGR chip for a detected face.
cv::Mat alignFace(const cv::Mat& bgr, const Detection& face);

// The chip for a face found on a flat card, sampled from the photo the card
// was flattened from: one perspective warp, the card's homography composed
// with the landmarks' similarity, so that neither a 300-dpi intermediate nor
// the card's perspective in the photo (a similarity fitted in the photo keeps
// it) costs the chip detail. `card_landmarks` in the card's pixels,
// `card_to_photo` maps the card's pixels into the photo's.
cv::Mat alignThrough(const cv::Mat& photo, std::span<const cv::Point2f> card_landmarks,
                     const cv::Matx33d& card_to_photo);

// ---- comparing faces at the same detail -------------------------------------
//
// A portrait printed small on a document and photographed holds far less
// detail than a selfie (12-25 px between the eyes on a visa across the room,
// blurred by print and camera): the recognizer then sees the selfie's sharp
// features that the portrait lacks, and genuine pairs fall below the
// threshold. Such a pair is compared at the same detail: the sharper chip is
// reduced to the other face's resolution before it is described
// (bench/README.md, id-face calibration).

// Eye distance (px, in the pixels a face is aligned from) below which the
// other face of a pair is compared at this face's detail.
inline constexpr double kMatchDetailBelow = 40;

struct Found;

// How much detail an aligned face holds.
struct Detail {
  double eyes = 0;       // eye-centre distance in the pixels the chip was aligned from
  double sharpness = 0;  // chipSharpness of the chip: reported, not used by matchDetail
};
// Spread of the Laplacian over the middle of a 150x150 chip (eyes, nose,
// mouth): falls with blur, whatever the resolution it came from.
double chipSharpness(const cv::Mat& chip_bgr);
Detail detailOf(const Detection& face, const cv::Mat& chip_bgr);
// The same for a found face, its eye distance as captured (Found::capture_eyes).
Detail detailOf(const Found& found, const cv::Mat& chip_bgr);

// `chip` (holding `own` detail) as it would look with `other`'s detail: when
// other.eyes < kMatchDetailBelow and below own.eyes, shrunk to other.eyes
// between the eyes and back to 150 px; else `chip` itself.
cv::Mat matchDetail(const cv::Mat& chip, const Detail& own, const Detail& other);
// Whether matchDetail changes a chip with detail `own` for a face with `other`.
bool reducesTo(const Detail& own, const Detail& other);

// A pair compared at a small face's detail is decided at the threshold plus
// this margin: reducing the sharper face lifts the impostors' scores as well
// as the genuine ones (bench/README.md, id-face calibration: with the
// mirrored views of kSmallPairViews, among small portraits 2 impostors of
// 1989 at +0.0025 (0.10%), 1 at +0.005, none from +0.0055 to +0.007, one
// genuine pair fewer from +0.0075: the middle of that range).
inline constexpr double kDetailMatchedMargin = 0.006;
// The margin for the fallback detector (DetectorKind::faceapi): its 68-point
// alignment of a small face wavers more, and +0.006 let 16 of 10322 document
// impostors in at 0.92 (0.155%), every one a small-portrait pair (0.767% of
// that band). Over the fallback's saved pair scores (bench/README.md, id-face
// calibration, fallback): 13 at +0.007/+0.008, 11 at +0.010, 10 (0.097%) from
// +0.0105 to +0.011, 8 up to +0.0117, for 2 genuine pairs of 598 fewer
// (571 -> 569); the smallest step under 0.1% FAR. YuNet keeps +0.006.
inline constexpr double kDetailMatchedMarginFaceApi = 0.011;
constexpr double detailMatchedMargin(DetectorKind kind) {
  return kind == DetectorKind::faceapi ? kDetailMatchedMarginFaceApi : kDetailMatchedMargin;
}
// The threshold a pair of faces with these details is decided at:
// `threshold`, plus detailMatchedMargin(kind) when either face is compared at
// the other's detail (reducesTo).
double pairThreshold(double threshold, const Detail& a, const Detail& b, DetectorKind kind);

using Descriptor = std::array<float, 128>;  // L2-normalised
double similarity(const Descriptor& a, const Descriptor& b);  // cosine, in [-1, 1]

class Engine;
// A pair compared at a small face's detail describes each chip with this many
// views, their descriptors averaged: 2, the chip and its mirror image (a
// small, blurred face's descriptor wavers with every pixel the alignment
// puts differently; the mirror image is the cheapest second look). Pairs of
// two large faces describe each chip once.
inline constexpr int kSmallPairViews = 2;
// The descriptor `chip` (holding `own` detail) is compared with for a face
// holding `other` detail: matchDetail, then the chip and its mirror image
// averaged when the pair is compared at a small face's detail and views >= 2.
Descriptor describeForPair(Engine& engine, const cv::Mat& chip, const Detail& own, const Detail& other,
                           int views = kSmallPairViews);

// One thread's networks (cv::dnn::Net is not safe for concurrent forward calls).
class Engine {
 public:
  explicit Engine(const Models& models);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // Faces with score >= min_score, best first, in `bgr` pixels. YuNet runs on a
  // copy whose long side is at most `side` px (padded to at least 128 px), and
  // again on a window around each of the best faces that was small there; the
  // face-api detector on the image padded to a square and scaled to 416 px
  // (`side` unused), its landmark net on each face cut from `bgr` at full
  // resolution. `second_look_below`: faces narrower than this in the reduced
  // copy get the second look.
  std::vector<Detection> detect(const cv::Mat& bgr, float min_score = kMinScore, int side = kDetectSide,
                                float second_look_below = 96);
  DetectorKind detectorKind() const;
  // The recognizer on an aligned chip (raw network output, L2-normalised).
  Descriptor describeChip(const cv::Mat& chip_bgr);
  // The mean of the chips' descriptors, L2-normalised (views of one face).
  Descriptor describeChips(std::span<const cv::Mat> chips_bgr);
  // The raw network output (1x128) for a prepared 1x3x150x150 input.
  cv::Mat forward(const cv::Mat& blob);
  Descriptor describe(const cv::Mat& bgr, const Detection& face) {
    return describeChip(alignFace(bgr, face));
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One Engine per calling thread, created on first use, for the process's Models.
Engine& threadEngine(const std::shared_ptr<const Models>& models);

// Engines shared by a process's threads: a call borrows one and gives it back,
// so threads started per document (verifyPair's helper) reuse networks built
// once instead of rebuilding them (~60 ms each). Holds at most as many Engines
// as were ever borrowed at the same time.
class EnginePool {
 public:
  explicit EnginePool(std::shared_ptr<const Models> models);
  ~EnginePool();
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  class Lease {
   public:
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Engine& operator*() const { return *engine_; }
    Engine* operator->() const { return engine_.get(); }

   private:
    friend class EnginePool;
    Lease(EnginePool* pool, std::unique_ptr<Engine> engine);
    EnginePool* pool_;
    std::unique_ptr<Engine> engine_;
  };
  Lease acquire();
  DetectorKind detectorKind() const { return models_->detector_kind; }
  size_t size() const;  // Engines built so far

 private:
  std::shared_ptr<const Models> models_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Engine>> idle_;
  size_t built_ = 0;
};

// ---- the document portrait and the selfie ------------------------------------

// A face found in an image turned by `rotation` degrees clockwise; `face` is in
// the turned image's pixels (`upright`), `original` in the input's.
struct Found {
  Detection face;       // in `upright`
  Detection original;   // the same face in the input's pixel frame
  int rotation = 0;     // 0, 90, 180, 270: clockwise turn applied to the input
  cv::Mat upright;      // the input turned by `rotation` (shares no pixels with it)
  // The eye distance in the pixels the face was captured in, when `upright`
  // is a resampled copy of them (a card flattened from a photo); 0: as in `face`.
  double capture_eyes = 0;
  // A face found on a flat card, `upright` being the photo the card was
  // flattened from: the card's pixels -> upright's, and the face's landmarks
  // on the card. alignFound then aligns through both (alignThrough); `face`
  // is the same face mapped into `upright`.
  std::optional<cv::Matx33d> card_to_upright;
  std::array<cv::Point2f, 5> card_landmarks{};
};

// The aligned chip of a found face: alignThrough when it was found on a card
// flattened from `upright`, else alignFace(upright, face).
cv::Mat alignFound(const Found& f);

// Turns an image clockwise by 0/90/180/270 degrees, and maps a point of the
// turned image back into the original.
cv::Mat rotateImage(const cv::Mat& bgr, int rotation);
cv::Point2f unrotatePoint(cv::Point2f p, cv::Size original, int rotation);

struct PortraitOptions {
  bool upright_known = false;  // the document is already flattened and upright (id-deskew)
  // With upright_known: where the layout puts the portrait (x, y, w, h as
  // fractions of the document), searched first, alone (kPortraitSide); the
  // whole document is searched when no face is there.
  std::optional<cv::Rect2f> region;
  float min_score = kMinScore;
  float ghost_margin = 0.1f;   // prefer the largest face within this of the best score
  // A face on a flattened card scoring below this may come from a wrong
  // flattening (the portrait photo itself taken for the card and stretched to
  // a card's aspect scores 0.6-0.9; real portraits ~1.0): the input photo is
  // then searched around the document's quad too (findDocumentPortrait).
  float trusted_score = kTrustedCardScore;
  // When the input photo is in memory anyway, align the chip from its pixels
  // (landmarks mapped through the card's homography): one resampling instead
  // of two, and no distortion from a wrongly flattened card.
  bool align_on_input = true;
  // With align_on_input: a face found on the card is aligned through the
  // card's homography (alignThrough), not by a similarity fitted to its
  // landmarks mapped into the photo.
  bool align_through_card = true;
};

// The document's portrait: the best face over the four quarter turns (or the
// given orientation first when `upright_known`, its portrait region first
// when the layout is known), the largest one within
// `ghost_margin` of the best score (ghost portraits are smaller copies).
std::optional<Found> findPortrait(Engine& engine, const cv::Mat& document, const PortraitOptions& opts);
// The face in a selfie: the largest face within 0.1 of the best score, upright
// photos first, then the other quarter turns when nothing is found.
std::optional<Found> findFace(Engine& engine, const cv::Mat& photo, float min_score = kMinScore);

// Where the document's portrait was found and which pixels its chip is aligned from.
struct DocumentPortrait {
  Found found;         // the chip is aligned from found.upright
  // The pixels found.original refers to: the flat card (DocumentImage::source:
  // "image", "quad", "deskew") or the input photo ("input").
  std::string frame;
  // Where the detector found it: "card" (the flat card), "quad" (the input
  // photo around the document's quad, every way up: the card's face was
  // missing or weak), "input" (the whole input photo, every way up).
  std::string found_on;
  double card_score = 0;  // the best face's score on the flat card (0: none or no card)
  double card_uprightness = 0;  // uprightness() of the card face's chip (0: none)
};

struct Match {
  Found document, selfie;
  std::string found_on;  // DocumentPortrait::found_on
  double similarity = 0;
  double threshold = kDefaultThreshold;  // the one the pair was decided at (pairThreshold)
  bool match = false;
  DetectorKind detector = DetectorKind::yunet;
  std::string frame;  // the document pixels boxes refer to: DocumentImage::source, or "input"
  // The detail of both faces; the sharper one was compared at the other's
  // when that one is small (matchDetail).
  Detail document_detail, selfie_detail;
  Json toJson() const;  // the record's "face" section (no descriptor, ever)
};

// The whole check. Throws Failure("face_not_found", ...) naming the image
// ("document" or "selfie") in which no face was found.
Match verify(Engine& engine, const cv::Mat& document, const cv::Mat& selfie,
             const PortraitOptions& opts, double threshold = kDefaultThreshold);

// The same with the document's portrait already found.
Match verify(Engine& engine, Found document, const cv::Mat& selfie, float min_score = kMinScore,
             double threshold = kDefaultThreshold);

// A crop around a found face (box plus a margin), turned upright along its
// eye line, for --crop-dir.
cv::Mat portraitCrop(const Found& f, double margin = 0.3);

// ---- records (id-face) ------------------------------------------------------

// The selfie paired with a record: `selfie` when given, else `tmpl` with {dir}
// and {stem} of record["input"] filled in ("{dir}/{stem}.selfie.jpg"), else the
// record's own "selfie" key. Empty when there is none.
std::string selfiePath(const Json& record, std::string_view selfie, std::string_view tmpl);

// The document image to search: id-deskew's flat card (record["image"]), else
// the input flattened along record["document"]["quad"], else the input with the
// document found by deskew::detect, else the whole input in every orientation.
struct DocumentImage {
  cv::Mat bgr;
  bool upright_known = false;
  // Known size class (record["document"]["kind"], or found by deskew): the
  // portrait's place on the page (kPortraitRegion).
  std::optional<cv::Rect2f> portrait_region;
  std::string source;  // "image", "quad", "deskew", "input"
  cv::Mat whole;       // the input, when bgr is a card cut out of it (a fallback)
  // bgr's pixels -> the input's pixels, when bgr is a card flattened from the
  // input along a known quad (the document's quad mapped from the card's corners).
  std::optional<cv::Matx33d> card_to_input;
  // Decodes the input photo when `whole` is not loaded (a record naming
  // id-deskew's flat card): called only when the card's portrait is in doubt.
  std::function<cv::Mat()> load_whole;
  // What deskew::detect found when source is "deskew" (Document::toJson:
  // quad, kind, rotation, orientation cue), for the bench's lists.
  Json found_document;
};
// With find_document false, a record without image or quad is searched whole.
DocumentImage documentImage(Json& record, const ImageLimits& limits, bool find_document = true);

// The portrait on a document image. On a flattened card with its quad known:
// the card's face is trusted when it scores >= opts.trusted_score, looks
// upright (kMinUprightness) and lies where the layout puts the portrait (found
// without turning the card, inside opts.region when the kind is known); else
// the input photo around the quad is searched too (every quarter turn, YuNet
// on a <= kDetectSide copy) and the best-scoring face wins (the largest within
// ghost_margin of it; any face there replaces a card face upside down or
// misplaced), the card's face mapped into the input through the card's
// homography. With the input in memory and opts.align_on_input, the
// chip is aligned from the input's pixels. Without any face on the card or
// around the quad, the whole input every way up. Throws
// Failure("face_not_found") naming the document.
DocumentPortrait findDocumentPortrait(Engine& engine, const DocumentImage& document, PortraitOptions opts);

// verify() on a document image, its portrait by findDocumentPortrait.
Match verify(Engine& engine, const DocumentImage& document, const cv::Mat& selfie,
             PortraitOptions opts, double threshold = kDefaultThreshold);

// The pair check with its two independent halves on two threads: the document
// (load_document, portrait, descriptor) on the calling thread, the selfie
// (load_selfie, face, descriptor) on a helper thread, each with an Engine
// borrowed from `pool`; the latency is the slower half's, not the sum. Each
// half waits for the other's face detail before its descriptor (matchDetail):
// the selfie's search ends long before the document's, so the wait costs
// the document half nothing. OpenCV
// should run single-threaded inside each half (cv::setNumThreads(1), as
// cli::run sets it) so the two do not fight over the cores. Failures come in
// the order a sequential run reports them: the document unreadable, the selfie
// unreadable, no face in the document, no face in the selfie.
Match verifyPair(EnginePool& pool, const std::function<DocumentImage()>& load_document,
                 const std::function<cv::Mat()>& load_selfie, PortraitOptions opts = {},
                 double threshold = kDefaultThreshold);

// Writes the portrait and selfie face crops into `dir` as {stem}.portrait.png
// and {stem}.selfie-face.png (never overwriting); returns their paths.
std::pair<std::string, std::string> writeCrops(const Match& m, const std::filesystem::path& dir,
                                               std::string_view stem);

}  // namespace idkit::face
