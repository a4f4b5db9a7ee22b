"""Uploads at the same moment: six tablets with one photo, and a slow tablet beside a sync.

Runs on SQLite and, under INSPECT_TEST_DATABASE=postgresql, on PostgreSQL with real
concurrent connections: each thread's request has its own app context and database session.
"""

from __future__ import annotations

import io
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import Attachment, AuditEntry
from inspect_app.services import accounts, attachments, image_decoding
from tests.api.conftest import Field
from tests.api.uploads import encoded, expect, sha


def _tablet_headers(field: Field, n: int) -> list[dict[str, str]]:
    """``n`` tablets of the field's inspector, each with its own device token."""
    tokens = [accounts.issue_device_token(field.inspector, f"tablet {i}", 30)[1] for i in range(n)]
    db.session.commit()
    return [{"Authorization": f"Bearer {token}"} for token in tokens]


def _noisy_photo() -> bytes:
    """Big enough that decoding takes a while, so the uploads overlap."""
    return encoded(Image.effect_noise((1600, 1200), 40).convert("RGB"), "JPEG", quality=90)


def _put_concurrently(
    app: Flask, digest: str, data: bytes, headers: list[dict[str, str]]
) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(len(headers))
    outcomes: list[tuple[int, Any]] = [(0, None)] * len(headers)
    errors: list[BaseException] = []
    db.session.commit()

    def tablet(slot: int) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=10)
            response = client.put(
                f"/api/v1/attachments/{digest}",
                data=data,
                headers=headers[slot],
                content_type="image/jpeg",
            )
            outcomes[slot] = (response.status_code, response.get_json())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=tablet, args=(slot,)) for slot in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return outcomes


@pytest.mark.parametrize("race", [False, True], ids=["natural", "forced-race"])
def test_six_tablets_uploading_one_photo_at_once_all_succeed(
    field: Field, app: Flask, monkeypatch: pytest.MonkeyPatch, race: bool
) -> None:
    data = _noisy_photo()
    digest = sha(data)
    expect(field, digest)
    rereads: list[str] = []
    if race:
        # Every tablet's "already stored?" check runs before any other tablet's row commits,
        # as when six PostgreSQL connections check at once: the unique index must decide.
        real = attachments._stored
        checked = threading.local()

        def stale_first_look(sha256: str) -> Attachment | None:
            if not getattr(checked, "once", False):
                checked.once = True
                return None
            rereads.append(sha256)
            return real(sha256)

        monkeypatch.setattr(attachments, "_stored", stale_first_look)

    outcomes = _put_concurrently(app, digest, data, _tablet_headers(field, 6))

    assert sorted(status for status, _ in outcomes) == [200] * 5 + [201], outcomes
    assert sorted(body["status"] for _, body in outcomes) == ["created"] + ["duplicate"] * 5
    assert {(body["sha256"], body["width"], body["height"]) for _, body in outcomes} == {
        (digest, 1600, 1200)
    }
    if race:
        assert rereads == [digest] * 5  # five losers met the unique index and re-read
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 1
    stores = db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "attachment.store")
    )
    assert stores == 1
    root = Path(app.config["ATTACHMENTS_DIR"])
    assert (root / "original" / digest).read_bytes() == data
    served = Image.open(root / "served" / f"{digest}.jpg")
    served.load()
    assert (served.format, served.size) == ("JPEG", (1600, 1200))
    assert list((root / "tmp").iterdir()) == []  # every writer's own temporary file is gone


class _SlowBody(io.BytesIO):
    """A request body that sends a little, then stalls until released (a tablet on a bad link)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.stalled = threading.Event()
        self.release = threading.Event()

    def read(self, size: int | None = -1) -> bytes:
        if not self.stalled.is_set():
            self.stalled.set()
            return super().read(100)
        assert self.release.wait(timeout=30)
        return super().read(size)

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _write_with_a_short_busy_timeout(app: Flask) -> None:
    """Another connection takes the write lock and commits, waiting at most a second: it fails
    with "database is locked" while a request holds the lock."""
    path = str(app.config["SQLALCHEMY_DATABASE_URI"]).removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=1.0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE region SET name_en = name_en || ' (renamed)'")
        other.execute("COMMIT")
    finally:
        other.close()


@pytest.mark.sqlite_only  # SQLite's single write lock
def test_a_slow_upload_does_not_hold_the_sqlite_write_lock(field: Field, app: Flask) -> None:
    data = _noisy_photo()
    digest = sha(data)
    expect(field, digest)
    body = _SlowBody(data)
    outcome: dict[str, Any] = {}
    db.session.commit()

    def slow_tablet() -> None:
        response = app.test_client().put(
            f"/api/v1/attachments/{digest}",
            input_stream=body,
            headers=field.headers | {"Content-Length": str(len(data))},
            content_type="image/jpeg",
        )
        outcome["status"] = response.status_code

    thread = threading.Thread(target=slow_tablet)
    thread.start()
    try:
        assert body.stalled.wait(timeout=10)  # the view is receiving the body now
        _write_with_a_short_busy_timeout(app)
    finally:
        body.release.set()
        thread.join(timeout=60)
    assert outcome == {"status": 201}


@pytest.mark.sqlite_only  # SQLite's single write lock
def test_decoding_a_photo_does_not_hold_the_sqlite_write_lock(
    field: Field, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _noisy_photo()
    digest = sha(data)
    expect(field, digest)
    decoding, release = threading.Event(), threading.Event()
    real = image_decoding._decode_now

    def slow_decode(path: Path, served: Path) -> Any:
        decoding.set()
        assert release.wait(timeout=30)
        return real(path, served)

    monkeypatch.setattr(image_decoding, "_decode_now", slow_decode)
    outcome: dict[str, Any] = {}
    db.session.commit()

    def tablet() -> None:
        response = app.test_client().put(
            f"/api/v1/attachments/{digest}", data=data, headers=field.headers
        )
        outcome["status"] = response.status_code

    thread = threading.Thread(target=tablet)
    thread.start()
    try:
        assert decoding.wait(timeout=10)
        _write_with_a_short_busy_timeout(app)
    finally:
        release.set()
        thread.join(timeout=60)
    assert outcome == {"status": 201}
