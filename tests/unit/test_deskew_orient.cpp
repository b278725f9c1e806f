// deskew orientation without an MRZ: id-synth photos (seed 22) on which a
// cue used to answer wrong or not at all, flattened at their true corners so
// the test checks the cue and not the detection.
#include <optional>

#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/deskew.hpp>
#include <idkit/face.hpp>
#include <idkit/synth.hpp>

#include "support.hpp"
#include "../../libid/src/deskew_internal.hpp"

using namespace idkit::deskew;

namespace {

// Side `suffix` ("" or "-back") of document `index` of `id-synth --type all
// (or `type`) --capture photo --seed <seed>`, flattened upright at 300 dpi through its true quad.
cv::Mat trueCard(std::uint64_t index, const std::string& suffix, std::uint64_t seed = 22, Kind kind = Kind::id1,
                 std::optional<idkit::synth::DocType> type = std::nullopt) {
  idkit::synth::Options o;
  o.capture = idkit::synth::Capture::photo;
  o.seed = seed;
  o.type = type;
  for (const auto& sp : idkit::synth::generate(o, index)) {
    if (sp.suffix != suffix) continue;
    const cv::Mat img = cv::imdecode(sp.jpeg, cv::IMREAD_COLOR);
    Document doc;
    for (size_t i = 0; i < 4; ++i)
      doc.quad[i] = {sp.truth["document"]["quad"][i][0].get<double>(), sp.truth["document"]["quad"][i][1].get<double>()};
    doc.kind = kind;
    return flatten(img, doc, 300);
  }
  return {};
}

cv::Mat turned(const cv::Mat& card) {
  cv::Mat t;
  cv::rotate(card, t, cv::ROTATE_180);
  return t;
}

// A licence back flattened upright (its symbol does not decode): the PDF417
// cue says so both ways up, and orientLandscape turns the card over by it.
// With `confidence`, also the cue's confidence on the upright card.
void checkPdf417Cue(const cv::Mat& card, std::optional<double> confidence = std::nullopt) {
  REQUIRE(card.size() == pixelSize(Kind::id1, 300));
  CHECK(pdf417Side(card) == 1);
  CHECK(pdf417Side(turned(card)) == -1);
  const Orientation o = orientLandscape(turned(card));
  CHECK(o.quarter_turns == 2);
  CHECK(o.cue == "pdf417");
  if (confidence) CHECK(orientLandscape(card).confidence == Approx(*confidence));
}

}  // namespace

TEST_CASE("a blurred PDF417 that its gradient cuts in two still says which way up", "[deskew][orient]") {
  // dl-photo-s22-0190-back: defocused, the symbol does not decode and its
  // block of strong gradient falls apart into a left and a right half; the
  // right half alone holds no start pattern, so no answer came, and the
  // portrait's side (no portrait on a licence back) turned the card over.
  checkPdf417Cue(trueCard(190, "-back"));
}

TEST_CASE("a portrait the face detector scores both ways up: the side it lies on decides", "[deskew][orient]") {
  if (!idkit::face::findModel(idkit::face::kDetector)) SKIP_CASE("face detector model not installed");
  // qr-id-photo-s22-0015: YuNet scores the portrait 0.999 upright and 0.959
  // upside down (the 0.3 margin gave no answer, the QR code does not decode,
  // and the card stayed upside down). The face upright lies in the left half.
  const cv::Mat card = trueCard(15, "");
  REQUIRE(!card.empty());
  const Orientation up = orientLandscape(card);
  CHECK(up.quarter_turns == 0);
  CHECK(up.cue == "face");
  // Decided by the side alone, on a margin of 0.04: reported as less sure
  // than a face scored far higher one way up (up to 0.95).
  CHECK(up.confidence < 0.7);
  const Orientation down = orientLandscape(turned(card));
  CHECK(down.quarter_turns == 2);
  CHECK(down.cue == "face");
}

TEST_CASE("a PDF417 whose start bar blur spread into its quiet zone: the end with more ink beyond its bar is the stop",
          "[deskew][orient]") {
  // dl-photo-s36-0198-back: defocused, the symbol does not decode; the ink
  // beyond the start bar reaches 0.38 of the bar's width (the strict rule asks
  // under 0.35), beyond the stop bar 1.6. No answer came, and the portrait's
  // side (a licence back has no portrait) turned the card over.
  const cv::Mat card = trueCard(198, "-back", 36);
  // The strict rule answers at 0.85; this one, on the bars' surroundings alone, at 0.7.
  checkPdf417Cue(card, 0.7);
}

TEST_CASE("a PDF417 too defocused for a block of strong gradient is found as the card's dark block", "[deskew][orient]") {
  // dl-photo-s36-0270-back: the data columns' gradient is too weak, and the
  // block falls apart into four pieces too far apart to join; the symbol is
  // still the one large dark area of the card.
  checkPdf417Cue(trueCard(270, "-back", 36));
}

TEST_CASE("without YuNet, face-api's detector still finds the portrait's side", "[deskew][orient]") {
  // A clone with only the models scripts/models provisions: face-api's tiny
  // detector scores portraits either way up alike, so where the face lies decides.
  const auto models = idkit::face::Models::locate(true, idkit::face::DetectorKind::faceapi, false);
  if (!models) SKIP_CASE("face-api's detector not installed (scripts/models)");
  // qr-id-photo-s21-0023: 0.78 upright (face at 0.16 of the width), 0.85
  // upside down (at 0.82): both ways up put the face on the left upright.
  const cv::Mat card = trueCard(23, "", 21);
  REQUIRE(!card.empty());
  double conf = 0;
  CHECK(detail::faceSideWith(**models, card, &conf) == 1);
  CHECK(conf == Approx(0.8));
  CHECK(detail::faceSideWith(**models, turned(card), &conf) == -1);
  // td2-photo-s21-0113: no face found but a box the card's whole height,
  // 0.67 upright, centred at 0.65 of the width: taken for the face, it turned
  // the card over. No portrait is that tall: no answer.
  const cv::Mat tall = trueCard(113, "", 21);
  REQUIRE(!tall.empty());
  CHECK(detail::faceSideWith(**models, tall, &conf) == 0);
  CHECK(detail::faceSideWith(**models, turned(tall), &conf) == 0);
}

TEST_CASE("a document oriented without a face detector says so", "[deskew][orient]") {
  Document doc;
  CHECK_FALSE(doc.toJson().contains("warnings"));
  doc.warnings.push_back("no face detector");
  CHECK(doc.toJson()["warnings"] == idkit::Json::array({"no face detector"}));
  // Installed here (YuNet or face-api's): nothing to say.
  if (idkit::face::Models::locate(true, std::nullopt, false)) CHECK(detail::faceCueMissing().empty());
}

TEST_CASE("a PDF417 left a few degrees askew by the flat card's corners is read once turned level", "[deskew][orient]") {
  // dl-photo-s21-0270-back: corners found a little off (J 0.956) left the
  // sharp symbol 3 degrees askew; its block's upright box then held empty
  // corners, so no block was found, no answer came, and the portrait's side
  // (a licence back has none) turned the card over. The true card turned 4
  // degrees does the same (3 alone still gives a block there).
  const cv::Mat card = trueCard(270, "-back", 21);
  REQUIRE(!card.empty());
  cv::Mat askew;
  cv::warpAffine(card, askew, cv::getRotationMatrix2D(cv::Point2f(card.cols / 2.0f, card.rows / 2.0f), -4.0, 1.0),
                 card.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  checkPdf417Cue(askew);
}

TEST_CASE("an MRZ line cut in two by a glare spot still gives the band's side", "[deskew][orient]") {
  // td2-photo-s21-0249: a glare spot across the middle of both lines cuts
  // each into two pieces, neither 0.62 of the card wide, so the band search
  // finds none; without YuNet, face-api's detector saw the face one way only
  // at 0.41, and Tesseract's script orientation turned the card over.
  const cv::Mat card = trueCard(249, "", 21, Kind::id2);
  REQUIRE(!card.empty());
  CHECK(mrzSide(card) == 0);
  CHECK(detail::piecedMrzBand(card).side == 1);
  CHECK(detail::piecedMrzBand(turned(card)).side == -1);
  // A card without an MRZ gives no band, whole or in pieces.
  const cv::Mat back = trueCard(270, "-back", 21);
  CHECK(detail::piecedMrzBand(back).side == 0);
  CHECK(detail::piecedMrzBand(turned(back)).side == 0);
}

TEST_CASE("without YuNet, a face face-api's detector sees one way up only counts from 0.4", "[deskew][orient]") {
  const auto models = idkit::face::Models::locate(true, idkit::face::DetectorKind::faceapi, false);
  if (!models) SKIP_CASE("face-api's detector not installed (scripts/models)");
  // fra-id-photo-s21-0261: face-api scores the portrait 0.42 the right way
  // up and finds nothing upside down (other print on a card scores at most
  // 0.25); 0.5 was asked, and Tesseract's script orientation turned it over.
  const cv::Mat card = trueCard(261, "", 21, Kind::id2);
  REQUIRE(!card.empty());
  double conf = 0;
  CHECK(detail::faceSideWith(**models, card, &conf) == 1);
  CHECK(conf == Approx(0.65));
}

TEST_CASE("a PDF417 with a glare spot over one end: each end is read by its own ink and paper", "[deskew][orient]") {
  // dl-photo-s30-0262-back: sharp, but a glare spot over the stop end keeps
  // it from decoding and lifts that end's bars above the card's ink level, so
  // only one thick bar was found, no answer came, and the portrait's side (a
  // licence back has none) turned the card over.
  const cv::Mat card = trueCard(262, "-back", 30);
  checkPdf417Cue(card, 0.85);
}

TEST_CASE("a PDF417 blurred until its stop's thin bars are grey: the mean ink beyond each thick bar decides",
          "[deskew][orient]") {
  // dl-photo-s22-0214-back: motion blur greys the stop pattern's thin bars
  // above the level the ink-beyond rules count (2 and 5 px beyond bars 21
  // and 15 px wide); their mean ink over 1.5 bar widths is 0.32 of the
  // contrast, against 0.06 beyond the start bar. No answer came before.
  const cv::Mat card = trueCard(214, "-back");
  checkPdf417Cue(card, 0.65);
}

TEST_CASE("a PDF417 whose block a glare spot cut short: the one thick bar left says which end it is", "[deskew][orient]") {
  // dl-photo-s34-0062-back: the glare spot washes out the symbol's right
  // part, so its block of strong gradient ends inside the symbol and no
  // second bar is there; the stop bar at the other end has thin bars beyond
  // it (mean ink 0.34), where a start bar has only its quiet zone.
  const cv::Mat card = trueCard(62, "-back", 34);
  checkPdf417Cue(card, 0.6);
}

TEST_CASE("a PDF417 whose bars the card's levels find unalike: the ends are read by their own levels",
          "[deskew][orient]") {
  // dl-photo-s30-0190-back: motion blur and a glare spot (contrast 0.55);
  // against the card's levels the start bar measures 8 px against the
  // stop's 19, no rule answered and the card got no orientation cue. Read
  // by its own levels the start end gives a bar 21 px wide with 6 px of ink
  // beyond it, the stop 26.
  const cv::Mat card = trueCard(190, "-back", 30);
  checkPdf417Cue(card, 0.85);
}

TEST_CASE("a PDF417 whose ends glare and blur hide: the licence back's layout says which way up", "[deskew][orient]") {
  // dl-photo-s72-0109-back (`id-synth --type dl`): defocus and a glare spot
  // over the symbol's left half cut its block of dense bars to the right half,
  // so neither end pattern is read, and the portrait's side (a licence back
  // has no portrait) turned the card over. The symbol is printed near the
  // card's top edge with the text lines in the wider margin below it.
  const cv::Mat card = trueCard(109, "-back", 72, Kind::id1, idkit::synth::DocType::dl);
  REQUIRE(card.size() == pixelSize(Kind::id1, 300));
  CHECK(pdf417Side(card) == 0);
  const Orientation up = orientLandscape(card), down = orientLandscape(turned(card));
  CHECK(up.quarter_turns == 0);
  CHECK(up.cue == "pdf417-layout");
  CHECK(up.confidence == Approx(0.55));
  CHECK(down.quarter_turns == 2);
  CHECK(down.cue == "pdf417-layout");
}

TEST_CASE("the licence back's layout is not read on a part of a card", "[deskew][orient]") {
  // A wrong quad that holds only the card's top left (dl-photo-s74-0027-back
  // was taken for a passport-size card that way) cuts the symbol at its edge:
  // no layout answer there, whichever way up and whatever its shape.
  const cv::Mat card = trueCard(109, "-back", 72, Kind::id1, idkit::synth::DocType::dl);
  REQUIRE(!card.empty());
  cv::Mat grey;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  CHECK(detail::pdf417LayoutSide(grey) == 1);
  CHECK(detail::pdf417LayoutSide(turned(grey)) == -1);
  const cv::Mat corner = grey(cv::Rect(0, 0, grey.cols * 7 / 10, grey.rows * 7 / 10));
  for (const Kind k : {Kind::id3, Kind::id1}) {
    cv::Mat part;
    cv::resize(corner, part, pixelSize(k, 300));
    CHECK(detail::pdf417LayoutSide(part) == 0);
    CHECK(detail::pdf417LayoutSide(turned(part)) == 0);
  }
}

TEST_CASE("a block of dense bars too short for a licence's symbol is not read as a PDF417", "[deskew][orient]") {
  // mrvb-photo-s38-0116: a block under 0.2 of the card's height (its MRZ
  // band's two lines) was read as a symbol's ends and turned a visa over. A licence's
  // symbol is a quarter of the card's height or more. The symbol of
  // dl-photo-s30-0262-back (read at 0.85) cut to its top 0.17 of the card's
  // height by paper painted over the rest: its ends still read (+1, -1) with
  // no height asked, and now give no answer.
  const cv::Mat card = trueCard(262, "-back", 30);
  REQUIRE(pdf417Side(card) == 1);
  cv::Mat grey;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  const double paper = cv::mean(grey(cv::Rect(grey.cols / 10, grey.rows * 3 / 4, grey.cols / 5, grey.rows / 10)))[0];
  cv::Mat cut = card.clone();
  cut(cv::Rect(0, cut.rows * 29 / 100, cut.cols, cut.rows / 4)).setTo(cv::Scalar(paper, paper, paper));
  CHECK(pdf417Side(cut) == 0);
  CHECK(pdf417Side(turned(cut)) == 0);
}
