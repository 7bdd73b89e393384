"""Types of the report's JSON form (``docs/report.md``) and of the form description
(``docs/form.md``), for annotating code that reads them.

::

    from baokao.types import ReportDict
    def reasons(report: ReportDict) -> list[str]: ...

Keys that the core leaves out when empty are optional here (``total=False`` parts).
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

__all__ = [
    "Application",
    "DerivedValue",
    "FormDerived",
    "FormDict",
    "FormField",
    "FormFile",
    "FormMeasure",
    "FormOption",
    "FormStateDict",
    "FormStep",
    "Diagnostic",
    "Eligibility",
    "Finding",
    "Lang",
    "Material",
    "Outcome",
    "PackInfo",
    "ReportDict",
    "Severity",
    "TraceEntry",
    "TraceValue",
]

#: An application: a ``dict`` (converted directly, no JSON text in between) or JSON text.
Application = Union[Dict[str, Any], str, bytes, bytearray]
#: A language tag for messages: a BCP 47 tag whose primary subtag is ``zh`` or ``en``, in any case
#: (``zh``, ``zh-CN``, ``zh-Hans-CN``, ``EN``, ``en-US``; ``_`` as in ``zh_CN`` too). Any other raises
#: ``ValueError`` (``baokao.language(tag)`` says which language a tag gives).
Lang = str
#: The five eligibility outcomes, by precedence.
Outcome = Literal["eligible", "conditional", "ineligible", "needs_review", "undetermined"]
Severity = Literal["error", "warning", "info"]


class PackInfo(TypedDict):
    """Which pack judged."""

    id: str
    version: str
    digest: str


class _Diagnostic(TypedDict):
    code: str
    path: str
    severity: Severity
    message: str


class Diagnostic(_Diagnostic, total=False):
    """A problem in the data. ``step`` is absent for a diagnostic of the whole document (an unknown
    top-level key, ``unknown_fields_omitted``)."""

    step: str
    rule: str
    cite: str


class _Finding(TypedDict):
    rule: str
    code: str
    message: str


class Finding(_Finding, total=False):
    """A reason, condition or restriction of the eligibility decision."""

    cite: str
    path: str
    due: str
    question: str


class Eligibility(TypedDict):
    """The eligibility decision."""

    outcome: Outcome
    route: Optional[str]
    route_label: Optional[str]
    conditions: List[Finding]
    restrictions: List[Finding]
    reasons: List[Finding]


class _Material(TypedDict):
    id: str
    label: str
    rule: str
    cite: str


class Material(_Material, total=False):
    """A document to bring to on-site review; ``verify`` is what the reviewer checks on it."""

    verify: str


class TraceValue(TypedDict):
    """A traced sub-expression and its value (``None`` for unknown)."""

    expr: str
    value: Any


class _TraceEntry(TypedDict):
    rule: str
    result: str
    values: List[TraceValue]


class TraceEntry(_TraceEntry, total=False):
    """One evaluated rule or decision of an ``explain`` trace."""

    row: int


class _ReportDict(TypedDict):
    pack: PackInfo
    valid: bool
    diagnostics: List[Diagnostic]
    eligibility: Eligibility
    materials: List[Material]


class ReportDict(_ReportDict, total=False):
    """``Report.to_dict()``: the report's JSON form."""

    step: str
    trace: List[TraceEntry]


class FormOption(TypedDict):
    """An allowed value (what the application holds) and its label (what a candidate reads)."""

    value: str
    label: str


class _FormFile(TypedDict):
    id: str
    label: str


class FormFile(_FormFile, total=False):
    """A file the candidate chooses on a step (the photo)."""

    help: str


# ``from`` is a keyword, hence the functional form.
_FormDerived = TypedDict("_FormDerived", {"value": str, "from": List[str]})


class FormDerived(_FormDerived, total=False):
    """How a derived field is computed: ``value`` (an expression), ``when`` (absent: always) and
    ``from``, the dotted paths of the fields they read."""

    when: str


class FormMeasure(TypedDict):
    """Which file, and which of its measurements, fills a field."""

    file: str
    property: Literal["format", "kb", "width", "height"]


class _FormField(TypedDict):
    path: str
    pointer: str
    key: str
    type: str
    label: str
    required: bool
    mask: bool
    dash: bool
    clock: bool


class FormField(_FormField, total=False):
    """One field of the form; ``fields`` holds a records field's entry fields."""

    item_type: str
    help: str
    required_when: str
    options: List[FormOption]
    pattern: str
    min_length: int
    max_length: int
    min: Union[int, float]
    max: Union[int, float]
    derived: FormDerived
    measure: FormMeasure
    fields: List["FormField"]


class _FormStep(TypedDict):
    id: str
    title: str
    authority: bool
    fields: List[FormField]


class FormStep(_FormStep, total=False):
    """One step (page) of the form."""

    help: str
    files: List[FormFile]


class FormDict(TypedDict):
    """``Engine.form()``: the form as the pack describes it."""

    pack: PackInfo
    lang: Literal["zh", "en"]
    title: str
    steps: List[FormStep]


class DerivedValue(TypedDict):
    """The value of a derived field (``None`` while it cannot be computed)."""

    path: str
    value: Any


class FormStateDict(TypedDict):
    """``Engine.form_state()``: the fields required now and the derived values."""

    required: List[str]
    derived: List[DerivedValue]
