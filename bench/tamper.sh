#!/usr/bin/env bash
# Forged prints read by the whole pipeline. id-synth renders the same COUNT
# photo documents three times: genuine, with the printed date of birth one year
# later (--tamper birth_date) and with one printed letter of the surname changed
# (--tamper surname); the MRZ and the barcodes keep the true values, and the
# person, design and capture are the same in the three sets. Each set goes
# through id-deskew, id-barcode, id-mrz, id-ocr and id-check (the face taken as
# matched: id-face is benchmarked on its own). Counted: genuine documents
# rejected; forged ones rejected, and rejected with the right reason
# (birth_date_mismatch, name_mismatch); beside them, in the same run, the
# record-level proxy bench/ocr.sh uses (the genuine record's printed date read
# one year later), on the same documents.
# Documents expired by the truth are left out of all counts.
#   bench/tamper.sh [BUILD_DIR] [COUNT] [SEED]   (defaults: build, 100, 41)
# Writes the "tamper" section of bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-build}" && pwd)
count=${2:-100}
seed=${3:-41}
export PATH=$build/bin:$PATH
work=$build/bench-tamper-$count-$seed
mkdir -p "$work"

# One set through the pipeline and id-check: DIR holds synth.ndjson and the images.
. "$root/bench/lib.sh"  # read_documents, write_section
pipeline() {
  local d=$1
  read_documents "$d"
  # Not expired by the truth; the selfie matched.
  while read -r rec; do
    truth=$(jq -r .truth <<<"$rec")
    jq -c --slurpfile tr "$truth" 'select($tr[0].document.expired | not)
      | .face = {"similarity": 0.97, "threshold": 0.92, "match": true}' <<<"$rec"
  done < "$d/ocr.ndjson" > "$d/checked.ndjson"
  id-check -q --as-of 2025-06-01 --pair "$d/back-codes.ndjson" < "$d/checked.ndjson" > "$d/check.out" || true
}

for set in genuine birth_date surname; do
  d=$work/$set
  mkdir -p "$d"
  if [ ! -f "$d/.synth" ]; then
    id-synth -q --capture photo --count "$count" --seed "$seed" --tamper "$( [ $set = genuine ] && echo none || echo $set)" \
      -o "$d" > "$d/synth.ndjson" || true  # a failed render is skipped
    touch "$d/.synth"
  fi
  pipeline "$d"
done

# The record-level proxy on the genuine records (as bench/ocr.sh tampers).
jq -c 'if (.ocr.fields.birth_date.value // "" | test("^[0-9]{4}-"))
       then .ocr.fields.birth_date.value |= sub("^(?<y>[0-9]{4})"; "\((.y | tonumber) + 1)") else . end' \
  "$work/genuine/checked.ndjson" \
  | id-check -q --as-of 2025-06-01 --pair "$work/genuine/back-codes.ndjson" > "$work/proxy.out" || true

python3 - "$work" "$count" "$seed" > "$work/section.md" <<'PY'
import collections, json, os, sys
work, count, seed = sys.argv[1], sys.argv[2], sys.argv[3]
def records(path):
    out = {}
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            out[os.path.basename(r["input"]).replace(".jpg", "")] = r
    return out
def fails(r):
    return [x["code"] for x in r.get("check", {}).get("reasons", []) if x.get("severity") == "fail"]
def kind(name):
    return name.split("-photo-")[0]
sets = {s: records(os.path.join(work, s, "check.out")) for s in ("genuine", "birth_date", "surname")}
proxy = records(os.path.join(work, "proxy.out"))
right = {"birth_date": "birth_date_mismatch", "surname": "name_mismatch"}
names = sorted(set(sets["genuine"]) & set(sets["birth_date"]) & set(sets["surname"]))
kinds = sorted({kind(n) for n in names})
# The documents each column counts: a forged set's only where its truth says
# the print was changed (visas print no date of birth), each truth read once.
def forged(s):
    return [n for n in names if "tamper" in json.load(open(sets[s][n]["truth"]))]
counted = {"genuine": names, "proxy": names, "birth_date": forged("birth_date"), "surname": forged("surname")}
def line(recs, among, code=None, subset=None):
    sel = [n for n in among if subset is None or kind(n) == subset]
    rej = sum(1 for n in sel if not recs[n].get("check", {}).get("pass", False))
    if code is None:
        return f"{rej}/{len(sel)}"
    ok = sum(1 for n in sel if code in fails(recs[n]))
    return f"{ok}/{len(sel)} ({rej} rejected)"
out = []
p = out.append
p("## Forged prints read by the whole pipeline (seed %s, %s photo documents, %s)" % (seed, count,
  __import__("datetime").date.today().isoformat()))
p("")
p("`bench/tamper.sh BUILD %s %s`: the same documents rendered genuine and forged (`id-synth --tamper`), each set through "
  "id-deskew, id-barcode, id-mrz, id-ocr and id-check (face taken as matched); documents expired by the truth left out. "
  "Load average at the end: %s." % (count, seed, open("/proc/loadavg").read().split()[0]))
p("")
p("| kind | documents | genuine rejected | birth date forged: rejected with birth_date_mismatch | record-level proxy (bench/ocr.sh's tamper) | surname forged: rejected with name_mismatch |")
p("|---|---|---|---|---|---|")
for k in kinds + [None]:
    n = sum(1 for x in names if k is None or kind(x) == k)
    p("| %s | %d | %s | %s | %s | %s |" % (k or "**all**", n, line(sets["genuine"], counted["genuine"], None, k),
      line(sets["birth_date"], counted["birth_date"], right["birth_date"], k),
      line(proxy, counted["proxy"], "birth_date_mismatch", k),
      line(sets["surname"], counted["surname"], right["surname"], k)))
p("")
p("Forgeries missed (not rejected with the right reason), with the fail reasons given:")
p("")
for s in ("birth_date", "surname"):
    miss = collections.Counter()
    for n in counted[s]:
        if right[s] not in fails(sets[s][n]):
            miss[",".join(fails(sets[s][n])) or "passed"] += 1
    p("- %s: %s" % (s, ", ".join("%s %d" % (c, v) for c, v in miss.most_common()) or "none"))
print("\n".join(out))
PY
cat "$work/section.md"
write_section tamper "$(cat "$work/section.md")"
