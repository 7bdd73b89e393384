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

import os
from importlib import resources
from typing import Any, Iterable, Optional, Union

from . import _native
from ._native import (
    DEFAULT_WORK_LIMIT,
    MAX_BUNDLE_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_DEPTH,
    Diff,
    Engine,
    Report,
    __version__,
    language,
)
from .errors import ApplicationError, BaokaoError, CompileError, LoadError

__all__ = [
    "DEFAULT_WORK_LIMIT",
    "MAX_BUNDLE_BYTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_DEPTH",
    "ApplicationError",
    "BaokaoError",
    "CompileError",
    "Diff",
    "Engine",
    "LoadError",
    "Report",
    "__version__",
    "diff",
    "language",
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


def load(name: str, *, digest: Optional[str] = None) -> Engine:
    """Compile a rule pack shipped in this package, by name (see :func:`packs`).

    ``digest`` (``"sha256:…"``) pins the pack: any other content raises :class:`LoadError` with
    code ``digest_mismatch``. Raises :class:`LoadError` with code ``unknown_pack`` when no pack
    has that name; to load a pack directory or bundle file of your own, use
    :meth:`Engine.from_path`.
    """
    if name not in packs():
        shipped = ", ".join(packs()) or "none"
        message = f"no rule pack named `{name}` is shipped (shipped: {shipped})"
        raise LoadError(message, code="unknown_pack")
    bundle = resources.files(__name__).joinpath("packs").joinpath(f"{name}.json")
    return Engine.from_bundle(bundle.read_bytes(), digest=digest)


def engine_of(pack: Union[Engine, str, "os.PathLike[str]"]) -> Engine:
    """An :class:`Engine` for ``pack``: an engine as it is, the name of a shipped pack (unless a path
    of that name exists), or a pack directory or bundle file."""
    if isinstance(pack, Engine):
        return pack
    path = os.fspath(pack)
    if path in packs() and not os.path.exists(path):
        return load(path)
    return Engine.from_path(path)


def diff(
    old: Union[Engine, str, "os.PathLike[str]"],
    new: Union[Engine, str, "os.PathLike[str]"],
    applications: Optional[Iterable[Any]] = None,
    *,
    lang: str = "zh",
) -> Diff:
    """What changed between two packs, as a reviewer reads it, and whom it affects.

    ``old`` and ``new`` are engines, shipped pack names or pack paths. With ``applications``, each
    is judged by both packs and every one whose report changes is listed (validity, outcome, route,
    the rules that newly fire or stop firing, materials, due dates), with counts by kind. An item is
    an application (``dict``, JSON ``str`` or ``bytes``), or a pair ``(input, application)`` naming
    where it came from; a :class:`BaokaoError` in place of an application (a record that could not
    be read) counts as unreadable. The core computes everything (``baokao diff`` prints the same).
    """
    return _native.diff(engine_of(old), engine_of(new), applications, lang=lang)
