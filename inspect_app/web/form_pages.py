"""What the registry and user forms share: show stored values, take what was typed, and
either redirect or show the form again (422) with each problem beside its input.

Problems are ``{field: [{"code", "en", "zh"}]}`` whether they come from a schema
(``schemas.registry.field_errors``) or a service's ``VALIDATION_FAILED``; templates
(``registry/_form.html``) print the reader's language. Problems of fields the form has no
input for are listed above it (``other_errors``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import redirect, render_template, request
from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Response

from inspect_app.error_handlers import request_lang
from inspect_app.errors import AppError
from inspect_app.schemas.registry import field_errors

Page = tuple[str, int]
Errors = Mapping[str, Any]
FormPage = Callable[[Mapping[str, str], Errors], str]


def shown(value: object) -> str:
    """A stored value as a form shows it (``15000``, not ``15000.0000``; dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def plain_number(value: Decimal | None) -> str:
    """Template filter ``plain_number`` (registered by ``web/registry.py``): a stored number
    without its trailing zeros (``15000``, ``0.5``)."""
    return shown(value)


def values_of(row: object, names: Iterable[str]) -> dict[str, str]:
    return {name: shown(getattr(row, name)) for name in names}


def typed(*secret: str) -> dict[str, str]:
    """What the form sent, as typed, without the CSRF token and the ``secret`` fields
    (passwords are never sent back)."""
    return {k: v for k, v in request.form.items() if k != "csrf_token" and k not in secret}


def validation_errors(exc: AppError) -> Errors:
    """A service's field problems; any other error goes on to the error page."""
    if exc.problem.code != "VALIDATION_FAILED" or exc.errors is None:
        raise exc
    return exc.errors


def submit(
    schema: Schema, save: Callable[[dict[str, Any]], str], form: FormPage
) -> Page | Response:
    """Parse what was typed, ``save`` it (returns where to go next) and redirect; or the form
    again with the problems (422: the request's transaction is rolled back)."""
    values = typed()
    try:
        target = save(schema.load(values))
    except ValidationError as exc:
        return form(values, field_errors(exc)), 422
    except AppError as exc:
        return form(values, validation_errors(exc)), 422
    return redirect(target)


def render_form(
    template: str, values: Mapping[str, str], errors: Errors, fields: Iterable[str], **ctx: Any
) -> str:
    """Render ``template`` with the values, the problems, and the reader's language."""
    known = set(fields)
    return render_template(
        template,
        values=values,
        errors=errors,
        other_errors=[e for name, found in errors.items() if name not in known for e in found],
        lang=request_lang(),
        **ctx,
    )
