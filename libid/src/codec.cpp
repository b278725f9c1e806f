// Direct calls into libjpeg-turbo, libpng, libtiff and libwebp. The C
// libraries report errors through callbacks that must not return: they jump
// back with longjmp, so every function below keeps what it allocates after
// setjmp on the heap behind a pointer set before it (nothing is skipped).
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>
#include <opencv2/imgproc.hpp>

#include <idkit/codec.hpp>

#include "jpeg_error.hpp"

namespace idkit::codec {
namespace {

using Bytes = std::span<const std::uint8_t>;

Error failed(std::string_view format, std::string_view why) {
  return {"decode_failed", fmt::format("the {} data could not be decoded: {}", format, why)};
}

// ---- JPEG --------------------------------------------------------------------

using detail::JpegError;

// A hostile progressive JPEG can hold thousands of tiny scans, each a pass
// over the whole coefficient buffer: stop long before that costs minutes.
constexpr int kMaxScans = 500;
void jpegProgress(j_common_ptr c) {
  if (c->is_decompressor && reinterpret_cast<j_decompress_ptr>(c)->input_scan_number > kMaxScans) {
    auto* e = reinterpret_cast<JpegError*>(c->err);
    std::snprintf(e->message, sizeof e->message, "more than %d progressive scans", kMaxScans);
    std::longjmp(e->jump, 1);
  }
}

// Adobe-style (inverted) CMYK, as Photoshop and most scanners write it.
cv::Mat cmykToBgr(const cv::Mat& cmyk) {
  cv::Mat bgr(cmyk.size(), CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const uchar* s = cmyk.ptr<uchar>(y);
    uchar* d = bgr.ptr<uchar>(y);
    for (int x = 0; x < cmyk.cols; ++x, s += 4, d += 3) {
      const int k = s[3];
      d[0] = static_cast<uchar>(s[2] * k / 255);
      d[1] = static_cast<uchar>(s[1] * k / 255);
      d[2] = static_cast<uchar>(s[0] * k / 255);
    }
  }
  return bgr;
}

Expected<cv::Mat> decodeJpeg(Bytes b, const DecodeOptions& o) {
  jpeg_decompress_struct cinfo{};
  JpegError err{};
  jpeg_progress_mgr progress{};
  auto out = std::make_unique<cv::Mat>();
  cinfo.err = detail::jpegErrorManager(err);
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return std::unexpected(failed("JPEG", err.message));
  }
  jpeg_create_decompress(&cinfo);
  progress.progress_monitor = jpegProgress;
  cinfo.progress = &progress;
  cinfo.mem->max_memory_to_use = 1024L << 20;
  jpeg_mem_src(&cinfo, b.data(), static_cast<unsigned long>(b.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(o.reduce == 2 || o.reduce == 4 || o.reduce == 8 ? o.reduce : 1);
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : o.grey ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_start_decompress(&cinfo);
  out->create(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width),
              CV_8UC(cinfo.output_components));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->ptr<uchar>(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (cmyk) {
    cv::Mat bgr = cmykToBgr(*out);
    if (o.grey) cv::cvtColor(bgr, bgr, cv::COLOR_BGR2GRAY);
    return bgr;
  }
  return std::move(*out);
}

// ---- PNG ---------------------------------------------------------------------

struct PngState {
  Bytes in;
  size_t pos = 0;
  char message[200] = {};
  cv::Mat image;
  std::vector<png_bytep> rows;
  std::vector<std::uint8_t>* out = nullptr;
};

[[noreturn]] void pngError(png_structp p, png_const_charp msg) {
  auto* s = static_cast<PngState*>(png_get_error_ptr(p));
  std::snprintf(s->message, sizeof s->message, "%s", msg);
  png_longjmp(p, 1);
}
void pngWarning(png_structp, png_const_charp) {}

void pngRead(png_structp p, png_bytep dst, png_size_t n) {
  auto* s = static_cast<PngState*>(png_get_io_ptr(p));
  if (n > s->in.size() - s->pos) png_error(p, "the data ends early");
  std::memcpy(dst, s->in.data() + s->pos, n);
  s->pos += n;
}

Expected<cv::Mat> decodePng(Bytes b) {
  auto st = std::make_unique<PngState>();
  st->in = b;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st.get(), pngError, pngWarning);
  if (png == nullptr) return std::unexpected(failed("PNG", "out of memory"));
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return std::unexpected(failed("PNG", st->message[0] ? st->message : "out of memory"));
  }
  png_set_read_fn(png, st.get(), pngRead);
  png_set_user_limits(png, 1u << 16, 1u << 16);
  png_set_chunk_malloc_max(png, 64u << 20);  // text and ICC chunks: never this big in a scan
  png_read_info(png, info);
  const int colour = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
  png_set_strip_alpha(png);
  png_set_bgr(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const auto width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  if (png_get_rowbytes(png, info) != size_t{width} * 3) png_error(png, "unexpected row layout");
  st->image.create(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
  st->rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) st->rows[y] = st->image.ptr<uchar>(static_cast<int>(y));
  png_read_image(png, st->rows.data());
  png_destroy_read_struct(&png, &info, nullptr);
  return std::move(st->image);
}

// ---- TIFF --------------------------------------------------------------------

struct TiffSource {
  Bytes in;
  toff_t pos = 0;
};

tmsize_t tiffRead(thandle_t h, void* dst, tmsize_t n) {
  auto* s = static_cast<TiffSource*>(h);
  if (n < 0 || s->pos >= s->in.size()) return 0;
  const auto k = std::min<toff_t>(static_cast<toff_t>(n), s->in.size() - s->pos);
  std::memcpy(dst, s->in.data() + s->pos, k);
  s->pos += k;
  return static_cast<tmsize_t>(k);
}
tmsize_t tiffWrite(thandle_t, void*, tmsize_t) { return 0; }
toff_t tiffSeek(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<TiffSource*>(h);
  const toff_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->in.size() : 0;
  s->pos = base + off;
  return s->pos;
}
int tiffClose(thandle_t) { return 0; }
toff_t tiffSize(thandle_t h) { return static_cast<TiffSource*>(h)->in.size(); }
int tiffMap(thandle_t, void**, toff_t*) { return 0; }
void tiffUnmap(thandle_t, void*, toff_t) {}

Expected<cv::Mat> decodeTiff(Bytes b) {
  static std::once_flag quiet;
  std::call_once(quiet, [] {  // libtiff would print every complaint to stderr
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
  });
  TiffSource src{b, 0};
  std::unique_ptr<TIFF, decltype(&TIFFClose)> tif(
      TIFFClientOpen("image", "rm", &src, tiffRead, tiffWrite, tiffSeek, tiffClose, tiffSize, tiffMap, tiffUnmap),
      TIFFClose);
  if (!tif) return std::unexpected(failed("TIFF", "no readable directory"));
  std::uint32_t w = 0, h = 0;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h);
  if (w == 0 || h == 0 || w > (1u << 16) || h > (1u << 16)) return std::unexpected(failed("TIFF", "bad size"));
  std::vector<std::uint32_t> raster(size_t{w} * h);
  if (!TIFFReadRGBAImageOriented(tif.get(), w, h, raster.data(), ORIENTATION_TOPLEFT, 0))
    return std::unexpected(failed("TIFF", "unsupported or corrupt image data"));
  cv::Mat bgr(static_cast<int>(h), static_cast<int>(w), CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    const std::uint32_t* s = raster.data() + size_t(y) * w;
    uchar* d = bgr.ptr<uchar>(y);
    for (std::uint32_t x = 0; x < w; ++x, d += 3) {
      d[0] = static_cast<uchar>(TIFFGetB(s[x]));
      d[1] = static_cast<uchar>(TIFFGetG(s[x]));
      d[2] = static_cast<uchar>(TIFFGetR(s[x]));
    }
  }
  return bgr;
}

// ---- WebP --------------------------------------------------------------------

Expected<cv::Mat> decodeWebp(Bytes b) {
  int w = 0, h = 0;
  if (!WebPGetInfo(b.data(), b.size(), &w, &h) || w <= 0 || h <= 0)
    return std::unexpected(failed("WebP", "no readable frame"));
  cv::Mat bgr(h, w, CV_8UC3);
  if (WebPDecodeBGRInto(b.data(), b.size(), bgr.data, bgr.total() * 3, static_cast<int>(bgr.step)) == nullptr)
    return std::unexpected(failed("WebP", "corrupt frame"));
  return bgr;
}

// ---- EXIF --------------------------------------------------------------------

// Orientation (tag 0x0112) from the TIFF structure inside an APP1 "Exif"
// segment. Every offset is checked against the segment.
int orientationFromExif(Bytes t) {
  if (t.size() < 8) return 1;
  const bool little = t[0] == 'I' && t[1] == 'I';
  if (!little && !(t[0] == 'M' && t[1] == 'M')) return 1;
  auto u16 = [&](size_t o) -> std::uint32_t {
    return little ? t[o] | (t[o + 1] << 8) : (t[o] << 8) | t[o + 1];
  };
  auto u32 = [&](size_t o) -> std::uint32_t { return little ? u16(o) | (u16(o + 2) << 16) : (u16(o) << 16) | u16(o + 2); };
  const std::uint32_t ifd = u32(4);
  if (ifd > t.size() - 2) return 1;
  const std::uint32_t n = u16(ifd);
  for (std::uint32_t i = 0; i < n; ++i) {
    const size_t e = ifd + 2 + 12 * size_t{i};
    if (e + 12 > t.size()) return 1;
    if (u16(e) == 0x0112) {
      const std::uint32_t v = u16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

}  // namespace

int exifOrientation(Bytes b) {
  size_t o = 2;  // after SOI
  while (o + 4 <= b.size() && b[o] == 0xFF) {
    const std::uint8_t m = b[o + 1];
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
      o += 2;
      continue;
    }
    if (m == 0xDA || m == 0xD9) break;  // scan data: no more metadata
    const size_t len = (size_t{b[o + 2]} << 8) | b[o + 3];
    if (len < 2 || o + 2 + len > b.size()) break;
    static constexpr std::uint8_t kExif[] = {'E', 'x', 'i', 'f', 0, 0};
    if (m == 0xE1 && len >= 8 && std::memcmp(b.data() + o + 4, kExif, sizeof kExif) == 0)
      return orientationFromExif(b.subspan(o + 10, len - 8));
    o += 2 + len;
  }
  return 1;
}

cv::Mat applyOrientation(const cv::Mat& img, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(img, out, 1); break;
    case 3: cv::rotate(img, out, cv::ROTATE_180); break;
    case 4: cv::flip(img, out, 0); break;
    case 5: cv::transpose(img, out); break;
    case 6: cv::rotate(img, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(img, out), cv::flip(out, out, -1); break;
    case 8: cv::rotate(img, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: return img;
  }
  return out;
}

Expected<cv::Mat> decode(Bytes b, ImageFormat format, const DecodeOptions& o) {
  Expected<cv::Mat> img = std::unexpected(Error{"unsupported_format", "not a JPEG, PNG, TIFF or WebP image"});
  switch (format) {
    case ImageFormat::jpeg:  // luma straight from the file when grey is asked for
      img = decodeJpeg(b, o);
      if (img && o.apply_orientation) *img = applyOrientation(*img, exifOrientation(b));
      return img;
    case ImageFormat::png: img = decodePng(b); break;
    case ImageFormat::tiff: img = decodeTiff(b); break;
    case ImageFormat::webp: img = decodeWebp(b); break;
    case ImageFormat::unknown: return img;
  }
  if (img && o.grey) cv::cvtColor(*img, *img, cv::COLOR_BGR2GRAY);
  return img;
}

Expected<cv::Mat> decode(Bytes b, const DecodeOptions& o) {
  auto header = readImageHeader(b);
  if (!header) return std::unexpected(header.error());
  return decode(b, header->format, o);
}

// ---- encoders ------------------------------------------------------------------

std::vector<std::uint8_t> encodeJpeg(const cv::Mat& img, int quality) {
  CV_Assert(img.depth() == CV_8U && (img.channels() == 3 || img.channels() == 1));
  jpeg_compress_struct cinfo{};
  JpegError err{};
  auto out = std::make_unique<std::vector<std::uint8_t>>();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  cinfo.err = detail::jpegErrorManager(err);
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::free(buf);
    throw std::runtime_error(fmt::format("JPEG encoding failed: {}", err.message));
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &buf, &size);
  cinfo.image_width = static_cast<JDIMENSION>(img.cols);
  cinfo.image_height = static_cast<JDIMENSION>(img.rows);
  cinfo.input_components = img.channels();
  cinfo.in_color_space = img.channels() == 3 ? JCS_EXT_BGR : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, std::clamp(quality, 1, 100), TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uchar*>(img.ptr<uchar>(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  out->assign(buf, buf + size);
  jpeg_destroy_compress(&cinfo);
  std::free(buf);
  return std::move(*out);
}

namespace {
void pngWrite(png_structp p, png_bytep data, png_size_t n) {
  auto* s = static_cast<PngState*>(png_get_io_ptr(p));
  s->out->insert(s->out->end(), data, data + n);
}
void pngFlush(png_structp) {}
}  // namespace

std::vector<std::uint8_t> encodePng(const cv::Mat& img, const PngOptions& opts) {
  CV_Assert(img.depth() == CV_8U && (img.channels() == 3 || img.channels() == 1));
  auto st = std::make_unique<PngState>();
  std::vector<std::uint8_t> out;
  out.reserve(img.total() * img.elemSize() / 2);
  st->out = &out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st.get(), pngError, pngWarning);
  if (png == nullptr) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error(fmt::format("PNG encoding failed: {}", st->message));
  }
  png_set_write_fn(png, st.get(), pngWrite, pngFlush);
  const int level = std::clamp(opts.level, 0, 9);
  png_set_compression_level(png, level);
  if (level > 0) png_set_compression_strategy(png, 3 /* Z_RLE */);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, level > 0 ? PNG_FILTER_SUB : PNG_FILTER_NONE);
  png_set_IHDR(png, info, static_cast<png_uint_32>(img.cols), static_cast<png_uint_32>(img.rows), 8,
               img.channels() == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(png, info);
  if (img.channels() == 3) png_set_bgr(png);
  st->rows.resize(static_cast<size_t>(img.rows));
  for (int y = 0; y < img.rows; ++y) st->rows[static_cast<size_t>(y)] = const_cast<uchar*>(img.ptr<uchar>(y));
  png_write_image(png, st->rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

bool writeImageFile(const std::filesystem::path& path, const cv::Mat& img) {
  try {
    cv::Mat m = img;
    if (m.depth() != CV_8U) m.convertTo(m, CV_8U);
    if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2BGR);
    std::string ext = path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::vector<std::uint8_t> bytes =
        ext == ".jpg" || ext == ".jpeg" ? encodeJpeg(m, 95) : encodePng(m);
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace idkit::codec
