"""Unbounded costs from packs (issue 12), from Python: digest pinning, pack roots, the bundle size
limit and the evaluation work limit. The binding forwards to the core; these prove the keywords
reach it and the codes come back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import baokao
from conftest import ROOT

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
OUTSIDE = ROOT / "tests" / "errors" / "extends_outside_root" / "pack"
WORK = ROOT / "tests" / "limits" / "work"
OTHER_DIGEST = "sha256:" + "0" * 64


def test_a_pinned_digest_loads_the_pack_it_names(engine: baokao.Engine) -> None:
    digest = engine.pack["digest"]
    pinned = baokao.Engine.from_bundle(engine.bundle(), digest=digest)
    assert pinned.pack == engine.pack
    assert baokao.load("nmec-2024", digest=digest).pack == engine.pack
    # Hex digits in either case name the same digest.
    assert baokao.Engine.from_bundle(engine.bundle(), digest=digest.upper().replace("SHA256", "sha256"))


def test_a_pinned_digest_refuses_other_content(engine: baokao.Engine) -> None:
    for load in (
        lambda: baokao.Engine.from_bundle(engine.bundle(), digest=OTHER_DIGEST),
        lambda: baokao.load("nmec-2024", digest=OTHER_DIGEST),
        lambda: baokao.Engine.from_path(MINIMAL, digest=OTHER_DIGEST),
    ):
        with pytest.raises(baokao.LoadError) as info:
            load()
        assert info.value.code == "digest_mismatch"
        assert OTHER_DIGEST in info.value.message


def test_an_edited_pack_is_refused_by_the_digest_of_the_reviewed_one(tmp_path: Path) -> None:
    reviewed = baokao.Engine.from_path(MINIMAL).pack["digest"]
    pack = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack)
    rules = pack / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    check = "check = 'id_birth_date(basic.id_number) == basic.birth_date'"
    assert check in text
    rules.write_text(text.replace(check, "check = 'true'", 1), encoding="utf-8")
    # Unpinned, the edited pack loads, and its bundle is self-consistent.
    edited = baokao.Engine.from_path(pack)
    baokao.Engine.from_bundle(edited.bundle())
    for load in (
        lambda: baokao.Engine.from_path(pack, digest=reviewed),
        lambda: baokao.Engine.from_bundle(edited.bundle(), digest=reviewed),
    ):
        with pytest.raises(baokao.LoadError) as info:
            load()
        assert info.value.code == "digest_mismatch"
        assert reviewed in info.value.message and edited.pack["digest"] in info.value.message


def test_a_malformed_digest_is_invalid_digest(engine: baokao.Engine) -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_bundle(engine.bundle(), digest="abc")
    assert info.value.code == "invalid_digest"


def test_extends_stays_inside_the_pack_root_unless_allowed() -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_path(OUTSIDE)
    e = info.value
    # At the value of `extends`, in the file as the loader read it.
    assert (e.code, e.file, e.line, e.column) == ("path_outside_root", str(OUTSIDE / "pack.toml"), 5, 12)
    engine = baokao.Engine.from_path(OUTSIDE, pack_roots=[ROOT / "tests" / "fixtures"])
    assert engine.pack["id"] == "err-outside"


def test_a_bundle_over_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(baokao.LoadError) as info:
        baokao.Engine.from_bundle(" " * (baokao.MAX_BUNDLE_BYTES + 1))
    assert info.value.code == "bundle_too_large"


def certificates(n: int, deep: bool) -> dict[str, Any]:
    return {"cert": {"deep": deep, "records": [{"no": f"N{i}"} for i in range(n)]}}


def test_nested_quantifiers_reach_the_work_limit() -> None:
    engine = baokao.Engine.from_path(WORK)
    deep = certificates(1000, True)
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(deep)
    assert info.value.code == "work_limit_exceeded"
    assert "W-TRIPLE" in info.value.message
    with pytest.raises(baokao.ApplicationError) as info:
        engine.validate(json.dumps(deep))
    assert info.value.code == "work_limit_exceeded"
    # A batch keeps going: the error takes the document's place.
    flat = certificates(1000, False)
    results = engine.validate_many([flat, deep])
    assert isinstance(results[0], baokao.Report) and results[0].valid
    assert isinstance(results[1], baokao.ApplicationError)
    assert results[1].code == "work_limit_exceeded"
    assert not engine.is_valid(deep)
    assert baokao.DEFAULT_WORK_LIMIT == 10_000_000
