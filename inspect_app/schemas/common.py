"""Helpers every input schema shares."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, pre_load

from inspect_app.errors import AppError

#: Deeper JSON than this is refused before any schema sees it (a cheap guard against
#: pathological payloads; real answers nest three levels at most).
MAX_JSON_DEPTH = 32
#: A body of independent items (a sync batch) may nest deeper as a whole, so that one
#: over-nested item is refused on its own (see :func:`json_problems`) instead of the batch.
MAX_BATCH_JSON_DEPTH = 256
#: The largest integer (in magnitude) a stored record may hold: a signed 64-bit one.
MAX_JSON_INT = 2**63 - 1

#: Text no database column can hold: NUL (PostgreSQL refuses it in text and jsonb) and the
#: UTF-16 surrogates, which only ever come alone out of a JSON ``\ud800`` escape and cannot
#: be encoded as UTF-8 at all.
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
#: Control characters (C0, DEL, C1) and surrogates: never part of a name.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, less tab, line feed and carriage return: free text written on several lines.
_CONTROL_MULTILINE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class StrictSchema(Schema):
    """Input schema base: unknown fields are errors (marshmallow's default RAISE, kept
    explicit) and surrounding whitespace is stripped from strings."""

    class Meta:
        unknown = "raise"

    @pre_load
    def _strip_strings(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, iteratively so hostile input cannot exhaust the stack."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


class OversizedInt(float):
    """An integer literal too long for Python to convert (over 4300 digits): an infinity of
    its sign, which no schema accepts, and which :func:`json_problems` names as too large."""


def _lenient_int(digits: str) -> int | float:
    try:
        return int(digits)
    except ValueError:
        return OversizedInt("-inf" if digits.startswith("-") else "inf")


def json_body(*, batch: bool = False) -> Any:
    """The request's JSON, or a catalogue error: 415 wrong type, 400 not JSON or too deep.

    :param batch: the body is a batch of independent items: it may nest up to
        :data:`MAX_BATCH_JSON_DEPTH` and integers of any length are read, so that what is
        wrong with one item can be refused with that item alone (:func:`json_problems`).
    """
    if not request.is_json:
        raise AppError("UNSUPPORTED_MEDIA_TYPE")
    raw = request.get_data(cache=True)
    limit = MAX_BATCH_JSON_DEPTH if batch else MAX_JSON_DEPTH
    try:
        data = json.loads(raw, parse_int=_lenient_int) if batch else json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise AppError("INVALID_JSON") from exc
    if _depth(data, limit) > limit:
        raise AppError("INVALID_JSON", {"_schema": [f"nesting deeper than {limit}"]})
    return data


# ---------------------------------------------------------------- text and values to store


def unstorable_text(text: str) -> bool:
    """Whether ``text`` holds a character no database can store (NUL, a lone surrogate)."""
    return _UNSTORABLE_RE.search(text) is not None


def has_control_chars(text: str, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character (C0, DEL, C1) or a lone surrogate.

    :param multiline: allow tab, line feed and carriage return (descriptions, not names).
    """
    pattern = _CONTROL_MULTILINE_RE if multiline else _CONTROL_RE
    return pattern.search(text) is not None


def no_control_chars(value: str) -> None:
    """Field validator for names (usernames, device names): no control characters, no NUL,
    no lone surrogates (a 422 instead of a database error deep below)."""
    if has_control_chars(value):
        raise ValidationError("must not contain control characters or unpaired surrogates")


def storable_text(value: str) -> None:
    """Field validator for free text that is checked or stored as it is (passwords): no NUL,
    no lone surrogate."""
    if unstorable_text(value):
        raise ValidationError("must not contain NUL or unpaired surrogate characters")


def printable(text: str, limit: int = 64) -> str:
    """``text`` cut to ``limit`` characters, with every non-printable character (controls,
    surrogates, format characters) written as a ``\\uXXXX`` escape: safe to echo back."""
    return "".join(char if char.isprintable() else _escaped(char) for char in text[:limit])


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


#: Problems :func:`json_problems` reports, in English and Chinese.
JSON_PROBLEMS: dict[str, tuple[str, str]] = {
    "nul": (
        "must not contain the NUL character (U+0000)",
        "不得包含 NUL 字符（U+0000）",
    ),
    "surrogate": (
        "contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which is not text",
        "含有不成对的 UTF-16 代理码元（U+D800 至 U+DFFF），不是有效文本",
    ),
    "key_nul": (
        "this key must not contain the NUL character (U+0000)",
        "键名不得包含 NUL 字符（U+0000）",
    ),
    "key_surrogate": (
        "this key contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF)",
        "键名含有不成对的 UTF-16 代理码元（U+D800 至 U+DFFF）",
    ),
    "not_finite": (
        "must be a finite number (NaN and infinities are not numbers)",
        "必须是有限数值（NaN 与无穷大不是数值）",
    ),
    "int_range": (
        f"integer out of range (at most {MAX_JSON_INT} in magnitude)",
        f"整数超出范围（绝对值不得超过 {MAX_JSON_INT}）",
    ),
    "too_deep": (
        "nested more than {limit} levels deep",
        "嵌套超过 {limit} 层",
    ),
}
#: At most this many problems are listed for one value.
MAX_JSON_PROBLEMS = 20


def _text_problem(text: str) -> str | None:
    match = _UNSTORABLE_RE.search(text)
    if match is None:
        return None
    return "nul" if match.group() == "\x00" else "surrogate"


def json_problems(
    value: Any, lang: str, max_depth: int, prefix: str = "", level: int = 1
) -> dict[str, list[str]]:
    """What in a parsed JSON value cannot be stored, by dotted path: NUL and lone surrogates
    in any string or key, NaN and infinities, integers beyond :data:`MAX_JSON_INT`, and
    containers nested deeper than ``max_depth`` (``value`` itself is at ``level``, paths
    start with ``prefix``). Empty when none.

    Iterative, so hostile nesting cannot exhaust the stack; at most
    :data:`MAX_JSON_PROBLEMS` paths. Messages in ``lang`` (``en``; otherwise Chinese).
    """
    problems: dict[str, list[str]] = {}

    def add(path: str, code: str) -> None:
        en, zh = JSON_PROBLEMS[code]
        message = (en if lang == "en" else zh).format(limit=max_depth)
        problems.setdefault(path or "_schema", []).append(message)

    stack: list[tuple[Any, str, int]] = [(value, prefix, level)]
    while stack and len(problems) < MAX_JSON_PROBLEMS:
        node, path, depth = stack.pop()
        if isinstance(node, dict | list) and depth > max_depth:
            add(path, "too_deep")
        elif isinstance(node, dict):
            for key, child in reversed(list(node.items())):
                key_text = str(key)
                child_path = f"{path}.{printable(key_text)}" if path else printable(key_text)
                if (problem := _text_problem(key_text)) is not None:
                    add(child_path, f"key_{problem}")
                stack.append((child, child_path, depth + 1))
        elif isinstance(node, list):
            stack.extend(
                (child, f"{path}.{index}" if path else str(index), depth + 1)
                for index, child in reversed(list(enumerate(node)))
            )
        elif isinstance(node, str):
            if (problem := _text_problem(node)) is not None:
                add(path, problem)
        elif isinstance(node, OversizedInt):
            add(path, "int_range")
        elif isinstance(node, float) and not math.isfinite(node):
            add(path, "not_finite")
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_JSON_INT:
            add(path, "int_range")
    return problems


def load(schema: Schema, data: Any) -> Any:
    """Validate with ``schema``; a non-object body is a 422 like any other field error."""
    if not isinstance(data, dict):
        raise AppError("VALIDATION_FAILED", {"_schema": ["expected a JSON object"]})
    return schema.load(data)


class FormSchema(StrictSchema):
    """An HTML form's fields: stripped, and an empty input means "not given" (a blank text box
    or an unselected option is absent, not an empty string)."""

    @pre_load
    def _empty_is_missing(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


def bilingual_message(key: str, catalogue: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """``{"code", "en", "zh"}`` of one marshmallow message key (``name:arg:…``), looked up in a
    form's ``catalogue`` of (en, zh) templates; marshmallow's own "Unknown field." is
    ``unknown``, and a key the catalogue lacks is shown as it is."""
    name, *args = key.split(":")
    if name == "Unknown field.":
        name = "unknown"
    en, zh = catalogue.get(name, (key, key))
    return {"code": name, "en": en.format(*args), "zh": zh.format(*args)}


def bilingual_field_errors(
    exc: ValidationError, catalogue: Mapping[str, tuple[str, str]]
) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors (:func:`bilingual_message`)."""
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return {
        str(name): [
            bilingual_message(str(key), catalogue)
            for key in (found if isinstance(found, list) else [found])
        ]
        for name, found in messages.items()
    }
