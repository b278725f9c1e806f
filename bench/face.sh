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
[ -x "$build/bench/bench-face" ] && [ -x "$build/bin/id-synth" ] \
  || { echo "face.sh: build bench-face and id-synth in $build first" >&2; exit 1; }

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

body=$(cat <<MD
## id-face calibration ($(date -u +%Y-%m-%d), $(nproc) cores)

\`bench/face.sh\` (driver \`bench/face.cpp\`): YuNet 2022mar detector, dlib ResNet descriptor
(@vladmandic/face-api 1.7.15, converted to ONNX, OpenCV $(pkg-config --modversion opencv4) dnn), cosine similarity.

$("$build/bench/bench-face" "$faces" "$docs")

Default threshold 0.92 (cosine): on the photo set it accepts every genuine pair
while accepting 0.02% of impostors, the smallest FAR with full TAR; 0.93 drops
genuine pairs, 0.91 lets impostors in 8x as often. Document portraits score lower
(print, photo, JPEG): at 0.92 their impostor rate stays within 0.1%; see the
document table for the genuine rate and id-face(1) for --threshold.
MD
)
. "$root/bench/lib.sh"
write_section face "$body"
echo "$body"
