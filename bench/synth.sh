#!/usr/bin/env bash
# Rendering speed of id-synth: documents per second (wall time, -j 2) for
# flat scans (150-600 dpi, every type) and for 12 MP phone photos (4000x3000,
# every type), plus one core (-j 1) for comparison. Driving licences count as
# one document (two images).
# Usage: bench/synth.sh [BUILD_DIR] [N]   (default build, 40). Writes the
# "synth" section of bench/README.md. Targets: >= 10 scans/s, >= 3 photos/s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-$root/build}
n=${2:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
synth=$build/bin/id-synth

now_ms() { date +%s%3N; }

# Wall time in ms of one batch into a fresh folder.
batch() {  # name jobs args...
  local out=$work/$1 s
  rm -rf "$out"
  s=$(now_ms)
  /usr/bin/time -f "%U %S" -o "$work/$1.cpu" "$synth" -q -n "$n" --seed 3 -j "$2" -o "$out" "${@:3}" >/dev/null
  echo $(( $(now_ms) - s ))
}
# CPU seconds per document (user + system): independent of other load.
cpu() { python3 -c "u,s=open('$work/$1.cpu').read().split()[-2:]; print(f'{(float(u)+float(s))/$n:.2f}')"; }

rate() { python3 -c "print(f'{$n * 1000 / max(1, $1):.1f}')"; }

load=$(cut -d' ' -f1 /proc/loadavg)
scan2=$(batch scan2 2 -t all -c scan)
scan1=$(batch scan1 1 -t all -c scan)
photo2=$(batch photo2 2 -t all -c photo --photo-size 4000x3000)
photo1=$(batch photo1 1 -t all -c photo --photo-size 4000x3000)
scan_mb=$(du -sm "$work/scan2" | cut -f1)
photo_mb=$(du -sm "$work/photo2" | cut -f1)

body=$(cat <<EOF
## id-synth: rendering speed

\`bench/synth.sh $build $n\`: $n documents of every type (\`-t all\`, seed 3), wall
time of the whole batch including JPEG encoding and writing the truth files.

| capture | -j | documents/s (wall) | CPU s/document | target |
|---|---|---|---|---|
| scan, 150-600 dpi | 2 | $(rate "$scan2") | $(cpu scan2) | >= 10/s |
| scan, 150-600 dpi | 1 | $(rate "$scan1") | $(cpu scan1) | |
| photo, 4000x3000 (12 MP) | 2 | $(rate "$photo2") | $(cpu photo2) | >= 3/s |
| photo, 4000x3000 (12 MP) | 1 | $(rate "$photo1") | $(cpu photo1) | |

On an idle machine, documents/s at -j 2 is about 2 / (CPU s/document).

Output size: scans ${scan_mb} MB, photos ${photo_mb} MB for $n documents.

Machine: $(nproc) cores, $(uname -m), load average $load at the start; $(date -u +%F).
EOF
)

. "$root/bench/lib.sh"
write_section synth "$body"
echo "$body"
