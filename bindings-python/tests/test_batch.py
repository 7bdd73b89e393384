"""validate_many: every core, input order, one bad record never stops the batch."""

from __future__ import annotations

import json
from typing import Any

import pytest

import baokao


def test_results_in_input_order(engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    batch = documents * 8
    expected = [engine.validate(d, lang="en") for d in batch]
    for threads in (1, 2, 3, 8, None):
        assert engine.validate_many(batch, lang="en", threads=threads) == expected


def test_mixed_inputs_and_error_isolation(engine: baokao.Engine, full: dict[str, Any]) -> None:
    batch: list[Any] = [full, "{", json.dumps(full), {"x": {1}}, "[]", json.dumps(full).encode(), full] * 20
    results = engine.validate_many(batch, threads=4)
    assert len(results) == len(batch)
    good = engine.validate(full)
    codes = []
    for r in results:
        if isinstance(r, baokao.Report):
            assert r == good
            codes.append("report")
        else:
            assert isinstance(r, baokao.ApplicationError)
            codes.append(r.code)
    assert codes[:7] == ["report", "malformed_json", "report", "unsupported_type", "not_an_object", "report", "report"]
    bad = results[3]
    assert isinstance(bad, baokao.BaokaoError)
    assert bad.path == "/x"
    assert bad.to_dict()["error"]["code"] == "unsupported_type"


def test_any_iterable(engine: baokao.Engine, documents: list[dict[str, Any]]) -> None:
    results = engine.validate_many(d for d in documents)
    assert len(results) == len(documents)
    assert engine.validate_many([]) == []


def test_lang_and_step(engine: baokao.Engine, full: dict[str, Any]) -> None:
    [report] = engine.validate_many([full], lang="en", step="basic")
    assert report == engine.validate_step("basic", full, lang="en")
    # An unknown step is an error of every record, not of the call.
    errors = engine.validate_many([full, full], step="nope")
    assert [e.code for e in errors if isinstance(e, baokao.ApplicationError)] == ["unknown_step"] * 2


def test_arguments(engine: baokao.Engine) -> None:
    with pytest.raises(ValueError):
        engine.validate_many([{}], threads=0)
    with pytest.raises(ValueError):
        engine.validate_many([{}], lang="fr")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.validate_many(42)  # type: ignore[arg-type]


def test_an_iterator_that_fails_raises(engine: baokao.Engine) -> None:
    def apps() -> Any:
        yield {}
        raise RuntimeError("export broken")

    with pytest.raises(RuntimeError, match="export broken"):
        engine.validate_many(apps())


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_an_iterator_that_fails_after_queued_chunks_raises(
    engine: baokao.Engine, documents: list[dict[str, Any]], threads: int
) -> None:
    # Failing after several chunks (of 32) are already queued for the workers.
    def apps() -> Any:
        for i in range(200):
            yield documents[i % len(documents)]
        raise RuntimeError("export broken at 200")

    with pytest.raises(RuntimeError, match="export broken at 200"):
        engine.validate_many(apps(), threads=threads)
    # The engine is still usable, and a generator gives the same reports as a list.
    batch = [documents[i % len(documents)] for i in range(200)]
    assert engine.validate_many(iter(batch), threads=threads) == engine.validate_many(batch, threads=1)


def test_a_bad_record_is_its_own_error(engine: baokao.Engine, full: dict[str, Any]) -> None:
    text = json.dumps(full, ensure_ascii=False)
    gbk = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError) as bad:
        gbk.decode("utf-8")
    column = bad.value.start + 1  # one line: the byte offset of the first bad byte, 1-based
    wrong_type = {**full, "basic": {**full["basic"], "photo_kb": "big"}}
    batch: list[Any] = [full, gbk, "{", {"basic": {"name": {1}}}, wrong_type, text.encode()]
    results = engine.validate_many(batch, lang="en")
    assert len(results) == len(batch)
    good = engine.validate(full, lang="en")
    assert results[0] == good and results[5] == good
    errors = [r for r in results if isinstance(r, baokao.ApplicationError)]
    assert [(e.code, e.line, e.column) for e in errors] == [
        ("invalid_encoding", 1, column),
        ("malformed_json", 1, 1),
        ("unsupported_type", None, None),
    ]
    assert errors[2].path == "/basic/name"
    # A value of the wrong type inside a step is a diagnostic of a report, not an error.
    assert isinstance(results[4], baokao.Report)
    assert [d["code"] for d in results[4].diagnostics] == ["type_mismatch"]
