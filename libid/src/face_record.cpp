// id-face's record handling: pairing the selfie, the document image, crops.
#include <idkit/codec.hpp>
#include <idkit/face.hpp>

#include <fstream>

#include "face_internal.hpp"


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
      doc.portrait_region = kPortraitRegion;  // deskew found its size class
      doc.source = "deskew";
    }
  }
  if (found) {
    cv::Mat card = deskew::flatten(doc.bgr, *found, 300);
    if (!card.empty()) {
      doc.whole = doc.bgr;
      doc.bgr = std::move(card);
      doc.upright_known = true;
      return doc;
    }
  }
  doc.source = "input";
  return doc;
}

namespace detail {

std::pair<Found, std::string> findDocumentPortrait(Engine& engine, const DocumentImage& document,
                                                   PortraitOptions opts) {
  opts.upright_known = document.upright_known;
  if (!opts.region) opts.region = document.portrait_region;
  std::string frame = document.source;
  auto doc = findPortrait(engine, document.bgr, opts);
  if (!doc && !document.whole.empty()) {
    frame = "input";
    // No face on the card cut out of the photo (a wrong quad): the whole photo, every way up.
    opts.upright_known = false;
    opts.region.reset();
    doc = findPortrait(engine, document.whole, opts);
  }
  if (!doc) throw Failure("face_not_found", "no face found in the document image");
  return {std::move(*doc), std::move(frame)};
}

}  // namespace detail

Match verify(Engine& engine, const DocumentImage& document, const cv::Mat& selfie,
             PortraitOptions opts, double threshold) {
  auto [doc, frame] = detail::findDocumentPortrait(engine, document, opts);
  Match m = verify(engine, std::move(doc), selfie, opts.min_score, threshold);
  m.frame = std::move(frame);
  return m;
}

std::pair<std::string, std::string> writeCrops(const Match& m, const fs::path& dir, std::string_view stem) {
  return {writePng(portraitCrop(m.document), dir, stem, "portrait"),
          writePng(portraitCrop(m.selfie), dir, stem, "selfie-face")};
}

}  // namespace idkit::face
