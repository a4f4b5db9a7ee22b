"""Parse form definitions and the violation catalogue from plain data (``tomllib`` output).

Parsing is strict: an attribute the field's type does not take is an error, not ignored, so a
typo such as ``requird = true`` cannot silently publish an optional field, and everything that
was accepted is part of ``to_json`` and therefore of the pinned content hash. The definition
syntax is the ``to_json`` field shape, so a served definition parses back to itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal

from .fieldtypes import FIELD_TYPES
from .model import (
    MAX_REPEAT_DEPTH,
    REPEAT_MAX_ITEMS,
    TEXT_MAX_LENGTH,
    Choice,
    FieldSpec,
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    LocalizedText,
    Relevance,
    ViolationRef,
)

KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
CHOICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
CODE_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


_FORM_KEYS = frozenset({"title", "inspection_type", "fields"})
_COMMON = frozenset({"key", "type", "label", "required", "hint", "relevant", "violations"})
_MAX_TEXT = 500  # labels and hints are read on a tablet, not essays
_MAX_FIELDS = 200
_MAX_CHOICES = 100


def invalid(where: str, message: str) -> FormDefinitionError:
    return FormDefinitionError(f"{where}: {message}")


def parse_text(raw: object, where: str, what: str) -> LocalizedText:
    """``{zh, en}``: both present, non-empty strings of at most 500 characters."""
    if not isinstance(raw, Mapping):
        raise invalid(where, f'{what} must be a table {{zh = "…", en = "…"}}')
    for lang in ("zh", "en"):
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise invalid(where, f"{what} is missing '{lang}'")
        if len(value) > _MAX_TEXT:
            raise invalid(where, f"{what}.{lang} is longer than {_MAX_TEXT} characters")
    extra = set(raw) - {"zh", "en"}
    if extra:
        raise invalid(where, f"{what} has unknown language(s) {sorted(map(str, extra))}")
    return LocalizedText(zh=raw["zh"], en=raw["en"])


def _int(raw: object, where: str, what: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise invalid(where, f"{what} must be a whole number from {low} to {high}")
    return raw


def _bool(raw: object, where: str, what: str) -> bool:
    if not isinstance(raw, bool):
        raise invalid(where, f"{what} must be true or false")
    return raw


def _limit(raw: object, where: str, what: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise invalid(where, f"{what} must be a finite number")
    return Decimal(str(raw))


def _choices(raw: object, where: str) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or not raw:
        raise invalid(where, "choices missing: a select needs a non-empty list of choices")
    if len(raw) > _MAX_CHOICES:
        raise invalid(where, f"more than {_MAX_CHOICES} choices")
    out: list[Choice] = []
    for index, item in enumerate(raw):
        at = f"{where}: choice {index}"
        if not isinstance(item, Mapping):
            raise invalid(at, "must be a table {value, label}")
        extra = set(item) - {"value", "label", "violation"}
        if extra:
            raise invalid(at, f"unknown attribute(s) {sorted(map(str, extra))}")
        value = item.get("value")
        if not isinstance(value, str) or not CHOICE_RE.fullmatch(value):
            raise invalid(at, "value must match [A-Za-z0-9][A-Za-z0-9_.-]*")
        if any(c.value == value for c in out):
            raise invalid(at, f"duplicate choice value '{value}'")
        if "label" not in item:
            raise invalid(at, "missing label")
        violation = item.get("violation")
        if violation is not None and (
            not isinstance(violation, str) or not CODE_RE.fullmatch(violation)
        ):
            raise invalid(at, "violation must be an UPPER_SNAKE code")
        out.append(Choice(value, parse_text(item["label"], at, "label"), violation))
    return tuple(out)


def _violation_refs(raw: object, where: str, field_type: str) -> tuple[ViolationRef, ...]:
    if not isinstance(raw, list) or not raw:
        raise invalid(where, "violations must be a non-empty list of {code, when?}")
    refs: list[ViolationRef] = []
    for item in raw:
        if not isinstance(item, Mapping) or set(item) - {"code", "when"}:
            raise invalid(where, "each violation must be a table {code, when?}")
        code = item.get("code")
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise invalid(where, "violation code must be UPPER_SNAKE")
        when = item.get("when")
        # Only a yes/no answer can raise a finding by itself; other fields feed an evaluation.
        if field_type == "boolean" and not isinstance(when, bool):
            raise invalid(where, f"violation {code} on a boolean needs when = true|false")
        if field_type != "boolean" and when is not None:
            raise invalid(where, f"violation {code}: 'when' is only allowed on boolean fields")
        refs.append(ViolationRef(code, when))
    return tuple(refs)


def _relevance(raw: object, where: str, earlier: Mapping[str, FieldSpec]) -> Relevance:
    if not isinstance(raw, Mapping) or set(raw) != {"field", "equals"}:
        raise invalid(where, "relevant must be a table {field, equals}")
    name, equals = raw["field"], raw["equals"]
    sibling = earlier.get(name) if isinstance(name, str) else None
    if sibling is None:
        raise invalid(where, f"relevant.field '{name}' is not an earlier field of the same group")
    if sibling.type == "boolean" and isinstance(equals, bool):
        return Relevance(sibling.key, equals)
    if sibling.type == "select" and isinstance(equals, str) and equals in sibling.choice_values():
        return Relevance(sibling.key, equals)
    raise invalid(where, f"relevant.equals must be a value of boolean/select field '{name}'")


def _field(
    raw: object,
    prefix: str,
    index: int,
    depth: int,
    earlier: Mapping[str, FieldSpec],
    where: str,
) -> FieldSpec:
    if not isinstance(raw, Mapping):
        raise invalid(f"{where}: field {prefix}[{index}]", "must be a table")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise invalid(f"{where}: field {prefix}[{index}]", "key must match [a-z][a-z0-9_]*")
    at = f"{where}: field {prefix}{key}"
    type_name = raw.get("type")
    if not isinstance(type_name, str) or type_name not in FIELD_TYPES:
        known = ", ".join(FIELD_TYPES)
        raise invalid(at, f"unknown type {type_name!r} (known: {known})")
    ftype = FIELD_TYPES[type_name]
    extra = set(raw) - _COMMON - ftype.options
    if extra:
        raise invalid(at, f"unknown attribute(s) {sorted(map(str, extra))} for type {type_name}")
    if "label" not in raw:
        raise invalid(at, "missing label")
    label = parse_text(raw["label"], at, "label")
    required = _bool(raw.get("required", False), at, "required")
    if required and not ftype.answerable:
        raise invalid(at, f"a {type_name} takes no answer and cannot be required")
    hint = parse_text(raw["hint"], at, "hint") if "hint" in raw else None
    relevant = _relevance(raw["relevant"], at, earlier) if "relevant" in raw else None
    violations: tuple[ViolationRef, ...] = ()
    if "violations" in raw:
        if not ftype.answerable:
            raise invalid(at, f"a {type_name} takes no answer and cannot raise violations")
        violations = _violation_refs(raw["violations"], at, type_name)
    if type_name == "merchant" and (prefix or key != "merchant"):
        raise invalid(at, "the merchant type is only allowed as the top-level field 'merchant'")
    unit: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    if type_name == "number":
        if "unit" in raw:
            unit = raw["unit"]
            if not isinstance(unit, str) or not 0 < len(unit) <= 16:
                raise invalid(at, 'unit must be a short string such as "g" or "D"')
        low = _limit(raw["min"], at, "min") if "min" in raw else None
        high = _limit(raw["max"], at, "max") if "max" in raw else None
        if low is not None and high is not None and low > high:
            raise invalid(at, "min is greater than max")
    elif type_name == "text" and "max_length" in raw:
        max_length = _int(raw["max_length"], at, "max_length", 1, TEXT_MAX_LENGTH)
    elif type_name in ("select", "multi_select"):
        choices = _choices(raw.get("choices"), at)
    elif type_name == "repeat":
        if depth >= MAX_REPEAT_DEPTH:
            raise invalid(at, f"repeat groups nest at most {MAX_REPEAT_DEPTH} deep")
        if "fields" not in raw:
            raise invalid(at, "repeat without fields")
        fields = _fields(raw["fields"], f"{prefix}{key}.", depth + 1, where)
        if "min_items" in raw:
            min_items = _int(raw["min_items"], at, "min_items", 0, REPEAT_MAX_ITEMS)
        if "max_items" in raw:
            max_items = _int(raw["max_items"], at, "max_items", 1, REPEAT_MAX_ITEMS)
        if min_items is not None and max_items is not None and min_items > max_items:
            raise invalid(at, "min_items is greater than max_items")
    return FieldSpec(
        key=key,
        type=type_name,
        label=label,
        required=required,
        hint=hint,
        relevant=relevant,
        violations=violations,
        unit=unit,
        min=low,
        max=high,
        integer=_bool(raw.get("integer", False), at, "integer"),
        max_length=max_length,
        choices=choices,
        fields=fields,
        min_items=min_items,
        max_items=max_items,
    )


def _fields(raw: object, prefix: str, depth: int, where: str) -> tuple[FieldSpec, ...]:
    group = prefix.rstrip(".") or "(top level)"
    if not isinstance(raw, list) or not raw:
        raise invalid(f"{where}: field {group}", "fields must be a non-empty list")
    if len(raw) > _MAX_FIELDS:
        raise invalid(f"{where}: field {group}", f"more than {_MAX_FIELDS} fields")
    out: dict[str, FieldSpec] = {}
    for index, item in enumerate(raw):
        spec = _field(item, prefix, index, depth, out, where)
        if spec.key in out:
            raise invalid(f"{where}: field {prefix}{spec.key}", "duplicate key")
        out[spec.key] = spec
    return tuple(out.values())


def parse_definition(
    data: Mapping[str, object], *, key: str, version: int, status: FormStatus = FormStatus.OPEN
) -> FormDefinition:
    """Build a :class:`FormDefinition` from the parsed TOML of ``field_forms/<key>/v<N>.toml``.

    Rules: ``title`` {zh, en}; ``inspection_type`` a snake_case name; ``fields`` a non-empty
    list with unique keys per group; every type known to ``FIELD_TYPES``; every label with zh
    and en; selects with choices; repeats with fields (at most 3 levels); a top-level
    required field ``merchant`` of type ``merchant``. The lifecycle ``status`` is not part of
    the file; the registry passes it in.

    :raises FormDefinitionError: naming the form, version and field path.
    """
    where = f"form {key} v{version}"
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise invalid(where, "form key must match [a-z][a-z0-9_]*")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise invalid(where, "version must be a whole number ≥ 1")
    if not isinstance(data, Mapping):
        raise invalid(where, "definition must be a table")
    extra = set(data) - _FORM_KEYS
    if extra:
        raise invalid(where, f"unknown top-level attribute(s) {sorted(map(str, extra))}")
    if "title" not in data:
        raise invalid(where, "missing title")
    title = parse_text(data["title"], where, "title")
    inspection_type = data.get("inspection_type")
    if not isinstance(inspection_type, str) or not KEY_RE.fullmatch(inspection_type):
        raise invalid(where, "inspection_type must be a snake_case name")
    fields = _fields(data.get("fields"), "", 0, where)
    merchant = next((f for f in fields if f.key == "merchant"), None)
    if merchant is None or merchant.type != "merchant" or not merchant.required:
        raise invalid(where, "missing required field 'merchant' (type merchant, required = true)")
    return FormDefinition(key, version, title, inspection_type, fields, status)
