"""Shared fixtures: the repository, the shipped 2024 pack, its example applications and vectors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import baokao

ROOT = Path(os.environ.get("BAOKAO_ROOT") or Path(__file__).resolve().parents[2])
PACK_DIR = ROOT / "rules" / "nmec-2024"
FULL = PACK_DIR / "examples" / "a-clinical-bachelor.json"
VECTORS = ROOT / "target" / "conformance"


def load_vectors(name: str) -> list[dict[str, Any]]:
    """The conformance vectors of a pack, written by `baokao test --write-vectors`."""
    path = VECTORS / f"{name}.jsonl"
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/test-python.sh (it writes the vectors)")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def engine() -> baokao.Engine:
    return baokao.load("nmec-2024")


@pytest.fixture(scope="session")
def full() -> dict[str, Any]:
    """The complete, valid and eligible application of the pack's first example."""
    with FULL.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@pytest.fixture(scope="session")
def vectors() -> list[dict[str, Any]]:
    return load_vectors("nmec-2024")


@pytest.fixture(scope="session")
def documents(vectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every example document of the pack judged as a whole (no step)."""
    return [v["document"] for v in vectors if v["step"] is None]
