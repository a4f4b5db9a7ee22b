"""Photos by content address: check, decode, keep the EXIF evidence, serve a stripped copy.

Storage under ``ATTACHMENTS_DIR``: ``original/<sha256>`` holds the bytes exactly as received
(the evidence; never served), ``served/<sha256>.jpg`` a re-encoded copy without any metadata.
EXIF capture time and GPS position are copied to the database row before stripping.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Attachment, Inspection, InspectionAttachment, Merchant, User
from inspect_app.models.user import Role
from inspect_app.services import audit

logger = logging.getLogger(__name__)

#: Refuse images above this many pixels before decoding them (decompression bombs).
MAX_PIXELS = 40_000_000
SERVED_MAX_EDGE = 2560


@dataclass(frozen=True)
class StoredAttachment:
    attachment: Attachment
    created: bool


def _paths(root: Path, sha256: str) -> tuple[Path, Path]:
    return root / "original" / sha256, root / "served" / f"{sha256}.jpg"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _gps_to_degrees(values: object, ref: object) -> float | None:
    try:
        d, m, s = (float(v) for v in values)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return -degrees if ref in ("S", "W") else degrees


def _exif_evidence(image: Image.Image) -> tuple[str | None, float | None, float | None]:
    exif = image.getexif()
    taken = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = _gps_to_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    lon = _gps_to_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lon is not None and not -180 <= lon <= 180:
        lon = None
    if lat is None or lon is None:
        lat = lon = None
    return (str(taken)[:32] if taken else None), lat, lon


def _decode(data: bytes) -> Image.Image:
    """Open and fully decode, or raise ATTACHMENT_NOT_IMAGE (bombs included)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise AppError("ATTACHMENT_NOT_IMAGE", {"_schema": ["image too large in pixels"]})
            image.load()
    except AppError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        SyntaxError,
    ) as exc:
        raise AppError("ATTACHMENT_NOT_IMAGE") from exc
    return image


def _stripped_jpeg(image: Image.Image) -> bytes:
    """Upright (EXIF orientation applied), downscaled, re-encoded with no metadata at all."""
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((SERVED_MAX_EDGE, SERVED_MAX_EDGE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()


def is_expected_by(user: User, sha256: str) -> bool:
    """An inspector may upload only photos that one of their inspections references."""
    if user.role == Role.ADMIN:
        return True
    return (
        db.session.scalar(
            select(InspectionAttachment.id)
            .join(Inspection)
            .where(InspectionAttachment.sha256 == sha256, Inspection.inspector_id == user.id)
            .limit(1)
        )
        is not None
    )


def store(actor: User, sha256: str, data: bytes, root: Path, max_bytes: int) -> StoredAttachment:
    """Store an uploaded photo by its sha256 (idempotent: a resend changes nothing).

    :raises AppError: ``ATTACHMENT_TOO_LARGE``, ``ATTACHMENT_HASH_MISMATCH``,
        ``ATTACHMENT_NOT_IMAGE`` or ``ATTACHMENT_NOT_EXPECTED``.
    """
    existing = db.session.scalar(select(Attachment).where(Attachment.sha256 == sha256))
    if existing is not None:
        return StoredAttachment(existing, created=False)
    if len(data) > max_bytes:
        raise AppError("ATTACHMENT_TOO_LARGE")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise AppError("ATTACHMENT_HASH_MISMATCH")
    if not is_expected_by(actor, sha256):
        raise AppError("ATTACHMENT_NOT_EXPECTED")
    image = _decode(data)
    taken, lat, lon = _exif_evidence(image)
    media_type = Image.MIME.get(image.format or "", "application/octet-stream")
    original, served = _paths(root, sha256)
    _write_atomically(original, data)
    _write_atomically(served, _stripped_jpeg(image))
    attachment = Attachment(
        sha256=sha256,
        media_type=media_type,
        size_bytes=len(data),
        width=image.width,
        height=image.height,
        exif_taken_at=taken,
        exif_lat=lat,
        exif_lon=lon,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor, "attachment.store", "attachment", sha256, {"size": len(data)})
    logger.info("Attachment %s stored (%d bytes) by user %s", sha256, len(data), actor.id)
    return StoredAttachment(attachment, created=True)


def served_path(sha256: str, root: Path) -> Path:
    """The EXIF-free copy to send to clients; 404 if it was never received."""
    path = _paths(root, sha256)[1]
    if not path.is_file():
        raise AppError("NOT_FOUND")
    return path


def can_view(user: User, sha256: str) -> bool:
    """Staff of the inspection's region (or admins) may view a photo."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.MERCHANT:
        return False
    region_id = db.session.scalar(
        select(Merchant.region_id)
        .join(Inspection, Inspection.merchant_id == Merchant.id)
        .join(InspectionAttachment, InspectionAttachment.inspection_id == Inspection.id)
        .where(InspectionAttachment.sha256 == sha256)
        .limit(1)
    )
    return region_id is not None and region_id == user.region_id
