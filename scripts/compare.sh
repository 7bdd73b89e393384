#!/usr/bin/env bash
# The side-by-side comparison with peer engines (docs/benchmarks.md, "Comparison with peer engines"):
#   1. builds and runs the Rust harness (benches/compare: baokao vs jsonschema, ZEN, JSONLogic);
#   2. runs the Python and Node harnesses when they exist (benches/compare/python/compare.py,
#      benches/compare/node/compare.mjs; each installs what it needs and takes the path of its
#      markdown fragment as its first argument);
#   3. splices the fragments into docs/benchmarks.md between <!-- compare:begin --> and
#      <!-- compare:end -->.
# Every harness checks that the engines agree before it times them and exits non-zero if they do
# not; this script then stops and leaves docs/benchmarks.md unchanged.
#
# Usage: scripts/compare.sh [--quick]   (--quick: fewer samples, for a smoke run; do not publish)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="target/compare"
mkdir -p "$out"
quick=()
if [[ "${1:-}" == "--quick" ]]; then quick=(--quick); fi

# The harness is its own workspace (excluded from the root one so `make test` never builds the peer
# engines); it shares the root's target directory so baokao and common dependencies are reused.
# Cargo builds are idempotent: a second run only re-links what changed.
echo "compare: building the Rust harness (release)"
CARGO_TARGET_DIR="$root/target" cargo build --release -q --manifest-path benches/compare/Cargo.toml
echo "compare: Rust harness"
"$root/target/release/baokao-compare" "$out/rust.md" "${quick[@]}"

fragments=("$out/rust.md")
# The Python and Node harnesses read the shared fixture files (docs/benchmarks.md, "Fixtures").
echo "compare: writing the fixture files (target/bench-fixtures)"
cargo run --release -q -p baokao-benches --bin gen-fixtures >/dev/null
if [[ -f benches/compare/python/compare.py ]]; then
  echo "compare: Python harness"
  python_bin="python3"
  # The Python harness's own setup (pip into target/compare-venv) runs first when it exists.
  if [[ -f benches/compare/python/setup.sh ]]; then
    bash benches/compare/python/setup.sh
  fi
  if [[ -x target/compare-venv/bin/python ]]; then python_bin="target/compare-venv/bin/python"; fi
  "$python_bin" benches/compare/python/compare.py "$out/python.md" "${quick[@]}"
  fragments+=("$out/python.md")
else
  echo "compare: no benches/compare/python/compare.py, skipping Python"
fi
if [[ -f benches/compare/node/compare.mjs ]]; then
  echo "compare: Node harness"
  # The Node harness times baokao's WebAssembly build: make it when it is missing (idempotent).
  if [[ ! -f bindings-wasm/pkg/baokao.js ]]; then
    bash scripts/build-wasm.sh
  fi
  # The Node harness's own setup (npm ci) runs first when it exists.
  if [[ -f benches/compare/node/setup.sh ]]; then
    bash benches/compare/node/setup.sh
  fi
  node benches/compare/node/compare.mjs "$out/node.md" "${quick[@]}"
  fragments+=("$out/node.md")
else
  echo "compare: no benches/compare/node/compare.mjs, skipping Node"
fi

if [[ ${#quick[@]} -gt 0 ]]; then
  echo "compare: --quick run, docs/benchmarks.md left unchanged; fragments in $out/"
  exit 0
fi

# Splice: keep everything outside the markers, replace what is between them.
python3 - "docs/benchmarks.md" "${fragments[@]}" <<'EOF'
import sys
doc, frags = sys.argv[1], sys.argv[2:]
text = open(doc, encoding="utf-8").read()
begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
    sys.exit(f"compare: {doc} needs exactly one {begin} … {end} pair")
body = "\n".join(open(f, encoding="utf-8").read().strip() + "\n" for f in frags)
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w", encoding="utf-8").write(f"{head}{begin}\n{body}{end}{tail}")
print(f"compare: wrote {len(frags)} fragment(s) into {doc}")
EOF
