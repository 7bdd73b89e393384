"""The command line for offices: check exported registrations against a rule pack, and see what a
new pack changes for them.

::

    python -m baokao check --pack nmec-2024 --lang zh -o reports.csv export.csv
    python -m baokao check --pack nmec-2024 -o findings.xlsx export.xlsx
    python -m baokao check --pack rules/nmec-2024-hunan --format jsonl -o reports.jsonl export.jsonl
    python -m baokao diff nmec-2024 nmec-2024-hunan --apps export.xlsx
    python -m baokao packs

Inputs are JSON Lines (``.jsonl``/``.ndjson``, or ``-`` for stdin), CSV (``.csv``) and Excel
(``.xlsx``, with ``pip install "baokao[excel]"``) with one column per field path such as
``education.major``, or single JSON documents (``.json``). The output is one row per application
(CSV for a spreadsheet, JSON Lines of the reports themselves, or an Excel workbook of the findings),
and a summary by outcome, by rule and by error code: with ``-o FILE``, in ``FILE`` with its
extension replaced by ``.summary.csv`` (``out.csv`` → ``out.summary.csv``), or ``--summary FILE``; a
workbook has it as its first sheet. Exit status: 0 every application valid and eligible (a
``conditional`` candidate still has something due: 1), 1 some not (or unreadable), 2 a usage or
pack error — a usage error is one line on stderr, before any input is read.

Inputs are read as they are checked, a record at a time: a record that cannot be read (a line its
``--encoding`` cannot decode, not JSON, over the 1 MiB limit) is that record's error, located by its
file line, and the others are still checked.
"""

from __future__ import annotations

import argparse
import codecs
import collections
import contextlib
import csv
import datetime
import itertools
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, ContextManager, Iterable, Iterator, NoReturn, Optional, TextIO, Union

from . import MAX_DOCUMENT_BYTES, Engine, Report, __version__, diff, engine_of, language, packs
from . import excel
from .errors import ApplicationError, BaokaoError
from .types import ReportDict

__all__ = ["from_frame", "from_rows", "main"]

#: Applications handed to the engine per call: large enough for every core, small enough for the
#: progress bar to move.
BATCH = 2048
#: Bytes of JSON text held at once, at most: a batch is handed over when it reaches either bound.
BATCH_BYTES = 64 * 1024 * 1024

#: Columns of the output CSV, one row per application.
REPORT_COLUMNS = [
    "input",
    "line",
    "id",
    "valid",
    "outcome",
    "route",
    "diagnostics",
    "rules",
    "messages",
    "error",
]

Application = Union[str, bytes, dict[str, Any]]


@dataclass
class Record:
    """One application read from an input file, with where it came from: its file line (the last
    line of a CSV row), and ``error`` instead of an application when it could not be read (a line
    over the size limit, or one its encoding cannot decode)."""

    source: str
    line: int
    application: Application
    id: str = ""
    error: Optional[BaokaoError] = None
    #: For a CSV or Excel row: the input's header and the row's cells as read (for a workbook's
    #: input sheet).
    header: Optional[list[str]] = None
    cells: Optional[list[Any]] = None


# --- reading CSV with the pack's schema --------------------------------------------------------


@dataclass
class Column:
    """How to turn the cells of one field's column into JSON values, from the JSON Schema."""

    kind: str  # "string", "integer", "number", "boolean", "array", "records"
    dash: bool = False  # "-" means "not applicable" for this field
    item: Optional[Column] = None  # lists: the item; records: unused
    items: dict[str, Column] = field(default_factory=dict)  # records: the item fields
    #: The pack's type of the field when it is a date: "date", "month", "date_or_month" or
    #: "datetime" (how a date cell is written); "" otherwise.
    dates: str = ""


#: The field types whose values are dates written as text.
_DATES = ("date", "month", "date_or_month", "datetime")


def _column(spec: dict[str, Any]) -> Column:
    # A `dash` field is `anyOf: [its schema, {"const": "-"}]` with no type of its own (a
    # `date_or_month` field has a type and an `anyOf` of its two forms).
    dash = "type" not in spec and any(isinstance(a, dict) and a.get("const") == "-" for a in spec.get("anyOf") or [])
    if dash:
        spec = spec["anyOf"][0]
    types = spec.get("type", "string")
    kinds = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    kind = kinds[0] if kinds else "string"
    column = Column(kind, dash)
    item = spec.get("items")
    if kind == "array" and isinstance(item, dict):
        if item.get("type") == "object":
            column.kind = "records"
            column.items = {k: _column(v) for k, v in item.get("properties", {}).items()}
        else:
            column.item = _column(item)
    return column


def schema_columns(engine: Engine) -> dict[str, Column]:
    """Every field path of the pack (``education.major``) with how to read its cells: the JSON
    Schema export's types, and for date fields the pack's own type (the bundle's ``fields``), which
    says how a date cell is written."""
    columns: dict[str, Column] = {}
    for step, step_schema in engine.schema().get("properties", {}).items():
        for key, spec in step_schema.get("properties", {}).items():
            columns[f"{step}.{key}"] = _column(spec)
    for f in json.loads(engine.bundle())["pack"]["fields"]:
        if f["type"] not in _DATES:
            continue
        parent, _, item = f["path"].partition("[].")
        column = columns.get(parent)
        if item and column is not None:
            column = column.items.get(item)
        if column is not None:
            column.dates = f["type"]
    return columns


_TRUE = {"true", "t", "yes", "y", "1", "是", "√"}
_FALSE = {"false", "f", "no", "n", "0", "否", "×"}
_ITEM_COLUMN = re.compile(r"^(?P<field>.+?)(?:\[(?P<i>\d+)\]|\.(?P<j>\d+))\.(?P<key>[^.\[\]]+)$")


def cell_value(cell: str, column: Optional[Column]) -> Any:
    """A CSV cell as the JSON value the field expects.

    A cell that does not read as the field's type stays text, so the engine reports it
    (``type_mismatch``) exactly as it would for a JSON document; nothing is judged here.
    """
    if column is None:
        return cell
    text = cell.strip()
    if column.dash and text == "-":
        return "-"
    try:
        if column.kind == "integer":
            return int(text)
        if column.kind == "number":
            try:
                return int(text)
            except ValueError:
                return float(text)
        if column.kind == "boolean":
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            return cell
        if column.kind in ("array", "records"):
            if text.startswith("["):
                return json.loads(text)
            if column.kind == "array":
                parts = [p for p in re.split(r"[;；]", text) if p.strip()]
                return [cell_value(p.strip(), column.item) for p in parts]
    except ValueError:
        return cell
    return cell


def _plain(cell: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds (``numpy.int64(5)`` → ``5``)."""
    item = getattr(cell, "item", None)
    if callable(item) and hasattr(cell, "dtype"):
        try:
            return item()
        except (TypeError, ValueError):
            return cell
    return cell


def _date_text(cell: Union[datetime.date, datetime.datetime], dates: str) -> str:
    """A date or timestamp cell (Excel, pandas) written as the field's type reads it."""
    if dates == "datetime" and isinstance(cell, datetime.datetime):
        return cell.isoformat()
    day = cell.date() if isinstance(cell, datetime.datetime) else cell
    if dates == "month":
        return day.strftime("%Y-%m")
    if isinstance(cell, datetime.datetime) and cell.time() != datetime.time() and dates == "":
        return cell.isoformat()
    return day.isoformat()


def typed_cell(cell: Any, column: Optional[Column]) -> Any:
    """A cell that already has a type (a DataFrame's, a workbook's) as the JSON value its field
    takes: an integer-valued number in a text field is its digits (``13807311234``, never
    ``13807311234.0``), a whole float in an integer field an ``int``, a date in a date or month field
    its ``YYYY-MM-DD`` or ``YYYY-MM``. Text goes through :func:`cell_value`; anything else stays as it
    is, so the engine reports what does not fit (``type_mismatch``), as for a JSON document."""
    cell = _plain(cell)
    if isinstance(cell, str):
        return cell_value(cell, column)
    if column is None or isinstance(cell, bool):
        return cell
    if column.kind == "string":
        if isinstance(cell, int):
            return str(cell)
        if isinstance(cell, float) and cell == cell and cell not in (float("inf"), float("-inf")):
            return str(int(cell)) if cell.is_integer() else repr(cell)
        if isinstance(cell, (datetime.date, datetime.datetime)):
            return _date_text(cell, column.dates)
        if hasattr(cell, "to_pydatetime"):  # a pandas Timestamp
            return _date_text(cell.to_pydatetime(), column.dates)
    if column.kind == "integer" and isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if column.kind == "boolean" and isinstance(cell, int) and cell in (0, 1):
        return bool(cell)
    return cell


def _put(app: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = app
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[last] = value


def _absent(cell: Any) -> bool:
    # None, "" (or only spaces), NaN and NaT (how pandas reads an empty cell) are all an empty cell.
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return True
    if isinstance(cell, (bytes, list, dict, tuple)):
        return False
    try:
        return bool(cell != cell)
    except (TypeError, ValueError):
        return False


def csv_application(
    row: dict[str, Any], columns: dict[str, Column], id_column: Optional[str] = None
) -> dict[str, Any]:
    """One row keyed by field path as an application: empty cells are absent, text cells typed by
    the schema, cells that already have a type (a DataFrame's numbers) kept as they are."""
    app: dict[str, Any] = {}
    items: dict[str, dict[int, dict[str, Any]]] = {}
    for name, cell in row.items():
        if not isinstance(name, str) or _absent(cell):
            continue
        name = name.strip()
        if name == id_column and name not in columns:
            continue  # an identifier of the export, not a field of the form
        match = _ITEM_COLUMN.match(name)
        if name not in columns and match and match["field"] in columns:
            records = columns[match["field"]]
            index = int(match["i"] if match["i"] is not None else match["j"])
            key = match["key"]
            value = typed_cell(cell, records.items.get(key))
            items.setdefault(match["field"], {}).setdefault(index, {})[key] = value
            continue
        _put(app, name, typed_cell(cell, columns.get(name)))
    for path, rows in items.items():
        _put(app, path, [rows[i] for i in sorted(rows)])
    return app


def from_rows(engine: Engine, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Applications from flat rows keyed by field path (``education.major``): a CSV export read
    with :class:`csv.DictReader`, or a DataFrame's records (``df.to_dict(orient="records")``).

    Cells are read as ``check`` reads CSV and Excel: empty, ``None``, NaN or NaT is absent; text is
    typed by the pack's schema (anything unreadable stays text, for the engine to report); typed
    cells are converted by their field's type (:func:`typed_cell`).
    """
    columns = schema_columns(engine)
    return [csv_application(row, columns) for row in rows]


def from_frame(engine: Engine, frame: Any) -> list[dict[str, Any]]:
    """Applications from a pandas (or polars) DataFrame whose columns are field paths, however it
    was read: cells are converted by the pack's schema, not by the frame's dtypes — a mobile number
    or postcode that ``read_csv``/``read_excel`` made an integer (or a float, in a column with
    gaps) is its digits again, a timestamp in a month field its ``YYYY-MM``, a gap absent. No pandas
    import: any object with ``to_dict(orient="records")`` or ``to_dicts()`` will do."""
    rows = frame.to_dicts() if hasattr(frame, "to_dicts") else frame.to_dict(orient="records")
    return from_rows(engine, rows)


def _lookup(app: Any, path: str) -> str:
    for name in path.split("."):
        if not isinstance(app, dict):
            return ""
        app = app.get(name)
    return "" if app is None else str(app)


# --- reading inputs -----------------------------------------------------------------------------

#: Most bytes of one record held in memory: the document limit, a byte order mark and a carriage
#: return. A longer line is over the limit whatever it holds: it is read through and counted, never
#: kept, so memory stays bounded by the largest document accepted whatever the input's size.
HOLD = MAX_DOCUMENT_BYTES + 4
_BOM = codecs.BOM_UTF8
#: Bytes read at a time while counting a line too long to hold.
_SKIP = 64 * 1024


class Meter:
    """Bytes read from the inputs so far, for the progress bar."""

    def __init__(self) -> None:
        self.read = 0


def _too_large(size: int) -> ApplicationError:
    # The core's message for the same code: the Python CLI never hands it a record it cannot hold.
    message = f"application is {size} bytes, more than the limit of {MAX_DOCUMENT_BYTES}"
    return ApplicationError(message, code="document_too_large")


def _oversize(head: bytes, rest: int) -> int:
    """The size of a record too large to hold, of which ``head`` was read and ``rest`` counted."""
    return len(head) + rest - (len(_BOM) if head.startswith(_BOM) else 0)


def _undecodable(e: UnicodeDecodeError, encoding: str, first_line: int = 1) -> ApplicationError:
    """The error of text ``encoding`` cannot decode, located as the core locates bytes that are not
    UTF-8: line (counted from ``first_line``) and 1-based byte column of the first bad byte."""
    data: bytes = e.object
    line = first_line + data.count(b"\n", 0, e.start)
    column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
    byte = data[e.start : e.start + 1].hex().upper() or "00"
    message = f"text is not {encoding} at line {line}, column {column} (byte `0x{byte}`)"
    return ApplicationError(message, code="invalid_encoding", line=line, column=column)


def raw_lines(f: BinaryIO, meter: Meter) -> Iterator[tuple[int, Union[bytes, int]]]:
    """The lines of a file, numbered from 1, with their terminator; for a line longer than
    :data:`HOLD`, its size in bytes (without terminator and byte order mark) instead."""
    n = 0
    while True:
        line = f.readline(HOLD + 1)
        if not line:
            return
        n += 1
        meter.read += len(line)
        if line.endswith(b"\n") or len(line) <= HOLD:
            yield n, line
            continue
        rest, last = 0, line[-1:]
        while chunk := f.readline(_SKIP):
            meter.read += len(chunk)
            if chunk.endswith(b"\n"):
                rest += len(chunk) - 1
                last = chunk[-2:-1] or last
                break
            rest, last = rest + len(chunk), chunk[-1:]
        yield n, _oversize(line, rest - (last == b"\r"))


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
    return line[:-1] if line.endswith(b"\r") else line


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def _ident(engine: Engine, id_field: Optional[str], value: str) -> str:
    # A field the pack masks (an ID number) is written as reports show it, never in full.
    return engine.mask(id_field, value) if id_field and value else value


def _document(path: str, f: BinaryIO, engine: Engine, encoding: str, id_field: Optional[str], meter: Meter) -> Record:
    data = f.read(HOLD)
    meter.read += len(data)
    if len(data) == HOLD:
        rest = 0
        while chunk := f.read(_SKIP):
            meter.read += len(chunk)
            rest += len(chunk)
        return Record(path, 1, "", error=_too_large(_oversize(data, rest)))
    return _record(path, 1, data, engine, encoding, id_field)


def _record(path: str, n: int, data: bytes, engine: Engine, encoding: str, id_field: Optional[str]) -> Record:
    """One JSON record: UTF-8 is handed to the engine as bytes (the core checks the encoding and
    locates a bad byte); another encoding is decoded here."""
    app: Union[str, bytes] = data
    if not _is_utf8(encoding):
        try:
            app = data.decode(encoding)
        except UnicodeDecodeError as e:
            return Record(path, n, "", error=_undecodable(e, encoding))
    ident = _ident(engine, id_field, _lookup(_loads(app), id_field)) if id_field else ""
    return Record(path, n, app, ident)


def _malformed_csv(message: str, line: int) -> ApplicationError:
    return ApplicationError(f"the CSV row ending on line {line} cannot be read: {message}", code="malformed_csv", line=line)


def _csv_records(
    path: str, source: str, f: BinaryIO, engine: Engine, encoding: str, id_field: Optional[str], meter: Meter
) -> Iterator[Record]:
    # The file is cut into rows here, before the parser sees it: a row ends at a line end outside
    # quotes (an even number of `"` so far; `""` escapes keep the count even). Lines are decoded one
    # by one, so a line the encoding cannot read is the error of its row; a row over the document
    # limit is `document_too_large` and is counted, never held, so the parser never meets a field
    # larger than its limit and memory stays bounded. The parser gets one row at a time (a
    # stand-in for a row in error) and reads on.
    csv.field_size_limit(max(csv.field_size_limit(), HOLD))
    rows: collections.deque[tuple[int, Optional[BaokaoError]]] = collections.deque()

    def logical_rows() -> Iterator[str]:
        held: list[str] = []
        total, quotes, last, problem = 0, 0, 0, None

        def end(n: int, eol: int) -> str:
            size = total - eol
            error = _too_large(size) if size > MAX_DOCUMENT_BYTES else problem
            rows.append((n, error))
            return "\n" if error else "".join(held)

        for n, line in raw_lines(f, meter):
            last = n
            if isinstance(line, int):
                # Not held, so its quotes are not counted: the row ends with it.
                total += line + 1
                yield end(n, 1)
                held, total, quotes, problem = [], 0, 0, None
                continue
            total += len(line)
            quotes += line.count(b'"')
            if total <= HOLD:
                try:
                    held.append(line.decode(encoding))
                except UnicodeDecodeError as e:
                    problem = problem or _undecodable(e, encoding, n)
            else:
                held = []
            if quotes % 2 == 0:
                eol = 2 if line.endswith(b"\r\n") else 1 if line.endswith(b"\n") else 0
                yield end(n, eol)
                held, total, quotes, problem = [], 0, 0, None
        if total:
            # A quote left open at the end of the file: the parser reads the rest as its field.
            yield end(last, 0)

    columns = schema_columns(engine)
    reader = csv.reader(logical_rows())
    names: list[str] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            line, _ = rows.popleft()
            if names:
                yield Record(source, line, "", error=_malformed_csv(str(e), line))
            continue
        line, error = rows.popleft()
        if not names:
            names = [c.strip() for c in cells]
            continue
        if error is not None:
            yield Record(source, line, "", error=error, header=names, cells=[])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(names, cells))
        app = csv_application(row, columns, id_field)
        ident = _ident(engine, id_field, row.get(id_field) or "") if id_field else ""
        yield Record(source, line, app, ident, header=names, cells=list(cells))


def _xlsx_records(path: str, engine: Engine, id_field: Optional[str]) -> Iterator[Record]:
    """The rows of an Excel export's first sheet, after its header row; cells converted by their
    fields' types (:func:`typed_cell`)."""
    columns = schema_columns(engine)
    for number, header, cells in excel.read_rows(path):
        size = sum(len(str(c).encode("utf-8")) for c in cells if c is not None)
        if size > MAX_DOCUMENT_BYTES:
            yield Record(path, number, "", error=_too_large(size), header=header, cells=[])
            continue
        row = {name: cell for name, cell in zip(header, cells) if name}
        app = csv_application(row, columns, id_field)
        ident = ""
        if id_field and not _absent(row.get(id_field)):
            ident = _ident(engine, id_field, str(typed_cell(row[id_field], Column("string"))))
        yield Record(path, number, app, ident, header=header, cells=cells)


def read_records(
    path: str, engine: Engine, encoding: str, id_field: Optional[str], meter: Optional[Meter] = None
) -> Iterator[Record]:
    """The applications of one input file, in order, read lazily as they are asked for: a record
    holds at most :data:`HOLD` bytes, whatever the file's size. Records of stdin (``-``) are
    labelled ``stdin``, as the Rust command line labels them."""
    meter = meter or Meter()
    lower = path.lower()
    source = "stdin" if path == "-" else path
    if lower.endswith(".xlsx"):
        yield from _xlsx_records(path, engine, id_field)
        return
    with _open(path) as f:
        if lower.endswith(".csv"):
            yield from _csv_records(path, source, f, engine, encoding, id_field, meter)
        elif lower.endswith(".json"):
            yield _document(source, f, engine, encoding, id_field, meter)
        else:
            for n, line in raw_lines(f, meter):
                if isinstance(line, int):
                    yield Record(source, n, "", error=_too_large(line))
                elif line.strip():
                    # The record is its line without the terminator: its size is the document's,
                    # and a position in it is on its line 1.
                    yield _record(source, n, _strip_eol(line), engine, encoding, id_field)


def _open(path: str) -> ContextManager[BinaryIO]:
    if path == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    return open(path, "rb")


def _loads(text: Union[str, bytes]) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- writing results ----------------------------------------------------------------------------


def _messages(report: ReportDict) -> str:
    lines = []
    for d in report["diagnostics"]:
        lines.append(f"[{d['severity']}] {d.get('rule') or d['code']} {d['path']}: {d['message']}")
    eligibility = report["eligibility"]
    for label in ("reasons", "conditions", "restrictions"):
        for f in eligibility[label]:
            due = f" (by {f['due']})" if f.get("due") else ""
            lines.append(f"[{label[:-1]}] {f['rule']}: {f['message']}{due}")
    return "\n".join(lines)


@dataclass
class Summary:
    """Counts for the reviewer: by outcome, by rule, by error code."""

    total: int = 0
    ok: int = 0
    invalid: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, result: Union[Report, BaokaoError], report: Optional[ReportDict]) -> None:
        self.total += 1
        if isinstance(result, BaokaoError):
            self.errors[result.code] += 1
            return
        self.ok += result.is_ok()
        self.invalid += not result.valid
        self.outcomes[result.outcome] += 1
        for rule in result.fired():
            self.rules[rule] += 1
        if report is not None:
            for d in report["diagnostics"]:
                self.examples.setdefault(d.get("rule") or d["code"], d["message"])
            for kind in ("reasons", "conditions", "restrictions"):
                for f in report["eligibility"][kind]:
                    if f["code"] != "undetermined":  # what is missing, not what the rule says
                        self.examples.setdefault(f["rule"], f["message"])

    def line(self) -> str:
        errors = sum(self.errors.values())
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (
            f"checked {self.total} application(s): {self.ok} ok, {self.invalid} invalid, "
            f"{errors} error(s); {outcomes or 'no outcomes'}"
        )

    def write_csv(self, out: TextIO) -> None:
        w = csv.writer(out)
        w.writerow(["kind", "key", "count", "share", "example_message"])

        def row(kind: str, key: str, count: int, example: str = "") -> None:
            share = f"{count / self.total:.1%}" if self.total else ""
            w.writerow([kind, key, count, share, example])

        row("total", "applications", self.total)
        row("total", "ok", self.ok)
        row("total", "invalid", self.invalid)
        for outcome, count in self.outcomes.most_common():
            row("outcome", outcome, count)
        for rule, count in sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0])):
            row("rule", rule, count, self.examples.get(rule, ""))
        for code, count in self.errors.most_common():
            row("error", code, count)


class Progress:
    """A plain-text progress bar on stderr, for long runs in a terminal: records checked, and the
    share of the inputs read when their size is known (files, not stdin)."""

    def __init__(self, total_bytes: Optional[int], meter: Meter, enabled: bool) -> None:
        self.total = total_bytes
        self.meter = meter
        self.enabled = enabled
        self.start = time.perf_counter()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        line = f"{done:,} checked {rate:,.0f}/s"
        if self.total:
            width = 30
            share = min(self.meter.read, self.total) / self.total
            filled = int(width * share)
            line = f"[{'#' * filled}{'-' * (width - filled)}] {int(share * 100)}% {line}"
        sys.stderr.write(f"\r{line}")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


# --- the command --------------------------------------------------------------------------------


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Records in batches of at most :data:`BATCH` records and :data:`BATCH_BYTES` bytes of text."""
    batch: list[Record] = []
    held = 0
    for record in records:
        batch.append(record)
        if isinstance(record.application, (str, bytes)):
            held += len(record.application)
        if len(batch) >= BATCH or held >= BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _input_bytes(paths: list[str]) -> Optional[int]:
    """The inputs' total size, when every one is a regular file read as bytes (not a workbook)."""
    total = 0
    for path in paths:
        if path == "-" or not os.path.isfile(path) or path.lower().endswith(".xlsx"):
            return None
        total += os.path.getsize(path)
    return total


def _encoding_problem(encoding: str) -> Optional[str]:
    """Why ``encoding`` cannot read the inputs, which are split into lines as bytes."""
    try:
        encoder = codecs.getincrementalencoder(encoding)()
    except LookupError:
        return f"unknown encoding `{encoding}`"
    encoder.encode("a")  # past a byte order mark
    if encoder.encode("\n") != b"\n":
        return f"encoding `{encoding}` is not supported: lines are split at the byte `\\n` (UTF-8, GB18030 … are)"
    return None


class UsageError(Exception):
    """A wrong command line: one line on stderr and exit 2, before any input is read."""


def _usable(args: argparse.Namespace, engine: Engine, inputs: list[str], workbook: bool) -> None:
    """Check everything about a command line that can be checked before reading any input."""
    if args.step is not None:
        try:
            engine.validate_step(args.step, {})  # the core names the steps it knows
        except ApplicationError as e:
            if e.code == "unknown_step":
                raise UsageError(f"[{e.code}] {e.message}") from None
    for path in inputs:
        if path == "-":
            if any(p == "-" for p in inputs[inputs.index(path) + 1 :]):
                raise UsageError("`-` (stdin) can be given once")
            continue
        if path.lower().endswith((".xls", ".xlsm", ".xlsb", ".ods")):
            raise UsageError(f"`{path}`: save the export as .xlsx (Excel 2007 or later) or CSV")
        try:
            open(path, "rb").close()
        except OSError as e:
            raise UsageError(f"cannot read `{path}`: {e.strerror or e}") from None
    if workbook or any(p.lower().endswith(".xlsx") for p in inputs):
        try:
            excel.require_openpyxl()
        except ImportError as e:
            raise UsageError(str(e)) from None


def _output_format(args: argparse.Namespace) -> str:
    """The output's format: as given, else a workbook for `-o *.xlsx`, else CSV."""
    if args.format:
        fmt: str = args.format
    elif args.output and args.output.lower().endswith(".xlsx"):
        fmt = "xlsx"
    else:
        fmt = "csv"
    if fmt == "xlsx" and args.output in (None, "-"):
        raise UsageError("a workbook is written to a file: give `-o FILE.xlsx`")
    return fmt


def summary_path(output: Optional[str], summary: Optional[str], fmt: str) -> Optional[str]:
    """Where the summary CSV goes: ``--summary FILE``; else, for a CSV or JSON Lines output written
    to a regular file, that file with its extension replaced by ``.summary.csv`` (``out.csv`` →
    ``out.summary.csv``); else nowhere (stdout, a device such as ``/dev/null``; a workbook holds its
    summary as its first sheet)."""
    if summary:
        return summary
    if output in (None, "-") or fmt == "xlsx":
        return None
    assert output is not None
    if os.path.exists(output) and not os.path.isfile(output):
        return None
    return os.path.splitext(output)[0] + ".summary.csv"


class Writer:
    """The output of ``check``: CSV rows, JSON Lines reports, or a findings workbook."""

    def __init__(self, fmt: str, output: Optional[str]) -> None:
        self.fmt = fmt
        self.book: Optional[excel.FindingsWorkbook] = None
        self.out: Optional[TextIO] = None
        self.csv: Any = None
        if fmt == "xlsx":
            assert output is not None
            self.book = excel.FindingsWorkbook(output, REPORT_COLUMNS)
            return
        if output in (None, "-"):
            self.out = sys.stdout
        else:
            # utf-8-sig: spreadsheets (Excel above all) then read the Chinese text correctly.
            self.out = open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        if fmt == "csv":
            self.csv = csv.writer(self.out)
            self.csv.writerow(REPORT_COLUMNS)

    def emit(self, record: Record, result: Union[Report, BaokaoError], summary: Summary) -> None:
        """Write one application's result and count it."""
        report = result.to_dict() if isinstance(result, Report) and self.fmt != "jsonl" else None
        summary.add(result, report)
        if self.fmt == "jsonl":
            assert self.out is not None
            if isinstance(result, BaokaoError):
                error = result.to_dict()
                error["error"]["input"] = f"{record.source}:{record.line}"
                self.out.write(json.dumps(error, ensure_ascii=False) + "\n")
            else:
                self.out.write(result.to_json() + "\n")
            return
        if isinstance(result, BaokaoError):
            row = [record.source, record.line, record.id, "", "", "", "", "", result.message, result.code]
        else:
            assert report is not None
            row = [
                record.source,
                record.line,
                record.id,
                "true" if result.valid else "false",
                result.outcome,
                result.route or "",
                len(report["diagnostics"]),
                "; ".join(result.fired()),
                _messages(report),
                "",
            ]
        if self.book is not None:
            self.book.application(row)
            self.book.input_row(record, result, report)
        else:
            self.csv.writerow(row)

    def close(self, summary: Summary) -> None:
        if self.book is not None:
            self.book.close(summary)
        elif self.out is not None and self.out is not sys.stdout:
            self.out.close()


def check(args: argparse.Namespace) -> int:
    problem = _encoding_problem(args.encoding)
    if problem:
        raise UsageError(problem)
    fmt = _output_format(args)
    engine = engine_of(args.pack)
    _usable(args, engine, args.inputs, fmt == "xlsx")
    meter = Meter()
    records = itertools.chain.from_iterable(
        read_records(path, engine, args.encoding, args.id, meter) for path in args.inputs
    )
    summary = Summary()
    writer = Writer(fmt, args.output)
    enabled = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = Progress(_input_bytes(args.inputs), meter, enabled)
    completed = False
    try:
        done = 0
        for batch in _batches(records):
            readable = [r.application for r in batch if r.error is None]
            results = iter(
                engine.validate_many(readable, lang=args.lang, threads=args.threads, step=args.step)
            )
            for record in batch:
                writer.emit(record, record.error or next(results), summary)
            done += len(batch)
            progress.update(done)
        completed = True
    finally:
        progress.finish()
        if completed:
            writer.close(summary)
        elif writer.out is not None and writer.out is not sys.stdout:
            writer.out.close()

    print(summary.line(), file=sys.stderr)
    if fmt == "xlsx":
        print(f"findings written to {args.output}", file=sys.stderr)
    where = summary_path(args.output, args.summary, fmt)
    if where:
        with open(where, "w", encoding="utf-8-sig", newline="") as f:
            summary.write_csv(f)
        print(f"summary written to {where}", file=sys.stderr)
    return 0 if summary.ok == summary.total else 1


def diff_command(args: argparse.Namespace) -> int:
    """``diff OLD NEW [--apps FILE…]``: the core's diff of two packs, and of their reports on the
    applications, presented as text or JSON. Exit 0 no change, 1 a change, 2 an error."""
    problem = _encoding_problem(args.encoding)
    if problem:
        raise UsageError(problem)
    old, new = engine_of(args.old), engine_of(args.new)
    inputs = args.apps or []
    _usable(args, new, inputs, False)
    records = itertools.chain.from_iterable(
        read_records(path, new, args.encoding, None) for path in inputs
    )
    applications = (
        (f"{r.source}:{r.line}", r.error if r.error is not None else r.application) for r in records
    )
    result = diff(old, new, applications if args.apps else None, lang=args.lang)
    text = result.to_json() + "\n" if args.format == "json" else result.to_text()
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 1 if result.changed else 0


def list_packs(_args: argparse.Namespace) -> int:
    for name in packs():
        print(name)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line (``baokao: …``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"baokao: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _lang(tag: str) -> str:
    try:
        language(tag)  # the core says which tags it reads
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return tag


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of threads") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"`--threads {text}`: at least 1")
    return n


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m baokao", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"baokao {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="check applications (JSON Lines, CSV, Excel or JSON) against a rule pack")
    c.add_argument("--pack", required=True, help="a shipped pack name (see `packs`), a pack directory or a bundle file")
    c.add_argument("--lang", default="zh", type=_lang, help="language of messages: a tag starting with zh (default) or en (zh-CN, en-US …)")
    c.add_argument("--step", help="judge only this step of the form")
    c.add_argument(
        "--format",
        choices=("csv", "jsonl", "xlsx"),
        help="output: csv (default), jsonl reports, or xlsx findings (the default for -o *.xlsx)",
    )
    c.add_argument("-o", "--output", help="output file (default: stdout; a workbook needs one)")
    c.add_argument(
        "--summary",
        help="summary CSV (default with -o FILE: FILE with its extension replaced by .summary.csv; a workbook has a Summary sheet)",
    )
    c.add_argument("--id", help="field path or CSV/Excel column copied to the output's `id` column")
    c.add_argument("--threads", type=_threads, help="validation threads, at least 1 (default: every core)")
    c.add_argument("--encoding", default="utf-8-sig", help="encoding of text inputs (default utf-8, BOM allowed; e.g. gb18030)")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None, help="progress bar on stderr (default: when it is a terminal)")
    c.add_argument("inputs", nargs="+", help="input files: .jsonl/.ndjson, .csv, .xlsx, .json, or - for JSON Lines on stdin")
    c.set_defaults(run=check)

    d = sub.add_parser("diff", help="what changed between two packs, and whom it affects")
    d.add_argument("old", help="the old pack: a shipped name, a directory or a bundle")
    d.add_argument("new", help="the new pack")
    d.add_argument("--apps", nargs="+", metavar="FILE", help="applications judged by both (.jsonl, .csv, .xlsx, .json, -)")
    d.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json (docs/diff.md)")
    d.add_argument("--lang", default="zh", type=_lang, help="language of the reports compared")
    d.add_argument("--encoding", default="utf-8-sig", help="encoding of text inputs (default utf-8)")
    d.add_argument("-o", "--output", help="output file (default: stdout)")
    d.set_defaults(run=diff_command, step=None)

    k = sub.add_parser("packs", help="list the rule packs shipped in this package")
    k.set_defaults(run=list_packs)
    return p


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UsageError as e:
        print(f"baokao: {e} (see `python -m baokao {args.command} --help`)", file=sys.stderr)
        return 2
    except BaokaoError as e:
        where = f" ({e.file}:{e.line}:{e.column})" if e.file and e.line else ""
        print(f"baokao: [{e.code}] {e.message}{where}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"baokao: {e}", file=sys.stderr)
        return 2
