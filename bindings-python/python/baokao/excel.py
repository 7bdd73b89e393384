"""Excel workbooks for offices: reading an export (``.xlsx``) and writing the findings.

Needs openpyxl, an optional extra: ``pip install "baokao[excel]"``. Nothing here judges anything:
rows are read as the command line reads CSV rows, and the findings are the core's reports laid out
for a reviewer — a summary sheet, one row per application, and the input rows with the failing
cells highlighted and the messages in the cells' comments.
"""

from __future__ import annotations

import datetime
import importlib
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from .errors import BaokaoError

if TYPE_CHECKING:  # pragma: no cover
    from . import Report
    from .cli import Record, Summary
    from .types import ReportDict

__all__ = ["MISSING_OPENPYXL", "FindingsWorkbook", "cell_pointer", "read_rows", "require_openpyxl"]

#: What to do when openpyxl is not installed.
MISSING_OPENPYXL = 'Excel workbooks need openpyxl: pip install "baokao[excel]"'

#: Fill of a cell with an error (the form cannot be submitted as it is).
ERROR_FILL = "FFC7CE"
#: Fill of a cell with a warning or an eligibility finding (a reason, condition or question).
FINDING_FILL = "FFEB9C"
#: The sheets every findings workbook has, in order; input sheets follow.
SUMMARY_SHEET = "Summary"
APPLICATIONS_SHEET = "Applications"
#: The last column of an input sheet: the outcome, and the messages no cell of the row holds.
FINDINGS_COLUMN = "baokao"


def require_openpyxl(module: str = "openpyxl") -> Any:
    """The openpyxl module (or one of its modules), or :class:`ImportError` saying how to install it.
    Imported by name: openpyxl is optional, and typed as ``Any`` here."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(MISSING_OPENPYXL) from e


def read_rows(path: str) -> Iterator[tuple[int, list[str], list[Any]]]:
    """The rows of the first sheet of a workbook after its header row: ``(row number, header,
    cells)``, cells as openpyxl reads them (numbers, dates, text, ``None``); empty rows skipped."""
    openpyxl = require_openpyxl()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        header: Optional[list[str]] = None
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = list(row)
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            yield number, header, cells
    finally:
        workbook.close()


_ITEM = re.compile(r"\[(\d+)\]")


def cell_pointer(column: str) -> str:
    """The JSON pointer of the field a column holds: ``basic.id_number`` → ``/basic/id_number``,
    ``certificates.records[0].cert_no`` (or ``.0.``) → ``/certificates/records/0/cert_no``."""
    return "/" + _ITEM.sub(r".\1", column.strip()).replace(".", "/")


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet title from a file name: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", os.path.splitext(os.path.basename(name))[0]) or "input"
    title, n = base[:31], 1
    while title.lower() in taken or title in (SUMMARY_SHEET, APPLICATIONS_SHEET):
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _writable(value: Any) -> Any:
    """A value openpyxl can write: text, numbers, booleans and dates as they are, anything else as
    its JSON-ish text."""
    if value is None or isinstance(value, (str, int, float, bool, datetime.date, datetime.datetime)):
        return value
    return str(value)


@dataclass
class _Input:
    """An input sheet: its title and header."""

    sheet: Any
    header: list[str]
    pointers: dict[str, int] = field(default_factory=dict)


class FindingsWorkbook:
    """The findings of a batch as a workbook, written as the records are checked (openpyxl's
    write-only mode: memory stays flat however many rows there are).

    Sheets: ``Summary`` (counts by outcome, by rule with an example message, by error code),
    ``Applications`` (one row per application: the CSV output's columns), and one sheet per CSV or
    Excel input holding its rows as read, the cells a diagnostic or finding points at highlighted
    (red: an error; yellow: a warning or an eligibility finding) with the messages in the cell's
    comment, and a last column ``baokao`` with the outcome and the messages no cell holds.
    """

    def __init__(self, path: str, columns: list[str]) -> None:
        openpyxl = require_openpyxl()
        styles = require_openpyxl("openpyxl.styles")
        Alignment, Font, PatternFill = styles.Alignment, styles.Font, styles.PatternFill
        self._cell = require_openpyxl("openpyxl.cell").WriteOnlyCell
        self._comment = require_openpyxl("openpyxl.comments").Comment
        self._fill = {
            "error": PatternFill("solid", fgColor=ERROR_FILL),
            "finding": PatternFill("solid", fgColor=FINDING_FILL),
        }
        self._bold, self._wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        self.path = path
        self.book = openpyxl.Workbook(write_only=True)
        # Sheets are created in reading order; the summary is filled in last.
        self.summary = self.book.create_sheet(SUMMARY_SHEET)
        self.applications = self.book.create_sheet(APPLICATIONS_SHEET)
        self.applications.append([self._header(c) for c in columns])
        self.inputs: dict[str, _Input] = {}
        self._titles: set[str] = set()

    def _header(self, text: str) -> Any:
        cell = self._cell(self.applications, value=text)
        cell.font = self._bold
        return cell

    def application(self, row: list[Any]) -> None:
        """One row of the ``Applications`` sheet (the CSV output's columns)."""
        cells = []
        for value in row:
            cell = self._cell(self.applications, value=_writable(value))
            if isinstance(value, str) and "\n" in value:
                cell.alignment = self._wrap
            cells.append(cell)
        self.applications.append(cells)

    def _input(self, source: str, header: list[str]) -> _Input:
        found = self.inputs.get(source)
        if found is None:
            sheet = self.book.create_sheet(_sheet_title(source, self._titles))
            titles = [*header, FINDINGS_COLUMN]
            sheet.append([self._bold_cell(sheet, t) for t in titles])
            found = _Input(sheet, header, {cell_pointer(h): i for i, h in enumerate(header) if h})
            self.inputs[source] = found
        return found

    def _bold_cell(self, sheet: Any, text: str) -> Any:
        cell = self._cell(sheet, value=text)
        cell.font = self._bold
        return cell

    def input_row(self, record: Record, result: Union[Report, BaokaoError], report: Optional[ReportDict]) -> None:
        """The record's input row, its failing cells highlighted with the messages as comments."""
        if record.header is None or record.cells is None:
            return
        sheet = self._input(record.source, record.header)
        notes: dict[int, list[tuple[str, str]]] = {}
        unplaced: list[str] = []

        def note(pointer: Optional[str], kind: str, text: str) -> None:
            column = sheet.pointers.get(pointer or "")
            if column is None:
                unplaced.append(text)
            else:
                notes.setdefault(column, []).append((kind, text))

        if isinstance(result, BaokaoError):
            summary = f"error {result.code}: {result.message}"
        else:
            summary = f"{'valid' if result.valid else 'invalid'} · {result.outcome}"
            if report is not None:
                for d in report["diagnostics"]:
                    kind = "error" if d["severity"] == "error" else "finding"
                    note(d["path"], kind, f"[{d['severity']}] {d.get('rule') or d['code']}: {d['message']}")
                for label in ("reasons", "conditions", "restrictions"):
                    for f in report["eligibility"][label]:
                        due = f" (by {f['due']})" if f.get("due") else ""
                        note(f.get("path"), "finding", f"[{label[:-1]}] {f['rule']}: {f['message']}{due}")
        cells = []
        for i, value in enumerate([*record.cells, *([None] * (len(record.header) - len(record.cells)))]):
            cell = self._cell(sheet.sheet, value=_writable(value))
            found = notes.get(i)
            if found:
                cell.fill = self._fill["error" if any(k == "error" for k, _ in found) else "finding"]
                cell.comment = self._comment("\n".join(t for _, t in found), "baokao", width=320, height=160)
            cells.append(cell)
        last = self._cell(sheet.sheet, value="\n".join([summary, *unplaced]))
        last.alignment = self._wrap
        cells.append(last)
        sheet.sheet.append(cells)

    def close(self, summary: Summary) -> None:
        """Fill in the summary sheet and write the file."""
        s = self.summary

        def bold(text: str) -> Any:
            return self._bold_cell(s, text)

        s.append([bold("applications"), summary.total])
        s.append([bold("ok (valid and eligible)"), summary.ok])
        s.append([bold("invalid"), summary.invalid])
        s.append([bold("could not be read"), sum(summary.errors.values())])
        s.append([])

        def share(n: int) -> Optional[float]:
            return round(n / summary.total, 4) if summary.total else None

        s.append([bold("outcome"), bold("count"), bold("share")])
        for outcome, count in summary.outcomes.most_common():
            s.append([outcome, count, share(count)])
        s.append([])
        s.append([bold("rule"), bold("count"), bold("share"), bold("example message")])
        for rule, count in sorted(summary.rules.items(), key=lambda kv: (-kv[1], kv[0])):
            s.append([rule, count, share(count), summary.examples.get(rule, "")])
        s.append([])
        s.append([bold("error code"), bold("count"), bold("share")])
        for code, count in summary.errors.most_common():
            s.append([code, count, share(count)])
        self.book.save(self.path)
