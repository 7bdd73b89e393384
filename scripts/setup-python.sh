#!/usr/bin/env bash
# The Python environment of the binding's tests: a venv (target/py-venv, or $BAOKAO_VENV) made with
# the python3 on PATH, holding maturin, pytest, mypy and jsonschema, openpyxl (the `excel` extra: the
# Excel round trip is tested) and pandas (the DataFrame recipe is tested). Idempotent: it creates and
# installs only what is missing, so a second run does nothing and needs no network.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BAOKAO_VENV:-$root/target/py-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "setup-python: creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv" || {
    echo "setup-python: \`$python -m venv\` failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
  }
fi

missing=()
"$venv/bin/maturin" --version >/dev/null 2>&1 || missing+=("maturin>=1.9.4,<2")
"$venv/bin/python" -c "import pytest" >/dev/null 2>&1 || missing+=("pytest>=8")
"$venv/bin/python" -c "import mypy.stubtest" >/dev/null 2>&1 || missing+=("mypy>=1.10")
# The independent validator of the JSON Schema differential test (tests/test_json_schema.py), with
# the checker of RFC 3339 timestamps for `format: date-time`.
"$venv/bin/python" -c "import jsonschema" >/dev/null 2>&1 || missing+=("jsonschema>=4.18")
"$venv/bin/python" -c "import rfc3339_validator" >/dev/null 2>&1 || missing+=("rfc3339-validator>=0.1.4")
"$venv/bin/python" -c "import openpyxl" >/dev/null 2>&1 || missing+=("openpyxl>=3.1")
"$venv/bin/python" -c "import pandas" >/dev/null 2>&1 || missing+=("pandas>=2")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-python: installing ${missing[*]}"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
