"""Wire format of ``/api/v1/attachments``: the body is raw bytes in, this JSON out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from inspect_app.schemas.sync import SHA256


class AttachmentOut(Schema):
    """``PUT /api/v1/attachments/<sha256>``: 201 ``created`` or 200 ``duplicate``."""

    sha256 = fields.String(required=True, validate=SHA256)
    status = fields.String(required=True, validate=validate.OneOf(["created", "duplicate"]))
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
