"""baokao's Python wheel side by side with jsonschema-rs, pydantic, zen-engine and datalogic-py.

Usage (from anywhere; setup.sh makes the venv):

    target/compare-venv/bin/python benches/compare/python/compare.py OUT.md [--quick]

(`--quick`: 3 rounds and a batch of 1,000, a smoke run; COMPARE_ROUNDS, COMPARE_BATCH override.)

Three comparisons on the bench fixtures (target/bench-fixtures: the full application, the 10,000
generated applications), on an invalid application derived from the full one and on the variants of
peers/variants.json (copies of the full application that make the compared rules fire):

1. structure: the JSON Schema of peers/application.schema.json (jsonschema-rs, all errors and
   `is_valid`) and the equivalent pydantic model (application_model.py) against `Engine.validate` /
   `Engine.is_valid`;
2. eligibility: the ZEN decision graph of peers/eligibility.zen.json against the report's
   `eligibility.route` and the rules the graph reproduces;
3. cross-field rules: the JSONLogic rules of peers/cross-field.jsonlogic.json (datalogic-py) against
   whether the baokao rule of the same id fired.

Before timing, every engine's answer is checked against baokao's on every timed input and on the
probes of peers/variants.json (one structural change each, not timed); any disagreement prints the
first ten, each with the application and both answers, and exits 1 without timing (a comparison of
engines that disagree is void). Then every compared rule must fire on some timed input and pass on
another, and every route value must come out of one; otherwise the harness names the rule and exits 1
(a peer rule replaced by a constant would still agree).

Timing: one process; each table's rows are measured in turn within every round (so machine noise hits
both sides alike), after a warm-up; the figure is the median over the rounds of the mean time per call
within a round. Exit 0 after writing OUT.md.
"""

from __future__ import annotations

import copy
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PEERS = HERE.parent / "peers"
PACK = ROOT / "rules" / "nmec-2024"
FIXTURES = ROOT / "target" / "bench-fixtures"

sys.path.insert(0, str(HERE))

import baokao  # noqa: E402
import datalogic_py  # noqa: E402
import jsonschema_rs  # noqa: E402
import pydantic  # noqa: E402
import zen  # noqa: E402

import gen_model  # noqa: E402

# Schema-stage diagnostic codes (docs/report.md, "Diagnostic"): a document is structurally invalid
# iff baokao reports one of these with severity `error` (`unknown_field` is a warning).
SCHEMA_CODES = frozenset(
    {
        "required_missing",
        "type_mismatch",
        "invalid_date",
        "enum_mismatch",
        "pattern_mismatch",
        "too_short",
        "too_long",
        "out_of_range",
        "too_many_items",
        "too_few_items",
        "unknown_field",
    }
)

Doc = dict[str, Any]

# Rounds for the batch rows (one round calls every application once: seconds for ZEN).
BATCH_ROUNDS = 3


# --- fixtures -------------------------------------------------------------------------------------


def load_fixtures() -> tuple[Doc, list[Doc]]:
    full_path = FIXTURES / "full.json"
    batch_path = FIXTURES / "applications-10k.jsonl"
    if not (full_path.exists() and batch_path.exists()):
        print("compare: writing the bench fixtures (cargo run -p baokao-benches --bin gen-fixtures)", file=sys.stderr)
        subprocess.run(
            ["cargo", "run", "--release", "-q", "-p", "baokao-benches", "--bin", "gen-fixtures"], cwd=ROOT, check=True
        )
    full = json.loads(full_path.read_text(encoding="utf-8"))
    with batch_path.open(encoding="utf-8") as f:
        batch = [json.loads(line) for line in f if line.strip()]
    return full, batch


def invalid_application(full: Doc) -> Doc:
    """The invalid application of peers/README.md (the Rust harness builds the same): the full one with
    a wrong ID check character (XF-01), an ethnicity outside its enumeration (schema), enrolment after
    graduation (XF-10.a) and a trial that started too late for 12 months by the cutoff (R-TR-3)."""
    doc = copy.deepcopy(full)
    id_number = doc["basic"]["id_number"]
    doc["basic"]["id_number"] = id_number[:-1] + ("1" if id_number[-1] == "0" else "0")
    doc["basic"]["ethnicity"] = "火星族"
    doc["education"]["enrol_date"] = "2022-09"
    doc["work"]["on_post_status"] = "试用期"
    doc["work"]["trial_start"] = "2023-11"
    return doc


def apply_edits(full: Doc, label: str, edits: list[dict[str, Any]]) -> Doc:
    """A copy of `full` with the edits of one entry of peers/variants.json: {"set": pointer, "to": value}
    (the key is created when its parent object exists) or {"remove": pointer}; as the Rust and Node
    harnesses apply them."""
    doc = copy.deepcopy(full)
    for edit in edits:
        pointer = edit.get("set", edit.get("remove"))
        parent_path, _, key = pointer.rpartition("/")
        parent: Any = doc
        for part in [p for p in parent_path.split("/") if p]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        if not isinstance(parent, dict):
            raise ValueError(f"variants.json `{label}`: `{parent_path}` is not an object")
        if "set" in edit:
            parent[key] = copy.deepcopy(edit["to"])
        else:
            del parent[key]
    return doc


def derived_inputs(full: Doc, key: str) -> list[tuple[str, Doc]]:
    """The entries of peers/variants.json under `key` (`variants`: timed; `probes`: checked only)."""
    entries = json.loads((PEERS / "variants.json").read_text(encoding="utf-8"))[key]
    return [(entry["label"], apply_edits(full, entry["label"], entry["edits"])) for entry in entries]


# --- the engines ----------------------------------------------------------------------------------

# The eligibility rules the ZEN graph reproduces, with the key of its `fired` output (peers/README.md):
# the route table's rows that are findings and the trial-month and certificate-year rules.
ELIGIBILITY_RULES = {
    "XF-17.a": "xf_17_a",
    "C6-LEVEL.route": "c6_level_route",
    "R-LV-7.b": "r_lv_7_b",
    "XF-11.a": "xf_11_a",
    "R-TR-3": "r_tr_3",
    "R-TR-2": "r_tr_2",
    "XF-11.b": "xf_11_b",
    "R-PG-1": "r_pg_1",
    "XF-12.a": "xf_12_a",
    "XF-12.b": "xf_12_b",
}


# Every value the route decision can give (None: no route): each must come out of some timed input.
ROUTES = ("R-LV-1", "R-LV-2", "R-LV-3", "R-LV-4", "R-LV-5", "R-LV-6", "R-LV-7", None)


class Engines:
    """baokao (the full pack and the three comparison overlays of benches/compare/packs) and the peers."""

    def __init__(self) -> None:
        self.full = baokao.Engine.from_path(PACK)
        overlays = HERE.parent / "packs"
        # The overlays extend rules/nmec-2024, outside the directory that holds them.
        roots = [ROOT / "rules"]
        self.schema_only = baokao.Engine.from_path(overlays / "schema-only", pack_roots=roots)
        self.eligibility = baokao.Engine.from_path(overlays / "eligibility", pack_roots=roots)
        self.cross_field = baokao.Engine.from_path(overlays / "cross-field", pack_roots=roots)
        self.schema = json.loads((PEERS / "application.schema.json").read_text(encoding="utf-8"))
        # Format assertion on: baokao checks dates (`invalid_date`), so the peer must too (peers/README.md).
        self.jsonschema = jsonschema_rs.validator_for(self.schema, validate_formats=True)
        import application_model

        self.model = application_model.Application
        self.zen_engine = zen.ZenEngine()
        self.zen = self.zen_engine.create_decision((PEERS / "eligibility.zen.json").read_text(encoding="utf-8"))
        self.zen.validate()
        source: dict[str, Any] = json.loads((PEERS / "cross-field.jsonlogic.json").read_text(encoding="utf-8"))
        self.logic_engine = datalogic_py.Engine()
        self.logic = {rule_id: self.logic_engine.compile(rule) for rule_id, rule in source.items()}
        self.logic_rules = list(self.logic.values())
        self.session = self.logic_engine.session()

    def jsonschema_errors(self, doc: Doc) -> list[Any]:
        return list(self.jsonschema.iter_errors(doc))

    def pydantic_errors(self, doc: Doc) -> list[Any]:
        try:
            self.model.model_validate(doc)
        except pydantic.ValidationError as e:
            return e.errors()
        return []

    def zen_result(self, doc: Doc) -> dict[str, Any]:
        return self.zen.evaluate(doc)["result"]

    def logic_results(self, doc: Doc) -> dict[str, Any]:
        return {rule_id: rule.evaluate(doc) for rule_id, rule in self.logic.items()}

    def logic_handle(self, doc: Doc) -> list[bool]:
        handle = datalogic_py.DataHandle(doc)
        return [self.session.evaluate_bool(rule, handle) for rule in self.logic_rules]


# --- answers, normalised so that the engines can be compared --------------------------------------


def baokao_schema_paths(report: baokao.Report) -> frozenset[str]:
    """JSON pointers of the schema-stage errors: structurally valid iff empty."""
    return frozenset(d["path"] for d in report.diagnostics if d["severity"] == "error" and d["code"] in SCHEMA_CODES)


def jsonschema_paths(errors: list[Any]) -> frozenset[str]:
    """Instance paths of the errors; a missing required key at the key's own path, as baokao reports it."""
    paths = set()
    for error in errors:
        path = "".join(f"/{part}" for part in error.instance_path)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
            path += f"/{error.kind.property}"
        paths.add(path)
    return frozenset(paths)


def pydantic_paths(errors: list[Any]) -> frozenset[str]:
    """Locations of the errors as JSON pointers (a union member's name, e.g. `Exam`, left out)."""
    paths = set()
    for error in errors:
        loc = [part for part in error["loc"] if not (isinstance(part, str) and part[:1].isupper())]
        paths.add("".join(f"/{part}" for part in loc))
    return frozenset(paths)


def fired_rules(report: baokao.Report) -> frozenset[str]:
    """Rule ids in the report: diagnostics, reasons, conditions, restrictions (`Report.fired()`)."""
    return frozenset(report.fired())


def eligibility_answer(route: Any, fired: frozenset[str]) -> tuple[Any, frozenset[str]]:
    return route, frozenset(r for r in ELIGIBILITY_RULES if r in fired)


# The route rows whose effect is `needs_review`: a report shows a review only when nothing makes the
# application ineligible, so whether they appear depends on every ineligibility rule that runs.
REVIEW_RULES = frozenset({"C6-LEVEL.route", "R-LV-7.b"})


def as_shown(answer: tuple[Any, frozenset[str]], outcome: str) -> tuple[Any, frozenset[str]]:
    """`answer` as a report with this outcome shows it: the reviews hidden when it is ineligible."""
    route, fired = answer
    return route, frozenset(r for r in fired if outcome != "ineligible" or r not in REVIEW_RULES)


def zen_answer(result: dict[str, Any]) -> tuple[Any, frozenset[str]]:
    flags = result.get("fired") or {}
    for rule, key in ELIGIBILITY_RULES.items():
        if not isinstance(flags.get(key), bool):
            raise ValueError(f"ZEN fired.{key} is not a boolean: {flags.get(key)!r}")
    return result.get("route"), frozenset(rule for rule, key in ELIGIBILITY_RULES.items() if flags[key])


def zen_performance_ns(text: str) -> float:
    """ZEN's own `performance` field ("1.1ms", "850µs") in nanoseconds."""
    for unit, scale in (("ms", 1e6), ("µs", 1e3), ("us", 1e3), ("ns", 1.0), ("s", 1e9)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float("nan")


def check_agreement(e: Engines, named: list[tuple[str, Doc]], limit: int = 5) -> list[str]:
    """Every disagreement between baokao and a peer on the named documents (at most `limit` of a kind)."""
    out: list[str] = []
    kinds: dict[str, int] = {}
    current: list[Doc] = [{}]

    def note(kind: str, line: str) -> None:
        kinds[kind] = kinds.get(kind, 0) + 1
        if kinds[kind] <= limit:
            out.append(f"{line}\n    application: {json.dumps(current[0], ensure_ascii=False)}")

    docs = [doc for _, doc in named]
    reports = {
        "full": e.full.validate_many(docs),
        "schema-only": e.schema_only.validate_many(docs),
        "eligibility": e.eligibility.validate_many(docs),
        "cross-field": e.cross_field.validate_many(docs),
    }
    for i, (name, doc) in enumerate(named):
        current[0] = doc
        rs = {k: v[i] for k, v in reports.items()}
        bad = [k for k, r in rs.items() if not isinstance(r, baokao.Report)]
        if bad:
            note("unjudged", f"{name}: baokao ({', '.join(bad)}) could not judge it")
            continue
        full = rs["full"]

        # structure
        b_paths = baokao_schema_paths(rs["schema-only"])
        if b_paths != baokao_schema_paths(full):
            note("overlay", f"{name}: baokao schema-only overlay {sorted(b_paths)} vs full pack {sorted(baokao_schema_paths(full))}")
        if e.schema_only.is_valid(doc) != (not b_paths):
            note("overlay", f"{name}: baokao schema-only `is_valid` is not structural validity")
        j_errors = e.jsonschema_errors(doc)
        j_paths = jsonschema_paths(j_errors)
        if e.jsonschema.is_valid(doc) != (not j_errors):
            note("jsonschema", f"{name}: jsonschema-rs `is_valid` and `iter_errors` disagree")
        if b_paths != j_paths:
            note("jsonschema", f"{name}: structure: baokao {sorted(b_paths) or 'valid'}, jsonschema-rs {sorted(j_paths) or 'valid'}")
        p_paths = pydantic_paths(e.pydantic_errors(doc))
        if b_paths != p_paths:
            note("pydantic", f"{name}: structure: baokao {sorted(b_paths) or 'valid'}, pydantic {sorted(p_paths) or 'valid'}")

        # eligibility: ZEN against the overlay exactly; the overlay against the full pack with the
        # reviews hidden where the full pack (more ineligibility rules) is ineligible
        b_elig = eligibility_answer(full.route, fired_rules(full))
        o_elig = eligibility_answer(rs["eligibility"].route, fired_rules(rs["eligibility"]))
        if as_shown(o_elig, full.outcome) != b_elig:
            note("overlay", f"{name}: baokao eligibility overlay {o_elig} vs full pack {b_elig}")
        try:
            z_elig = zen_answer(e.zen_result(doc))
        except Exception as err:  # noqa: BLE001 -- a peer's failure is a disagreement to report
            note("zen", f"{name}: ZEN failed: {err}")
        else:
            if z_elig != o_elig:
                note("zen", f"{name}: eligibility: baokao (overlay) route {o_elig[0]} fired {sorted(o_elig[1])}, ZEN route {z_elig[0]} fired {sorted(z_elig[1])}")

        # cross-field
        b_cross = frozenset(r for r in e.logic if r in fired_rules(full))
        o_cross = frozenset(r for r in e.logic if r in fired_rules(rs["cross-field"]))
        if o_cross != b_cross:
            note("overlay", f"{name}: baokao cross-field overlay {sorted(o_cross)} vs full pack {sorted(b_cross)}")
        try:
            logic = e.logic_results(doc)
            handle = e.logic_handle(doc)
        except Exception as err:  # noqa: BLE001
            note("logic", f"{name}: datalogic failed: {err}")
        else:
            if any(not isinstance(v, bool) for v in logic.values()):
                note("logic", f"{name}: JSONLogic results are not all booleans: {logic}")
            l_cross = frozenset(r for r, v in logic.items() if v is False)
            if l_cross != b_cross:
                note("logic", f"{name}: cross-field: baokao fired {sorted(b_cross)}, JSONLogic false for {sorted(l_cross)}")
            if handle != list(logic.values()):
                note("logic", f"{name}: datalogic `Session.evaluate_bool` and `Rule.evaluate` disagree")
    return out


def coverage(e: Engines, docs: list[Doc]) -> list[str]:
    """Every compared rule must fire on some timed input and not fire on another, and every route
    value must come out of some timed input (the answers of baokao's overlays, which every peer
    matched); otherwise a peer rule replaced by a constant would still agree. The complaints, one per
    rule or route."""
    out = []
    elig = e.eligibility.validate_many(docs)
    cross = e.cross_field.validate_many(docs)
    for rule, reports in [*((r, elig) for r in ELIGIBILITY_RULES), *((r, cross) for r in e.logic)]:
        n = sum(1 for r in reports if rule in fired_rules(r))
        if n == 0:
            out.append(f"{rule} never fires on the timed inputs ({len(docs)} applications, all pass)")
        elif n == len(docs):
            out.append(f"{rule} fires on every timed input ({n} applications, none passes)")
    routes = {r.route for r in elig}
    out += [f"no timed input gets route {route or 'null (none)'}" for route in ROUTES if route not in routes]
    return out


def check_expected(e: Engines, full: Doc, invalid: Doc) -> list[str]:
    """This harness's answers for full and invalid against peers/expected.json (written by the Rust
    harness: {"full": [answer], "invalid": [answer]}), where it exists."""
    path = PEERS / "expected.json"
    if not path.exists():
        return []
    expected = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for name, doc in (("full", full), ("invalid", invalid)):
        report = e.full.validate(doc)
        paths = baokao_schema_paths(report)
        route, fired = eligibility_answer(report.route, fired_rules(report))
        mine = {
            "schema": {"valid": not paths, "error_paths": sorted(paths)},
            "eligibility": {"route": route, "fired": sorted(fired), "trial_met": e.zen_result(doc).get("trial_met")},
            "cross_field": {r: r not in fired_rules(report) for r in e.logic},
        }
        theirs = (expected.get(name) or [None])[0]
        if theirs is None:
            out.append(f"peers/expected.json has no `{name}`")
            continue
        for part, value in mine.items():
            if theirs.get(part) != value:
                out.append(f"peers/expected.json `{name}` {part}: {theirs.get(part)}, this harness: {value}")
    return out


# --- timing ---------------------------------------------------------------------------------------


def per_call(fn: Callable[[Doc], Any], docs: list[Doc], repeat: int) -> Callable[[], float]:
    """A measurement: mean nanoseconds per call of `fn` over `docs`, `repeat` passes."""

    def measure() -> float:
        start = time.perf_counter_ns()
        for _ in range(repeat):
            for doc in docs:
                fn(doc)
        return (time.perf_counter_ns() - start) / (repeat * len(docs))

    return measure


def calls_for(fn: Callable[[Doc], Any], doc: Doc, budget_ns: float) -> int:
    """How many calls of `fn` on `doc` fit in `budget_ns` (at least 10)."""
    start = time.perf_counter_ns()
    for _ in range(10):
        fn(doc)
    each = (time.perf_counter_ns() - start) / 10
    return max(10, int(budget_ns / max(each, 1.0)))


def measure_table(
    candidates: dict[str, Callable[[Doc], Any]], documents: dict[str, Any], rounds: int
) -> dict[str, dict[str, float]]:
    """Median ns per call: {document: {candidate: ns}}. A document is a dict (one application,
    called many times), a short list (the variants, passes over it repeated like one application) or
    a long list (the batch, each called once per round). The candidates of a document are measured in
    turn within every round, after one warm-up round."""
    result: dict[str, dict[str, float]] = {}
    for label, doc in documents.items():
        if isinstance(doc, list) and len(doc) >= 1000:
            measures = {k: per_call(fn, doc, 1) for k, fn in candidates.items()}
            n = BATCH_ROUNDS
        elif isinstance(doc, list):
            passes = {k: max(1, calls_for(fn, doc[0], 30e6) // len(doc)) for k, fn in candidates.items()}
            measures = {k: per_call(fn, doc, passes[k]) for k, fn in candidates.items()}
            n = rounds
        else:
            measures = {k: per_call(fn, [doc], calls_for(fn, doc, 30e6)) for k, fn in candidates.items()}
            n = rounds
        for m in measures.values():
            m()
        samples: dict[str, list[float]] = {k: [] for k in measures}
        gc.collect()
        for _ in range(n):
            for k, m in measures.items():
                samples[k].append(m())
        result[label] = {k: statistics.median(v) for k, v in samples.items()}
        print(f"compare: measured {label}", file=sys.stderr)
    return result


def us(ns: float) -> str:
    v = ns / 1000
    return f"{v:,.0f}" if v >= 1000 else f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if a != "--quick"]
    quick = "--quick" in argv[1:]
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: compare.py OUT.md [--quick]", file=sys.stderr)
        return 2
    out_path = Path(args[0])
    # --quick (scripts/compare.sh --quick): a smoke run, fewer rounds and a batch of 1,000.
    rounds = int(os.environ.get("COMPARE_ROUNDS", "3" if quick else "9"))
    batch_size = int(os.environ.get("COMPARE_BATCH", "1000" if quick else "10000"))
    load_start = os.getloadavg()

    model_text = gen_model.render(json.loads((PEERS / "application.schema.json").read_text(encoding="utf-8")))
    if (HERE / "application_model.py").read_text(encoding="utf-8") != model_text:
        print("compare: application_model.py is stale: run `python benches/compare/python/gen_model.py`", file=sys.stderr)
        return 1
    if baokao.Engine.from_path(PACK).schema() != json.loads((PEERS / "application.schema.json").read_text(encoding="utf-8")):
        print("compare: peers/application.schema.json differs from the pack's export (`baokao schema`)", file=sys.stderr)
        return 1

    full, batch = load_fixtures()
    invalid = invalid_application(full)
    e = Engines()

    variants = derived_inputs(full, "variants")
    probe_docs = derived_inputs(full, "probes")

    # --- agreement, before any timing: the timed inputs and the probes; any disagreement is fatal
    named = [("full.json", full), ("invalid application", invalid)]
    named += [(f"variant \u201c{label}\u201d", doc) for label, doc in variants]
    named += [(f"applications-10k.jsonl line {i + 1}", doc) for i, doc in enumerate(batch)]
    probe_named = [(f"probe \u201c{label}\u201d", doc) for label, doc in probe_docs]
    t0 = time.perf_counter()
    disagreements = check_agreement(e, named) + check_agreement(e, probe_named) + check_expected(e, full, invalid)
    uncovered = coverage(e, [doc for _, doc in named])
    print(f"compare: checked {len(named) + len(probe_named):,} documents in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if disagreements:
        print(f"compare: baokao and its peers disagree; no timing. The first {min(10, len(disagreements))}:", file=sys.stderr)
        for line in disagreements[:10]:
            print("  " + line, file=sys.stderr)
    if uncovered:
        print(
            "compare: a compared rule does not fire both ways on the timed inputs, so a peer could replace it by a "
            "constant and still agree; no timing (add an input to peers/variants.json):",
            file=sys.stderr,
        )
        for line in uncovered:
            print("  " + line, file=sys.stderr)
    if disagreements or uncovered:
        return 1
    if os.environ.get("COMPARE_CHECK_ONLY"):
        print("compare: every input and probe agrees, every compared rule fires both ways (COMPARE_CHECK_ONLY: no timing)", file=sys.stderr)
        return 0

    invalid_report = e.full.validate(invalid)
    batch_reports = e.full.validate_many(batch)
    tally: dict[str, int] = {}
    for r in e.full.validate_many([doc for _, doc in named]):
        for key in [f"route {r.route}"] + [rule for rule in fired_rules(r) if rule in ELIGIBILITY_RULES or rule in e.logic]:
            tally[key] = tally.get(key, 0) + 1
    facts = {
        "batch_struct_invalid": sum(1 for r in batch_reports if baokao_schema_paths(r)),
        "batch_tally": dict(sorted(tally.items())),
        "invalid_paths": sorted(baokao_schema_paths(invalid_report)),
        "invalid_route": invalid_report.route,
        "invalid_fired": sorted(fired_rules(invalid_report)),
        "zen_own_ns": statistics.median(zen_performance_ns(e.zen.evaluate(full)["performance"]) for _ in range(101)),
        "expected_checked": (PEERS / "expected.json").exists(),
    }

    sub = batch[:batch_size]
    batch_label = f"batch ({len(sub):,})"
    docs3 = {"full": full, "invalid": invalid, f"variants ({len(variants)})": [d for _, d in variants], batch_label: sub}
    structure = measure_table(
        {
            "baokao `validate`, full pack": lambda d: e.full.validate(d),
            "baokao `validate`, schema-only overlay": lambda d: e.schema_only.validate(d),
            "baokao `is_valid`, schema-only overlay": lambda d: e.schema_only.is_valid(d),
            "jsonschema-rs `iter_errors`": e.jsonschema_errors,
            "jsonschema-rs `is_valid`": lambda d: e.jsonschema.is_valid(d),
            "pydantic `model_validate` (+ `errors()`)": e.pydantic_errors,
        },
        docs3,
        rounds,
    )
    eligibility = measure_table(
        {
            "baokao `validate`, full pack": lambda d: e.full.validate(d).route,
            "baokao `validate`, eligibility overlay": lambda d: e.eligibility.validate(d).route,
            "ZEN `ZenDecision.evaluate(dict)`": lambda d: e.zen.evaluate(d)["result"],
        },
        docs3,
        rounds,
    )
    cross = measure_table(
        {
            "baokao `validate`, full pack": lambda d: e.full.validate(d).fired(),
            "baokao `validate`, cross-field overlay": lambda d: e.cross_field.validate(d).fired(),
            "datalogic `Rule.evaluate(dict)` ×6": e.logic_results,
            "datalogic `DataHandle(dict)` + `Session.evaluate_bool` ×6": e.logic_handle,
        },
        docs3,
        rounds,
    )

    md = render(
        e=e,
        named=len(named),
        probe_count=len(probe_docs),
        variant_count=len(variants),
        facts=facts,
        tables=[
            (
                "1. Structural field checks: JSON Schema (jsonschema-rs) and pydantic against baokao",
                structure,
                ["jsonschema-rs `iter_errors`", "jsonschema-rs `is_valid`", "pydantic `model_validate` (+ `errors()`)"],
            ),
            ("2. Eligibility decision: ZEN decision graph against baokao", eligibility, ["ZEN `ZenDecision.evaluate(dict)`"]),
            (
                "3. Six cross-field rules: JSONLogic (datalogic-py) against baokao",
                cross,
                ["datalogic `Rule.evaluate(dict)` ×6", "datalogic `DataHandle(dict)` + `Session.evaluate_bool` ×6"],
            ),
        ],
        rounds=rounds,
        quick=quick,
        batch_size=len(sub),
        load=(load_start, os.getloadavg()),
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(md, encoding="utf-8")
    print(md)
    return 0


def render_table(medians: dict[str, dict[str, float]], peers: list[str]) -> list[str]:
    """Medians (µs per application) per candidate and document, then baokao / peer for each pair."""
    docs = list(medians)
    candidates = list(next(iter(medians.values())))
    lines = ["| Candidate | " + " | ".join(f"{d} µs" for d in docs) + " |", "|---|" + "---:|" * len(docs)]
    for c in candidates:
        lines.append(f"| {c} | " + " | ".join(us(medians[d][c]) for d in docs) + " |")
    lines += ["", "| baokao / peer | " + " | ".join(docs) + " |", "|---|" + "---:|" * len(docs)]
    for ours in (c for c in candidates if c.startswith("baokao")):
        for theirs in peers:
            lines.append(
                f"| {ours} / {theirs} | " + " | ".join(f"{medians[d][ours] / medians[d][theirs]:.2f}" for d in docs) + " |"
            )
    return lines


def render(**k: Any) -> str:
    e: Engines = k["e"]
    f = k["facts"]
    load_start, load_end = k["load"]
    lines = [
        "### Python: baokao against jsonschema-rs, pydantic, ZEN and JSONLogic",
        "",
        ("**A `--quick` smoke run: not for publication.** " if k["quick"] else "")
        + f"`benches/compare/python/compare.py`, one run on {datetime.date.today().isoformat()}: Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average {load_start[0]:.1f} at the start and "
        f"{load_end[0]:.1f} at the end. baokao {version('baokao')} (wheel; pack {e.full.pack['id']} "
        f"{e.full.pack['version']}), jsonschema-rs {version('jsonschema-rs')}, pydantic {version('pydantic')} "
        f"(pydantic-core {version('pydantic-core')}), zen-engine {version('zen-engine')}, datalogic-py "
        f"{version('datalogic-py')}.",
        "",
        f"µs per application: the median over {k['rounds']} rounds (batch: {BATCH_ROUNDS}) of the mean "
        "time per call within a round, after a warm-up round; the candidates of a document are measured in turn "
        "within each round. *full*: full.json (valid, eligible); *invalid*: the invalid application of "
        "peers/README.md; *variants*: the applications of peers/variants.json (copies of full.json that make the "
        "compared rules fire), one call each; *batch*: one call per application on the first "
        f"{k['batch_size']:,} of applications-10k.jsonl. Every input is a Python `dict` (already parsed), and every "
        "call returns what a caller would use.",
        "",
        "What each candidate does per call:",
        "",
        "- baokao `validate`: converts the dict, runs the pack (schema stage, rules, decisions, the eligibility "
        "decision) and returns a `Report` with Chinese messages and citations; the caller reads what it compares "
        "(`route`, `fired()`). *Full pack*: the whole 2024 pack, as a user would run it. *Overlays* "
        "(benches/compare/packs/, as in the Rust harness): the pack with every rule and decision disabled except "
        "those compared — *schema-only* (schema stage alone), *eligibility* (schema stage + the route decision + "
        "7 rules), *cross-field* (schema stage + the 6 rules); the schema stage cannot be turned off. `is_valid` "
        "(schema-only overlay: exactly structural validity) skips building the Python report.",
        "- jsonschema-rs: `list(validator.iter_errors(dict))` (every error with its path) and `is_valid` (stops at "
        "the first), format assertion on.",
        "- pydantic: `Application.model_validate(dict)` on application_model.py, strict; on failure "
        "`ValidationError.errors()` (every error with its location). No cheaper yes/no path exists.",
        "- ZEN: `ZenDecision.evaluate(dict)` on the graph created once (`ZenEngine().create_decision`), "
        "synchronous as the binding offers it; the graph's own `performance` field reported a median of "
        f"{us(f['zen_own_ns'])} µs for full.json, the rest of the call being the binding (conversion in and out, "
        "the async runtime).",
        "- datalogic-py: the six rules compiled once; `Rule.evaluate(dict)` per rule (the dict converted six "
        "times), or `DataHandle(dict)` once and `Session.evaluate_bool` per rule.",
        "",
        "#### Agreement (checked before timing)",
        "",
        f"On all {k['named']:,} timed documents (full.json, the invalid application, the {k['variant_count']} "
        f"variants, the 10,000 of applications-10k.jsonl) and on {k['probe_count']} probes (copies of full.json with "
        "one structural change each, peers/variants.json; checked, not timed) every peer gave baokao's answer, and "
        "each overlay the full pack's; any difference would have stopped the run:",
        "",
        "- structure: the set of JSON pointers with an error — baokao's diagnostics of severity `error` with a "
        "schema code (docs/report.md), jsonschema-rs's instance paths (a missing required key at its own path), "
        "pydantic's error locations — so valid/invalid too; and jsonschema-rs `is_valid` = no `iter_errors`, "
        "the schema-only overlay's `is_valid` = structurally valid;",
        "- eligibility: ZEN's `route` = the report's `eligibility.route`, and ZEN's ten `fired.*` flags = "
        "whether each rule they name is in `Report.fired()`;",
        "- cross-field: each JSONLogic result is a boolean, `false` exactly for the rules baokao fired.",
        "",
        f"The invalid application: schema errors at {', '.join(f['invalid_paths'])}; route {f['invalid_route']}; "
        f"fired (rule ids, or codes for schema diagnostics) {', '.join(f['invalid_fired'])}. In the batch, {f['batch_struct_invalid']:,} applications have a "
        "schema error (its invalid ones break rules, mostly the ID check character), so structural *invalidity* "
        "is exercised by the invalid application and the probes. Every compared rule fires on some timed input "
        "and passes on another, and every route value comes out of one (checked before timing: otherwise the "
        "harness refuses to time). What the timed inputs exercise (applications per route, and per compared rule "
        "that fired): "
        + ", ".join(f"{key} {n:,}" for key, n in f["batch_tally"].items())
        + "."
        + (" baokao's answers for full and invalid also match peers/expected.json." if f["expected_checked"] else ""),
        "",
    ]
    for title, medians, peers in k["tables"]:
        lines += [f"#### {title}", ""]
        lines += render_table(medians, peers)
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
