"""Wire format of ``/api/v1/sync``: push batches, per-item results, pull pages."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from inspect_app.schemas.common import StrictSchema

MAX_BATCH = 500
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a lowercase sha256 hex digest")


class GeotagIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    #: Metres; 0 is accepted (and flagged as suspect), negative is not.
    accuracy = fields.Float(required=True, validate=validate.Range(min=0, max=1_000_000))
    altitude = fields.Float(load_default=None, allow_none=True)
    fix_at = fields.AwareDateTime(load_default=None, allow_none=True)


class InspectionIn(StrictSchema):
    uuid = fields.UUID(required=True)
    form_key = fields.String(
        required=True, validate=[validate.Length(1, 64), validate.Regexp(r"^[a-z][a-z0-9_]*$")]
    )
    form_version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000))
    started_at = fields.AwareDateTime(load_default=None, allow_none=True)
    captured_at = fields.AwareDateTime(required=True)
    geotag = fields.Nested(GeotagIn, required=True, allow_none=True)
    #: Validated against the form definition by the domain, not here.
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)), required=True)
    attachments = fields.List(
        fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=100)
    )
    supersedes = fields.UUID(load_default=None, allow_none=True)
    client_verdict = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["pass", "fail"])
    )


class PushBatchIn(StrictSchema):
    inspections = fields.List(fields.Raw(), required=True, validate=validate.Length(1, MAX_BATCH))


class PullQueryIn(StrictSchema):
    # Bounded to a 64-bit integer: larger values cannot be a cursor and no database takes them.
    cursor = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 1000))


class FindingOut(Schema):
    code = fields.String()
    severity = fields.String()
    domain = fields.String()
    title = fields.Dict()
    triggers = fields.List(fields.String())


class ItemResultOut(Schema):
    uuid = fields.String()
    status = fields.String()
    code = fields.String()
    message = fields.String()
    errors = fields.Dict()
    verdict = fields.String()
    findings = fields.List(fields.Nested(FindingOut))
    flags = fields.Dict()
    missing_attachments = fields.List(fields.String())


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    """Optional result keys are omitted rather than sent as null."""
    return {k: v for k, v in data.items() if v is not None}
