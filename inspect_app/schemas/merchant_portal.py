"""Form input of the merchant's portal (docs/merchant-portal.md): evidence against an order, a
reply to an inspection, the yearly honesty commitment.

Errors are message keys, turned by :func:`field_errors` into ``{field: [{"code", "en", "zh"}]}``
so each shows beside its input in the page's language (the consumer-report forms' convention,
whose shared messages are reused).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from inspect_app.models.enforcement import MAX_TEXT, EvidenceKind
from inspect_app.schemas import reports
from inspect_app.schemas.common import (
    FormSchema,
    bilingual_field_errors,
    bilingual_message,
    has_control_chars,
    unstorable_text,
)

#: Message keys → (English, Chinese); ``{0}`` takes the key's ``:``-separated value.
MESSAGES: dict[str, tuple[str, str]] = {
    **reports.MESSAGES,
    "kind": ("Choose what the file shows.", "请选择文件的类型。"),
    "date": ("Enter a date such as 2026-03-01.", "请填写日期，如 2026-03-01。"),
    "certificate_required": (
        "Required for a verification certificate.",
        "上传检定证书时必填。",
    ),
    "valid_after_verified": (
        "The certificate must be valid until a date after it was issued.",
        "有效期须晚于检定日期。",
    ),
    "file_required": ("Choose the file to upload.", "请选择要上传的文件。"),
    "file_size": ("The file is larger than {0} MB.", "文件超过 {0} MB。"),
    "file_kind": (
        "Send a photo (JPEG, PNG or WebP); an invoice or certificate may also be a PDF.",
        "请上传照片（JPEG、PNG 或 WebP）；发票或证书也可上传 PDF。",
    ),
    "pdf_invalid": (
        "This file is not a real PDF document (it may be another kind of file renamed).",
        "该文件不是真正的 PDF 文档（可能是改了扩展名的其他文件）。",
    ),
    "pdf_active": (
        "This PDF contains scripts, actions, embedded files or a password, which are not "
        "accepted. Print or save it again as a plain PDF, or send a photo of it.",
        "该 PDF 含有脚本、动作、嵌入文件或密码，不予接受。请重新打印或保存为普通 PDF，"
        "或上传其照片。",
    ),
    "agree": (
        "Tick the box to confirm you have read the commitment and agree to it.",
        "请勾选，确认已阅读并同意本承诺书。",
    ),
    "signatory": ("Type your full name as your signature.", "请输入您的姓名作为签名。"),
}

#: The file checks' refusals (catalogue codes) → message keys (``{0}``: the limit in MB).
FILE_PROBLEMS = {
    "ATTACHMENT_TOO_LARGE": "file_size",
    "ATTACHMENT_NOT_IMAGE": "photo_unreadable",
    "ATTACHMENT_TYPE_UNSUPPORTED": "photo_type",
    "ATTACHMENT_TOO_MANY_PIXELS": "photo_pixels",
    "EVIDENCE_FILE_UNSUPPORTED": "file_kind",
    "EVIDENCE_PDF_INVALID": "pdf_invalid",
    "EVIDENCE_PDF_ACTIVE_CONTENT": "pdf_active",
}

_TEXT_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "required",
    "null": "required",
    "invalid": "required",
}
_DATE_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "certificate_required",
    "null": "certificate_required",
    "invalid": "date",
    "format": "date",
}


class Line(fields.String):
    """One line of text (a name, a number): no control characters, at most ``limit``."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        messages = {**_TEXT_ERRORS, **kwargs.pop("error_messages", {})}
        super().__init__(error_messages=messages, **kwargs)
        self.limit = limit

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if unstorable_text(text):
            raise ValidationError("unstorable")
        if has_control_chars(text):
            raise ValidationError("control")
        if len(text) > self.limit:
            raise ValidationError(f"too_long:{self.limit}:{len(text)}")
        return text


class EvidenceIn(FormSchema):
    """The text fields of an evidence upload (the file is the view's)."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in EvidenceKind], error="kind"),
        error_messages={**_TEXT_ERRORS, "required": "kind"},
    )
    note = reports.FreeText(MAX_TEXT, load_default="")
    certificate_no = Line(64, load_default=None)
    verifying_body = Line(200, load_default=None)
    verified_at = fields.Date(load_default=None, error_messages=_DATE_ERRORS)
    valid_until = fields.Date(load_default=None, error_messages=_DATE_ERRORS)

    @validates_schema
    def _certificate(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("kind") != EvidenceKind.CERTIFICATE.value:
            return
        missing = {
            name: ["certificate_required"]
            for name in ("certificate_no", "verifying_body", "verified_at", "valid_until")
            if data.get(name) is None
        }
        if missing:
            raise ValidationError(missing)
        verified: date = data["verified_at"]
        if data["valid_until"] <= verified:
            raise ValidationError("valid_after_verified", "valid_until")


class ReplyIn(FormSchema):
    body = reports.FreeText(MAX_TEXT, required=True)


class CommitmentIn(FormSchema):
    signatory = Line(100, required=True, error_messages={"required": "signatory"})
    agree = fields.String(
        required=True,
        validate=validate.Equal("yes", error="agree"),
        error_messages={**_TEXT_ERRORS, "required": "agree"},
    )


def message(key: str) -> dict[str, str]:
    return bilingual_message(key, MESSAGES)


def field_errors(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors."""
    return bilingual_field_errors(exc, MESSAGES)
