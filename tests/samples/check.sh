#!/usr/bin/env bash
# id-check on id-synth passports read by the real pipeline (id-deskew, id-mrz,
# id-ocr): genuine documents pass; tampered ones (printed date of birth
# changed, swapped portrait, expired, not processed) fail with the right code.
set -uo pipefail
for tool in id-synth id-deskew id-ocr id-check jq; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not built" >&2; exit 77; }
done
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1" >&2; fail=1; fi; }

# Seed 17: three adult holders whose passports the pipeline reads cleanly today (re-picked when
# id-synth's rendering changes), so that this test
# is about id-check's verdicts; reading accuracy is measured in bench/ (ocr, mrz).
id-synth -q -t td3 -c scan -n 3 --seed 17 --quality 90 -o "$t" > "$t/synth.ndjson"
id-deskew -q --out-dir "$t" < "$t/synth.ndjson" > "$t/flat.ndjson"
if command -v id-mrz >/dev/null; then
  id-mrz -q --as-of 2025-06-01 < "$t/flat.ndjson" > "$t/mrz.ndjson"
else  # the MRZ section as id-mrz gives it, from the ground truth
  while read -r rec; do
    truth=$(jq -r .truth <<<"$rec")
    jq -c --slurpfile tr "$truth" '.mrz = ($tr[0].mrz | {format, lines, fields, checks, valid})' <<<"$rec"
  done < "$t/flat.ndjson" > "$t/mrz.ndjson"
fi
id-ocr -q < "$t/mrz.ndjson" > "$t/ocr.ndjson"
# A selfie of the holder, as id-face reports it.
jq -c '.face = {"similarity": 0.97, "threshold": 0.92, "match": true}' "$t/ocr.ndjson" > "$t/genuine.ndjson"

id-check -q --as-of 2025-06-01 < "$t/genuine.ndjson" > "$t/g.out"; status=$?
check '[ $status -eq 0 ]'
check '[ "$(jq -s "map(select(.check.pass)) | length" "$t/g.out")" -eq 3 ]'
check '[ "$(jq -s "map(.check.as_of) | unique | .[0]" "$t/g.out")" = "\"2025-06-01\"" ]'

# The printed date of birth one year later than the MRZ's.
jq -c '.ocr.fields.birth_date.value |= sub("^(?<y>[0-9]{4})"; "\((.y | tonumber) + 1)")' "$t/genuine.ndjson" \
  | id-check -q --as-of 2025-06-01 > "$t/viz.out"; status=$?
check '[ $status -eq 1 ]'
check '[ "$(jq -s "map(select(.status == \"rejected\" and ([.check.reasons[].code] | index(\"birth_date_mismatch\")))) | length" "$t/viz.out")" -eq 3 ]'

# Forged prints, drawn and read like the genuine ones (the same three passports, their MRZ
# untouched): the printed date of birth one year later; one printed surname letter changed.
command -v id-mrz >/dev/null && for forged in birth_date:birth_date_mismatch surname:name_mismatch; do
  field=${forged%%:*} code=${forged#*:}
  mkdir -p "$t/$field"
  id-synth -q -t td3 -c scan -n 3 --seed 17 --quality 90 --tamper "$field" -o "$t/$field" > "$t/$field/synth.ndjson"
  id-deskew -q --out-dir "$t/$field" < "$t/$field/synth.ndjson" | id-mrz -q --as-of 2025-06-01 | id-ocr -q \
    | jq -c '.face = {"similarity": 0.97, "threshold": 0.92, "match": true}' \
    | id-check -q --as-of 2025-06-01 > "$t/$field/check.out"; status=$?
  check '[ $status -eq 1 ]'
  check '[ "$(jq -s "map(select(.status == \"rejected\" and ([.check.reasons[].code] | index(\"$code\")))) | length" "$t/$field/check.out")" -eq 3 ]'
done

# A licence's back (its PDF417 read by id-barcode): id-ocr names the side and lays no front layout
# over it; id-check says nothing of a print there (a front id-ocr read nothing of is viz_unreadable).
samples=$(cd "$(dirname "$0")/../../samples" && pwd)
if command -v id-barcode >/dev/null; then
  id-barcode -q "$samples/dl-scan-s101-0000-back.jpg" | id-ocr -q > "$t/back.ndjson"
  check '[ "$(jq -cS .ocr "$t/back.ndjson")" = "{\"fields\":{},\"side\":\"back\",\"template\":null}" ]'
  id-check -q --as-of 2025-06-01 < "$t/back.ndjson" > "$t/back.out"
  check '[ "$(jq "[.check.reasons[].code] | index(\"viz_unreadable\")" "$t/back.out")" = null ]'
fi

# A selfie of someone else.
jq -c '.face.match = false | .face.similarity = 0.31' "$t/genuine.ndjson" \
  | id-check -q --as-of 2025-06-01 > "$t/face.out"; status=$?
check '[ $status -eq 1 ]'
check '[ "$(jq -s "map(select([.check.reasons[] | select(.severity == \"fail\") | .code] == [\"face_mismatch\"])) | length" "$t/face.out")" -eq 3 ]'

# Every specimen has expired by 2045.
id-check -q --as-of 2045-01-01 < "$t/genuine.ndjson" > "$t/exp.out"; status=$?
check '[ $status -eq 1 ]'
check '[ "$(jq -s "map(select([.check.reasons[] | select(.severity == \"fail\") | .code] == [\"expired\"])) | length" "$t/exp.out")" -eq 3 ]'

# An earlier tool failed: still checked, fails with not_processed, exit 2. (id-mrz's
# mrz_not_found alone is no failure when something else was read: a licence has no MRZ.)
jq -c '.status = "error" | .errors = [{"tool": "id-ocr", "code": "timeout", "message": "x"}]' "$t/genuine.ndjson" \
  | id-check -q --as-of 2025-06-01 > "$t/err.out"; status=$?
check '[ $status -eq 2 ]'
check '[ "$(jq -s "map(select(.check.reasons[0].code == \"not_processed\")) | length" "$t/err.out")" -eq 3 ]'

# Claims carry no personal field.
id-check -q --as-of 2025-06-01 --min-age 18 --claims < "$t/genuine.ndjson" > "$t/claims.out"
surname=$(jq -r 'select(.mrz) | .mrz.fields.surname' "$t/genuine.ndjson" | head -1)
check '! grep -q "$surname" "$t/claims.out"'
check '! grep -q "\.jpg\|\.png" "$t/claims.out"'
check '[ "$(jq -s "map(select(.claims.age_over_18 == true and .claims.pass == true)) | length" "$t/claims.out")" -eq 3 ]'

# A policy that only warns on expiry lets expired documents pass.
echo '{"warn": ["expired", "face_not_compared", "poor_quality", "expiry_unknown", "issue_date_mismatch", "viz_unreadable"]}' > "$t/p.json"
id-check -q --as-of 2045-01-01 --policy "$t/p.json" < "$t/genuine.ndjson" > /dev/null
check '[ $? -eq 0 ]'
echo '{"required": ["no_such_code"]}' > "$t/bad.json"
id-check -q --policy "$t/bad.json" < "$t/genuine.ndjson" > /dev/null 2>&1
check '[ $? -eq 64 ]'
exit $fail
