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
cargo build --release -q -p baokao-cli
packs_dir=bindings-python/python/baokao/packs
rm -rf "$packs_dir"
mkdir -p "$packs_dir" target/conformance
for dir in rules/*/; do
  [ -f "$dir/pack.toml" ] || continue
  name="$(basename "$dir")"
  baokao bundle "rules/$name" -o "$packs_dir/$name.json"
  # The vectors record what the core answers, whatever the examples expect: whether every example
  # passes is the pack tests' business (`baokao test`, exit 1). Exit 2 means no vectors: fail.
  status=0
  baokao test "rules/$name" --write-vectors "target/conformance/$name.jsonl" >/dev/null || status=$?
  if [ "$status" -gt 1 ]; then
    echo "test-python: cannot write the conformance vectors of rules/$name" >&2
    exit "$status"
  fi
done

# Seeded mutations of the examples (messy documents, unreadable text), with the core's reports: the
# bindings must give the same reports and errors. Exit 1 is a failing example or a report contract
# violation — the Rust suites report both; only exit 2 (nothing written) stops here.
status=0
target/release/baokao test rules/nmec-2024 --write-mutations target/conformance/mutations.jsonl \
  --mutations 2000 >/dev/null || status=$?
if [ "$status" -gt 1 ]; then
  echo "cannot write the mutation vectors" >&2
  exit "$status"
fi

# The printable success notices the CLI writes for four example applications, in both languages:
# the bindings' `notice()` must give the same bytes (tests compare with these files).
notices_dir=target/conformance/notices
mkdir -p "$notices_dir"
for name in a-clinical-bachelor b-trial-conditional d-assistant-upgrade e-rural-gp; do
  for lang in zh en; do
    target/release/baokao notice --pack rules/nmec-2024 --lang "$lang" \
      "rules/nmec-2024/examples/$name.json" -o "$notices_dir/$name.$lang.html" 2>/dev/null
  done
done

# The form description in both languages and the form state of every example, as the CLI prints
# them: the bindings' `form()` and `form_state()` must give the same bytes (docs/form.md).
forms_dir=target/conformance/forms
mkdir -p "$forms_dir"
for lang in zh en; do
  target/release/baokao form --pack rules/nmec-2024 --lang "$lang" >"$forms_dir/nmec-2024.$lang.json"
done
for app in rules/nmec-2024/examples/*.json; do
  target/release/baokao form --pack rules/nmec-2024 --state "$app" >"$forms_dir/$(basename "$app" .json).state.json"
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
