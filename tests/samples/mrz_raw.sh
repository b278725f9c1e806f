#!/usr/bin/env bash
# id-mrz on the samples' photos as they are (no id-deskew before it): a photo
# is read from its document, found and flattened by id-mrz itself, first. Every zone's fields must be the truth's, the
# band's corners and the document's near the true ones; --no-find-document
# reads the photo only as it is.
source "$(dirname "$0")/common.bash"
need id-mrz
cd "$t"
photos=("$src"/samples/*-photo-*.jpg)
id-mrz -q -j 2 --as-of 2025-06-01 "${photos[@]}" > found.ndjson
id-mrz -q -j 2 --as-of 2025-06-01 --no-find-document "${photos[@]}" > plain.ndjson
check 'python3 - <<PY
import json, math
def near(q, r, tol):
    return all(math.dist(a, b) <= tol for a, b in zip(q, r))
right = valid = from_doc = 0
docs = 0
for line in open("found.ndjson"):
    r = json.loads(line)
    t = json.load(open(r["input"][:-4] + ".truth.json"))
    if not t.get("mrz"):
        continue
    docs += 1
    m = r.get("mrz") or {}
    if all((m.get("fields") or {}).get(k) == v for k, v in t["mrz"]["fields"].items()):
        right += 1
    else:
        print("wrong:", r["input"], m.get("lines"))
    valid += bool(m.get("valid"))
    if m.get("found_in") == "document":
        from_doc += 1
        lq = t["mrz"]["line_quads"]
        band = [lq[0][0], lq[0][1], lq[-1][2], lq[-1][3]]
        length = math.dist(band[0], band[1])
        assert near(m["quad"], band, 0.05 * length), (r["input"], m["quad"], band)
        dq = t["document"]["quad"]
        assert near(m["document_quad"], dq, 0.03 * math.dist(dq[0], dq[2])), (r["input"], m["document_quad"], dq)
plain = [json.loads(l) for l in open("plain.ndjson")]
assert not any((p.get("mrz") or {}).get("found_in") == "document" for p in plain)
plain_right = sum(1 for p in plain if (p.get("mrz") or {}).get("fields") and all(
    p["mrz"]["fields"].get(k) == v
    for k, v in (json.load(open(p["input"][:-4] + ".truth.json")).get("mrz") or {"fields": {"x": 1}})["fields"].items()))
print(f"photos with an MRZ {docs}: right {right} (as they are: {plain_right}), valid {valid}, read from the document {from_doc}")
assert docs >= 14 and right == docs and valid >= docs - 2 and from_doc >= 8 and plain_right < right
PY'
exit $fail
