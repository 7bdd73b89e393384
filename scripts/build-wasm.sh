#!/usr/bin/env bash
# Builds the npm package `baokao` into bindings-wasm/pkg/:
#
#   baokao.js, baokao.d.ts      the public API and its types (from bindings-wasm/js/)
#   baokao_wasm.js              wasm-bindgen's glue (--target web: ES module, browsers and Node)
#   baokao_wasm_bg.wasm         the engine, optimised with wasm-opt
#   packs/nmec-2024.json        the 2024 rule pack as a bundle (`baokao bundle`)
#
# 1. Rust → wasm32-unknown-unknown with the `wasm-release` profile of bindings-wasm/cargo-wasm.toml:
#    with rustup's wasm32 target when it is installed, otherwise with Debian's Rust (rustc-web),
#    building std from source (-Zbuild-std, allowed on a stable compiler by RUSTC_BOOTSTRAP=1),
#    which also lets std be built for size.
# 2. wasm-bindgen of exactly the crate's version, with --experimental-reset-state-function (the
#    JS wrapper re-creates the instance after a trap).
# 3. wasm-opt -Oz --converge (npm binaryen@132; Debian's binaryen 108 breaks the externref table).
# 4. Prints the .wasm's raw and gzipped size (gzip -9) and checks the budget of 400 KB gzipped:
#    a failure, or only a warning when BAOKAO_WASM_ENFORCE_BUDGET=0 (experiments such as
#    BAOKAO_WASM_FEATURES=regex-fast; see bindings-wasm/README.md, "Size and speed").
#
# Everything it builds is cached under target/ (target/wasm for cargo, target/wasm-opt-cache).
# Installs what is missing through scripts/setup-wasm.sh --build.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PKG="${BAOKAO_WASM_OUT:-bindings-wasm/pkg}"
TARGET_DIR="$ROOT/target/wasm"
BUDGET_GZ="${BAOKAO_WASM_BUDGET_GZ:-$((400 * 1024))}"
ENFORCE_BUDGET="${BAOKAO_WASM_ENFORCE_BUDGET:-1}"
CRATE=baokao-wasm
# The Debian package of the wasm linker (scripts/setup-wasm.sh installs it).
LLD_PACKAGE="${BAOKAO_LLD_PACKAGE:-lld-22}"
WASM_NAME=baokao_wasm

log() { echo "build-wasm: $*"; }

"$ROOT/scripts/setup-wasm.sh" --build

# The wasm linker of the Debian route, printed as an absolute path: `wasm-ld-N` (or `wasm-ld`)
# from Debian's lld-N package, the newest N first; failing that `lld-N`, which links wasm only
# with `-flavor wasm` as its first argument, through a two-line wrapper in target/tools/.
find_wasm_linker() {
  local candidate n
  for candidate in $(compgen -c wasm-ld- | grep -E '^wasm-ld-[0-9]+$' | sort -t- -k3 -n -r -u) wasm-ld; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return
    fi
  done
  for candidate in $(compgen -c lld- | grep -E '^lld-[0-9]+$' | sort -t- -k2 -n -r -u); do
    n="$(command -v "$candidate")" || continue
    mkdir -p "$ROOT/target/tools"
    printf '#!/bin/sh\nexec %q -flavor wasm "$@"\n' "$n" >"$ROOT/target/tools/wasm-ld-flavor"
    chmod +x "$ROOT/target/tools/wasm-ld-flavor"
    echo "$ROOT/target/tools/wasm-ld-flavor"
    return
  done
  log "no WebAssembly linker found (wasm-ld-N, wasm-ld or lld-N on PATH): install Debian's package" \
    "$LLD_PACKAGE (apt-get install $LLD_PACKAGE, which provides wasm-ld-${LLD_PACKAGE#lld-})," \
    "or rustup's wasm32-unknown-unknown target" >&2
  exit 1
}

# --- 1. cargo ---------------------------------------------------------------------------------
cargo_args=(build --target wasm32-unknown-unknown -p "$CRATE" --profile wasm-release
  --config "$ROOT/bindings-wasm/cargo-wasm.toml" ${BAOKAO_WASM_FEATURES:+--features "$BAOKAO_WASM_FEATURES"})
# Building std from source (RUSTC_BOOTSTRAP=1 allows -Z flags on a stable compiler) lets std be
# optimised for size too, and drops the file:line of every panic location
# (-Zlocation-detail=none; nothing the engine reports depends on them).
build_std=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  --config 'target.wasm32-unknown-unknown.rustflags=["-Zlocation-detail=none"]')
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    route="rustup $(rustc --version), std built from source"
    log "compiling with $route"
    RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$TARGET_DIR" cargo "${cargo_args[@]}" "${build_std[@]}"
  else
    route="rustup $(rustc --version), prebuilt std (add rust-src for a smaller build)"
    log "compiling with $route"
    CARGO_TARGET_DIR="$TARGET_DIR" cargo "${cargo_args[@]}"
  fi
else
  # Debian's rustc-web names its wasm32 linker `rust-lld`, which no Debian package installs:
  # name the linker that the installed lld package provides, explicitly.
  linker="$(find_wasm_linker)"
  route="Debian $(/usr/bin/rustc --version), std built from source, linker $linker"
  log "compiling with $route"
  PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$TARGET_DIR" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$linker" \
    /usr/bin/cargo "${cargo_args[@]}" "${build_std[@]}"
fi
wasm="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$WASM_NAME.wasm"

# --- 2. wasm-bindgen --------------------------------------------------------------------------
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
wasm_bindgen=target/tools/bin/wasm-bindgen
if ! [[ -x "$wasm_bindgen" && "$("$wasm_bindgen" --version)" == "wasm-bindgen $wb_version" ]]; then
  wasm_bindgen="$(command -v wasm-bindgen)"
fi
rm -rf "$PKG"
mkdir -p "$PKG/packs" target/wasm-bindgen
"$wasm_bindgen" --target web --no-typescript --experimental-reset-state-function \
  --out-dir target/wasm-bindgen --out-name "$WASM_NAME" "$wasm"
cp "target/wasm-bindgen/$WASM_NAME.js" "$PKG/"

# --- 3. wasm-opt (cached by the hash of its input) --------------------------------------------
bg="target/wasm-bindgen/${WASM_NAME}_bg.wasm"
wasm_opt=bindings-wasm/node_modules/.bin/wasm-opt
if [[ -x "$wasm_opt" ]]; then
  mkdir -p target/wasm-opt-cache
  # --converge repeats the passes while they shrink the module: about 1.8 KB less gzipped than
  # one -Oz round (408,193 against 410,037 bytes when the form description was merged).
  opt_flags=(-Oz --converge --enable-reference-types --enable-bulk-memory
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --strip-debug
    --strip-producers)
  # The cache key covers the input, the flags and the wasm-opt version.
  key="$({ sha256sum "$bg" | cut -d' ' -f1; echo "${opt_flags[*]}"; "$wasm_opt" --version; } | sha256sum | cut -d' ' -f1)"
  cached="target/wasm-opt-cache/$key.wasm"
  if [[ ! -f "$cached" ]]; then
    log "wasm-opt ${opt_flags[*]:0:2} ($("$wasm_opt" --version))"
    "$wasm_opt" "${opt_flags[@]}" "$bg" -o "$cached.tmp"
    mv "$cached.tmp" "$cached"
  else
    log "wasm-opt: cached"
  fi
  cp "$cached" "$PKG/${WASM_NAME}_bg.wasm"
else
  log "wasm-opt not found (run scripts/setup-wasm.sh): shipping the unoptimised .wasm" >&2
  cp "$bg" "$PKG/"
fi

# --- the JS API and the rule pack -------------------------------------------------------------
cp bindings-wasm/js/baokao.js bindings-wasm/js/baokao.d.ts "$PKG/"
cargo run --release -q -p baokao-cli -- bundle rules/nmec-2024 -o "$PKG/packs/nmec-2024.json" >/dev/null

# --- 4. size ------------------------------------------------------------------------------------
out="$PKG/${WASM_NAME}_bg.wasm"
raw=$(stat -c %s "$out")
gz=$(gzip -9 -c "$out" | wc -c)
mkdir -p target/artifacts
printf '{"raw": %d, "gzip": %d, "budget_gzip": %d, "route": "%s"}\n' "$raw" "$gz" "$BUDGET_GZ" "$route" \
  >target/artifacts/wasm-size.json
log "$out: $raw bytes raw ($((raw / 1024)) KiB), $gz bytes gzip -9 ($((gz / 1024)) KiB); budget $((BUDGET_GZ / 1024)) KiB gzipped"
if ((gz > BUDGET_GZ)); then
  if [[ "$ENFORCE_BUDGET" == 1 ]]; then
    log "the .wasm is over its size budget" >&2
    exit 1
  fi
  log "WARNING: the .wasm is $(((gz - BUDGET_GZ) / 1024)) KiB over its size budget (see bindings-wasm/README.md, \"Size and speed\")" >&2
fi
log "built $PKG ($route)"
