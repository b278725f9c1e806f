#!/usr/bin/env bash
# bench/barcode.sh [BUILD_DIR] [REPS]: runs bench-barcode (idkit::barcode::read
# vs one ZXing ReadBarcodes call on a flat card and on 12 MP photos) and writes
# its section of bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
body=$("$build/bench/bench-barcode" "${2:-15}")
body="$body

Machine: $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1 /proc/loadavg) at the start; $(date -u +%Y-%m-%d)."
. "$root/bench/lib.sh"
write_section barcode "$body"
echo "$body"
