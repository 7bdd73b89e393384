"""Every public method of the package, against the shipped 2024 pack."""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest

import baokao
from conftest import PACK_DIR, ROOT, VECTORS


def test_module_surface() -> None:
    assert baokao.__version__
    assert baokao.MAX_DOCUMENT_DEPTH == 64
    assert baokao.MAX_DOCUMENT_BYTES == 1024 * 1024
    assert set(baokao.__all__) <= set(dir(baokao))


def test_packs_lists_every_rule_pack_directory() -> None:
    expected = sorted(p.name for p in (ROOT / "rules").iterdir() if (p / "pack.toml").exists())
    assert baokao.packs() == expected
    assert "nmec-2024" in baokao.packs()


def test_load_by_name(engine: baokao.Engine) -> None:
    assert engine.pack["id"] == "nmec-2024"
    assert engine.pack["digest"].startswith("sha256:")
    assert repr(engine).startswith("<Engine nmec-2024 ")


def test_from_path_directory_bundle_and_pathlike(engine: baokao.Engine, tmp_path: pathlib.Path) -> None:
    from_dir = baokao.Engine.from_path(str(PACK_DIR))
    bundle = tmp_path / "pack.json"
    bundle.write_text(engine.bundle(), encoding="utf-8")
    from_file = baokao.Engine.from_path(bundle)  # os.PathLike
    assert from_dir.pack == from_file.pack == engine.pack


def test_from_bundle_str_and_bytes(engine: baokao.Engine) -> None:
    text = engine.bundle()
    assert baokao.Engine.from_bundle(text).pack == engine.pack
    assert baokao.Engine.from_bundle(text.encode()).pack == engine.pack
    with pytest.raises(TypeError):
        baokao.Engine.from_bundle(json.loads(text))  # type: ignore[arg-type]


def test_bundle_with_examples() -> None:
    engine = baokao.Engine.from_path(PACK_DIR)
    without = json.loads(engine.bundle())
    with_examples = json.loads(engine.bundle(with_examples=True))
    assert without["format"] == with_examples["format"] == "baokao-bundle/1"
    assert without["digest"] == with_examples["digest"] == engine.pack["digest"]
    assert not without["pack"]["examples"] and with_examples["pack"]["examples"]


def test_steps_and_schema(engine: baokao.Engine) -> None:
    assert engine.steps[:3] == ["account", "exam", "notice"]
    schema = engine.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(engine.steps)
    assert schema["properties"]["education"]["properties"]["major"]["type"] == ["string", "null"]


def test_validate_returns_a_report(engine: baokao.Engine, full: dict[str, Any]) -> None:
    report = engine.validate(full)
    assert isinstance(report, baokao.Report)
    assert report.valid is True
    assert report.outcome == "eligible" == report.eligibility["outcome"]
    assert report.route == report.eligibility["route"] is not None
    assert report.pack == engine.pack
    assert report.step is None and report.trace is None
    assert report.diagnostics == [] and report.fired() == []
    assert report.is_ok()
    assert "eligible" in report.to_text()
    assert repr(report).startswith("<Report nmec-2024 valid=True outcome=eligible")


def test_validate_str_bytes_and_bytearray_equal_dict(engine: baokao.Engine, full: dict[str, Any]) -> None:
    text = json.dumps(full, ensure_ascii=False)
    reports = [engine.validate(a) for a in (full, text, text.encode(), bytearray(text.encode()))]
    assert all(r == reports[0] for r in reports)


def test_an_invalid_application_is_a_report(engine: baokao.Engine, full: dict[str, Any]) -> None:
    app = copy.deepcopy(full)
    app["basic"]["id_number"] = app["basic"]["id_number"][:-1] + ("0" if app["basic"]["id_number"][-1] != "0" else "1")
    report = engine.validate(app, lang="en")
    assert report.valid is False
    assert "XF-01" in report.fired()
    d = next(d for d in report.diagnostics if d.get("rule") == "XF-01")
    assert d["path"] == "/basic/id_number" and d["severity"] == "error" and d["step"] == "basic"
    assert app["basic"]["id_number"] not in d["message"]  # masked
    assert not report.is_ok() and not engine.is_valid(app)


def test_lang(engine: baokao.Engine) -> None:
    zh = engine.validate({}, lang="zh")
    en = engine.validate({}, lang="EN")
    assert zh.diagnostics[0]["code"] == en.diagnostics[0]["code"] == "required_missing"
    assert zh.diagnostics[0]["message"] != en.diagnostics[0]["message"]
    assert engine.validate({}, lang="zh-CN") == zh
    with pytest.raises(ValueError, match="unknown language"):
        engine.validate({}, lang="fr")  # type: ignore[arg-type]


def test_validate_step(engine: baokao.Engine, full: dict[str, Any]) -> None:
    report = engine.validate_step("basic", {"basic": full["basic"]}, lang="en")
    assert report.step == "basic"
    assert report.valid
    assert report.outcome == "undetermined"
    assert all(d["step"] == "basic" for d in engine.validate_step("basic", {}).diagnostics)


def test_explain(engine: baokao.Engine, full: dict[str, Any]) -> None:
    report = engine.explain(full, lang="en")
    assert report.trace
    entry = report.trace[0]
    assert {"rule", "result", "values"} <= set(entry)
    assert report.to_dict()["trace"] == report.trace
    without = engine.validate(full, lang="en").to_dict()
    assert {k: v for k, v in report.to_dict().items() if k != "trace"} == without


def test_run_with_every_option(engine: baokao.Engine, full: dict[str, Any]) -> None:
    assert engine.run(full) == engine.validate(full)
    assert engine.run(full, lang="en", step="basic") == engine.validate_step("basic", full, lang="en")
    assert engine.run(full, explain=True) == engine.explain(full)


def test_is_valid(engine: baokao.Engine, full: dict[str, Any]) -> None:
    assert engine.is_valid(full)
    assert engine.is_valid(json.dumps(full))
    assert not engine.is_valid({})
    assert not engine.is_valid("{")  # cannot be judged: not valid
    assert not engine.is_valid([])  # type: ignore[arg-type]


def test_report_to_dict_keeps_the_contract_key_order(engine: baokao.Engine, full: dict[str, Any]) -> None:
    report = engine.validate_step("basic", {})
    assert list(report.to_dict()) == ["pack", "valid", "step", "diagnostics", "eligibility", "materials"]
    assert json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")) == report.to_json()


def test_reports_compare_by_content(engine: baokao.Engine, full: dict[str, Any]) -> None:
    assert engine.validate(full) == engine.validate(full)
    assert engine.validate(full) != engine.validate({})
    assert engine.validate(full) != "a report"
    with pytest.raises(TypeError):
        hash(engine.validate(full))


def test_python_types_convert_like_json(engine: baokao.Engine, full: dict[str, Any]) -> None:
    class Text(str):
        pass

    app = copy.deepcopy(full)
    app["basic"]["name"] = Text(app["basic"]["name"])  # subclasses of JSON types are accepted
    app["training"] = {"records": tuple(app.get("training", {}).get("records", []))}
    assert engine.validate(app) == engine.validate(json.loads(json.dumps(app)))


def test_reports_are_independent_objects(engine: baokao.Engine) -> None:
    report = engine.validate({})
    report.diagnostics.clear()
    assert report.diagnostics


def test_reports_round_trip_through_json_and_pickle(engine: baokao.Engine, full: dict[str, Any]) -> None:
    import pickle

    for report in (engine.validate(full), engine.explain({}, lang="en"), engine.validate_step("basic", {})):
        assert baokao.Report.from_json(report.to_json()) == report
        copy = pickle.loads(pickle.dumps(report))
        assert copy == report and copy.to_json() == report.to_json()
    with pytest.raises(ValueError, match="not a baokao report"):
        baokao.Report.from_json('{"valid": true}')


def test_notice_is_the_page_the_cli_prints(engine: baokao.Engine) -> None:
    """`engine.notice()` gives the same bytes as `baokao notice` (written by scripts/test-python.sh)."""
    notices = VECTORS / "notices"
    files = sorted(notices.glob("*.html"))
    assert len(files) == 8, notices
    for path in files:
        name, lang, _ = path.name.split(".")
        application = json.loads((PACK_DIR / "examples" / f"{name}.json").read_text(encoding="utf-8"))
        assert engine.notice(application, lang=lang) == path.read_text(encoding="utf-8"), path.name


def test_notice_refuses_an_ineligible_application(engine: baokao.Engine) -> None:
    nursing = json.loads((PACK_DIR / "examples" / "c-nursing-ineligible.json").read_text(encoding="utf-8"))
    with pytest.raises(baokao.ApplicationError) as info:
        engine.notice(nursing)
    assert info.value.code == "notice_refused"
    assert "R-EDU-0" in str(info.value)


def _compact(value: Any) -> str:
    """The JSON text the core writes: no spaces, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_is_the_document_the_cli_prints(engine: baokao.Engine, lang: str) -> None:
    """`engine.form()` is `baokao form` (written by scripts/test-python.sh), byte for byte."""
    path = VECTORS / "forms" / f"nmec-2024.{lang}.json"
    form = engine.form(lang)  # type: ignore[arg-type]
    assert _compact(form) == path.read_text(encoding="utf-8")
    assert form["lang"] == lang
    assert [s["id"] for s in form["steps"]] == engine.steps
    basic = next(s for s in form["steps"] if s["id"] == "basic")
    gender = next(f for f in basic["fields"] if f["key"] == "gender")
    assert gender["derived"]["from"] == ["basic.id_type", "basic.id_number"]
    assert [o["label"] for o in gender.get("options", [])] == (["男", "女"] if lang == "zh" else ["Male", "Female"])


def test_form_state_of_every_example_is_the_clis(engine: baokao.Engine) -> None:
    files = sorted((PACK_DIR / "examples").glob("*.json"))
    assert files
    for app in files:
        expected = (VECTORS / "forms" / f"{app.stem}.state.json").read_text(encoding="utf-8")
        with app.open(encoding="utf-8") as f:
            as_dict = json.load(f)
        assert _compact(engine.form_state(as_dict)) == expected, app.name
        assert _compact(engine.form_state(app.read_bytes())) == expected, app.name


def test_form_state_derives_and_requires(engine: baokao.Engine) -> None:
    state = engine.form_state({"basic": {"id_type": "居民身份证", "id_number": "430102199805140318"}})
    assert state["derived"] == [
        {"path": "/basic/gender", "value": "男"},
        {"path": "/basic/birth_date", "value": "1998-05-14"},
    ]
    assert "/exam/specialty" not in state["required"]
    assert "/exam/specialty" in engine.form_state('{"exam": {"category": "中医"}}')["required"]
    with pytest.raises(baokao.ApplicationError) as info:
        engine.form_state("[1]")
    assert info.value.code == "not_an_object"
    with pytest.raises(ValueError):
        engine.form("fr")  # type: ignore[arg-type]
