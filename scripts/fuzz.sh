#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) for a set time each:
#
#   scripts/fuzz.sh                  every target, FUZZ_SECONDS each (default 300)
#   scripts/fuzz.sh validate_json    one target
#
# validate_json   any bytes as an application to the 2024 pack: no panic, every report keeps the
#                 report contract, the notice renders
# load_bundle     any text as a pack bundle: a coded error or an engine, no panic
# load_pack       any text as a pack's TOML file: a coded error or an engine, no panic
#
# Needs the nightly toolchain (installed here; `rustup toolchain install nightly` elsewhere) and
# cargo-fuzz, installed into target/tools when missing. The corpus grows in target/fuzz/corpus/,
# seeded from fuzz/corpus/ (commit new seeds there by hand when a run finds something worth
# keeping); crashes land in fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
seconds="${FUZZ_SECONDS:-300}"
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(validate_json load_bundle load_pack)
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 2
fi
fuzz_bin="$(command -v cargo-fuzz || true)"
if [[ -z "$fuzz_bin" ]]; then
  fuzz_bin="$ROOT/target/tools/bin/cargo-fuzz"
  if [[ ! -x "$fuzz_bin" ]]; then
    echo "fuzz: installing cargo-fuzz into target/tools"
    cargo install -q cargo-fuzz --locked --root "$ROOT/target/tools"
  fi
fi

for t in "${targets[@]}"; do
  corpus="$ROOT/target/fuzz/corpus/$t"
  mkdir -p "$corpus"
  cp -n "$ROOT/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s (corpus $corpus)"
  (cd fuzz && cargo +nightly fuzz run "$t" "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=4096 \
    -max_len=1100000 -print_final_stats=1) 2>&1 | tail -n 25
done
echo "fuzz: done"
