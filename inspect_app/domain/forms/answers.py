"""Validate a submitted answer object against a definition, and read references out of it.

Answer shapes (JSON): the answers are ``{field_key: value}``; a repeat group is a list of such
objects; a photo is the lowercase sha256 hex of its attachment; a geotag is ``{lat, lon,
accuracy}`` (``altitude`` optional); a date is ``YYYY-MM-DD``; a number is a JSON number or a
decimal string; a select is one choice value, a multi-select a list of distinct choice values;
an instrument is its QR token or printed code; the merchant is the id from the sync pull.
Null, ``""`` and ``[]`` all mean "not answered".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .fieldtypes import INSTRUMENT_REF_RE, SHA256_RE, check_group
from .issues import IssueSink
from .model import REPEAT_MAX_ITEMS, AnswerIssue, FieldSpec, FormDefinition


def validate_answers(definition: FormDefinition, answers: object) -> list[AnswerIssue]:
    """Every problem with ``answers`` for ``definition``; an empty list means acceptable.

    Never raises: wrong types, oversize text (> 2000 characters), oversize repeats (> 500
    items), deep nesting and unknown keys all become issues. At most 200 issues are listed,
    followed by one ``TOO_MANY_ISSUES``.
    """
    sink = IssueSink()
    if not isinstance(answers, Mapping):
        sink.add("", "NOT_AN_OBJECT")
    else:
        check_group(definition.fields, answers, "", sink)
    return sink.result()


def _walk(
    fields: tuple[FieldSpec, ...], answers: object, prefix: str
) -> list[tuple[str, FieldSpec, object]]:
    """``(path, field, value)`` for every answered field, descending into repeat items.

    Tolerates any input (it only reads what has the expected shape), so it is safe to call
    before or without :func:`validate_answers`.
    """
    out: list[tuple[str, FieldSpec, object]] = []
    if not isinstance(answers, Mapping):
        return out
    for spec in fields:
        value = answers.get(spec.key)
        if value is None:
            continue
        path = prefix + spec.key
        out.append((path, spec, value))
        if spec.type == "repeat" and isinstance(value, list | tuple):
            for index, item in enumerate(value[:REPEAT_MAX_ITEMS]):
                out.extend(_walk(spec.fields, item, f"{path}.{index}."))
    return out


def photo_refs(definition: FormDefinition, answers: object) -> list[str]:
    """The distinct attachment sha256s referenced by photo fields, in form order.

    The server expects exactly these attachments for the inspection; values that are not
    well-formed references are skipped (validation reports them).
    """
    refs = [
        value
        for _, spec, value in _walk(definition.fields, answers, "")
        if spec.type == "photo" and isinstance(value, str) and SHA256_RE.fullmatch(value)
    ]
    return list(dict.fromkeys(refs))


def instrument_refs(definition: FormDefinition, answers: object) -> list[tuple[str, str]]:
    """``(path, ref)`` for each instrument field answered, e.g. ``("instruments.1.instrument",
    "NM-0150-000123")``; the path tells which repeat item (and its checks) the ref belongs to."""
    return [
        (path, value)
        for path, spec, value in _walk(definition.fields, answers, "")
        if spec.type == "instrument"
        and isinstance(value, str)
        and INSTRUMENT_REF_RE.fullmatch(value)
    ]


@dataclass(frozen=True)
class FlaggedViolation:
    """A violation raised directly by an answer: ``code`` at the field ``path``."""

    path: str
    code: str


def flagged_violations(definition: FormDefinition, answers: object) -> list[FlaggedViolation]:
    """Violations the answers raise by themselves, without any measurement evaluation.

    Rules: a boolean raises each of its ``violations`` whose ``when`` equals the answer; a
    chosen select or multi-select option raises its ``violation``. Codes without ``when``
    (tolerances, expiry dates, lot verdicts) are the metrology engine's to raise. Meant for
    answers that passed :func:`validate_answers`; malformed values are ignored.
    """
    out: list[FlaggedViolation] = []
    for path, spec, value in _walk(definition.fields, answers, ""):
        if spec.type == "boolean" and isinstance(value, bool):
            out.extend(FlaggedViolation(path, r.code) for r in spec.violations if r.when is value)
        elif spec.type in ("select", "multi_select"):
            chosen = [value] if isinstance(value, str) else value
            if not isinstance(chosen, list | tuple):
                continue
            for choice in spec.choices:
                if choice.violation is not None and choice.value in chosen:
                    out.append(FlaggedViolation(path, choice.violation))
    return out
