# Sourced by the black-box tests (tests/samples/*.sh; this file is not one).
# need TOOL...  skips the test (exit 77) unless every tool is on PATH;
# check 'EXPR'  evaluates EXPR and records a failure with the expression;
# $src is the source tree, $t a scratch folder removed on exit, $fail 0 or 1.
set -uo pipefail
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not built" >&2; exit 77; }
  done
}
src=${IDKIT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1" >&2; fail=1; fi; }
