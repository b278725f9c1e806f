// The second reader of a zone the classifier could not make valid
// (mrz_witness.cpp): Tesseract settles uncertain cells, or reads a zone
// printed in a font the classifier does not know.
#include <catch2/catch.hpp>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include <idkit/mrz.hpp>
#include <idkit/mrz_read.hpp>
#include <idkit/ocrb.hpp>

#include "../../libid/src/mrz_layout.hpp"
#include "../../libid/src/mrz_witness.hpp"
#include "mrz_support.hpp"
#include "support.hpp"

using namespace idkit;

namespace {

const std::vector<std::string> kTd1 = {"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
                                       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};

// The zone drawn in OCR-B at `height` px capitals, line pitch 1.6 heights,
// on a white page; its band quad (TL, TR, BR, BL) around the text.
struct Zone {
  cv::Mat image;
  std::array<cv::Point2f, 4> quad;
};
Zone drawZone(const std::vector<std::string>& lines, float height) {
  const int margin = 40;
  std::vector<ocrb::RenderedLine> drawn;
  for (const auto& l : lines) drawn.push_back(ocrb::renderLine(l, height, 0));
  const int pitch = static_cast<int>(std::lround(height * 1.6));
  cv::Mat page(2 * margin + pitch * static_cast<int>(lines.size()), 2 * margin + drawn[0].gray.cols, CV_8UC3,
               cv::Scalar(255, 255, 255));
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    cv::Mat bgr;
    cv::cvtColor(drawn[i].gray, bgr, cv::COLOR_GRAY2BGR);
    const int y = margin + pitch * static_cast<int>(i) - static_cast<int>(drawn[i].top) + (pitch - static_cast<int>(height)) / 2;
    bgr.copyTo(page(cv::Rect(margin, y, bgr.cols, bgr.rows)));
  }
  const float x0 = margin + drawn[0].left, x1 = x0 + drawn[0].pitch * static_cast<float>(lines[0].size());
  const float y0 = margin, y1 = static_cast<float>(margin + pitch * static_cast<int>(lines.size()));
  return {page, {cv::Point2f(x0, y0), cv::Point2f(x1, y0), cv::Point2f(x1, y1), cv::Point2f(x0, y1)}};
}

// A classifier's reading of kTd1 with line 3's letter at `pos` read as
// `read`, `rival` its uncertain rival: checks verify, not legible.
struct Reading {
  mrz::Result result;
  std::vector<mrz::LineCandidates> cands;
};
Reading uncertainReading(int pos, char read, char rival) {
  std::vector<std::string> lines = kTd1;
  lines[2][static_cast<std::size_t>(pos - 1)] = read;
  auto r = mrz::parse(lines);
  REQUIRE(r);
  r->uncertain.push_back({3, pos, read, rival, "uncertain"});
  mrz::detail::markIllegible(*r);
  REQUIRE_FALSE(r->valid);
  // As correct() leaves a zone not valid for a name letter: its confidence
  // halved, the names' the letter's.
  r->confidence = 0.3;
  r->field_confidence["surname"] = r->field_confidence["given_names"] = 0.6;
  auto cands = sureReading(lines);
  cands[2][static_cast<std::size_t>(pos - 1)] = {{read, 0.6f}, {rival, 0.35f}};
  return {*r, cands};
}

// The witness settles `r` into kTd1, valid: kTd1's fields and checks (no
// "legible" left), the confidences of the reading it settled.
void checkSettled(Reading& reading, const Zone& zone) {
  mrz::Result& r = reading.result;
  REQUIRE(mrz::detail::witness(r, reading.cands, zone.image, zone.quad, {}));
  CHECK(r.valid);
  CHECK(r.lines == kTd1);
  CHECK(r.uncertain.empty());
  const auto parsed = mrz::parse(kTd1);
  REQUIRE(parsed);
  CHECK(r.checks == parsed->checks);
  CHECK(r.fields == parsed->fields);
  CHECK(r.confidence == 0.3);
  CHECK(r.field_confidence.at("surname") == 0.6);
  CHECK(r.field_confidence.at("given_names") == 0.6);
}

}  // namespace

TEST_CASE("mrz witness: an uncertain name letter settled by the second reader", "[mrz_read][witness]") {
  const Zone zone = drawZone(kTd1, 30);
  // ERIKSSON's second O (position 7) read C, O its rival: the witness reads O.
  Reading reading = uncertainReading(7, 'C', 'O');
  checkSettled(reading, zone);
  const mrz::Result& r = reading.result;
  REQUIRE_FALSE(r.corrections.empty());
  const auto& c = r.corrections.back();
  CHECK(c.line == 3);
  CHECK(c.pos == 7);
  CHECK(c.from == 'C');
  CHECK(c.to == 'O');
  CHECK(c.why == "witness");
  CHECK(r.field("surname") == "ERIKSSON");
}

TEST_CASE("mrz witness: a letter read as it was stays, a third letter settles nothing", "[mrz_read][witness]") {
  const Zone zone = drawZone(kTd1, 30);
  // The classifier's own letter confirmed: valid, nothing changed.
  Reading kept = uncertainReading(7, 'O', 'C');
  checkSettled(kept, zone);
  // Neither the letter read nor its rival is what the witness sees (O): left as it was.
  Reading read = uncertainReading(7, 'C', 'G');
  mrz::Result& neither = read.result;
  const auto before = neither.lines;
  CHECK_FALSE(mrz::detail::witness(neither, read.cands, zone.image, zone.quad, {}));
  CHECK_FALSE(neither.valid);
  CHECK(neither.lines == before);
  CHECK(neither.uncertain.size() == 1);
  // A second letter the witness reads otherwise (ANNA read ANMA, not flagged): nothing settled.
  std::vector<std::string> lines = kTd1;
  lines[2][7 - 1] = 'C';
  lines[2][13 - 1] = 'M';
  auto unseen = mrz::parse(lines);
  REQUIRE(unseen);
  unseen->uncertain.push_back({3, 7, 'C', 'O', "uncertain"});
  mrz::detail::markIllegible(*unseen);
  auto unseenCands = sureReading(lines);
  unseenCands[2][7 - 1] = {{'C', 0.6f}, {'O', 0.35f}};
  CHECK_FALSE(mrz::detail::witness(*unseen, unseenCands, zone.image, zone.quad, {}));
  CHECK_FALSE(unseen->valid);
}

TEST_CASE("mrz witness: a settled letter makes no zone valid that correct() finds illegible elsewhere",
          "[mrz_read][witness]") {
  const Zone zone = drawZone(kTd1, 30);
  // Held-out td1-photo-s137-0082's shape: glare over line 2's end, its last
  // cells read faintly (the photo's candidates of cells 25-30), corrected to
  // 999 and a composite 5 that verify; ERIKSSON's O read C on line 3, listed.
  std::vector<std::string> lines = kTd1;
  lines[1] = "7408122F1204159UTO<<<<<<<<9995";
  lines[2][7 - 1] = 'C';
  auto r = mrz::parse(lines);
  REQUIRE(r);
  REQUIRE(r->valid);
  r->uncertain.push_back({3, 7, 'C', 'O', "uncertain"});
  mrz::detail::markIllegible(*r);
  auto cands = sureReading(lines);
  const std::vector<mrz::PositionCandidates> tail = {
      {{'<', 0.299f}, {'9', 0.1013f}, {'F', 0.0651f}, {'T', 0.0518f}},
      {{'<', 0.2094f}, {'9', 0.1164f}, {'T', 0.0534f}, {'F', 0.0475f}},
      {{'<', 0.1624f}, {'9', 0.1348f}, {'T', 0.0626f}, {'1', 0.0449f}},
      {{'9', 0.1934f}, {'<', 0.1881f}, {'F', 0.0509f}, {'T', 0.0448f}},
      {{'9', 0.3026f}, {'<', 0.2368f}, {'F', 0.0588f}, {'5', 0.0379f}},
      {{'O', 0.6326f}, {'D', 0.1685f}, {'5', 0.0081f}, {'6', 0.006f}}};
  for (std::size_t i = 0; i < tail.size(); ++i) cands[1][24 + i] = tail[i];
  cands[2][7 - 1] = {{'C', 0.6f}, {'O', 0.35f}};
  // correct() makes the photo's own corrections ('<' -> 9 for the composite,
  // O -> 5) and verifies every check, but the 9s are too faint to vouch for.
  const auto judged = mrz::correct(cands);
  REQUIRE(judged);
  CHECK(judged->lines == lines);
  CHECK(judged->check("composite"));
  CHECK_FALSE(judged->check("legible"));
  REQUIRE(judged->corrections.size() == 2);
  CHECK(judged->corrections[0].pos == 27);
  CHECK(judged->corrections[0].to == '9');
  CHECK(judged->corrections[0].why == "check_digit");
  auto pinned = cands;
  pinned[2][7 - 1] = {{'O', 1.0f}};
  const auto withO = mrz::correct(pinned);
  REQUIRE(withO);
  CHECK(withO->lines[2] == kTd1[2]);
  CHECK(withO->uncertain.empty());
  CHECK_FALSE(withO->check("legible"));
  // The witness reads the O (line 3 alike and surely), but the zone with it
  // is still not legible: nothing is settled.
  CHECK_FALSE(mrz::detail::witness(*r, cands, zone.image, zone.quad, {}));
  CHECK_FALSE(r->valid);
  CHECK(r->lines == lines);
  CHECK(r->uncertain.size() == 1);
  CHECK_FALSE(r->check("legible"));
}

TEST_CASE("mrz witness: a valid reading and a zone failing only a content rule are not read again", "[mrz_read][witness]") {
  const Zone zone = drawZone(kTd1, 30);
  auto valid = mrz::parse(kTd1);
  REQUIRE(valid);
  REQUIRE(valid->valid);
  CHECK_FALSE(mrz::detail::witness(*valid, sureReading(kTd1), zone.image, zone.quad, {}));
  // Check digits verify, the state code is unknown: no witness reading replaces it.
  auto unknown = mrz::parse(kTd1);
  unknown->checks.emplace_back("known_state", false);
  unknown->valid = false;
  CHECK_FALSE(mrz::detail::witness(*unknown, sureReading(kTd1), zone.image, zone.quad, {}));
}

TEST_CASE("mrz witness: a zone of fillers verifies its checks but no field", "[mrz_read][witness]") {
  // The ICAO specimen verifies its fields; the same shape of nothing but
  // fillers (every field absent) passes every check by the ICAO rule and
  // verifies none; a few characters read at a line's start change nothing.
  CHECK(mrz::detail::verifiesAField(mrz::Format::TD1, kTd1));
  const std::vector<std::string> empty(3, std::string(30, '<'));
  CHECK_FALSE(mrz::detail::verifiesAField(mrz::Format::TD1, empty));
  std::vector<std::string> start = empty;
  start[0].replace(0, 5, "I<UTO");
  auto parsed = mrz::parse(start, {.format = mrz::Format::TD1});
  REQUIRE(parsed);
  CHECK(parsed->valid);  // each check passes: absent fields
  CHECK_FALSE(mrz::detail::verifiesAField(mrz::Format::TD1, start));
  // A TD3 whose only field read is the document number: that check counts.
  std::vector<std::string> td3 = {"P<UTO" + std::string(39, '<'), "L898902C36" + std::string(34, '<')};
  CHECK(mrz::detail::verifiesAField(mrz::Format::TD3, td3));
  td3[1][9] = '7';  // its check digit wrong: nothing verified
  CHECK_FALSE(mrz::detail::verifiesAField(mrz::Format::TD3, td3));
}

TEST_CASE("mrz witness: real specimens, a zone in another font and a name letter in doubt", "[mrz_read][witness][shared]") {
  REQUIRE_SHARED(shared);
  const auto dir = shared / "data" / "mrz" / "images";
  auto readRecord = [&](const std::string& name) {
    Json record = {{"input", (dir / name).string()}};
    mrz::readRecord(record, {}, {});
    return record.at("mrz");
  };
  // A card printed in a plain monospace font, not OCR-B: the classifier reads
  // garbage; the witness reads every line (its composite check digit is
  // printed wrong on the specimen: not valid).
  const Json cmw = readRecord("passporteye-77_card-cmw.png");
  CHECK(cmw.at("lines") == Json({"IDCMW<512849702<<<<<<<<<<<<<<<", "6104128M1402209CMW<<<<<<<<<<<1",
                                 "PUBLIC<<JON<<<<<<<<<<<<<<<<<<<"}));
  CHECK(cmw.at("valid") == false);
  CHECK(cmw.at("checks").at("document_number") == true);
  CHECK(cmw.at("checks").at("composite") == false);
  // ERIKSSON's O: a flat copy cut a little off read it C, no sure letter
  // (its quick look read O: vetoNameDisagreement), and the photo's reading,
  // valid, was taken, or the witness settled O in the copy's. id-deskew's
  // copy, cut along its MRZ band's side, now reads the O itself and is
  // taken (found_in "document"). Whichever reading stands, its O is read or
  // settled by the witness, never changed by any other correction.
  const Json uto = readRecord("passporteye-100_pass2-uto.jpg");
  CHECK(uto.at("lines").at(0) == "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<");
  CHECK(uto.at("valid") == true);
  for (const auto& c : uto.at("corrections"))
    if (c.at("line") == 1 && c.at("pos") == 12) CHECK((c.at("why") == "witness" && c.at("to") == "O"));
}

TEST_CASE("mrz witness: Tesseract's character a cell's type forbids is read as the classifier read it",
          "[mrz_read][witness]") {
  // Tesseract reads by no cell's type: an I in a name read 1, a 0 in the
  // birth date read O. The classifier read both by their types.
  std::vector<std::string> witness = kTd1;
  witness[2][2] = '1';  // ER1KSSON
  witness[1][2] = 'O';  // 74O812
  const auto typed = mrz::detail::typedAsCells(mrz::Format::TD1, witness, kTd1);
  REQUIRE(typed);
  CHECK(*typed == kTd1);
  // A cell the witness read as its type allows stays as it read it (the
  // document number's 4 read 6: its check digit judges it after).
  witness = kTd1;
  witness[0][9] = '6';
  const auto kept = mrz::detail::typedAsCells(mrz::Format::TD1, witness, kTd1);
  REQUIRE(kept);
  CHECK(kept->at(0)[9] == '6');
  // Neither reader read the cell as its type allows: no reading.
  std::vector<std::string> classifier = kTd1;
  classifier[2][2] = '1';
  witness = kTd1;
  witness[2][2] = '7';
  CHECK_FALSE(mrz::detail::typedAsCells(mrz::Format::TD1, witness, classifier));
}
