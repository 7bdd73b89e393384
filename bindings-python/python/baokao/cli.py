"""The command line for offices: check exported registrations against a rule pack.

::

    python -m baokao check --pack nmec-2024 --lang zh -o reports.csv export.csv
    python -m baokao check --pack rules/nmec-2024-hunan --format jsonl -o reports.jsonl export.jsonl
    python -m baokao packs

Inputs are JSON Lines (``.jsonl``/``.ndjson``, or ``-`` for stdin), CSV (``.csv``, one column per field
path such as ``education.major``) or single JSON documents (``.json``). The output is one row per
application (CSV for a spreadsheet, or JSON Lines of the reports themselves), and a summary by outcome
and by rule (``--summary``, by default next to ``-o`` as ``<name>.summary.csv``). Exit status: 0 every
application valid and eligible (a ``conditional`` candidate still has something due: 1), 1 some not
(or unreadable), 2 a usage or pack error.

Inputs are read as they are checked, a record at a time: a record that cannot be read (a line its
``--encoding`` cannot decode, not JSON, over the 1 MiB limit) is that record's error, located by its
file line, and the others are still checked.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import itertools
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, ContextManager, Iterable, Iterator, Optional, TextIO, Union

from . import MAX_DOCUMENT_BYTES, Engine, Report, __version__, load, packs
from .errors import ApplicationError, BaokaoError
from .types import ReportDict

__all__ = ["from_rows", "main"]

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


# --- reading CSV with the pack's schema --------------------------------------------------------


@dataclass
class Column:
    """How to turn the cells of one field's column into JSON values, from the JSON Schema."""

    kind: str  # "string", "integer", "number", "boolean", "array", "records"
    dash: bool = False  # "-" means "not applicable" for this field
    item: Optional[Column] = None  # lists: the item; records: unused
    items: dict[str, Column] = field(default_factory=dict)  # records: the item fields


def _column(spec: dict[str, Any]) -> Column:
    dash = "anyOf" in spec
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
    """Every field path of the pack (``education.major``) with how to read its cells."""
    columns: dict[str, Column] = {}
    for step, step_schema in engine.schema().get("properties", {}).items():
        for key, spec in step_schema.get("properties", {}).items():
            columns[f"{step}.{key}"] = _column(spec)
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
    # None, "" and NaN (how pandas reads an empty cell) are all an empty cell.
    return cell is None or cell == "" or (isinstance(cell, float) and cell != cell)


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
            value = cell_value(cell, records.items.get(key)) if isinstance(cell, str) else cell
            items.setdefault(match["field"], {}).setdefault(index, {})[key] = value
            continue
        _put(app, name, cell_value(cell, columns.get(name)) if isinstance(cell, str) else cell)
    for path, rows in items.items():
        _put(app, path, [rows[i] for i in sorted(rows)])
    return app


def from_rows(engine: Engine, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Applications from flat rows keyed by field path (``education.major``): a CSV export read
    with :class:`csv.DictReader`, or a DataFrame's records (``df.to_dict(orient="records")``).

    Cells are read as ``check`` reads CSV: empty, ``None`` or NaN is absent; text is typed by the
    pack's schema (anything unreadable stays text, for the engine to report); typed cells stay.
    """
    columns = schema_columns(engine)
    return [csv_application(row, columns) for row in rows]


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


def _csv_records(
    path: str, f: BinaryIO, engine: Engine, encoding: str, id_field: Optional[str], meter: Meter
) -> Iterator[Record]:
    # Lines are decoded one by one so that a line the encoding cannot read, or one too long to
    # hold, is the error of the row it belongs to; the parser gets a stand-in and reads on.
    problems: dict[int, BaokaoError] = {}

    def lines() -> Iterator[str]:
        for n, line in raw_lines(f, meter):
            if isinstance(line, int):
                problems[n] = _too_large(line)
                yield "\n"
                continue
            try:
                yield line.decode(encoding)
            except UnicodeDecodeError as e:
                problems[n] = _undecodable(e, encoding, n)
                yield line.decode(encoding, errors="replace")

    columns = schema_columns(engine)
    reader = csv.reader(lines())
    names = next(reader, [])
    seen = reader.line_num
    for cells in reader:
        first, seen = seen + 1, reader.line_num
        errors = [problems.pop(i) for i in range(first, seen + 1) if i in problems]
        if errors:
            yield Record(path, seen, "", error=errors[0])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(names, cells))
        app = csv_application(row, columns, id_field)
        ident = _ident(engine, id_field, row.get(id_field) or "") if id_field else ""
        yield Record(path, seen, app, ident)


def read_records(
    path: str, engine: Engine, encoding: str, id_field: Optional[str], meter: Optional[Meter] = None
) -> Iterator[Record]:
    """The applications of one input file, in order, read lazily as they are asked for: a record
    holds at most :data:`HOLD` bytes, whatever the file's size."""
    meter = meter or Meter()
    lower = path.lower()
    with _open(path) as f:
        if lower.endswith(".csv"):
            yield from _csv_records(path, f, engine, encoding, id_field, meter)
        elif lower.endswith(".json"):
            yield _document(path, f, engine, encoding, id_field, meter)
        else:
            for n, line in raw_lines(f, meter):
                if isinstance(line, int):
                    yield Record(path, n, "", error=_too_large(line))
                elif line.strip():
                    # The record is its line without the terminator: its size is the document's,
                    # and a position in it is on its line 1.
                    yield _record(path, n, _strip_eol(line), engine, encoding, id_field)


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


def _engine(pack: str) -> Engine:
    if pack in packs() and not os.path.exists(pack):
        return load(pack)
    return Engine.from_path(pack)


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
    """The inputs' total size, when every one is a regular file."""
    total = 0
    for path in paths:
        if path == "-" or not os.path.isfile(path):
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


def check(args: argparse.Namespace) -> int:
    problem = _encoding_problem(args.encoding)
    if problem:
        print(f"baokao: {problem}", file=sys.stderr)
        return 2
    engine = _engine(args.pack)
    for path in args.inputs:
        if path != "-":
            open(path, "rb").close()  # a missing input is a usage error, before any output
    meter = Meter()
    records = itertools.chain.from_iterable(
        read_records(path, engine, args.encoding, args.id, meter) for path in args.inputs
    )

    out: TextIO
    if args.output in (None, "-"):
        out = sys.stdout
    else:
        # utf-8-sig: spreadsheets (Excel above all) then read the Chinese text correctly.
        out = open(args.output, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="")
    summary = Summary()
    enabled = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = Progress(_input_bytes(args.inputs), meter, enabled)
    try:
        writer = csv.writer(out) if args.format == "csv" else None
        if writer:
            writer.writerow(REPORT_COLUMNS)
        done = 0
        for batch in _batches(records):
            readable = [r.application for r in batch if r.error is None]
            results = iter(
                engine.validate_many(readable, lang=args.lang, threads=args.threads, step=args.step)
            )
            for record in batch:
                emit(writer, out, record, record.error or next(results), summary)
            done += len(batch)
            progress.update(done)
    finally:
        progress.finish()
        if out is not sys.stdout:
            out.close()

    print(summary.line(), file=sys.stderr)
    summary_path = args.summary
    if summary_path is None and args.output not in (None, "-"):
        summary_path = os.path.splitext(args.output)[0] + ".summary.csv"
    if summary_path:
        with open(summary_path, "w", encoding="utf-8-sig", newline="") as f:
            summary.write_csv(f)
        print(f"summary written to {summary_path}", file=sys.stderr)
    return 0 if summary.ok == summary.total else 1


def emit(
    writer: Any, out: TextIO, record: Record, result: Union[Report, BaokaoError], summary: Summary
) -> None:
    """Write one application's result and count it."""
    if isinstance(result, BaokaoError):
        summary.add(result, None)
        if writer is None:
            error = result.to_dict()
            error["error"]["input"] = f"{record.source}:{record.line}"
            out.write(json.dumps(error, ensure_ascii=False) + "\n")
        else:
            writer.writerow(
                [record.source, record.line, record.id, "", "", "", "", "", result.message, result.code]
            )
        return
    if writer is None:
        summary.add(result, None)
        out.write(result.to_json() + "\n")
        return
    report = result.to_dict()
    summary.add(result, report)
    writer.writerow(
        [
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
    )


def list_packs(_args: argparse.Namespace) -> int:
    for name in packs():
        print(name)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m baokao", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"baokao {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="check applications (JSON Lines, CSV or JSON) against a rule pack")
    c.add_argument("--pack", required=True, help="a shipped pack name (see `packs`), a pack directory or a bundle file")
    c.add_argument("--lang", default="zh", help="language of messages: zh (default) or en")
    c.add_argument("--step", help="judge only this step of the form")
    c.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="output: csv (default) or jsonl reports")
    c.add_argument("-o", "--output", help="output file (default: stdout)")
    c.add_argument("--summary", help="summary CSV (default: <output>.summary.csv when -o is given)")
    c.add_argument("--id", help="field path or CSV column copied to the output's `id` column")
    c.add_argument("--threads", type=int, help="validation threads (default: every core)")
    c.add_argument("--encoding", default="utf-8-sig", help="encoding of the inputs (default utf-8, BOM allowed; e.g. gb18030)")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None, help="progress bar on stderr (default: when it is a terminal)")
    c.add_argument("inputs", nargs="+", help="input files: .jsonl/.ndjson, .csv, .json, or - for JSON Lines on stdin")
    c.set_defaults(run=check)

    k = sub.add_parser("packs", help="list the rule packs shipped in this package")
    k.set_defaults(run=list_packs)
    return p


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except BaokaoError as e:
        where = f" ({e.file}:{e.line}:{e.column})" if e.file and e.line else ""
        print(f"baokao: [{e.code}] {e.message}{where}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"baokao: {e}", file=sys.stderr)
        return 2
