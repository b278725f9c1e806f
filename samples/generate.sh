#!/usr/bin/env bash
# Regenerates the synthetic specimens of samples/ with id-synth (images and
# truth files), and writes a starting NAME.expected.json for each new image.
# Existing files are never overwritten (id-synth picks a new name instead), so
# run it on an empty folder to reproduce the committed set:
#   samples/generate.sh [BUILD_DIR] [OUT_DIR]    (default: build, samples)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-samples}
synth=$build/bin/id-synth

# Two scans and two photos of every type with an MRZ or a QR code, one of each
# for the two-sided driving licence; drawn portraits only; at most 1200 px a side.
for t in td1 td2 td3 mrva mrvb fra-id qr-id dl; do
  n=2
  [ "$t" = dl ] && n=1
  "$synth" -q -t "$t" -c scan -n "$n" --seed 101 --max-side 1200 -o "$out" >/dev/null
  "$synth" -q -t "$t" -c photo -n "$n" --seed 202 --max-side 1200 -o "$out" >/dev/null
done
# Two more photos: TD1 white on white, TD3 on a dark desk with a thumb over it.
"$synth" -q -t td1 -c photo -n 1 --first 2 --seed 202 --max-side 1200 -o "$out" >/dev/null
"$synth" -q -t td3 -c photo -n 1 --first 6 --seed 202 --max-side 1200 -o "$out" >/dev/null

# Expected records are derived from the truth files, never from what idkit reads.
python3 "$(dirname "$0")/expected.py" "$out"
