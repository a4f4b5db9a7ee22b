"""Wire format of review decisions, alerts and orders (``/api/v1``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from inspect_app.models.enforcement import MAX_TEXT
from inspect_app.models.types import MAX_ID
from inspect_app.schemas.common import StrictSchema


class ReviewIn(StrictSchema):
    """``POST /api/v1/inspections/<uuid>/review``."""

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_TEXT),
        metadata={"description": "Required to return; shown to the inspector"},
    )


class ReviewOut(Schema):
    uuid = fields.String(required=True)
    review_state = fields.String(
        required=True,
        validate=validate.OneOf(["received", "approved", "has_issues", "rejected"]),
    )
    decision = fields.String(required=True)
    reason = fields.String(required=True)
    reviewed_at = fields.DateTime(required=True)
    reviewed_by = fields.Integer(required=True)


class AlertOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["severe_finding", "obstruction", "overdue_condemnation"]),
    )
    severity = fields.Integer(required=True)
    merchant_id = fields.Integer(required=True)
    instrument_id = fields.Integer(required=True, allow_none=True)
    inspection_uuid = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    acknowledged_at = fields.DateTime(required=True, allow_none=True)


class AlertsQueryIn(StrictSchema):
    """``GET /api/v1/alerts`` query: newest first, a page at a time."""

    status = fields.String(
        load_default="all",
        validate=validate.OneOf(["all", "open"]),
        metadata={"description": "open = neither acknowledged nor withdrawn"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    before_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only alerts with a smaller id (the next page)"},
    )


class AlertsOut(Schema):
    alerts = fields.List(fields.Nested(AlertOut), required=True)


class OrdersQueryIn(StrictSchema):
    """``GET /api/v1/orders`` query."""

    merchant = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class OrderOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["repair", "condemn", "reverify"]))
    status = fields.String(
        required=True,
        validate=validate.OneOf(["open", "evidence_submitted", "closed", "overdue", "withdrawn"]),
    )
    instrument_id = fields.Integer(required=True, allow_none=True)
    finding_code = fields.String(required=True)
    due_date = fields.Date(required=True)
    created_at = fields.DateTime(required=True)


class OrdersOut(Schema):
    orders = fields.List(fields.Nested(OrderOut), required=True)
