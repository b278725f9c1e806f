// Face verification: the converted recognizer against its reference, the
// detector's landmarks, alignment, and real same/different-person decisions.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include <unistd.h>

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <idkit/face.hpp>
#include <idkit/record.hpp>

#include "support.hpp"

namespace face = idkit::face;
namespace fs = std::filesystem;

namespace {

// The models (recognizer from scripts/models, detector from ../shared/models).
std::shared_ptr<const face::Models> models(bool need_detector) {
  auto m = face::Models::locate(need_detector);
  if (!m) FAIL("face models: " << m.error().message);
  return *m;
}

cv::Mat photo(const fs::path& shared, const char* rel) {
  cv::Mat m = cv::imread((shared / "data/faces" / rel).string(), cv::IMREAD_COLOR);
  REQUIRE_FALSE(m.empty());
  return m;
}

// The five landmarks of an upright frontal face where a face has them.
void checkFaceShape(const face::Detection& f) {
  const auto& l = f.landmarks;
  for (auto p : l) CHECK(f.box.contains(p));
  CHECK(l[0].x < l[1].x);                                   // subject's right eye left in the image
  CHECK(l[3].x < l[4].x);                                   // mouth corners likewise
  CHECK(std::abs(l[0].y - l[1].y) < 0.25 * f.box.height);  // eyes level
  CHECK(l[2].y > std::max(l[0].y, l[1].y));                 // nose below the eyes
  CHECK(std::min(l[3].y, l[4].y) > l[2].y);                 // mouth below the nose
  CHECK(l[2].x > l[0].x);
  CHECK(l[2].x < l[1].x);
}

face::Descriptor describePhoto(face::Engine& e, const cv::Mat& img) {
  auto f = face::findFace(e, img);
  REQUIRE(f);
  return e.describe(f->upright, f->face);
}

}  // namespace

TEST_CASE("converted recognizer matches the numpy reference on a fixed input", "[face]") {
  auto m = models(false);
  std::ifstream in(m->recognizer.parent_path() / "face_recognition.reference.json");
  REQUIRE(in);
  idkit::Json ref = idkit::Json::parse(in);
  const auto& expect = ref.at("descriptor");
  REQUIRE(expect.size() == 128);

  // v(y, x, c) = 0.5 sin(0.05 (x+1)(c+1)) cos(0.031 (y+1)), c in RGB order
  const int sz[] = {1, 3, 150, 150};
  cv::Mat blob(4, sz, CV_32F);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 150; ++y)
      for (int x = 0; x < 150; ++x)
        blob.ptr<float>(0, c)[y * 150 + x] =
            float(0.5 * std::sin(0.05 * (x + 1) * (c + 1)) * std::cos(0.031 * (y + 1)));
  face::Engine engine(*m);
  cv::Mat out = engine.forward(blob);
  REQUIRE(out.total() == 128);
  double max_diff = 0;
  for (int i = 0; i < 128; ++i)
    max_diff = std::max(max_diff, std::abs(double(out.ptr<float>(0)[i]) - expect[i].get<double>()));
  INFO("max abs difference " << max_diff);
  CHECK(max_diff < 1e-4);
}

TEST_CASE("similarity transform recovers a known rotation, scale and shift", "[face]") {
  const double a = 1.7 * std::cos(0.3), b = 1.7 * std::sin(0.3);
  std::array<cv::Point2f, 5> pts;
  for (size_t i = 0; i < 5; ++i) {
    const auto p = face::kTemplate[i];
    pts[i] = {float(a * p.x - b * p.y + 40), float(b * p.x + a * p.y - 12)};
  }
  const cv::Matx23d m = face::similarityTransform(pts, face::kTemplate);
  for (size_t i = 0; i < 5; ++i) {
    const cv::Vec3d p(pts[i].x, pts[i].y, 1);
    const cv::Vec2d q = m * p;
    CHECK(q[0] == Approx(face::kTemplate[i].x).margin(1e-3));
    CHECK(q[1] == Approx(face::kTemplate[i].y).margin(1e-3));
  }
}

TEST_CASE("quarter turns map points back to the original image", "[face]") {
  cv::Mat img(37, 53, CV_8UC3);
  cv::randu(img, 0, 255);
  for (int r : {0, 90, 180, 270}) {
    cv::Mat t = face::rotateImage(img, r);
    for (auto p : {cv::Point(0, 0), cv::Point(5, 7), cv::Point(t.cols - 1, t.rows - 2)}) {
      const auto o = face::unrotatePoint(cv::Point2f(p), img.size(), r);
      CAPTURE(r, p.x, p.y);
      CHECK(t.at<cv::Vec3b>(p) == img.at<cv::Vec3b>(cv::Point(int(o.x), int(o.y))));
    }
  }
}

TEST_CASE("selfie pairing: flag, template, record key", "[face]") {
  idkit::Json rec = idkit::newRecord("scans/case 7/a.jpg");
  CHECK(face::selfiePath(rec, "", "{dir}/{stem}.selfie.jpg") == "scans/case 7/a.selfie.jpg");
  CHECK(face::selfiePath(rec, "me.png", "{dir}/{stem}.selfie.jpg") == "me.png");
  CHECK(face::selfiePath(rec, "", "").empty());
  rec["selfie"] = "x/y.jpg";
  CHECK(face::selfiePath(rec, "", "") == "x/y.jpg");
  CHECK(face::selfiePath(idkit::newRecord("a.jpg"), "", "{dir}/{stem}-s.png") == "./a-s.png");
}

TEST_CASE("detector finds a face with landmarks where a face has them", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  const cv::Mat img = photo(shared, "joe_biden/biden.jpg");
  auto faces = engine.detect(img);
  REQUIRE_FALSE(faces.empty());
  CHECK(faces.front().score > 0.9f);
  checkFaceShape(faces.front());
}

TEST_CASE("alignment puts the landmarks on the template", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  for (const char* rel : {"joe_biden/biden.jpg", "angelina_jolie/img1.jpg", "kit_harington/john1.jpg", "kaley_cuoco/penny2.png"}) {
    CAPTURE(rel);
    const cv::Mat img = photo(shared, rel);
    auto f = face::findFace(engine, img);
    REQUIRE(f);
    const cv::Mat chip = face::alignFace(f->upright, f->face);
    REQUIRE(chip.size() == cv::Size(face::kChipSize, face::kChipSize));
    // Detect again on the chip (padded: the face fills it): the landmarks must
    // sit on the template.
    cv::Mat padded;
    cv::copyMakeBorder(chip, padded, 75, 75, 75, 75, cv::BORDER_CONSTANT, cv::Scalar::all(128));
    auto again = engine.detect(padded);
    REQUIRE_FALSE(again.empty());
    // Where the transform sends the original landmarks is where the detector
    // finds them on the chip; and the fit to the template is close (a turned
    // head cannot fit a frontal template exactly).
    const cv::Matx23d m = face::similarityTransform(f->face.landmarks, face::kTemplate);
    // Tolerances: YuNet's landmark noise on a 150 px face is a few pixels
    // (the eyes are 53 px apart on the chip).
    double mean_to_template = 0, mean_to_expected = 0;
    for (size_t i = 0; i < 5; ++i) {
      const cv::Point2f p = again.front().landmarks[i] - cv::Point2f(75, 75);
      const cv::Vec2d q = m * cv::Vec3d(f->face.landmarks[i].x, f->face.landmarks[i].y, 1);
      CAPTURE(i, p.x, p.y, q[0], q[1]);
      const double d = cv::norm(cv::Point2d(p) - cv::Point2d(q[0], q[1]));
      CHECK(d < 10.0);
      mean_to_expected += d / 5;
      mean_to_template += cv::norm(p - face::kTemplate[i]) / 5;
    }
    CHECK(mean_to_expected < 6.0);
    CHECK(mean_to_template < 6.0);
  }
}

TEST_CASE("same person above the threshold, different people below", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  const auto biden1 = describePhoto(engine, photo(shared, "joe_biden/biden.jpg"));
  const auto biden2 = describePhoto(engine, photo(shared, "joe_biden/biden2.jpg"));
  const auto jolie1 = describePhoto(engine, photo(shared, "angelina_jolie/img1.jpg"));
  const auto jolie2 = describePhoto(engine, photo(shared, "angelina_jolie/img2.jpg"));
  const auto penny = describePhoto(engine, photo(shared, "kaley_cuoco/penny1.png"));
  CHECK(face::similarity(biden1, biden1) == Approx(1.0).margin(1e-5));
  CHECK(face::similarity(biden1, biden2) > face::kDefaultThreshold);
  CHECK(face::similarity(jolie1, jolie2) > face::kDefaultThreshold);
  CHECK(face::similarity(biden1, jolie1) < face::kDefaultThreshold);
  CHECK(face::similarity(biden2, jolie2) < face::kDefaultThreshold);
  CHECK(face::similarity(jolie1, penny) < face::kDefaultThreshold);
}

TEST_CASE("portrait on a card turned on its side, and no face is an error naming the image", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  // A plain card with a portrait at the left and a smaller, faint ghost copy.
  cv::Mat card(638, 1011, CV_8UC3, cv::Scalar(225, 235, 240));
  const cv::Mat face_img = photo(shared, "joe_biden/biden2.jpg");
  cv::Mat portrait, ghost;
  cv::resize(face_img, portrait, cv::Size(300, 300), 0, 0, cv::INTER_AREA);
  portrait.copyTo(card(cv::Rect(40, 160, 300, 300)));
  cv::resize(face_img, ghost, cv::Size(150, 150), 0, 0, cv::INTER_AREA);
  cv::addWeighted(ghost, 0.5, card(cv::Rect(800, 300, 150, 150)), 0.5, 0, card(cv::Rect(800, 300, 150, 150)));
  for (int y = 80; y < 600; y += 40) cv::putText(card, "IDKIT<<SPECIMEN<<<<", {380, y}, cv::FONT_HERSHEY_SIMPLEX, 1.0, {40, 40, 40}, 2);

  const cv::Mat turned = face::rotateImage(card, 90);  // as photographed on its side
  auto f = face::findPortrait(engine, turned, {});
  REQUIRE(f);
  CHECK(f->rotation == 270);  // turning back makes it upright
  // In the turned image's frame the portrait occupies the card's rect turned.
  const cv::Rect2f expect(638 - 460, 40, 300, 300);
  const auto inter = (f->original.box & expect).area();
  CHECK(inter > 0.5 * f->original.box.area());
  CHECK(f->original.box.width > 120);  // the portrait, not the ghost

  cv::Mat blank(480, 640, CV_8UC3, cv::Scalar(200, 200, 200));
  try {
    (void)face::verify(engine, turned, blank, face::PortraitOptions{});
    FAIL("expected face_not_found");
  } catch (const idkit::Failure& e) {
    CHECK(e.code() == "face_not_found");
    CHECK(std::string(e.what()).find("selfie") != std::string::npos);
  }
}

// ---- the fallback detector (face-api's tiny_face_detector + 68 landmarks) ----

namespace {

// The converters' fixed input v(y, x, c) on a size x size image, NCHW RGB.
cv::Mat fixedBlob(int size) {
  const int sz[] = {1, 3, size, size};
  cv::Mat blob(4, sz, CV_32F);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        blob.ptr<float>(0, c)[y * size + x] =
            float(0.5 * std::sin(0.05 * (x + 1) * (c + 1)) * std::cos(0.031 * (y + 1)));
  return blob;
}

double maxRelDiff(const cv::Mat& out, const idkit::Json& expect) {
  REQUIRE(out.total() == expect.size());
  double scale = 1, diff = 0;
  for (size_t i = 0; i < expect.size(); ++i) scale = std::max(scale, std::abs(expect[i].get<double>()));
  const float* p = out.ptr<float>();
  for (size_t i = 0; i < expect.size(); ++i) diff = std::max(diff, std::abs(double(p[i]) - expect[i].get<double>()));
  return diff / scale;
}

}  // namespace

TEST_CASE("converted fallback detector and landmark net match their numpy references", "[face][faceapi]") {
  auto m = face::Models::locate(true, face::DetectorKind::faceapi);
  if (!m) FAIL("face models: " << m.error().message);
  REQUIRE((*m)->detector_kind == face::DetectorKind::faceapi);
  std::ifstream in((*m)->detector.parent_path() / "face_fallback.reference.json");
  REQUIRE(in);
  const idkit::Json ref = idkit::Json::parse(in);
  auto run = [](const std::vector<uchar>& onnx, const cv::Mat& blob) {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx);
    net.setInput(blob);
    return net.forward().clone();
  };
  CHECK(maxRelDiff(run((*m)->detector_onnx, fixedBlob(416)), ref.at("detector")) < 1e-5);
  CHECK(maxRelDiff(run((*m)->landmarks_onnx, fixedBlob(112)), ref.at("landmarks")) < 1e-5);
}

TEST_CASE("five alignment points from 68 landmarks", "[face][faceapi]") {
  std::array<cv::Point2f, 68> p{};
  for (size_t i = 0; i < p.size(); ++i) p[i] = {float(i), float(2 * i)};
  const auto five = face::fivePoints(p);
  CHECK(five[0].x == Approx(38.5));  // mean of 36..41
  CHECK(five[1].x == Approx(44.5));  // mean of 42..47
  CHECK(five[1].y == Approx(89.0));
  CHECK(five[2].x == Approx(30));
  CHECK(five[3].x == Approx(48));
  CHECK(five[4].x == Approx(54));
  const std::array<cv::Point2f, 5> none = face::fivePoints(std::span<const cv::Point2f>(p.data(), 10));
  CHECK(none[0] == cv::Point2f(0, 0));
}

TEST_CASE("fallback detector: landmarks where a face has them, same person matches, others do not", "[face][faceapi]") {
  REQUIRE_SHARED(shared);
  auto m = face::Models::locate(true, face::DetectorKind::faceapi);
  if (!m) FAIL("face models: " << m.error().message);
  face::Engine engine(**m);
  CHECK(engine.detectorKind() == face::DetectorKind::faceapi);
  const cv::Mat img = photo(shared, "joe_biden/biden2.jpg");
  auto faces = engine.detect(img);
  REQUIRE_FALSE(faces.empty());
  CHECK(faces.front().score > 0.8f);
  checkFaceShape(faces.front());

  const auto biden1 = describePhoto(engine, photo(shared, "joe_biden/biden.jpg"));
  const auto biden2 = describePhoto(engine, img);
  const auto jolie1 = describePhoto(engine, photo(shared, "angelina_jolie/img1.jpg"));
  const auto jolie2 = describePhoto(engine, photo(shared, "angelina_jolie/img2.jpg"));
  const double t = face::defaultThreshold(face::DetectorKind::faceapi);
  CHECK(face::similarity(biden1, biden2) > t);
  CHECK(face::similarity(jolie1, jolie2) > t);
  CHECK(face::similarity(biden1, jolie1) < t);
  CHECK(face::similarity(biden2, jolie2) < t);
}

// ---- the pair on two threads, the portrait region, the engine pool ------------

namespace {

// A flat upright card (ID1 at 300 dpi) with the portrait on the left and a
// smaller faint ghost copy on the right, as id-deskew writes them.
cv::Mat syntheticCard(const cv::Mat& face_img) {
  cv::Mat card(638, 1011, CV_8UC3, cv::Scalar(225, 235, 240));
  cv::Mat portrait, ghost;
  cv::resize(face_img, portrait, cv::Size(300, 300), 0, 0, cv::INTER_AREA);
  portrait.copyTo(card(cv::Rect(40, 160, 300, 300)));
  cv::resize(face_img, ghost, cv::Size(150, 150), 0, 0, cv::INTER_AREA);
  cv::addWeighted(ghost, 0.5, card(cv::Rect(800, 300, 150, 150)), 0.5, 0, card(cv::Rect(800, 300, 150, 150)));
  return card;
}

// A photo of syntheticCard(face_img) lying upright on a textured table, the
// card's top-left corner at `at`.
cv::Mat cardOnTable(const cv::Mat& face_img, cv::Size table, cv::Point at) {
  cv::Mat scene(table, CV_8UC3);
  cv::randu(scene, cv::Scalar(90, 100, 110), cv::Scalar(140, 150, 160));
  cv::GaussianBlur(scene, scene, cv::Size(5, 5), 0);
  syntheticCard(face_img).copyTo(scene(cv::Rect(at, cv::Size(1011, 638))));
  return scene;
}

}  // namespace

TEST_CASE("portrait region: found where the layout puts it, whole card when it is not there", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  const cv::Mat card = syntheticCard(photo(shared, "joe_biden/biden2.jpg"));
  face::PortraitOptions po;
  po.upright_known = true;
  po.region = face::kPortraitRegion;
  auto f = face::findPortrait(engine, card, po);
  REQUIRE(f);
  CHECK(f->rotation == 0);
  CHECK((f->face.box & cv::Rect2f(40, 160, 300, 300)).area() > 0.8 * f->face.box.area());
  CHECK(f->face.box.width > 120);
  checkFaceShape(f->face);
  // The same card with the portrait moved to the right: the region shows no
  // face, the whole-card search still finds it.
  cv::Mat mirrored = card.clone();
  mirrored(cv::Rect(0, 0, 505, 638)).setTo(cv::Scalar(225, 235, 240));
  card(cv::Rect(40, 160, 300, 300)).copyTo(mirrored(cv::Rect(600, 160, 300, 300)));
  auto g = face::findPortrait(engine, mirrored, po);
  REQUIRE(g);
  CHECK(g->face.box.x > 550);
}

TEST_CASE("verifyPair: the same decision as the sequential check, failures in order", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::EnginePool pool(m);
  face::Engine engine(*m);
  const cv::Mat card = syntheticCard(photo(shared, "joe_biden/biden2.jpg"));
  const cv::Mat same = photo(shared, "joe_biden/biden.jpg");
  const cv::Mat other = photo(shared, "angelina_jolie/img1.jpg");
  face::DocumentImage doc;
  doc.bgr = card;
  doc.upright_known = true;
  doc.portrait_region = face::kPortraitRegion;
  doc.source = "image";
  for (const cv::Mat* selfie : {&same, &other}) {
    const face::Match seq = face::verify(engine, doc, *selfie, {});
    const face::Match par = face::verifyPair(pool, [&] { return doc; }, [&] { return *selfie; });
    CHECK(par.similarity == Approx(seq.similarity).margin(1e-6));
    CHECK(par.match == seq.match);
    CHECK(par.frame == "image");
    CHECK(par.document.face.box == seq.document.face.box);
    CHECK(par.selfie.face.box == seq.selfie.face.box);
  }
  CHECK(face::verifyPair(pool, [&] { return doc; }, [&] { return same; }).match);
  CHECK_FALSE(face::verifyPair(pool, [&] { return doc; }, [&] { return other; }).match);
  // Networks are built once per concurrent use, then reused.
  CHECK(pool.size() == 2);

  auto codeOf = [&](const std::function<face::DocumentImage()>& d, const std::function<cv::Mat()>& s) {
    try {
      (void)face::verifyPair(pool, d, s);
    } catch (const idkit::Failure& e) {
      return e.code() + ": " + e.what();
    }
    return std::string("no failure");
  };
  face::DocumentImage blank_doc = doc;
  blank_doc.bgr = cv::Mat(638, 1011, CV_8UC3, cv::Scalar(200, 200, 200));
  const cv::Mat blank(480, 640, CV_8UC3, cv::Scalar(200, 200, 200));
  auto unreadable = [](const char* which) {
    return [which]() -> cv::Mat { throw idkit::Failure(std::string(which) + "_unreadable", which); };
  };
  // A load failure comes before any missing face, the document's before the selfie's.
  CHECK(codeOf([&] { return blank_doc; }, unreadable("selfie")) == "selfie_unreadable: selfie");
  CHECK(codeOf([&]() -> face::DocumentImage { throw idkit::Failure("document_unreadable", "doc"); },
               unreadable("selfie")) == "document_unreadable: doc");
  CHECK(codeOf([&] { return blank_doc; }, [&] { return blank; }) ==
        "face_not_found: no face found in the document image");
  CHECK(codeOf([&] { return doc; }, [&] { return blank; }) == "face_not_found: no face found in the selfie image");
}

TEST_CASE("fallback detector finds faces in tight 150 px crops", "[face][faceapi]") {
  REQUIRE_SHARED(shared);
  auto m = face::Models::locate(true, face::DetectorKind::faceapi);
  if (!m) FAIL("face models: " << m.error().message);
  face::Engine engine(**m);
  // Crops cut at the forehead and chin: the face is larger than the detector's
  // training faces until it sits in a canvas three times its size.
  for (const char* rel : {"john_savage/000296_01099007.jpg", "john_shimkus/000383_03227939.jpg",
                          "john_shimkus/000385_03227766.jpg"}) {
    CAPTURE(rel);
    const cv::Mat img = photo(shared, rel);
    REQUIRE(img.cols == 150);
    auto f = face::findFace(engine, img);
    REQUIRE(f);
    CHECK(f->face.box.width > 100);
    CHECK(f->face.score >= 0.6f);
  }
}

TEST_CASE("a wrong flattening: the portrait is found around the quad and aligned from the input", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  // A photo of a card lying upright on a textured table.
  const cv::Mat scene = cardOnTable(photo(shared, "joe_biden/biden2.jpg"), cv::Size(1400, 1000), cv::Point(200, 150));
  const cv::Rect portrait(240, 310, 300, 300);  // the card's portrait in the scene
  const auto selfie = describePhoto(engine, photo(shared, "joe_biden/biden.jpg"));

  const fs::path dir = fs::temp_directory_path() / ("idkit-face-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string scene_png = (dir / "scene.png").string();
  REQUIRE(cv::imwrite(scene_png, scene));
  auto quadJson = [](std::initializer_list<cv::Point> pts) {
    idkit::Json q = idkit::Json::array();
    for (auto p : pts) q.push_back({p.x, p.y});
    return q;
  };
  const int x0 = portrait.x, y0 = portrait.y, x1 = portrait.br().x, y1 = portrait.br().y;

  // The portrait photo taken for an ID-3 page lying on its side (top edge =
  // the portrait's left edge): the flat "card" is the face turned and stretched.
  idkit::Json rec = idkit::newRecord(scene_png);
  rec["document"] = {{"kind", "ID3"}, {"quad", quadJson({{x0, y1}, {x0, y0}, {x1, y0}, {x1, y1}})}};
  const face::DocumentImage wrong = face::documentImage(rec, {});
  REQUIRE(wrong.source == "quad");
  REQUIRE(wrong.card_to_input);
  const face::DocumentPortrait p = face::findDocumentPortrait(engine, wrong, {});
  CHECK(p.found_on == "quad");
  CHECK(p.frame == "input");
  CHECK(p.card_score < face::kTrustedCardScore);
  CHECK((p.found.face.box & cv::Rect2f(portrait)).area() > 0.8 * p.found.face.box.area());
  checkFaceShape(p.found.face);  // upright in the input, as the card lies
  const double sim = face::similarity(engine.describe(p.found.upright, p.found.face), selfie);
  CHECK(sim > face::kDefaultThreshold);
  // The crop for --crop-dir is upright.
  const cv::Mat crop = face::portraitCrop(p.found);
  CHECK(crop.cols > p.found.face.box.width);
  CHECK(crop.rows > p.found.face.box.height);

  // The right quad: the card's face is trusted and aligned from the input's
  // pixels, the same person as from the flat card.
  idkit::Json good = idkit::newRecord(scene_png);
  good["document"] = {{"kind", "ID1"}, {"quad", quadJson({{200, 150}, {1211, 150}, {1211, 788}, {200, 788}})}};
  const face::DocumentImage card = face::documentImage(good, {});
  const face::DocumentPortrait q = face::findDocumentPortrait(engine, card, {});
  CHECK(q.found_on == "card");
  CHECK(q.frame == "input");
  CHECK((q.found.face.box & cv::Rect2f(portrait)).area() > 0.8 * q.found.face.box.area());
  face::PortraitOptions on_card;
  on_card.align_on_input = false;
  const face::DocumentPortrait c = face::findDocumentPortrait(engine, card, on_card);
  CHECK(c.frame == "quad");
  const double via_input = face::similarity(engine.describe(q.found.upright, q.found.face), selfie);
  const double via_card = face::similarity(engine.describe(c.found.upright, c.found.face), selfie);
  CHECK(via_input > face::kDefaultThreshold);
  CHECK(via_input == Approx(via_card).margin(0.02));

  // id-deskew's record (the flat card as the working image, the quad, the
  // input): the input is decoded only for the weak face, then searched.
  const std::string flat_png = (dir / "flat.png").string();
  REQUIRE(cv::imwrite(flat_png, wrong.bgr));
  idkit::Json piped = rec;
  piped["image"] = flat_png;
  const face::DocumentImage from_card = face::documentImage(piped, {});
  CHECK(from_card.source == "image");
  CHECK(from_card.whole.empty());
  REQUIRE(from_card.load_whole);
  const face::DocumentPortrait r = face::findDocumentPortrait(engine, from_card, {});
  CHECK(r.found_on == "quad");
  CHECK(r.frame == "input");
  CHECK(r.found.face.box.x == Approx(p.found.face.box.x).margin(1));

  // The right outline taken upside down (an MRZ-like band read at the top):
  // the flat card's portrait is upside down. Its face still scores high, but
  // its chip is not upright: the face around the quad replaces it.
  idkit::Json flipped = idkit::newRecord(scene_png);
  flipped["document"] = {{"kind", "ID1"}, {"quad", quadJson({{1211, 788}, {200, 788}, {200, 150}, {1211, 150}})}};
  const face::DocumentImage upside_down = face::documentImage(flipped, {});
  const face::DocumentPortrait u = face::findDocumentPortrait(engine, upside_down, {});
  if (u.card_score > 0) CHECK(u.card_uprightness < face::kMinUprightness);
  CHECK(q.card_uprightness > face::kMinUprightness);
  CHECK(u.found_on == "quad");
  CHECK((u.found.face.box & cv::Rect2f(portrait)).area() > 0.8 * u.found.face.box.area());
  // Which way up the search takes it: YuNet scores this face 1.000 upright
  // and 0.999 upside down, and uprightness() alone rates the upside-down chip
  // higher (88 against 67); turnUprightness() adds the recognizer's mirror
  // stability and takes it the right way up.
  checkFaceShape(u.found.face);  // upright in the input, as the card lies
  CHECK(face::similarity(engine.describeChip(face::alignFound(u.found)), selfie) > face::kDefaultThreshold);
  // A quad off the card (the table left of it and the card's left part, as a
  // portrait photo alone taken for a card would be): the flat "card" holds an
  // upright face scoring high, but in its right half, where no layout puts a
  // portrait. The face around the quad replaces it.
  idkit::Json shifted = idkit::newRecord(scene_png);
  shifted["document"] = {{"kind", "ID1"}, {"quad", quadJson({{0, 265}, {620, 265}, {620, 656}, {0, 656}})}};
  const face::DocumentImage off = face::documentImage(shifted, {});
  const face::DocumentPortrait o = face::findDocumentPortrait(engine, off, {});
  CHECK(o.card_score >= face::kTrustedCardScore);
  CHECK(o.card_uprightness > face::kMinUprightness);
  CHECK(o.found_on == "quad");
  CHECK((o.found.face.box & cv::Rect2f(portrait)).area() > 0.8 * o.found.face.box.area());
  CHECK(face::similarity(engine.describeChip(face::alignFound(o.found)), selfie) > face::kDefaultThreshold);
  // The test's own measure: an upright chip and the same chip upside down.
  const cv::Mat chip = face::alignFace(q.found.upright, q.found.face);
  cv::Mat turned;
  cv::rotate(chip, turned, cv::ROTATE_180);
  CHECK(face::uprightness(chip) > 0);
  CHECK(face::uprightness(turned) < face::uprightness(chip));
  fs::remove_all(dir);
}

TEST_CASE("detail matching: a selfie is compared at a small blurred portrait's detail", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  const cv::Mat selfie = photo(shared, "joe_biden/biden.jpg");
  auto self = face::findFace(engine, selfie);
  REQUIRE(self);
  const cv::Mat self_chip = face::alignFace(self->upright, self->face);
  const face::Detail self_detail = face::detailOf(self->face, self_chip);
  CHECK(self_detail.eyes > face::kMatchDetailBelow);

  // A portrait as a visa photographed across a room leaves it: the other photo
  // of the person shrunk until its eyes are ~16 px apart, blurred, upsampled.
  const cv::Mat big = photo(shared, "joe_biden/biden2.jpg");
  auto big_face = face::findFace(engine, big);
  REQUIRE(big_face);
  const double k = 16.0 / cv::norm(big_face->face.landmarks[1] - big_face->face.landmarks[0]);
  cv::Mat small, portrait;
  cv::resize(big, small, cv::Size(), k, k, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(), 0.8);
  cv::resize(small, portrait, cv::Size(), 3, 3, cv::INTER_LINEAR);  // as a flattened card would hold it
  auto doc = face::findFace(engine, portrait);
  REQUIRE(doc);
  const cv::Mat doc_chip = face::alignFace(doc->upright, doc->face);
  const face::Detail doc_detail = face::detailOf(doc->face, doc_chip);
  // Eye distance in the pixels it is aligned from: the upsampled copy's, which
  // hides how little the face holds (~16 px x 3).
  CHECK(doc_detail.eyes > face::kMatchDetailBelow);
  CHECK(doc_detail.sharpness < self_detail.sharpness / 2);

  // The eye distance that counts is the one the face had before upsampling:
  // here given directly, as a photographed document gives it.
  face::Detail low = doc_detail;
  low.eyes = 16;
  CHECK(face::reducesTo(self_detail, low));
  CHECK_FALSE(face::reducesTo(low, self_detail));
  const cv::Mat reduced = face::matchDetail(self_chip, self_detail, low);
  REQUIRE(reduced.size() == self_chip.size());
  CHECK(face::chipSharpness(reduced) < self_detail.sharpness);
  // Nothing changes for a face with enough detail, nor for the small face itself.
  CHECK(face::matchDetail(self_chip, self_detail, self_detail).data == self_chip.data);
  CHECK(face::matchDetail(doc_chip, low, self_detail).data == doc_chip.data);

  const auto d_doc = engine.describeChip(doc_chip);
  const double plain = face::similarity(d_doc, engine.describeChip(self_chip));
  const double matched = face::similarity(d_doc, engine.describeChip(reduced));
  CHECK(matched > plain);
  // An impostor's selfie at the same detail stays below the threshold.
  const cv::Mat jolie = photo(shared, "angelina_jolie/img1.jpg");
  auto other = face::findFace(engine, jolie);
  REQUIRE(other);
  const cv::Mat other_chip = face::alignFace(other->upright, other->face);
  const auto other_reduced = face::matchDetail(other_chip, face::detailOf(other->face, other_chip), low);
  CHECK(face::similarity(d_doc, engine.describeChip(other_reduced)) < face::kDefaultThreshold);
  INFO("plain " << plain << " matched " << matched);
  CHECK(matched > face::kDefaultThreshold);
}

TEST_CASE("detail matching in the pair check: the record says which face was reduced", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::EnginePool pool(m);
  face::Engine engine(*m);
  // A card whose portrait is small: eyes ~20 px apart.
  const cv::Mat face_img = photo(shared, "joe_biden/biden2.jpg");
  cv::Mat card(638, 1011, CV_8UC3, cv::Scalar(225, 235, 240)), portrait;
  cv::resize(face_img, portrait, cv::Size(110, 110), 0, 0, cv::INTER_AREA);
  portrait.copyTo(card(cv::Rect(60, 200, 110, 110)));
  face::DocumentImage doc;
  doc.bgr = card;
  doc.upright_known = true;
  doc.portrait_region = face::kPortraitRegion;
  doc.source = "image";
  const cv::Mat selfie = photo(shared, "joe_biden/biden.jpg");
  const face::Match seq = face::verify(engine, doc, selfie, {});
  const face::Match par = face::verifyPair(pool, [&] { return doc; }, [&] { return selfie; });
  CHECK(seq.document_detail.eyes < face::kMatchDetailBelow);
  CHECK(par.similarity == Approx(seq.similarity).margin(1e-6));
  const idkit::Json j = par.toJson();
  CHECK(j.value("detail_matched", "") == "selfie");
  CHECK(j["document"]["eye_distance"].get<double>() == Approx(par.document_detail.eyes).margin(0.06));
  CHECK(j["selfie"]["eye_distance"].get<double>() > face::kMatchDetailBelow);
  // Decided at the threshold plus the detector's margin, which the record reports.
  CHECK(par.threshold == Approx(face::kDefaultThreshold + face::detailMatchedMargin(par.detector)));
  CHECK(j["threshold"].get<double>() == par.threshold);
  CHECK(par.match == (par.similarity >= par.threshold));
}

TEST_CASE("pairThreshold: each detector's margin, only for a pair compared at a small face's detail", "[face]") {
  const face::Detail small{20, 10}, large{60, 30};
  for (auto kind : {face::DetectorKind::yunet, face::DetectorKind::faceapi}) {
    CHECK(face::pairThreshold(0.9, large, large, kind) == 0.9);
    CHECK(face::pairThreshold(0.9, small, small, kind) == 0.9);  // neither is reduced
    CHECK(face::pairThreshold(0.9, small, large, kind) == Approx(0.9 + face::detailMatchedMargin(kind)));
    CHECK(face::pairThreshold(0.9, large, small, kind) == Approx(0.9 + face::detailMatchedMargin(kind)));
  }
  CHECK(face::detailMatchedMargin(face::DetectorKind::yunet) == face::kDetailMatchedMargin);
  CHECK(face::detailMatchedMargin(face::DetectorKind::faceapi) == face::kDetailMatchedMarginFaceApi);
}

TEST_CASE("turnUprightness: a real card photographed in each quarter turn is taken the right way up", "[face]") {
  REQUIRE_SHARED(shared);
  auto m = models(true);
  face::Engine engine(*m);
  // A card on a table, the whole photo turned: the detector finds the face in
  // every turn of the photo, scoring them alike; the turn that brings the
  // card upright must score highest.
  const cv::Mat scene = cardOnTable(photo(shared, "joe_biden/biden2.jpg"), cv::Size(1300, 900), cv::Point(150, 130));
  for (int card_turn : {0, 90, 180, 270}) {
    CAPTURE(card_turn);
    const cv::Mat turned = face::rotateImage(scene, card_turn);
    double best = -1e18;
    int best_turn = -1, found = 0;
    for (int t : {0, 90, 180, 270}) {
      const cv::Mat img = face::rotateImage(turned, t);
      auto faces = engine.detect(img);
      if (faces.empty()) continue;
      ++found;
      const double u = face::turnUprightness(engine, face::alignFace(img, faces.front()), faces.front().score);
      if (u > best) best = u, best_turn = t;
    }
    CHECK(found >= 2);  // the face is found in more than one turn: the cue has to choose
    CHECK((card_turn + best_turn) % 360 == 0);
  }
}
