#!/usr/bin/env bash
# The commit a generated figure comes from: HEAD's short id, with `-dirty` when tracked files have
# uncommitted changes (docs/benchmarks.md, where the figures are written, does not count). Used by
# scripts/compare.sh, `make bench` and benches/report.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
id="$(git rev-parse --short=7 HEAD)"
if [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)docs/benchmarks.md')" ]; then
  id="$id-dirty"
fi
echo "$id"
