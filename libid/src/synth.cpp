// generate(): person -> drawn sides -> capture -> JPEG, with the ground truth.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include <idkit/codec.hpp>
#include <idkit/aamva.hpp>
#include <idkit/mrz.hpp>
#include <idkit/synth.hpp>

#include "synth_internal.hpp"

namespace idkit::synth {

namespace {

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}

double r1(double v) { return std::round(v * 10) / 10; }

Json quadOfBox(const Json& box, const cv::Matx33d& h) {
  const double x = box[0].get<double>(), y = box[1].get<double>(), w = box[2].get<double>(),
               hh = box[3].get<double>();
  Json q = Json::array();
  for (const cv::Point2d c : {cv::Point2d(x, y), cv::Point2d(x + w, y), cv::Point2d(x + w, y + hh), cv::Point2d(x, y + hh)}) {
    const cv::Point2d p = apply(h, c);
    q.push_back({r1(p.x), r1(p.y)});
  }
  return q;
}

std::string_view mrzFormatName(DocType t) {
  switch (t) {
    case DocType::td1: return "TD1";
    case DocType::td2: return "TD2";
    case DocType::td3: return "TD3";
    case DocType::mrva: return "MRVA";
    case DocType::mrvb: return "MRVB";
    case DocType::fra_id: return "FRENCH_ID";
    default: return "";
  }
}

Json personJson(const Person& p) {
  Json j = {{"document_code", p.document_code},
            {"issuing_state", p.issuing_state},
            {"state_name", p.state_name},
            {"document_number", p.document_number},
            {"surname", p.surname},
            {"given_names", p.given_names},
            {"sex", std::string(1, p.sex)},
            {"nationality", p.nationality},
            {"birth_date", p.birth.iso()},
            {"issue_date", p.issue.iso()},
            {"expiry_date", p.expiry.iso()},
            {"place_of_birth", p.place_of_birth},
            {"authority", p.authority}};
  if (!p.personal_number.empty()) j["personal_number"] = p.personal_number;
  if (p.type == DocType::dl) {
    j["jurisdiction"] = p.jurisdiction;
    j["street"] = p.street;
    j["city"] = p.city;
    j["postal_code"] = p.postal_code;
    j["height_cm"] = p.height_cm;
    j["weight_kg"] = p.weight_kg;
  }
  return j;
}

// The forger's choices come from a stream of their own: a tampered batch
// draws, lays out and captures every document as the genuine batch does.
Rng tamperRng(const Options& opts, uint64_t index, size_t card) {
  return Rng(Rng::mix(opts.seed) ^ Rng::mix(index + 0x7A3F) ^ Rng::mix(card + 0x7A3F00));
}

// A capture size for a phone photo: common sensor sizes from 0.5 to 12 MP.
cv::Size photoSize(Rng& rng) {
  static const std::array<cv::Size, 7> sizes{cv::Size(800, 600),   cv::Size(1280, 960), cv::Size(1600, 1200),
                                             cv::Size(1920, 1080), cv::Size(2592, 1944), cv::Size(3264, 2448),
                                             cv::Size(4000, 3000)};
  cv::Size s = rng.pick(sizes);
  if (rng.chance(0.35)) std::swap(s.width, s.height);  // phone held upright
  return s;
}

// Scales `img` down so that its long side is at most `max_side` (0: never);
// the matrix maps full-size pixels to the result's, `scale` is the factor.
cv::Matx33d fitMaxSide(cv::Mat& img, int max_side, double& scale) {
  scale = 1.0;
  if (max_side <= 0 || std::max(img.cols, img.rows) <= max_side) return cv::Matx33d::eye();
  scale = max_side / double(std::max(img.cols, img.rows));
  cv::Mat small;
  cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
  img = small;
  // INTER_AREA maps pixel centres: x' = (x + 0.5) * s - 0.5.
  return {scale, 0, 0.5 * scale - 0.5, 0, scale, 0.5 * scale - 0.5, 0, 0, 1};
}

// A flatbed page with several documents (Options::cards_min..cards_max), from
// random streams of its own.
Specimen generatePage(const Options& opts, uint64_t index) {
  Rng rng(Rng::mix(opts.seed) ^ Rng::mix(index + 0xCA4D5) ^ Rng::mix(0x5CA9));
  Rng layout_rng = rng.fork(1), capture_rng = rng.fork(2);
  // Flatbed pages of documents are scanned at office resolutions.
  static const std::array<double, 4> dpis{150, 200, 300, 300};
  RenderOptions ro;
  ro.faces_dir = opts.faces_dir;
  ro.dpi = layout_rng.pick(dpis);
  const int n = layout_rng.integer(std::max(1, opts.cards_min), std::max(opts.cards_min, opts.cards_max));
  std::vector<Person> people;
  std::vector<Card> cards;
  for (int i = 0; i < n; ++i) {
    const DocType type = opts.type ? *opts.type : layout_rng.pick(allDocTypes());
    Rng card_rng = rng.fork(100 + static_cast<uint64_t>(i));
    Rng person_rng = card_rng.fork(1), draw_rng = card_rng.fork(2);
    people.push_back(randomPerson(type, person_rng));
    Rng tamper_rng = tamperRng(opts, index, i);
    tamperPrint(people.back(), opts.tamper, tamper_rng);
    std::vector<Card> sides = renderCards(people.back(), ro, draw_rng);
    // One side of a two-sided card faces the glass.
    cards.push_back(std::move(sides[static_cast<size_t>(card_rng.integer(0, static_cast<int>(sides.size()) - 1))]));
  }
  PageShot page = captureScanPage(cards, capture_rng);
  double scale = 1.0;
  const cv::Matx33d to_small = fitMaxSide(page.image, opts.max_side, scale);
  const int quality = opts.quality > 0 ? opts.quality : capture_rng.integer(70, 95);
  page.params["jpeg_quality"] = quality;
  if (scale != 1.0) page.params["scale"] = std::round(scale * 10000) / 10000;
  Specimen s;
  s.size = page.image.size();
  s.truth = {{"idkit_synth", 1}, {"seed", opts.seed}, {"index", index}};
  s.truth["image"] = {{"width", s.size.width}, {"height", s.size.height}};
  s.truth["capture"] = page.params;
  Json docs = Json::array();
  for (size_t k = 0; k < page.placed.size(); ++k) {
    const size_t i = page.placed[k];
    Shot one;
    one.params = {{"skew_deg", std::round((page.angles_deg[k] > 180 ? page.angles_deg[k] - 360 : page.angles_deg[k]) * 100) / 100}};
    Json t = truthOf(people[i], cards[i], one, to_small * page.homographies[k], s.size);
    t.erase("image");
    t["placement"] = std::move(t["capture"]);
    t.erase("capture");
    docs.push_back(std::move(t));
  }
  s.truth["documents"] = std::move(docs);
  s.jpeg = codec::encodeJpeg(page.image, quality);
  return s;
}

}  // namespace

Json truthOf(const Person& p, const Card& card, const Shot& shot, const cv::Matx33d& h, cv::Size image_size) {
  Json t = Json::object();
  const cv::Size cs = card.image.size();
  Json quad = quadOfBox(Json::array({0, 0, cs.width, cs.height}), h);
  const cv::Point2d top = apply(h, {double(cs.width), 0}) - apply(h, {0, 0});
  const double angle = std::fmod(std::atan2(top.y, top.x) * 180 / std::numbers::pi + 360, 360);
  const int rotation = static_cast<int>(std::lround(angle / 90.0)) % 4 * 90;
  const cv::Size2d mm = sizeMm(p.type);
  t["document"] = {{"type", name(p.type)},
                   {"kind", sizeClass(p.type)},
                   {"side", card.side},
                   {"size_mm", {mm.width, mm.height}},
                   {"issuing_state", p.issuing_state},
                   {"quad", quad},
                   {"rotation", rotation},
                   {"angle_deg", r1(angle)},
                   {"expired", p.expiry < kAsOf},
                   {"as_of", kAsOf.iso()}};
  t["image"] = {{"width", image_size.width}, {"height", image_size.height}};
  Json hm = Json::array();
  for (int r = 0; r < 3; ++r) hm.push_back({h(r, 0), h(r, 1), h(r, 2)});
  t["card"] = {{"dpi", card.dpi}, {"width", cs.width}, {"height", cs.height}, {"to_image", hm}};
  t["capture"] = shot.params;

  const Json& ct = card.truth;
  if (ct.contains("mrz") && ct["mrz"].contains("lines") && !ct["mrz"]["lines"].empty()) {
    std::vector<std::string> lines = ct["mrz"]["lines"].get<std::vector<std::string>>();
    Json m = {{"format", mrzFormatName(p.type)}, {"lines", lines}};
    if (auto parsed = mrz::parse(lines, {.as_of = kAsOf.iso(), .format = std::nullopt})) {
      const Json pj = parsed->toJson();
      m["fields"] = pj.value("fields", Json::object());
      m["checks"] = pj.value("checks", Json::object());
      m["valid"] = pj.value("valid", false);
    }
    Json lq = Json::array();
    for (const auto& b : ct["mrz"]["line_boxes"]) lq.push_back(quadOfBox(b, h));
    m["line_boxes"] = ct["mrz"]["line_boxes"];
    m["line_quads"] = lq;
    t["mrz"] = m;
  }
  if (ct.contains("fields")) {
    Json fields = ct["fields"];
    for (auto& f : fields) f["quad"] = quadOfBox(f["box"], h);
    t["viz"] = ct["viz"];
    t["fields"] = fields;
  }
  for (const char* key : {"portrait", "ghost_portrait"}) {
    if (!ct.contains(key)) continue;
    Json e = ct[key];
    e["quad"] = quadOfBox(e["box"], h);
    t[key] = e;
  }
  if (ct.contains("barcodes")) {
    Json bs = ct["barcodes"];
    for (auto& b : bs) {
      b["quad"] = quadOfBox(b["box"], h);
      if (b["format"] == "PDF417") {
        if (auto a = aamva::parse(b["text"].get<std::string>())) b["aamva"] = a->fields;
      }
    }
    t["barcodes"] = bs;
  }
  t["person"] = personJson(p);
  if (p.printed_birth)
    t["tamper"] = {{"field", "birth_date"}, {"printed", p.printed_birth->iso()}, {"true", p.birth.iso()}};
  if (p.printed_surname)
    t["tamper"] = {{"field", "surname"}, {"printed", *p.printed_surname}, {"true", p.surname}};
  return t;
}

std::vector<Specimen> generate(const Options& opts, uint64_t index) {
  if (opts.cards_max > 0) return {generatePage(opts, index)};
  const DocType type = opts.type ? *opts.type : allDocTypes()[index % allDocTypes().size()];
  // The type is part of the seed: batches of different types get different captures.
  Rng rng(Rng::mix(opts.seed) ^ Rng::mix(index + 0x51ED) ^ Rng::mix(0xD0C0 + static_cast<uint64_t>(type)));
  Rng person_rng = rng.fork(1), draw_rng = rng.fork(2), capture_rng = rng.fork(3);
  Person person = randomPerson(type, person_rng);
  Rng tamper_rng = tamperRng(opts, index, 0);
  tamperPrint(person, opts.tamper, tamper_rng);
  const bool photo = opts.capture == Capture::photo || (opts.capture == Capture::mixed && rng.chance(0.5));

  RenderOptions ro;
  ro.faces_dir = opts.faces_dir;
  cv::Size out_size;
  if (photo) {
    out_size = photoSize(capture_rng);
    if (!opts.photo_size.empty()) out_size = opts.photo_size;
    // Draw about as sharp as the camera will see it, within 150..600 dpi.
    const double long_px = std::max(out_size.width, out_size.height);
    ro.dpi = std::clamp(std::round(long_px * 0.8 / (sizeMm(type).width / 25.4)), 150.0, 600.0);
  } else {
    static const std::array<double, 6> dpis{150, 200, 300, 300, 400, 600};
    ro.dpi = capture_rng.pick(dpis);
  }
  const std::vector<Card> cards = renderCards(person, ro, draw_rng);

  std::vector<Specimen> out;
  for (size_t i = 0; i < cards.size(); ++i) {
    const Card& card = cards[i];
    Rng side_rng = capture_rng.fork(10 + i);
    Shot shot = photo ? capturePhoto(card, out_size, side_rng) : captureScan(card, side_rng);
    double scale = 1.0;
    const cv::Matx33d to_small = fitMaxSide(shot.image, opts.max_side, scale);
    const cv::Matx33d h = scale != 1.0 ? to_small * shot.homography : shot.homography;
    const int quality = opts.quality > 0 ? opts.quality : side_rng.integer(photo ? 40 : 70, 95);
    shot.params["jpeg_quality"] = quality;
    if (scale != 1.0) shot.params["scale"] = std::round(scale * 10000) / 10000;
    Specimen s;
    s.suffix = cards.size() > 1 ? "-" + card.side : "";
    s.size = shot.image.size();
    s.truth = {{"idkit_synth", 1}, {"seed", opts.seed}, {"index", index}};
    s.truth.update(truthOf(person, card, shot, h, s.size));
    s.jpeg = codec::encodeJpeg(shot.image, quality);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace idkit::synth
