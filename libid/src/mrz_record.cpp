// id-mrz's record-level work (see mrz_read.hpp readRecord).
#include <idkit/mrz_read.hpp>

#include <cmath>
#include <optional>

#include <opencv2/imgproc.hpp>

namespace idkit::mrz {

namespace {

Expected<ImageReading> readFile(const LoadedImage& img, const ReadOptions& options) {
  auto reading = read(img.bgr, options);
  if (reading) reading->scaleQuad(static_cast<double>(img.size.width) / img.bgr.cols);
  return reading;
}

// document.quad (TL, TR, BR, BL of the upright card in input pixels), if
// the record has a well-formed one.
std::optional<std::array<cv::Point2f, 4>> documentQuad(const Json& record) {
  const auto d = record.find("document");
  if (d == record.end() || !d->is_object()) return std::nullopt;
  const auto q = d->find("quad");
  if (q == d->end() || !q->is_array() || q->size() != 4) return std::nullopt;
  std::array<cv::Point2f, 4> out;
  for (std::size_t i = 0; i < 4; ++i) {
    const Json& p = (*q)[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
    out[i] = {p[0].get<float>(), p[1].get<float>()};
    if (!std::isfinite(out[i].x) || !std::isfinite(out[i].y)) return std::nullopt;
  }
  return out;
}

Json quadJson(const std::array<cv::Point2f, 4>& quad) {
  Json q = Json::array();
  for (const auto& pt : quad)
    q.push_back({std::round(static_cast<double>(pt.x) * 10) / 10, std::round(static_cast<double>(pt.y) * 10) / 10});
  return q;
}

}  // namespace

Status readRecord(Json& record, const ImageLimits& limits, const ReadOptions& options) {
  // The reader works at kReadSide at most: a JPEG is decoded reduced when it
  // is at least twice that (a third of the decode time of 12 MP).
  const LoadedImage img = loadRecordImage(record, limits, kReadSide);
  auto reading = readFile(img, options);
  const auto image = record.find("image");
  const auto input = record.find("input");
  const bool twoFrames = image != record.end() && input != record.end() && image->is_string() &&
                         input->is_string() && *image != *input;
  if (!reading && twoFrames && reading.error().code == "mrz_not_found") {
    // The flat card has no MRZ: id-deskew may have flattened the wrong
    // region. The photo the card came from is read as it is.
    auto photo = loadImage(input->get<std::string>(), limits, kReadSide, Hash::no);
    if (photo) {
      if (auto fromInput = readFile(*photo, options)) {
        Json section = fromInput->toJson();
        section["found_in"] = "input";
        section["input_quad"] = section["quad"];
        // The working image's frame, where later tools look for the band.
        if (const auto doc = documentQuad(record)) {
          const std::array<cv::Point2f, 4> card = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(img.size.width), 0),
                                                   cv::Point2f(static_cast<float>(img.size.width), static_cast<float>(img.size.height)),
                                                   cv::Point2f(0, static_cast<float>(img.size.height))};
          const cv::Mat h = cv::getPerspectiveTransform(doc->data(), card.data());
          std::vector<cv::Point2f> in(fromInput->quad.begin(), fromInput->quad.end()), out;
          cv::perspectiveTransform(in, out, h);
          std::array<cv::Point2f, 4> mapped{};
          std::copy_n(out.begin(), 4, mapped.begin());
          section["quad"] = quadJson(mapped);
        } else {
          section.erase("quad");
        }
        record["mrz"] = std::move(section);
        return fromInput->result.valid ? Status::ok : Status::rejected;
      }
    }
  }
  if (!reading) throw Failure(reading.error());
  record["mrz"] = reading->toJson();
  return reading->result.valid ? Status::ok : Status::rejected;
}

}  // namespace idkit::mrz
