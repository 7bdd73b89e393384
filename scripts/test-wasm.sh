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
# The CLI, and the files both bindings compare with: mutations, notices, forms (scripts/vectors.sh).
conformance=target/conformance
scripts/vectors.sh "$conformance"
target/release/baokao test rules/nmec-2024 --write-vectors "$conformance/nmec-2024.jsonl" >/dev/null
target/release/baokao bundle tests/limits/work -o "$conformance/limits-work.bundle.json" 2>/dev/null

echo "test-wasm: node --test"
cd bindings-wasm
BAOKAO_VECTORS="$ROOT/$conformance/nmec-2024.jsonl" BAOKAO_NOTICES="$ROOT/$conformance/notices" \
  BAOKAO_WORK_BUNDLE="$ROOT/$conformance/limits-work.bundle.json" \
  node --test test/*.test.mjs
