"""An inspection's answers as its form showed them: in the form's order, under its labels.

The stored ``answers`` are exactly what the tablet sent, keyed by field; the form definition
(``field_forms/<key>/v<N>.toml``, the version the inspection names) gives each field its label
in both languages, the choice labels, units and the sections (``note`` fields). A field that
did not apply (its ``relevant`` condition was not met) is left out, as the tablet hid it; one
that applied but was left empty shows as unanswered. A repeat group (test weighings, a
sample) becomes a table, one row per item. Answers the definition does not know (none should
exist: ingest validates them) are listed at the end under their keys, so nothing stored is
hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from inspect_app.domain.forms import FormDefinition
from inspect_app.domain.forms.fieldtypes import applies
from inspect_app.domain.forms.model import FieldSpec, LocalizedText


def text(label: LocalizedText, lang: str) -> str:
    return label.en if lang == "en" else label.zh


@dataclass(frozen=True)
class Answer:
    """One line of the answers.

    ``kind``: ``section`` (a heading of the form; only while grouping), ``yes``/``no``,
    ``value`` (``value`` is the text to show), ``photo`` (``photos`` are sha256s), ``table``
    (``columns`` and ``rows`` of cell texts), ``unanswered``.
    """

    kind: str
    label: str
    key: str
    value: str = ""
    photos: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()


@dataclass
class Context:
    lang: str
    #: Display names of the merchant and instrument the answers name (by id / code).
    merchants: Mapping[int, str] = field(default_factory=dict)
    instruments: Mapping[str, str] = field(default_factory=dict)


def _number(value: Any, spec: FieldSpec) -> str:
    shown = str(value)
    return f"{shown} {spec.unit}" if spec.unit else shown


def _choice(spec: FieldSpec, value: Any, lang: str) -> str:
    for choice in spec.choices:
        if choice.value == value:
            return text(choice.label, lang)
    return str(value)


def _empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def cell(spec: FieldSpec, value: Any, ctx: Context) -> Any:
    """A scalar answer as text (or ``True``/``False`` for the template to say yes or no)."""
    if _empty(value):
        return None
    if spec.type == "boolean":
        return bool(value)
    if spec.type == "number":
        return _number(value, spec)
    if spec.type == "select":
        return _choice(spec, value, ctx.lang)
    if spec.type == "multi_select" and isinstance(value, list):
        return "; ".join(_choice(spec, v, ctx.lang) for v in value)
    if spec.type == "merchant":
        return ctx.merchants.get(value, str(value)) if isinstance(value, int) else str(value)
    if spec.type == "instrument":
        return ctx.instruments.get(str(value), str(value))
    if spec.type == "geotag" and isinstance(value, Mapping):
        return f"{value.get('lat')}, {value.get('lon')}"
    if spec.type == "repeat" and isinstance(value, list):
        return f"{len(value)}"
    return str(value)


def _photos(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _table(spec: FieldSpec, items: list[Any], ctx: Context) -> Answer:
    columns = [s for s in spec.fields if s.type != "note"]
    rows = []
    for item in items:
        values = item if isinstance(item, Mapping) else {}
        rows.append(
            tuple(
                {"photo": _photos(values.get(s.key))}
                if s.type == "photo"
                else cell(s, values.get(s.key), ctx)
                if applies(s.relevant, values)
                else ""
                for s in columns
            )
        )
    return Answer(
        "table",
        text(spec.label, ctx.lang),
        spec.key,
        columns=tuple(text(s.label, ctx.lang) for s in columns),
        rows=tuple(rows),
    )


def _line(spec: FieldSpec, value: Any, ctx: Context) -> Answer:
    label = text(spec.label, ctx.lang)
    if spec.type == "note":
        return Answer("section", label, spec.key)
    if _empty(value):
        return Answer("unanswered", label, spec.key)
    if spec.type == "photo":
        return Answer("photo", label, spec.key, photos=_photos(value))
    if spec.type == "repeat" and isinstance(value, list):
        return _table(spec, value, ctx)
    shown = cell(spec, value, ctx)
    if isinstance(shown, bool):
        return Answer("yes" if shown else "no", label, spec.key)
    return Answer("value", label, spec.key, value=str(shown))


@dataclass(frozen=True)
class Section:
    """The answers under one heading of the form (the first may have none)."""

    title: str | None
    answers: tuple[Answer, ...]


def as_shown(
    definition: FormDefinition | None, answers: Mapping[str, Any], ctx: Context
) -> list[Section]:
    """The answers in the definition's order, under its labels and headings (see the module
    docstring); a heading whose fields were all hidden is left out."""
    sections: list[tuple[str | None, list[Answer]]] = [(None, [])]
    known: set[str] = set()
    for spec in definition.fields if definition is not None else ():
        known.add(spec.key)
        if not applies(spec.relevant, cast(Mapping[object, object], answers)):
            continue
        line = _line(spec, answers.get(spec.key), ctx)
        if line.kind == "section":
            sections.append((line.label, []))
        else:
            sections[-1][1].append(line)
    others = [
        Answer("value", k, k, value=str(answers[k])) for k in sorted(answers) if k not in known
    ]
    if others:
        sections.append(("", others))
    return [Section(title, tuple(lines)) for title, lines in sections if lines]


def field_labels(definition: FormDefinition | None, lang: str) -> dict[str, str]:
    """Dotted field path → label (``test_points`` → "Test weighings"), for the evaluation."""
    if definition is None:
        return {}
    return {path: text(spec.label, lang) for path, spec in definition.walk()}
