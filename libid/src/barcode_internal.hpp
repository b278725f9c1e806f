// Shared by barcode.cpp and the pdf417_*.cpp readers (not installed).
#pragma once

namespace idkit::barcode {

// Experiment switches for same-binary before/after comparisons (the figures
// in bench/README.md's id-barcode section): each leaves one part of the
// PDF417 path out when its environment variable is set, read once.
enum class Experiment {
  NoGate,       // IDKIT_BARCODE_NO_GATE: the fallbacks run without pdf417::hasStartOrStop's evidence
  NoBoxGrey,    // IDKIT_BARCODE_NO_BOX_GREY: the grey reader on the first shape's crop only
  NoEcc,        // IDKIT_PDF417_NO_ECC: no correction by idkit's own Reed-Solomon decoder
  NoChase,      // IDKIT_PDF417_NO_CHASE: no runner-up patterns as second guesses in the correction
  AllPatterns,  // IDKIT_PDF417_ALL_PATTERNS: the grey reader chooses among every pattern, not the 929 codewords
  NoRelevel,    // IDKIT_PDF417_NO_RELEVEL: no second reading with the levels fitted along each row
  NoRowGuess,   // IDKIT_PDF417_NO_ROW_GUESS: no guessed row counts when no row boundary shows
  Count
};
bool experiment(Experiment e);

}  // namespace idkit::barcode
