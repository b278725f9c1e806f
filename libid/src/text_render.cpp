#include "idkit/text_render.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <cmath>
#include <map>

#include "idkit/error.hpp"
#include "idkit/utf8.hpp"

namespace idkit::text {

struct Font::Impl {
  FT_Library lib = nullptr;
  FT_Face face = nullptr;
  long size_26_6 = -1;  // last size set, to avoid resetting per glyph

  ~Impl() {
    if (face) FT_Done_Face(face);
    if (lib) FT_Done_FreeType(lib);
  }
  void setEm(double em_px) {
    const long s = std::lround(em_px * 64.0);
    if (s == size_26_6) return;
    FT_Set_Char_Size(face, 0, std::max<long>(s, 64), 72, 72);
    size_26_6 = s;
  }
};

Font::Font(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  if (FT_Init_FreeType(&impl_->lib) != 0)
    throw Failure("font_missing", "FreeType could not be initialised");
  if (FT_New_Face(impl_->lib, path.c_str(), 0, &impl_->face) != 0)
    throw Failure("font_missing", "cannot open font " + path);
  // Cap height from the outline of "H" in font units, so sizes are physical.
  if (FT_Load_Char(impl_->face, 'H', FT_LOAD_NO_SCALE) == 0 && impl_->face->units_per_EM > 0) {
    const double h = static_cast<double>(impl_->face->glyph->metrics.height);
    if (h > 0) cap_per_em_ = h / impl_->face->units_per_EM;
  }
}

Font::~Font() = default;

Font& fontFor(const std::string& path) {
  thread_local std::map<std::string, std::unique_ptr<Font>> cache;
  auto& slot = cache[path];
  if (!slot) slot = std::make_unique<Font>(path);
  return *slot;
}

namespace {

// Alpha-blends an 8-bit coverage bitmap at (x0, y0) into a BGR image.
void blendBitmap(cv::Mat& bgr, const FT_Bitmap& bm, int x0, int y0, const cv::Scalar& color,
                 double opacity) {
  if (bm.pixel_mode != FT_PIXEL_MODE_GRAY) return;
  const int rows = static_cast<int>(bm.rows), cols = static_cast<int>(bm.width);
  for (int r = 0; r < rows; ++r) {
    const int y = y0 + r;
    if (y < 0 || y >= bgr.rows) continue;
    const unsigned char* src = bm.buffer + static_cast<ptrdiff_t>(r) * bm.pitch;
    auto* dst = bgr.ptr<cv::Vec3b>(y);
    for (int c = 0; c < cols; ++c) {
      const int x = x0 + c;
      if (x < 0 || x >= bgr.cols || src[c] == 0) continue;
      const double a = opacity * src[c] / 255.0;
      for (int ch = 0; ch < 3; ++ch)
        dst[x][ch] = cv::saturate_cast<uchar>(dst[x][ch] * (1 - a) + color[ch] * a);
    }
  }
}

// Walks the glyphs of `utf8`; calls draw(face glyph slot, pen x) when drawing.
template <class Fn>
double walk(Font::Impl& impl, std::u32string_view cps, const Style& style, double cap_per_em,
            FT_Int32 flags, Fn&& each) {
  impl.setEm(style.cap_height_px / cap_per_em);
  double pen = 0;
  for (char32_t cp : cps) {
    FT_UInt gi = FT_Get_Char_Index(impl.face, cp);
    if (gi == 0 && cp != U' ') gi = FT_Get_Char_Index(impl.face, U'?');
    if (FT_Load_Glyph(impl.face, gi, flags) != 0) continue;
    const FT_GlyphSlot g = impl.face->glyph;
    const double adv = g->advance.x / 64.0;
    if (style.pitch_px > 0) {
      // Fixed pitch: centre the glyph's advance box in its cell.
      each(g, pen + (style.pitch_px - adv) / 2.0);
      pen += style.pitch_px;
    } else {
      each(g, pen);
      pen += adv + style.tracking_px;
    }
  }
  if (style.pitch_px <= 0 && !cps.empty()) pen -= style.tracking_px;
  return pen;
}

}  // namespace

double measure(Font& font, std::string_view utf8, const Style& style) {
  const auto cps = utf8::decode(utf8, utf8::Invalid::replace);
  if (style.pitch_px > 0) return style.pitch_px * static_cast<double>(cps.size());
  return walk(font.impl(), cps, style, font.capHeightPerEm(), FT_LOAD_DEFAULT,
              [](FT_GlyphSlot, double) {});
}

double drawText(cv::Mat& bgr, Font& font, std::string_view utf8, cv::Point2d origin,
                const Style& style) {
  const auto cps = utf8::decode(utf8, utf8::Invalid::replace);
  const double end = walk(font.impl(), cps, style, font.capHeightPerEm(), FT_LOAD_RENDER,
                          [&](FT_GlyphSlot g, double pen) {
                            const int x = static_cast<int>(std::lround(origin.x + pen)) + g->bitmap_left;
                            const int y = static_cast<int>(std::lround(origin.y)) - g->bitmap_top;
                            blendBitmap(bgr, g->bitmap, x, y, style.color, style.opacity);
                          });
  return origin.x + end;
}

cv::Rect2d textBox(Font& font, std::string_view utf8, cv::Point2d origin, const Style& style) {
  return {origin.x, origin.y - style.cap_height_px, measure(font, utf8, style), style.cap_height_px};
}

}  // namespace idkit::text
