#!/usr/bin/env bash
# Bad input gives one error record per input, in order, exit 2; the batch goes on.
set -uo pipefail
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cd "$t"
python3 - <<'PY'
import struct, zlib
sig = b'\x89PNG\r\n\x1a\n'
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open('bomb.png', 'wb').write(sig + chunk(b'IHDR', struct.pack('>IIBBBBB', 40000, 40000, 8, 2, 0, 0, 0))
                             + chunk(b'IDAT', zlib.compress(b'\0' * 10000)) + chunk(b'IEND', b''))
import random
random.seed(3)
# a small valid-looking PNG made by hand (grey gradient) to have a good file
w, h = 640, 400
raw = b''.join(b'\0' + bytes((x * 255 // w) for x in range(w)) for y in range(h))
open('good.png', 'wb').write(sig + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                             + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY
: > empty.jpg
echo "not an image" > text.jpg
head -c 300 good.png > trunc.png
mkdir adir.jpg
mkfifo fifo.jpg
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1" >&2; fail=1; fi; }

id-scan -q good.png empty.jpg trunc.png text.jpg bomb.png missing.jpg adir.jpg fifo.jpg good.png > out.ndjson
status=$?
check '[ $status -eq 2 ]'
check '[ $(wc -l < out.ndjson) -eq 9 ]'
codes=$(python3 -c '
import json,sys
for l in open("out.ndjson"):
    r=json.loads(l); print(r["input"], r["status"], (r.get("errors") or [{}])[-1].get("code","-"))')
expected="good.png ok -
empty.jpg error empty_file
trunc.png error truncated
text.jpg error unsupported_format
bomb.png error too_many_pixels
missing.jpg error not_found
adir.jpg error is_directory
fifo.jpg error not_regular_file
good.png ok -"
check '[ "$codes" = "$expected" ]'
[ "$codes" = "$expected" ] || diff <(echo "$expected") <(echo "$codes") >&2

# records on stdin: broken JSON and a record without input become error records
# and a line nested 200000 deep (a tool that copied it recursively overflowed its stack)
printf '%s\n' '{"input":"good.png","ref":"case-1"}' '{broken' '{"ref":"no-input"}' > in.ndjson
python3 -c 'print("{\"input\":\"good.png\",\"x\":" + "[" * 200000 + "]" * 200000 + "}")' >> in.ndjson
id-scan -q < in.ndjson > out2.ndjson
status=$?
check '[ $status -eq 2 ]'
check '[ $(wc -l < out2.ndjson) -eq 4 ]'
check 'python3 -c "
import json
r=[json.loads(l) for l in open(\"out2.ndjson\")]
assert r[0][\"ref\"]==\"case-1\" and r[0][\"status\"]==\"ok\" and r[0][\"quality\"][\"width\"]==640
assert r[1][\"errors\"][0][\"code\"]==\"bad_record\"
assert r[2][\"errors\"][0][\"code\"]==\"missing_input\" and r[2][\"ref\"]==\"no-input\"
assert r[3][\"errors\"][0][\"code\"]==\"bad_record\" and \"deeper than 100\" in r[3][\"errors\"][0][\"message\"]
"'

# paths on stdin, NUL-separated, and --files-from; order kept with -j 2
printf 'good.png\0missing.jpg\0good.png\0' | id-scan -q -0 -j 2 - > out3.ndjson
check '[ "$(python3 -c "import json;print(\" \".join(json.loads(l)[\"status\"] for l in open(\"out3.ndjson\")))")" = "ok error ok" ]'
printf 'good.png\ntext.jpg\n' > list.txt
id-scan -q --files-from list.txt > out4.ndjson
check '[ $(wc -l < out4.ndjson) -eq 2 ]'

# usage errors exit 64; --help and --version exit 0
id-scan --no-such-flag >/dev/null 2>&1; check '[ $? -eq 64 ]'
id-scan --help >/dev/null; check '[ $? -eq 0 ]'
id-scan --version | grep -q idkit; check '[ $? -eq 0 ]'
# nothing but records on stdout
check '! grep -qv "^{" out.ndjson'
exit $fail
