"""Wire formats of the dashboard summary and the exports (``/api/v1/dashboard``, ``/exports``).

A period is ``from=YYYY-MM-DD&to=YYYY-MM-DD``: inclusive calendar days in the district's time
zone (Asia/Shanghai). Refused with 422: a field not listed here (``VALIDATION_FAILED``), a date
that is not one (``VALIDATION_FAILED``), ``to`` before ``from`` (``PERIOD_INVERTED``) and a
period longer than ten years (``PERIOD_TOO_LONG``); each names the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from inspect_app.errors import AppError
from inspect_app.models.types import MAX_ID
from inspect_app.schemas.common import StrictSchema

#: The calendar a period may cover (a tablet with a dead clock battery says 1970).
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
MAX_YEARS = 10

_DAY = validate.Range(min=EARLIEST, max=LATEST)
_DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


class Day(fields.Date):
    """A calendar date written exactly ``YYYY-MM-DD`` (no other ISO 8601 spelling)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not _DAY_TEXT.fullmatch(value):
            raise ValidationError("Not a valid date (YYYY-MM-DD).")
        result: date = super()._deserialize(value, attr, data, **kwargs)
        return result


def ten_years_after(start: date) -> date:
    """The same calendar day ``MAX_YEARS`` later (28 February for a 29 February)."""
    try:
        return start.replace(year=start.year + MAX_YEARS)
    except ValueError:
        return start.replace(year=start.year + MAX_YEARS, day=28)


class PeriodQueryIn(StrictSchema):
    """Query of the summary and of every export."""

    start = Day(
        required=True,
        data_key="from",
        validate=_DAY,
        metadata={"description": "First day, inclusive (YYYY-MM-DD, district time)"},
    )
    end = Day(
        required=True,
        data_key="to",
        validate=_DAY,
        metadata={"description": "Last day, inclusive; at most ten years after `from`"},
    )
    region = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "One district (admins; a supervisor may name their own)"},
    )
    market = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "One market of the caller's districts"},
    )
    form = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
        metadata={"description": "One form key, e.g. bazaar_scale"},
    )

    @post_load
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data["end"] < data["start"]:
            raise AppError("PERIOD_INVERTED", {"to": ["must not be before from"]})
        if data["end"] >= ten_years_after(data["start"]):
            raise AppError("PERIOD_TOO_LONG", {"to": [f"at most {MAX_YEARS} years after from"]})
        return data


class FiguresOut(Schema):
    inspections = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    pass_rate = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "(inspections − failed) / inspections; null with none"},
    )
    findings = fields.Integer(required=True)


class SeverityOut(Schema):
    S0 = fields.Integer(required=True)
    S1 = fields.Integer(required=True)
    S2 = fields.Integer(required=True)
    S3 = fields.Integer(required=True)
    S4 = fields.Integer(required=True)


class SpanOut(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    days = fields.Integer(required=True)


class PreviousOut(SpanOut, FiguresOut):
    findings_by_severity = fields.Nested(SeverityOut, required=True)


class RegionOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class MarketFiguresOut(FiguresOut):
    market_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: merchants in no market"}
    )
    region_id = fields.Integer(required=True)
    code = fields.String(required=True, allow_none=True)
    name_zh = fields.String(required=True, allow_none=True)
    name_en = fields.String(required=True, allow_none=True)


class WeekOut(FiguresOut):
    week = fields.String(required=True, metadata={"description": "ISO week, e.g. 2026-W05"})
    start = fields.Date(required=True, metadata={"description": "Its Monday"})
    days = fields.Integer(required=True, metadata={"description": "Days of it in the period"})


class CodeOut(Schema):
    code = fields.String(required=True)
    severity = fields.String(required=True, validate=validate.OneOf(["S0", "S1", "S2", "S3", "S4"]))
    findings = fields.Integer(required=True)


class SummaryOut(FiguresOut):
    """``GET /api/v1/dashboard/summary``: every figure from the rollups."""

    period = fields.Nested(SpanOut, required=True)
    previous = fields.Nested(
        PreviousOut,
        required=True,
        allow_none=True,
        metadata={"description": "The same number of days just before; null before 1900"},
    )
    regions = fields.List(fields.Nested(RegionOut), required=True)
    findings_by_severity = fields.Nested(SeverityOut, required=True)
    located_findings = fields.Integer(required=True)
    by_form = fields.Dict(keys=fields.String(), values=fields.Nested(FiguresOut), required=True)
    by_market = fields.List(fields.Nested(MarketFiguresOut), required=True)
    by_week = fields.List(fields.Nested(WeekOut), required=True)
    by_code = fields.List(
        fields.Nested(CodeOut),
        required=True,
        allow_none=True,
        metadata={"description": "Ten most frequent codes; null when filtered by market/form"},
    )


class StatusOut(Schema):
    """``GET /api/v1/dashboard/status``: what needs attention now (not a period)."""

    as_of = fields.Date(required=True)
    overdue_verifications = fields.Integer(required=True)
    open_orders = fields.Integer(required=True)
    overdue_orders = fields.Integer(required=True)
    open_reports = fields.Integer(required=True)
    open_alerts = fields.Integer(required=True)


class StatusQueryIn(StrictSchema):
    region = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "One district (admins; a supervisor may name their own)"},
    )
