"""The README's examples run as shown.

Every ```python block of bindings-python/README.md and of the top-level README is executed on its own,
from the repository root, as the README says. A block that imports pandas or polars is skipped when that
library is not installed: baokao does not depend on them.

Every ```bash block marked `<!-- runs in tests: … -->` (the `baokao diff` and Excel workflows) is run
line by line with `baokao` and `python` on PATH, from a scratch directory holding `rules/` and the
`export.*` files the lines read (the pack's example documents as an office exports them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import baokao
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


# --- the command-line blocks ------------------------------------------------------------------------

#: A ```bash block run by this test is preceded by this comment (the others build, install or are
#: sketches with placeholder names).
RUNS = "<!-- runs in tests: bindings-python/tests/test_readme.py"
BASH = re.compile(r"^(<!-- runs in tests:[^\n]*-->)\n```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def command_blocks() -> list[tuple[str, str]]:
    found = []
    for readme in READMES:
        text = readme.read_text(encoding="utf-8")
        matches = list(BASH.finditer(text))
        # Every marker is followed by its block: none is silently skipped.
        assert text.count(RUNS) == len(matches), readme
        for n, match in enumerate(matches, 1):
            assert match.group(1).startswith(RUNS), match.group(1)
            found.append((f"{readme.relative_to(ROOT)}#bash{n}", match.group(2)))
    return found


def exports(scratch: Path) -> None:
    """The `export.*` files the blocks read: the pack's example documents as an office exports them."""
    from test_cli import flatten, write_csv, write_jsonl
    from test_excel import write_xlsx

    with (ROOT / "target" / "conformance" / "nmec-2024.jsonl").open(encoding="utf-8") as f:
        vectors = [json.loads(line) for line in f if line.strip()]
    docs = [v["document"] for v in vectors if v["step"] is None and '""' not in json.dumps(v["document"])][:30]
    engine = baokao.load("nmec-2024")
    write_jsonl(scratch / "export.jsonl", docs)
    write_csv(scratch / "export.csv", [flatten(d) for d in docs])
    write_xlsx(scratch / "export.xlsx", engine, [flatten(d) for d in docs])
    text = (scratch / "export.csv").read_text(encoding="utf-8-sig")
    (scratch / "export-gbk.csv").write_bytes(text.encode("gb18030"))


def test_the_readmes_have_command_blocks_that_run() -> None:
    names = [name for name, _ in command_blocks()]
    assert any(n.startswith("README.md") for n in names) and any(n.startswith("bindings-python") for n in names)


@pytest.mark.parametrize(("name", "block"), command_blocks(), ids=[name for name, _ in command_blocks()])
def test_readme_command_block_runs(name: str, block: str, tmp_path: Path) -> None:
    cli = os.environ.get("BAOKAO_CLI")
    if not cli or not Path(cli).exists():
        pytest.fail("BAOKAO_CLI is not set: run scripts/test-python.sh (it builds the CLI)")
    (tmp_path / "rules").symlink_to(ROOT / "rules", target_is_directory=True)
    exports(tmp_path)
    path = os.pathsep.join([str(Path(cli).parent), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    def files() -> dict[str, float]:
        return {p.name: p.stat().st_mtime for p in tmp_path.iterdir() if p.is_file()}

    for line in block.splitlines():
        command = line.split("  #")[0].strip()
        if not command or command.startswith("#"):
            continue
        before = files()
        out = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
            env={**os.environ, "PATH": path},
        )
        # 0 all clear, 1 some application not eligible (check) or a change (diff); never 2.
        assert out.returncode in (0, 1), f"{name}: `{command}` exited {out.returncode}: {out.stderr}"
        assert "Traceback" not in out.stderr and "panicked" not in out.stderr, out.stderr
        # Each line shows something, or writes a file.
        assert out.stdout or files() != before, f"{name}: `{command}` did nothing visible"
