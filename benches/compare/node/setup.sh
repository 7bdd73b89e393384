#!/usr/bin/env bash
# The Node peers of compare.mjs, exactly as package-lock.json pins them, into
# benches/compare/node/node_modules. Idempotent: `npm ci` only when node_modules is missing or
# older than the lock file. baokao itself is bindings-wasm/pkg (scripts/build-wasm.sh builds it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "compare/node: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
root="$(cd "$here/../../.." && pwd)"
if [ ! -f "$root/bindings-wasm/pkg/baokao.js" ]; then
  echo "compare/node: bindings-wasm/pkg is missing: run scripts/build-wasm.sh" >&2
  exit 1
fi
