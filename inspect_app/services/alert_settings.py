"""What alert delivery needs from the configuration, and the webhook address as shown.

Built from the Flask config by the worker package (``worker.queue.delivery_settings``) and put
on the app's engine under :data:`SETTINGS_OPTION`, where ``alert_delivery`` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

#: Engine execution option carrying this app's :class:`DeliverySettings`.
SETTINGS_OPTION = "inspect_alert_delivery"


@dataclass(frozen=True)
class DeliverySettings:
    """What delivery needs from the configuration (secrets kept out of ``repr``)."""

    webhook_url: str | None = field(default=None, repr=False)
    webhook_secret: str = field(default="", repr=False)
    webhook_timeout: float = 10.0
    mail_server: str | None = None
    mail_port: int = 25
    mail_sender: str | None = None
    mail_timeout: float = 10.0
    #: Where a supervisor acknowledges alerts (absolute when PUBLIC_BASE_URL is set).
    inbox_url: str = "/alerts"
    backoff_seconds: tuple[int, ...] = (10, 30, 60, 120, 300, 600, 1800, 3600)
    max_attempts: int = 12
    lease_seconds: int = 60

    def backoff(self, failed_attempts: int) -> timedelta:
        """Wait after ``failed_attempts`` failures (1 → the first value; the last one repeats)."""
        steps = self.backoff_seconds or (60,)
        return timedelta(seconds=steps[min(max(failed_attempts, 1), len(steps)) - 1])

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words for the operator (empty: fine)."""
        found = []
        if self.webhook_url:
            if urlsplit(self.webhook_url).scheme not in ("http", "https"):
                found.append("ALERT_WEBHOOK_URL must be an http:// or https:// URL")
            if len(self.webhook_secret) < 16:
                found.append("ALERT_WEBHOOK_SECRET (at least 16 characters) signs the webhook")
        if self.mail_server and not self.mail_sender:
            found.append("MAIL_SENDER (the From address) is required with MAIL_SERVER")
        if self.max_attempts < 1 or any(s < 0 for s in self.backoff_seconds):
            found.append("ALERT_DELIVERY_MAX_ATTEMPTS >= 1 and back-off seconds >= 0")
        if self.lease_seconds <= max(self.webhook_timeout, self.mail_timeout):
            found.append("ALERT_DELIVERY_LEASE_SECONDS must exceed the send timeouts")
        return found


def redacted(url: str) -> str:
    """The webhook as stored and shown: no user, password or query (a key often rides there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{query}"[:500]
