#!/usr/bin/env bash
# Every committed sample through the whole pipeline, compared with its
# expected record by id-expect.
set -uo pipefail
src=${IDKIT_SOURCE_DIR:?}
shopt -s nullglob
expected=("$src"/samples/*.expected.json)
if [ ${#expected[@]} -eq 0 ]; then
  echo "SKIPPED: samples/ has no expected records yet" >&2
  exit 77
fi
out=$(mktemp); trap 'rm -f "$out"' EXIT
IDKIT_BIN="${IDKIT_BUILD_DIR:?}/bin" "$src/scripts/pipeline" "$src"/samples/*.jpg > "$out"
id-expect --complete "$src/samples" < "$out" > /dev/null
