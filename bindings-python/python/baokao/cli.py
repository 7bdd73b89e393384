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
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, TextIO, Union

from . import Engine, Report, __version__, load, packs
from .errors import BaokaoError
from .types import ReportDict

__all__ = ["from_rows", "main"]

#: Applications handed to the engine per call: large enough for every core, small enough for the
#: progress bar to move.
BATCH = 2048

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

Application = Union[str, dict[str, Any]]


@dataclass
class Record:
    """One application read from an input file, with where it came from."""

    source: str
    line: int
    application: Application
    id: str = ""


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


def _open(path: str, encoding: str) -> TextIO:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding=encoding)
    return open(path, encoding=encoding, newline="")


def read_records(
    path: str, engine: Engine, encoding: str, id_field: Optional[str]
) -> Iterator[Record]:
    """The applications of one input file, in order."""
    lower = path.lower()
    with _open(path, encoding) as f:
        if lower.endswith(".csv"):
            columns = schema_columns(engine)
            reader = csv.DictReader(f)
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                app = csv_application(row, columns, id_field)
                ident = (row.get(id_field) or "") if id_field else ""
                yield Record(path, reader.line_num, app, ident)
        elif lower.endswith(".json"):
            text = f.read()
            ident = _lookup(_loads(text), id_field) if id_field else ""
            yield Record(path, 1, text, ident)
        else:
            for n, line in enumerate(f, 1):
                if line.strip():
                    ident = _lookup(_loads(line), id_field) if id_field else ""
                    yield Record(path, n, line, ident)


def _loads(text: str) -> Any:
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
    """A plain-text progress bar on stderr, for long runs in a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.start = time.perf_counter()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // self.total
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} {done * 100 // self.total}% {rate:,.0f}/s")
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


def _batches(records: list[Record], size: int) -> Iterable[list[Record]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


def check(args: argparse.Namespace) -> int:
    engine = _engine(args.pack)
    records: list[Record] = []
    for path in args.inputs:
        records.extend(read_records(path, engine, args.encoding, args.id))

    out: TextIO
    if args.output in (None, "-"):
        out = sys.stdout
    else:
        # utf-8-sig: spreadsheets (Excel above all) then read the Chinese text correctly.
        out = open(args.output, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="")
    summary = Summary()
    progress = Progress(len(records), args.progress if args.progress is not None else sys.stderr.isatty())
    try:
        writer = csv.writer(out) if args.format == "csv" else None
        if writer:
            writer.writerow(REPORT_COLUMNS)
        done = 0
        for batch in _batches(records, BATCH):
            results = engine.validate_many(
                [r.application for r in batch], lang=args.lang, threads=args.threads, step=args.step
            )
            for record, result in zip(batch, results):
                emit(writer, out, record, result, summary)
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
