#!/usr/bin/env python3
"""id-synth photos whose MRZ cannot be read in full by any reader.

id-synth draws a thumb (an opaque ellipse, skin-coloured) over an edge of a
quarter of its photos; over the MRZ it hides characters. A hidden character
is lost unless a check digit restores it: one hidden character in a field a
visible check digit covers could be restored (counted as restorable, though
a letter-or-digit position may still be ambiguous); a hidden character in a
name, a state code, the sex or optional data no check covers, or two in one
checked field, or one beside its own hidden check digit, is beyond every
reader. Such documents can have every field right only by a guess.

A character is hidden when its cell's centre (from the truth's line quads,
cells of equal width) lies inside the thumb's ellipse. Fillers ('<') are not
counted: the layout says where they are.

    bench/mrz_hidden.py DIR...      (DIR: id-synth output with *.truth.json)

Prints one line per photo with hidden characters (name, format, verdict,
fields) and a summary: photos with an MRZ, photos with data characters
hidden, photos beyond every reader.
"""
import glob
import json
import math
import os
import sys

# (line, first, end, field, check digit position or None) per MRZ format;
# check digits and composites themselves are listed with check None and
# the name "check".
_TD2_LINE2 = [(1, 0, 9, "document_number", (1, 9)), (1, 9, 10, "check", None),
              (1, 10, 13, "nationality", None), (1, 13, 19, "birth_date", (1, 19)),
              (1, 19, 20, "check", None), (1, 20, 21, "sex", None),
              (1, 21, 27, "expiry_date", (1, 27)), (1, 27, 28, "check", None)]
_HEAD = [(0, 0, 2, "document_code", None), (0, 2, 5, "issuing_state", None)]
FIELDS = {
    "TD1": _HEAD + [(0, 5, 14, "document_number", (0, 14)), (0, 14, 15, "check", None),
                    (0, 15, 30, "optional_data", None),
                    (1, 0, 6, "birth_date", (1, 6)), (1, 6, 7, "check", None), (1, 7, 8, "sex", None),
                    (1, 8, 14, "expiry_date", (1, 14)), (1, 14, 15, "check", None),
                    (1, 15, 18, "nationality", None), (1, 18, 29, "optional_data_2", None),
                    (1, 29, 30, "check", None), (2, 0, 30, "name", None)],
    "TD2": _HEAD + [(0, 5, 36, "name", None)] + _TD2_LINE2
           + [(1, 28, 35, "optional_data", None), (1, 35, 36, "check", None)],
    "MRVB": _HEAD + [(0, 5, 36, "name", None)] + _TD2_LINE2 + [(1, 28, 36, "optional_data", None)],
    "TD3": _HEAD + [(0, 5, 44, "name", None)] + _TD2_LINE2
           + [(1, 28, 42, "personal_number", (1, 42)), (1, 42, 43, "check", None), (1, 43, 44, "check", None)],
    "MRVA": _HEAD + [(0, 5, 44, "name", None)] + _TD2_LINE2 + [(1, 28, 44, "optional_data", None)],
    "FRENCH_ID": _HEAD + [(0, 5, 30, "name", None), (0, 30, 36, "optional_data", None),
                          (1, 0, 12, "document_number", (1, 12)), (1, 12, 13, "check", None),
                          (1, 13, 27, "given_names", None), (1, 27, 33, "birth_date", (1, 33)),
                          (1, 33, 34, "check", None), (1, 34, 35, "sex", None), (1, 35, 36, "check", None)],
}
FIELDS["MRV-A"], FIELDS["MRV-B"] = FIELDS["MRVA"], FIELDS["MRVB"]


def hidden_cells(truth):
    thumb, mrz = truth.get("capture", {}).get("thumb"), truth.get("mrz")
    if not thumb or not mrz or "line_quads" not in mrz:
        return set()
    cx, cy = thumb["centre"]
    a, b = thumb["length"] / 2, thumb["width"] / 2
    ang = math.radians(thumb["angle_deg"])
    ca, sa = math.cos(ang), math.sin(ang)
    cells = set()
    for li, (line, quad) in enumerate(zip(mrz["lines"], mrz["line_quads"])):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
        for i, ch in enumerate(line):
            if ch == "<":
                continue
            u = (i + 0.5) / len(line)
            px = (x0 + (x1 - x0) * u + x3 + (x2 - x3) * u) / 2
            py = (y0 + (y1 - y0) * u + y3 + (y2 - y3) * u) / 2
            dx, dy = px - cx, py - cy
            along, across = dx * ca + dy * sa, -dx * sa + dy * ca
            if (along / a) ** 2 + (across / b) ** 2 < 1:
                cells.add((li, i))
    return cells


def verdict(fmt, cells):
    """('lost', fields) when some hidden character is beyond every check, else ('restorable', fields)."""
    lost, restorable = [], []
    for li, first, end, name, check in FIELDS[fmt]:
        n = sum(1 for (l, i) in cells if l == li and first <= i < end)
        if n == 0 or name == "check":
            continue
        if check is None or n > 1 or check in cells:
            lost.append(f"{name}:{n}")
        else:
            restorable.append(f"{name}:{n}")
    return ("lost", lost + restorable) if lost else ("restorable", restorable)


def main(dirs):
    with_mrz = hidden = beyond = 0
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "*.truth.json"))):
            with open(path) as f:
                truth = json.load(f)
            if not truth.get("mrz") or truth.get("capture", {}).get("mode") != "photo":
                continue
            with_mrz += 1
            cells = hidden_cells(truth)
            if not cells:
                continue
            fmt = truth["mrz"]["format"]
            what, fields = verdict(fmt, cells)
            hidden += 1
            beyond += what == "lost"
            print(f"{os.path.basename(path)[:-len('.truth.json')]}\t{fmt}\t{what}\t{' '.join(fields) or 'check digits only'}")
    print(f"photos with an MRZ: {with_mrz}; with MRZ data characters under the thumb: {hidden}; "
          f"beyond every reader (no check digit restores them): {beyond}")
    return 0 if with_mrz else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    sys.exit(main(sys.argv[1:]))
