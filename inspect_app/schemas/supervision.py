"""Forms and query strings of the supervisors' pages: review decisions, the alert inbox and
its feed, district orders and evidence decisions (``inspect_app/web/review.py``,
``alert_inbox.py``, ``district_orders.py``).

Form problems are message keys; :func:`field_errors` turns them into
``{field: [{"code", "en", "zh"}]}`` so each shows beside its input in the page's language.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from inspect_app.models.enforcement import MAX_TEXT, OrderStatus, ReviewDecision
from inspect_app.schemas.common import (
    FormSchema,
    StrictSchema,
    bilingual_field_errors,
    bilingual_message,
)
from inspect_app.schemas.reports import FreeText

#: Message keys → (English, Chinese); ``{0}``, ``{1}`` take the key's ``:``-separated values.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Required.", "必填。"),
    "choice": ("Choose one of the options.", "请从选项中选择。"),
    "return_reason": (
        "Say why the inspection is returned: the inspector reads it.",
        "退回检查记录须说明理由，检查员会看到。",
    ),
    "reject_reason": (
        "Say why the evidence is rejected: the merchant reads it.",
        "驳回整改材料须说明理由，经营者会看到。",
    ),
    "assignee": (
        "Choose a supervisor or inspector of the alert's district.",
        "请选择该警报所在辖区的监管人员或检查员。",
    ),
    "too_long": ("At most {0} characters (this has {1}).", "最多 {0} 个字符（现有 {1} 个）。"),
    "unstorable": (
        "This text holds a character that cannot be stored (such as NUL). Remove it and send "
        "again.",
        "文字中含有无法保存的字符（如 NUL），请删除后重新提交。",
    ),
    "control": ("Control characters are not allowed here.", "此处不得包含控制字符。"),
    "unknown": ("This field is not part of the form.", "该字段不属于此表单。"),
}

_CHOICE_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "choice",
    "null": "choice",
    "invalid": "choice",
}
_ID = validate.Range(min=1, max=2**63 - 1)


class ReviewIn(FormSchema):
    """Approve or return an inspection; returning needs a reason."""

    decision = fields.String(
        required=True,
        validate=validate.OneOf([d.value for d in ReviewDecision], error="choice"),
        error_messages=_CHOICE_ERRORS,
    )
    reason = FreeText(MAX_TEXT, load_default="")

    @validates_schema
    def _reason_to_return(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("decision") == ReviewDecision.RETURN.value and not data.get("reason"):
            raise ValidationError("return_reason", "reason")


class EvidenceDecisionIn(FormSchema):
    """Accept or reject one piece of evidence; rejecting needs a reason."""

    decision = fields.String(
        required=True,
        validate=validate.OneOf(["accept", "reject"], error="choice"),
        error_messages=_CHOICE_ERRORS,
    )
    reason = FreeText(MAX_TEXT, load_default="")

    @validates_schema
    def _reason_to_reject(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("decision") == "reject" and not data.get("reason"):
            raise ValidationError("reject_reason", "reason")


class AssignIn(FormSchema):
    assignee = fields.Integer(
        required=True,
        strict=False,
        validate=_ID,
        error_messages={"required": "assignee", "null": "assignee", "invalid": "assignee"},
    )


class InboxQueryIn(StrictSchema):
    """``/alerts?show=open|all&after=<id>``: which alerts, and the page after an alert."""

    show = fields.String(load_default="open", validate=validate.OneOf(["open", "all"]))
    after = fields.Integer(load_default=None, validate=_ID)


class FeedQueryIn(StrictSchema):
    """``/alerts/feed?since=<id>``: alerts newer than the newest one the page shows."""

    since = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**63 - 1))
    show = fields.String(load_default="open", validate=validate.OneOf(["open", "all"]))


class PageQueryIn(StrictSchema):
    """A keyset page of the review queue: the rows after ``after``."""

    after = fields.Integer(load_default=None, validate=_ID)


#: Order filters the district page offers: "active" (the default), each status, "all".
ORDER_FILTERS = ("active", *(s.value for s in OrderStatus), "all")


class OrdersQueryIn(StrictSchema):
    status = fields.String(load_default="active", validate=validate.OneOf(ORDER_FILTERS))


def message(key: str) -> dict[str, str]:
    return bilingual_message(key, MESSAGES)


def field_errors(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors."""
    return bilingual_field_errors(exc, MESSAGES)
