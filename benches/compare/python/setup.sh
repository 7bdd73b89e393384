#!/usr/bin/env bash
# The Python environment of the comparison: target/compare-venv (its own venv, so the peers never
# enter target/py-venv) with the pinned peers of requirements.txt and baokao's wheel from
# target/wheels/. Idempotent: installs only what is missing or changed; a second run needs no network.
# Builds the wheel (as scripts/test-python.sh does, without its tests) when none exists or a source
# (core, bindings-python, rules) is newer than it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/benches/compare/python"
venv="$root/target/compare-venv"
python="${PYTHON:-python3}"
cd "$root"

if [ ! -x "$venv/bin/python" ]; then
  echo "compare/python: creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

# The peers: reinstall only when requirements.txt changed since the last successful install.
stamp="$venv/.compare-requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "compare/python: installing the peers (requirements.txt)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

# baokao's wheel: build it only if there is none (the steps of scripts/test-python.sh, no tests).
shopt -s nullglob
wheels=(target/wheels/baokao-*.whl)
# A wheel older than a source it is built from is not this commit's: build again.
if [ "${#wheels[@]}" -eq 1 ] && [ -n "$(find core bindings-python/src bindings-python/Cargo.toml bindings-python/python rules -newer "${wheels[0]}" -type f ! -path '*/packs/*' ! -name '*.pyc' -print -quit)" ]; then
  echo "compare/python: $(basename "${wheels[0]}") is older than its sources: rebuilding"
  rm -f "${wheels[0]}"
  wheels=()
fi
if [ "${#wheels[@]}" -eq 0 ]; then
  echo "compare/python: no wheel in target/wheels: building one"
  scripts/setup-python.sh
  cargo build --release -q -p baokao-cli
  packs_dir=bindings-python/python/baokao/packs
  mkdir -p "$packs_dir"
  for dir in rules/*/; do
    [ -f "$dir/pack.toml" ] || continue
    name="$(basename "$dir")"
    target/release/baokao bundle "rules/$name" -o "$packs_dir/$name.json"
  done
  target/py-venv/bin/maturin build --release --quiet -m bindings-python/Cargo.toml -i target/py-venv/bin/python --out target/wheels
  wheels=(target/wheels/baokao-*.whl)
fi
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "compare/python: expected one wheel in target/wheels, found ${#wheels[@]}" >&2
  exit 1
fi
# Reinstall when the wheel changed (the lead may rebuild it): its checksum is the stamp.
wheel_stamp="$venv/.compare-baokao-wheel"
sum="$(sha256sum "${wheels[0]}" | cut -d' ' -f1)"
if [ "$(cat "$wheel_stamp" 2>/dev/null)" != "$sum" ]; then
  echo "compare/python: installing $(basename "${wheels[0]}")"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "${wheels[0]}"
  echo "$sum" > "$wheel_stamp"
fi
