// id-mrz's record-level work (see mrz_read.hpp readRecord).
#include <idkit/mrz_read.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

#include <idkit/deskew.hpp>

#include <opencv2/imgproc.hpp>

#include "motion_blur.hpp"
#include "mrz_layout.hpp"
#include "mrz_witness.hpp"

namespace idkit::mrz {

namespace {

Expected<ImageReading> readFile(const LoadedImage& img, const ReadOptions& options) {
  auto reading = read(img.bgr, options);
  if (reading) reading->scaleQuad(static_cast<double>(img.size.width) / img.bgr.cols);
  return reading;
}

// The last pass on the reading a record reports, once its view is chosen
// (detail::judgeFinally); the record then writes it as it stands (toJson).
void judgeFinally(ImageReading& r, const ParseOptions& opts) { detail::judgeFinally(r.result, r.candidates, opts); }

// A well-formed quad ([[x, y] x 4]) of a record.
std::optional<std::array<cv::Point2f, 4>> quadOf(const Json& q) {
  if (!q.is_array() || q.size() != 4) return std::nullopt;
  std::array<cv::Point2f, 4> out;
  for (std::size_t i = 0; i < 4; ++i) {
    const Json& p = q[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
    out[i] = {p[0].get<float>(), p[1].get<float>()};
    if (!std::isfinite(out[i].x) || !std::isfinite(out[i].y)) return std::nullopt;
  }
  return out;
}

// document.quad (TL, TR, BR, BL of the upright card in input pixels), if
// the record has a well-formed one.
std::optional<std::array<cv::Point2f, 4>> documentQuad(const Json& record) {
  const auto d = record.find("document");
  if (d == record.end() || !d->is_object()) return std::nullopt;
  const auto q = d->find("quad");
  return q == d->end() ? std::nullopt : quadOf(*q);
}

// An image whose sides are within this share of a document's proportions
// (ID-1 1.586, ID-2 and ID-3 1.42) is taken for a flat card; cameras give
// 4:3 (1.333), 3:2 (1.5) and 16:9 (1.778).
constexpr double kCardShapeTolerance = 0.02;

template <class Point>
Json quadJson(const std::array<Point, 4>& quad) {
  Json q = Json::array();
  for (const auto& pt : quad)
    q.push_back({std::round(static_cast<double>(pt.x) * 10) / 10, std::round(static_cast<double>(pt.y) * 10) / 10});
  return q;
}

// A photo's document found and read: the reading (its quad in the photo's
// full-size pixels), the document, and the photo's pixels per pixel of the
// flat copy (under 1: the copy was drawn larger than the photo holds it).
struct DocumentReading {
  ImageReading reading;
  deskew::Document document;
  double sampling = 1.0;
};

// Whether a reading's lines are as long as a document of `kind` holds them.
bool fitsDocument(const Result& r, deskew::Kind kind) {
  const int chars = deskew::zoneChars(kind);
  return std::all_of(r.lines.begin(), r.lines.end(), [&](const std::string& l) { return std::ssize(l) == chars; });
}

// A reading not valid whose lines are not as long as its document's size
// holds them (a blurred MRV-A's lines read as 36 cells, their ends lost in
// the blur or in a partial band; a French ID's as 44, a smear beside them
// taken for cells) is read again at that length (ReadOptions::chars), and
// that reading is reported instead when it is valid or surer. Not when it
// is less sure: a TD3 photo whose 36-cell reading held every field right
// (td3-photo-s211-0041, 0.46) read its 44 cells a cell off (0.0). `read`
// reads with the options given.
template <class Read>
auto readAtDocumentLength(Read read, const ReadOptions& options, deskew::Kind kind) {
  auto reading = read(options);
  if (!reading || options.chars != 0 || options.parse.format) return reading;
  const Result& r = reading->result;
  if (r.valid || fitsDocument(r, kind)) return reading;
  ReadOptions at = options;
  at.chars = deskew::zoneChars(kind);
  if (auto again = read(at); again && (again->result.valid || again->result.confidence > r.confidence))
    reading = std::move(again);
  return reading;
}

// Flat copies are drawn at this resolution (id-deskew's default).
constexpr double kFlatDpi = 300;

// A flat copy of the photo's `document` (quad in the photo's full-size
// pixels) read; the reading's quad mapped into the photo.
std::optional<DocumentReading> readFlat(const cv::Mat& card, const deskew::Document& document,
                                        const ReadOptions& options) {
  auto reading = readAtDocumentLength([&](const ReadOptions& o) { return read(card, o); }, options, document.kind);
  if (!reading) return std::nullopt;
  const deskew::Quad& q = document.quad;
  const deskew::Quad corners = {cv::Point2d(0, 0), cv::Point2d(card.cols, 0), cv::Point2d(card.cols, card.rows),
                                cv::Point2d(0, card.rows)};
  const cv::Matx33d to_photo = deskew::homography(corners, q);
  for (cv::Point2f& p : reading->quad) {
    const cv::Point2d t = deskew::apply(to_photo, cv::Point2d(p.x, p.y));
    p = cv::Point2f(static_cast<float>(t.x), static_cast<float>(t.y));
  }
  const double sampling = (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3])) / (2.0 * card.cols);
  return DocumentReading{std::move(*reading), document, sampling};
}

// An ID-2 document (TD2, MRV-B, French ID) that a photo holds at fewer
// pixels a millimetre than its flat copy at kFlatDpi, whose copy read no
// zone valid through the final judgement (finallyValid), is read again from
// a copy drawn at the pixel size of an ID-3 at kFlatDpi (largerId2Dpi): the
// size id-mrz read such cards at when id-deskew took them for ID-3. Both
// copies are enlarged from the same photo pixels; the larger reads more of
// them right. On the 252 ID-2 photos of MRZ seed 211, every one flattened as
// ID2 (`id-deskew --kind ID2`), read from copies at 300 and at 357 dpi: every
// field right and valid 216 -> 221, all five from photos holding the card at
// 5-9.4 px/mm (mrvb-photo-s211-0022's thumb-covered 49 read surely), none
// lost; the one reading made worse (td2-photo-s211-0065, right and not valid
// -> wrong) came from a photo holding 23.6 px/mm, so larger copies are drawn
// only from smaller photos.
double largerId2Dpi() {
  return kFlatDpi * deskew::sizeMm(deskew::Kind::id3).width / deskew::sizeMm(deskew::Kind::id2).width;
}

// Whether a document's reading is valid and stays so through the final
// judgement (judged on a copy: the record judges the view it keeps). A zone
// whose check digits verify with a doubted cell a rival could fill is not
// (mrvb-photo-s211-0022's thumb-covered 49, A and B its rivals).
bool finallyValid(const std::optional<DocumentReading>& d, const ParseOptions& opts) {
  if (!d || !d->reading.result.valid) return false;
  ImageReading judged = d->reading;
  judgeFinally(judged, opts);
  return judged.result.valid;
}

// Whether `document` is an ID-2 the photo holds at fewer pixels than its
// copy at kFlatDpi: the only documents readLargerId2 reads again.
bool smallId2(const LoadedImage& img, const deskew::Document& document) {
  if (document.kind != deskew::Kind::id2 || img.size.width <= 0) return false;
  const deskew::Quad& q = document.quad;
  const double width = (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3])) / 2;
  return width < deskew::pixelSize(deskew::Kind::id2, kFlatDpi).width;
}

// A smallId2 document flattened again at largerId2Dpi, from the pixels its
// first copy was drawn from, and read.
std::optional<DocumentReading> readLargerId2(const deskew::Flat& flat, const ReadOptions& options) {
  const cv::Mat card = flat.flattenAt(largerId2Dpi());
  if (card.empty()) return std::nullopt;
  return readFlat(card, flat.document, options);
}

// The photo's document found, turned upright and flattened at 300 dpi as
// id-deskew does it, and read; the reading's quad mapped into the photo's
// full-size pixels (an ID-2's copy that reads no valid zone read again
// larger: readLargerId2). nullopt when no document is found or its copy has no
// MRZ. Upright matters though the reader reads at any angle: the same flat
// card left upside down read a visa's number wrong and valid (mrvb-photo-s7-
// 0075, YYQS73588 for TY2573588, its check digit agreeing by chance).
std::optional<DocumentReading> readDocument(const LoadedImage& img, const ImageLimits& limits,
                                            const ReadOptions& options, std::optional<deskew::Document>& found) {
  deskew::Options dopts;
  dopts.orient = true;
  dopts.dpi = kFlatDpi;
  const double scale = static_cast<double>(img.bgr.cols) / img.size.width;
  const auto region = [&](const cv::Rect& roi) { return deskew::decodeRegion(img.encoded, roi, limits); };
  std::vector<deskew::Flat> flats = deskew::deskewDecoded(img.bgr, scale, region, dopts);
  if (flats.empty() || flats[0].card.empty()) return std::nullopt;
  found = flats[0].document;
  auto reading = readFlat(flats[0].card, flats[0].document, options);
  // The final judgement on a copy is asked only of a document a larger copy
  // could be drawn for, not of every photo's reading.
  if (smallId2(img, flats[0].document) && !finallyValid(reading, options.parse))
    if (auto larger = readLargerId2(flats[0], options); finallyValid(larger, options.parse))
      return larger;
  return reading;
}

// A shaken photo (a hand moving during the exposure) whose zone no reading
// made valid: the streak is measured in the photo itself, about its document
// (motion_blur.hpp motionOf, the limits of readDeblurred's), undone there,
// and the document flattened from the deconvolved photo and read. The
// zone's own pass (readDeblurred) measures and undoes the streak in the flat
// copy, where a small photo's document is drawn larger and its streak with it
// (seed 7's fra-id-photo-0041: 7 px in the 800 px photo, past the longest
// believed in the copy drawn 3.9 times larger) and where the flattening's
// perspective bends it; the photo holds the streak as the camera made it.
// On seed 7's raw photos this reads 4 shaken zones right and valid that
// the zone's own pass does not, and makes 15 more valid on the held-out
// seeds 63, 17 and 23 (bench/README.md, MRZ, session 26). Valid only when
// read alike from the photo undone with more damping (kDeblurNoiseCheck): a
// deconvolved glyph can be sure and wrong where no check digit looks. A
// valid first reading that the twin does not confirm is returned not valid, the
// cells the twin read otherwise and the twin's own doubts listed uncertain
// (readRecord reports it where nothing else was read: seed 269's
// fra-id-photo-0007, 7 px at 8 degrees, read exactly with the first damping
// and FRANCDISE with more, was "mrz_not_found"). nullopt when the first
// reading is not valid.
std::optional<DocumentReading> readShakenDocument(const LoadedImage& img, const deskew::Document& document,
                                                  const ReadOptions& options) {
  const double scale = static_cast<double>(img.bgr.cols) / img.size.width;
  deskew::Document local = document;
  std::vector<cv::Point2f> corners;
  for (auto& p : local.quad) {
    p *= scale;
    corners.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
  }
  const cv::Rect whole(0, 0, img.bgr.cols, img.bgr.rows);
  const int margin = static_cast<int>(detail::kMotionSearched);
  const cv::Rect box = (cv::boundingRect(corners) + cv::Size(2 * margin, 2 * margin) - cv::Point(margin, margin)) & whole;
  if (box.width < 64 || box.height < 64) return std::nullopt;
  // Only the box and a streak's reach around it are turned grey (the
  // deconvolution's padding reads the pixels beyond its patch where there
  // are some), and the document is flattened from that region alone: its
  // quad lies inside the box.
  const cv::Rect region = (box + cv::Size(2 * margin, 2 * margin) - cv::Point(margin, margin)) & whole;
  cv::Mat gray;
  cv::cvtColor(img.bgr(region), gray, cv::COLOR_BGR2GRAY);
  const cv::Rect inner = box - region.tl();
  for (auto& p : local.quad) p -= cv::Point2d(region.tl());
  const auto streak = idkit::detail::motionOf(gray(inner), {detail::kMotionSearched, detail::kMotionBelieved, 48, true});
  if (!streak || streak->length > detail::kMotionLongest) return std::nullopt;
  auto readUndone = [&](double noise) -> std::optional<DocumentReading> {
    cv::Mat undone = gray.clone();
    idkit::detail::deblurMotion(gray(inner), *streak, noise).copyTo(undone(inner));
    const cv::Mat card = deskew::flatten(undone, local, kFlatDpi);
    if (card.empty()) return std::nullopt;
    return readFlat(card, document, options);
  };
  auto first = readUndone(detail::kDeblurNoise);
  if (!first || !first->reading.result.valid) return std::nullopt;
  const auto twin = readUndone(detail::kDeblurNoiseCheck);
  if (twin && twin->reading.result.valid && twin->reading.result.lines == first->reading.result.lines) return first;
  Result& r = first->reading.result;
  if (twin && detail::listTwinDifferences(r, twin->reading.result))
    for (const Correction& u : twin->reading.result.uncertain)
      if (std::none_of(r.uncertain.begin(), r.uncertain.end(),
                       [&](const Correction& c) { return c.line == u.line && c.pos == u.pos; }))
        r.uncertain.push_back(u);
  detail::markIllegible(r);
  return first;
}

// A valid reading of a flat copy drawn at more than 1 / kSecondViewBelow
// times the size the photo holds the document at, whose names were read
// less surely than kSecondViewUnsure, is checked against the photo read as
// it is. The copy's resampling can make one letter of a name another that
// no check digit covers (passporteye-100_pass2-uto, a TD2 at 0.58, surname
// 0.944: ERIKSSCN read valid from the copy, ERIKSSON from the photo). Names
// read surer are not looked at again: reading every small photo twice cost
// id-synth's seed 7 photos 39 % more CPU and changed none of them.
constexpr double kSecondViewBelow = 0.8;
constexpr double kSecondViewUnsure = 0.95;

bool namesUnsure(const Result& r) {
  for (const char* name : {"surname", "given_names"})
    if (const auto it = r.field_confidence.find(name); it != r.field_confidence.end() && it->second < kSecondViewUnsure)
      return true;
  return false;
}

// How a flat card's own reading failed, so that the photo it came from is
// read again (readInputPhoto).
enum class CardMiss { no_zone, zone_invalid };

// The photo a flat card came from (the record's input), read again when the
// card's reading failed, and reported as found in the input with its band
// mapped into the card's frame, where later tools look for it. Nothing
// (std::nullopt) when that reading is not taken.
// - The card holds no zone (CardMiss::no_zone): id-deskew may have
//   flattened the wrong region. When it turned the card upright by its MRZ
//   band (orientation_cue "mrz"), the zone is there and the miss is the
//   card's reading: the photo is read as a photo given alone, its document
//   found and flattened by id-mrz itself, a shaken one's streak undone
//   (seed 4242's td3-photo-0034, a 6 px streak in a page id-deskew's card
//   drew 3.5 times larger, reads valid so). Otherwise the photo is read as
//   it is: the many documents without an MRZ (licence fronts, QR cards) do
//   not pay for a second document search.
// - The card's zone no view made valid (CardMiss::zone_invalid): the photo
//   is read as a photo given alone, and its reading taken only when valid
//   (seed 4242's td1-photo-0096: the card id-deskew gave read three cells
//   short on line 1, mrz_invalid; the photo alone reads valid and right).
//   The card's zone is there, so the search is not wasted on documents
//   without one.
std::optional<Status> readInputPhoto(Json& record, cv::Size card, CardMiss miss, const ImageLimits& limits,
                                     const ReadOptions& options) {
  const Json& input = record["input"];
  const auto doc_section = record.find("document");
  const bool band_seen = options.find_document && doc_section != record.end() && doc_section->is_object() &&
                         doc_section->value("orientation_cue", std::string()) == "mrz";
  Json section;
  if (miss == CardMiss::zone_invalid || band_seen) {
    Json alone{{"input", input}};
    try {
      readRecord(alone, limits, options);  // a record with only its input: no photo behind it
    } catch (const Failure&) {             // nothing found in the photo either
    }
    if (alone.contains("mrz")) section = std::move(alone["mrz"]);
  } else if (auto photo = loadImage(input.get<std::string>(), limits, kReadSide, Hash::no)) {
    if (auto fromPhoto = readFile(*photo, options)) {
      judgeFinally(*fromPhoto, options.parse);
      section = fromPhoto->toJson();
    }
  }
  if (!section.is_object() || !section.contains("quad")) return std::nullopt;
  if (miss == CardMiss::zone_invalid && !section.value("valid", false)) return std::nullopt;
  if (section.contains("document_quad")) {
    section["input_document_quad"] = std::move(section["document_quad"]);
    section.erase("document_quad");
  }
  section["found_in"] = "input";
  section["input_quad"] = section["quad"];
  const auto input_band = quadOf(section["quad"]);
  if (const auto doc = documentQuad(record); doc && input_band) {
    const std::array<cv::Point2f, 4> corners = {
        cv::Point2f(0, 0), cv::Point2f(static_cast<float>(card.width), 0),
        cv::Point2f(static_cast<float>(card.width), static_cast<float>(card.height)),
        cv::Point2f(0, static_cast<float>(card.height))};
    const cv::Mat h = cv::getPerspectiveTransform(doc->data(), corners.data());
    std::vector<cv::Point2f> in(input_band->begin(), input_band->end()), out;
    cv::perspectiveTransform(in, out, h);
    std::array<cv::Point2f, 4> mapped{};
    std::copy_n(out.begin(), 4, mapped.begin());
    section["quad"] = quadJson(mapped);
  } else {
    section.erase("quad");
  }
  const bool valid = section.value("valid", false);
  record["mrz"] = std::move(section);
  return valid ? Status::ok : Status::rejected;
}

}  // namespace

Status readRecord(Json& record, const ImageLimits& limits, const ReadOptions& options) {
  // The reader works at kReadSide at most: a JPEG is decoded reduced when it
  // is at least twice that (a third of the decode time of 12 MP).
  const auto image = record.find("image");
  const auto input = record.find("input");
  const bool twoFrames = image != record.end() && input != record.end() && image->is_string() &&
                         input->is_string() && *image != *input;
  // A photo's own bytes are kept for a full-size decode of its document's region.
  const LoadedImage img =
      loadRecordImage(record, limits, kReadSide, !twoFrames && options.find_document ? KeepBytes::yes : KeepBytes::no);
  // A photo: its document found and flattened is read first; the photo as
  // it is only when that reading is not valid, and it wins only when valid.
  // An image of a document's own shape (a flat card from elsewhere) is read
  // as it is first: its document is the whole image, and finding it again
  // would only cost time (half again a flat card's read).
  const bool photo = !twoFrames && options.find_document;
  const bool card_shaped =
      img.size.width > 0 && img.size.height > 0 &&
      deskew::classifyAspect(static_cast<double>(std::max(img.size.width, img.size.height)) /
                                 std::min(img.size.width, img.size.height),
                             kCardShapeTolerance)
          .has_value();
  std::optional<DocumentReading> doc;
  std::optional<deskew::Document> found;  // the photo's document, read or not
  bool doc_tried = false;
  auto documentRead = [&] {
    if (!doc_tried) doc_tried = true, doc = readDocument(img, limits, options, found);
    return doc.has_value();
  };
  // A reading no view made valid is read again by the second reader
  // (mrz_witness.cpp), in the working image where its band lies; once.
  std::vector<const ImageReading*> witnessedOnce;
  auto witnessed = [&](ImageReading& r) {
    if (r.result.valid || r.mirrored || img.size.width <= 0) return;
    if (std::find(witnessedOnce.begin(), witnessedOnce.end(), &r) != witnessedOnce.end()) return;
    witnessedOnce.push_back(&r);
    const float k = static_cast<float>(img.bgr.cols) / static_cast<float>(img.size.width);
    std::array<cv::Point2f, 4> band = r.quad;
    for (auto& p : band) p *= k;
    detail::witness(r.result, r.candidates, img.bgr, band, options.parse);
  };
  auto fromDocument = [&](bool witness = true) {
    if (witness) witnessed(doc->reading);
    judgeFinally(doc->reading, options.parse);
    Json section = doc->reading.toJson();
    section["found_in"] = "document";
    section["document_quad"] = quadJson(doc->document.quad);
    record["mrz"] = std::move(section);
    return doc->reading.result.valid ? Status::ok : Status::rejected;
  };
  if (photo && !card_shaped && documentRead() && doc->reading.result.valid) {
    if (doc->sampling < kSecondViewBelow && namesUnsure(doc->reading.result))
      if (auto direct = readFile(img, options); direct && direct->result.valid)
        detail::crossCheck(doc->reading.result, direct->result);
    return fromDocument();
  }
  // The photo as it is holds the document found in it: its lines are as
  // long as that document's size holds them.
  auto reading =
      found ? readAtDocumentLength([&](const ReadOptions& o) { return readFile(img, o); }, options, found->kind)
            : readFile(img, options);
  if (reading && reading->result.valid && doc && doc->reading.result.lines.size() == reading->result.lines.size()) {
    detail::carryDoubts(reading->result, doc->reading.result);
    // The flat copy's reading, not valid, is a second view of the cells no
    // check digit vouches for (held-out mrvb-photo-s119-0075, shaken: the
    // copy read the sex M at 0.83, the photo '<' at 0.91: valid, wrong).
    detail::crossCheck(reading->result, doc->reading.result, doc->reading.candidates);
  }
  // Neither valid: a shaken photo's document read with the streak undone in
  // the photo (readShakenDocument), when that is valid; one its twin did not
  // confirm is kept for a photo where nothing else is read.
  std::optional<DocumentReading> unconfirmed;
  if (photo && !(reading && reading->result.valid)) {
    documentRead();
    if (found && !(doc && doc->reading.result.valid))
      if (auto shaken = readShakenDocument(img, *found, options)) {
        if (!shaken->reading.result.valid) {
          unconfirmed = std::move(shaken);
        } else {
          doc = std::move(shaken);
          return fromDocument();
        }
      }
  }
  // Neither valid: both are read by the second reader, then the one it made
  // valid, else the surer (the flat copy's on a tie). Two garbage readings'
  // confidences say little about which the witness can mend: the real
  // monospace card-cmw's photo reading (mended, all fields right) was the
  // less sure one as soon as its impossible characters were replaced by the
  // classifier's own runners-up rather than look-alikes.
  if (photo && !(reading && reading->result.valid) && documentRead()) {
    if (reading) witnessed(*reading), witnessed(doc->reading);
    if (!reading || (!reading->result.valid &&
                     (doc->reading.result.valid || doc->reading.result.confidence >= reading->result.confidence)))
      return fromDocument();
  }
  // A card whose reading failed: the photo it came from, read again.
  // A zone found on the card by the coarse blob map alone and not valid
  // counts as none: the photo is read as for a card with no zone (the coarse
  // map read td1-photo-s4141-0008's card as garbage, 0.047, where the photo
  // read as it is gives all but two fields right, 0.379).
  if (twoFrames && ((!reading && reading.error().code == "mrz_not_found") ||
                    (reading && reading->coarse && !reading->result.valid)))
    if (auto status = readInputPhoto(record, img.size, CardMiss::no_zone, limits, options)) return *status;
  if (twoFrames && reading && !reading->result.valid && options.find_document) {
    witnessed(*reading);
    if (!reading->result.valid)
      if (auto status = readInputPhoto(record, img.size, CardMiss::zone_invalid, limits, options)) return *status;
  }
  // Nothing else read: the shaken document's reading its twin did not
  // confirm, not valid, its doubts listed. Not given to the second reader:
  // it would read the shaken photo as it is again, and a cell it mended
  // where the twins disagree would have no second witness.
  // So too where the photo as it is was read, not valid, at a line length
  // its document does not hold and that reading at the one it holds
  // (td3-photo-s211-0039, a partial band read as 36 cells a line).
  if (unconfirmed && !doc &&
      (!reading || (!reading->result.valid && found && !fitsDocument(reading->result, found->kind) &&
                    fitsDocument(unconfirmed->reading.result, found->kind)))) {
    doc = std::move(unconfirmed);
    return fromDocument(false);
  }
  if (!reading) throw Failure(reading.error());
  witnessed(*reading);
  judgeFinally(*reading, options.parse);
  record["mrz"] = reading->toJson();
  return reading->result.valid ? Status::ok : Status::rejected;
}

}  // namespace idkit::mrz
