"""Photos by content address: ``PUT`` the raw bytes, ``GET`` the EXIF-free copy."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, current_app, request, send_file

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.errors import AppError
from inspect_app.models.user import Role
from inspect_app.services import attachments

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _checked(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise AppError("NOT_FOUND")
    return sha256


@bp.put("/attachments/<sha256>")
@token_required(Role.INSPECTOR, Role.ADMIN)
def put_attachment(sha256: str) -> tuple[dict[str, object], int]:
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    if (request.content_length or 0) > limit:
        raise AppError("ATTACHMENT_TOO_LARGE")
    data = request.get_data(cache=False)
    stored = attachments.store(
        require_user(), _checked(sha256), data, Path(current_app.config["ATTACHMENTS_DIR"]), limit
    )
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
    if not attachments.can_view(require_user(), _checked(sha256)):
        raise AppError("NOT_FOUND")
    path = attachments.served_path(sha256, Path(current_app.config["ATTACHMENTS_DIR"]))
    response = send_file(path, mimetype="image/jpeg", max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
