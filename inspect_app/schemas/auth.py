"""Device token exchange."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from inspect_app.schemas.common import StrictSchema


class TokenIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    device_name = fields.String(required=True, validate=validate.Length(min=1, max=100))


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
