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
under 0.1% (0.915 accepts 16 impostors of 10322, 0.155%), and 0.925 gives up 8 more genuine
pairs for the last impostors (documents run of 2026-12-02 05:10 UTC, commit 5b1e1ff's id-deskew:
586 of 598 at 0.92 without the margin below, FAR 0.039%; 588 at 0.915).

Detail matching (\`face::matchDetail\`): when a portrait's eyes are less than 40 px apart in
the pixels it was captured in, the other face's chip is shrunk to that eye distance and
enlarged back before it is described. It lifts genuine pairs among small portraits and
their impostors as well, so such a pair is decided at the threshold + 0.0025
(\`face::pairThreshold\`, \`kDetailMatchedMargin\`; the record's \`threshold\` says 0.9225). The
tables count a detail-matched pair's score less that margin, so their thresholds are the one
id-face is given. Without the margin, among small portraits (91 genuine / 1989 impostor pairs)
0.92 accepted 81 genuine pairs and 2 impostors (0.101%, over the 0.1% target in that band);
+0.002 gives 79 and 1 (0.050%), +0.0025 gives 79 and 0, +0.005 gives 77 and 0: 0.0025 is the
smallest margin with no small-portrait impostor, and it costs 2 genuine pairs (alex_lacamoire
td3-photo-s2, 0.9204, and angelina_jolie mrvb-photo-s4, 0.9220, both against one photo each).
Overall at 0.92 that is 584 of 598 (97.66%) instead of 586 (97.99%): the 98% target is not met
once the band's FAR is held to 0.1%. The 14 genuine pairs lost: 6 from one visa photographed
across the room and defocused (scarlett_johansson mrvb-photo-s100: 12 px between the eyes,
sharpness 1.7; every pair 0.867-0.885), 3 from a defocused TD1 (angelina_jolie td1-photo-s8,
24 px, 0.909-0.916), 2 above, and single pairs of a heavily defocused French ID (4.3 px blur,
0.880), a TD1 scan against one photo (0.915) and a small visa (0.919).

Card faces upside down: commit 5b1e1ff (id-deskew) lets the MRZ anchor orient the card without
the flat card's own MRZ check; on one scan (kit_harington fra-id-scan-s69, a quad cut off above
the MRZ) the band it anchored to was not one, and the card came out upside down with a face
scoring 0.99 on it (YuNet scores faces upside down too), aligned from upside-down landmarks:
both genuine pairs failed (0.879, 0.889). A card face whose aligned chip does not look upright
(\`face::uprightness\` < 0: upright portraits measure 2 to 145 on these documents, that one -67)
is no longer trusted: the input photo around the quad is searched every way up and its face
replaces the card's (0.953, both pairs matched). That was the whole difference between the
trees before and after 5b1e1ff on these documents (12 genuine pairs rejected before, 14 after,
12 with this).
Left weak: the search around the quad chooses the way up by the same measure, and on the
synthetic scene of test_face (a card whose whole outline was taken upside down) YuNet scores
the face 1.000 upright and 0.999 upside down while \`uprightness\` rates the upside-down chip
higher (88 against 67): that pair would still fail. A measure that compares the chip with its
own half-turn (tried there: 29 against 65) is no better; the recognizer itself, or the
document's MRZ side, would have to decide.

Tried and dropped this time: the landmarks of a small portrait found again on an upright copy
enlarged to 64 px between the eyes, averaged with the first (on the first 50 documents 311 of
316 genuine pairs at 0.92 instead of 312, 6 impostors instead of 3). Tried before and dropped:
bicubic or Lanczos upsampling for the chip, blurring the reduced chip further to the
portrait's sharpness (every small genuine pair matched, but FAR 0.14%), jittered or flipped
descriptors (no gain, 2-5x the forward passes).

Latency with detail matching: the selfie half waits for the portrait's detail before its
descriptor, so it ends at card read + portrait + selfie descriptor, under the card half: the
pair's latency is the card half's. The uprightness check adds one chip alignment (under 1 ms)
to the card half; a card face that fails it costs the search around the quad as a weak face
does (1 of 105 documents).

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
