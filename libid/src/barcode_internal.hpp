// Shared by barcode.cpp and the pdf417_*.cpp readers (not installed).
#pragma once

namespace idkit::barcode {

// Experiment switches for same-binary before/after comparisons (the figures
// in bench/README.md's id-barcode section): each leaves one part of the
// PDF417 path out when its environment variable is set, read once.
enum class Experiment {
  NoGate,  // IDKIT_BARCODE_NO_GATE: the fallbacks run without pdf417::hasStartOrStop's evidence
  NoDeglare,  // IDKIT_BARCODE_NO_DEGLARE: no glare-divided level crop (gate, ZXing, grey reader) nor region search, nor deglared tiles
  Count
};
bool experiment(Experiment e);

}  // namespace idkit::barcode
