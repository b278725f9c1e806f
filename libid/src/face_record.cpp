// id-face's record handling: pairing the selfie, the document image, crops.
#include <idkit/codec.hpp>
#include <idkit/face.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include <idkit/deskew.hpp>
#include <idkit/record.hpp>

namespace idkit::face {
namespace fs = std::filesystem;

namespace {

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

std::optional<deskew::Quad> quadOf(const Json& record) {
  auto d = record.find("document");
  if (d == record.end() || !d->is_object()) return std::nullopt;
  auto q = d->find("quad");
  if (q == d->end() || !q->is_array() || q->size() != 4) return std::nullopt;
  deskew::Quad quad;
  for (size_t i = 0; i < 4; ++i) {
    const auto& p = (*q)[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
    quad[i] = {p[0].get<double>(), p[1].get<double>()};
  }
  if (!deskew::isConvex(quad) || deskew::area(quad) < 100) return std::nullopt;
  return quad;
}

// The portrait's place when the record says which size class the document is.
std::optional<cv::Rect2f> portraitRegion(const Json& record) {
  auto d = record.find("document");
  if (d == record.end() || !d->is_object()) return std::nullopt;
  auto k = d->find("kind");
  if (k == d->end() || !k->is_string() || !deskew::parseKind(k->get<std::string>())) return std::nullopt;
  return kPortraitRegion;
}

// The flat card's pixels (corners (0,0), (w,0), (w,h), (0,h), as
// deskew::flatten warps) -> the input's, along the document's quad.
cv::Matx33d cardToInput(const deskew::Quad& quad, cv::Size card) {
  const deskew::Quad corners{cv::Point2d(0, 0), cv::Point2d(card.width, 0), cv::Point2d(card.width, card.height),
                             cv::Point2d(0, card.height)};
  return deskew::homography(corners, quad);
}

cv::Point2f mapPoint(const cv::Matx33d& h, cv::Point2f p) {
  const cv::Point2d q = deskew::apply(h, cv::Point2d(p));
  return {float(q.x), float(q.y)};
}

// A face on the flat card, in the input's pixels: landmarks mapped exactly,
// the box as the bounding box of its mapped corners.
Detection mapDetection(const Detection& d, const cv::Matx33d& h) {
  Detection o = d;
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (auto c : {d.box.tl(), cv::Point2f(d.box.x + d.box.width, d.box.y), d.box.br(),
                 cv::Point2f(d.box.x, d.box.y + d.box.height)}) {
    const cv::Point2f p = mapPoint(h, c);
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  o.box = cv::Rect2f(x0, y0, x1 - x0, y1 - y0);
  for (auto& p : o.landmarks) p = mapPoint(h, p);
  return o;
}

// A face in the input photo's own pixels (no turn: the alignment's similarity
// transform takes the face upright from any roll).
Found inInput(const cv::Mat& whole, const Detection& d) {
  Found f;
  f.face = d;
  f.original = d;
  f.rotation = 0;
  f.upright = whole;
  return f;
}

}  // namespace

// The nasal bridge and the cheeks are brighter than the eyes on an upright
// face; on a face upside down or on its side the eyes' places fall on the
// mouth, the nose or the cheeks instead. YuNet scores faces in every quarter
// turn alike (0.98-1.0), so its score cannot tell which way up a portrait is.
double uprightness(const cv::Mat& chip_bgr) {
  if (chip_bgr.empty()) return 0;
  cv::Mat grey;
  cv::cvtColor(chip_bgr, grey, cv::COLOR_BGR2GRAY);
  auto at = [&](float x, float y) {
    const cv::Rect r = cv::Rect(int(x) - 6, int(y) - 4, 12, 8) & cv::Rect(0, 0, grey.cols, grey.rows);
    return r.area() > 0 ? cv::mean(grey(r))[0] : 0.0;
  };
  const auto& t = kTemplate;
  const double eyes = (at(t[0].x, t[0].y) + at(t[1].x, t[1].y)) / 2;
  const double bright = (at((t[0].x + t[1].x) / 2, t[0].y) + at(t[0].x, t[2].y) + at(t[1].x, t[2].y)) / 3;
  return bright - eyes;
}

double turnUprightness(Engine& engine, const cv::Mat& chip_bgr, float detector_score) {
  if (chip_bgr.empty()) return -1e9;
  cv::Mat mirror;
  cv::flip(chip_bgr, mirror, 1);
  const double stable = similarity(engine.describeChip(chip_bgr), engine.describeChip(mirror));
  return 100 * stable + uprightness(chip_bgr) / 50 + 2 * double(detector_score);
}

namespace {

// Landmarks spread as on a face: eyes a third or more of the box apart, the
// mouth about as far below them. YuNet's weak hits in a wrongly turned copy
// (a stretched portrait) bunch them together.
bool plausible(const Detection& d) {
  const auto& l = d.landmarks;
  const double eyes = cv::norm(l[1] - l[0]);
  const double mouth = cv::norm((l[3] + l[4]) * 0.5f - (l[0] + l[1]) * 0.5f);
  const double side = std::max(d.box.width, d.box.height);
  return eyes >= 0.2 * side && mouth >= 0.5 * eyes && mouth <= 2.0 * eyes;
}

// The portrait in the input photo inside the quad's bounding box plus a
// margin, every quarter turn, in the input's pixels: the most upright-looking
// of the faces within ghost_margin of the best score, the largest within that
// margin in its turn (ghost portraits are smaller copies).
std::optional<Found> searchAroundQuad(Engine& engine, const cv::Mat& whole, const cv::Matx33d& to_input,
                                      cv::Size card, const PortraitOptions& opts) {
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (auto c : {cv::Point2f(0, 0), cv::Point2f(float(card.width), 0), cv::Point2f(float(card.width), float(card.height)),
                 cv::Point2f(0, float(card.height))}) {
    const cv::Point2f p = mapPoint(to_input, c);
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return std::nullopt;
  const float m = kQuadSearchMargin * std::max(x1 - x0, y1 - y0);
  const cv::Rect r = cv::Rect(cv::Point(int(std::floor(std::max(x0 - m, -1.f))), int(std::floor(std::max(y0 - m, -1.f)))),
                              cv::Point(int(std::ceil(std::min(x1 + m, float(whole.cols) + 1))),
                                        int(std::ceil(std::min(y1 + m, float(whole.rows) + 1))))) &
                     cv::Rect(0, 0, whole.cols, whole.rows);
  if (r.width < 16 || r.height < 16) return std::nullopt;
  const cv::Mat crop = whole(r);
  struct Hit {
    Detection det;  // in the input's pixels
    int turn;
  };
  std::vector<Hit> hits;
  for (int turn : {0, 90, 180, 270}) {
    for (const Detection& d : engine.detect(rotateImage(crop, turn), opts.min_score, kDetectSide)) {
      Detection o = d;
      float bx0 = 1e9f, by0 = 1e9f, bx1 = -1e9f, by1 = -1e9f;
      for (auto c : {d.box.tl(), cv::Point2f(d.box.x + d.box.width, d.box.y), d.box.br(),
                     cv::Point2f(d.box.x, d.box.y + d.box.height)}) {
        const cv::Point2f p = unrotatePoint(c, crop.size(), turn) + cv::Point2f(float(r.x), float(r.y));
        bx0 = std::min(bx0, p.x), by0 = std::min(by0, p.y), bx1 = std::max(bx1, p.x), by1 = std::max(by1, p.y);
      }
      o.box = cv::Rect2f(bx0, by0, bx1 - bx0, by1 - by0);
      for (auto& p : o.landmarks) p = unrotatePoint(p, crop.size(), turn) + cv::Point2f(float(r.x), float(r.y));
      if (plausible(o)) hits.push_back({o, turn});
    }
  }
  if (hits.empty()) return std::nullopt;
  const auto best = *std::max_element(hits.begin(), hits.end(),
                                      [](const Hit& a, const Hit& b) { return a.det.score < b.det.score; });
  // The way up: the best-scoring face's turn is no guide (YuNet scores a face
  // cut by the crop's edge 0.73 upright and 1.0 upside down), so every turn
  // in which that same face was found (its box holds the best face's centre,
  // whatever its score) is scored by turnUprightness, which weighs the
  // detector's score in.
  const cv::Point2f centre = (best.det.box.tl() + best.det.box.br()) * 0.5f;
  std::array<const Hit*, 4> per_turn{};
  for (const Hit& h : hits) {
    if (!h.det.box.contains(centre)) continue;
    const Hit*& slot = per_turn[size_t(h.turn / 90)];
    if (!slot || h.det.score > slot->det.score) slot = &h;
  }
  int turn = best.turn;
  float turn_score = best.det.score;
  if (std::count_if(per_turn.begin(), per_turn.end(), [](const Hit* h) { return h != nullptr; }) > 1) {
    double most_upright = -1e18;
    for (const Hit* h : per_turn) {
      if (!h) continue;
      const double u = turnUprightness(engine, alignFace(whole, h->det), h->det.score);
      if (u > most_upright) most_upright = u, turn = h->turn, turn_score = h->det.score;
    }
  }
  // In that turn, the largest face within ghost_margin of its best (ghost
  // portraits are smaller copies).
  const Hit* chosen = nullptr;
  for (const Hit& h : hits)
    if (h.turn == turn && h.det.score >= turn_score - opts.ghost_margin &&
        (!chosen || h.det.box.area() > chosen->det.box.area()))
      chosen = &h;
  if (!chosen) return std::nullopt;
  return inInput(whole, chosen->det);
}

// Whether a face found on a flat card is where the card's layout puts the
// portrait: found without turning the card (id-deskew took it upright), its
// centre inside `region` (fractions of the card) when the layout is known.
bool inLayout(const Found& card_face, const std::optional<cv::Rect2f>& region) {
  if (card_face.rotation != 0) return false;
  if (!region || card_face.upright.empty()) return true;
  const cv::Point2f c = (card_face.face.box.tl() + card_face.face.box.br()) * 0.5f;
  return region->contains({c.x / float(card_face.upright.cols), c.y / float(card_face.upright.rows)});
}

// A card face's eye distance in the photo the card was flattened from: the
// card is resampled (often enlarged), the detail is the photo's.
double capturedEyes(const Found& card_face, const cv::Matx33d& to_input) {
  const auto& l = card_face.original.landmarks;
  return cv::norm(mapPoint(to_input, l[1]) - mapPoint(to_input, l[0]));
}

std::string writePng(const cv::Mat& img, const fs::path& dir, std::string_view stem, std::string_view tag) {
  if (img.empty()) throw Failure("write_failed", "cannot encode the " + std::string(tag) + " crop");
  const std::vector<std::uint8_t> png = codec::encodePng(img);
  const fs::path out = deskew::reserveOutputPath(dir, stem, tag);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!f) throw Failure("write_failed", "cannot write " + out.string());
  return out.string();
}

}  // namespace

std::string selfiePath(const Json& record, std::string_view selfie, std::string_view tmpl) {
  if (!selfie.empty()) return std::string(selfie);
  if (!tmpl.empty()) {
    const fs::path input = record.value("input", std::string());
    std::string dir = input.parent_path().string();
    if (dir.empty()) dir = ".";
    std::string out(tmpl);
    replaceAll(out, "{dir}", dir);
    replaceAll(out, "{stem}", inputStem(record));
    return out;
  }
  if (auto s = record.find("selfie"); s != record.end() && s->is_string()) return s->get<std::string>();
  return {};
}

DocumentImage documentImage(Json& record, const ImageLimits& limits, bool find_document) {
  DocumentImage doc;
  const bool flat = record.contains("image");
  doc.bgr = loadWorkingImage(record, limits);
  if (flat) {
    doc.upright_known = true;
    doc.portrait_region = portraitRegion(record);
    doc.source = "image";
    // id-deskew's card with its quad: the input photo is a second chance for
    // the portrait when the flattening went wrong (loaded only then).
    const std::string input = record.value("input", std::string());
    if (auto q = quadOf(record); q && !input.empty() && input != record.value("image", std::string())) {
      doc.card_to_input = cardToInput(*q, doc.bgr.size());
      doc.load_whole = [input, limits] {
        auto img = loadImage(input, limits, 0, Hash::no);
        if (!img) throw Failure("input_" + img.error().code, "input " + input + ": " + img.error().message);
        return img->bgr;
      };
    }
    return doc;
  }
  // Search for the portrait only inside the document: on photos the detector
  // also fires on textured backgrounds.
  std::optional<deskew::Document> found;
  if (auto q = quadOf(record)) {
    deskew::Document d;
    d.quad = *q;
    const std::string kind = record["document"].value("kind", std::string("ID1"));
    d.kind = deskew::parseKind(kind).value_or(deskew::Kind::id1);
    found = d;
    doc.portrait_region = portraitRegion(record);
    doc.source = "quad";
  } else if (find_document) {
    if (auto docs = deskew::detect(doc.bgr); !docs.empty()) {
      found = docs.front();
      doc.found_document = found->toJson();
      doc.portrait_region = kPortraitRegion;  // deskew found its size class
      doc.source = "deskew";
    }
  }
  if (found) {
    cv::Mat card = deskew::flatten(doc.bgr, *found, 300);
    if (!card.empty()) {
      doc.card_to_input = cardToInput(found->quad, card.size());
      doc.whole = doc.bgr;
      doc.bgr = std::move(card);
      doc.upright_known = true;
      return doc;
    }
  }
  doc.source = "input";
  return doc;
}

DocumentPortrait findDocumentPortrait(Engine& engine, const DocumentImage& document, PortraitOptions opts) {
  opts.upright_known = document.upright_known;
  if (!opts.region) opts.region = document.portrait_region;
  DocumentPortrait out;
  out.frame = document.source;
  out.found_on = document.card_to_input ? "card" : "input";
  auto card = findPortrait(engine, document.bgr, opts);
  if (card) {
    out.card_score = card->face.score;
    out.card_uprightness = uprightness(alignFace(card->upright, card->face));
  }
  if (!document.card_to_input) {
    if (!card) throw Failure("face_not_found", "no face found in the document image");
    out.found = std::move(*card);
    return out;
  }
  const cv::Matx33d& to_input = *document.card_to_input;
  // A face on a card turned the wrong way (a quad cut off above the MRZ and
  // taken upside down) still scores ~1.0: its chip, aligned on landmarks put
  // on an upside-down face, shows the mouth where the eyes should be.
  // A face the card's layout does not put there says that the card is no
  // document of its kind laid flat either: a quad that is the portrait photo
  // alone, turned (its face, on its side on the card, scores 0.97 and may
  // measure upright by chance). Both kinds give way to a face around the quad.
  const bool upright = card && out.card_uprightness >= kMinUprightness && inLayout(*card, opts.region);
  const bool trusted = upright && card->face.score >= opts.trusted_score;
  cv::Mat whole = document.whole;
  if (whole.empty() && !trusted && document.load_whole) whole = document.load_whole();
  if (whole.empty()) {
    // Only the card's pixels to go by (a trusted face on id-deskew's card).
    if (!card) throw Failure("face_not_found", "no face found in the document image");
    out.found = std::move(*card);
    out.found.capture_eyes = capturedEyes(out.found, to_input);
    return out;
  }
  std::optional<Found> best;
  if (card) {
    best = inInput(whole, mapDetection(card->original, to_input));
    if (opts.align_through_card) {
      best->card_to_upright = to_input;
      best->card_landmarks = card->original.landmarks;
    }
  }
  if (!trusted) {
    // A weak, missing, upside-down or misplaced face on the card: the card
    // may be a wrong flattening (its portrait photo stretched to a card, a
    // quad off the document or turned the wrong way). The photo around the
    // quad, every way up, undistorted; an upside-down or misplaced card face
    // gives way to any face found there (that search picks the way up by the
    // chips, not the score).
    if (auto near = searchAroundQuad(engine, whole, to_input, document.bgr.size(), opts);
        near && (!best || !upright || near->face.score > best->face.score)) {
      best = std::move(near);
      out.found_on = "quad";
    }
  }
  if (!best) {
    // Nothing on the card nor around it (a quad off the document): the whole photo, every way up.
    opts.upright_known = false;
    opts.region.reset();
    if (auto f = findPortrait(engine, whole, opts)) best = std::move(f), out.found_on = "input";
  }
  if (!best) throw Failure("face_not_found", "no face found in the document image");
  if (out.found_on == "card" && !opts.align_on_input) {
    out.found = std::move(*card);
    out.found.capture_eyes = capturedEyes(out.found, to_input);
    return out;
  }
  out.found = std::move(*best);
  out.frame = "input";
  return out;
}

Match verify(Engine& engine, const DocumentImage& document, const cv::Mat& selfie,
             PortraitOptions opts, double threshold) {
  auto p = findDocumentPortrait(engine, document, opts);
  Match m = verify(engine, std::move(p.found), selfie, opts.min_score, threshold);
  m.frame = std::move(p.frame);
  m.found_on = std::move(p.found_on);
  return m;
}

std::pair<std::string, std::string> writeCrops(const Match& m, const fs::path& dir, std::string_view stem) {
  return {writePng(portraitCrop(m.document), dir, stem, "portrait"),
          writePng(portraitCrop(m.selfie), dir, stem, "selfie-face")};
}

}  // namespace idkit::face
