#!/usr/bin/env bash
# MRZ reading benchmark. Sets:
#   - the 38 real specimen images of ../shared/data/mrz/images (MANIFEST.tsv),
#   - id-synth flat scans (S per MRZ layout, seed 3),
#   - id-synth phone photos (N per MRZ layout, seed 7, 0.5-12 MP), read raw
#     and after id-deskew (the pipeline's way: flat upright 300 dpi cards),
#   - 12 MP photos (4000x3000, 2 per layout, seed 11) for the speed target.
# For every set: documents with every field right, every line exact,
# valid:true with a wrong field (must be 0), not found, median ms per image
# (id-mrz -j1, its own timing_ms: decode + find + read + correct), and a
# per-capture-condition breakdown of the photos. Baseline in the same run:
# Tesseract (eng, psm 6, whitelist A-Z0-9<) and Tesseract with the OCR-B MRZ
# model on the same band crops idkit found (bench-mrz_crops).
# Usage: bench/mrz.sh [BUILD_DIR] [N] [S]   (defaults: build, 40, 10).
# MRZ_BENCH_DATA=DIR keeps the rendered sets in DIR for the next run.
# Writes the "mrz" section of bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-$root/build}" && pwd)
n=${2:-40}
s=${3:-10}
shared=${IDKIT_SHARED:-$root/../shared}
images=$shared/data/mrz/images
model_dir=$shared/models/ocr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=${MRZ_BENCH_DATA:-$work/data}
export PATH=$build/bin:$PATH
types="td1 td2 td3 mrva mrvb fra-id"

render() {  # dir capture count seed [extra...]
  local dir=$1 capture=$2 count=$3 seed=$4; shift 4
  [ -e "$dir/.done" ] && return 0
  for t in $types; do
    id-synth -q -t "$t" -c "$capture" -n "$count" --seed "$seed" -o "$dir" "$@" >/dev/null
  done
  touch "$dir/.done"
}
render "$data/photos-$n" photo "$n" 7
render "$data/scans-$s" scan "$s" 3
render "$data/big" photo 2 11 --photo-size 4000x3000
if [ ! -e "$data/cards-$n/.done" ]; then
  mkdir -p "$data/cards-$n"
  id-deskew -j2 --quiet --out-dir "$data/cards-$n" "$data/photos-$n"/*.jpg > "$data/cards-$n/deskew.ndjson" 2>/dev/null || true
  touch "$data/cards-$n/.done"
fi

# idkit, one image at a time; CPU time (user + sys) of the whole process per
# set, so that other jobs on a shared machine do not count.
id-mrz --quiet "$images/passporteye-passport-td3.png" >/dev/null 2>&1 || true   # page in the model
TIMEFORMAT='%U %S'
# id-synth's truth resolves two-digit years against its fixed reference day.
asof=2025-06-01
mrz_set() {  # name args...
  local name=$1; shift
  { time id-mrz -j1 --quiet --as-of "$asof" "$@" > "$work/$name.ndjson" 2>/dev/null || true; } 2> "$work/$name.cpu"
}
mrz_set real "$images"/*.{jpg,png}
mrz_set scans "$data/scans-$s"/*.jpg
mrz_set raw "$data/photos-$n"/*.jpg
mrz_set cards < "$data/cards-$n/deskew.ndjson"
mrz_set big "$data/big"/*.jpg
# Per-image CPU medians (thread CPU clock): flat ID-1 cards from id-deskew
# (about 1010 px wide) and 12 MP photos.
speed=$build/bench/bench-mrz_speed
if [ -x "$speed" ]; then
  "$speed" $(ls "$data/cards-$n"/td1-*.png "$data/cards-$n"/fra-id-*.png 2>/dev/null) > "$work/speed-cards.tsv" || true
  "$speed" "$data/big"/*.jpg > "$work/speed-big.tsv" || true
fi

# Tesseract on the band crops idkit found; one process per set and model
# (a list file), so its time is recognition, not start-up; one thread, CPU
# time like idkit's.
whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\<
for set in $([ -n "${MRZ_BENCH_NO_TESS:-}" ] || echo real scans raw cards); do
  "$build/bench/bench-mrz_crops" "$work/crops-$set" < "$work/$set.ndjson" > "$work/crops-$set.tsv"
  cut -f2 "$work/crops-$set.tsv" > "$work/crops-$set.list"
  models="eng"
  # The OCR-B model (the open baseline of ../shared/notes/mrz.md) where it matters most.
  case $set in real|cards) [ -f "$model_dir/mrz.traineddata" ] && models="eng mrz" ;; esac
  for model in $models; do
    dir=(); [ "$model" = mrz ] && dir=(--tessdata-dir "$model_dir")
    if [ -s "$work/crops-$set.list" ]; then
      { time OMP_THREAD_LIMIT=1 tesseract "$work/crops-$set.list" "$work/tess-$set-$model" "${dir[@]}" -l "$model" \
          --psm 6 -c tessedit_char_whitelist="$whitelist" >/dev/null 2>&1 || true; } 2> "$work/tess-$set-$model.cpu"
    fi
  done
done

python3 - "$images/MANIFEST.tsv" "$data" "$n" "$s" "$work" > "$work/section.md" <<'PY'
import csv, datetime, glob, json, os, platform, re, statistics, sys
manifest, data, n, s, work = sys.argv[1:6]
truth = {}      # basename -> {"lines": [...], "fields": {...} or None, "capture": {...}, "type": str}
with open(manifest, newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        truth[r["file"]] = {"lines": [r[k] for k in ("mrz_line1", "mrz_line2", "mrz_line3") if r.get(k)],
                            "fields": None, "capture": {}, "type": "real"}
def load_synth(d):
    names = []
    for t in sorted(glob.glob(os.path.join(d, "*.truth.json"))):
        j = json.load(open(t))
        if not j.get("mrz"): continue
        name = os.path.basename(t)[:-len(".truth.json")] + ".jpg"
        truth[name] = {"lines": j["mrz"]["lines"], "fields": j["mrz"].get("fields"),
                       "capture": j.get("capture", {}), "type": j["document"]["type"],
                       "mp": j["image"]["width"] * j["image"]["height"] / 1e6}
        names.append(name)
    return names
photos = load_synth(os.path.join(data, f"photos-{n}"))
scans = load_synth(os.path.join(data, f"scans-{s}"))
big = load_synth(os.path.join(data, "big"))
real = sorted(k for k, v in truth.items() if v["type"] == "real")

def key(rec):
    return os.path.basename(rec.get("input", ""))
def records(path):
    out = {}
    for l in open(path):
        try: r = json.loads(l)
        except ValueError: continue
        out[key(r)] = r
    return out
def fields_right(t, mrz):
    if t["fields"] is None:   # real specimens: the transcribed lines are the truth
        return mrz.get("lines") == t["lines"]
    got = mrz.get("fields", {})
    return all(got.get(k) == v for k, v in t["fields"].items())

def score(names, recs):
    st = dict(docs=0, fields=0, exact=0, lines=0, lines_ok=0, valid=0, valid_wrong=0, notfound=0, ms=[])
    wrong = []
    for name in names:
        t = truth[name]; r = recs.get(name, {}); mrz = r.get("mrz") or {}
        st["docs"] += 1; st["lines"] += len(t["lines"])
        got = mrz.get("lines", [])
        ok_lines = sum(a == b for a, b in zip(t["lines"], got))
        st["lines_ok"] += ok_lines
        st["exact"] += ok_lines == len(t["lines"]) and len(got) == len(t["lines"])
        right = bool(mrz) and fields_right(t, mrz)
        st["fields"] += right
        st["notfound"] += not mrz
        if mrz.get("valid"):
            st["valid"] += 1
            if not right: st["valid_wrong"] += 1; wrong.append(name)
    return st, wrong

def pct(a, b): return f"{a} ({100 * a / max(b, 1):.1f}%)"
def cpu(k, docs):
    try: u, s_ = open(os.path.join(work, f"{k}.cpu")).read().split()[:2]
    except (OSError, ValueError): return "-"
    return f"{1000 * (float(u) + float(s_)) / max(docs, 1):.0f}"

recs = {k: records(os.path.join(work, f"{k}.ndjson")) for k in ("real", "scans", "raw", "cards", "big")}
sets = [("real specimens", real, "real"), (f"id-synth flat scans ({len(scans)})", scans, "scans"),
        (f"id-synth photos, raw ({len(photos)})", photos, "raw"),
        (f"id-synth photos after id-deskew ({len(photos)})", photos, "cards"),
        (f"id-synth 12 MP photos, raw ({len(big)})", big, "big")]
out = []
p = out.append
p("## MRZ reading (`bench/mrz.sh`)\n")
p(f"`bench/mrz.sh build-mrz {n} {s}` on {datetime.date.today()}, {platform.node()}, {os.cpu_count()} cores "
  f"shared with other jobs (load average {os.getloadavg()[0]:.1f} at the end). id-mrz -j1; CPU ms = user + sys "
  "of the id-mrz process over the set / images (decode + find + read + correct, one core).\n")
p("| set | documents | every field right | all lines exact | lines exact | valid:true | **valid:true with a wrong field** | not found | CPU ms / image |")
p("|---|---|---|---|---|---|---|---|---|")
wrong_all = {}
for label, names, k in sets:
    st, wrong = score(names, recs[k])
    wrong_all[k] = wrong
    p(f"| {label} | {st['docs']} | {pct(st['fields'], st['docs'])} | {pct(st['exact'], st['docs'])} | "
      f"{pct(st['lines_ok'], st['lines'])} | {st['valid']} | {st['valid_wrong']} | {st['notfound']} | {cpu(k, st['docs'])} |")
p("")
for label, f in (("flat ID-1 cards from id-deskew (about 1010 px wide)", "speed-cards.tsv"), ("12 MP photos (4000x3000), raw", "speed-big.tsv")):
    path = os.path.join(work, f)
    if os.path.exists(path):
        rows = [l.split("\t") for l in open(path).read().splitlines()]
        rows = [r for r in rows if len(r) >= 4]
        ms = sorted(float(r[1]) for r in rows)
        rd = sorted(float(r[1]) - float(r[3]) for r in rows)
        if ms:
            p(f"Speed, {label}: find + read + correct median **{statistics.median(rd):.0f} ms** (p90 {rd[int(0.9 * (len(rd) - 1))]:.0f}), "
              f"with the file's decode {statistics.median(ms):.0f} ms (p90 {ms[int(0.9 * (len(ms) - 1))]:.0f}) CPU per "
              f"image over {len(ms)} images (bench-mrz_speed: thread CPU clock, one thread; the image read as it is, mrz::read, "
              f"valid {sum(r[2] == 'valid' for r in rows)}/{len(rows)}).\n")
        rows = [r for r in rows if len(r) >= 6]
        if rows:
            rec = sorted(float(r[4]) - float(r[3]) for r in rows)
            p(f"Speed, {label}, id-mrz's default work on the file (mrz::readRecord: the document found and flattened, "
              f"read, the photo read as it is where that is not valid): median **{statistics.median(rec):.0f} ms** "
              f"(p90 {rec[int(0.9 * (len(rec) - 1))]:.0f}) without the reduced decode of the file (the flat copy's own decode counted), valid {sum(r[5] == 'valid' for r in rows)}/{len(rows)}.\n")
p("Real specimens have no field truth: \"every field right\" there means every line exact; some of them "
  "carry check digits that follow no ICAO rule, so `valid:false` is the right answer for those.")
for k, w in wrong_all.items():
    if w: p(f"\nvalid:true with a wrong field ({k}): " + ", ".join(w))

# Per-condition breakdown of the photos (every field right, raw / after id-deskew).
def conds(t):
    c = t["capture"]; out = [f"format {t['type']}"]
    blur = (c.get("blur") or {}).get("kind", "none")
    out.append(f"blur {blur}")
    out.append("glare" if "glare" in c else "no glare")
    out.append("thumb" if "thumb" in c else "no thumb")
    out.append("low contrast" if "contrast" in c else "normal contrast")
    tilt = c.get("tilt_deg", 0)
    out.append("tilt > 15 deg" if tilt > 15 else "tilt <= 15 deg")
    roll = c.get("roll_deg", 0) % 360
    r = min(abs(roll - a) for a in (0, 90, 180, 270, 360))
    out.append("roll near 0/90/180/270" if r <= 15 else "roll any other angle")
    mp = t.get("mp", 0)
    out.append("< 2 MP" if mp < 2 else ("2-6 MP" if mp < 6 else ">= 6 MP"))
    out.append(f"noise sigma {'>= 4' if c.get('noise_sigma', 0) >= 4 else '< 4'}")
    q = c.get("jpeg_quality", 100)
    out.append("JPEG q < 60" if q < 60 else "JPEG q >= 60")
    return out
buckets = {}
for name in photos:
    for c in conds(truth[name]): buckets.setdefault(c, []).append(name)
p("\nPhotos by capture condition (documents with every field right):\n")
p("| condition | photos | raw | after id-deskew |")
p("|---|---|---|---|")
for c in sorted(buckets):
    names = buckets[c]
    a, _ = score(names, recs["raw"]); b, _ = score(names, recs["cards"])
    p(f"| {c} | {len(names)} | {pct(a['fields'], a['docs'])} | {pct(b['fields'], b['docs'])} |")

# Tesseract on the same band crops.
def tess_lines(txt):
    lines = [re.sub(r"\s", "", x) for x in txt.split("\n")]
    return [x for x in lines if len(x) >= 20]
p("\nSame band crops, Tesseract 5.3 (psm 6, whitelist `A-Z0-9<`, one process per set) vs idkit "
  "(lines exact over the documents whose band idkit found; idkit ms = median per image including the find):\n")
p("| set | crops | idkit lines exact | idkit CPU ms / image (whole image) | Tesseract eng lines exact | Tesseract eng CPU ms / crop | Tesseract OCR-B mrz model lines exact | mrz model CPU ms / crop |")
p("|---|---|---|---|---|---|---|---|")
for label, names, k in sets[:4]:
    tsv = os.path.join(work, f"crops-{k}.tsv")
    order = [l.split("\t")[0] for l in open(tsv).read().splitlines()] if os.path.exists(tsv) else []
    row = [label, str(len(order))]
    ik = il = 0
    for inp in order:
        t = truth.get(os.path.basename(inp))
        if not t: continue
        got = (recs[k].get(os.path.basename(inp), {}).get("mrz") or {}).get("lines", [])
        il += len(t["lines"]); ik += sum(a == b for a, b in zip(t["lines"], got))
    row += [pct(ik, il), cpu(k, len(names))]
    for model in ("eng", "mrz"):
        path = os.path.join(work, f"tess-{k}-{model}.txt")
        if not os.path.exists(path):
            row += ["-", "-"]; continue
        pages = open(path, encoding="utf-8", errors="replace").read().split("\f") if os.path.exists(path) else []
        ok = 0
        for inp, page in zip(order, pages):
            t = truth.get(os.path.basename(inp))
            if not t: continue
            got = tess_lines(page)[-len(t["lines"]):]
            ok += sum(a == b for a, b in zip(t["lines"], got))
        row += [pct(ok, il), cpu(f"tess-{k}-{model}", len(order))]
    p("| " + " | ".join(row) + " |")
print("\n".join(out))
PY
cat "$work/section.md"
. "$root/bench/lib.sh"
write_section mrz "$(cat "$work/section.md")"
