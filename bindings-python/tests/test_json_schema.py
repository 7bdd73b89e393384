"""The exported JSON Schema and the engine agree: a differential test over a generated corpus.

The corpus mutates the pack's example applications: every field in turn gets each of a list of values
of every JSON type (boundary numbers such as ``413.0`` and ``2**53``, dates of the year ``0000``, impossible
days, timestamps with and without an offset, strings one character too long, trailing newlines,
full-width digits …), steps become ``null`` or arrays, records get too many or malformed items, and
seeded random documents combine several such changes. Each document is judged twice: by the
``jsonschema`` package (Draft 2020-12, with format assertion) against ``Engine.schema()``, and by the
engine, where a document is schema-valid when its report has no error of a schema code.

The documented differences (``core/src/json_schema.rs``, ``docs/application-format.md``) are the only
ones allowed, each recognised exactly: a field required by ``required_when`` (the engine reports
``required_missing``; the export cannot express the condition) and a number beyond the range of a
64-bit float (the engine's JSON parser refuses it: ``malformed_json``).
"""

from __future__ import annotations

import copy
import json
import random
import re
import tomllib
from pathlib import Path
from typing import Any, Iterator

import jsonschema  # installed by scripts/setup-python.sh: a missing validator fails, never skips
import pytest

import baokao
from conftest import PACK_DIR

SCHEMA_CODES = {
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
}

SAFE = 2**53 - 1

#: Values every field gets in turn, whatever its type.
VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 7, 8, 9, 70, 71, 413, 413.0, 413.5, -0.0, 1.0, 1e-9, 2000, 2100, 2100.0,
    2101, 1999.0, 24.6, 1e30, -1e30, SAFE, SAFE + 1, -SAFE, -SAFE - 1, 2**53 + 2, 2**63 - 1, 2**63, 2**64,
    -(2**63), -(2**63) - 1, 10**400, -(10**400), "", " ", "-", "x", "413", "true", "null", "男", "临床",
    "执业医师", "居民身份证", "430102199805140318", "430102199805140318\n", "１２３４５６", "410005", "410005\n",
    "430100", "٤١٠٠٠٥", "jpg", "JPG", "a@b.cn", "a@b.cn\n", "13807311234", "+8613807311234",
    "1998-05-14", "1998-05-14\n", "0000-01-01", "0001-01-01", "9999-12-31", "2023-02-29", "2024-02-29",
    "1900-02-29", "2000-02-29", "2024-04-31", "2024-13-01", "1998-5-14", "19980514", "1998-05-14T00:00:00",
    "2024-01", "0000-01", "0001-01", "9999-12", "2024-00", "2024-13", "2024-1", "2024-01\n", "202401",
    "2024-01-25T10:15:00+08:00", "2024-01-25T10:15:00Z", "2024-01-25t10:15:00z", "2024-01-25 10:15:00+08:00",
    "2024-01-25T10:15:00", "2024-01-25T10:15:60+08:00", "2024-01-25T24:00:00Z", "2024-01-25T10:15:00.123456+08:00",
    "2024-01-25T10:15:00.+08:00", "2024-01-25T10:15:00+24:00", "2024-01-25T10:15:00+23:59", "2024-01-25T10:15:00-00:00",
    "0000-01-01T00:00:00Z", "2023-02-29T10:00:00Z", "2024-01-25T10:15:00+0800", "2024-01-25T10:15:00Z\n",
    [], [1], ["临床"], [{}], [None], {}, {"x": 1},
]


def ecma_pattern(pattern: str) -> str:
    """A pattern as ECMA-262 (JSON Schema's dialect) reads it: ``$`` matches only at the end (Python's
    ``$`` also matches before a final newline); ``\\d`` stays Unicode-aware, as in the engine."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    assert "$" not in pattern.replace("\\$", ""), f"a `$` inside {pattern!r}: teach ecma_pattern about it"
    return pattern


def pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not re.search(ecma_pattern(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern_keyword})


def conditional_fields() -> set[str]:
    """JSON pointers of the fields the pack requires only under a condition (`required_when`)."""
    with (PACK_DIR / "schema.toml").open("rb") as f:
        fields = tomllib.load(f)["field"]
    return {"/" + f["path"].replace(".", "/") for f in fields if "required_when" in f}


class Judge:
    def __init__(self, engine: baokao.Engine) -> None:
        self.engine = engine
        self.schema = engine.schema()
        Validator.check_schema(self.schema)
        self.validator = Validator(self.schema, format_checker=Validator.FORMAT_CHECKER)
        self.conditional = conditional_fields()

    def by_schema(self, doc: Any) -> list[str]:
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in self.validator.iter_errors(doc)]

    def by_engine(self, text: str) -> tuple[list[str], list[str]]:
        """Schema errors of the engine, and those the documented differences explain."""
        try:
            report = self.engine.validate(text)
        except baokao.ApplicationError as e:
            return [f"{e.code}: {e.message}"], []
        # Rule diagnostics carry their rule's own code, never a schema code (`rule_codes` checks).
        errors = [d for d in report.diagnostics if d["severity"] == "error" and d["code"] in SCHEMA_CODES]
        explained = [d for d in errors if d["code"] == "required_missing" and d["path"] in self.conditional]
        fmt = lambda d: f"{d['path']}: {d['code']} {d['message']}"  # noqa: E731
        return [fmt(d) for d in errors if d not in explained], [fmt(d) for d in explained]


def beyond_float(doc: Any) -> bool:
    """Whether the document holds an integer a 64-bit float cannot hold (the engine refuses its text)."""
    if isinstance(doc, dict):
        return any(beyond_float(v) for v in doc.values())
    if isinstance(doc, list):
        return any(beyond_float(v) for v in doc)
    return isinstance(doc, int) and not isinstance(doc, bool) and abs(doc) >= 2**1024


def paths(doc: dict[str, Any], schema: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """Every field path of the schema, and of the records' items present in `doc`."""
    for step, step_schema in schema["properties"].items():
        yield (step,)
        for key, spec in step_schema["properties"].items():
            yield (step, key)
            items = spec.get("items", {})
            entries = (doc.get(step) or {}).get(key) if isinstance(doc.get(step), dict) else None
            if items.get("type") == "object" and isinstance(entries, list):
                for i in range(len(entries)):
                    yield (step, key, i)
                    for k in items["properties"]:
                        yield (step, key, i, k)


def put(doc: Any, path: tuple[Any, ...], value: Any) -> bool:
    node = doc
    for p in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(p, {})
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            node = node[p]
        else:
            return False
        if not isinstance(node, (dict, list)):
            return False
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    else:
        return False
    return True


def field_values(spec: dict[str, Any]) -> list[Any]:
    """Values at the edges of one field's own constraints."""
    spec = spec.get("anyOf", [spec])[0]
    out: list[Any] = []
    for bound in ("minimum", "maximum"):
        if bound in spec:
            b = spec[bound]
            out += [b - 1, b, b + 1, b - 0.5, b + 0.5, float(b)]
    for bound in ("minLength", "maxLength"):
        if bound in spec:
            n = spec[bound]
            out += ["a" * max(n - 1, 0), "a" * n, "a" * (n + 1), "键" * n, "键" * (n + 1)]
    for value in spec.get("enum", []) or []:
        if isinstance(value, str):
            out += [value, value + " ", value + "\n"]
    if spec.get("type") == "array" or "array" in spec.get("type", []):
        n = spec.get("maxItems", 3)
        item = spec.get("items", {})
        sample = {} if item.get("type") == "object" else "x"
        out += [[sample] * n, [sample] * (n + 1), [sample] * min(n + 1, 1001)]
    return out


def corpus(judge: Judge, bases: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    schema = judge.schema
    rng = random.Random(413)
    for base in bases:
        yield "base", base
    base = bases[0]
    for path in paths(base, schema):
        spec: dict[str, Any] = schema
        for p in path:
            spec = spec.get("properties", {}).get(p) or spec.get("items", {}) if not isinstance(p, int) else spec.get("items", {})
        for value in [*VALUES, *field_values(spec)]:
            doc = copy.deepcopy(base)
            if put(doc, path, value):
                yield f"{'.'.join(map(str, path))} = {value!r:.60}", doc
        doc = copy.deepcopy(base)
        parent = doc
        for p in path[:-1]:
            parent = parent[p] if isinstance(parent, (dict, list)) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
            yield f"{'.'.join(map(str, path))} removed", doc
    # Several changes at once, on every base.
    all_paths = [(b, list(paths(b, schema))) for b in bases]
    for n in range(1500):
        b, ps = rng.choice(all_paths)
        doc = copy.deepcopy(b)
        changes = []
        for _ in range(rng.randrange(1, 5)):
            path = rng.choice(ps)
            value = rng.choice(VALUES)
            if put(doc, path, value):
                changes.append(f"{'.'.join(map(str, path))} = {value!r:.40}")
        yield f"random {n}: {'; '.join(changes)}", doc


@pytest.fixture(scope="module")
def judge(engine: baokao.Engine) -> Judge:
    return Judge(engine)


def rule_codes() -> set[str]:
    codes = set()
    for path in PACK_DIR.rglob("*.toml"):
        with path.open("rb") as f:
            data = tomllib.load(f)
        codes |= {r.get("code", "rule_failed") for r in data.get("rule", [])}
    return codes


def test_rules_use_no_schema_code() -> None:
    # What lets the engine's schema verdict be read off the codes of its diagnostics.
    assert rule_codes() and not rule_codes() & SCHEMA_CODES


def test_the_export_is_valid_draft_2020_12(judge: Judge) -> None:
    jsonschema.Draft202012Validator.check_schema(judge.schema)
    assert judge.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_and_engine_accept_the_same_documents(judge: Judge, documents: list[dict[str, Any]]) -> None:
    bases = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((PACK_DIR / "examples").glob("*.json"))]
    bases += [d for d in documents if isinstance(d, dict)][:30]
    disagreements: list[str] = []
    judged = 0
    for what, doc in corpus(judge, bases):
        text = json.dumps(doc, ensure_ascii=False)
        by_schema = judge.by_schema(doc)
        engine_errors, _ = judge.by_engine(text)
        judged += 1
        if bool(by_schema) == bool(engine_errors):
            continue
        if not by_schema and engine_errors and beyond_float(doc):
            continue  # documented: the engine's JSON parser refuses numbers beyond f64
        disagreements.append(
            f"{what}: schema {'refuses' if by_schema else 'accepts'} {by_schema[:2]}, "
            f"engine {'refuses' if engine_errors else 'accepts'} {engine_errors[:2]}"
        )
    assert judged > 10_000
    assert not disagreements, f"{len(disagreements)} of {judged} documents judged differently:\n" + "\n".join(
        disagreements[:40]
    )


def test_required_when_is_the_only_requirement_the_export_leaves_out(judge: Judge) -> None:
    """The documented difference, shown: a field required by a condition is `required_missing` for the
    engine and absent from the export's `required`."""
    base = json.loads((PACK_DIR / "examples" / "a-clinical-bachelor.json").read_text(encoding="utf-8"))
    doc = copy.deepcopy(base)
    doc["basic"]["id_type"] = "外籍护照"  # travel_permit_no becomes required
    doc["basic"].pop("travel_permit_no", None)
    errors, explained = judge.by_engine(json.dumps(doc, ensure_ascii=False))
    assert any(e.startswith("/basic/travel_permit_no: required_missing") for e in explained), (errors, explained)
    assert "travel_permit_no" not in judge.schema["properties"]["basic"]["required"]
