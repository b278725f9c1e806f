#!/usr/bin/env bash
# bench/barcode.sh [BUILD_DIR] [REPS]: runs bench-barcode (idkit::barcode::read
# vs one ZXing ReadBarcodes call on a flat card and on 12 MP photos) and
# bench-barcode_dl (AAMVA fields read from id-synth photos of driving-licence
# backs, by capture condition), and writes its section of bench/README.md.
#   BARCODE_DL_COUNT=240 (licences, one back photo each), BARCODE_DL_SEED=7
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
load=$(cut -d' ' -f1 /proc/loadavg)
speed=$("$build/bench/bench-barcode" "${2:-15}") || true

count=${BARCODE_DL_COUNT:-240}
seed=${BARCODE_DL_SEED:-7}
photos=$build/bench-barcode-dl-$seed-$count
if [ ! -f "$photos/.done" ]; then
  mkdir -p "$photos"
  "$build/bin/id-synth" --type dl --capture photo --count "$count" --seed "$seed" --out-dir "$photos" -q >/dev/null
  touch "$photos/.done"
fi
mapfile -t backs < <(ls "$photos"/*-back.jpg)
summary=$("$build/bench/bench-barcode_dl" "${backs[@]}" | tail -1)

dl=$(python3 - "$summary" "$count" "$seed" <<'PY'
import json, sys
s, count, seed = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
pct = lambda r, n: f"{100 * r / n:.1f}%" if n else "-"
out = ["### Driving-licence back photos (id-synth): PDF417 decoded with the right AAMVA fields", "",
       f"`id-synth --type dl --capture photo --count {count} --seed {seed}`, the {s['n']} back photos through "
       "`idkit::barcode::read` (bench-barcode_dl, one thread). Right = surname, given names, birth and expiry "
       "dates, sex and document number all equal the truth.", "",
       f"**All: {s['right']}/{s['n']} right ({pct(s['right'], s['n'])}), {s['decoded']} decoded; "
       f"median {s['median_cpu_ms']:.0f} ms CPU per photo. Target >= 98%.**", "",
       "| condition | n | right | share | median ms |", "|---|---|---|---|---|"]
for k, v in s["by"].items():
    out.append(f"| {k} | {v['n']} | {v['right']} | {pct(v['right'], v['n'])} | {v['median_cpu_ms']:.0f} |")
print("\n".join(out))
PY
)
body="$speed

$dl

Machine: $(nproc) cores, $(uname -m), load average $load at the start (shared with other builds); $(date -u +%Y-%m-%d)."
. "$root/bench/lib.sh"
write_section barcode "$body"
echo "$body"
