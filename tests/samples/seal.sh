#!/usr/bin/env bash
# id-seal on records id-mrz made from samples/: keys, pseudonyms, the audit log
# and sealed records round-trip exactly; tampering and wrong keys are caught
# without losing a record.
source "$(dirname "$0")/common.bash"
need id-seal id-mrz jq

id-seal -q keygen --out "$t/office" > "$t/keygen.json"; check '[ $? -eq 0 ]'
check '[ "$(stat -c %a "$t/office.secret.json")" = 600 ]'
id=$(jq -r .id "$t/keygen.json")
check '[ ${#id} -eq 16 ]'
sum=$(sha256sum "$t/office.secret.json")
id-seal -q keygen --out "$t/office" > /dev/null; check '[ $? -eq 2 ]'
check '[ "$(sha256sum "$t/office.secret.json")" = "$sum" ]'   # never overwritten
id-seal -q keygen --out "$t/other" > /dev/null

id-mrz -q --as-of 2026-01-01 "$src"/samples/td3-scan-*.jpg "$src"/samples/td1-scan-*.jpg > "$t/records.ndjson"
n=$(wc -l < "$t/records.ndjson")
check '[ $n -ge 2 ]'
id-seal -q pseudonym --key "$t/office.secret.json" "$t/records.ndjson" > "$t/pseudo.ndjson"
check '[ $(jq -r ".pseudonym.document | length" "$t/pseudo.ndjson" | sort -u) = 32 ]'
check '[ "$(jq -r .pseudonym.key "$t/pseudo.ndjson" | sort -u)" = "$id" ]'
# the same documents give the same pseudonyms again; another key gives others
check 'cmp -s "$t/pseudo.ndjson" <(id-seal -q pseudonym --key "$t/office.secret.json" < "$t/records.ndjson")'
other=$(id-seal -q pseudonym --key "$t/other.secret.json" < "$t/records.ndjson" | jq -r .pseudonym.document | head -1)
check '[ "$other" != "$(jq -r .pseudonym.document "$t/pseudo.ndjson" | head -1)" ]'

# log passes records through byte for byte; seal keeps only status and pseudonym in clear
id-seal -q log --key "$t/office.secret.json" --log "$t/audit.ndjson" --at 2026-01-01T00:00:00Z \
  < "$t/pseudo.ndjson" > "$t/logged.ndjson"
check 'cmp -s "$t/pseudo.ndjson" "$t/logged.ndjson"'
check '[ $(wc -l < "$t/audit.ndjson") -eq $n ]'
check '[ "$(stat -c %a "$t/audit.ndjson")" = 600 ]'
id-seal -q seal --to "$t/office.public.json" < "$t/logged.ndjson" > "$t/sealed.ndjson"
check '[ $(wc -l < "$t/sealed.ndjson") -eq $n ]'
check '[ "$(jq -c "keys" "$t/sealed.ndjson" | sort -u)" = "[\"idkit\",\"pseudonym\",\"sealed\",\"status\"]" ]'
surname=$(jq -r .mrz.fields.surname "$t/records.ndjson" | head -1)
check '! grep -q "$surname" "$t/sealed.ndjson" "$t/audit.ndjson"'
check '! grep -q samples/ "$t/sealed.ndjson" "$t/audit.ndjson"'

# open gives the records back exactly (as jq normalises both)
id-seal -q open --key "$t/office.secret.json" "$t/sealed.ndjson" > "$t/opened.ndjson"; check '[ $? -eq 0 ]'
check 'cmp -s <(jq -cS . "$t/opened.ndjson") <(jq -cS . "$t/pseudo.ndjson")'

# the wrong key, an altered record and a broken line: error records, exit 2, nothing lost
id-seal -q open --key "$t/other.secret.json" "$t/sealed.ndjson" > "$t/wrong.ndjson"; check '[ $? -eq 2 ]'
check '[ "$(jq -r ".errors[-1].code" "$t/wrong.ndjson" | sort -u)" = wrong_key ]'
check '[ "$(jq -c "del(.errors, .status)" "$t/wrong.ndjson" | head -1)" = "$(jq -c "del(.status)" "$t/sealed.ndjson" | head -1)" ]'
{ head -1 "$t/sealed.ndjson" | jq -c '.sealed.data |= (.[0:10] + (if .[10:11] == "A" then "B" else "A" end) + .[11:])'
  echo '{broken'; tail -n +2 "$t/sealed.ndjson"; } > "$t/tampered.ndjson"
id-seal -q open --key "$t/office.secret.json" < "$t/tampered.ndjson" > "$t/t.out"; check '[ $? -eq 2 ]'
check '[ $(wc -l < "$t/t.out") -eq $((n + 1)) ]'
check '[ "$(jq -r ".errors[-1].code // \"-\"" "$t/t.out" | head -2 | tr "\n" " ")" = "unseal_failed bad_record " ]'

# the log verifies; a changed entry, a removed entry, another signer do not
id-seal -q verify --key "$t/office.public.json" "$t/audit.ndjson" > "$t/v.json"; check '[ $? -eq 0 ]'
check '[ "$(jq -c "[.valid, .entries]" "$t/v.json")" = "[true,$n]" ]'
# appending continues the chain
id-seal -q log --key "$t/office.secret.json" --log "$t/audit.ndjson" < "$t/pseudo.ndjson" > /dev/null
check '[ "$(id-seal -q verify --key "$t/office.public.json" "$t/audit.ndjson" | jq -c "[.valid, .entries]")" = "[true,$((2 * n))]" ]'
sed '2s/"status":"ok"/"status":"rejected"/' "$t/audit.ndjson" > "$t/altered.ndjson"
id-seal -q verify --key "$t/office.public.json" "$t/altered.ndjson" > "$t/va.json"; check '[ $? -eq 1 ]'
check '[ "$(jq -c "[.valid, .first_bad_line]" "$t/va.json")" = "[false,2]" ]'
sed '2d' "$t/audit.ndjson" > "$t/cut.ndjson"
check '[ "$(id-seal -q verify --key "$t/office.public.json" "$t/cut.ndjson" | jq -c .valid)" = false ]'
check '[ "$(id-seal -q verify --key "$t/other.public.json" "$t/audit.ndjson" | jq -c .valid)" = false ]'
# a log signed by another key is not extended; the records still come out, with the error
id-seal -q log --key "$t/other.secret.json" --log "$t/audit.ndjson" < "$t/pseudo.ndjson" > "$t/l2.out"
check '[ $? -eq 2 ]'
check '[ $(wc -l < "$t/l2.out") -eq $n ]'
check '[ "$(jq -r ".errors[-1].code" "$t/l2.out" | sort -u)" = audit_log_failed ]'
check '[ "$(id-seal -q verify --key "$t/office.public.json" "$t/audit.ndjson" | jq -c .entries)" = $((2 * n)) ]'
exit $fail
