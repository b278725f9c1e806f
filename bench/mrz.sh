#!/usr/bin/env bash
# MRZ reading benchmark: id-mrz versus Tesseract with the OCR-B MRZ model
# (../shared/models/ocr/mrz.traineddata), measured in the same run, on
#   - the 38 real specimen images of ../shared/data/mrz/images (MANIFEST.tsv),
#   - synthetic flat scans from id-synth (2 per MRZ layout, seed 3),
#   - synthetic photos from id-synth (N per MRZ type, fixed seed), read raw
#     and after id-deskew (the pipeline's way: flat upright 300 dpi cards).
# Usage: bench/mrz.sh [BUILD_DIR] [N]   (default build, 10). Writes the
# "mrz" section of bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-$root/build}
n=${2:-10}
shared=${IDKIT_SHARED:-$root/../shared}
images=$shared/data/mrz/images
model_dir=$shared/models/ocr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH=$build/bin:$PATH

now_ms() { date +%s%3N; }

# Synthetic photos with ground truth.
synth=$work/synth
for t in td1 td2 td3 mrva mrvb; do
  id-synth -q -t "$t" -c photo -n "$n" --seed 7 -o "$synth" >/dev/null
done
scans=$work/scans
for t in td1 td2 td3 mrva mrvb fra-id; do
  id-synth -q -t "$t" -c scan -n 2 --seed 3 -o "$scans" >/dev/null
done
cards=$work/cards
mkdir -p "$cards"
id-deskew -j1 --quiet --out-dir "$cards" "$synth"/*.jpg > "$work/deskew.ndjson" 2>/dev/null || true

# idkit: one process per set, -j1, wall time per image.
run_idkit() {  # dir-or-list out
  local s; s=$(now_ms)
  id-mrz -j1 --quiet "${@:2}" > "$1" 2>/dev/null || true
  echo $(( $(now_ms) - s ))
}
real_list=$(ls "$images"/*.{jpg,png} 2>/dev/null)
synth_list=$(ls "$synth"/*.jpg)
scan_list=$(ls "$scans"/*.jpg)
card_list=$(ls "$cards"/*.png)
id-mrz --quiet "$images/passporteye-passport-td3.png" >/dev/null 2>&1 || true   # train/load the model once
t_real=$(run_idkit "$work/real.ndjson" $real_list)
t_synth=$(run_idkit "$work/synth.ndjson" $synth_list)
t_scan=$(run_idkit "$work/scan.ndjson" $scan_list)
s=$(now_ms)
id-mrz -j1 --quiet < "$work/deskew.ndjson" > "$work/card.ndjson" 2>/dev/null || true
t_card=$(( $(now_ms) - s ))

# Baseline: Tesseract, MRZ model, whole image, uniform block (psm 6) and
# sparse text (psm 11); the best-scoring of the two per image.
run_tess() {  # out files...
  local out=$1; shift
  local s; s=$(now_ms)
  for f in "$@"; do
    for psm in 6 11; do
      printf '%s\t%s\t' "$f" "$psm" >> "$out"
      tesseract "$f" - --tessdata-dir "$model_dir" -l mrz --psm "$psm" 2>/dev/null | tr '\n' '|' >> "$out" || true
      printf '\n' >> "$out"
    done
  done
  echo $(( $(now_ms) - s ))
}
tt_real=$(run_tess "$work/tess-real.tsv" $real_list)
tt_synth=$(run_tess "$work/tess-synth.tsv" $synth_list)
tt_scan=$(run_tess "$work/tess-scan.tsv" $scan_list)
tt_card=$(run_tess "$work/tess-card.tsv" $card_list)

python3 - "$images/MANIFEST.tsv" "$synth" "$work" "$t_real" "$t_synth" "$tt_real" "$tt_synth" \
  "$scans" "$t_scan" "$tt_scan" "$t_card" "$tt_card" > "$work/section.md" <<'PY'
import csv, json, os, re, sys, glob, datetime, platform
manifest, synth, work, t_real, t_synth, tt_real, tt_synth, scans, t_scan, tt_scan, t_card, tt_card = sys.argv[1:13]
truth = {}
with open(manifest, newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        truth[r["file"]] = [r[k] for k in ("mrz_line1", "mrz_line2", "mrz_line3") if r.get(k)]
def lines_in(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "lines" and isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                return v
            got = lines_in(v)
            if got: return got
    return None
def synth_truth(d):
    names = []
    for t in sorted(glob.glob(os.path.join(d, "*.truth.json"))):
        lines = lines_in(json.load(open(t)))
        if lines:
            name = os.path.basename(t)[:-len(".truth.json")] + ".jpg"
            truth[name] = lines; names.append(name)
    return names
synth_names = synth_truth(synth)
scan_names = synth_truth(scans)
def score(pred, names):
    docs = ok = lines = lok = 0
    for name in names:
        want = truth[name]; got = pred.get(name, [])
        docs += 1; lines += len(want)
        same = sum(1 for a, b in zip(want, got) if a == b)
        lok += same; ok += same == len(want)
    return docs, ok, lines, lok
def idkit(path):
    pred = {}
    for l in open(path):
        try: r = json.loads(l)
        except ValueError: continue
        pred[os.path.basename(r.get("input", ""))] = (r.get("mrz") or {}).get("lines", [])
    return pred
def tess(path):
    pred = {}
    for l in open(path):
        parts = l.rstrip("\n").split("\t")
        if len(parts) < 3: continue
        name = os.path.basename(parts[0]).replace(".card.png", ".jpg")
        want = truth.get(name, [])
        cand = [re.sub(r"\s", "", x) for x in parts[2].split("|")]
        cand = [x for x in cand if len(x) >= 28 and re.fullmatch(r"[A-Z0-9<]+", x)]
        best = pred.get(name, [])
        # the lines nearest the bottom, as many as the format has
        got = cand[-len(want):] if want else cand
        if sum(a == b for a, b in zip(want, got)) >= sum(a == b for a, b in zip(want, best)):
            pred[name] = got
    return pred
real_names = [k for k in truth if k.startswith("passporteye-")]
rows = []
for label, names, ik, tk, ti, tt in (("real specimens", real_names, "real.ndjson", "tess-real.tsv", t_real, tt_real),
                                     ("synthetic flat scans", scan_names, "scan.ndjson", "tess-scan.tsv", t_scan, tt_scan),
                                     ("synthetic photos, raw", synth_names, "synth.ndjson", "tess-synth.tsv", t_synth, tt_synth),
                                     ("synthetic photos after id-deskew", synth_names, "card.ndjson", "tess-card.tsv", t_card, tt_card)):
    a = score(idkit(os.path.join(work, ik)), names)
    b = score(tess(os.path.join(work, tk)), names)
    n = max(a[0], 1)
    rows.append(f"| {label} | {a[0]} | idkit id-mrz | {a[1]} ({100*a[1]/n:.0f}%) | {a[3]}/{a[2]} ({100*a[3]/max(a[2],1):.0f}%) | {int(ti)/n:.0f} |")
    rows.append(f"| {label} | {b[0]} | Tesseract + mrz.traineddata (whole image, psm 6/11) | {b[1]} ({100*b[1]/n:.0f}%) | {b[3]}/{b[2]} ({100*b[3]/max(b[2],1):.0f}%) | {int(tt)/n:.0f} |")
print("## MRZ reading (`bench/mrz.sh`)\n")
print(f"{datetime.date.today()}, {platform.node()}, {os.cpu_count()} cores (shared with other jobs), id-mrz -j1.\n")
print("| set | images | reader | documents all lines exact | lines exact | ms / image |")
print("|---|---|---|---|---|---|")
print("\n".join(rows))
print("\nTimes are wall clock for the whole set over its images (id-mrz after id-deskew: id-mrz only). The Tesseract baseline reads the whole image (no band finding) and keeps, per image, whichever of psm 6/11 matches the ground truth better (an optimistic oracle); PassportEye's pipeline with the same model is reported at ~65% real / ~50% synthetic in ../shared/notes/mrz.md.")
PY
cat "$work/section.md"
. "$root/bench/lib.sh"
write_section mrz "$(cat "$work/section.md")"
