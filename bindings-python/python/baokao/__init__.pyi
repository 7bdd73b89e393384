"""Type stubs of baokao: the native `Engine` and `Report`, the shipped packs, the exceptions."""

import os
from typing import Any, Iterable, Optional, Sequence, Union, final

from .errors import ApplicationError as ApplicationError
from .errors import BaokaoError as BaokaoError
from .errors import CompileError as CompileError
from .errors import LoadError as LoadError
from .types import (
    Application,
    Diagnostic,
    Eligibility,
    FormDict,
    FormStateDict,
    Lang,
    Outcome,
    PackInfo,
    ReportDict,
    TraceEntry,
)

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

__version__: str
#: Largest application accepted as JSON text, in bytes (`document_too_large`).
MAX_DOCUMENT_BYTES: int
#: Deepest nesting of arrays and objects accepted (`too_deep`), for JSON text and Python objects.
MAX_DOCUMENT_DEPTH: int
#: Largest bundle accepted, in bytes of JSON text (`bundle_too_large`, checked before parsing).
MAX_BUNDLE_BYTES: int
#: Work units one validation may spend (`work_limit_exceeded` beyond; see docs/errors.md).
DEFAULT_WORK_LIMIT: int

@final
class Report:
    """The result of validating an application (never constructed directly).

    An ineligible candidate or an invalid form is a report, not an exception. Attributes return
    the JSON form as new Python objects on each access; `to_json()` is byte-identical to the Rust
    core's serialisation. Reports compare equal when their contents are equal.
    """

    @staticmethod
    def from_json(json: str) -> Report:
        """A report from its JSON form (`to_json()`); `ValueError` if it is not one."""
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    @property
    def valid(self) -> bool:
        """No diagnostic of severity `error`."""
    @property
    def pack(self) -> PackInfo: ...
    @property
    def step(self) -> Optional[str]:
        """The step judged (step-wise validation), else `None`."""
    @property
    def diagnostics(self) -> list[Diagnostic]: ...
    @property
    def eligibility(self) -> Eligibility: ...
    @property
    def trace(self) -> Optional[list[TraceEntry]]:
        """The explain trace (from `explain`), else `None`."""
    @property
    def outcome(self) -> Outcome:
        """Shortcut for `eligibility["outcome"]`."""
    @property
    def route(self) -> Optional[str]:
        """Shortcut for `eligibility["route"]`."""
    def is_ok(self) -> bool:
        """Valid and eligible with nothing left to do: restrictions allowed; `False` for
        `conditional` (something is still due by a date) and every other outcome."""
    def fired(self) -> list[str]:
        """Ids (or codes) of everything that fired, sorted and de-duplicated."""
    def to_dict(self) -> ReportDict: ...
    def to_json(self) -> str: ...
    def to_text(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Engine:
    """A compiled rule pack: immutable and thread-safe. Compile once, validate many.

    `lang` is a language tag starting with `zh` (default) or `en` (`zh-CN`, `en-US` …, see
    `baokao.language`); another value raises `ValueError`. Every method raises
    `ApplicationError` when the application cannot be judged at all (not JSON, text that is not
    UTF-8, too large, too deep, not an object, a Python value with no JSON form, an unknown step),
    and `BaokaoError` with code `internal_error` should the engine itself fail. JSON text may start
    with a byte order mark.
    """

    @staticmethod
    def from_path(
        path: Union[str, os.PathLike[str]],
        *,
        digest: Optional[str] = None,
        pack_roots: Optional[Sequence[Union[str, os.PathLike[str]]]] = None,
    ) -> Engine:
        """Load and compile a pack directory or a bundle file; `LoadError` or `CompileError`.

        `digest` (`"sha256:…"`) pins the pack: other content is refused (`digest_mismatch`).
        `pack_roots` lets `extends` and example applications lead into more directories than
        the one that holds the pack directory (`path_outside_root` otherwise).
        """
    @staticmethod
    def from_bundle(json: Union[str, bytes, bytearray], *, digest: Optional[str] = None) -> Engine:
        """Load and compile a bundle (JSON text); `LoadError` or `CompileError`.

        `digest` (`"sha256:…"`) pins the pack: other content is refused (`digest_mismatch`).
        """
    @property
    def pack(self) -> PackInfo: ...
    @property
    def steps(self) -> list[str]:
        """Ids of the form's steps, in order."""
    def schema(self) -> dict[str, Any]:
        """The application format as JSON Schema (draft 2020-12)."""
    def bundle(self, with_examples: bool = False) -> str:
        """The pack as a bundle (JSON text)."""
    def mask(self, path: str, value: str) -> str:
        """`value` of the field at `path` (`basic.id_number`) as reports show it: masked when the pack
        marks the field `mask`, else unchanged (also when `path` is no field)."""
    def validate(self, app: Application, lang: Lang = "zh") -> Report: ...
    def validate_step(self, step: str, app: Application, lang: Lang = "zh") -> Report: ...
    def notice(self, app: Application, lang: Lang = "zh") -> str:
        """The printable registration success notice (报名成功通知单): one A4 HTML page, identical to
        `baokao notice` and JavaScript's `engine.notice()`. Raises `ApplicationError` (code
        `notice_refused`) for an invalid, ineligible or undetermined application."""
    def form(self, lang: Lang = "zh") -> FormDict:
        """The form as the pack describes it (docs/form.md): the same document as `baokao form`
        and JavaScript's `engine.form()`."""
    def form_state(self, app: Application) -> FormStateDict:
        """The fields an application makes required now, and the values of derived fields."""
    def explain(self, app: Application, lang: Lang = "zh") -> Report: ...
    def run(
        self, app: Application, *, lang: Lang = "zh", step: Optional[str] = None, explain: bool = False
    ) -> Report: ...
    def is_valid(self, app: Application) -> bool:
        """Valid and eligible with nothing left to do (not `conditional`); `False` also when the
        application cannot be judged at all."""
    def validate_many(
        self,
        apps: Iterable[Application],
        lang: Lang = "zh",
        threads: Optional[int] = None,
        step: Optional[str] = None,
    ) -> list[Union[Report, BaokaoError]]:
        """Validate many applications on `threads` threads (default: every core), without the GIL.

        One result per input, in input order: a `Report`, or — for an input that could not be
        judged (malformed JSON, bytes that are not UTF-8, too large or deep, not an object, a value
        with no JSON form) — the exception it would have raised (an `ApplicationError` with its
        `code`, `path`, and `line`/`column` for text, not raised), so one bad record never stops
        the batch. A value of the wrong type inside a step is not such an input: it is a
        diagnostic of its report. `BaokaoError.to_dict()` gives an error the
        `{"error": {"code", "message", "path"}}` shape the CLI writes. Only an iterable that fails
        itself, or a wrong argument, raises.
        """

@final
class Diff:
    """What changed between two packs and whom it affects (`baokao.diff`); never constructed
    directly. Its JSON form is documented in `docs/diff.md`."""

    @property
    def changed(self) -> bool:
        """Whether anything differs: a section of the packs, or an application's report."""
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str:
        """Compact JSON, byte-identical to `baokao diff --format json`."""
    def to_text(self) -> str:
        """The reviewer's text, as `baokao diff` prints it."""

def engine_of(pack: Union[Engine, str, os.PathLike[str]]) -> Engine:
    """An engine as it is, a shipped pack by name, or a pack directory or bundle file."""

def diff(
    old: Union[Engine, str, os.PathLike[str]],
    new: Union[Engine, str, os.PathLike[str]],
    applications: Optional[Iterable[Any]] = None,
    *,
    lang: Lang = "zh",
) -> Diff:
    """What changed between two packs, and with `applications` (each an application, or a pair
    `(input, application)`; a `BaokaoError` counts as unreadable) every one whose report changes."""

def language(tag: str) -> str:
    """`"zh"` or `"en"`: the language of messages for a tag (`zh-CN`, `EN`, `en-US` …); `ValueError`
    for any other."""

def packs() -> list[str]:
    """Names of the rule packs shipped in this package."""

def load(name: str, *, digest: Optional[str] = None) -> Engine:
    """Compile a shipped rule pack by name; `LoadError` (`unknown_pack`) for another name.

    `digest` (`"sha256:…"`) pins the pack: other content is refused (`digest_mismatch`).
    """
