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
# Both detectors' runs side by side (each on one thread, timed in CPU ms of
# that thread). The YuNet run keeps every document pair's score
# (pairs-yunet.tsv: document, photo, genuine, eyes, sharpness, photo eyes,
# score less the margin, plain score) and one line per document
# (list-yunet.txt) in $docs/.pipeline, to try thresholds offline.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$docs/.pipeline"
if [ -n "${IDKIT_FACE_SH_SAVED:-}" ]; then
  # The section rewritten from bench-face outputs saved in that directory
  # (yunet, faceapi: Markdown as bench-face prints it), e.g. when a loaded
  # machine runs the two out of a session's time in one go.
  cp "$IDKIT_FACE_SH_SAVED/yunet" "$out/yunet"
  cp "$IDKIT_FACE_SH_SAVED/faceapi" "$out/faceapi"
  true & yunet_pid=$!
  true & faceapi_pid=$!
else
IDKIT_FACE_DETECTOR=yunet IDKIT_FACE_BENCH_LIST=1 IDKIT_FACE_BENCH_PAIRS="$docs/.pipeline/pairs-yunet.tsv" \
  "$build/bench/bench-face" "$faces" "$docs" > "$out/yunet" 2> "$docs/.pipeline/list-yunet.txt" &
yunet_pid=$!
IDKIT_FACE_DETECTOR=faceapi IDKIT_FACE_BENCH_SPEED=0 "$build/bench/bench-face" "$faces" "$docs" > "$out/faceapi" &
faceapi_pid=$!
fi
wait "$yunet_pid"
wait "$faceapi_pid"
yunet=$(cat "$out/yunet")
faceapi=$(cat "$out/faceapi")
yunet_batch=$(IDKIT_FACE_DETECTOR=yunet throughput)
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
portraits score lower (print, photo, JPEG). Target (issue 8): >= 98% of genuine document
pairs at <= 0.1% FAR. On the documents too 0.92 is the step to keep: 0.915 accepts 12
impostors of 10322 (0.116%), 0.922 gives up 5 genuine pairs for the last 3 impostors.

Small portraits (eyes < 40 px apart in the pixels they are captured in, 20 of 105 documents:
visas photographed across the room, defocused cards) are compared at the same detail
(\`face::matchDetail\`: the sharper chip shrunk to that eye distance and enlarged back) and,
since this run, each chip of such a pair is described as aligned and mirrored, the two
descriptors averaged (\`face::describeForPair\`, \`kSmallPairViews\` = 2: a 12-30 px face's
descriptor wavers with every pixel the alignment moves; one extra recognizer pass per half,
for small pairs only). Such a pair is decided at the threshold + 0.006
(\`kDetailMatchedMargin\`; the record's \`threshold\` says 0.926): averaging lifts the small
band's impostors with its genuine pairs, and among small portraits (91 genuine / 1989
impostor pairs) the margin gives 2 impostors at +0.0025 (0.101%, over the target in that
band), 1 at +0.005, none from +0.0055 to +0.007, one genuine pair fewer from +0.0075: 0.006
is the middle of that range. The tables count a detail-matched pair's score less the margin,
so their thresholds are the one id-face is given.

A card's portrait is aligned from the input photo in one perspective warp
(\`face::alignThrough\`: the card's homography composed with the landmarks' similarity), no
longer by a similarity fitted to the landmarks mapped into the photo, which kept the card's
perspective in the chip.

Before / after on the same 105 documents (bench-face-docs of session 6, id-deskew b3b1f83;
documents run of 2026-12-02 07:37-08:05 UTC with \`IDKIT_FACE_BENCH_SPEED=0\`):
at 0.92 584 of 598 genuine pairs (97.66%), FAR 0.019% (2 / 10322), small portraits 79 / 91
and 0 / 1989, before; 587 of 598 (98.16%), FAR 0.029% (3 / 10322), small portraits 82 / 91
and 0 / 1989 with the mirrored views, the one-warp alignment and the 0.006 margin. The three
recovered: alex_lacamoire td3-photo-s2 (0.9179 -> 0.9282, 32 px between the eyes),
angelina_jolie mrvb-photo-s4 (0.9195 -> 0.9250, 18 px), leonardo_dicaprio mrvb-photo-s76
(0.9164 -> 0.9313, 19 px); none lost. **98% at <= 0.1% FAR is met** (587 = the 98% floor of
598 exactly: one pair more lost and it is not), overall and in each band. The 11 left: 6 of
one visa photographed across the room and defocused (scarlett_johansson mrvb-photo-s100,
12 px between the eyes: 0.880-0.895), 3 of a defocused TD1 (angelina_jolie td1-photo-s8,
24 px: 0.917-0.919), a heavily defocused French ID (joe_biden fra-id-photo-s29, 0.883) and a
TD1 scan against one photo (kunal_nayyar td1-scan-s72, 0.914).

The tables above are the run of 2026-12-02 10:55-11:20 UTC (session 8, id-face 7e6846d,
linked with the id-deskew working tree of 10:45 UTC, its helper's uncommitted speed
changes included): 587 of 598 genuine pairs (98.16%) at 0.92, FAR 0.029% (3 / 10322), small portraits
82 / 91 and 0 / 1989, the speed rows over all 105 documents. **98% at <= 0.1% FAR is met**,
with no pair to spare (587 is the 98% floor of 598). Against the tables session 7 left here (581 of
598 on the id-deskew that reshapes outlines): george_clooney qr-id-scan-s15 recovered by
560836c (0.856 -> 0.952) and mark_zuckerberg qr-id-scan-s79 by 7e6846d (0.861 -> 0.960, 4
pairs). id-deskew took that card's portrait photo alone for the document (an ID3 quad turned
270 degrees): the flat "card" held the face on its side, which the portrait region missed
and the whole-card pass found in the card's right half, scoring 0.973 and measuring upright
(43.5) by chance, so it was trusted. A card face that the layout does not put there (outside
the portrait region of a known kind, or found only in a quarter turn of a card id-deskew
took upright) is now treated like one upside down: not trusted, and the face found around
the quad replaces it (1.000, upright by turnUprightness 103 against 98 for the next turn).
It is the only document of this run whose card face scored >= 0.95 and looked upright
but was replaced. The 11 pairs left are the ones listed
above (scarlett_johansson mrvb-photo-s100 at 0.876-0.891, joe_biden fra-id-photo-s29 0.883,
kunal_nayyar td1-scan-s72 0.914, angelina_jolie td1-photo-s8 0.914-0.916); the 3 impostors
accepted are joe_biden fra-id-photo-s29 against two john_shimkus photos (0.921) and
melissa_rauch td3-scan-s90 against kaley_cuoco penny3 (0.920).

The way up of a face found around the quad (a card flattened upside down or a wrong quad):
YuNet finds a face in every quarter turn, scores them alike and puts its landmarks where an
upright face has them, so each turn's face is now scored by three cues summed
(\`face::turnUprightness\`): the cosine between the recognizer's descriptors of the chip and
of its mirror image x100 (trained on upright faces, it describes an upright face and its
mirror alike), \`uprightness\` / 50 (eyes darker than the nasal bridge and cheeks) and the
detector's score x2. On the photo set's 105 faces in every turn YuNet finds them in, the
upright turn scores highest for all 105 (by 0.70 at least); alone, the mirror cue gets 105
(by 0.16), \`uprightness\` 99, the detector's score 79. test_face's scene (a card whose
outline was taken upside down), lost before, is now taken the right way up.

Tried before and dropped: bicubic or Lanczos upsampling for the chip, blurring the reduced
chip further to the portrait's sharpness (every small genuine pair matched, but FAR 0.14%),
landmarks found again on an enlarged copy of a small portrait.

Latency: the mirrored view adds one recognizer pass to each half of a small-portrait pair
(20 of 105 documents), the one-warp alignment nothing measurable, the turn scores two passes
per turn but only for faces searched around the quad (a card face weak or not upright). The
selfie half waits for the portrait's detail before its descriptor, so it ends under the card
half: the pair's latency is the card half's.

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

Scores only (run beside the YuNet one with \`IDKIT_FACE_BENCH_SPEED=0\`: its speed is no target).
The fallback keeps 0.92 (\`kDefaultThresholdFaceApi\`), the step that gives the highest genuine
rate with FAR <= 0.1% on the photo set; it is weaker than YuNet (see the EER). Its small
pairs (compared at the smaller face's detail) are decided at 0.92 + 0.011
(\`kDetailMatchedMarginFaceApi\`; YuNet keeps +0.006, which let 0.155% of the fallback's document
impostors in, every one a small-portrait pair). The margin is the smallest step that brings the
fallback's document FAR under 0.1% (from its saved pair scores, 2026-12-02: +0.007 13 impostors,
+0.010 11, +0.011 10, +0.016 4, for 571 -> 569 genuine of 598). One document (kit_harington
fra-id-scan-s69) gives the fallback no portrait. Left: the fallback's small-portrait band still
accepts about 0.5% of its impostors (YuNet: none), and its genuine rate stays under 98%. Tight crops whose
face fills the image are searched again in a canvas two, then three times their size.
MD
)
. "$root/bench/lib.sh"
write_section face "$body"
echo "$body"
