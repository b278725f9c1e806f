// Barcodes on identity documents: PDF417 (driving licences), QR, DataMatrix,
// Aztec and 1D codes, read with ZXing-cpp.
//
// ZXing reads flat scans well but PDF417 only within about 2 degrees of level,
// so read() adds what photos need: when the direct pass finds no PDF417 it
// looks for bar-textured regions, rectifies each (perspective quad or rotated
// box) and decodes the crop; when nothing at all is found it retries with a
// light blur and on upscaled tiles for small 2D codes. Positions are always
// reported in the coordinates of the image given.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <idkit/aamva.hpp>
#include <idkit/error.hpp>
#include <idkit/json.hpp>

namespace idkit::barcode {

struct Options {
  std::vector<std::string> formats;  // ZXing names ("PDF417", "QRCode"...); empty = all
  bool rectify = true;   // search and rectify PDF417 regions when the direct pass misses
  bool retry = true;     // blur and tile retries when nothing is found
  bool parse_aamva = true;
};

struct Code {
  std::string format;                   // "PDF417", "QRCode", "DataMatrix", "Aztec", "Code128"...
  std::string text;                     // UTF-8 after ECI/charset handling
  std::vector<std::uint8_t> bytes;      // raw content
  std::string content_type;             // "Text", "Binary", "GS1"...
  std::array<cv::Point2f, 4> position;  // TL, TR, BR, BL in input coordinates
  std::string symbology_identifier;     // "]L2"
  std::string ec_level;
  bool has_eci = false;
  int orientation = 0;                  // degrees
  int sequence_size = -1, sequence_index = -1;
  std::string sequence_id;
  std::string method;                   // how it was found: direct, rectified, blurred, tiled
  std::optional<aamva::Result> aamva;   // parsed when the text looks like AAMVA
  std::optional<Error> aamva_error;     // it looked like AAMVA but did not parse

  // {"format","text" | "bytes_base64","content_type","position","symbology":{...},"aamva"...}
  Json toJson() const;
};

// Every code found in the image (BGR or grey, 8-bit), deduplicated.
std::vector<Code> read(const cv::Mat& image, const Options& options = {});

// The `barcodes` array of a record.
Json toJson(const std::vector<Code>& codes);

// Text of a PDF417 byte payload that carries no ECI: ISO-8859-1 (the
// standard's default and what issuers write) as UTF-8, except well-formed
// multi-byte UTF-8, which is kept. Never produces replacement characters.
std::string pdf417Text(std::string_view bytes);

std::string base64(const std::vector<std::uint8_t>& bytes);

// True for a symbology name ZXing knows ("PDF417", "QRCode", "DataMatrix"...).
bool knownFormat(const std::string& name);

// Renders text as a barcode (black on white, with quiet zone), e.g. an AAMVA
// payload as PDF417, for synthetic documents and tests. `module` is the size of
// one module in pixels. Throws std::invalid_argument for unknown formats.
cv::Mat render(const std::string& text, const std::string& format, int module = 3);

}  // namespace idkit::barcode
