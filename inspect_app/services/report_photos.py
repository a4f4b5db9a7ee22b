"""Photos attached to consumer reports: the same checks as inspection photos, a smaller file
limit, a daily cap, and only the EXIF-free copy kept.

Checks and decoding are the inspection photos' own (:func:`attachments.received` streams the
upload into a private temporary file with a size limit; :func:`image_decoding.decode` checks
format and pixel area from the header, decodes in bounded memory on the process's decoding
thread and writes a re-encoded JPEG with no metadata). What differs (docs/reports.md):

* Only that re-encoded copy is kept, as ``ATTACHMENTS_DIR/reports/<sha256>.jpg`` where the
  sha256 is the copy's own. A shopper's original may carry the phone's make and serial, the
  position of their home and the time; an anonymous upload is not evidence we must keep
  byte for byte, so the original is deleted with the temporary files.
* A daily cap (rolling 24 hours) on photos kept, per instrument and in all: beyond it the
  report is stored without its photo and the reporter is told, so a flood of reports cannot
  fill the disk (at most ``REPORT_PHOTOS_PER_DAY`` copies of at most 2560 px a day).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Report
from inspect_app.services import attachments, image_decoding

FOLDER = "reports"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class PreparedPhoto:
    """A decoded report photo: its EXIF-free copy in a temporary file, named by its sha256."""

    sha256: str
    copy: Path
    root: Path


def photo_path(root: Path, sha256: str) -> Path:
    return root / FOLDER / f"{sha256}.jpg"


def room_for_photo(instrument_id: int, now: datetime, per_instrument: int, per_day: int) -> bool:
    """Whether one more photo may be kept: fewer than ``per_instrument`` photos kept for this
    instrument, and fewer than ``per_day`` in all, in the 24 hours before ``now``.

    Two reports sent at the same moment may both see room for the last photo: the cap can be
    passed by the number of concurrent requests, never more.
    """
    since = now - timedelta(days=1)
    kept = select(func.count(Report.id)).where(
        Report.photo_sha256.is_not(None), Report.created_at >= since
    )
    if (db.session.scalar(kept) or 0) >= per_day:
        return False
    here = db.session.scalar(kept.where(Report.instrument_id == instrument_id)) or 0
    return here < per_instrument


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def prepared(stream: IO[bytes], root: Path, max_bytes: int) -> Iterator[PreparedPhoto]:
    """Receive, check and decode a report photo, with no database (call it with no
    transaction open). The temporary files are removed on leaving, unless :func:`keep` moved
    the copy into place.

    :raises AppError: ``ATTACHMENT_TOO_LARGE``, ``ATTACHMENT_NOT_IMAGE``,
        ``ATTACHMENT_TYPE_UNSUPPORTED`` or ``ATTACHMENT_TOO_MANY_PIXELS``.
    """
    # The upload has no name of its own (it is not content-addressed by the sender).
    with attachments.received(stream, "", root, max_bytes) as upload:
        image_decoding.decode(upload.path, upload.served)
        yield PreparedPhoto(_sha256_of(upload.served), upload.served, root)


def keep(photo: PreparedPhoto) -> Path:
    """Move the copy into place (the same photo sent twice is the same file)."""
    final = photo_path(photo.root, photo.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(photo.copy, final)
    return final
