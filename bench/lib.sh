# Shared by the bench drivers: source it, then call
#   write_section NAME BODY
# to replace the section between <!-- bench:NAME --> markers in
# bench/README.md (appended when absent), leaving the other sections intact.
write_section() {
  local name=$1 body=$2
  local file
  file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/README.md"
  python3 - "$file" "$name" "$body" <<'PY'
import os, re, sys
path, name, body = sys.argv[1:4]
text = open(path).read() if os.path.exists(path) else "# idkit benchmarks\n"
start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
block = f"{start}\n{body.rstrip()}\n{end}"
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
}
