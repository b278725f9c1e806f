#!/usr/bin/env bash
# bench/barcode.sh [BUILD_DIR] [REPS]: runs bench-barcode (idkit::barcode::read
# vs one ZXing ReadBarcodes call on a flat card and on 12 MP photos) and
# bench-barcode_dl (AAMVA fields read from id-synth photos of driving-licence
# backs, by capture condition) on three renderings of the same licences: the
# random photo-size mix (0.5-12 MP) and the sizes a barcode-scanning app
# captures (1920x1080 video frames, 4000x3000 stills); writes its section of
# bench/README.md.
#   BARCODE_DL_COUNT=240 (licences, one back photo each), BARCODE_DL_SEED=7
#   BARCODE_DL_SIZES="random 1920x1080 4000x3000"
#   BARCODE_RESULTS=DIR: take the figures from DIR/speed (bench-barcode's
#   output) and DIR/<size> (bench-barcode_dl's last line) where present instead
#   of running the drivers again (to rewrite the section from a finished run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
load=$(cut -d' ' -f1 /proc/loadavg)
results=${BARCODE_RESULTS:-}
if [ -n "$results" ] && [ -f "$results/speed" ]; then
  speed=$(cat "$results/speed")
else
  speed=$("$build/bench/bench-barcode" "${2:-15}") || true
fi

count=${BARCODE_DL_COUNT:-240}
seed=${BARCODE_DL_SEED:-7}
sizes=${BARCODE_DL_SIZES:-random 1920x1080 4000x3000}
# The sets are generated and read in parallel (one thread each; figures are
# per-thread CPU time, so this only shortens the wall time).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in $sizes; do (
  set -e
  if [ -n "$results" ] && [ -f "$results/$size" ]; then cp "$results/$size" "$tmp/$size"; exit 0; fi
  photos=$build/bench-barcode-dl-$seed-$count
  flag=()
  if [ "$size" != random ]; then
    photos+=-$size
    flag=(--photo-size "$size")
  fi
  if [ ! -f "$photos/.done" ]; then
    mkdir -p "$photos"
    "$build/bin/id-synth" --type dl --capture photo --count "$count" --seed "$seed" "${flag[@]}" \
      --out-dir "$photos" -q >/dev/null
    touch "$photos/.done"
  fi
  mapfile -t backs < <(ls "$photos"/*-back.jpg)
  "$build/bench/bench-barcode_dl" "${backs[@]}" | tail -1 >"$tmp/$size"
) & done
wait
summaries=()
for size in $sizes; do summaries+=("$size=$(cat "$tmp/$size")"); done

dl=$(python3 - "$count" "$seed" "${summaries[@]}" <<'PY'
import json, sys
count, seed = sys.argv[1], sys.argv[2]
sets = {}
for arg in sys.argv[3:]:
    name, _, js = arg.partition("=")
    sets[name] = json.loads(js)
pct = lambda r, n: f"{100 * r / n:.1f}%" if n else "-"
flag = lambda name: "" if name == "random" else f" --photo-size {name}"
out = ["### Driving-licence back photos (id-synth): PDF417 decoded with the right AAMVA fields", "",
       f"`id-synth --type dl --capture photo --count {count} --seed {seed} [--photo-size WxH]`: the same "
       f"{count} licences, their back photos through `idkit::barcode::read` (bench-barcode_dl, one thread). "
       "Right = surname, given names, birth and expiry dates, sex and document number all equal the truth. "
       "Target >= 98%.", "",
       "| photos | n | decoded | right | share | median CPU ms |", "|---|---|---|---|---|---|"]
for name, s in sets.items():
    label = "random size mix (0.5-12 MP)" if name == "random" else name
    out.append(f"| {label}{' `' + flag(name).strip() + '`' if flag(name) else ''} | {s['n']} | {s['decoded']} | "
               f"**{s['right']}** | **{pct(s['right'], s['n'])}** | {s['median_cpu_ms']:.0f} |")
out += ["", "By capture condition (right / n per set; module = code width in the photo per module):", "",
        "| condition | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
keys = sorted({k for s in sets.values() for k in s["by"]})
for k in keys:
    cells = []
    for s in sets.values():
        v = s["by"].get(k)
        cells.append(f"{v['right']}/{v['n']} ({pct(v['right'], v['n'])})" if v else "-")
    out.append(f"| {k} | " + " | ".join(cells) + " |")
print("\n".join(out))
PY
)
body="$speed

$dl

${BARCODE_DL_NOTES:-}

Machine: $(nproc) cores, $(uname -m), load average $load at the start (shared with other builds); $(date -u +%Y-%m-%d)."
. "$root/bench/lib.sh"
write_section barcode "$body"
echo "$body"
