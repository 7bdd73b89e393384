"""Exceptions of baokao, raised by the native engine.

An ineligible candidate or an invalid form is never an exception: it is a :class:`baokao.Report`.
An exception means the engine could not do its job. Every exception has a stable ``code``
(``docs/errors.md``); match on codes, never on messages.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

__all__ = ["BaokaoError", "LoadError", "CompileError", "ApplicationError"]


class BaokaoError(Exception):
    """Base class of every baokao error.

    Attributes: ``code`` (stable snake_case), ``message``, ``path`` (JSON pointer of the value
    concerned, ``""`` for the whole document), and where known ``file``, ``line`` and ``column``.
    """

    code: str
    message: str
    path: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        code: str = "internal_error",
        path: str = "",
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path
        self.file = file
        self.line = line
        self.column = column

    def _fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not pickled by Exception's own reduce; batches of errors
        # must survive multiprocessing.
        return (_rebuild, (type(self), self.message, self._fields()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def to_dict(self) -> dict[str, Any]:
        """The error in the shape the CLI writes for it: ``{"error": {code, message, path}}``."""
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


def _rebuild(cls: type[BaokaoError], message: str, fields: dict[str, Any]) -> BaokaoError:
    return cls(message, **fields)


class LoadError(BaokaoError):
    """A pack could not be read: a missing file, bad TOML, a broken or tampered bundle."""


class CompileError(BaokaoError):
    """A pack loaded but does not compile.

    ``errors`` lists every problem found (each a ``CompileError`` with its own ``code``,
    ``item``, ``file``, ``line`` and ``column``); the attributes of the exception itself are
    those of the first.
    """

    item: str
    errors: list[CompileError]

    def __init__(
        self,
        message: str,
        *,
        code: str = "compile_error",
        path: str = "",
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        item: str = "",
        errors: Sequence[CompileError] = (),
    ) -> None:
        super().__init__(message, code=code, path=path, file=file, line=line, column=column)
        self.item = item
        self.errors = list(errors)

    def _fields(self) -> dict[str, Any]:
        return {**super()._fields(), "item": self.item, "errors": self.errors}


class ApplicationError(BaokaoError):
    """The application could not be judged at all: not JSON, too large, too deep, not an object,
    an unknown step, or a Python value with no JSON form (``unsupported_type``,
    ``unsupported_number``)."""
