#!/usr/bin/env bash
# id-ocr and id-check benchmark on id-synth documents (scans and photos,
# deskewed first): VIZ fields exact after normalisation (scans and photos
# apart); tampered documents rejected with the right reason; genuine ones
# rejected; id-ocr CPU ms per flat card on one core beside a plain
# `tesseract` run on the same cards.
#   bench/ocr.sh [BUILD_DIR] [COUNT] [SYNTH_DIR]   (defaults: build, 300)
# SYNTH_DIR: reuse the id-synth images and synth.ndjson of an earlier run
# (same seed and count); every stage after id-synth is run again.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
count=${2:-300}
bin=$build/bin
export PATH=$bin:$PATH
work=$build/bench-ocr-$count
mkdir -p "$work"
score=$build/bench/bench-ocr_score  # built with the rest (bench/*.cpp)
[ -x "$score" ] || { echo "ocr.sh: build bench-ocr_score in $build first" >&2; exit 1; }
if [ ! -f "$work/.synth" ]; then
  if [ -n "${3:-}" ]; then
    cp "$3/synth.ndjson" "$work/synth.ndjson"
  else
    id-synth -q --capture mixed --count "$count" --seed 31 -o "$work" > "$work/synth.ndjson" || true  # a failed render is skipped
  fi
  touch "$work/.synth"
fi
. bench/lib.sh  # read_documents (the working directory is the repository's root)
read_documents "$work"
# score.txt: per layout and field, scans and photos apart; wrong.txt: every wrong field (input, got, want).
OCR_SCORE_VERBOSE=1 "$score" "$build/share/idkit/templates" < "$work/ocr.ndjson" > "$work/score.txt" 2> "$work/wrong.txt"
jq -c 'select(.input | test("-scan-"))' "$work/ocr.ndjson" | "$score" "$build/share/idkit/templates" | tail -1 > "$work/score-scans.txt"
jq -c 'select(.input | test("-photo-"))' "$work/ocr.ndjson" | "$score" "$build/share/idkit/templates" | tail -1 > "$work/score-photos.txt"

# id-check on genuine fronts: every front not expired by the truth, the face
# taken as matched (id-face is benchmarked on its own). Errored records stay
# in (a document the suite could not read counts as rejected).
while read -r rec; do
  truth=$(jq -r .truth <<<"$rec")
  jq -c --slurpfile tr "$truth" 'select($tr[0].document.expired | not)
    | .face = {"similarity": 0.97, "threshold": 0.92, "match": true}' <<<"$rec"
done < "$work/ocr.ndjson" > "$work/genuine.ndjson"
n=$(wc -l < "$work/genuine.ndjson")
check() { id-check -q --pair "$work/back-codes.ndjson" "$@" || true; }
check --as-of 2025-06-01 < "$work/genuine.ndjson" > "$work/g.out"
genuine_rejected=$(jq -s 'map(select(.check.pass | not)) | length' "$work/g.out")
# The same without documents whose MRZ, as id-mrz read it, fails its check digits or was not found.
mrz_ok=$(jq -s 'map(select([.check.reasons[] | select(.severity == "fail") | .code] | (index("mrz_invalid") or index("not_processed")) | not))' "$work/g.out")
rejected_mrz_ok="$(jq 'map(select(.check.pass | not)) | length' <<<"$mrz_ok")/$(jq length <<<"$mrz_ok")"
jq -r 'select(.check.pass | not) | [.input, ([.check.reasons[] | select(.severity == "fail") | .code] | join(","))] | @tsv' "$work/g.out" > "$work/genuine_rejected.tsv"
right() {  # $1 = file, $2 = expected code
  jq -s --arg c "$2" 'map(select((.check.pass | not) and ([.check.reasons[] | select(.severity == "fail") | .code] | index($c)))) | length' "$1"
}
# Tampered printed date of birth (+1 year) on EVERY genuine front: where it was
# not read from the print, or no other source holds a date of birth, the
# tampering cannot be seen and counts as a miss.
jq -c 'if (.ocr.fields.birth_date.value // "" | test("^[0-9]{4}-"))
       then .ocr.fields.birth_date.value |= sub("^(?<y>[0-9]{4})"; "\((.y | tonumber) + 1)") else .tamper_unread = true end' \
  "$work/genuine.ndjson" > "$work/t_viz.ndjson"
check --as-of 2025-06-01 < "$work/t_viz.ndjson" > "$work/t_viz.out"
jq -r 'select((.check.pass | not) and ([.check.reasons[] | select(.severity == "fail") | .code] | index("birth_date_mismatch")) | not)
       | [.input, (if .tamper_unread then "birth date not read" else ([.check.reasons[] | .code] | join(",")) end)] | @tsv' \
  "$work/t_viz.out" > "$work/t_viz_missed.tsv"
jq -c '.face.match = false | .face.similarity = 0.31' "$work/genuine.ndjson" | check --as-of 2025-06-01 > "$work/t_face.out"
check --as-of 2045-01-01 < "$work/genuine.ndjson" > "$work/t_exp.out"
rv=$(right "$work/t_viz.out" birth_date_mismatch); unread=$(jq -s 'map(select(.tamper_unread)) | length' "$work/t_viz.ndjson")
rf=$(right "$work/t_face.out" face_mismatch); re=$(right "$work/t_exp.out" expired)
# The strict policy (data/policy/strict.json): a printed field that cannot be
# read reliably fails the document instead of warning.
strict=data/policy/strict.json
check --policy "$strict" --as-of 2025-06-01 < "$work/genuine.ndjson" > "$work/g_strict.out"
check --policy "$strict" --as-of 2025-06-01 < "$work/t_viz.ndjson" > "$work/t_viz_strict.out"
g_strict=$(jq -s 'map(select(.check.pass | not)) | length' "$work/g_strict.out")
g_strict_mrz_ok=$(jq -s 'map(select([.check.reasons[] | select(.severity == "fail") | .code] | (index("mrz_invalid") or index("not_processed")) | not)) | "\(map(select(.check.pass | not)) | length)/\(length)"' -r "$work/g_strict.out")
t_strict=$(jq -s 'map(select(.check.pass | not)) | length' "$work/t_viz_strict.out")
t_strict_right=$(right "$work/t_viz_strict.out" birth_date_mismatch)
# Why genuine documents fail: reason codes counted (one document may count under several).
jq -r 'select(.check.pass | not) | [.check.reasons[] | select(.severity == "fail") | .code] | unique | .[]' "$work/g.out" \
  | sort | uniq -c | sort -rn > "$work/genuine_reasons.txt"

# Speed: CPU time of id-ocr's work (template chosen, its regions read) on
# each of up to 40 flat cards with a template, one core, engines started
# before timing, beside a plain Tesseract reading of the same card (eng,
# automatic page segmentation, as `tesseract CARD -`) in the same process,
# card by card in turn (bench-ocr_speed); medians and their ratio.
# (OCR_BENCH_SPEED=0 reuses the figures of the last run, in speed.txt.)
if [ "${OCR_BENCH_SPEED:-1}" != 0 ] || [ ! -s "$work/speed.txt" ]; then
jq -c -n '[inputs | select(.ocr.template != null) | del(.ocr)] | .[:40][]' "$work/ocr.ndjson" > "$work/speed.ndjson"
OMP_THREAD_LIMIT=1 "$build/bench/bench-ocr_speed" "$build/share/idkit/templates" < "$work/speed.ndjson" > "$work/speed.tsv"
tail -1 "$work/speed.tsv" | awk '{print $8; print $2; print $4; print $6}' > "$work/speed.txt"
fi
{ read -r ncards; read -r ocr_cpu; read -r tess_cpu; read -r ratio; } < "$work/speed.txt"
ocr_wall=$(jq -s '[.[] | select(.ocr.template != null) | .timing_ms["id-ocr"]] | sort | .[length/2|floor]' "$work/ocr.ndjson")
cat <<EOT
documents: $count generated, $(wc -l < "$work/fronts.ndjson") fronts, $n genuine (not expired by the truth)
VIZ all:    $(tail -1 "$work/score.txt")
VIZ scans:  $(cat "$work/score-scans.txt")
VIZ photos: $(cat "$work/score-photos.txt")
genuine rejected: $genuine_rejected/$n (without mrz_invalid / not_processed ones: $rejected_mrz_ok)
tampered VIZ birth date (+1 year) rejected with birth_date_mismatch: $rv/$n ($unread with no printed birth date read)
swapped portrait rejected with face_mismatch: $rf/$n
expired (as of 2045-01-01) rejected with expired: $re/$n
strict policy: genuine rejected $g_strict/$n (without mrz_invalid / not_processed ones: $g_strict_mrz_ok); tampered birth date rejected $t_strict/$n ($t_strict_right with birth_date_mismatch)
genuine rejection reasons (default policy): $(awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}' "$work/genuine_reasons.txt")
id-ocr CPU ms per flat card (template, one core, median of $ncards cards, engines started before timing): $ocr_cpu
plain Tesseract (eng, automatic segmentation) on the same cards in the same run, median CPU ms: $tess_cpu (id-ocr / tesseract: $ratio)
id-ocr median wall ms per card in the bench run (record timing): $ocr_wall
load average: $(cut -d' ' -f1-3 /proc/loadavg)
EOT
