#!/usr/bin/env bash
# The conformance files that both bindings' tests compare with, as the CLI writes them from the
# 2024 pack (rules/nmec-2024). Builds the CLI (release, target/release/baokao), then writes under
# OUT, the one argument (relative to the repository's root; scripts/test-python.sh and
# scripts/test-wasm.sh pass target/conformance):
#
#   OUT/mutations.jsonl                2000 seeded mutations of the examples, with their reports
#   OUT/notices/<example>.<lang>.html  the success notices of four examples, zh and en
#   OUT/forms/nmec-2024.<lang>.json    the form description, zh and en
#   OUT/forms/<example>.state.json     the form state of every example
#
# Idempotent: creates what is missing and overwrites what it writes. Exits non-zero when the CLI
# cannot be built or a file cannot be written. What only one binding needs (the per-pack vectors
# and bundles) its own script writes.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: scripts/vectors.sh OUT" >&2
  exit 2
fi
out="$1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

cargo build --release -q -p baokao-cli
mkdir -p "$out"

# Seeded mutations of the examples (messy documents, unreadable text), with the core's reports: the
# bindings must give the same reports and errors. Exit 1 is a failing example or a report contract
# violation — the Rust suites report both; only exit 2 (nothing written) stops here.
status=0
target/release/baokao test rules/nmec-2024 --write-mutations "$out/mutations.jsonl" \
  --mutations 2000 >/dev/null || status=$?
if [ "$status" -gt 1 ]; then
  echo "cannot write the mutation vectors" >&2
  exit "$status"
fi

# The printable success notices the CLI writes for four example applications, in both languages:
# the bindings' `notice()` must give the same bytes (tests compare with these files).
notices_dir="$out/notices"
mkdir -p "$notices_dir"
for name in a-clinical-bachelor b-trial-conditional d-assistant-upgrade e-rural-gp; do
  for lang in zh en; do
    target/release/baokao notice --pack rules/nmec-2024 --lang "$lang" \
      "rules/nmec-2024/examples/$name.json" -o "$notices_dir/$name.$lang.html" 2>/dev/null
  done
done

# The form description in both languages and the form state of every example, as the CLI prints
# them: the bindings' `form()` and `form_state()` must give the same bytes (docs/form.md).
forms_dir="$out/forms"
mkdir -p "$forms_dir"
for lang in zh en; do
  target/release/baokao form --pack rules/nmec-2024 --lang "$lang" >"$forms_dir/nmec-2024.$lang.json"
done
for app in rules/nmec-2024/examples/*.json; do
  target/release/baokao form --pack rules/nmec-2024 --state "$app" >"$forms_dir/$(basename "$app" .json).state.json"
done
