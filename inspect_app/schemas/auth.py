"""Device token exchange."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from inspect_app.schemas.common import StrictSchema, no_control_chars, storable_text


class TokenIn(StrictSchema):
    # NUL, control characters and lone surrogates are a 422 here, before any database
    # lookup (PostgreSQL refuses NUL; a lone surrogate cannot even be encoded).
    username = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), no_control_chars]
    )
    password = fields.String(
        required=True, validate=[validate.Length(min=1, max=256), storable_text]
    )
    device_name = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), no_control_chars]
    )


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.Function(lambda u: u.role.value)
    region_id = fields.Integer(allow_none=True)
    merchant_id = fields.Integer(allow_none=True)
    locale = fields.String(allow_none=True)


class TokenOut(Schema):
    token = fields.String()
    token_type = fields.Constant("Bearer")
    expires_at = fields.AwareDateTime()
    device_id = fields.Integer()
    user = fields.Nested(UserOut)


class MeOut(Schema):
    """``GET /api/v1/me``: who the token belongs to, and what the tablet needs to judge and
    show times like the server does."""

    user = fields.Nested(UserOut, required=True)
    device_id = fields.Integer(required=True)
    rule_pack = fields.String(
        required=True, metadata={"description": "Rule pack the server judges with (cn, oiml)."}
    )
    time_zone = fields.String(
        required=True, metadata={"description": "The district's IANA time zone, for display."}
    )
