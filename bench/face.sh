#!/usr/bin/env bash
# Face verification bench: bench/face.sh [BUILD_DIR]
# Calibrates id-face on ../shared/data/faces (photo vs photo) and on id-synth
# documents whose portrait is one photo of the set (document vs the person's
# other photos), then writes the figures into bench/README.md (bench:face).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-$root/build}
faces=${IDKIT_SHARED:-$root/../shared}/data/faces
[ -d "$faces" ] || { echo "face.sh: $faces not found" >&2; exit 77; }
[ -x "$build/bench/bench-face" ] && [ -x "$build/bin/id-synth" ] && [ -x "$build/bin/id-face" ] \
  || { echo "face.sh: build bench-face, id-face and id-synth in $build first" >&2; exit 1; }

# One document per photo (types and captures vary with the seed): its portrait
# is that photo alone, so genuine pairs never compare a photo with itself.
docs=$build/bench-face-docs
if [ ! -f "$docs/.done" ]; then
  n=0
  for person in "$faces"/*/; do
    person=$(basename "$person")
    for photo in "$faces/$person"/*.jpg "$faces/$person"/*.png; do
      [ -e "$photo" ] || continue
      stem=$(basename "${photo%.*}")
      one=$docs/.faces/$person/$stem
      mkdir -p "$one" "$docs/$person/$stem"
      ln -sf "$photo" "$one/"
      n=$((n + 1))
      compgen -G "$docs/$person/$stem/*.jpg" >/dev/null && continue  # made by an earlier run
      "$build/bin/id-synth" --faces "$one" --type all --capture "${IDKIT_FACE_CAPTURE:-mixed}" \
        --seed "$n" --first "$n" -n 1 -j 1 -q -o "$docs/$person/$stem" >/dev/null \
        || echo "face.sh: id-synth failed on $photo (document $n); left out" >&2
    done
  done
  touch "$docs/.done"
fi

# Batch throughput: id-face over the pipeline records bench-face wrote (the
# flat cards of id-deskew as PNG, one selfie each), -j 1 and -j 2, one process
# each (models loaded once). Wall and CPU (user + sys) per pair.
throughput() {
  local records=$docs/.pipeline/records.ndjson n out
  n=$(wc -l < "$records")
  echo "| id-face -j N over $n pairs after id-deskew | wall s | wall ms / pair | CPU ms / pair | load average before |"
  echo "|---|---|---|---|---|"
  for j in 1 2; do
    local before
    before=$(cut -d' ' -f1 /proc/loadavg)
    out=$( { /usr/bin/time -f '%e %U %S' "$build/bin/id-face" -j "$j" -q < "$records" > /dev/null || true; } 2>&1 | tail -1)
    read -r wall user sys <<< "$out"
    python3 -c "import sys; w,u,s,n=map(float,sys.argv[1:5]); print(f'| -j $j | {w:.1f} | {1000*w/n:.1f} | {1000*(u+s)/n:.1f} | $before |')" \
      "$wall" "$user" "$sys" "$n"
  done
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
yunet=$(IDKIT_FACE_DETECTOR=yunet "$build/bench/bench-face" "$faces" "$docs")
yunet_batch=$(IDKIT_FACE_DETECTOR=yunet throughput)
faceapi=$(IDKIT_FACE_DETECTOR=faceapi "$build/bench/bench-face" "$faces" "$docs")
body=$(cat <<MD
## id-face calibration ($(date -u +%Y-%m-%d), $(nproc) cores, load average $load at the start)

\`bench/face.sh\` (driver \`bench/face.cpp\`): dlib ResNet descriptor (@vladmandic/face-api 1.7.15,
converted to ONNX, OpenCV $(pkg-config --modversion opencv4) dnn), cosine similarity; detector YuNet 2022mar,
then the fallback (face-api's tiny_face_detector + 68-point landmarks, used when YuNet is absent).
Times are CPU ms of one thread: the machine is shared, and a busy machine still slows them.

$yunet

$yunet_batch

Default threshold 0.92 (cosine) with YuNet: on the photo set it accepts every genuine pair
with (almost) no impostor; 0.93 drops genuine pairs, 0.91 lets impostors in. Document
portraits score lower (print, photo, JPEG): see their table for the genuine rate at 0.92
(target >= 98% at <= 0.1% FAR). On the documents too 0.92 is the lowest step whose FAR stays
under 0.1% (0.915 and below exceed it), and 0.925 already gives up genuine pairs for no
impostor left to turn away.

Detail matching (\`face::matchDetail\`): when a portrait's eyes are less than 40 px apart in
the pixels it was captured in, the other face's chip is shrunk to that eye distance and
enlarged back before it is described. The table after the document ROC gives the same
pairs without it and the rates per band of portrait detail: it lifts genuine pairs among
small portraits and lifts their impostors as well (a few pairs in ~2000: FAR in that band
near or above 0.1% at 0.92). Tried on the same documents and dropped: bicubic or Lanczos
upsampling for the chip (no change at 0.92), landmarks found again on an upright copy of
the portrait enlarged 1.5x or averaged with the first (+0.3 pp at 0.92, +1.0 pp at FAR 0.1%
through a lower threshold; an extra detector pass), blurring the reduced chip further to the
portrait's sharpness (every small genuine pair matched, but FAR 0.14%), jittered or
flipped descriptors (no gain, 2-5x the forward passes), a separate threshold for small
portraits (no threshold in that band keeps FAR <= 0.1% and gains genuine pairs).

Latency with detail matching: the selfie half waits for the portrait's detail before its
descriptor, so it ends at card read + portrait + selfie descriptor (36.0 + 29.3 + 24.7 = 90.0
ms CPU in this run), still under the card half (90.8 ms): the pair's latency is unchanged.
This run's documents were flattened by the working tree's id-deskew of 2026-12-02 01:55 UTC
(changes in progress by its owner), which flattens some of them differently: on the same 105
documents the genuine rate without detail matching went from 97.32% (the previous build,
01:20 UTC, as in the last session) to 95.99%. On that previous build detail matching took
the document genuine rate at 0.92 from 97.32% (582 of 598, FAR 0.029%) to 98.16% (587 of
598, FAR 0.039%, 4 of 10322); on this one from 95.99% to 96.66% (FAR 0.048% -> 0.068%).

Speed target (issue 8): <= 120 ms per document+selfie pair on this 2-core machine, models
loaded once. id-face runs a pair's two halves on two threads (\`face::verifyPair\`), so the
figure that compares is the pair's latency, the slower half's CPU time (the card half:
PNG read, portrait in the layout's region, descriptor), measured on one thread so that the
neighbours' load does not count; the wall clock of the two-thread pair and of the batch runs
is printed too, but on a machine with more runnable processes than cores it measures the
neighbours. The sum of both halves is the CPU a pair costs, and the batch throughput on two
idle cores is about 2 cores / that sum.

## Fallback detector (IDKIT_FACE_DETECTOR=faceapi)

$faceapi

The fallback keeps 0.92 (\`kDefaultThresholdFaceApi\`) while that gives the highest genuine
rate with FAR <= 0.1% on both sets; it is weaker than YuNet (see the EER). Tight crops whose
face fills the image are searched again in a canvas two, then three times their size.
MD
)
. "$root/bench/lib.sh"
write_section face "$body"
echo "$body"
