"""Wire formats of consumer reports (docs/reports.md): the public form, the supervisor's close
form, and ``GET /api/v1/reports``.

Form errors are message keys (``"too_long:500:512"``); :func:`field_errors` turns them into
``{field: [{"code", "en", "zh"}]}`` so the page shows each beside its input in the reporter's
language. Weights are typed in kilograms, as the stall's and the fair scale's displays show
them, and stored in grams (0.1 g steps, the column's precision).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inspect_app.models.report import MAX_DESCRIPTION, ReportCategory, ReportStatus
from inspect_app.schemas.common import (
    FormSchema,
    StrictSchema,
    bilingual_field_errors,
    bilingual_message,
    has_control_chars,
    unstorable_text,
)

#: Message keys → (English, Chinese); ``{0}``, ``{1}`` take the key's ``:``-separated values.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Required.", "必填。"),
    "category": ("Choose what happened.", "请选择遇到的问题。"),
    "number": (
        "Enter the weight in kilograms as a number, such as 0.5 or 1.25.",
        "请以千克为单位填写数字，如 0.5 或 1.25。",
    ),
    "weight_range": (
        "Enter a weight between 0.0001 kg and 1000 kg.",
        "重量须在 0.0001 至 1000 千克之间。",
    ),
    "weight_precision": (
        "At most four digits after the decimal point.",
        "小数点后最多四位。",
    ),
    "too_long": ("At most {0} characters (this has {1}).", "最多 {0} 个字符（现有 {1} 个）。"),
    "unstorable": (
        "This text holds a character that cannot be stored (such as NUL). Remove it and send "
        "again.",
        "文字中含有无法保存的字符（如 NUL），请删除后重新提交。",
    ),
    "control": (
        "Control characters are not allowed here.",
        "此处不得包含控制字符。",
    ),
    "phone": (
        "Enter an 11-digit mainland mobile number, such as 13912345678, or leave it empty.",
        "请填写 11 位中国大陆手机号码，如 13912345678，或留空。",
    ),
    "describe_other": (
        "Describe what happened (needed when you choose “Other”).",
        "选择“其他问题”时，请描述发生了什么。",
    ),
    "choice": ("Choose one of the options.", "请从选项中选择。"),
    "reason_required": (
        "Give the reason for dismissing the report.",
        "驳回举报须填写理由。",
    ),
    "inspection_required": ("Choose the inspection.", "请选择检查记录。"),
    "inspection_unknown": (
        "This is not one of this stall's inspections.",
        "该检查记录不属于此经营者。",
    ),
    "final": (
        "This report is already closed; its outcome can no longer change.",
        "该举报已办结，结果不能再更改。",
    ),
    "unknown": ("This field is not part of the form.", "该字段不属于此表单。"),
    # The public form's own problems ({0}: the photo size limit in MB).
    "expired": (
        "The form had expired. Check what you wrote and send it again.",
        "表单已过期。请检查填写的内容后重新提交。",
    ),
    "honeypot": (
        "The report could not be accepted. Send it again.",
        "无法受理该举报，请重新提交。",
    ),
    "photo_too_large": (
        "The photo is larger than {0} MB. Nothing was sent: fill in the form again with a "
        "smaller photo, or without one.",
        "照片超过 {0} MB，举报未提交。请换一张较小的照片或不附照片，重新填写。",
    ),
    "photo_size": ("The photo is larger than {0} MB.", "照片超过 {0} MB。"),
    "photo_unreadable": ("This file is not a photo that can be read.", "该文件不是可读取的照片。"),
    "photo_type": (
        "Send a JPEG, PNG or WebP photo (HEIC is not accepted).",
        "请上传 JPEG、PNG 或 WebP 格式的照片（不接受 HEIC）。",
    ),
    "photo_pixels": (
        "The photo has too many pixels (at most 24 megapixels).",
        "照片像素过多（最多 2400 万像素）。",
    ),
}

#: The photo checks' refusals (catalogue codes) → message keys.
PHOTO_PROBLEMS = {
    "ATTACHMENT_TOO_LARGE": "photo_size",
    "ATTACHMENT_NOT_IMAGE": "photo_unreadable",
    "ATTACHMENT_TYPE_UNSUPPORTED": "photo_type",
    "ATTACHMENT_TOO_MANY_PIXELS": "photo_pixels",
}

#: The heaviest weight a market scale report can name: 1000 kg (a livestock platform scale).
MAX_WEIGHT_KG = Decimal("1000")
_GRAMS_STEP = Decimal("0.1")
#: A mainland mobile number: 11 digits starting 13–19, optionally written with +86 / 0086.
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_TEXT_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "required",
    "null": "required",
    "invalid": "required",
}


def _normalized(value: str) -> str:
    """Full-width digits and punctuation (typed with a Chinese keyboard) as ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


def kilograms_to_grams(text: str) -> Decimal:
    """``"1.25"`` (kg) → ``Decimal("1250.0")`` (g). A comma may stand for the decimal point.

    :raises ValidationError: ``number``, ``weight_precision`` or ``weight_range``.
    """
    cleaned = _normalized(text).replace(",", ".")
    if not re.fullmatch(r"\d{1,7}(\.\d*)?|\.\d+", cleaned):
        raise ValidationError("number")
    try:
        kilograms = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValidationError("number") from exc
    grams = kilograms * 1000
    if grams != grams.quantize(_GRAMS_STEP):
        raise ValidationError("weight_precision")
    if not Decimal("0") < kilograms <= MAX_WEIGHT_KG:
        raise ValidationError("weight_range")
    return grams.quantize(_GRAMS_STEP)


def mainland_mobile(text: str) -> str:
    """``"+86 139-1234-5678"`` → ``"13912345678"``.

    :raises ValidationError: ``phone``.
    """
    compact = _PHONE_SEPARATORS.sub("", _normalized(text))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise ValidationError("phone")
    return match.group(1)


def _text_problems(value: str, limit: int) -> None:
    if unstorable_text(value):
        raise ValidationError("unstorable")
    if has_control_chars(value, multiline=True):
        raise ValidationError("control")
    if len(value) > limit:
        raise ValidationError(f"too_long:{limit}:{len(value)}")


class Weight(fields.Field[Decimal]):
    """Kilograms as typed → grams."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError("number")
        return kilograms_to_grams(value)


class FreeText(fields.String):
    """A description or reason: line breaks kept (``\\r\\n`` counted as one, as the browser
    counts it), no NUL, lone surrogates or other control characters, at most ``limit``."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(error_messages=_TEXT_ERRORS, **kwargs)
        self.limit = limit

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n")
        _text_problems(text, self.limit)
        return text


class Phone(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return mainland_mobile(super()._deserialize(value, attr, data, **kwargs))


class ReportFormIn(FormSchema):
    """The public form's text fields (the photo, CSRF token and honeypot are the view's)."""

    category = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in ReportCategory], error="category"),
        error_messages={**_TEXT_ERRORS, "required": "category"},
    )
    claimed_weight = Weight(load_default=None, data_key="claimed_weight")
    found_weight = Weight(load_default=None, data_key="found_weight")
    description = FreeText(MAX_DESCRIPTION, load_default="")
    phone = Phone(load_default=None, error_messages=_TEXT_ERRORS)

    @validates_schema
    def _describe_other(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("category") == ReportCategory.OTHER.value and not data.get("description"):
            raise ValidationError("describe_other", "description")


#: The outcomes a supervisor may close a report with.
OUTCOMES = (ReportStatus.DISMISSED, ReportStatus.INSPECTION_PLANNED, ReportStatus.LINKED)


class ReportCloseIn(FormSchema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf([o.value for o in OUTCOMES], error="choice"),
        error_messages={**_TEXT_ERRORS, "required": "choice"},
    )
    reason = FreeText(MAX_DESCRIPTION, load_default=None)
    inspection = fields.String(
        load_default=None,
        validate=validate.Length(max=36, error="inspection_unknown"),
        error_messages=_TEXT_ERRORS,
    )


def _message(key: str) -> dict[str, str]:
    return bilingual_message(key, MESSAGES)


def field_errors(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors."""
    return bilingual_field_errors(exc, MESSAGES)


def message(key: str) -> dict[str, str]:
    """One problem by key (for problems the view or a service finds)."""
    return _message(key)


# ---------------------------------------------------------------- API


class ReportsQueryIn(StrictSchema):
    """``GET /api/v1/reports`` query: which reports, newest first, a page at a time."""

    status = fields.String(
        load_default="all",
        validate=validate.OneOf(["all", "open", "closed"]),
        metadata={"description": "open = received; closed = any outcome"},
    )
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))
    before_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=2**63 - 1),
        metadata={"description": "Only reports with a smaller id (the next page)"},
    )


class ReportOut(Schema):
    """One report for the district's supervisors (admins: every district). The reporter's
    phone number is here because only supervisors and admins may call this endpoint."""

    id = fields.Integer(required=True)
    tracking_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ReportStatus]))
    category = fields.String(
        required=True, validate=validate.OneOf([c.value for c in ReportCategory])
    )
    instrument_id = fields.Integer(required=True)
    merchant_id = fields.Integer(required=True)
    claimed_weight_g = fields.Decimal(allow_none=True, as_string=True)
    found_weight_g = fields.Decimal(allow_none=True, as_string=True)
    description = fields.String(required=True)
    has_photo = fields.Boolean(required=True)
    reporter_phone = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome_reason = fields.String(allow_none=True)
    linked_inspection_uuid = fields.String(allow_none=True)
