#include <idkit/redact.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

#include <opencv2/imgproc.hpp>

namespace idkit::redact {
namespace {

using Poly = std::vector<cv::Point2f>;

std::optional<cv::Point2f> point(const Json& p) {
  if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
  double x = p[0].get<double>(), y = p[1].get<double>();
  if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
  return cv::Point2f(float(x), float(y));
}

// [[x,y] x4]
std::optional<Poly> quadOf(const Json& q) {
  if (!q.is_array() || q.size() != 4) return std::nullopt;
  Poly out;
  for (const auto& p : q) {
    auto pt = point(p);
    if (!pt) return std::nullopt;
    out.push_back(*pt);
  }
  return out;
}

// [x, y, w, h]
std::optional<Poly> boxOf(const Json& b) {
  if (!b.is_array() || b.size() != 4) return std::nullopt;
  for (const auto& v : b)
    if (!v.is_number() || !std::isfinite(v.get<double>())) return std::nullopt;
  float x = b[0].get<float>(), y = b[1].get<float>(), w = b[2].get<float>(), h = b[3].get<float>();
  if (w <= 0 || h <= 0) return std::nullopt;
  return Poly{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}};
}

// Moves each corner of a quad outwards along the quad's own axes by
// `fraction` of its shorter side (plus `extra` px): a tilted MRZ band grows
// along its lines and across them, not along the image axes.
Poly grow(const Poly& q, float fraction, float extra) {
  cv::Point2f u = (q[1] - q[0]) + (q[2] - q[3]);
  cv::Point2f v = (q[3] - q[0]) + (q[2] - q[1]);
  float lu = float(cv::norm(u)) / 2, lv = float(cv::norm(v)) / 2;
  if (lu < 1e-3f || lv < 1e-3f) return q;
  u *= 1.f / (2 * lu);
  v *= 1.f / (2 * lv);
  float m = fraction * std::min(lu, lv) + extra;
  const float su[4] = {-1, 1, 1, -1}, sv[4] = {-1, -1, 1, 1};
  Poly out(4);
  for (int i = 0; i < 4; ++i) out[size_t(i)] = q[size_t(i)] + m * (su[i] * u + sv[i] * v);
  return out;
}

Poly transform(const Poly& p, const cv::Mat& h) {
  if (h.empty()) return p;
  Poly out;
  cv::perspectiveTransform(p, out, h);
  return out;
}

bool hasError(const Json& rec, std::string_view tool, std::string_view code) {
  auto e = rec.find("errors");
  if (e == rec.end() || !e->is_array()) return false;
  for (const auto& x : *e)
    if (x.is_object() && x.value("tool", "") == tool && x.value("code", "") == code) return true;
  return false;
}

}  // namespace

Json Region::toJson() const {
  Json poly = Json::array();
  for (const auto& p : polygon) poly.push_back({std::round(double(p.x) * 10) / 10, std::round(double(p.y) * 10) / 10});
  return {{"kind", kind}, {"polygon", poly}};
}

Plan plan(const Json& rec, const Request& req, cv::Size imageSize) {
  Plan out;
  // Homographies between the two frames: the flat card's corners are the
  // document quad's (TL, TR, BR, BL of the upright document, input pixels).
  cv::Mat inputToImage, imageToInput;
  bool twoFrames = rec.contains("image") && rec["image"].is_string() && rec.contains("input") &&
                   rec["image"] != rec["input"];
  if (twoFrames) {
    std::optional<Poly> quad;
    if (auto d = rec.find("document"); d != rec.end() && d->is_object() && d->contains("quad"))
      quad = quadOf((*d)["quad"]);
    if (quad) {
      Poly card{{0, 0},
                {float(imageSize.width), 0},
                {float(imageSize.width), float(imageSize.height)},
                {0, float(imageSize.height)}};
      inputToImage = cv::getPerspectiveTransform(*quad, card);
      imageToInput = cv::getPerspectiveTransform(card, *quad);
    }
  }
  // Regions come in the working image's frame unless said otherwise.
  auto add = [&](std::string kind, const Poly& p, Frame from) {
    Poly t = p;
    if (twoFrames && from != req.target) {
      const cv::Mat& h = from == Frame::image ? imageToInput : inputToImage;
      if (h.empty()) {
        out.unknown.push_back(kind + " (no document.quad to map it)");
        return;
      }
      t = transform(p, h);
    }
    out.regions.push_back({std::move(kind), std::move(t)});
  };

  if (req.mrz) {
    auto m = rec.find("mrz");
    std::optional<Poly> q;
    if (m != rec.end() && m->is_object() && m->contains("quad")) q = quadOf((*m)["quad"]);
    if (q) add("mrz", grow(*q, 0.25f, 4), Frame::image);
    else if (!hasError(rec, "id-mrz", "mrz_not_found")) out.unknown.push_back("mrz");
  }
  if (req.barcodes) {
    auto b = rec.find("barcodes");
    if (b == rec.end() || !b->is_array()) {
      out.unknown.push_back("barcodes");
    } else {
      for (const auto& code : *b) {
        std::optional<Poly> q;
        if (code.is_object() && code.contains("position")) q = quadOf(code["position"]);
        if (q) add("barcode", grow(*q, 0.06f, 4), Frame::image);
        else out.unknown.push_back("barcode (no position)");
      }
    }
  }
  if (req.portrait) {
    std::optional<Poly> box;
    Frame frame = Frame::image;
    if (auto f = rec.find("face"); f != rec.end() && f->is_object() && f->contains("document")) {
      const Json& d = (*f)["document"];
      if (d.is_object() && d.contains("box")) box = boxOf(d["box"]);
      if (d.is_object() && d.value("frame", "image") == "input") frame = Frame::input;
    }
    // The detector's box is the face; the printed portrait around it (hair,
    // shoulders) is larger.
    if (box) add("portrait", grow(*box, 0.45f, 4), frame);
    else out.unknown.push_back("portrait");
  }
  if (!req.fields.empty()) {
    const Json* fields = nullptr;
    if (auto o = rec.find("ocr"); o != rec.end() && o->is_object() && o->contains("fields") &&
                                  (*o)["fields"].is_object())
      fields = &(*o)["fields"];
    bool all = std::find(req.fields.begin(), req.fields.end(), "all") != req.fields.end();
    if (!fields) {
      out.unknown.push_back("fields");
    } else {
      for (const auto& [name, f] : fields->items()) {
        if (!all && std::find(req.fields.begin(), req.fields.end(), name) == req.fields.end()) continue;
        std::optional<Poly> box;
        if (f.is_object() && f.contains("box")) box = boxOf(f["box"]);
        if (box) add("field:" + name, grow(*box, 0.15f, 3), Frame::image);
        else if (!all) out.unknown.push_back("field:" + name);
      }
      if (!all)
        for (const auto& name : req.fields)
          if (!fields->contains(name)) out.unknown.push_back("field:" + name);
    }
  }
  return out;
}

void apply(cv::Mat& img, const std::vector<Region>& regions, Style style) {
  const cv::Rect whole(0, 0, img.cols, img.rows);
  for (const auto& r : regions) {
    if (r.polygon.size() < 3) continue;
    std::vector<cv::Point> pts;
    for (const auto& p : r.polygon) pts.emplace_back(cvRound(p.x), cvRound(p.y));
    cv::Rect bound = cv::boundingRect(pts) & whole;
    if (bound.empty()) continue;
    if (style == Style::box) {
      cv::fillConvexPoly(img, pts, cv::Scalar::all(0), cv::LINE_8);
      continue;
    }
    // Blocks of about a sixth of the region's short side: a text line or a
    // face becomes a few blocks, which no deblurring brings back.
    int block = std::max(6, std::min(bound.width, bound.height) / 6);
    cv::Mat roi = img(bound);
    cv::Mat small, coarse;
    cv::resize(roi, small, cv::Size(std::max(1, bound.width / block), std::max(1, bound.height / block)), 0, 0,
               cv::INTER_AREA);
    cv::resize(small, coarse, bound.size(), 0, 0, cv::INTER_NEAREST);
    cv::GaussianBlur(coarse, coarse, cv::Size(0, 0), block / 3.0);
    cv::Mat mask = cv::Mat::zeros(bound.size(), CV_8U);
    std::vector<cv::Point> local;
    for (const auto& p : pts) local.emplace_back(p.x - bound.x, p.y - bound.y);
    cv::fillConvexPoly(mask, local, cv::Scalar(255), cv::LINE_8);
    coarse.copyTo(roi, mask);
  }
}

}  // namespace idkit::redact
