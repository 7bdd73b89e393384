#!/usr/bin/env bash
# Tests of the WebAssembly binding (the npm package `baokao`): installs what is missing, builds
# the package, writes the conformance vectors with the CLI, then runs the node tests —
# bindings-wasm/test/*.test.mjs: the API and its errors, trap recovery, the .d.ts, the size
# budget, every conformance vector in both languages, and the demo form in Debian's chromium.
# Exits non-zero on any failure; ends with the node test runner's summary.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

scripts/setup-wasm.sh
scripts/build-wasm.sh

echo "test-wasm: writing the conformance vectors"
cargo build --release -q -p baokao-cli
mkdir -p target/conformance
target/release/baokao test rules/nmec-2024 --write-vectors target/conformance/nmec-2024.jsonl >/dev/null
target/release/baokao bundle tests/limits/work -o target/conformance/limits-work.bundle.json 2>/dev/null

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

echo "test-wasm: node --test"
cd bindings-wasm
BAOKAO_VECTORS="$ROOT/target/conformance/nmec-2024.jsonl" BAOKAO_NOTICES="$ROOT/target/conformance/notices" \
  BAOKAO_WORK_BUNDLE="$ROOT/target/conformance/limits-work.bundle.json" \
  node --test test/*.test.mjs
