#!/usr/bin/env bash
# Every test of the Python binding, from a fresh clone: the venv (setup-python.sh), the CLI and one
# bundle per rule pack (shipped inside the wheel), the abi3 wheel (maturin) installed into the venv,
# the conformance vectors, then pytest, stubtest and mypy. Exits non-zero on any failure.
# `--build-only`: stop once the wheel is installed (for bindings-python/bench/bench.py).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-python.sh"
venv="${BAOKAO_VENV:-$root/target/py-venv}"
py="$venv/bin/python"

baokao() { cargo run --release -q -p baokao-cli -- "$@"; }

echo "test-python: building the CLI, the packs' bundles and their conformance vectors"
# The CLI, and the files both bindings compare with: mutations, notices, forms (scripts/vectors.sh).
conformance=target/conformance
scripts/vectors.sh "$conformance"
packs_dir=bindings-python/python/baokao/packs
rm -rf "$packs_dir"
mkdir -p "$packs_dir" "$conformance"
for dir in rules/*/; do
  [ -f "$dir/pack.toml" ] || continue
  name="$(basename "$dir")"
  baokao bundle "rules/$name" -o "$packs_dir/$name.json"
  # The vectors record what the core answers, whatever the examples expect: whether every example
  # passes is the pack tests' business (`baokao test`, exit 1). Exit 2 means no vectors: fail.
  status=0
  baokao test "rules/$name" --write-vectors "$conformance/$name.jsonl" >/dev/null || status=$?
  if [ "$status" -gt 1 ]; then
    echo "test-python: cannot write the conformance vectors of rules/$name" >&2
    exit "$status"
  fi
done

echo "test-python: building the wheel"
rm -f target/wheels/baokao-*.whl
"$venv/bin/maturin" build --release --quiet -m bindings-python/Cargo.toml -i "$py" --out target/wheels
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/baokao-*.whl
if [ "${1:-}" = "--build-only" ]; then
  # `make bench` times the binding of this commit: the wheel installed, no tests.
  echo "test-python: wheel installed into $venv (--build-only: no tests)"
  exit 0
fi

export BAOKAO_ROOT="$root"
export BAOKAO_CLI="$root/target/release/baokao"
export MYPY_CACHE_DIR="$root/target/mypy-cache"

echo "test-python: stubtest"
# Run outside the source tree so `baokao` is the installed wheel, stubs and native module together.
(cd "$root/target" && "$py" -m mypy.stubtest baokao --allowlist "$root/bindings-python/stubtest-allowlist.txt")
(cd "$root/target" && "$py" -m mypy --strict -p baokao)

echo "test-python: pytest"
(cd "$root/bindings-python" && "$py" -m pytest tests -p no:cacheprovider -q)
