"""Sending a claimed alert delivery: the signed webhook POST and the bilingual e-mail.

Standard library only (``urllib.request``, ``smtplib``). Nothing here touches the database:
the worker calls :func:`send` with no transaction open, so a slow receiver never holds a lock.
Errors come back as :class:`DeliveryFailed` with a short reason that never carries the URL,
its key or the secret (the reason is stored in ``alert_delivery.last_error`` and logged).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import urllib.error
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.models.alert import AlertKind, DeliveryChannel
from inspect_app.services.alert_delivery import Outgoing
from inspect_app.services.alert_settings import DeliverySettings

SIGNATURE_HEADER = "X-Inspect-Signature"
DELIVERY_HEADER = "X-Inspect-Delivery"

KIND_LABELS: dict[str, tuple[str, str]] = {
    AlertKind.SEVERE_FINDING.value: ("严重违法行为", "Severe violation"),
    AlertKind.OBSTRUCTION.value: ("阻碍检查", "Inspection obstructed"),
    AlertKind.OVERDUE_CONDEMNATION.value: ("禁用器具逾期未整改", "Condemned instrument overdue"),
}


class DeliveryFailed(Exception):
    """The receiver did not accept the delivery; the message is safe to store and log."""


def body_bytes(document: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): compact UTF-8 JSON, keys sorted."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>`` keyed with ALERT_WEBHOOK_SECRET."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is not acceptance: never follow it (urllib would re-send a POST as a GET)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def post_webhook(outgoing: Outgoing, settings: DeliverySettings) -> None:
    """POST the signed document; return on 2xx, raise :class:`DeliveryFailed` otherwise."""
    assert settings.webhook_url
    body = body_bytes(outgoing.document)
    request = urllib.request.Request(
        settings.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "inspect-app-alerts/1",
            SIGNATURE_HEADER: signature(settings.webhook_secret, body),
            DELIVERY_HEADER: str(outgoing.delivery_id),
        },
    )
    timeout = settings.webhook_timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            response.read(65536)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise DeliveryFailed(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise DeliveryFailed(_network_reason(exc.reason, timeout)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryFailed(_network_reason(exc, timeout)) from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionError | http.client.HTTPException):
        return f"connection broken ({type(reason).__name__})"
    return f"network error ({type(reason).__name__})"


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def email_message(outgoing: Outgoing, settings: DeliverySettings) -> EmailMessage:
    """One supervisor's e-mail: Chinese first, then English, with the inbox link."""
    alert, district = outgoing.document["alert"], outgoing.document["district"]
    details = outgoing.details
    kind_zh, kind_en = KIND_LABELS.get(alert["kind"], (alert["kind"], alert["kind"]))
    created = datetime.fromisoformat(alert["created_at"])
    stall = f"（摊位 {details['stall_no']}）" if details["stall_no"] else ""
    stall_en = f" (stall {details['stall_no']})" if details["stall_no"] else ""
    merchant = details["merchant"]
    lines_zh = [
        f"计量监督告警 第 {alert['id']} 号",
        f"类型：{kind_zh}（严重程度 S{alert['severity']}）",
        f"辖区：{district['name_zh']}",
        f"商户：{merchant}{stall}" + (f"，{details['market_zh']}" if details["market_zh"] else ""),
    ]
    lines_en = [
        f"Metrology alert no. {alert['id']}",
        f"Kind: {kind_en} (severity S{alert['severity']})",
        f"District: {district['name_en']}",
        f"Merchant: {merchant}{stall_en}"
        + (f", {details['market_en']}" if details["market_en"] else ""),
    ]
    if details["instrument"]:
        lines_zh.append(f"器具：{details['instrument']}")
        lines_en.append(f"Instrument: {details['instrument']}")
    if details["finding_code"]:
        lines_zh.append(f"违法代码：{details['finding_code']}")
        lines_en.append(f"Violation code: {details['finding_code']}")
    if alert["inspection_uuid"]:
        lines_zh.append(f"检查记录：{alert['inspection_uuid']}")
        lines_en.append(f"Inspection: {alert['inspection_uuid']}")
    lines_zh += [
        f"时间：{_local(created)}（北京时间）",
        "",
        f"请在告警收件箱确认并指派处理：{settings.inbox_url}",
    ]
    lines_en += [
        f"Time: {_local(created)} (China Standard Time)",
        "",
        f"Acknowledge and assign it in the alert inbox: {settings.inbox_url}",
    ]
    message = EmailMessage()
    message["Subject"] = (
        f"【计量告警】{kind_zh}：{merchant} | Metrology alert: {kind_en}: {merchant}"
    )
    message["From"] = settings.mail_sender or ""
    message["To"] = outgoing.target
    message["Date"] = format_datetime(created)
    domain = (settings.mail_sender or "").rpartition("@")[2] or "localhost"
    # The same id on every attempt: a mail system that got it twice can tell.
    message["Message-ID"] = f"<alert-{alert['id']}-delivery-{outgoing.delivery_id}@{domain}>"
    message.set_content("\n".join([*lines_zh, "", "—" * 20, "", *lines_en]) + "\n")
    return message


def send_email(outgoing: Outgoing, settings: DeliverySettings) -> None:
    """Hand the e-mail to MAIL_SERVER; raise :class:`DeliveryFailed` unless it was accepted."""
    assert settings.mail_server
    message = email_message(outgoing, settings)
    try:
        with smtplib.SMTP(
            settings.mail_server, settings.mail_port, timeout=settings.mail_timeout
        ) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryFailed("SMTP recipient refused") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"SMTP {exc.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP {_network_reason(exc, settings.mail_timeout)}") from None


def send(outgoing: Outgoing, settings: DeliverySettings) -> None:
    """Send through the delivery's channel."""
    if outgoing.channel == DeliveryChannel.WEBHOOK:
        post_webhook(outgoing, settings)
    else:
        send_email(outgoing, settings)
