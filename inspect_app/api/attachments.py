"""Photos by content address: ``PUT`` the raw bytes, ``GET`` the EXIF-free copy."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, current_app, request, send_file

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models.user import Role
from inspect_app.services import attachments, scoping

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _checked(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise AppError("NOT_FOUND")
    return sha256


@bp.put("/attachments/<sha256>")
@token_required(Role.INSPECTOR, Role.ADMIN)
def put_attachment(sha256: str) -> tuple[dict[str, object], int]:
    """Authorise, end that transaction, receive and decode, then write in a short one.

    On SQLite a request's first query begins ``IMMEDIATE``, taking the write lock; a tablet on
    a slow link, or a large photo decoding, must not hold it. The authorising transaction
    wrote nothing worth keeping (at most the device's last-seen minute, written again by the
    second authentication), so it is rolled back rather than committed: the request still
    commits once, in ``database.commit_on_success``. Nothing is received or decoded for a
    sender who may not upload the photo, nor for a photo already stored.
    """
    _checked(sha256)
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    if (request.content_length or 0) > limit:
        raise AppError("ATTACHMENT_TOO_LARGE")
    stored = attachments.check_expected(require_user(), sha256)
    if stored is not None:
        return _answer(attachments.StoredAttachment(stored, created=False))
    db.session.rollback()  # ends the authorising transaction (and SQLite's write lock)
    root = Path(current_app.config["ATTACHMENTS_DIR"])
    with attachments.received(request.stream, sha256, root, limit) as upload:
        return _store(attachments.prepare(upload))


@token_required(Role.INSPECTOR, Role.ADMIN)
def _store(photo: attachments.PreparedPhoto) -> tuple[dict[str, object], int]:
    """The short write, authenticated again: a token revoked meanwhile stores nothing."""
    return _answer(attachments.store(require_user(), photo))


def _answer(stored: attachments.StoredAttachment) -> tuple[dict[str, object], int]:
    body: dict[str, object] = {
        "sha256": stored.attachment.sha256,
        "status": "created" if stored.created else "duplicate",
        "width": stored.attachment.width,
        "height": stored.attachment.height,
    }
    return body, 201 if stored.created else 200


@bp.get("/attachments/<sha256>")
@token_required(Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)
def get_attachment(sha256: str) -> Response:
    if not scoping.may_view_attachment(require_user(), _checked(sha256)):
        raise AppError("NOT_FOUND")
    path = attachments.served_path(sha256, Path(current_app.config["ATTACHMENTS_DIR"]))
    response = send_file(path, mimetype="image/jpeg", max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
