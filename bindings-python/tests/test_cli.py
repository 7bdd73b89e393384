"""`python -m baokao`: the command line for offices, over JSON Lines and CSV exports."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import baokao
from baokao import cli
from conftest import PACK_DIR


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baokao", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


def write_jsonl(path: Path, docs: list[Any]) -> Path:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)) + "\n" for d in docs), encoding="utf-8")
    return path


def flatten(doc: dict[str, Any]) -> dict[str, str]:
    """An application as one CSV row: a column per field path, records as `path[i].key` columns."""
    row: dict[str, str] = {}

    def cell(v: Any) -> str:
        return json.dumps(v) if isinstance(v, bool) else str(v)

    for step, fields in doc.items():
        for key, value in fields.items():
            if value is None:
                continue
            if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
                for i, item in enumerate(value):
                    for k, v in item.items():
                        if v is not None:
                            row[f"{step}.{key}[{i}].{k}"] = cell(v)
            elif isinstance(value, list):
                row[f"{step}.{key}"] = json.dumps(value, ensure_ascii=False)
            else:
                row[f"{step}.{key}"] = cell(value)
    return row


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    names = sorted({k for r in rows for k in r})
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, names)
        w.writeheader()
        w.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_jsonl_to_report_csv_and_summary(tmp_path: Path, engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    inputs = write_jsonl(tmp_path / "apps.jsonl", [*documents[:20], "{broken"])
    out = run("check", "--pack", "nmec-2024", "--lang", "en", "-o", "reports.csv", str(inputs), cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # some examples are not eligible, one line is broken
    rows = read_csv(tmp_path / "reports.csv")
    assert list(rows[0]) == cli.REPORT_COLUMNS
    assert len(rows) == 21
    for doc, row in zip(documents[:20], rows):
        report = engine.validate(doc, lang="en")
        assert row["valid"] == ("true" if report.valid else "false")
        assert row["outcome"] == report.outcome
        assert row["route"] == (report.route or "")
        assert int(row["diagnostics"]) == len(report.diagnostics)
        assert row["rules"] == "; ".join(report.fired())
        for d in report.diagnostics:
            assert d["message"] in row["messages"]
    assert rows[0]["line"] == "1" and rows[-1]["line"] == "21"
    assert rows[-1]["error"] == "malformed_json" and rows[-1]["outcome"] == ""
    summary = read_csv(tmp_path / "reports.summary.csv")
    counts = {(r["kind"], r["key"]): int(r["count"]) for r in summary}
    assert counts[("total", "applications")] == 21
    assert counts[("error", "malformed_json")] == 1
    outcomes = [engine.validate(d).outcome for d in documents[:20]]
    for outcome in set(outcomes):
        assert counts[("outcome", outcome)] == outcomes.count(outcome)
    fired = [rule for d in documents[:20] for rule in engine.validate(d).fired()]
    for rule in set(fired):
        assert counts[("rule", rule)] == fired.count(rule)
    assert "checked 21 application(s)" in out.stderr


def test_jsonl_output_is_the_reports(tmp_path: Path, engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    inputs = write_jsonl(tmp_path / "apps.ndjson", [*documents[:5], "[]"])
    out = run("check", "--pack", str(PACK_DIR), "--format", "jsonl", str(inputs), cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert lines[:5] == [engine.validate(d).to_json() for d in documents[:5]]
    assert json.loads(lines[5]) == {
        "error": {"code": "not_an_object", "message": json.loads(lines[5])["error"]["message"], "path": "", "input": f"{inputs}:6"}
    }


def test_csv_input_judges_like_the_json_document(tmp_path: Path, engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    # Example documents without empty strings: an empty CSV cell is an absent field, not "".
    docs = [d for d in documents if '""' not in json.dumps(d)][:40]
    assert docs
    inputs = write_csv(tmp_path / "export.csv", [flatten(d) for d in docs])
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "--threads", "2", str(inputs), cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    assert out.stdout.splitlines() == [engine.validate(d).to_json() for d in docs]


def test_csv_cells_are_typed_by_the_schema(engine: baokao.Engine) -> None:
    columns = cli.schema_columns(engine)
    row = {
        "basic.photo_width": "413",
        "basic.photo_kb": "24.5",
        "account.privacy_agreed": "是",
        "account.wechat_bound": "FALSE",
        "basic.name": " 张三 ",
        "basic.photo_height": "tall",
        "education.major": "",
        "certificates.records[1].cert_no": "B",
        "certificates.records[0].cert_no": "A",
        "extra.column": "kept",
        "id": "row-7",
    }
    app = cli.csv_application(row, columns, "id")
    assert app["basic"] == {"photo_width": 413, "photo_kb": 24.5, "name": " 张三 ", "photo_height": "tall"}
    assert app["account"] == {"privacy_agreed": True, "wechat_bound": False}
    assert "education" not in app  # an empty cell is an absent field
    assert app["certificates"]["records"] == [{"cert_no": "A"}, {"cert_no": "B"}]
    assert app["extra"] == {"column": "kept"}  # the engine reports it as unknown_field
    assert "id" not in app
    assert cli.cell_value("-", cli.Column("integer", dash=True)) == "-"
    assert cli.cell_value("a；b; c", cli.Column("array", item=cli.Column("string"))) == ["a", "b", "c"]
    assert cli.cell_value('["a", 1]', cli.Column("array")) == ["a", 1]
    assert cli.cell_value("7", cli.Column("number")) == 7


def test_from_rows_takes_dataframe_records(engine: baokao.Engine) -> None:
    rows = [{"basic.photo_width": 413, "basic.photo_kb": float("nan"), "basic.name": None, "basic.gender": "男"}]
    assert cli.from_rows(engine, rows) == [{"basic": {"photo_width": 413, "gender": "男"}}]


def test_id_column_and_single_json(tmp_path: Path, full: dict[str, Any]) -> None:
    (tmp_path / "a.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    out = run("check", "--pack", "nmec-2024", "--id", "basic.name", "-o", "-", "a.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    [row] = list(csv.DictReader(out.stdout.splitlines()))
    assert row["id"] == full["basic"]["name"] and row["outcome"] == "eligible"


def test_progress_bar(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    inputs = write_jsonl(tmp_path / "apps.jsonl", documents * 3)
    out = run("check", "--pack", "nmec-2024", "--progress", "-o", "r.csv", str(inputs), cwd=tmp_path)
    assert "100%" in out.stderr and "#" * 30 in out.stderr
    quiet = run("check", "--pack", "nmec-2024", "--no-progress", "-o", "r.csv", str(inputs), cwd=tmp_path)
    assert "[#" not in quiet.stderr and "100%" not in quiet.stderr


def test_stdin(tmp_path: Path, full: dict[str, Any]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "baokao", "check", "--pack", "nmec-2024", "--format", "jsonl", "-"],
        input=json.dumps(full) + "\n", cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
    )
    assert out.returncode == 0 and json.loads(out.stdout)["eligibility"]["outcome"] == "eligible"


def test_a_valid_conditional_candidate_exits_1(tmp_path: Path) -> None:
    """Exit 0 is "valid and eligible" only: a conditional candidate still has something due (the trial
    pass certificate by 08-31), so the batch is not all clear — the same as the Rust CLI."""
    conditional = json.loads((PACK_DIR / "examples" / "b-trial-conditional.json").read_text(encoding="utf-8"))
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", str(write_jsonl(tmp_path / "b.jsonl", [conditional])), cwd=tmp_path)
    report = json.loads(out.stdout)
    assert report["valid"] is True and report["eligibility"]["outcome"] == "conditional"
    assert out.returncode == 1, out.stderr
    assert not baokao.load("nmec-2024").validate(conditional).is_ok()


def test_errors_exit_2(tmp_path: Path) -> None:
    missing = run("check", "--pack", "no-such-pack", "x.jsonl", cwd=tmp_path)
    assert missing.returncode == 2 and "[io_error]" in missing.stderr
    (tmp_path / "x.jsonl").write_text("{}\n", encoding="utf-8")
    assert run("check", "x.jsonl", cwd=tmp_path).returncode == 2  # --pack is required
    assert run("check", "--pack", "nmec-2024", "--format", "xml", "x.jsonl", cwd=tmp_path).returncode == 2
    gone = run("check", "--pack", "nmec-2024", "nope.jsonl", cwd=tmp_path)
    assert gone.returncode == 2 and "nope.jsonl" in gone.stderr
    # An encoding Python does not know, or one whose newline is not the byte `\n`.
    for encoding in ("klingon", "utf-16"):
        bad = run("check", "--pack", "nmec-2024", "--encoding", encoding, "x.jsonl", cwd=tmp_path)
        assert bad.returncode == 2 and f"`{encoding}`" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def test_packs_and_version(tmp_path: Path) -> None:
    assert run("packs", cwd=tmp_path).stdout.split() == baokao.packs()
    assert run("--version", cwd=tmp_path).stdout.strip() == f"baokao {baokao.__version__}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_in_process(tmp_path: Path, full: dict[str, Any], lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_jsonl(tmp_path / "a.jsonl", [full])
    assert cli.main(["check", "--pack", "nmec-2024", "--lang", lang, "--format", "jsonl", str(inputs)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


# --- one bad record never stops the batch ----------------------------------------------------------


def one_line(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def gbk(doc: dict[str, Any]) -> bytes:
    """The application as an office export in GBK may have it: not UTF-8."""
    return json.dumps(doc, ensure_ascii=False).encode("gbk")


def jsonl_records(out: subprocess.CompletedProcess[str]) -> list[str]:
    """What each line of `--format jsonl` output is: an outcome, or an error's code and input."""
    kinds = []
    for line in out.stdout.splitlines():
        value = json.loads(line)
        if "error" in value:
            kinds.append(f"{value['error']['code']} {value['error']['input']}")
        else:
            kinds.append(value["eligibility"]["outcome"])
    return kinds


def test_a_line_that_is_not_utf8_is_its_records_error(tmp_path: Path, full: dict[str, Any]) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"\n".join([one_line(full), gbk(full), one_line(full)]) + b"\n")
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "a.jsonl", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert jsonl_records(out) == ["eligible", "invalid_encoding a.jsonl:2", "eligible"]
    assert "checked 3 application(s): 2 ok, 0 invalid, 1 error(s)" in out.stderr
    csv_out = run("check", "--pack", "nmec-2024", "-o", "r.csv", "a.jsonl", cwd=tmp_path)
    assert csv_out.returncode == 1 and "Traceback" not in csv_out.stderr, csv_out.stderr
    rows = read_csv(tmp_path / "r.csv")
    assert [(r["line"], r["outcome"], r["error"]) for r in rows] == [
        ("1", "eligible", ""),
        ("2", "", "invalid_encoding"),
        ("3", "eligible", ""),
    ]
    # A whole .json document.
    (tmp_path / "b.json").write_bytes(gbk(full))
    single = run("check", "--pack", "nmec-2024", "--format", "jsonl", "b.json", "a.jsonl", cwd=tmp_path)
    assert jsonl_records(single) == ["invalid_encoding b.json:1", "eligible", "invalid_encoding a.jsonl:2", "eligible"]
    # The same records on stdin.
    stdin = subprocess.run(
        [sys.executable, "-m", "baokao", "check", "--pack", "nmec-2024", "--format", "jsonl", "-"],
        input=(tmp_path / "a.jsonl").read_bytes(), cwd=tmp_path, capture_output=True,
    )
    assert stdin.returncode == 1 and b"Traceback" not in stdin.stderr, stdin.stderr
    lines = [json.loads(line) for line in stdin.stdout.splitlines()]
    assert [line.get("error", {}).get("code") for line in lines] == [None, "invalid_encoding", None]
    assert lines[1]["error"]["input"] == "stdin:2"  # as the Rust CLI labels stdin


def test_a_line_invalid_in_the_chosen_encoding_is_its_records_error(tmp_path: Path, full: dict[str, Any]) -> None:
    (tmp_path / "gbk.jsonl").write_bytes(b"\r\n".join([gbk(full), b'{"basic": {"name": "\xff"}}', gbk(full)]) + b"\r\n")
    out = run("check", "--pack", "nmec-2024", "--encoding", "gb18030", "--format", "jsonl", "gbk.jsonl", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert jsonl_records(out) == ["eligible", "invalid_encoding gbk.jsonl:2", "eligible"]


def test_a_csv_row_invalid_in_the_encoding_is_its_records_error(tmp_path: Path, full: dict[str, Any]) -> None:
    path = write_csv(tmp_path / "export.csv", [flatten(full)] * 3)
    lines = path.read_bytes().split(b"\r\n")
    name = full["basic"]["name"].encode("utf-8")
    lines[2] = lines[2].replace(name, full["basic"]["name"].encode("gbk"))
    path.write_bytes(b"\r\n".join(lines))
    out = run("check", "--pack", "nmec-2024", "-o", "r.csv", "export.csv", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    rows = read_csv(tmp_path / "r.csv")
    assert [(r["line"], r["error"]) for r in rows] == [("2", ""), ("3", "invalid_encoding"), ("4", "")]


def test_a_record_of_exactly_the_limit_is_read_without_its_line_terminator(tmp_path: Path) -> None:
    def padded(size: int) -> bytes:
        return b'{"pad":"' + b"x" * (size - len(b'{"pad":""}')) + b'"}'

    limit = baokao.MAX_DOCUMENT_BYTES
    (tmp_path / "a.jsonl").write_bytes(padded(limit) + b"\n" + padded(limit) + b"\r\n" + padded(limit + 1) + b"\n")
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "a.jsonl", cwd=tmp_path)
    kinds = jsonl_records(out)
    assert len(kinds) == 3 and not kinds[0].startswith("document_too_large"), kinds
    assert kinds[1] == kinds[0] and kinds[2] == "document_too_large a.jsonl:3"


def test_an_error_is_located_in_its_record(tmp_path: Path, engine: baokao.Engine, full: dict[str, Any]) -> None:
    (tmp_path / "a.jsonl").write_bytes(one_line(full) + b"\n{\n\r\n" + b"{\r\n")
    records = list(cli.read_records(str(tmp_path / "a.jsonl"), engine, "utf-8-sig", None))
    assert [r.line for r in records] == [1, 2, 4]
    for record in records[1:]:
        with pytest.raises(baokao.ApplicationError) as info:
            engine.validate(record.application)  # type: ignore[arg-type]
        assert (info.value.code, info.value.line, info.value.column) == ("malformed_json", 1, 1)


def test_an_over_long_line_is_its_records_error(tmp_path: Path, full: dict[str, Any]) -> None:
    big = b'{"basic": {"name": "' + b"x" * (3 * baokao.MAX_DOCUMENT_BYTES) + b'"}}'
    (tmp_path / "a.jsonl").write_bytes(b"\n".join([one_line(full), big, one_line(full)]))
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "a.jsonl", cwd=tmp_path)
    assert jsonl_records(out) == ["eligible", "document_too_large a.jsonl:2", "eligible"]


def test_a_byte_order_mark_on_any_input(tmp_path: Path, full: dict[str, Any]) -> None:
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + one_line(full))
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + one_line(full) + b"\n" + one_line(full) + b"\n")
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "a.json", "a.jsonl", cwd=tmp_path)
    assert out.returncode == 0 and jsonl_records(out) == ["eligible"] * 3, out.stderr


def test_a_masked_field_as_id_is_masked(tmp_path: Path, full: dict[str, Any]) -> None:
    number = full["basic"]["id_number"]
    inputs = write_jsonl(tmp_path / "a.jsonl", [full])
    out = run("check", "--pack", "nmec-2024", "--id", "basic.id_number", "-o", "-", str(inputs), cwd=tmp_path)
    [row] = list(csv.DictReader(out.stdout.splitlines()))
    assert row["id"] == number[:3] + "*" * (len(number) - 7) + number[-4:]
    assert number not in out.stdout
    # A CSV column named after the field is the field: masked too.
    export = write_csv(tmp_path / "export.csv", [flatten(full)])
    out = run("check", "--pack", "nmec-2024", "--id", "basic.id_number", "-o", "-", str(export), cwd=tmp_path)
    [row] = list(csv.DictReader(out.stdout.splitlines()))
    assert row["id"] == number[:3] + "*" * (len(number) - 7) + number[-4:]
    # A field the pack does not mask is copied as it is.
    out = run("check", "--pack", "nmec-2024", "--id", "basic.name", "-o", "-", str(inputs), cwd=tmp_path)
    assert next(csv.DictReader(out.stdout.splitlines()))["id"] == full["basic"]["name"]
