"""Local receivers for alert delivery tests and the latency bench: a webhook and an SMTP server.

The webhook receiver verifies each request's ``X-Inspect-Signature`` itself (HMAC-SHA256 of
the raw body), as a real gateway should, and answers from a script: a status, a delay longer
than the sender's timeout, or holding the request until the test lets go.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    delivery: str | None
    body: bytes
    signature_ok: bool
    at: float
    answered: int | None = None  # the status sent back; None: no answer reached the sender


#: A behaviour gets the request and returns the status to answer (None: close without one).
Behaviour = Callable[[Received], int | None]


def answer(status: int) -> Behaviour:
    return lambda _request: status


def too_slow(seconds: float, status: int = 200) -> Behaviour:
    """Answer only after ``seconds`` (longer than the sender waits: a timeout)."""

    def behave(_request: Received) -> int:
        time.sleep(seconds)
        return status

    return behave


def hold(until: threading.Event, status: int | None = 200, limit: float = 30) -> Behaviour:
    """Keep the request open until the test sets ``until`` (then answer ``status``)."""

    def behave(_request: Received) -> int | None:
        until.wait(limit)
        return status

    return behave


@dataclass
class WebhookReceiver:
    secret: str
    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    script: list[Behaviour] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?key=gateway-key-123"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = (
                    "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                got = self.headers.get("X-Inspect-Signature", "")
                request = Received(
                    delivery=self.headers.get("X-Inspect-Delivery"),
                    body=body,
                    signature_ok=hmac.compare_digest(expected, got),
                    at=time.monotonic(),
                )
                with receiver.changed:
                    receiver.requests.append(request)
                    behave = receiver.script.pop(0) if receiver.script else answer(200)
                    receiver.changed.notify_all()
                status = behave(request)
                if status is None:
                    self.close_connection = True
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                    self.wfile.flush()
                except OSError:
                    return  # the sender gave up (timed out) before the answer
                with receiver.changed:
                    request.answered = status
                    receiver.changed.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the listening socket: connections are refused until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, timeout: float = 20, accepted: bool = False) -> bool:
        """Wait until ``count`` requests arrived (or were answered 2xx, with ``accepted``)."""

        def enough() -> bool:
            seen = self.accepted if accepted else self.requests
            return len(seen) >= count

        with self.changed:
            return self.changed.wait_for(enough, timeout)

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.answered is not None and 200 <= r.answered < 300]


class SmtpInbox:
    """An aiosmtpd server on a loopback port that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.port = free_port()
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> SmtpInbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
