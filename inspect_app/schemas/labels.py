"""Wire format of ``POST /api/v1/instruments/<id>/rotate-token`` (no body in, this out)."""

from __future__ import annotations

from marshmallow import Schema, fields


class RotatedTokenOut(Schema):
    """The instrument's new label: the old token now answers 410 on ``/q/``."""

    instrument_id = fields.Integer(required=True)
    code = fields.String(required=True)
    qr_token = fields.String(required=True, metadata={"description": "The new token"})
    label_url = fields.String(
        required=True, metadata={"description": "What the new label encodes: <base>/q/<token>"}
    )
