"""The error catalogue: every error a client can see, with a stable code, status and message.

Pure: no Flask here, so services, the CLI and background jobs raise :class:`AppError` freely.
The edge (:mod:`inspect_app.error_handlers`) turns an error into a JSON body or an HTML page in
the request's language. API clients (the tablet) key their behaviour on ``code``; the message
is for people. README and docs/sync-protocol.md list the codes; a test checks that each code is
documented there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One catalogue entry."""

    code: str
    status: int
    en: str
    zh: str

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``en``; anything else is Chinese, the default locale)."""
        return self.en if lang == "en" else self.zh


_CATALOGUE = [
    Problem("BAD_REQUEST", 400, "The request could not be understood.", "无法理解该请求。"),
    Problem(
        "INVALID_JSON", 400, "The request body is not valid JSON.", "请求内容不是有效的 JSON。"
    ),
    Problem(
        "CSRF_FAILED",
        400,
        "The form expired or was not sent from this site. Reload the page and try again.",
        "表单已过期或并非来自本站，请刷新页面后重试。",
    ),
    Problem("AUTH_REQUIRED", 401, "Sign in first.", "请先登录。"),
    Problem("AUTH_INVALID_CREDENTIALS", 401, "Wrong username or password.", "用户名或密码错误。"),
    Problem(
        "AUTH_TOKEN_INVALID",
        401,
        "The device token is unknown, expired or revoked. Sign in again.",
        "设备令牌无效、已过期或已被吊销，请重新登录。",
    ),
    Problem("FORBIDDEN", 403, "Your role does not allow this.", "您的角色无权执行此操作。"),
    Problem("NOT_FOUND", 404, "Not found.", "未找到。"),
    Problem("METHOD_NOT_ALLOWED", 405, "This method is not allowed here.", "不允许使用此方法。"),
    Problem(
        "SYNC_UUID_CONFLICT",
        409,
        "An inspection with this uuid already exists with different content.",
        "已存在相同 uuid 但内容不同的检查记录。",
    ),
    Problem(
        "SYNC_SUPERSEDE_STALE",
        409,
        "The inspection to be corrected has already been corrected.",
        "要更正的检查记录已被更正过。",
    ),
    Problem(
        "SYNC_SUPERSEDE_UNKNOWN",
        422,
        "The inspection to be corrected does not exist.",
        "要更正的检查记录不存在。",
    ),
    Problem("PAYLOAD_TOO_LARGE", 413, "The request body is too large.", "请求内容过大。"),
    Problem(
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        "Send this request as application/json.",
        "请以 application/json 格式发送请求。",
    ),
    Problem("VALIDATION_FAILED", 422, "Some fields are invalid.", "部分字段无效。"),
    Problem("FORM_UNKNOWN", 422, "This form does not exist.", "该表单不存在。"),
    Problem(
        "FORM_VERSION_UNKNOWN", 422, "This form version is not published.", "该表单版本未发布。"
    ),
    Problem(
        "FORM_CLOSED",
        422,
        "This form is closed and accepts no submissions.",
        "该表单已关闭，不再接受提交。",
    ),
    Problem("INSTRUMENT_UNKNOWN", 422, "The instrument is not registered.", "该计量器具未登记。"),
    Problem(
        "INSTRUMENT_OTHER_MERCHANT",
        422,
        "This instrument is registered to another merchant; record its use as a finding instead.",
        "该计量器具登记在其他经营者名下；如该经营者借用他人器具，请作为违规项记录。",
    ),
    Problem("MERCHANT_UNKNOWN", 422, "The merchant is not registered.", "该经营者未登记。"),
    Problem(
        "OUT_OF_REGION", 422, "This merchant is outside your region.", "该经营者不在您的辖区内。"
    ),
    Problem("MEASUREMENT_INVALID", 422, "A measurement cannot be evaluated.", "测量数据无法判定。"),
    Problem(
        "ITEM_UNPROCESSABLE",
        422,
        "This record could not be stored; it was kept on the device. Report it to the "
        "administrator.",
        "该记录无法保存，已保留在设备上。请报告系统管理员。",
    ),
    Problem(
        "ATTACHMENT_HASH_MISMATCH",
        422,
        "The file's content does not match its sha256.",
        "文件内容与其 sha256 不符。",
    ),
    Problem(
        "ATTACHMENT_NOT_IMAGE",
        422,
        "The file is not an image that can be decoded.",
        "该文件不是可解码的图片。",
    ),
    Problem(
        "ATTACHMENT_NOT_EXPECTED",
        422,
        "No inspection of yours references this photo; send the inspection first.",
        "您的检查记录中没有引用该照片，请先提交检查记录。",
    ),
    Problem("ATTACHMENT_TOO_LARGE", 413, "The file exceeds the size limit.", "文件超过大小限制。"),
    Problem(
        "ATTACHMENT_TYPE_UNSUPPORTED",
        415,
        "Only JPEG, PNG and WebP photos are accepted.",
        "仅接受 JPEG、PNG 和 WebP 格式的照片。",
    ),
    Problem(
        "ATTACHMENT_TOO_MANY_PIXELS",
        422,
        "The photo has more pixels than allowed (24 megapixels; WebP 16).",
        "照片像素超过上限（2400 万像素；WebP 为 1600 万像素）。",
    ),
    Problem(
        "REVIEW_REASON_REQUIRED",
        422,
        "Say why the inspection is returned.",
        "退回检查记录时须说明理由。",
    ),
    Problem(
        "REVIEW_ALREADY_DECIDED",
        409,
        "This inspection has already been reviewed.",
        "该检查记录已审核。",
    ),
    Problem(
        "INSPECTION_SUPERSEDED",
        409,
        "This inspection was replaced by a correction; review the correction instead.",
        "该检查记录已被更正记录取代，请审核更正记录。",
    ),
    Problem(
        "ALERT_ALREADY_ACKNOWLEDGED",
        409,
        "Another supervisor acknowledged this alert first.",
        "另一位监管人员已先确认该警报。",
    ),
    Problem(
        "ORDER_NOT_ACTIVE",
        409,
        "This order is closed or withdrawn; nothing more can be done with it.",
        "该整改通知已关闭或撤销，无法再操作。",
    ),
    Problem(
        "EVIDENCE_ALREADY_DECIDED",
        409,
        "This evidence has already been accepted or rejected.",
        "该整改材料已被接受或驳回。",
    ),
    # ---- the merchant's side of a finding (issue 10: evidence files, replies, commitment)
    Problem(
        "EVIDENCE_FILE_UNSUPPORTED",
        422,
        "Send a photo (JPEG, PNG or WebP) or, for an invoice or certificate, a PDF document.",
        "请上传照片（JPEG、PNG 或 WebP），发票或证书也可上传 PDF 文件。",
    ),
    Problem(
        "EVIDENCE_PDF_INVALID",
        422,
        "The file is not a readable PDF document.",
        "该文件不是可读取的 PDF 文档。",
    ),
    Problem(
        "EVIDENCE_PDF_ACTIVE_CONTENT",
        422,
        "The PDF contains scripts, actions, embedded files or encryption, which are not "
        "accepted. Save or print it again as a plain PDF.",
        "该 PDF 含有脚本、动作、嵌入文件或加密，不予接受。请重新保存或打印为普通 PDF。",
    ),
    Problem(
        "REPLY_WINDOW_CLOSED",
        409,
        "The 21 days for replying to this inspection have passed.",
        "对该检查记录的申辩期（21 天）已过。",
    ),
    Problem(
        "REPLY_EXISTS",
        409,
        "A reply to this inspection was already sent; there is one reply per inspection.",
        "已对该检查记录提交过申辩，每份检查记录只能申辩一次。",
    ),
    Problem(
        "COMMITMENT_ALREADY_SIGNED",
        409,
        "The honesty commitment for this year is already signed.",
        "本年度的诚信计量承诺书已签署。",
    ),
    Problem(
        "PLAN_NOT_FINISHED",
        409,
        "A plan can be published once every planned visit is done or its date has passed.",
        "检查计划须在全部检查完成或计划日期过后才能公示。",
    ),
    Problem(
        "PLAN_LOCKED",
        409,
        "This plan can no longer be cancelled: its date has passed, a visit is done or it is "
        "published.",
        "该计划已不能撤销：计划日期已过、已有检查完成或已公示。",
    ),
    Problem(
        "RATE_LIMITED",
        429,
        "Too many attempts. Wait a minute and try again.",
        "尝试次数过多，请稍候一分钟再试。",
    ),
    Problem(
        "PERIOD_INVERTED",
        422,
        "The period ends before it begins: `to` must not be before `from`.",
        "时段的结束日期早于开始日期：`to` 不得早于 `from`。",
    ),
    Problem(
        "PERIOD_TOO_LONG",
        422,
        "The period is longer than ten years; choose a shorter one.",
        "时段超过十年，请缩短。",
    ),
    Problem(
        "CURSOR_INVALID",
        400,
        "This page link was changed or belongs to another list; start again from the first page.",
        "该翻页链接已被改动或不属于此列表，请从第一页重新开始。",
    ),
    Problem(
        "INTERNAL_ERROR",
        500,
        "Something went wrong on the server. Nothing you sent was lost; try again later.",
        "服务器出错。您提交的内容未丢失，请稍后重试。",
    ),
    Problem(
        "SERVICE_UNAVAILABLE",
        503,
        "The service is not ready: its database cannot be reached. Try again shortly.",
        "服务尚未就绪：无法连接数据库，请稍后重试。",
    ),
]

CATALOGUE: Mapping[str, Problem] = {p.code: p for p in _CATALOGUE}

#: Werkzeug HTTP errors (raised before or outside our views) mapped to catalogue codes.
HTTP_STATUS_CODES: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


class AppError(Exception):
    """Raised anywhere below the edge; the handler turns it into the catalogue response."""

    def __init__(self, code: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.problem = CATALOGUE[code]
        self.errors = errors
