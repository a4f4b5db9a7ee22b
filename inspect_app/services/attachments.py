"""Photos by content address: receive, check, decode, keep the EXIF evidence, serve a copy.

Storage under ``ATTACHMENTS_DIR``: ``original/<sha256>`` holds the bytes exactly as received
(the evidence; never served), ``served/<sha256>.jpg`` a re-encoded copy without any metadata.
``tmp/`` holds uploads in progress: every upload has temporary files of its own, moved into
place with ``os.replace`` only by the request whose row was inserted, so tablets sending the
same photo never write the same file. EXIF capture time and GPS position are copied to the
database row; odd EXIF never refuses a photo (the evidence is best effort).

An upload takes three steps, so that the database (on SQLite: its single write lock, taken by
the request's ``BEGIN IMMEDIATE``) is held only for short checks and the insert, never while a
slow tablet sends or a large photo decodes (decisions.md 11):

1. :func:`check_expected`, in the authorising transaction, which the edge then ends: may the
   sender upload this photo at all (asked before whether it is stored, so photos cannot be
   probed), and is it stored already (then nothing else happens).
2. :func:`received` and :func:`prepare`, with no database: stream the body into a temporary
   file, hashing it on the way, then decode it in bounded memory and write the served copy
   (:mod:`inspect_app.services.image_decoding`: formats, pixel area, EXIF).
3. :func:`store`, in a new short transaction: check again, insert (the unique index decides
   between tablets sending the same photo at once), move the files into place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Attachment, User
from inspect_app.services import audit, image_decoding, scoping

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredAttachment:
    attachment: Attachment
    created: bool


@dataclass(frozen=True)
class ReceivedUpload:
    """An upload's body in a temporary file of its own, and a reserved temporary file for its
    served copy; :func:`received` removes both unless :func:`store` moved them into place."""

    sha256: str  #: the name the client gave it
    digest: str  #: the sha256 of the bytes received
    size: int
    path: Path
    served: Path
    root: Path  #: ``ATTACHMENTS_DIR``


@dataclass(frozen=True)
class PreparedPhoto:
    """A received photo that hashes to its name and decodes, its served copy written: all of an
    upload but the database."""

    upload: ReceivedUpload
    decoded: image_decoding.Decoded


def _paths(root: Path, sha256: str) -> tuple[Path, Path]:
    return root / "original" / sha256, root / "served" / f"{sha256}.jpg"


def _temporary(root: Path, suffix: str) -> IO[bytes]:
    """A new file under ``root/tmp`` that no other writer shares (same file system as the
    final place, so ``os.replace`` is atomic)."""
    directory = root / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=directory, suffix=suffix, delete=False)


def _place(temporary: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, final)


@contextmanager
def received(
    stream: IO[bytes], sha256: str, root: Path, max_bytes: int
) -> Iterator[ReceivedUpload]:
    """Receive a body into a private temporary file, hashing it on the way (no database).

    :raises AppError: ``ATTACHMENT_TOO_LARGE`` as soon as more than ``max_bytes`` arrive.
    """
    with ExitStack() as cleanup:
        with _temporary(root, ".jpg") as reserved:  # for the served copy, made later
            served = Path(reserved.name)
        cleanup.callback(served.unlink, missing_ok=True)
        with _temporary(root, ".part") as handle:
            path = Path(handle.name)
            cleanup.callback(path.unlink, missing_ok=True)
            digest = hashlib.sha256()
            size = 0
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AppError("ATTACHMENT_TOO_LARGE")
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())  # the evidence is on disk before its row commits
        yield ReceivedUpload(sha256, digest.hexdigest(), size, path, served, root)


# ---------------------------------------------------------------- the use case


def _stored(sha256: str) -> Attachment | None:
    return db.session.scalar(select(Attachment).where(Attachment.sha256 == sha256))


def check_expected(actor: User, sha256: str) -> Attachment | None:
    """Step 1: the stored photo if ``actor`` may upload it and it is stored already (a resend:
    nothing else to do), None if they may and it is not.

    Whether the photo may be uploaded is asked first: to anyone else the answer is the same
    whether it exists or not, so a photo of another region cannot be probed by its sha256.

    :raises AppError: ``ATTACHMENT_NOT_EXPECTED``.
    """
    if not scoping.may_upload_attachment(actor, sha256):
        raise AppError("ATTACHMENT_NOT_EXPECTED")
    return _stored(sha256)


def prepare(upload: ReceivedUpload) -> PreparedPhoto:
    """Step 2 (no database): the bytes must hash to the name; decode them and write the served
    copy.

    :raises AppError: ``ATTACHMENT_HASH_MISMATCH``, ``ATTACHMENT_NOT_IMAGE``,
        ``ATTACHMENT_TYPE_UNSUPPORTED`` or ``ATTACHMENT_TOO_MANY_PIXELS``.
    """
    if upload.digest != upload.sha256:
        raise AppError("ATTACHMENT_HASH_MISMATCH")
    return PreparedPhoto(upload, image_decoding.decode(upload.path, upload.served))


def store(actor: User, photo: PreparedPhoto) -> StoredAttachment:
    """Step 3: insert the row and move the files into place (idempotent: a photo stored
    meanwhile, by another tablet or another connection, answers as a resend).

    The unique index on the sha256 decides between uploads of the same photo at the same
    moment: the loser's savepoint rolls back (on PostgreSQL after the winner commits) and it
    re-reads the winner's row. The winner moves its files into place before its row commits.

    :raises AppError: ``ATTACHMENT_NOT_EXPECTED`` (checked again in the writing transaction).
    """
    upload, decoded = photo.upload, photo.decoded
    sha256 = upload.sha256
    if not scoping.may_upload_attachment(actor, sha256):
        raise AppError("ATTACHMENT_NOT_EXPECTED")
    attachment = Attachment(
        sha256=sha256,
        media_type=decoded.media_type,
        size_bytes=upload.size,
        width=decoded.width,
        height=decoded.height,
        exif_taken_at=decoded.taken,
        exif_lat=decoded.lat,
        exif_lon=decoded.lon,
        uploaded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attachment)
            db.session.flush()
    except IntegrityError:
        winner = _stored(sha256)
        if winner is None:
            raise
        return StoredAttachment(winner, created=False)
    original, served = _paths(upload.root, sha256)
    _place(upload.path, original)
    _place(upload.served, served)
    audit.record(actor, "attachment.store", "attachment", sha256, {"size": upload.size})
    logger.info("Attachment %s stored (%d bytes) by user %s", sha256, upload.size, actor.id)
    return StoredAttachment(attachment, created=True)


def served_path(sha256: str, root: Path) -> Path:
    """The EXIF-free copy to send to clients; 404 if it was never received."""
    path = _paths(root, sha256)[1]
    if not path.is_file():
        raise AppError("NOT_FOUND")
    return path
