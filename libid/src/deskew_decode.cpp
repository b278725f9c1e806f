// Decoding only the part of a photo the flat card needs.
//
// A 12 MP JPEG decodes in about 60 ms CPU, most of it inverse DCT, upsampling
// and colour conversion of pixels the card does not cover. libjpeg-turbo can
// crop columns (to whole MCUs) and skip rows before the region without those
// steps, and the rows after it are never read at all.
#include <csetjmp>
#include <cstdio>
#include <memory>

#include <jpeglib.h>

#include <idkit/codec.hpp>
#include <idkit/deskew.hpp>
#include <idkit/error.hpp>

#include "jpeg_error.hpp"

namespace idkit::deskew {

namespace {

// The region of a JPEG stored upright (EXIF orientation 1), decoded at full
// size; empty on any error (the caller falls back to a full decode).
cv::Mat jpegRegion(std::span<const std::uint8_t> bytes, cv::Rect roi) {
  jpeg_decompress_struct cinfo{};
  idkit::detail::JpegError err{};
  // Allocated before setjmp: a longjmp skips no destructor that matters.
  auto out = std::make_unique<cv::Mat>();
  cinfo.err = idkit::detail::jpegErrorManager(err);
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return {};
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = 1024L << 20;
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  // Progressive files buffer every coefficient anyway: no saving, and
  // skipping rows in them is slow in some libjpeg-turbo versions.
  if (cinfo.progressive_mode || cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return {};
  }
  cinfo.out_color_space = JCS_EXT_BGR;
  jpeg_start_decompress(&cinfo);
  const cv::Rect whole(0, 0, static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height));
  roi &= whole;
  if (roi.empty()) {
    jpeg_destroy_decompress(&cinfo);
    return {};
  }
  // Columns: rounded out to whole MCUs by the library.
  JDIMENSION x = static_cast<JDIMENSION>(roi.x), w = static_cast<JDIMENSION>(roi.width);
  jpeg_crop_scanline(&cinfo, &x, &w);
  if (roi.y > 0) jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(roi.y));
  out->create(roi.height, static_cast<int>(w), CV_8UC3);
  for (int r = 0; r < roi.height; ++r) {
    JSAMPROW row = out->ptr<uchar>(r);
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      jpeg_destroy_decompress(&cinfo);
      return {};
    }
  }
  // The rows below the region are not needed: stop here.
  jpeg_abort_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  const int dx = roi.x - static_cast<int>(x);
  if (dx < 0 || dx + roi.width > out->cols) return {};
  return (*out)(cv::Rect(dx, 0, roi.width, roi.height)).clone();
}

}  // namespace

cv::Mat decodeRegion(std::span<const std::uint8_t> bytes, cv::Rect roi, const ImageLimits& limits) {
  const auto header = checkImage(bytes, limits);
  if (!header) return {};
  if (header->format == ImageFormat::jpeg && codec::exifOrientation(bytes) == 1)
    if (cv::Mat m = jpegRegion(bytes, roi); !m.empty()) return m;
  auto img = decodeImage(bytes, limits, 0, Hash::no);
  if (!img) return {};
  roi &= cv::Rect(0, 0, img->bgr.cols, img->bgr.rows);
  return roi.empty() ? cv::Mat() : img->bgr(roi).clone();
}

}  // namespace idkit::deskew
