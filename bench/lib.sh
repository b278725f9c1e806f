# Shared by the bench drivers: source it, then call
#   read_documents DIR
# to read id-synth's documents in DIR (synth.ndjson and the images) through
# the pipeline, and
#   write_section NAME BODY
# to put a run's figures into bench/README.md. Each area's part lies between
# <!-- bench:NAME --> markers and holds the sessions' notes as well; the run
# goes into its own block, <!-- bench:NAME-latest -->, at the top of that part
# (replaced by the next run, the notes around it left intact). A part not yet
# in the file is appended. BODY's own "## " heading becomes "### Latest run: ...".
write_section() {
  local name=$1 body=$2
  local file
  file="${BENCH_README:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/README.md}"
  python3 - "$file" "$name" "$body" <<'PY'
import os, re, sys
path, name, body = sys.argv[1:4]
text = open(path).read() if os.path.exists(path) else "# idkit benchmarks\n"
start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
istart, iend = f"<!-- bench:{name}-latest -->", f"<!-- /bench:{name}-latest -->"
lines = body.strip("\n").split("\n")
heading = lines[0][3:] if lines and lines[0].startswith("## ") else None
if heading is not None:
    lines[0] = "### Latest run: " + heading
inner = f"{istart}\n" + "\n".join(lines).rstrip() + f"\n{iend}"
if istart in text:
    text = re.sub(re.escape(istart) + ".*?" + re.escape(iend), lambda m: inner, text, flags=re.S)
elif start in text:
    # After the part's own heading when it has one, else right after the marker.
    at = text.index(start) + len(start)
    m = re.match(r"\n## [^\n]*\n", text[at:])
    if m:
        at += m.end()
    text = text[:at] + "\n" + inner + "\n" + text[at:]
else:
    part = (f"## {heading}\n\n" if heading else "") + inner
    text = text.rstrip() + f"\n\n{start}\n{part}\n{end}\n"
open(path, "w").write(text)
PY
}

# id-synth's documents in DIR through id-deskew, id-barcode, id-mrz and id-ocr
# (fronts.ndjson, backs.ndjson, flat, codes, back-codes, mrz, ocr .ndjson in
# DIR). A stage whose file is there already is reused (delete it to redo one).
read_documents() {
  local d=$1
  jq -c 'select(.synth.side != "back")' "$d/synth.ndjson" > "$d/fronts.ndjson"
  jq -c 'select(.synth.side == "back")' "$d/synth.ndjson" > "$d/backs.ndjson"
  [ -s "$d/flat.ndjson" ] || id-deskew -q --out-dir "$d" < "$d/fronts.ndjson" > "$d/flat.ndjson" || true
  # Barcodes on the flat fronts (the QR card's payload) and on the licence
  # backs (PDF417, paired by id-ocr and id-check --pair).
  [ -s "$d/codes.ndjson" ] || id-barcode -q < "$d/flat.ndjson" > "$d/codes.ndjson" || true
  [ -s "$d/back-codes.ndjson" ] || id-barcode -q < "$d/backs.ndjson" > "$d/back-codes.ndjson" || true
  [ -s "$d/mrz.ndjson" ] || id-mrz -q --as-of 2025-06-01 < "$d/codes.ndjson" > "$d/mrz.ndjson" || true
  [ -s "$d/ocr.ndjson" ] || id-ocr -q -j 1 --pair "$d/back-codes.ndjson" < "$d/mrz.ndjson" > "$d/ocr.ndjson" || true
}
