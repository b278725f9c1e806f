#!/usr/bin/env bash
# id-mrz on the real specimen images of ../shared/data/mrz/images as the tool
# reads them by default (a photo's document found and flattened first): no
# zone is valid with lines other than the MANIFEST's true ones, and at least
# as many are read exactly as bench/README.md measured (34/38, session 22).
source "$(dirname "$0")/common.bash"
need id-mrz
shared=${IDKIT_SHARED:-$src/../shared}
dir=$shared/data/mrz/images
[ -f "$dir/MANIFEST.tsv" ] || { echo "SKIPPED: $dir absent (../shared not beside the checkout)" >&2; exit 77; }
cd "$t"
id-mrz -q -j 2 --as-of 2025-06-01 "$dir"/*.jpg "$dir"/*.png > real.ndjson
check 'python3 - "$dir/MANIFEST.tsv" <<PY
import csv, json, os, sys
truth = {r["file"]: [r[k] for k in ("mrz_line1", "mrz_line2", "mrz_line3") if r.get(k)]
         for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
docs = exact = 0
for line in open("real.ndjson"):
    r = json.loads(line)
    name = os.path.basename(r["input"])
    if name not in truth:
        continue
    docs += 1
    m = r.get("mrz") or {}
    right = m.get("lines") == truth[name]
    exact += right
    assert right or not m.get("valid"), ("valid with wrong lines", name, m.get("lines"))
    if not right and m.get("uncertain"):
        print("not valid, uncertain cells:", name, m["uncertain"])
print(f"{exact}/{docs} read exactly")
assert docs == 38 and exact >= 37, (docs, exact)  # issue 5: 95 % of the real specimens
PY'
exit $fail
