"""Helpers every input schema shares."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import Schema, pre_load

from inspect_app.errors import AppError

#: Deeper JSON than this is refused before any schema sees it (a cheap guard against
#: pathological payloads; real answers nest three levels at most).
MAX_JSON_DEPTH = 32


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


def json_body() -> Any:
    """The request's JSON, or a catalogue error: 415 wrong type, 400 not JSON or too deep."""
    if not request.is_json:
        raise AppError("UNSUPPORTED_MEDIA_TYPE")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise AppError("INVALID_JSON") from exc
    if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise AppError("INVALID_JSON", {"_schema": [f"nesting deeper than {MAX_JSON_DEPTH}"]})
    return data


def load(schema: Schema, data: Any) -> Any:
    """Validate with ``schema``; a non-object body is a 422 like any other field error."""
    if not isinstance(data, dict):
        raise AppError("VALIDATION_FAILED", {"_schema": ["expected a JSON object"]})
    return schema.load(data)
