"""Offices work in Excel: an .xlsx export read with the CSV column mapping, the findings written as a
workbook and read back with openpyxl, and DataFrames read without ``dtype=str``."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import baokao
from baokao import cli, excel
from test_cli import flatten, read_csv, write_csv

#: Fields an office types as text although their content is digits: read as numbers by Excel and
#: pandas unless told otherwise.
DIGITS = ("basic.mobile", "basic.postcode")


def office_cell(engine: baokao.Engine, column: str, text: str) -> Any:
    """The cell an office's spreadsheet holds for a field's text: digit strings as numbers, dates as
    dates, months as the first day of the month (how Excel stores `2019-09`)."""
    spec = cli.schema_columns(engine).get(column)
    if column in DIGITS and text.isdigit() and not text.startswith("0"):
        return int(text)
    if spec is not None and spec.dates == "date":
        return datetime.date.fromisoformat(text)
    if spec is not None and spec.dates == "month":
        year, month = text.split("-")
        return datetime.datetime(int(year), int(month), 1)
    if spec is not None and spec.kind in ("integer", "number"):
        return json.loads(text)
    if spec is not None and spec.kind == "boolean":
        return text == "true"
    return text


def write_xlsx(path: Path, engine: baokao.Engine, rows: list[dict[str, str]]) -> Path:
    names = sorted({k for r in rows for k in r})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(names)
    for r in rows:
        sheet.append([office_cell(engine, n, r[n]) if n in r else None for n in names])
    book.save(path)
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baokao", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


@pytest.fixture
def docs(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Documents without empty strings (an empty cell is an absent field, not "") or lists of
    # scalars (written as JSON text in a cell).
    return [d for d in documents if '""' not in json.dumps(d)][:30]


def test_an_xlsx_export_judges_like_the_json_documents(tmp_path: Path, engine: baokao.Engine, docs: list[dict[str, Any]]) -> None:
    export = write_xlsx(tmp_path / "export.xlsx", engine, [flatten(d) for d in docs])
    # Mobile numbers are numbers in the workbook and dates are dates, as an office's export has them.
    sheet = openpyxl.load_workbook(export).active
    header = [c.value for c in sheet[1]]
    assert isinstance(sheet.cell(2, header.index("basic.mobile") + 1).value, int)
    assert isinstance(sheet.cell(2, header.index("basic.birth_date") + 1).value, datetime.datetime)
    out = run("check", "--pack", "nmec-2024", "--format", "jsonl", "export.xlsx", cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    assert out.stdout.splitlines() == [engine.validate(d).to_json() for d in docs]
    records = list(cli.read_records(str(export), engine, "utf-8", "basic.name"))
    assert [r.line for r in records] == list(range(2, len(docs) + 2))
    assert [r.id for r in records] == [d["basic"]["name"] for d in docs]


def test_findings_workbook_read_back(tmp_path: Path, engine: baokao.Engine, full: dict[str, Any]) -> None:
    good = flatten(full)
    bad = dict(good)
    bad["basic.id_number"] = good["basic.id_number"][:-1] + ("0" if good["basic.id_number"][-1] != "0" else "1")
    bad["basic.postcode"] = "41000"  # five digits: pattern_mismatch
    export = write_xlsx(tmp_path / "export.xlsx", engine, [good, bad, good])
    out = run("check", "--pack", "nmec-2024", "--lang", "en", "-o", "findings.xlsx", "export.xlsx", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "findings written to findings.xlsx" in out.stderr
    assert not (tmp_path / "findings.summary.csv").exists()  # the summary is the first sheet

    book = openpyxl.load_workbook(tmp_path / "findings.xlsx")
    assert book.sheetnames == ["Summary", "Applications", "export"]

    reports = [engine.validate(a, lang="en") for a in cli.from_rows(engine, [good, bad, good])]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["applications"] == 3
    assert summary["ok (valid and eligible)"] == sum(r.is_ok() for r in reports)
    assert summary["invalid"] == sum(not r.valid for r in reports)
    for rule in reports[1].fired():
        assert summary[rule] == sum(rule in r.fired() for r in reports), rule

    rows = list(book["Applications"].iter_rows(values_only=True))
    assert list(rows[0]) == cli.REPORT_COLUMNS
    for row, report in zip(rows[1:], reports):
        record = dict(zip(cli.REPORT_COLUMNS, row))
        assert (record["input"], record["outcome"], record["valid"]) == ("export.xlsx", report.outcome, str(report.valid).lower())
        assert record["rules"] == ("; ".join(report.fired()) or None)
    assert [r[1] for r in rows[1:]] == [2, 3, 4]  # the rows of the export

    sheet = book["export"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == excel.FINDINGS_COLUMN
    id_cell = sheet.cell(3, header.index("basic.id_number") + 1)
    postcode_cell = sheet.cell(3, header.index("basic.postcode") + 1)
    for cell, code in [(id_cell, "XF-01"), (postcode_cell, "pattern_mismatch")]:
        assert cell.fill.fgColor.rgb.endswith(excel.ERROR_FILL), cell.coordinate
        assert cell.comment is not None and code in cell.comment.text, (cell.coordinate, cell.comment)
        diagnostic = next(d for d in reports[1].diagnostics if d.get("rule", d["code"]) == code)
        assert diagnostic["message"] in cell.comment.text
    # The good rows: nothing highlighted, no comments; their last column says so.
    for r in (2, 4):
        assert all(c.comment is None for c in sheet[r])
        assert sheet.cell(r, len(header)).value.startswith(f"valid · {reports[0].outcome}")
    assert sheet.cell(3, header.index("basic.name") + 1).comment is None
    assert sheet.cell(3, len(header)).value.startswith("invalid · ")


def test_workbook_rows_of_unreadable_records(tmp_path: Path, engine: baokao.Engine, full: dict[str, Any]) -> None:
    # A CSV export with a row over the document limit: its error in the Applications sheet and in
    # the input sheet's last column.
    row = flatten(full)
    huge = dict(row, **{"basic.address": "x" * (baokao.MAX_DOCUMENT_BYTES + 10)})
    write_csv(tmp_path / "export.csv", [row, huge, row])
    out = run("check", "--pack", "nmec-2024", "-o", "out.xlsx", "export.csv", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    book = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    apps = [dict(zip(cli.REPORT_COLUMNS, r)) for r in list(book["Applications"].iter_rows(values_only=True))[1:]]
    assert [(a["line"], a["error"]) for a in apps] == [(2, None), (3, "document_too_large"), (4, None)]
    inputs = list(book["export"].iter_rows(values_only=True))
    assert inputs[2][-1].startswith("error document_too_large")


def test_a_dataframe_read_without_dtype_str(tmp_path: Path, engine: baokao.Engine, docs: list[dict[str, Any]]) -> None:
    pd = pytest.importorskip("pandas")
    rows = [flatten(d) for d in docs]
    write_csv(tmp_path / "export.csv", rows)
    frame = pd.read_csv(tmp_path / "export.csv", encoding="utf-8-sig")  # no dtype=str
    # pandas typed the digits: mobile numbers are integers (floats where a column has gaps).
    assert frame["basic.mobile"].dtype.kind in "if"
    expected = [engine.validate(d).to_json() for d in docs]
    got = engine.validate_many(cli.from_frame(engine, frame))
    assert [r.to_json() for r in got] == expected  # type: ignore[union-attr]
    # A gap makes a column float: 13807311234.0 is still the digits.
    frame.loc[0, "basic.postcode"] = None
    app = cli.from_frame(engine, frame)[1]
    assert app["basic"]["mobile"] == docs[1]["basic"]["mobile"]
    assert "postcode" not in cli.from_frame(engine, frame)[0]["basic"]


def test_typed_cells_follow_the_field(engine: baokao.Engine) -> None:
    columns = cli.schema_columns(engine)
    assert cli.typed_cell(13807311234.0, columns["basic.mobile"]) == "13807311234"
    assert cli.typed_cell(13807311234, columns["basic.mobile"]) == "13807311234"
    assert cli.typed_cell(410005.0, columns["basic.postcode"]) == "410005"
    assert cli.typed_cell(413.0, columns["basic.photo_width"]) == 413
    assert cli.typed_cell(datetime.datetime(1990, 3, 7), columns["basic.birth_date"]) == "1990-03-07"
    assert cli.typed_cell(datetime.datetime(2019, 9, 1), columns["education.grad_date"]) == "2019-09"
    assert cli.typed_cell(datetime.datetime(2023, 8, 1), columns["work.trial_start"]) == "2023-08-01"
    assert cli.typed_cell(1, columns["account.privacy_agreed"]) is True
    # What does not fit stays as it is, for the engine to report.
    assert cli.typed_cell(True, columns["basic.mobile"]) is True
    assert cli.typed_cell(24.5, columns["basic.photo_width"]) == 24.5
    assert columns["work.trial_start"].dates == "date_or_month" and not columns["work.trial_start"].dash
