#!/usr/bin/env bash
# Black-box: id-barcode on ZXing's PDF417 samples (text equals the expected
# file), on records from stdin, and on an image without a code (empty array).
set -euo pipefail
src=${IDKIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${IDKIT_SHARED:-$src/../shared}
dir=$shared/data/barcodes/pdf417-2
[ -d "$dir" ] || { echo "skip: $dir absent"; exit 77; }
command -v id-barcode >/dev/null || { echo "skip: id-barcode not built"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

mapfile -t imgs < <(ls "$dir"/*.png | head -5)
id-barcode -q "${imgs[@]}" > "$tmp/out.ndjson"
python3 - "$tmp/out.ndjson" "${imgs[@]}" <<'PY'
import json, sys, pathlib
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == len(sys.argv) - 2, "one record per input"
for rec, img in zip(recs, sys.argv[2:]):
    want = pathlib.Path(img).with_suffix(".txt").read_bytes().decode()
    got = [b for b in rec["barcodes"] if b["format"] == "PDF417"]
    assert got and got[0]["text"] == want, (img, rec["barcodes"])
    assert len(got[0]["position"]) == 4
print(f"ok: {len(recs)} PDF417 samples")
PY

# Records in, records out; a blank image gives an empty array and exit 0.
python3 -c "
import zlib, struct
def png(w, h):
    raw = b''.join(b'\x00' + b'\xc8' * w for _ in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open('$tmp/blank.png', 'wb').write(png(320, 200))
"
printf '{"input":"%s","ref":"case-1"}\n' "$tmp/blank.png" | id-barcode -q > "$tmp/blank.ndjson"
python3 -c "
import json; r = json.loads(open('$tmp/blank.ndjson').read())
assert r['barcodes'] == [] and r['ref'] == 'case-1' and r.get('status', 'ok') == 'ok', r
print('ok: blank image, empty barcodes, ref kept')
"
