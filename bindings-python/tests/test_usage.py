"""`python -m baokao` command lines that behave: usage errors are one line and exit 2 before any
input is read; the summary file is named one way; a CSV cell over the csv module's default field
limit is no traceback; stdin records are `stdin:n`; language tags as the core reads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import baokao
from baokao import cli
from test_cli import flatten, read_csv, write_csv, write_jsonl


def run(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baokao", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", input=stdin
    )


USAGE_ERRORS = [
    (["check", "--pack", "nmec-2024", "--lang", "fr", "a.jsonl"], "unknown language `fr`"),
    (["check", "--pack", "nmec-2024", "--threads", "0", "a.jsonl"], "`--threads 0`: at least 1"),
    (["check", "--pack", "nmec-2024", "--threads", "many", "a.jsonl"], "`many` is not a number of threads"),
    (["check", "--pack", "nmec-2024", "--step", "nosuch", "a.jsonl"], "[unknown_step] unknown step `nosuch`"),
    (["check", "--pack", "nmec-2024", "--format", "xml", "a.jsonl"], "invalid choice: 'xml'"),
    (["check", "--pack", "nmec-2024", "--encoding", "klingon", "a.jsonl"], "unknown encoding `klingon`"),
    (["check", "--pack", "nmec-2024", "nope.jsonl"], "cannot read `nope.jsonl`"),
    (["check", "--pack", "nmec-2024", "--format", "xlsx", "a.jsonl"], "give `-o FILE.xlsx`"),
    (["check", "--pack", "nmec-2024", "old.xls"], "save the export as .xlsx"),
    (["check", "a.jsonl"], "the following arguments are required: --pack"),
    (["check", "--pack", "nmec-2024"], "the following arguments are required: inputs"),
    (["diff", "nmec-2024"], "the following arguments are required: new"),
    (["diff", "nmec-2024", "nmec-2024-hunan", "--apps", "nope.csv"], "cannot read `nope.csv`"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize(("args", "needle"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, full: dict[str, Any], args: list[str], needle: str) -> None:
    write_jsonl(tmp_path / "a.jsonl", [full] * 50)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith("baokao: ") and needle in out.stderr, out.stderr
    assert "--help" in out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize(("args", "needle"), [e for e in USAGE_ERRORS if e[0][0] == "check" and "--pack" in e[0] and "inputs" not in e[1]])
def test_usage_errors_come_before_any_input_is_read(
    tmp_path: Path, full: dict[str, Any], args: list[str], needle: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [full])
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    monkeypatch.chdir(tmp_path)

    def read(*_: Any, **__: Any) -> Any:
        raise AssertionError("input read before the usage error")

    monkeypatch.setattr(cli, "read_records", read)
    try:
        status = cli.main(args)
    except SystemExit as e:  # argparse's own errors
        status = int(e.code or 0)
    assert status == 2
    assert needle in capsys.readouterr().err


def test_summary_is_named_after_the_output(tmp_path: Path, full: dict[str, Any]) -> None:
    write_jsonl(tmp_path / "a.jsonl", [full])
    for output, summary in [("out.csv", "out.summary.csv"), ("reports", "reports.summary.csv"), ("r.jsonl", "r.summary.csv")]:
        fmt = ["--format", "jsonl"] if output.endswith(".jsonl") else []
        out = run("check", "--pack", "nmec-2024", *fmt, "-o", output, "a.jsonl", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert (tmp_path / summary).is_file(), (output, sorted(p.name for p in tmp_path.iterdir()))
        assert f"summary written to {summary}" in out.stderr
        assert cli.summary_path(output, None, "csv") == summary
    explicit = run("check", "--pack", "nmec-2024", "-o", "x.csv", "--summary", "s.csv", "a.jsonl", cwd=tmp_path)
    assert explicit.returncode == 0 and (tmp_path / "s.csv").is_file() and not (tmp_path / "x.summary.csv").exists()
    # Not to a file: no summary file (before, `-o /dev/null` wrote `/dev/null.summary.csv`).
    assert not os.path.exists("/dev/null.summary.csv")
    quiet = run("check", "--pack", "nmec-2024", "-o", os.devnull, "a.jsonl", cwd=tmp_path)
    try:
        assert quiet.returncode == 0 and "summary written" not in quiet.stderr, quiet.stderr
        assert not os.path.exists(os.devnull + ".summary.csv")
    finally:
        if os.path.isfile(os.devnull + ".summary.csv"):
            os.remove(os.devnull + ".summary.csv")
    assert cli.summary_path("-", None, "csv") is None and cli.summary_path(None, None, "csv") is None
    assert cli.summary_path("f.xlsx", None, "xlsx") is None


def test_a_csv_cell_over_the_default_field_limit(tmp_path: Path, engine: baokao.Engine, full: dict[str, Any]) -> None:
    """A cell over 131,072 characters (the csv module's default limit) is judged like any other; a
    row over the 1 MiB document limit is that row's `document_too_large`; the batch goes on."""
    row = flatten(full)
    long = dict(row, **{"basic.address": "长" * 150_000})  # 450,000 bytes: within the limit
    huge = dict(row, **{"basic.address": "x" * (2 * baokao.MAX_DOCUMENT_BYTES)})
    multi = dict(row, **{"basic.address": "line one\nline two"})
    write_csv(tmp_path / "export.csv", [row, long, huge, multi, row])
    out = run("check", "--pack", "nmec-2024", "-o", "r.csv", "export.csv", cwd=tmp_path)
    assert "Traceback" not in out.stderr and out.returncode == 1, out.stderr
    rows = read_csv(tmp_path / "r.csv")
    assert [(r["line"], r["error"]) for r in rows] == [("2", ""), ("3", ""), ("4", "document_too_large"), ("6", ""), ("7", "")]
    expected = engine.validate(cli.from_rows(engine, [long])[0])
    assert rows[1]["outcome"] == expected.outcome and rows[1]["rules"] == "; ".join(expected.fired())
    assert "more than the limit of 1048576" in rows[2]["messages"]


def test_stdin_records_are_labelled_stdin(tmp_path: Path, full: dict[str, Any]) -> None:
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "-", cwd=tmp_path, stdin=json.dumps(full) + "\n{bad\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[1]["error"]["input"] == "stdin:2"  # as the Rust CLI says
    csv_out = run("check", "--pack", "nmec-2024", "-", cwd=tmp_path, stdin=json.dumps(full) + "\n")
    assert csv_out.stdout.splitlines()[1].startswith("stdin,1,")


ZH_TAGS = ["zh", "ZH", "zh-CN", "zh_CN", "zh-Hans", "zh-Hans-CN"]
EN_TAGS = ["en", "EN", "en-US", "en-us", "en-GB", "en_GB"]
REFUSED = ["", "fr", "fr-FR", "english", "zho", "zh-", "en--US", "en-toolongsubtag"]


def test_language_tags(engine: baokao.Engine, full: dict[str, Any]) -> None:
    nursing = json.loads((Path(__file__).resolve().parents[2] / "rules/nmec-2024/examples/c-nursing-ineligible.json").read_text(encoding="utf-8"))
    zh, en = engine.validate(nursing, lang="zh"), engine.validate(nursing, lang="en")
    assert zh != en
    for tag in ZH_TAGS:
        assert baokao.language(tag) == "zh" and engine.validate(nursing, lang=tag) == zh, tag
    for tag in EN_TAGS:
        assert baokao.language(tag) == "en" and engine.validate(nursing, lang=tag) == en, tag
    for tag in REFUSED:
        with pytest.raises(ValueError, match="unknown language"):
            baokao.language(tag)
        with pytest.raises(ValueError, match="starting with zh or en"):
            engine.validate(nursing, lang=tag)
        with pytest.raises(ValueError):
            engine.validate_many([nursing], lang=tag)


def test_a_csv_row_the_parser_refuses_is_its_records_error(tmp_path: Path, full: dict[str, Any]) -> None:
    path = write_csv(tmp_path / "export.csv", [flatten(full)] * 3)
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b",", b"\r,", 1)  # a bare carriage return outside quotes
    path.write_bytes(b"\r\n".join(lines))
    out = run("check", "--pack", "nmec-2024", "-o", "r.csv", "export.csv", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    rows = read_csv(tmp_path / "r.csv")
    assert [(r["line"], r["error"]) for r in rows] == [("2", ""), ("3", "malformed_csv"), ("4", "")]
