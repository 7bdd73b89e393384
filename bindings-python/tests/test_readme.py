"""The README's Python examples run as shown (from the repository root, as the README says).

Every ```python block of bindings-python/README.md, and of the top-level README when it has any, is
executed on its own. A block that imports pandas or polars is skipped when that library is not
installed: baokao does not depend on them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

READMES = [ROOT / "bindings-python" / "README.md", ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
OPTIONAL = ("pandas", "polars")


def blocks() -> list[tuple[str, str]]:
    found = []
    for readme in READMES:
        if readme.exists():
            for n, match in enumerate(BLOCK.finditer(readme.read_text(encoding="utf-8")), 1):
                found.append((f"{readme.relative_to(ROOT)}#{n}", match.group(1)))
    return found


def test_the_binding_readme_has_examples() -> None:
    assert sum(1 for name, _ in blocks() if name.startswith("bindings-python")) >= 5


@pytest.mark.parametrize(("name", "code"), blocks(), ids=[name for name, _ in blocks()])
def test_readme_block_runs(name: str, code: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for module in OPTIONAL:
        if re.search(rf"^\s*(import|from) {module}\b", code, re.MULTILINE):
            pytest.importorskip(module)
    monkeypatch.chdir(ROOT)
    exec(compile(code, name, "exec"), {"__name__": "__readme__"})
    capsys.readouterr()
