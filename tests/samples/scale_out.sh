#!/usr/bin/env bash
# The GNU parallel recipe of docs/scale-out.md gives the same records, in the
# same order, as a single process.
set -uo pipefail
command -v parallel >/dev/null || { echo "SKIPPED: GNU parallel not installed (scripts/setup installs it)" >&2; exit 77; }
src=${IDKIT_SOURCE_DIR:?}
shopt -s nullglob
files=("$src"/samples/*.jpg)
[ ${#files[@]} -gt 0 ] || { echo "SKIPPED: no samples yet" >&2; exit 77; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
strip='del(.timing_ms)'
id-scan -q -j 1 "${files[@]}" > "$t/single.ndjson"
id-scan -q -j 1 "${files[@]}" | parallel --pipe -k -N 3 'id-scan -q -j 1' > "$t/split.ndjson"
python3 - "$t/single.ndjson" "$t/split.ndjson" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
for r in a + b:
    r.pop("timing_ms", None)
assert len(a) == len(b) > 0, (len(a), len(b))
assert a == b, "split run differs from single run"
PY
