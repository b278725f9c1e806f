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
file=$root/bench/README.md
[ -f "$file" ] || printf '# idkit benchmarks\n' > "$file"
python3 - "$file" "$body" <<'PY'
import re, sys
path, body = sys.argv[1:3]
text = open(path).read()
start, end = "<!-- bench:barcode -->", "<!-- /bench:barcode -->"
block = f"{start}\n{body.rstrip()}\n{end}"
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$body"
