"""Where an uploaded registry file waits between its preview and its commit.

The file is kept under the instance folder (``REGISTRY_IMPORT_DIR``, default
``<instance>/registry-imports``), named by a random id (144 bits) that only the uploading
session knows: the id is kept in the session, and the file's metadata names the user, so a
preview or a commit needs both. Each session holds one upload at a time (a new one replaces
it). A file goes when it is committed, replaced, or an hour old (swept at each upload). The
commit reads this server-side copy again; nothing the browser sends back is trusted.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app, session

SESSION_KEY = "registry_import"
TTL_SECONDS = 3600
_ID = re.compile(r"[A-Za-z0-9_-]{24}")


@dataclass(frozen=True)
class Upload:
    id: str
    path: Path
    filename: str
    user_id: int
    report: dict[str, Any]


def folder() -> Path:
    configured = current_app.config.get("REGISTRY_IMPORT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "registry-imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _paths(upload_id: str) -> tuple[Path, Path]:
    base = folder()
    return base / f"{upload_id}.data", base / f"{upload_id}.json"


def sweep(now: float | None = None) -> None:
    """Delete every upload older than :data:`TTL_SECONDS`."""
    limit = (now or time.time()) - TTL_SECONDS
    for path in folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue  # another worker swept it first


def save(stream: IO[bytes], filename: str, user_id: int, max_bytes: int) -> tuple[str, Path]:
    """Copy the upload into place (at most ``max_bytes`` + 1 bytes are copied) and make it
    this session's upload, replacing the session's previous one."""
    sweep()
    discard()
    upload_id = secrets.token_urlsafe(18)
    data, meta = _paths(upload_id)
    partial = data.with_suffix(".part")
    with partial.open("wb") as out:
        shutil.copyfileobj(_Capped(stream, max_bytes + 1), out, 1 << 20)
    os.replace(partial, data)
    _write_meta(meta, {"filename": filename, "user_id": user_id, "report": {}})
    session[SESSION_KEY] = upload_id
    return upload_id, data


def set_report(upload_id: str, report: dict[str, Any]) -> None:
    data, meta = _paths(upload_id)
    stored = json.loads(meta.read_text(encoding="utf-8"))
    _write_meta(meta, stored | {"report": report})


def load(upload_id: str, user_id: int) -> Upload | None:
    """This session's upload ``upload_id`` of ``user_id``; None for anything else."""
    if not _ID.fullmatch(upload_id) or session.get(SESSION_KEY) != upload_id:
        return None
    data, meta = _paths(upload_id)
    try:
        stored = json.loads(meta.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if stored.get("user_id") != user_id or not data.exists():
        return None
    return Upload(upload_id, data, str(stored["filename"]), user_id, stored.get("report") or {})


def discard() -> None:
    """Forget this session's upload and delete its files."""
    upload_id = session.pop(SESSION_KEY, None)
    if isinstance(upload_id, str) and _ID.fullmatch(upload_id):
        for path in _paths(upload_id):
            path.unlink(missing_ok=True)


def _write_meta(meta: Path, content: dict[str, Any]) -> None:
    partial = meta.with_suffix(".jsonpart")
    partial.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, meta)


class _Capped:
    """A stream that stops after ``limit`` bytes (the caller's size check sees the excess)."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream = stream
        self.left = limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        chunk = self.stream.read(size)
        self.left -= len(chunk)
        return chunk
