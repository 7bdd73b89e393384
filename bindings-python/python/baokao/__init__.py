"""baokao — exam registration and eligibility rules as data.

Compile a rule pack once, then validate applications in microseconds::

    import baokao
    engine = baokao.load("nmec-2024")
    report = engine.validate({"basic": {"name": "张三"}}, lang="en")
    print(report.valid, report.outcome)

The report's JSON form is the contract shared with the Rust core and the WebAssembly binding
(``docs/report.md``); this package converts and forwards, it computes nothing of its own.
"""

from __future__ import annotations

from importlib import resources

from ._native import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, Engine, Report, __version__
from .errors import ApplicationError, BaokaoError, CompileError, LoadError

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_DEPTH",
    "ApplicationError",
    "BaokaoError",
    "CompileError",
    "Engine",
    "LoadError",
    "Report",
    "__version__",
    "load",
    "packs",
]

# INVARIANT: the native classes report `baokao` as their module, so reprs, pickling errors and
# documentation name them as users import them.


def packs() -> list[str]:
    """Names of the rule packs shipped in this package (``nmec-2024`` and its overlays)."""
    folder = resources.files(__name__).joinpath("packs")
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load(name: str) -> Engine:
    """Compile a rule pack shipped in this package, by name (see :func:`packs`).

    Raises :class:`LoadError` with code ``unknown_pack`` when no pack has that name; to load a
    pack directory or bundle file of your own, use :meth:`Engine.from_path`.
    """
    if name not in packs():
        shipped = ", ".join(packs()) or "none"
        message = f"no rule pack named `{name}` is shipped (shipped: {shipped})"
        raise LoadError(message, code="unknown_pack")
    bundle = resources.files(__name__).joinpath("packs").joinpath(f"{name}.json")
    return Engine.from_bundle(bundle.read_bytes())
