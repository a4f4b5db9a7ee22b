"""The field-type registry and the answer check of each type.

A definition names its field types by string; :data:`FIELD_TYPES` is the only place those
names are given meaning, so an unknown name fails when the definition is parsed, not when an
inspector meets the field. Each type states which definition attributes it takes
(``options``) and how one answer value is checked.

Answer checks never raise on any input: a wrong type, a huge string or a nested structure
where a scalar belongs becomes an :class:`AnswerIssue`. Recursion follows the *definition*
(at most :data:`MAX_REPEAT_DEPTH` repeat levels), never the shape of the submitted value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .issues import IssueSink
from .model import (
    REPEAT_MAX_ITEMS,
    TEXT_MAX_LENGTH,
    FieldSpec,
    Relevance,
)

# Same limits as the metrology engine's ``quantities.to_decimal``: an answer this validator
# accepts must never be refused later when the verdict is computed.
MAX_PLACES = 15
MAX_MAGNITUDE = Decimal("1e15")

_DECIMAL_RE = re.compile(r"-?[0-9]{1,16}(?:\.[0-9]{1,15})?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
# A QR token (``secrets.token_urlsafe``: base64url, may start with ``-``) or a printed label
# code such as ``NM-0150-000123``; the client strips the ``…/q/`` URL prefix of a scanned label.
INSTRUMENT_REF_RE = re.compile(r"[A-Za-z0-9_-]{3,64}")
# The merchant id as the sync pull delivers it: the integer primary key (a BIGINT at most).
_MAX_MERCHANT_ID = 2**63 - 1


def to_decimal(value: object) -> Decimal | None:
    """The exact value of a number answer, or None when it is not an acceptable number.

    Accepted: an int, a finite float (converted through ``str``, so ``0.1`` is exactly 0.1),
    or a plain decimal string such as ``"-12.50"`` (no exponent, no spaces). Refused:
    booleans, NaN, infinities, magnitudes of 10^15 or more and more than 15 decimals.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # bit_length first: converting a 100 000-digit int would itself be the abuse.
        if value.bit_length() > 64:
            return None
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(str(value))
    elif isinstance(value, str):
        if not _DECIMAL_RE.fullmatch(value):
            return None
        number = Decimal(value)
    else:
        return None
    exponent = number.as_tuple().exponent
    if abs(number) >= MAX_MAGNITUDE or (isinstance(exponent, int) and exponent < -MAX_PLACES):
        return None
    return number


def is_blank(value: object) -> bool:
    """Unanswered: absent/null, an empty or all-space string, or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and len(value) == 0


Checker = Callable[[FieldSpec, object, str, IssueSink], None]


@dataclass(frozen=True)
class FieldType:
    """A field type: its name, the definition attributes it takes beyond the common ones,
    whether it takes an answer at all, and the check of one non-blank answer value."""

    name: str
    options: frozenset[str]
    check: Checker
    answerable: bool = True


def _check_text(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, str):
        sink.add(path, "NOT_A_STRING")
        return
    limit = spec.max_length or TEXT_MAX_LENGTH
    if len(value) > limit:
        sink.add(path, "TOO_LONG", limit=limit)
        return
    # NUL cannot be stored in PostgreSQL text/jsonb; lone surrogates cannot be encoded.
    if "\x00" in value or not _encodable(value):
        sink.add(path, "BAD_TEXT")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_number(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    number = to_decimal(value)
    if number is None:
        sink.add(path, "NOT_A_NUMBER")
    elif spec.integer and number != number.to_integral_value():
        sink.add(path, "NOT_AN_INTEGER")
    elif (spec.min is not None and number < spec.min) or (
        spec.max is not None and number > spec.max
    ):
        low = "−∞" if spec.min is None else str(spec.min)
        high = "∞" if spec.max is None else str(spec.max)
        sink.add(path, "OUT_OF_RANGE", low=low, high=high)


def _check_boolean(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if value is not True and value is not False:
        sink.add(path, "NOT_A_BOOLEAN")


def _check_select(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, str) or value not in spec.choice_values():
        sink.add(path, "NOT_A_CHOICE")


def _check_multi_select(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, list | tuple):
        sink.add(path, "NOT_A_LIST")
        return
    allowed = spec.choice_values()
    # Distinct choices can never outnumber the choices, so a longer list is refused whole
    # before any per-item work.
    if len(value) > len(allowed):
        sink.add(path, "TOO_MANY_ITEMS", limit=len(allowed))
        return
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in allowed:
            sink.add(f"{path}.{index}", "NOT_A_CHOICE")
        elif item in seen:
            sink.add(f"{path}.{index}", "DUPLICATE_CHOICE")
        else:
            seen.add(item)


def _check_date(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        sink.add(path, "BAD_DATE")
        return
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        sink.add(path, "BAD_DATE")
        return
    # A year outside this window is a typing slip on a tablet keyboard, not a record.
    if not 1900 <= parsed.year <= 2199:
        sink.add(path, "BAD_DATE")


def _check_photo(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, str) or not SHA256_RE.fullmatch(value):
        sink.add(path, "BAD_PHOTO_REF")


_GEOTAG_BOUNDS = {
    "lat": (Decimal(-90), Decimal(90)),
    "lon": (Decimal(-180), Decimal(180)),
    "accuracy": (Decimal(0), None),
    "altitude": (None, None),
}
_GEOTAG_REQUIRED = ("lat", "lon", "accuracy")


def _check_geotag(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if (
        not isinstance(value, Mapping)
        or len(value) > len(_GEOTAG_BOUNDS)
        or not all(k in value for k in _GEOTAG_REQUIRED)
    ):
        sink.add(path, "BAD_GEOTAG")
        return
    if any(not isinstance(k, str) or k not in _GEOTAG_BOUNDS for k in value):
        sink.add(path, "BAD_GEOTAG")
        return
    for name, (low, high) in _GEOTAG_BOUNDS.items():
        if name not in value or (name == "altitude" and value[name] is None):
            continue
        number = to_decimal(value[name])
        if (
            number is None
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            sink.add(f"{path}.{name}", "BAD_GEOTAG")


def _check_instrument(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, str) or not INSTRUMENT_REF_RE.fullmatch(value):
        sink.add(path, "BAD_INSTRUMENT_REF")


def _check_merchant(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_MERCHANT_ID:
        sink.add(path, "BAD_MERCHANT_REF")


def _check_note(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    sink.add(path, "NOT_ANSWERABLE")


def _check_repeat(spec: FieldSpec, value: object, path: str, sink: IssueSink) -> None:
    if not isinstance(value, list | tuple):
        sink.add(path, "NOT_A_LIST")
        return
    limit = spec.max_items or REPEAT_MAX_ITEMS
    if len(value) > limit:
        sink.add(path, "TOO_MANY_ITEMS", limit=limit)
        return
    if spec.min_items is not None and len(value) < spec.min_items:
        sink.add(path, "TOO_FEW_ITEMS", limit=spec.min_items)
    for index, item in enumerate(value):
        if sink.full:
            return
        if not isinstance(item, Mapping):
            sink.add(f"{path}.{index}", "NOT_AN_OBJECT")
        else:
            check_group(spec.fields, item, f"{path}.{index}.", sink)


def applies(relevant: Relevance | None, answers: Mapping[object, object]) -> bool:
    """Whether a field with this relevance applies, given its siblings' answers."""
    if relevant is None:
        return True
    sibling = answers.get(relevant.field)
    if isinstance(relevant.equals, bool):
        return sibling is relevant.equals
    return isinstance(sibling, str) and sibling == relevant.equals


def check_group(
    fields: tuple[FieldSpec, ...], answers: Mapping[object, object], prefix: str, sink: IssueSink
) -> None:
    """Check one answer object against a list of fields (the form, or one repeat item).

    Rules, in order for each field: a field that does not apply (``relevant``) must be blank;
    a blank field is an issue only if required; otherwise the type's check runs. Keys that
    name no field are ``UNKNOWN_FIELD``.
    """
    known: set[str] = set()
    for spec in fields:
        known.add(spec.key)
        if sink.full:
            return
        path = prefix + spec.key
        value = answers.get(spec.key)
        if not applies(spec.relevant, answers):
            if not is_blank(value) and spec.relevant is not None:
                sink.add(path, "NOT_RELEVANT", field=spec.relevant.field)
            continue
        if is_blank(value):
            if spec.required:
                sink.add(path, "REQUIRED")
            continue
        FIELD_TYPES[spec.type].check(spec, value, path, sink)
    for key in answers:
        if sink.full:
            return
        if not isinstance(key, str):
            sink.add(f"{prefix}<{type(key).__name__}>", "UNKNOWN_FIELD")
        elif key not in known:
            sink.add(prefix + key[:64], "UNKNOWN_FIELD")


def _type(name: str, check: Checker, *options: str, answerable: bool = True) -> FieldType:
    return FieldType(name, frozenset(options), check, answerable)


#: Every field type a definition may use, by name.
FIELD_TYPES: Mapping[str, FieldType] = {
    t.name: t
    for t in (
        _type("text", _check_text, "max_length"),
        _type("number", _check_number, "unit", "min", "max", "integer"),
        _type("select", _check_select, "choices"),
        _type("multi_select", _check_multi_select, "choices"),
        _type("boolean", _check_boolean),
        _type("date", _check_date),
        _type("photo", _check_photo),
        _type("geotag", _check_geotag),
        _type("instrument", _check_instrument),
        _type("merchant", _check_merchant),
        _type("repeat", _check_repeat, "fields", "min_items", "max_items"),
        _type("note", _check_note, answerable=False),
    )
}
