"""The body of every API error: ``inspect_app.errors.problem_body`` as a schema."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from inspect_app.errors import CATALOGUE


class ErrorOut(Schema):
    """``{"code", "message", "errors"?}``; clients key their behaviour on ``code``."""

    code = fields.String(required=True, validate=validate.OneOf(sorted(CATALOGUE)))
    message = fields.String(
        required=True, metadata={"description": "For people, in the request's language."}
    )
    errors = fields.Dict(
        metadata={"description": "Field name to messages; on validation failures only."}
    )
