"""Exceptions: classes defined in Python, raised from Rust, with stable codes and locations."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

import baokao
from baokao import errors
from conftest import PACK_DIR


def broken_pack(tmp_path: Path, *edits: tuple[str, str], file: str = "rules/basic.toml") -> Path:
    """A copy of the 2024 pack with each `(old, new)` edit applied once to `file`."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK_DIR, pack)
    path = pack / file
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"the pack no longer contains {old!r}: pick another line to break"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return pack


MISSPELT = ("check = 'id_checksum_ok(basic.id_number)'", "check = 'id_checksum_ok(basic.id_numbr)'")
MISTYPED = ("and len(basic.id_number) == 18'", "and len(basic.id_number) == \"18\"'")


def line_of(pack: Path, file: str, needle: str) -> int:
    lines = (pack / file).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_hierarchy() -> None:
    for cls in (baokao.LoadError, baokao.CompileError, baokao.ApplicationError):
        assert issubclass(cls, baokao.BaokaoError)
        assert cls.__module__ == "baokao.errors"
    assert issubclass(baokao.BaokaoError, Exception)
    assert baokao.BaokaoError is errors.BaokaoError


def test_compile_error_lists_every_problem_with_its_location(tmp_path: Path) -> None:
    pack = broken_pack(tmp_path, MISSPELT, MISTYPED)
    text = (pack / "rules/basic.toml").read_text(encoding="utf-8")
    with pytest.raises(baokao.CompileError) as info:
        baokao.Engine.from_path(pack)
    e = info.value
    assert sorted(x.code for x in e.errors) == ["type_mismatch", "unknown_field"]
    assert all(isinstance(x, baokao.CompileError) for x in e.errors)
    # The exception itself carries the first problem's code, item and location.
    first = e.errors[0]
    assert (e.code, e.item, e.file, e.line, e.column) == (first.code, first.item, first.file, first.line, first.column)
    misspelt = next(x for x in e.errors if x.code == "unknown_field")
    assert misspelt.file == str(pack / "rules" / "basic.toml")  # the path the loader read
    assert misspelt.line == line_of(pack, "rules/basic.toml", "basic.id_numbr")
    assert misspelt.column is not None
    assert text.splitlines()[misspelt.line - 1][misspelt.column - 1 :].startswith("basic.id_numbr")
    assert "XF-01" in misspelt.item
    mistyped = next(x for x in e.errors if x.code == "type_mismatch")
    assert mistyped.line == line_of(pack, "rules/basic.toml", '== "18"')
    assert "basic.id_numbr" in str(e) and "2 compile error(s)" in str(e)


def test_load_error_toml_syntax(tmp_path: Path) -> None:
    pack = broken_pack(tmp_path, ('id = "XF-01"', 'id = "XF-01'))
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_path(pack)
    assert info.value.code == "toml_syntax"
    assert info.value.file is not None and info.value.file.endswith("basic.toml")
    assert info.value.line == line_of(pack, "rules/basic.toml", 'id = "XF-01')


def test_load_error_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_path(tmp_path / "nope")
    assert info.value.code == "io_error"
    assert info.value.file == str(tmp_path / "nope")


def test_load_error_tampered_bundle(engine: baokao.Engine) -> None:
    bundle = json.loads(engine.bundle())
    bundle["pack"]["pack"]["version"] = "9999"
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_bundle(json.dumps(bundle))
    assert info.value.code == "digest_mismatch"
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_bundle("{not json")
    assert info.value.code == "json_syntax" and info.value.file == "bundle" and info.value.line == 1


def test_unknown_pack_name() -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.load("nmec-1999")
    assert info.value.code == "unknown_pack"
    assert "nmec-2024" in info.value.message


@pytest.mark.parametrize(
    ("app", "code", "path"),
    [
        ('{"basic": ', "malformed_json", ""),
        ("[]", "not_an_object", ""),
        ([{"basic": {}}], "not_an_object", ""),
        ("null", "not_an_object", ""),
        (b"\xff{}", "invalid_encoding", ""),
        ("[" * 65 + "]" * 65, "too_deep", ""),
        ({"basic": {"name": {1, 2}}}, "unsupported_type", "/basic/name"),
        ({"basic": {"photo_kb": float("nan")}}, "unsupported_number", "/basic/photo_kb"),
        ({"basic": {"photo_kb": float("inf")}}, "unsupported_number", "/basic/photo_kb"),
        ({"basic": {"photo_width": 2**64}}, "unsupported_number", "/basic/photo_width"),
        ({"basic": {1: "x"}}, "unsupported_type", "/basic"),
        ({"a/b": {"c~d": [0, object()]}}, "unsupported_type", "/a~1b/c~0d/1"),
        ({"basic": {"name": "\ud800"}}, "unsupported_type", "/basic/name"),
        ("\ud800", "invalid_encoding", ""),
        (42, "not_an_object", ""),
        (object(), "unsupported_type", ""),
    ],
)
def test_application_errors(engine: baokao.Engine, app: Any, code: str, path: str) -> None:
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(app)
    assert info.value.code == code
    assert info.value.path == path


def deep(levels: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels - 1):
        node["a"] = {}
        node = node["a"]
    return root


def test_depth_limit_is_the_cores_for_dicts_and_text(engine: baokao.Engine) -> None:
    ok = deep(baokao.MAX_DOCUMENT_DEPTH)
    engine.validate(ok)
    engine.validate(json.dumps(ok))
    too_deep = deep(baokao.MAX_DOCUMENT_DEPTH + 1)
    for app in (too_deep, json.dumps(too_deep)):
        with pytest.raises(baokao.ApplicationError) as info:
            engine.validate(app)
        assert info.value.code == "too_deep"


def test_cyclic_objects_stop_at_the_depth_limit(engine: baokao.Engine) -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(cyclic)
    assert info.value.code == "too_deep"


def test_size_limit_applies_to_text(engine: baokao.Engine) -> None:
    text = json.dumps({"basic": {"address": "x" * baokao.MAX_DOCUMENT_BYTES}})
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(text)
    assert info.value.code == "document_too_large"


def test_malformed_json_has_line_and_column(engine: baokao.Engine) -> None:
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate('{\n  "basic": ,\n}')
    assert (info.value.code, info.value.line, info.value.column) == ("malformed_json", 2, 12)


def test_unknown_step(engine: baokao.Engine) -> None:
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate_step("nope", {})
    assert info.value.code == "unknown_step"
    assert "basic" in info.value.message


def test_a_panic_becomes_an_internal_error() -> None:
    from baokao import _native

    with pytest.raises(baokao.BaokaoError) as info:
        _native._panic_for_tests("boom")  # type: ignore[attr-defined]
    assert type(info.value) is baokao.BaokaoError
    assert info.value.code == "internal_error"
    assert "boom" in info.value.message


def test_errors_pickle_and_serialise(tmp_path: Path) -> None:
    with pytest.raises(baokao.CompileError) as info:
        baokao.Engine.from_path(broken_pack(tmp_path, MISSPELT, MISTYPED))
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is baokao.CompileError
    assert (copy.code, copy.file, copy.line, copy.column, copy.item, str(copy)) == (
        info.value.code,
        info.value.file,
        info.value.line,
        info.value.column,
        info.value.item,
        str(info.value),
    )
    assert [e.code for e in copy.errors] == [e.code for e in info.value.errors]
    e = baokao.ApplicationError("bad", code="too_deep", path="/a")
    assert e.to_dict() == {"error": {"code": "too_deep", "message": "bad", "path": "/a"}}
    assert repr(e) == "ApplicationError(code='too_deep', message='bad')"


def test_bundle_arguments() -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_bundle(b"\xff\xfe")
    assert info.value.code == "json_syntax"
    with pytest.raises(TypeError):
        baokao.Engine.from_bundle({"format": "baokao-bundle/1"})  # type: ignore[arg-type]


def test_text_that_is_not_utf8_has_line_and_column(engine: baokao.Engine) -> None:
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(b'{\n  "basic": {"name": "\xc0\xee"}}')
    assert (info.value.code, info.value.line, info.value.column) == ("invalid_encoding", 2, 22)


@pytest.mark.parametrize("bom", ["\ufeff", b"\xef\xbb\xbf"], ids=["str", "bytes"])
def test_a_byte_order_mark_is_not_part_of_the_document(engine: baokao.Engine, full: dict[str, Any], bom: Any) -> None:
    text = json.dumps(full, ensure_ascii=False)
    app = bom + (text if isinstance(bom, str) else text.encode())
    assert engine.validate(app, lang="en") == engine.validate(full, lang="en")
    assert engine.validate_many([app]) == [engine.validate(full)]
