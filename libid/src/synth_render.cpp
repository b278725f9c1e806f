// Flat document sides: ICAO Doc 9303 data pages and cards, a US-style driving
// licence (front and PDF417 back) and an ID card with a QR code. Layouts are
// in millimetres; every printed field is reported with its box in pixels.
#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <numbers>
#include <tuple>
#include <opencv2/imgproc.hpp>

#include <idkit/text_render.hpp>

#include "synth_internal.hpp"

namespace idkit::synth {

namespace {
using detail::mix;
using detail::Palette;

constexpr std::array<DocType, 8> kAllTypes{DocType::td1, DocType::td2,    DocType::td3, DocType::mrva,
                                           DocType::mrvb, DocType::fra_id, DocType::dl,  DocType::qr_id};
constexpr std::array<std::string_view, 8> kTypeNames{"td1", "td2", "td3", "mrva", "mrvb", "fra-id", "dl", "qr-id"};

// OCR-B size 1 at 10 characters per inch (Doc 9303 part 3): 2.54 mm pitch;
// capitals about 2.4 mm high.
constexpr double kMrzPitchMm = 2.54;
constexpr double kMrzCapMm = 2.4;
constexpr double kMrzLineGapMm = 4.3;

const std::array<std::string, 12> kMonthsEn{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const std::array<std::string, 12> kMonthsFr{"JAN", "FÉV", "MARS", "AVR", "MAI",  "JUIN",
                                            "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"};

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}
// "12 AUG/AOÛT 1974" (bilingual ICAO style), "12.08.1974", "08/12/1974".
std::string icaoDate(const Date& d) {
  const auto& en = kMonthsEn[static_cast<size_t>(d.m - 1)];
  const auto& fr = kMonthsFr[static_cast<size_t>(d.m - 1)];
  return two(d.d) + " " + (en == fr ? en : en + "/" + fr) + " " + std::to_string(d.y);
}
std::string dottedDate(const Date& d) { return two(d.d) + "." + two(d.m) + "." + std::to_string(d.y); }
std::string usDate(const Date& d) { return two(d.m) + "/" + two(d.d) + "/" + std::to_string(d.y); }

std::string sexPrinted(char s, bool bilingual) {
  if (s == 'F') return bilingual ? "F" : "F";
  if (s == 'M') return "M";
  return "X";
}

Json box(const cv::Rect2d& r) {
  return Json::array({std::lround(r.x), std::lround(r.y), std::lround(r.width), std::lround(r.height)});
}

// Drawing surface in millimetres with the truth of what was printed.
struct Canvas {
  cv::Mat img;
  double s;  // pixels per millimetre
  Json fields = Json::array();

  cv::Point2d px(double x, double y) const { return {x * s, y * s}; }

  // Text with its baseline at (x, base) mm; shrinks to max_w mm. Returns the pixel box.
  cv::Rect2d text(std::string_view str, double x, double base, double cap, const char* font,
                  const cv::Scalar& col, double max_w = 0, double opacity = 1.0) {
    auto& f = text::fontFor(font);
    text::Style st{cap * s, col, opacity, 0, 0};
    if (max_w > 0) {
      const double w = text::measure(f, str, st);
      if (w > max_w * s) st.cap_height_px *= max_w * s / w;
    }
    text::drawText(img, f, str, px(x, base), st);
    return text::textBox(f, str, px(x, base), st);
  }
  cv::Rect2d centred(std::string_view str, double cx, double base, double cap, const char* font,
                     const cv::Scalar& col) {
    auto& f = text::fontFor(font);
    const text::Style st{cap * s, col, 1.0, 0, 0};
    const double w = text::measure(f, str, st) / s;
    return text(str, cx - w / 2, base, cap, font, col);
  }
  double width(std::string_view str, double cap, const char* font) {
    return text::measure(text::fontFor(font), str, {cap * s, {}, 1, 0, 0}) / s;
  }

  // A labelled field: small label, value below it. Records the value's box.
  void field(const std::string& name, const std::string& label, const std::string& value, double x,
             double y, double label_cap, double value_cap, const Palette& pal, double max_w = 0,
             const char* value_font = text::kSansBold) {
    if (!label.empty()) text(label, x, y, label_cap, text::kSans, pal.label, max_w);
    const cv::Rect2d b = text(value, x, y + value_cap + label_cap * 0.9, value_cap, value_font, pal.text, max_w);
    fields.push_back({{"name", name}, {"label", label}, {"value", value}, {"box", box(b)}});
  }
  // Label and value on one line ("Nom : DUPONT").
  void inlineField(const std::string& name, const std::string& label, const std::string& value, double x,
                   double base, double cap, const Palette& pal, double max_w = 0) {
    const cv::Rect2d l = text(label + " ", x, base, cap * 0.8, text::kSans, pal.label);
    const double vx = (l.x + l.width) / s + cap * 0.2;
    const cv::Rect2d b = text(value, vx, base, cap, text::kSansBold, pal.text, max_w > 0 ? max_w - (vx - x) : 0);
    fields.push_back({{"name", name}, {"label", label}, {"value", value}, {"box", box(b)}});
  }

  void fillRect(double x, double y, double w, double h, const cv::Scalar& c, double opacity = 1) {
    cv::Mat roi = img(cv::Rect(cv::Point(static_cast<int>(x * s), static_cast<int>(y * s)),
                               cv::Point(std::min(img.cols, static_cast<int>((x + w) * s)),
                                         std::min(img.rows, static_cast<int>((y + h) * s)))));
    cv::Mat solid(roi.size(), roi.type(), c);
    cv::addWeighted(roi, 1 - opacity, solid, opacity, 0, roi);
  }
};

Palette paletteFor(DocType t, Rng& rng) {
  // Base designs per type (BGR), jittered a little per document.
  Palette p;
  switch (t) {
    case DocType::td3:
      p = {{222, 228, 246}, {235, 214, 236}, {170, 140, 200}, {190, 150, 170}, {110, 40, 120}, {120, 70, 110}, {20, 20, 25}};
      break;
    case DocType::td1:
      p = {{240, 236, 218}, {225, 238, 212}, {190, 175, 120}, {170, 190, 140}, {130, 80, 20}, {120, 90, 50}, {25, 20, 15}};
      break;
    case DocType::td2:
      p = {{205, 235, 245}, {215, 225, 240}, {120, 170, 210}, {150, 180, 200}, {40, 90, 150}, {60, 90, 120}, {20, 20, 20}};
      break;
    case DocType::mrva:
    case DocType::mrvb:
      p = {{215, 240, 220}, {240, 220, 232}, {140, 190, 150}, {190, 150, 190}, {70, 110, 40}, {80, 100, 60}, {20, 25, 20}};
      break;
    case DocType::fra_id:
      p = {{245, 228, 222}, {230, 222, 245}, {210, 170, 160}, {190, 160, 210}, {140, 60, 30}, {130, 80, 60}, {35, 25, 25}};
      break;
    case DocType::dl:
      p = {{242, 232, 214}, {205, 232, 245}, {200, 180, 130}, {120, 180, 210}, {120, 60, 10}, {50, 50, 170}, {20, 20, 20}};
      break;
    case DocType::qr_id:
      p = {{245, 232, 236}, {230, 240, 228}, {200, 160, 180}, {160, 200, 170}, {90, 50, 90}, {100, 80, 90}, {25, 20, 25}};
      break;
  }
  auto jitter = [&](cv::Scalar c) {
    for (int i = 0; i < 3; ++i) c[i] = std::clamp(c[i] + rng.uniform(-8, 8), 0.0, 255.0);
    return c;
  };
  p.paper = jitter(p.paper);
  p.tint = jitter(p.tint);
  p.line1 = jitter(p.line1);
  p.line2 = jitter(p.line2);
  return p;
}

cv::Mat portraitImage(const Person& p, cv::Size size, const RenderOptions& opts, Rng& rng, std::string& source) {
  if (!opts.faces_dir.empty()) {
    Rng fr(p.face_seed);
    cv::Mat m = detail::facePhoto(opts.faces_dir, size, fr);
    if (!m.empty()) {
      source = "photo";
      return m;
    }
  }
  (void)rng;
  source = "drawn";
  return detail::drawPortrait(size, p.face_seed, p.sex);
}

// Prints the portrait (and its ghost) and records their boxes.
void placePortrait(Canvas& cv_, Json& truth, const Person& p, const RenderOptions& opts, Rng& rng,
                   const cv::Rect2d& mm, const std::optional<cv::Rect2d>& ghost_mm, const Palette& pal) {
  const cv::Rect r(cv::Point(static_cast<int>(std::lround(mm.x * cv_.s)), static_cast<int>(std::lround(mm.y * cv_.s))),
                   cv::Size(static_cast<int>(std::lround(mm.width * cv_.s)),
                            static_cast<int>(std::lround(mm.height * cv_.s))));
  std::string source;
  const cv::Mat face = portraitImage(p, r.size(), opts, rng, source);
  face.copyTo(cv_.img(r));
  truth["portrait"] = {{"box", box(r)}, {"source", source}};
  if (ghost_mm) {
    const cv::Rect g(cv::Point(static_cast<int>(ghost_mm->x * cv_.s), static_cast<int>(ghost_mm->y * cv_.s)),
                     cv::Size(static_cast<int>(ghost_mm->width * cv_.s), static_cast<int>(ghost_mm->height * cv_.s)));
    cv::Mat small;
    cv::resize(face, small, g.size(), 0, 0, cv::INTER_AREA);
    const cv::Mat mask = detail::ghostMask(small);
    cv::Mat roi = cv_.img(g);
    const cv::Scalar ink = mix(pal.accent, pal.paper, 0.25);
    for (int y = 0; y < roi.rows; ++y)
      for (int x = 0; x < roi.cols; ++x) {
        const double a = 0.55 * mask.at<float>(y, x);
        auto& px = roi.at<cv::Vec3b>(y, x);
        for (int c = 0; c < 3; ++c) px[c] = cv::saturate_cast<uchar>(px[c] * (1 - a) + ink[c] * a);
      }
    truth["ghost_portrait"] = {{"box", box(g)}};
  }
}

// The MRZ band: a calm light zone and OCR-B lines at the real pitch. Line
// centres are given in mm from the bottom edge.
void placeMrz(Canvas& c, Json& truth, const std::vector<std::string>& lines, double zone_h,
              double first_centre_from_bottom, const Palette& pal) {
  const double W = c.img.cols / c.s, H = c.img.rows / c.s;
  c.fillRect(0, H - zone_h, W, zone_h, mix(pal.paper, cv::Scalar(250, 250, 250), 0.6), 0.7);
  if (lines.empty()) return;
  auto& ocrb = text::fontFor(text::kOcrB);
  const text::Style st{kMrzCapMm * c.s, cv::Scalar(18, 18, 18), 1.0, kMrzPitchMm * c.s, 0};
  const double line_w = kMrzPitchMm * static_cast<double>(lines[0].size());
  const double x0 = (W - line_w) / 2;
  Json boxes = Json::array();
  for (size_t i = 0; i < lines.size(); ++i) {
    const double centre = first_centre_from_bottom - kMrzLineGapMm * static_cast<double>(i);
    const double base = H - centre + kMrzCapMm / 2;
    text::drawText(c.img, ocrb, lines[i], c.px(x0, base), st);
    boxes.push_back(box(text::textBox(ocrb, lines[i], c.px(x0, base), st)));
  }
  truth["mrz"]["line_boxes"] = boxes;
  truth["mrz"]["pitch_px"] = kMrzPitchMm * c.s;
}

void signature(Canvas& c, double x, double y, double w, double h, Rng& rng) {
  std::vector<cv::Point> pts;
  const int strokes = rng.integer(3, 6);
  const double f1 = rng.uniform(2, 5), f2 = rng.uniform(7, 13), ph = rng.uniform(0, 6.28);
  for (int k = 0; k <= 160; ++k) {
    const double t = k / 160.0;
    const double px_ = x + w * t;
    const double py = y + h * (0.5 + 0.35 * std::sin(2 * std::numbers::pi * f1 * t + ph) *
                                         std::cos(2 * std::numbers::pi * strokes * t) +
                               0.12 * std::sin(2 * std::numbers::pi * f2 * t));
    pts.emplace_back(static_cast<int>(px_ * c.s * 16), static_cast<int>(py * c.s * 16));
  }
  const cv::Point* d = pts.data();
  const int n = static_cast<int>(pts.size());
  cv::polylines(c.img, &d, &n, 1, false, cv::Scalar(110, 40, 30), std::max(1, static_cast<int>(0.25 * c.s)),
                cv::LINE_AA, 4);
}

// Draws a barcode's modules (integer module size) at mm position; returns its pixel box.
cv::Rect drawMatrix(Canvas& c, const ZXing::BitMatrix& m, double x_mm, double y_mm, int module_px,
                    double row_ratio) {
  const int w = m.width() * module_px;
  const int row_px = std::max(1, static_cast<int>(std::lround(module_px * row_ratio)));
  const int h = m.height() * row_px;
  const cv::Rect r(static_cast<int>(x_mm * c.s), static_cast<int>(y_mm * c.s), w, h);
  const int quiet = 2 * module_px;
  cv::rectangle(c.img, cv::Rect(r.x - quiet, r.y - quiet, w + 2 * quiet, h + 2 * quiet),
                cv::Scalar(250, 250, 250), cv::FILLED);
  for (int y = 0; y < m.height(); ++y)
    for (int x = 0; x < m.width(); ++x)
      if (m.get(x, y))
        cv::rectangle(c.img, cv::Rect(r.x + x * module_px, r.y + y * row_px, module_px, row_px),
                      cv::Scalar(15, 15, 15), cv::FILLED);
  return r;
}

// drawMatrix for a module under two pixels: the code is drawn two pixels a
// module and shrunk by area, as a scanner's or camera's optics would blur it,
// so that it keeps its printed width instead of outgrowing the card.
cv::Rect drawMatrixFine(Canvas& c, const ZXing::BitMatrix& m, double x_mm, double y_mm, double module_px,
                        double row_ratio) {
  constexpr int kModule = 2;
  const int row_px = std::max(1, static_cast<int>(std::lround(kModule * row_ratio)));
  const int quiet = 2 * kModule;
  cv::Mat code(m.height() * row_px + 2 * quiet, m.width() * kModule + 2 * quiet, c.img.type(),
               cv::Scalar(250, 250, 250));
  for (int y = 0; y < m.height(); ++y)
    for (int x = 0; x < m.width(); ++x)
      if (m.get(x, y))
        cv::rectangle(code, cv::Rect(quiet + x * kModule, quiet + y * row_px, kModule, row_px),
                      cv::Scalar(15, 15, 15), cv::FILLED);
  const double f = module_px / kModule;
  cv::Mat small;
  cv::resize(code, small, cv::Size(static_cast<int>(std::lround(code.cols * f)), static_cast<int>(std::lround(code.rows * f))),
             0, 0, cv::INTER_AREA);
  const int q = static_cast<int>(std::lround(quiet * f));
  const cv::Rect at(static_cast<int>(x_mm * c.s) - q, static_cast<int>(y_mm * c.s) - q, small.cols, small.rows);
  const cv::Rect inside = at & cv::Rect(0, 0, c.img.cols, c.img.rows);
  small(inside - at.tl()).copyTo(c.img(inside));
  return {at.x + q, at.y + q, small.cols - 2 * q, small.rows - 2 * q};
}

// A design is what every card of one issuer and type shares: palette and
// security background, as on real documents. `part` tells apart the palette
// (0) and the backgrounds of the sides (1, 2).
Rng designRng(const Person& p, uint64_t part) {
  uint64_t h = Rng::mix(0xDE5167 + static_cast<uint64_t>(p.type));
  for (const unsigned char ch : p.state_name) h = Rng::mix(h ^ ch);
  return Rng(Rng::mix(h ^ part));
}

// Painting a security background costs more than the rest of a card, and a
// batch draws the same designs again and again: a process keeps the last
// ones it painted (a pure function of the key, so output does not depend on
// what was cached).
class BackgroundCache {
 public:
  using Key = std::tuple<int, std::string, long, uint64_t>;  // type, state, dpi x 1000, part
  cv::Mat get(const Key& k) {
    std::lock_guard lk(mu_);
    const auto it = items_.find(k);
    return it == items_.end() ? cv::Mat() : it->second.clone();
  }
  void put(const Key& k, const cv::Mat& img) {
    const size_t size = img.total() * img.elemSize();
    if (size > kMaxBytes / 4) return;
    std::lock_guard lk(mu_);
    if (!items_.emplace(k, img.clone()).second) return;
    order_.push_back(k);
    bytes_ += size;
    while (bytes_ > kMaxBytes && !order_.empty()) {  // oldest first
      const auto old = items_.find(order_.front());
      bytes_ -= old->second.total() * old->second.elemSize();
      items_.erase(old);
      order_.pop_front();
    }
  }

 private:
  static constexpr size_t kMaxBytes = size_t{256} << 20;
  std::mutex mu_;
  std::map<Key, cv::Mat> items_;
  std::deque<Key> order_;
  size_t bytes_ = 0;
};

Canvas newCanvas(const Person& p, DocType t, const RenderOptions& o, const Palette& pal, uint64_t part) {
  static BackgroundCache cache;
  const BackgroundCache::Key key{static_cast<int>(t), p.state_name, std::lround(o.dpi * 1000), part};
  Canvas c{cache.get(key), o.dpi / 25.4};
  if (c.img.empty()) {
    c.img.create(cardPixels(t, o.dpi), CV_8UC3);
    Rng design = designRng(p, part);
    detail::paintSecurityBackground(c.img, pal, c.s, design);
    cache.put(key, c.img);
  }
  return c;
}

Json fieldMap(const Json& fields) {
  Json m = Json::object();
  for (const auto& f : fields) m[f["name"].get<std::string>()] = f["value"];
  return m;
}

// ---- ICAO documents --------------------------------------------------------

Card renderIcao(const Person& p, const RenderOptions& o, Rng& rng) {
  Rng design = designRng(p, 0);
  const Palette pal = paletteFor(p.type, design);
  Canvas c = newCanvas(p, p.type, o, pal, 1);
  const cv::Size2d mm = sizeMm(p.type);
  const double W = mm.width;
  Card card;
  Json truth;
  const auto lines = mrzLines(p);

  // Geometry per form factor (mm): label/value cap heights, MRZ zone.
  const bool id1 = p.type == DocType::td1;
  const bool id3 = p.type == DocType::td3 || p.type == DocType::mrva;
  const double lc = id1 ? 0.85 : id3 ? 1.05 : 0.95;
  const double vc = id1 ? 1.5 : id3 ? 2.0 : 1.75;
  const double row = id1 ? 4.7 : id3 ? 6.1 : 5.4;
  const double zone = id1 ? 17.5 : 16.0;
  const double first_centre = id1 ? 14.2 : 11.9;

  // Header band.
  const bool visa = p.type == DocType::mrva || p.type == DocType::mrvb;
  const bool fra = p.type == DocType::fra_id;
  const double head_h = id1 ? 7.5 : 9.5;
  c.fillRect(0, 0, W, head_h, pal.accent, 0.12);
  detail::drawEmblem(c.img, c.px(W * 0.83, mm.height * 0.42), mm.height * 0.2 * c.s, mix(pal.line2, pal.paper, 0.1), c.s);
  std::string title;
  switch (p.type) {
    case DocType::td3: title = "PASSPORT / PASSEPORT"; break;
    case DocType::td1: title = "IDENTITY CARD / CARTE D'IDENTITÉ"; break;
    case DocType::td2: title = p.document_code == "IR" ? "RESIDENCE PERMIT / TITRE DE SÉJOUR" : "IDENTITY CARD / CARTE D'IDENTITÉ"; break;
    case DocType::fra_id: title = "CARTE NATIONALE D'IDENTITÉ"; break;
    default: title = "VISA"; break;
  }
  if (fra) {
    c.centred(p.state_name, W / 2, 5.2, 2.2, text::kSerifBold, pal.accent);
    const auto b = c.text(title + " N° : ", 4, 11.2, 1.5, text::kSansBold, pal.label);
    const auto nb = c.text(p.document_number, b.br().x / c.s + 0.5, 11.2, 1.9, text::kSansBold, pal.text);
    c.fields.push_back({{"name", "document_number"}, {"label", title + " N°"}, {"value", p.document_number}, {"box", box(nb)}});
  } else {
    // The state's name shrinks to end a few millimetres before the title
    // (BUNDESREPUBLIK DEUTSCHLAND ran into IDENTITY CARD on a TD2).
    const double tw = c.width(title, id1 ? 1.2 : 1.6, text::kSansBold);
    const double state_w = std::min(W * 0.55, W - 3.5 - tw - 3.0 - 3.5);
    c.text(p.state_name, 3.5, head_h * 0.62, id1 ? 1.9 : 2.4, text::kSansBold, pal.accent, state_w);
    c.text(title, W - 3.5 - tw, head_h * 0.62, id1 ? 1.2 : 1.6, text::kSansBold, pal.accent);
  }

  // Portrait and ghost.
  cv::Rect2d portrait;
  std::optional<cv::Rect2d> ghost;
  switch (p.type) {
    case DocType::td3: portrait = {5, 14, 33, 42}; ghost = cv::Rect2d{104, 38, 16, 21}; break;
    case DocType::td1: portrait = {3, 9, 21, 27}; ghost = cv::Rect2d{71, 21, 11, 14}; break;
    case DocType::td2: portrait = {4, 12.5, 25, 32}; ghost = cv::Rect2d{88, 30, 13, 17}; break;
    case DocType::mrva: portrait = {4, 12.5, 28, 36}; break;
    case DocType::mrvb: portrait = {4, 12.5, 24, 31}; break;
    case DocType::fra_id: portrait = {4, 14, 26, 34}; break;
    default: break;
  }
  placePortrait(c, truth, p, o, rng, portrait, ghost, pal);

  const double x = portrait.x + portrait.width + (id1 ? 3 : 4);
  const double right = (ghost ? ghost->x - 1 : W - 3);
  const double avail = right - x;
  double y = portrait.y + lc;
  auto colX = [&](int i, int n) { return x + avail * i / n; };
  const bool bilingual = !fra;
  auto L = [&](const char* en, const char* fr_) { return bilingual ? std::string(en) + " / " + fr_ : std::string(fr_); };

  if (p.type == DocType::td3) {
    c.field("document_code", L("Type", "Type"), p.document_code, x, y, lc, vc, pal);
    c.field("issuing_state", L("Code", "Code"), p.issuing_state, x + 14, y, lc, vc, pal);
    c.field("document_number", L("Passport No.", "N° du passeport"), p.document_number, x + 32, y, lc, vc, pal);
    y += row;
    c.field("surname", L("Surname", "Nom"), p.surnamePrinted(), x, y, lc, vc, pal, avail);
    y += row;
    c.field("given_names", L("Given names", "Prénoms"), p.given_names, x, y, lc, vc, pal, avail);
    y += row;
    c.field("nationality", L("Nationality", "Nationalité"), p.nationality == "UTO" ? "UTOPIAN" : p.nationality, x, y, lc, vc, pal);
    y += row;
    c.field("birth_date", L("Date of birth", "Date de naissance"), icaoDate(p.birthPrinted()), x, y, lc, vc, pal);
    if (!p.personal_number.empty())
      c.field("personal_number", L("Personal No.", "N° personnel"), p.personal_number, colX(1, 2), y, lc, vc, pal);
    y += row;
    c.field("sex", L("Sex", "Sexe"), sexPrinted(p.sex, true), x, y, lc, vc, pal);
    c.field("place_of_birth", L("Place of birth", "Lieu de naissance"), p.place_of_birth, colX(1, 4), y, lc, vc, pal, avail * 0.7);
    y += row;
    c.field("issue_date", L("Date of issue", "Date de délivrance"), icaoDate(p.issue), x, y, lc, vc, pal);
    c.field("authority", L("Authority", "Autorité"), p.authority, colX(1, 2), y, lc, vc, pal, avail * 0.5);
    y += row;
    c.field("expiry_date", L("Date of expiry", "Date d'expiration"), icaoDate(p.expiry), x, y, lc, vc, pal);
    c.text(L("Holder's signature", "Signature du titulaire"), colX(1, 2), y, lc, text::kSans, pal.label);
    signature(c, colX(1, 2), y + 0.6, 28, 6, rng);
  } else if (visa) {
    c.field("place_of_issue", L("Place of issue", "Lieu de délivrance"), p.authority, x, y, lc, vc, pal, avail * 0.45);
    c.field("valid_for", L("Valid for", "Valable pour"), p.visa_type == "C" ? "ETATS SCHENGEN" : p.state_name, colX(1, 2), y, lc, vc, pal, avail * 0.5);
    y += row;
    c.field("valid_from", L("From", "Du"), dottedDate(p.issue), x, y, lc, vc, pal);
    c.field("expiry_date", L("Until", "Au"), dottedDate(p.expiry), colX(1, 3), y, lc, vc, pal);
    c.field("visa_type", L("Type of visa", "Type de visa"), p.visa_type, colX(2, 3), y, lc, vc, pal);
    y += row;
    c.field("entries", L("Number of entries", "Nombre d'entrées"), p.visa_entries, x, y, lc, vc, pal);
    c.field("duration", L("Duration of stay", "Durée de séjour"), p.visa_duration + " " + "DAYS/JOURS", colX(1, 3), y, lc, vc, pal);
    c.field("issue_date", L("Issued on", "Délivré le"), dottedDate(p.issue), colX(2, 3), y, lc, vc, pal);
    y += row;
    c.field("passport_number", L("Passport No.", "N° du passeport"), p.personal_number, x, y, lc, vc, pal);
    c.field("document_number", L("Visa No.", "N° du visa"), p.document_number, colX(1, 2), y, lc, vc, pal);
    y += row;
    c.field("name", L("Surname, given names", "Nom, prénoms"), p.surnamePrinted() + ", " + p.given_names, x, y, lc, vc, pal, avail);
    y += row;
    c.field("remarks", L("Remarks", "Remarques"), p.nationality == p.issuing_state ? "-" : "NATIONALITY " + p.nationality, x, y, lc, vc, pal, avail);
  } else if (fra) {
    const double cap = 1.7, step = 4.6;
    double b = 19;
    c.inlineField("surname", "Nom :", p.surnamePrinted(), x, b, cap, pal, W - x - 3);
    b += step;
    c.inlineField("given_names", "Prénom(s) :", p.given_names, x, b, cap, pal, W - x - 3);
    b += step;
    c.inlineField("sex", "Sexe :", sexPrinted(p.sex, false), x, b, cap, pal);
    c.inlineField("birth_date", "Né(e) le :", dottedDate(p.birthPrinted()), x + 18, b, cap, pal);
    b += step;
    c.inlineField("place_of_birth", "à :", p.place_of_birth, x, b, cap, pal, W - x - 3);
    b += step;
    char h[16];
    std::snprintf(h, sizeof h, "%d,%02dm", p.height_cm / 100, p.height_cm % 100);
    c.inlineField("height", "Taille :", h, x, b, cap, pal);
    c.text("Signature du titulaire :", x + 24, b, cap * 0.8, text::kSans, pal.label);
    signature(c, x + 30, b + 0.5, 26, 6, rng);
    c.text("Nationalité Française", 4, portrait.y + portrait.height + 3.2, 1.5, text::kSansBold, pal.accent);
  } else {  // TD1, TD2
    c.field("surname", L("Surname", "Nom"), p.surnamePrinted(), x, y, lc, vc, pal, avail);
    y += row;
    c.field("given_names", L("Given names", "Prénoms"), p.given_names, x, y, lc, vc, pal, avail);
    y += row;
    c.field("sex", L("Sex", "Sexe"), sexPrinted(p.sex, true), x, y, lc, vc, pal, avail * 0.18);
    c.field("nationality", L("Nationality", "Nationalité"), p.nationality, x + avail * 0.2, y, lc, vc, pal, avail * 0.28);
    c.field("birth_date", L("Date of birth", "Date de naissance"), dottedDate(p.birthPrinted()), colX(2, 4) + 2, y, lc, vc, pal, avail * 0.48);
    y += row;
    c.field("document_number", L("Document No.", "N° du document"), p.document_number, x, y, lc, vc, pal);
    c.field("expiry_date", L("Date of expiry", "Date d'expiration"), dottedDate(p.expiry), colX(2, 4) + 2, y, lc, vc, pal, avail * 0.48);
    y += row;
    if (p.type == DocType::td2) {
      c.field("issue_date", L("Date of issue", "Date de délivrance"), dottedDate(p.issue), x, y, lc, vc, pal);
      c.field("authority", L("Authority", "Autorité"), p.authority, colX(2, 4) + 2, y, lc, vc, pal, avail * 0.45);
      y += row;
    }
    if (!p.personal_number.empty() && p.type == DocType::td1)
      c.field("personal_number", L("Personal No.", "N° personnel"), p.personal_number, x, y, lc, vc, pal);
    // ID-1 has no room left above the three-line MRZ for a signature.
    if (!id1) signature(c, portrait.x, portrait.y + portrait.height + 0.3, portrait.width, 5, rng);
  }

  placeMrz(c, truth, lines, zone, first_centre, pal);
  truth["mrz"]["lines"] = lines;
  truth["fields"] = c.fields;
  truth["viz"] = fieldMap(c.fields);
  card.image = c.img;
  card.corner_radius_px = p.type == DocType::td1 ? 3.18 * c.s : p.type == DocType::td3 ? 0 : 2.0 * c.s;
  card.dpi = o.dpi;
  card.truth = truth;
  return card;
}

// ---- US-style driving licence ------------------------------------------------

std::string inches(int cm) {
  const int in = static_cast<int>(std::lround(cm / 2.54));
  return std::to_string(in / 12) + "'-" + two(in % 12) + "\"";
}

Card renderDlFront(const Person& p, const RenderOptions& o, Rng& rng, const Palette& pal) {
  Canvas c = newCanvas(p, DocType::dl, o, pal, 1);
  Json truth;
  const double W = 85.6, H = 53.98;
  c.fillRect(0, 0, W, 9, pal.accent, 0.75);
  c.text(p.state_name, 3, 6.4, 3.0, text::kSerifBold, cv::Scalar(250, 250, 250), 45);
  const double tw = c.width("DRIVER LICENSE", 1.7, text::kSansBold);
  c.text("DRIVER LICENSE", W - 3 - tw, 4.4, 1.7, text::kSansBold, cv::Scalar(250, 250, 250));
  c.text("USA", W - 3 - c.width("USA", 1.4, text::kSansBold), 7.6, 1.4, text::kSansBold, cv::Scalar(230, 230, 230));

  placePortrait(c, truth, p, o, rng, {3, 11.5, 24, 31}, cv::Rect2d{70, 36, 12, 15}, pal);
  signature(c, 3, 44.5, 26, 6, rng);

  const cv::Scalar red(30, 30, 190);
  const double x = 30, lc = 0.95, vc = 1.55;
  auto num = [&](const std::string& n, const std::string& name, const std::string& label, const std::string& value,
                 double xx, double base, double cap, const cv::Scalar& vcol, const char* font = text::kSansBold,
                 double max_w = 0) {
    const auto nb = c.text(n, xx, base, lc, text::kSans, red);
    const auto lb = c.text(label, nb.br().x / c.s + 0.4, base, lc, text::kSansBold, pal.label);
    const auto vb = c.text(value, lb.br().x / c.s + 0.8, base, cap, font, vcol, max_w);
    c.fields.push_back({{"name", name}, {"label", label}, {"value", value}, {"box", box(vb)}});
  };
  num("4d", "document_number", "DLN", p.document_number, x, 13.5, 2.0, red);
  num("4b", "expiry_date", "EXP", usDate(p.expiry), x, 17.5, vc, pal.text);
  num("3", "birth_date", "DOB", usDate(p.birthPrinted()), x + 26, 17.5, vc, red);
  // Names without labels, AAMVA style: "1" surname, "2" given names.
  auto line = [&](const std::string& n, const std::string& name, const std::string& value, double base) {
    c.text(n, x, base, lc, text::kSans, red);
    const auto vb = c.text(value, x + 2.2, base, 1.7, text::kSansBold, pal.text, W - x - 6);
    c.fields.push_back({{"name", name}, {"label", n}, {"value", value}, {"box", box(vb)}});
  };
  line("1", "surname", p.surnamePrinted(), 22);
  line("2", "given_names", p.given_names, 25.3);
  line("8", "street", p.street, 28.8);
  line("", "city", p.city + ", " + p.jurisdiction + " " + p.postal_code.substr(0, 5), 31.6);
  num("15", "sex", "SEX", sexPrinted(p.sex, false), x, 35.2, 1.3, pal.text);
  num("16", "height", "HGT", inches(p.height_cm), x + 12, 35.2, 1.3, pal.text);
  num("18", "eyes", "EYES", p.eye_colour, x + 27, 35.2, 1.3, pal.text);
  num("9", "class", "CLASS", p.vehicle_class, x, 38.6, 1.3, pal.text);
  num("12", "restrictions", "REST", p.restrictions, x + 12, 38.6, 1.3, pal.text);
  num("9a", "endorsements", "END", p.endorsements, x + 27, 38.6, 1.3, pal.text);
  num("4a", "issue_date", "ISS", usDate(p.issue), x, 42.0, 1.3, pal.text);
  num("19", "hair", "HAIR", p.hair_colour, x + 24, 42.0, 1.3, pal.text);
  num("5", "discriminator", "DD", p.document_number + two(p.issue.y % 100) + two(p.issue.m), x, 45.4, 1.0, pal.text,
      text::kSans);
  // The small second date of birth printed over the ghost image.
  c.text(usDate(p.birthPrinted()).substr(0, 6) + usDate(p.birthPrinted()).substr(8, 2), 56, 50.5, 1.8, text::kSansBold,
         mix(pal.accent, pal.paper, 0.4));

  Card card;
  card.side = "front";
  card.image = c.img;
  card.corner_radius_px = 3.18 * c.s;
  card.dpi = o.dpi;
  truth["fields"] = c.fields;
  truth["viz"] = fieldMap(c.fields);
  (void)H;
  card.truth = truth;
  return card;
}

Card renderDlBack(const Person& p, const RenderOptions& o, const Palette& pal) {
  Canvas c = newCanvas(p, DocType::dl, o, pal, 2);
  Json truth;
  const double W = 85.6;
  c.fillRect(0, 0, W, 54, cv::Scalar(245, 245, 245), 0.55);
  const std::string payload = aamvaPayload(p);
  const ZXing::BitMatrix m =
      ZXing::MultiFormatWriter(ZXing::BarcodeFormat::PDF417).setMargin(0).setEccLevel(3).encode(payload, 0, 0);
  // ZXing draws a module one pixel wide and a row four pixels high; print with
  // an integer module width near 0.3 mm and rows three modules high.
  const int cols = m.width();
  const double module_mm = std::min(0.38, 76.0 / cols);
  // Under two pixels a module (a scan or photo under ~180 dpi) an integer
  // module would print the code wider than the card: shrink it instead.
  const double fine_px = module_mm * c.s;
  const double module_px = fine_px < 2 ? fine_px : std::floor(fine_px);
  const double w_mm = cols * module_px / c.s;
  const cv::Rect r = fine_px < 2 ? drawMatrixFine(c, m, (W - w_mm) / 2, 7.5, module_px, 0.75)
                                 : drawMatrix(c, m, (W - w_mm) / 2, 7.5, static_cast<int>(module_px), 0.75);
  c.text("This card is the property of the " + p.state_name + " Department of Motor Vehicles.", 4, 4.5, 1.0,
         text::kSans, pal.label, W - 8);
  const double below = r.br().y / c.s + 3.5;
  c.text("If found, return to any DMV office. Unlawful use is a crime.", 4, below, 1.0, text::kSans, pal.label, W - 8);
  c.text("ORGAN DONOR: " + std::string(p.face_seed % 3 == 0 ? "YES" : "NO"), 4, below + 3, 1.1, text::kSansBold,
         pal.text);
  c.text(p.document_number + " " + two(p.issue.y % 100) + two(p.issue.m) + two(p.issue.d), 4, below + 6, 1.1,
         text::kSans, pal.text);
  truth["barcodes"] = Json::array({{{"format", "PDF417"},
                                    {"text", payload},
                                    {"box", box(r)},
                                    {"module_px", fine_px < 2 ? Json(std::round(module_px * 100) / 100)
                                                              : Json(static_cast<int>(module_px))},
                                    {"columns", cols},
                                    {"rows", m.height() / 4}}});
  Card card;
  card.side = "back";
  card.image = c.img;
  card.corner_radius_px = 3.18 * c.s;
  card.dpi = o.dpi;
  card.truth = truth;
  return card;
}

// ---- ID card with a QR code ---------------------------------------------------

std::string qrPayload(const Person& p) {
  return "IDKIT1|" + p.issuing_state + "|" + p.document_code + "|" + p.document_number + "|" + p.surname + "|" +
         p.given_names + "|" + p.birth.iso() + "|" + std::string(1, p.sex) + "|" + p.expiry.iso() + "|" +
         p.personal_number;
}

Card renderQrId(const Person& p, const RenderOptions& o, Rng& rng) {
  Rng design = designRng(p, 0);
  const Palette pal = paletteFor(DocType::qr_id, design);
  Canvas c = newCanvas(p, DocType::qr_id, o, pal, 1);
  Json truth;
  const double W = 85.6;
  c.fillRect(0, 0, W, 8, pal.accent, 0.15);
  c.text(p.state_name, 3.5, 5.0, 1.9, text::kSansBold, pal.accent, 48);
  c.text("IDENTITY CARD", W - 3.5 - c.width("IDENTITY CARD", 1.3, text::kSansBold), 5.0, 1.3, text::kSansBold,
         pal.accent);
  placePortrait(c, truth, p, o, rng, {3, 10, 22, 28.5}, std::nullopt, pal);
  const double x = 28, lc = 0.85, vc = 1.5, row = 4.8;
  double y = 10.8;
  c.field("surname", "Surname", p.surnamePrinted(), x, y, lc, vc, pal, 32);
  y += row;
  c.field("given_names", "Given names", p.given_names, x, y, lc, vc, pal, 32);
  y += row;
  c.field("birth_date", "Date of birth", dottedDate(p.birthPrinted()), x, y, lc, vc, pal);
  c.field("sex", "Sex", sexPrinted(p.sex, false), x + 22, y, lc, vc, pal);
  y += row;
  c.field("nationality", "Nationality", p.nationality, x, y, lc, vc, pal);
  c.field("expiry_date", "Date of expiry", dottedDate(p.expiry), x + 16, y, lc, vc, pal);
  y += row;
  c.field("personal_number", "Personal No.", p.personal_number, x, y, lc, vc, pal);
  y += row;
  c.field("document_number", "Card No.", p.document_number, x, y, lc, vc, pal);
  signature(c, 3, 40.5, 22, 5, rng);

  const std::string payload = qrPayload(p);
  // Names from every country: UTF-8 announced by an ECI (ZXing's default,
  // ISO-8859-1, cannot hold "Ł" or "Ş" and throws).
  const ZXing::BitMatrix m = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
                                 .setMargin(0)
                                 .setEccLevel(4)
                                 .setEncoding(ZXing::CharacterSet::UTF8)
                                 .encode(payload, 0, 0);
  const int module_px = std::max(2, static_cast<int>(std::floor(20.0 / m.width() * c.s)));
  const double side_mm = m.width() * module_px / c.s;
  const cv::Rect r = drawMatrix(c, m, W - 3.5 - side_mm, 52.5 - side_mm, module_px, 1.0);
  truth["barcodes"] = Json::array({{{"format", "QRCode"}, {"text", payload}, {"box", box(r)}, {"module_px", module_px}}});
  truth["fields"] = c.fields;
  truth["viz"] = fieldMap(c.fields);
  Card card;
  card.image = c.img;
  card.corner_radius_px = 3.18 * c.s;
  card.dpi = o.dpi;
  card.truth = truth;
  return card;
}

}  // namespace

std::string_view name(DocType t) { return kTypeNames[static_cast<size_t>(t)]; }
std::optional<DocType> parseDocType(std::string_view s) {
  for (size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == s) return kAllTypes[i];
  if (s == "fra_id") return DocType::fra_id;
  if (s == "qr_id") return DocType::qr_id;
  return std::nullopt;
}
std::span<const DocType> allDocTypes() { return kAllTypes; }
std::string_view name(Capture c) { return c == Capture::scan ? "scan" : c == Capture::photo ? "photo" : "mixed"; }
std::optional<Capture> parseCapture(std::string_view s) {
  if (s == "scan") return Capture::scan;
  if (s == "photo") return Capture::photo;
  if (s == "mixed") return Capture::mixed;
  return std::nullopt;
}

cv::Size2d sizeMm(DocType t) {
  switch (t) {
    case DocType::td1:
    case DocType::dl:
    case DocType::qr_id: return {85.60, 53.98};
    case DocType::td2:
    case DocType::mrvb:
    case DocType::fra_id: return {105.0, 74.0};
    case DocType::td3: return {125.0, 88.0};
    case DocType::mrva: return {120.0, 80.0};
  }
  return {85.60, 53.98};
}
std::string_view sizeClass(DocType t) {
  const double w = sizeMm(t).width;
  return w < 90 ? "ID1" : w < 110 ? "ID2" : "ID3";
}
cv::Size cardPixels(DocType t, double dpi) {
  const cv::Size2d mm = sizeMm(t);
  return {static_cast<int>(std::lround(mm.width / 25.4 * dpi)), static_cast<int>(std::lround(mm.height / 25.4 * dpi))};
}

std::vector<Card> renderCards(const Person& p, const RenderOptions& o, Rng& rng) {
  switch (p.type) {
    case DocType::dl: {
      Rng design = designRng(p, 0);
      const Palette pal = paletteFor(DocType::dl, design);
      std::vector<Card> cards;
      cards.push_back(renderDlFront(p, o, rng, pal));
      cards.push_back(renderDlBack(p, o, pal));
      return cards;
    }
    case DocType::qr_id: return {renderQrId(p, o, rng)};
    default: return {renderIcao(p, o, rng)};
  }
}

}  // namespace idkit::synth
