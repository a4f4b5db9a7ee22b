"""Wire format of a merchant's honesty grade: ``GET /api/v1/merchants/<id>/credit``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from inspect_app.schemas.common import StrictSchema

GRADES = ("A", "B", "C", "D", "P")


class CreditOut(Schema):
    """The merchant's current grade as published (docs/credit.md explains each field)."""

    score = fields.Float(
        required=True,
        allow_none=True,
        validate=validate.Range(0, 100),
        metadata={"description": "0–100, one decimal; null with no inspection in the window"},
    )
    grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "A–D, or P (provisional: not enough inspections yet)"},
    )
    capped_by = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The finding code whose cap set the grade, or null"},
    )
    reasons = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Reason codes: 'provisional', or "
            "'<cap id>:<finding code>:<found on>:<lifts on>' (ISO dates)"
        },
    )
    rule_version = fields.String(required=True, metadata={"description": "e.g. v1"})
    computed_at = fields.AwareDateTime(required=True)


class GradeListIn(StrictSchema):
    """``/supervisor/grades?grade=C&page=2``: an empty ``grade`` means every merchant."""

    grade = fields.String(validate=validate.OneOf(GRADES))
    page = fields.Integer(validate=validate.Range(1, 100_000))

    @pre_load
    def _empty_is_missing(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data
