#!/usr/bin/env bash
# Installs what `make test` needs beyond a stock machine (rustup stable Rust, CPython 3.11, Node 20,
# gcc, make). Idempotent: every step checks before it installs, so a second run does nothing.
set -euo pipefail

need_component() {
  if ! cargo "$1" --version >/dev/null 2>&1; then
    echo "setup: installing rustup component $2"
    rustup component add "$2"
  fi
}
need_component fmt rustfmt
need_component clippy clippy
