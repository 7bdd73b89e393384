"""The pack's example applications as conformance vectors: Python gives the Rust core's reports.

The vectors (`baokao test --write-vectors`) hold each example document with its zh and en reports
as the core produced them; the binding must give equal reports for dict input and for JSON text,
and `to_json()` must be byte-identical to what the Rust CLI writes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import baokao
from conftest import PACK_DIR, ROOT, load_vectors

LANGS = ("zh", "en")


def judge(engine: baokao.Engine, vector: dict[str, Any], app: Any, lang: str) -> baokao.Report:
    if vector["step"] is None:
        return engine.validate(app, lang=lang)
    return engine.validate_step(vector["step"], app, lang=lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("form", ["dict", "str", "bytes"])
def test_vectors(engine: baokao.Engine, vectors: list[dict[str, Any]], lang: str, form: str) -> None:
    assert len(vectors) > 0
    for v in vectors:
        doc = v["document"]
        app = {"dict": doc, "str": json.dumps(doc, ensure_ascii=False), "bytes": json.dumps(doc).encode()}[form]
        report = judge(engine, v, app, lang)
        assert json.loads(report.to_json()) == v["reports"][lang], v["name"]
        assert report.to_dict() == v["reports"][lang], v["name"]


@pytest.mark.parametrize("lang", LANGS)
def test_vectors_from_the_pack_directory(vectors: list[dict[str, Any]], lang: str) -> None:
    # A directory and its bundle judge the same and carry the same digest.
    engine = baokao.Engine.from_path(PACK_DIR)
    for v in vectors:
        assert json.loads(judge(engine, v, v["document"], lang).to_json()) == v["reports"][lang], v["name"]


def test_vectors_in_a_batch(engine: baokao.Engine, vectors: list[dict[str, Any]]) -> None:
    whole = [v for v in vectors if v["step"] is None]
    results = engine.validate_many([v["document"] for v in whole], lang="en", threads=2)
    assert [json.loads(r.to_json()) for r in results if isinstance(r, baokao.Report)] == [
        v["reports"]["en"] for v in whole
    ]


@pytest.mark.parametrize("name", baokao.packs())
def test_every_shipped_pack_has_passing_vectors(name: str) -> None:
    engine = baokao.load(name)
    for v in load_vectors(name):
        assert json.loads(judge(engine, v, v["document"], "zh").to_json()) == v["reports"]["zh"], v["name"]


def cli() -> Path:
    path = Path(os.environ.get("BAOKAO_CLI") or ROOT / "target" / "release" / "baokao")
    if not path.exists():
        pytest.skip(f"the Rust CLI is not built at {path} (scripts/test-python.sh builds it)")
    return path


@pytest.mark.parametrize("lang", LANGS)
def test_to_json_is_byte_identical_to_the_rust_core(
    engine: baokao.Engine, vectors: list[dict[str, Any]], lang: str, tmp_path: Path
) -> None:
    # The CLI writes `serde_json::to_writer(&report)` per line: the core's own bytes.
    steps = sorted({v["step"] or "" for v in vectors})
    for step in steps:
        group = [v for v in vectors if (v["step"] or "") == step]
        lines = tmp_path / f"apps-{step or 'all'}.jsonl"
        lines.write_text("".join(json.dumps(v["document"], ensure_ascii=False) + "\n" for v in group), encoding="utf-8")
        args = [str(cli()), "check", "--pack", str(PACK_DIR), "--format", "json", "--lang", lang]
        if step:
            args += ["--step", step]
        out = subprocess.run([*args, str(lines)], capture_output=True, text=True, encoding="utf-8")
        assert out.returncode in (0, 1), out.stderr
        rust = out.stdout.splitlines()
        assert len(rust) == len(group)
        for v, expected in zip(group, rust):
            assert judge(engine, v, v["document"], lang).to_json() == expected, v["name"]


def test_mutations_give_the_cores_reports(engine: baokao.Engine) -> None:
    """2,000 seeded mutations of the examples (`baokao test --write-mutations`, written by
    scripts/test-python.sh): messy documents and unreadable text give exactly the core's reports,
    or its error codes, in both languages and step by step."""
    path = ROOT / "target" / "conformance" / "mutations.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2000
    for v in lines:
        app = v["document"] if "document" in v else v["text"]
        for lang in ("zh", "en"):
            try:
                report = (
                    engine.validate_step(v["step"], app, lang=lang)
                    if v["step"]
                    else engine.validate(app, lang=lang)
                )
            except baokao.BaokaoError as e:
                assert "error" in v and e.code == v["error"]["code"], v["name"]
                continue
            assert "reports" in v, f"{v['name']}: the core could not judge it ({v.get('error')})"
            assert report.to_dict() == v["reports"][lang], f"{v['name']} {lang}"
