// A zone no reading of the OCR-B classifier made valid, read again by a
// second reader (Tesseract) to settle it: mrz_witness.cpp.
#pragma once

#include <array>
#include <optional>
#include <span>

#include <opencv2/core.hpp>

#include "idkit/mrz.hpp"

namespace idkit::mrz::detail {

// `r` (not valid) is the classifier's reading of the band `quad` (TL, TR,
// BR, BL in reading order, in `image`'s pixels). Tesseract reads each line;
// where that settles the cells left uncertain, or (a zone failing its
// checks) where its own reading verifies and it was sure of every character,
// `r` becomes that reading, valid, each changed cell listed in corrections
// with why "witness", and true is returned. Else `r` is left as it is.
// `cands` are the candidates `r` was corrected from: cells the witness
// settles make the zone valid only where correct() finds it valid with them
// read as settled.
bool witness(Result& r, std::span<const LineCandidates> cands, const cv::Mat& image,
             const std::array<cv::Point2f, 4>& quad, const ParseOptions& parse);

// The witness's lines (as long as `classifier`'s, the classifier's reading of
// the same zone in `format`) with each cell whose type forbids what
// Tesseract read there (a digit in a name, a letter in a date: its O and 0,
// I and 1 are the classic slips) read as the classifier read it, which
// reads every cell by its type; nullopt where the classifier's character is
// no more allowed there.
std::optional<std::vector<std::string>> typedAsCells(Format format, std::vector<std::string> lines,
                                                     std::span<const std::string> classifier);

}  // namespace idkit::mrz::detail
