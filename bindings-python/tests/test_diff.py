"""`baokao.diff`: the core's diff from Python — on the national pack against an overlay, with the
pack's example documents — equal to `baokao diff --format json`, and `python -m baokao diff` over
JSON Lines, CSV and Excel exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import baokao
from conftest import ROOT
from test_cli import flatten, write_csv, write_jsonl


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baokao", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


def test_diff_of_the_national_pack_and_an_overlay(documents: list[dict[str, Any]]) -> None:
    national, hunan = baokao.load("nmec-2024"), baokao.load("nmec-2024-hunan")
    d = baokao.diff(national, hunan, documents)
    assert d.changed
    data = d.to_dict()
    assert [p["id"] for p in data["params"]] == ["assistant_years_cutoff"]
    value = next(k for k in data["params"][0]["keys"] if k["key"] == "value")
    assert (value["old"], value["new"]) == ("2024-08-31", "2024-08-15")
    apps = data["applications"]
    assert apps["checked"] == len(documents)
    # Exactly the documents whose reports differ, by index.
    changed = {
        i
        for i, doc in enumerate(documents)
        if {k: v for k, v in national.validate(doc).to_dict().items() if k != "pack"}
        != {k: v for k, v in hunan.validate(doc).to_dict().items() if k != "pack"}
    }
    assert {c["index"] for c in apps["changes"]} == changed and changed
    assert any(c.get("fires") == ["XF-12.c"] for c in apps["changes"])
    assert "~ assistant_years_cutoff" in d.to_text()
    # Names, paths and engines alike; labels with (input, application) pairs; errors in place.
    same = baokao.diff("nmec-2024", ROOT / "rules" / "nmec-2024-hunan")
    assert same.to_dict()["params"] == data["params"] and "applications" not in same.to_dict()
    labelled = baokao.diff(national, hunan, [("first", documents[0]), ("bad", "{not json"), ("err", baokao.ApplicationError("x", code="invalid_encoding"))])
    unread = labelled.to_dict()["applications"]["unreadable"]
    assert [(u["input"], u["code"]) for u in unread] == [("bad", "malformed_json"), ("err", "invalid_encoding")]
    assert not baokao.diff(national, national, documents[:3]).changed
    with pytest.raises(ValueError):
        baokao.diff(national, hunan, [], lang="fr")
    with pytest.raises(TypeError):
        baokao.diff(national, hunan, [(1, 2, 3)])


def test_the_json_is_the_rust_clis(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    cli = os.environ.get("BAOKAO_CLI")
    if not cli or not Path(cli).exists():
        pytest.skip("BAOKAO_CLI not built")
    apps = write_jsonl(tmp_path / "apps.jsonl", documents)
    old, new = ROOT / "rules" / "nmec-2024", ROOT / "rules" / "nmec-2024-example-dec31"
    rust = subprocess.run([cli, "diff", str(old), str(new), "--format", "json", "--apps", str(apps)], capture_output=True)
    assert rust.returncode == 1, rust.stderr
    pairs = [(f"{apps}:{i}", d) for i, d in enumerate(documents, 1)]
    ours = baokao.diff(baokao.Engine.from_path(old), baokao.Engine.from_path(new), pairs)
    assert ours.to_json() + "\n" == rust.stdout.decode("utf-8")
    text = subprocess.run([cli, "diff", str(old), str(new), "--apps", str(apps)], capture_output=True)
    assert ours.to_text() == text.stdout.decode("utf-8")


def test_python_diff_reads_csv_and_excel_exports(tmp_path: Path, engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    pytest.importorskip("openpyxl")
    from test_excel import write_xlsx

    # Documents a spreadsheet can hold as they are (as test_excel's): no empty strings.
    docs = [d for d in documents if '""' not in json.dumps(d)][:30]
    rows = [flatten(d) for d in docs]
    write_csv(tmp_path / "export.csv", rows)
    write_xlsx(tmp_path / "export.xlsx", engine, rows)
    expected = baokao.diff("nmec-2024", "nmec-2024-hunan", docs).to_dict()["applications"]
    assert expected["changes"], "some of these documents read differently in Hunan"
    for name in ("export.csv", "export.xlsx"):
        out = run("diff", "nmec-2024", "nmec-2024-hunan", "--format", "json", "--apps", name, cwd=tmp_path)
        assert out.returncode == 1, out.stderr
        got = json.loads(out.stdout)["applications"]
        assert got["checked"] == len(docs) and got["counts"] == expected["counts"], name
        assert [c["index"] for c in got["changes"]] == [c["index"] for c in expected["changes"]]
        assert all(c["input"] == f"{name}:{c['index'] + 2}" for c in got["changes"]), name
    same = run("diff", "nmec-2024", "nmec-2024", "--apps", "export.csv", cwd=tmp_path)
    assert same.returncode == 0 and "0 changed" in same.stdout, same.stderr
    missing = run("diff", "nmec-2024", "no-such-pack", cwd=tmp_path)
    assert missing.returncode == 2 and "[io_error]" in missing.stderr
