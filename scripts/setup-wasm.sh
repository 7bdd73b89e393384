#!/usr/bin/env bash
# Installs what building and testing the WebAssembly binding needs beyond a stock machine
# (rustup stable Rust, Node 20 + npm, root for apt-get). Idempotent: each step checks first.
#
#   scripts/setup-wasm.sh              everything
#   scripts/setup-wasm.sh --build      only what scripts/build-wasm.sh needs
#
# * A wasm32 Rust toolchain: rustup's `wasm32-unknown-unknown` target when it is installed;
#   otherwise Debian's Rust (rustc-web, cargo-web, rust-web-src to build std from source) and
#   lld-22 for its linker wasm-ld-22 (another lld-N with BAOKAO_LLD_PACKAGE=lld-N).
# * wasm-bindgen-cli of exactly the version of the `wasm-bindgen` crate in Cargo.lock (the CLI
#   and the crate must match), installed into target/tools/ unless already on PATH.
# * npm packages of bindings-wasm/ from its package-lock.json: binaryen (wasm-opt),
#   playwright-core (drives the browser test) and axe-core (its accessibility check).
# * Debian's chromium with its zh-CN locale (chromium-l10n) and a CJK font (fonts-wqy-microhei), for the browser test and its
#   screenshots, and poppler-utils (pdftotext reads the printed notice back) (not with --build).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

want_browser=1
if [[ "${1:-}" == "--build" ]]; then
  want_browser=0
fi

log() { echo "setup-wasm: $*"; }

apt_updated=0
need_deb() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    if ((apt_updated == 0)); then
      log "apt-get update"
      apt-get update -qq
      apt_updated=1
    fi
    log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# --- the wasm32 toolchain --------------------------------------------------------------------
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup target wasm32-unknown-unknown is installed"
else
  # rustup cannot download the target here: use Debian's Rust, which builds std from source.
  # lld-N provides wasm-ld-N, the linker scripts/build-wasm.sh names (rustc-web's default, rust-lld,
  # is in no Debian package).
  need_deb rustc-web cargo-web rust-web-src "${BAOKAO_LLD_PACKAGE:-lld-22}"
fi

# --- wasm-bindgen-cli, the exact version of the crate ---------------------------------------
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [[ -z "$wb_version" ]]; then
  log "no wasm-bindgen in Cargo.lock (run cargo once to resolve it)" >&2
  exit 1
fi
wb_ok() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "wasm-bindgen $wb_version" ]]; }
if wb_ok "$(command -v wasm-bindgen || true)" || wb_ok target/tools/bin/wasm-bindgen; then
  log "wasm-bindgen $wb_version is installed"
else
  log "installing wasm-bindgen-cli $wb_version into target/tools (a few minutes)"
  cargo install -q wasm-bindgen-cli --version "$wb_version" --root target/tools
fi

# --- npm packages ----------------------------------------------------------------------------
lock=bindings-wasm/package-lock.json
stamp=bindings-wasm/node_modules/.baokao-lock.sha256
sum="$(sha256sum "$lock" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" && -x bindings-wasm/node_modules/.bin/wasm-opt ]]; then
  log "npm packages are installed"
else
  log "npm ci in bindings-wasm"
  (cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" >"$stamp"
fi

# --- the browser -----------------------------------------------------------------------------
if ((want_browser)); then
  # chromium-l10n: the zh-CN locale, so date and month inputs render in Chinese.
  # poppler-utils: pdftotext, to read back the notice the browser test prints to PDF.
  need_deb chromium chromium-l10n fonts-wqy-microhei poppler-utils
fi
log "ready"
