#!/usr/bin/env bash
# Regenerates the synthetic specimens of samples/ with id-synth (images and
# truth files), and writes a starting NAME.expected.json for each new image.
# Existing files are never overwritten (id-synth picks a new name instead), so
# run it on an empty folder to reproduce the committed set:
#   samples/generate.sh [BUILD_DIR] [OUT_DIR]    (default: build, samples)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-samples}
synth=$build/bin/id-synth

# Two scans and two photos of every type with an MRZ or a QR code, one of each
# for the two-sided driving licence; drawn portraits only; at most 1200 px a side.
for t in td1 td2 td3 mrva mrvb fra-id qr-id dl; do
  n=2
  [ "$t" = dl ] && n=1
  "$synth" -q -t "$t" -c scan -n "$n" --seed 101 --max-side 1200 -o "$out" >/dev/null
  "$synth" -q -t "$t" -c photo -n "$n" --seed 202 --max-side 1200 -o "$out" >/dev/null
done
# Two more photos: TD1 white on white, TD3 on a dark desk with a thumb over it.
"$synth" -q -t td1 -c photo -n 1 --first 2 --seed 202 --max-side 1200 -o "$out" >/dev/null
"$synth" -q -t td3 -c photo -n 1 --first 6 --seed 202 --max-side 1200 -o "$out" >/dev/null

# Expected records: what idkit must produce for each sample. A start (status
# and the MRZ as the truth has it); the tools' own sections are added as they land.
python3 - "$out" <<'PY'
import json, os, sys, glob
out = sys.argv[1]
AS_OF = "2026-01-01"  # the date scripts/pipeline passes to the tools
KEYS = ["document_code", "issuing_state", "document_number", "surname", "given_names",
        "nationality", "birth_date", "sex", "expiry_date"]
for truth_path in sorted(glob.glob(os.path.join(out, "*.truth.json"))):
    stem = os.path.basename(truth_path)[: -len(".truth.json")]
    exp_path = os.path.join(out, stem + ".expected.json")
    if os.path.exists(exp_path):
        continue
    t = json.load(open(truth_path))
    e = {"input": f"samples/{stem}.jpg", "status": "ok"}
    m = t.get("mrz")
    if m:
        fields = {k: m["fields"][k] for k in KEYS if m["fields"].get(k)}
        # A two-digit birth year is read as the latest date not after AS_OF;
        # leave the birth date out where that is the wrong century (holder >= 100).
        if fields.get("birth_date") and fields["birth_date"] != t["person"]["birth_date"]:
            fields.pop("birth_date")
        raw = m["fields"].get("birth_date_raw", "")
        if raw.isdigit():
            yy = int(raw[:2]); guess = f"{2000 + yy}-{raw[2:4]}-{raw[4:6]}"
            if guess > AS_OF:
                guess = f"{1900 + yy}-{raw[2:4]}-{raw[4:6]}"
            if guess != t["person"]["birth_date"]:
                fields.pop("birth_date", None)
        e["mrz"] = {"format": m["format"], "lines": m["lines"], "valid": m["valid"], "fields": fields}
    with open(exp_path, "w") as f:
        json.dump(e, f, indent=2, ensure_ascii=False)
        f.write("\n")
PY
