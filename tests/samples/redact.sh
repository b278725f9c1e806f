#!/usr/bin/env bash
# id-redact on samples/ read by id-deskew and id-mrz: after covering the MRZ,
# id-mrz no longer finds one, on the flat card and on the input photo; no copy
# is written when the record does not say where a requested region is; files
# are never overwritten.
source "$(dirname "$0")/common.bash"
need id-deskew id-mrz id-redact jq
mkdir "$t/work" "$t/out" "$t/out2"

id-deskew -q --out-dir "$t/work" "$src"/samples/td3-photo-*.jpg "$src"/samples/td1-scan-*.jpg \
  | id-mrz -q --as-of 2026-01-01 > "$t/read.ndjson"
jq -c 'select(.mrz.valid == true)' "$t/read.ndjson" > "$t/valid.ndjson"
n=$(wc -l < "$t/valid.ndjson")
check '[ $n -ge 2 ]'

id-redact -q --out-dir "$t/out" --regions mrz < "$t/valid.ndjson" > "$t/red.ndjson"; check '[ $? -eq 0 ]'
check '[ $(ls "$t/out" | wc -l) -eq $n ]'
check '[ "$(jq -r ".redact.regions[0].kind" "$t/red.ndjson" | sort -u)" = mrz ]'
jq -r .redact.image "$t/red.ndjson" > "$t/red.list"
id-mrz -q --as-of 2026-01-01 --files-from "$t/red.list" > "$t/reread.ndjson"; check '[ $? -eq 2 ]'
check '[ "$(jq -r ".errors[-1].code" "$t/reread.ndjson" | sort -u)" = mrz_not_found ]'

# the same regions on the input photos
id-redact -q --out-dir "$t/out2" --regions mrz --target input --style mosaic < "$t/valid.ndjson" > "$t/redin.ndjson"
check '[ $? -eq 0 ]'
jq -r .redact.image "$t/redin.ndjson" > "$t/redin.list"
id-mrz -q --as-of 2026-01-01 --files-from "$t/redin.list" > "$t/rereadin.ndjson"
check '[ "$(jq -r ".errors[-1].code" "$t/rereadin.ndjson" | sort -u)" = mrz_not_found ]'
# ... while id-mrz finds the MRZ on every input photo as it was
id-mrz -q --as-of 2026-01-01 $(jq -r .input "$t/valid.ndjson") > "$t/orig.ndjson"
check '[ "$(jq -r ".mrz.lines | length" "$t/orig.ndjson" | sort -u | tr "\n" " ")" != "0 " ]'
check '! grep -q mrz_not_found "$t/orig.ndjson"'

# never overwritten: a second run writes new names
id-redact -q --out-dir "$t/out" --regions mrz < "$t/valid.ndjson" > /dev/null
check '[ $(ls "$t/out" | wc -l) -eq $((2 * n)) ]'

# portrait requested but id-face never ran: error record, exit 2, no copy
id-redact -q --out-dir "$t/out2" --regions mrz,portrait < "$t/valid.ndjson" > "$t/unk.ndjson"; check '[ $? -eq 2 ]'
check '[ "$(jq -r ".errors[-1].code" "$t/unk.ndjson" | sort -u)" = region_unknown ]'
check '[ $(ls "$t/out2" | wc -l) -eq $n ]'
exit $fail
