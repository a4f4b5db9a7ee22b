"""The nouns of field forms: definitions, fields, choices, violations and answer issues.

Everything here is a frozen dataclass, so a loaded definition can be shared by every request
of the app and can never be changed after it was checked. ``to_json`` gives the wire shape
the tablet renders; :func:`content_sha256` pins the content of a published version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

#: Abuse limits. A definition may lower ``max_length`` / ``max_items`` but never raise them.
TEXT_MAX_LENGTH = 2000
REPEAT_MAX_ITEMS = 500
#: Depth of nested repeat groups a definition may declare (a table inside a table is the
#: deepest an inspector can fill on a tablet; the limit also bounds the validator's recursion).
MAX_REPEAT_DEPTH = 3
#: More issues than this are summarised by one ``TOO_MANY_ISSUES`` issue, so a garbage
#: payload of 500 items × 20 fields cannot produce a response larger than the request.
MAX_ISSUES = 200

JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]
JSONObject = dict[str, JSONValue]


class FormDefinitionError(ValueError):
    """A field-form or violation-catalogue file breaks a rule; the message names the form,
    its version and the path of the offending field (``form bazaar_scale v1: field
    test_points.load: …``)."""


class FormStatus(StrEnum):
    """Lifecycle of a published form version (kept outside the immutable version file).

    ``open``: offered for new work and accepts submissions. ``closing``: hidden from new work
    but still accepts submissions, so tablets can flush queued inspections. ``closed``:
    submissions are refused (``FORM_CLOSED``).
    """

    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"

    @property
    def accepts_submissions(self) -> bool:
        """True for ``open`` and ``closing``."""
        return self is not FormStatus.CLOSED

    @property
    def offered_for_new_work(self) -> bool:
        """True only for ``open``."""
        return self is FormStatus.OPEN


@dataclass(frozen=True)
class LocalizedText:
    """A label in both languages of the product; both are required and non-empty."""

    zh: str
    en: str

    def to_json(self) -> JSONObject:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class ViolationRef:
    """A violation code a field can give rise to.

    With ``when`` (boolean fields only) the finding is raised directly when the answer equals
    ``when``. Without it the code is raised by the evaluation of the field's measurements or
    date (tolerances, expiry), which is the metrology engine's job, not the form's.
    """

    code: str
    when: bool | None = None

    def to_json(self) -> JSONObject:
        out: JSONObject = {"code": self.code}
        if self.when is not None:
            out["when"] = self.when
        return out


@dataclass(frozen=True)
class Choice:
    """One option of a select or multi-select; choosing it may raise ``violation``."""

    value: str
    label: LocalizedText
    violation: str | None = None

    def to_json(self) -> JSONObject:
        out: JSONObject = {"value": self.value, "label": self.label.to_json()}
        if self.violation is not None:
            out["violation"] = self.violation
        return out


@dataclass(frozen=True)
class Relevance:
    """The field applies only when the earlier sibling ``field`` has the answer ``equals``.

    A field that does not apply is not required and must be left unanswered (absent or null).
    """

    field: str
    equals: str | bool

    def to_json(self) -> JSONObject:
        return {"field": self.field, "equals": self.equals}


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form. Which of the optional attributes are allowed depends on the
    type (see ``FIELD_TYPES``); the parser rejects the others, so every attribute that is set
    is meaningful and appears in ``to_json`` (and therefore in the content hash)."""

    key: str
    type: str
    label: LocalizedText
    required: bool = False
    hint: LocalizedText | None = None
    relevant: Relevance | None = None
    violations: tuple[ViolationRef, ...] = ()
    # number
    unit: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    integer: bool = False
    # text
    max_length: int | None = None
    # select / multi_select
    choices: tuple[Choice, ...] = ()
    # repeat
    fields: tuple[FieldSpec, ...] = ()
    min_items: int | None = None
    max_items: int | None = None

    @cached_property
    def _choice_values(self) -> frozenset[str]:
        # Computed once per field, not once per answer: a table of 500 rows asks 500 times.
        return frozenset(c.value for c in self.choices)

    def choice_values(self) -> frozenset[str]:
        """The values a select or multi-select accepts."""
        return self._choice_values

    def to_json(self) -> JSONObject:
        """Return the wire shape: ``key, type, label, required`` always; the rest when set."""
        out: JSONObject = {
            "key": self.key,
            "type": self.type,
            "label": self.label.to_json(),
            "required": self.required,
        }
        if self.hint is not None:
            out["hint"] = self.hint.to_json()
        if self.relevant is not None:
            out["relevant"] = self.relevant.to_json()
        if self.violations:
            out["violations"] = [v.to_json() for v in self.violations]
        if self.unit is not None:
            out["unit"] = self.unit
        if self.min is not None:
            out["min"] = json_number(self.min)
        if self.max is not None:
            out["max"] = json_number(self.max)
        if self.integer:
            out["integer"] = True
        if self.max_length is not None:
            out["max_length"] = self.max_length
        if self.choices:
            out["choices"] = [c.to_json() for c in self.choices]
        if self.fields:
            out["fields"] = [f.to_json() for f in self.fields]
        if self.min_items is not None:
            out["min_items"] = self.min_items
        if self.max_items is not None:
            out["max_items"] = self.max_items
        return out


@dataclass(frozen=True)
class FormDefinition:
    """One published version of one form: ``(key, version)`` names it for ever."""

    key: str
    version: int
    title: LocalizedText
    inspection_type: str
    fields: tuple[FieldSpec, ...]
    status: FormStatus = field(default=FormStatus.OPEN)

    def to_json(self) -> JSONObject:
        """Return exactly ``{key, version, title, inspection_type, status, fields}``."""
        return {
            "key": self.key,
            "version": self.version,
            "title": self.title.to_json(),
            "inspection_type": self.inspection_type,
            "status": self.status.value,
            "fields": [f.to_json() for f in self.fields],
        }

    def walk(self) -> list[tuple[str, FieldSpec]]:
        """Every field with its dotted path (``test_points.load``), depth first, in order."""
        out: list[tuple[str, FieldSpec]] = []

        def visit(fields: tuple[FieldSpec, ...], prefix: str) -> None:
            for spec in fields:
                path = f"{prefix}{spec.key}"
                out.append((path, spec))
                visit(spec.fields, f"{path}.")

        visit(self.fields, "")
        return out

    def violation_codes(self) -> frozenset[str]:
        """Every violation code the definition refers to, on fields or on choices."""
        codes: set[str] = set()
        for _, spec in self.walk():
            codes.update(ref.code for ref in spec.violations)
            codes.update(c.violation for c in spec.choices if c.violation is not None)
        return frozenset(codes)


def json_number(value: Decimal) -> int | float:
    """Render a definition limit as a JSON number: integral values as ints (``1.0`` → ``1``),
    so the content hash does not depend on how the TOML spelled the number."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def canonical_json(definition: FormDefinition) -> bytes:
    """UTF-8 JSON of the definition's content with sorted keys and no whitespace.

    ``status`` is left out: the lifecycle changes over time, the content never does.
    """
    content = definition.to_json()
    del content["status"]
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_sha256(definition: FormDefinition) -> str:
    """Lowercase hex sha256 of :func:`canonical_json`; what ``published.lock`` pins."""
    return hashlib.sha256(canonical_json(definition)).hexdigest()


@dataclass(frozen=True)
class Violation:
    """One entry of the violation catalogue (``field_forms/violations.toml``).

    ``basis_status`` says how far ``legal_basis`` was checked: ``verified`` (read in the
    primary text), ``secondary`` (read in a secondary source) or ``unverified``.
    ``triggers`` lists what a confirmed finding sets in motion; every S4 triggers ``alert``.
    ``deadline_days`` is the order's period, set exactly when a trigger makes an order.
    """

    code: str
    domain: str
    severity: str
    title: LocalizedText
    legal_basis: LocalizedText
    basis_status: str
    triggers: tuple[str, ...]
    deadline_days: int | None = None

    @property
    def severity_rank(self) -> int:
        """0 for S0 … 4 for S4."""
        return int(self.severity[1:])

    def to_json(self) -> JSONObject:
        return {
            "code": self.code,
            "domain": self.domain,
            "severity": self.severity,
            "title": self.title.to_json(),
            "legal_basis": self.legal_basis.to_json(),
            "basis_status": self.basis_status,
            "triggers": list(self.triggers),
            "deadline_days": self.deadline_days,
        }


@dataclass(frozen=True)
class AnswerIssue:
    """One problem with a submitted answer set.

    ``path`` is dotted with 0-based item indexes (``test_points.2.load``; ``""`` for the whole
    answer object); ``code`` is a stable ``UPPER_SNAKE`` string clients may switch on.
    """

    path: str
    code: str
    message_zh: str
    message_en: str

    def to_json(self) -> JSONObject:
        return {
            "path": self.path,
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
