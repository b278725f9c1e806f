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
#include <span>
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
  bool grey = true;      // grey-level PDF417 reader (pdf417::readGrey) on the largest region ZXing misses
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
  std::string method;                   // how it was found: direct, rectified, grey, blurred, tiled, flattened, sharpened
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

// True for a symbology name ZXing knows ("PDF417", "QRCode", "DataMatrix"...).
bool knownFormat(const std::string& name);

// Renders text as a barcode (black on white, with quiet zone), e.g. an AAMVA
// payload as PDF417, for synthetic documents and tests. `module` is the size of
// one module in pixels. Throws std::invalid_argument for unknown formats.
cv::Mat render(const std::string& text, const std::string& format, int module = 3);

// Grey-level PDF417 reader for codes blurred over several modules, which
// ZXing's binarisers cannot separate. Works on a level crop (rows horizontal,
// either way up): fits the start and stop patterns (module pitch, blur),
// finds the row grid, and picks for each codeword the bar/space pattern of
// the row's cluster whose blurred rendering best matches the grey profile.
// The rows found are re-rendered as a clean binary symbol, which ZXing then
// decodes with its error correction.
namespace pdf417 {

struct GreyRead {
  cv::Mat clean;        // the symbol re-rendered black on white, with quiet zone
  cv::Mat cleanToCrop;  // 3x3 homography: `clean` -> the crop given
  int rows = 0, columns = 0;  // rows and data columns found
  double module_px = 0;       // module pitch in the crop
  double blur_modules = 0;    // estimated blur (Gaussian sigma) in modules
  double fit = 0;             // start/stop pattern fit, 1 - R^2 (0 = perfect)
  // The codewords chosen, row by row (row indicators included), and how sure
  // each choice is: the runner-up pattern's squared error minus the choice's.
  std::vector<std::vector<std::array<std::uint8_t, 8>>> codewords;
  std::vector<std::vector<float>> margins;
  // Each codeword's runner-up pattern (the second best fit), for the
  // correction's second guesses (Chase decoding).
  std::vector<std::vector<std::array<std::uint8_t, 8>>> runners_up;
};

// None when no start/stop pattern pair or row grid is found.
std::optional<GreyRead> readGrey(const cv::Mat& levelCrop);

// Whether a level crop (rows horizontal, either way up) shows a start or stop
// pattern: a wide bar steady down a band of rows, lighter columns beside it,
// columns that vary down the rows (a row indicator) on one side, with the
// data's frequent dark/light turns along the rows there. read() runs
// its costly fallbacks only on regions that do (print has no such bar).
bool hasStartOrStop(const cv::Mat& levelCrop);

// ---- codewords and error correction (pdf417_ecc.cpp) ----

// A codeword's bar/space widths in modules, bar first (17 modules in all).
using Pattern = std::array<std::uint8_t, 8>;

// The cluster of a pattern, (b1 - b2 + b3 - b4 + 9) mod 9 of its bars:
// 0, 3 or 6 for a codeword, the row's number mod 3 times 3.
int clusterOf(const Pattern& p);

// Codeword value 0..928 of a pattern, -1 when it is none of the symbology's.
int codewordOf(const Pattern& p);

// The pattern of codeword `value` in `cluster` (0, 3 or 6).
std::optional<Pattern> patternOf(int value, int cluster);

// The symbology's own patterns of one cluster (0, 3 or 6), 929 of them,
// in codeword order.
const std::vector<Pattern>& codewordPatterns(int cluster);

// Reed-Solomon over GF(929) as PDF417 uses it: the `k` check codewords of
// `data` (the symbol length descriptor first, padding included).
std::vector<int> ecCodewords(std::span<const int> data, int k);

// Corrects `codewords` (data then `k` check codewords) in place, treating
// the positions in `erasures` as unknown: e errors and f erasures are
// corrected when 2e + f <= k. The number of codewords changed, or none when
// the symbol is beyond correction (then `codewords` is left as it was).
std::optional<int> correct(std::vector<int>& codewords, int k, std::span<const int> erasures);

// A grey reading's codewords corrected with the symbol's own check
// codewords, its least sure codewords taken as erasures.
struct Corrected {
  int rows = 0, columns = 0, ec_level = 0;
  std::vector<int> codewords;  // data and check codewords, row by row
  int changed = 0;             // codewords the correction changed
  int erasures = 0;            // how many were erased to get there
  cv::Mat clean;               // the corrected symbol as renderRows draws it (3 px modules)
};
std::optional<Corrected> correctGrey(const GreyRead& read);


// The clean symbol for a given grid of codewords, each as its 8 element
// widths (bar, space, ... in modules, summing to 17), row indicators
// included: start pattern, the row's codewords, stop pattern; `module` pixels
// per module, rows 3 modules high, 4-module quiet zone.
cv::Mat renderRows(const std::vector<std::vector<std::array<std::uint8_t, 8>>>& rows, int module = 3);

// Every bar/space pattern of a codeword (4 bars, 4 spaces, widths 1..6,
// 17 modules) whose cluster (b1 - b2 + b3 - b4 + 9) mod 9 is `cluster`
// (0, 3 or 6): a superset of the symbology's 929 codewords per cluster.
const std::vector<std::array<std::uint8_t, 8>>& clusterPatterns(int cluster);

}  // namespace pdf417

}  // namespace idkit::barcode
