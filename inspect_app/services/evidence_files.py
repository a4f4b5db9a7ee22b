"""Evidence a merchant uploads against an order: a photo, a repair invoice (PDF or photo) or a
new verification certificate (PDF or photo, with its number, body and dates).

Images go through the inspection photos' own checks (:mod:`inspect_app.services.image_decoding`:
JPEG, PNG or WebP, at most 24 Mpx, decoded in bounded memory, a re-encoded copy with no
metadata). PDFs go through :mod:`inspect_app.services.pdf_check` (header, trailer, structure,
no active content). The type is read from the bytes, never from the file name or the browser's
content type; a file that says it is a PDF but does not start like one is refused as such.

Storage, content-addressed under ``ATTACHMENTS_DIR/evidence/``: ``<sha256>`` holds the bytes as
received (an image's original keeps its EXIF as evidence and is never served), ``<sha256>.jpg``
an image's EXIF-free copy (what is served). A PDF is served as received, only as a download.

An upload takes three steps, as inspection photos do (docs/decisions.md 11, the lock rule):
the view authorises in a short transaction and ends it; :func:`checked` receives, checks and
decodes with no database (:func:`attachments.received` streams into a private temporary file
with the size limit); :func:`attach`, in a new short transaction, adds the row through
``orders.record_evidence`` and moves the files into place. A refused file leaves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from inspect_app.errors import AppError
from inspect_app.models import Order, OrderEvidence, User
from inspect_app.models.enforcement import EvidenceKind
from inspect_app.services import attachments, image_decoding, orders, pdf_check

FOLDER = "evidence"
PDF = "application/pdf"
#: Evidence kinds that may be a PDF document; a photo must be a photo.
PDF_KINDS = frozenset({EvidenceKind.INVOICE, EvidenceKind.CERTIFICATE})
#: How the images the photo checks read begin (JPEG, PNG, WebP; and HEIF, which they refuse
#: by name): anything else is neither a photo nor a PDF.
_IMAGE_STARTS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


@dataclass(frozen=True)
class CheckedFile:
    """A received file that passed the checks, still in its temporary place."""

    sha256: str
    media_type: str
    size: int
    path: Path
    #: The EXIF-free copy of an image; None for a PDF.
    served: Path | None
    root: Path


@dataclass(frozen=True)
class Certificate:
    """A new verification certificate's particulars, as the merchant typed them."""

    number: str
    verifying_body: str
    verified_at: date
    valid_until: date


def _looks_like_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_STARTS) or head[4:8] == b"ftyp"


@contextmanager
def checked(
    stream: IO[bytes], root: Path, max_bytes: int, kind: EvidenceKind, claimed_pdf: bool
) -> Iterator[CheckedFile]:
    """Receive an evidence file and check it, with no database (no transaction open).

    :param claimed_pdf: the file's name or declared type says PDF (then it must be one).
    :raises AppError: ``ATTACHMENT_TOO_LARGE``, ``EVIDENCE_FILE_UNSUPPORTED``,
        ``EVIDENCE_PDF_INVALID``, ``EVIDENCE_PDF_ACTIVE_CONTENT``, or the photo checks'
        ``ATTACHMENT_NOT_IMAGE``, ``ATTACHMENT_TYPE_UNSUPPORTED``, ``ATTACHMENT_TOO_MANY_PIXELS``.
    """
    with attachments.received(stream, "", root, max_bytes) as upload:
        with open(upload.path, "rb") as handle:
            head = handle.read(16)
        if head.startswith(b"%PDF-"):
            if kind not in PDF_KINDS:
                raise AppError("EVIDENCE_FILE_UNSUPPORTED")
            pdf_check.check(upload.path)
            yield CheckedFile(upload.digest, PDF, upload.size, upload.path, None, root)
            return
        if claimed_pdf:
            raise AppError("EVIDENCE_PDF_INVALID")
        if not _looks_like_image(head):
            raise AppError("EVIDENCE_FILE_UNSUPPORTED")
        decoded = image_decoding.decode(upload.path, upload.served)
        yield CheckedFile(
            upload.digest, decoded.media_type, upload.size, upload.path, upload.served, root
        )


def original_path(root: Path, sha256: str) -> Path:
    return root / FOLDER / sha256


def copy_path(root: Path, sha256: str) -> Path:
    return root / FOLDER / f"{sha256}.jpg"


def _keep(file: CheckedFile) -> None:
    """Move the files into place (the same file sent twice is the same file)."""
    folder = file.root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(file.path, original_path(file.root, file.sha256))
    if file.served is not None:
        os.replace(file.served, copy_path(file.root, file.sha256))


def attach(
    actor: User,
    order: Order,
    file: CheckedFile,
    kind: EvidenceKind,
    note: str,
    certificate: Certificate | None,
    now: datetime,
) -> OrderEvidence:
    """Record the checked file against ``order`` (open or overdue → evidence_submitted) and
    move it into place. The caller authorised ``actor`` for the order
    (``scoping.merchant_order_or_404``) in this transaction.

    :raises AppError: ``ORDER_NOT_ACTIVE`` (from ``orders.record_evidence``).
    """
    evidence = OrderEvidence(
        order_id=order.id,
        kind=kind,
        sha256=file.sha256,
        media_type=file.media_type,
        size_bytes=file.size,
        note=note,
        uploaded_by_id=actor.id,
        created_at=now,
    )
    if certificate is not None:
        evidence.certificate_no = certificate.number
        evidence.verifying_body = certificate.verifying_body
        evidence.verified_at = certificate.verified_at
        evidence.valid_until = certificate.valid_until
    orders.record_evidence(actor, order, evidence, now)  # adds, flushes and audits it
    _keep(file)
    return evidence


def served_file(evidence: OrderEvidence, root: Path) -> tuple[Path, str]:
    """What to send for ``evidence``: an image's EXIF-free copy (JPEG) or the PDF itself."""
    if evidence.media_type == PDF:
        path, media_type = original_path(root, evidence.sha256), PDF
    else:
        path, media_type = copy_path(root, evidence.sha256), "image/jpeg"
    if not path.is_file():
        raise AppError("NOT_FOUND")
    return path, media_type
