"""Masked fields never leave the engine beyond their documented mask, through any Python channel.

Random (seeded) ID numbers, passwords and recovery answers go through reports (``to_json``, ``repr``,
both languages, whole and step by step, explained), batches, exceptions (message, ``repr``, ``args``,
pickle, traceback) and the command line's CSV, JSON Lines, summary and stderr. No run of 6 or more
consecutive characters of a secret may appear (also after removing ``-``, so that digits 7–14 of an
ID number shown as the date ``1998-05-14`` count). The mask keeps the first 3 and last 4 characters
of a value longer than 7 (``430***********0318``) and never shows such a run. A run that the same
channel also shows for the application *without* the secrets is not the secrets' (a district code,
the pack digest) and is not counted.
"""

from __future__ import annotations

import copy
import csv
import json
import pickle
import random
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

import baokao
from test_cli import flatten, run, write_csv, write_jsonl

RUN = 6
FIELDS = [("basic", "id_number"), ("account", "password"), ("account", "recovery_answer")]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
HAN = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400))
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"


def check_char(digits: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11]


def random_id(rng: random.Random) -> str:
    province = rng.choice(["11", "12", "31", "32", "37", "44", "51", "53", "61", "65", "81", "99"])
    digits = (
        f"{province}{rng.randrange(10_000):04}{rng.randrange(1940, 2010):04}"
        f"{rng.randrange(1, 13):02}{rng.randrange(1, 29):02}{rng.randrange(1000):03}"
    )
    good = check_char(digits)
    return digits + (good if rng.random() < 0.7 else ("0" if good != "0" else "1"))


def random_password(rng: random.Random) -> str:
    alphabet = ALNUM + ("_!@#.-" if rng.random() < 0.3 else "")
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6, 25)))


def random_answer(rng: random.Random) -> str:
    return "".join(rng.choice(HAN + ALNUM) for _ in range(rng.randrange(6, 41)))


def runs(secret: str) -> set[str]:
    return {secret[i : i + RUN] for i in range(len(secret) - RUN + 1)}


def leaks(secret: str, text: str) -> set[str]:
    views = (text, text.replace("-", ""))
    return {r for r in runs(secret) if any(r in v for v in views)}


def application(full: dict[str, Any], secrets: dict[str, Any] | None, rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(full)
    doc["basic"]["id_type"] = rng.choice(["居民身份证", "居民身份证", "港澳台居民居住证", "外籍护照"])
    doc["basic"]["gender"] = rng.choice(["男", "女"])
    doc["basic"]["birth_date"] = f"{rng.randrange(1950, 2005)}-{rng.randrange(1, 13):02}-{rng.randrange(1, 29):02}"
    for step, key in FIELDS:
        if secrets is None:
            doc[step].pop(key, None)
        else:
            doc[step][key] = secrets[key]
    return doc


def exception_texts(e: BaseException) -> str:
    """Everything an exception shows: message, str, repr, args, pickle bytes, round trip, traceback."""
    back = pickle.loads(pickle.dumps(e))
    parts: list[Any] = [
        str(e),
        repr(e),
        e.args,
        getattr(e, "message", ""),
        getattr(e, "path", ""),
        pickle.dumps(e).decode("latin-1"),
        str(back),
        repr(back),
        back.args,
        "".join(traceback.format_exception(e)),
    ]
    return "\n".join(str(p) for p in parts)


def raised(call: Callable[[], Any]) -> str:
    try:
        call()
    except baokao.BaokaoError as e:
        return exception_texts(e)
    return ""


def secrets_of(rng: random.Random) -> dict[str, str]:
    return {"id_number": random_id(rng), "password": random_password(rng), "recovery_answer": random_answer(rng)}


def python_outputs(engine: baokao.Engine, doc: dict[str, Any], secrets: dict[str, str]) -> str:
    out: list[str] = []
    for lang in ("zh", "en"):
        for report in (
            engine.validate(doc, lang=lang),
            engine.explain(doc, lang=lang),
            engine.validate_step("basic", doc, lang=lang),
            engine.validate_step("account", doc, lang=lang),
            engine.validate(json.dumps(doc, ensure_ascii=False), lang=lang),
        ):
            out += [report.to_json(), repr(report), str(report.to_dict())]
        for r in engine.validate_many([doc, doc], lang=lang):
            out.append(exception_texts(r) if isinstance(r, BaseException) else r.to_json())
    text = json.dumps(doc, ensure_ascii=False)
    for value in secrets.values():
        # A document cut just after the secret, and the secret given as a number too big for JSON.
        if value in text:
            cut = text[: text.index(value) + len(value)]
            out.append(raised(lambda: engine.validate(cut)))
        if value.isdigit():
            for step, key in FIELDS:
                if doc[step].get(key) == value:
                    bad = copy.deepcopy(doc)
                    bad[step][key] = int(value + "1234")
                    out.append(raised(lambda: engine.validate(bad)))
                    out += [exception_texts(r) for r in engine.validate_many([bad]) if isinstance(r, BaseException)]
    return "\n".join(out)


@pytest.mark.parametrize("step,key", FIELDS)
def test_conversion_errors_do_not_echo_values(engine: baokao.Engine, full: dict[str, Any], step: str, key: str) -> None:
    # The example: an ID number (or a password, an answer) given as an integer beyond 64 bits.
    number = 4301021998051403181234
    doc = copy.deepcopy(full)
    doc[step][key] = number
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(doc)
    e = info.value
    assert (e.code, e.path) == ("unsupported_number", f"/{step}/{key}")
    [batch] = engine.validate_many([doc])
    assert isinstance(batch, baokao.ApplicationError)
    for text in (exception_texts(e), exception_texts(batch)):
        assert not leaks(str(number), text), text
    # No input value at all: a NaN, a set of the secret, bytes of it.
    for bad in (float("nan"), {"430102199805140318"}, b"430102199805140318"):
        doc[step][key] = bad
        text = raised(lambda: engine.validate(doc))
        assert text and not leaks("430102199805140318", text), text


def test_no_run_of_a_masked_value_leaves_the_python_binding(engine: baokao.Engine, full: dict[str, Any]) -> None:
    rng = random.Random(20240612)
    checked = 0
    for _ in range(40):
        secrets = secrets_of(rng)
        state = rng.getstate()
        doc = application(full, secrets, rng)
        rng.setstate(state)
        baseline = python_outputs(engine, application(full, None, rng), secrets)
        shown = python_outputs(engine, doc, secrets)
        for value in secrets.values():
            found = leaks(value, shown) - leaks(value, baseline)
            assert not found, f"runs {sorted(found)} of the masked value {value!r} appear in Python outputs"
        checked += 1
    assert checked == 40


def cli_outputs(tmp_path: Path, name: str, docs: Iterable[Any]) -> str:
    """The command line's CSV and JSON Lines outputs, summaries and stderr for `docs`."""
    docs = list(docs)
    work = tmp_path / name
    work.mkdir()
    jsonl = write_jsonl(work / "apps.jsonl", docs)
    csv_in = write_csv(work / "apps.csv", [flatten(d) for d in docs if isinstance(d, dict)])
    out: list[str] = []
    for args in (
        ("--lang", "zh", "--id", "basic.id_number", "-o", "r.csv", str(jsonl)),
        ("--lang", "en", "-o", "e.csv", str(csv_in)),
        ("--format", "jsonl", "-o", "r.jsonl", str(jsonl)),
        ("--step", "basic", "--format", "jsonl", str(jsonl)),
    ):
        done = run("check", "--pack", "nmec-2024", *args, cwd=work)
        assert done.returncode in (0, 1), done.stderr
        out += [done.stdout, done.stderr]
    for f in sorted(work.iterdir()):
        if f.name not in ("apps.jsonl", "apps.csv"):
            out.append(f.read_text(encoding="utf-8-sig"))
    return "\n".join(out)


def test_no_run_of_a_masked_value_leaves_the_command_line(tmp_path: Path, full: dict[str, Any]) -> None:
    rng = random.Random(1998)
    cases = [secrets_of(rng) for _ in range(12)]
    state = rng.getstate()
    docs: list[Any] = [application(full, s, rng) for s in cases]
    rng.setstate(state)
    plain: list[Any] = [application(full, None, rng) for _ in cases]
    # Lines the engine cannot read, cut just after a secret.
    for s, doc in zip(cases[:4], docs[:4]):
        text = json.dumps(doc, ensure_ascii=False)
        docs.append(text[: text.index(s["password"]) + len(s["password"])])
        plain.append("{")
    shown = cli_outputs(tmp_path, "secrets", docs)
    baseline = cli_outputs(tmp_path, "plain", plain)
    for s in cases:
        for value in s.values():
            found = leaks(value, shown) - leaks(value, baseline)
            assert not found, f"runs {sorted(found)} of the masked value {value!r} appear in the CLI's outputs"


def test_id_column_of_a_masked_field_is_masked(tmp_path: Path, full: dict[str, Any]) -> None:
    (tmp_path / "a.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    out = run("check", "--pack", "nmec-2024", "--id", "basic.id_number", "-o", "-", "a.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    [row] = read_csv_text(out.stdout)
    assert row["id"] == "430***********0318"
    assert not leaks(full["basic"]["id_number"], out.stdout + out.stderr)


def read_csv_text(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))
