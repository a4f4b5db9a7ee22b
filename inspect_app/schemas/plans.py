"""Forms of inspection plans (web/plans.py): a new plan, and the period of the targeting report.

Errors are message keys (``"size_range:40"``), the schema's and the plan service's alike;
:func:`field_errors` and :func:`message` word them as ``{"code", "en", "zh"}`` so the page
shows each beside its input in the reader's language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from inspect_app.schemas.common import (
    FormSchema,
    bilingual_field_errors,
    bilingual_message,
)

#: Message keys → (English, Chinese); ``{0}`` takes the key's value after ``:``.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Required.", "必填。"),
    "date": ("Enter a date as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式填写日期。"),
    "whole": ("Enter a whole number.", "请填写整数。"),
    "choice": ("Choose one of the options.", "请从选项中选择。"),
    "unknown": ("This field is not part of the form.", "该字段不属于此表单。"),
    "date_in_past": (
        "The date is in the past (district time, Asia/Shanghai).",
        "该日期已过（按本辖区时间，Asia/Shanghai）。",
    ),
    "date_taken": (
        "The district already has a plan for this date.",
        "本辖区该日期已有检查计划。",
    ),
    "share_range": ("Enter a share from 0 % to 100 %.", "随机比例须在 0% 至 100% 之间。"),
    "share_precision": ("Enter whole percent.", "随机比例须为整数百分比。"),
    "size_range": (
        "Enter a size from 1 to {0} (the district's active merchants).",
        "计划数量须在 1 至 {0} 之间（本辖区在营经营者数）。",
    ),
    "size_limit": ("Enter a size from 1 to {0}.", "计划数量须在 1 至 {0} 之间。"),
    "no_inspectors": (
        "The district has no active inspector to assign.",
        "本辖区没有可分派的在岗检查人员。",
    ),
    "period": ("The start must not be after the end.", "开始日期不能晚于结束日期。"),
}

_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "required",
    "null": "required",
    "invalid": "whole",
}
_DATE_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "required",
    "null": "required",
    "invalid": "date",
}
#: The largest plan a form accepts (a district's size is checked by the service).
MAX_SIZE = 10_000


class NewPlanIn(FormSchema):
    """``POST /plans/new``. ``random_share`` is typed in percent (20 = 20 %); ``region`` is the
    admin's choice of district (a supervisor plans for their own and sends none)."""

    plan_date = fields.Date(required=True, error_messages=_DATE_ERRORS)
    size = fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=1, max=MAX_SIZE, error=f"size_limit:{MAX_SIZE}"),
        error_messages=_ERRORS,
    )
    random_share = fields.Integer(
        load_default=20,
        validate=validate.Range(min=0, max=100, error="share_range"),
        error_messages=_ERRORS,
    )
    region = fields.Integer(load_default=None, error_messages={**_ERRORS, "invalid": "choice"})


class PeriodIn(FormSchema):
    """``GET /plans?from=…&to=…``: the plan dates the targeting report covers."""

    start = fields.Date(data_key="from", load_default=None, error_messages=_DATE_ERRORS)
    end = fields.Date(data_key="to", load_default=None, error_messages=_DATE_ERRORS)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            raise ValidationError("period", "from")


def share(percent: int) -> Decimal:
    """A percent typed in the form as the plan's share (20 → 0.20)."""
    return (Decimal(percent) / 100).quantize(Decimal("0.01"))


def message(key: str) -> dict[str, str]:
    return bilingual_message(key, MESSAGES)


def field_errors(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors."""
    return bilingual_field_errors(exc, MESSAGES)


def keyed_errors(errors: dict[str, list[str]]) -> dict[str, list[dict[str, str]]]:
    """The plan service's ``VALIDATION_FAILED`` errors (message keys by field), worded."""
    return {name: [message(k) for k in keys] for name, keys in errors.items()}
