"""Wire format of ``/api/v1/forms`` and ``/api/v1/violations`` (what the views send)."""

from __future__ import annotations

from marshmallow import Schema, fields

from inspect_app.domain.forms.model import FormStatus
from inspect_app.schemas.sync import SHA256


class FormManifestEntryOut(Schema):
    """One published form version; clients offer ``open`` ones for new work, keep ``closing``
    ones to flush their outbox and drop ``closed`` ones."""

    key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.Enum(FormStatus, by_value=True, required=True)
    sha256 = fields.String(
        required=True, validate=SHA256, metadata={"description": "Of the definition's JSON."}
    )
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class FormManifestOut(Schema):
    """``GET /api/v1/forms``."""

    forms = fields.List(fields.Nested(FormManifestEntryOut), required=True)


class ViolationsOut(Schema):
    """``GET /api/v1/violations``: the catalogue the forms' findings refer to."""

    violations = fields.List(fields.Dict(keys=fields.String()), required=True)
