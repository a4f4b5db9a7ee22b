"""Decoding an uploaded photo in bounded memory: its format, its pixel area, its EXIF
evidence and the served copy. Files in, files out; no database.

Memory: photos are decoded one at a time, on one thread per process, whatever the number of
uploads (they wait with their bytes on disk). One thread rather than a lock: the memory a
decode frees is reused by the next one instead of staying in each request thread's malloc
arena (bench/bench_uploads.py measures both). A JPEG is decoded at the reduced scale its served
copy needs (``draft``: libjpeg still reads every block, so a broken or truncated file is still
refused); anything else once at full size, reduced in place. Pillow's JPEG decoder keeps the GIL,
so little parallelism is lost. Pillow's process-wide ``MAX_IMAGE_PIXELS`` is left alone.
"""

from __future__ import annotations

import logging
import math
import os
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image

from inspect_app.errors import AppError

logger = logging.getLogger(__name__)

#: Largest area accepted, read from the header before decoding: a 24 Mpx tablet camera.
MAX_PIXELS = 24_000_000
#: WebP: Pillow's decoder holds four RGBA copies of the canvas (two in libwebp's animation
#: decoder, allocated as soon as the file is opened, one handed over, one in the image), about
#: 16 bytes per pixel; 16 Mpx keeps one decode near 256 MB, like a 24 Mpx PNG.
MAX_WEBP_PIXELS = 16_000_000
SERVED_MAX_EDGE = 2560
#: The formats accepted, by Pillow's name, with the media type recorded. MPO is what Pillow calls
#: a camera JPEG that carries extra pictures (depth maps, previews): a JPEG file.
MEDIA_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

#: ISO base media brands of HEIF/HEIC/AVIF photos (iPhones): images, but not ones we accept.
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")
#: EXIF orientation → the transpose that makes the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
#: What a broken file makes Pillow raise while opening or decoding it.
_UNDECODABLE = (
    OSError,  # UnidentifiedImageError, "image file is truncated", "broken data stream"
    SyntaxError,
    ValueError,
    TypeError,
    EOFError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    struct.error,
)


@dataclass(frozen=True)
class Decoded:
    """What the database keeps of a decoded photo."""

    media_type: str
    width: int
    height: int
    taken: str | None
    lat: float | None
    lon: float | None


# ---------------------------------------------------------------- EXIF evidence


def _text(value: object, limit: int) -> str | None:
    """EXIF text as it may be stored: str or bytes, no NUL or other control characters (which
    PostgreSQL text columns refuse), at most ``limit`` characters; anything else is None."""
    if isinstance(value, bytes):
        value = value[: limit * 4].decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value[: limit * 4] if ch.isprintable()).strip()
    return cleaned[:limit] or None


def _gps_to_degrees(values: object, ref: object) -> float | None:
    """Degrees from EXIF (degrees, minutes, seconds) rationals; None for anything odd
    (wrong arity or types, zero denominators, infinities)."""
    if isinstance(values, str | bytes):
        return None
    try:
        d, m, s = (float(v) for v in values)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    return -degrees if _text(ref, 1) in ("S", "W") else degrees


def _exif_evidence(exif: Image.Exif) -> tuple[str | None, float | None, float | None]:
    """Capture time and position; never raises (a photo with odd EXIF is still stored)."""
    taken: str | None = None
    lat = lon = None
    try:
        raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
        taken = _text(raw, 32) or _text(exif.get(ExifTags.Base.DateTime), 32)
    except Exception:  # broken EXIF of any kind: the photo counts, its evidence is lost
        logger.info("Unreadable EXIF capture time", exc_info=True)
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _gps_to_degrees(
            gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef)
        )
        lon = _gps_to_degrees(
            gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef)
        )
    except Exception:
        logger.info("Unreadable EXIF position", exc_info=True)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    return taken, lat, lon


def _orientation(exif: Image.Exif) -> Image.Transpose | None:
    try:
        value = exif.get(ExifTags.Base.Orientation)
    except Exception:
        return None
    return _UPRIGHT.get(value) if type(value) is int else None


def _read_exif(image: Image.Image) -> Image.Exif:
    try:
        return image.getexif()
    except Exception:
        logger.info("Unreadable EXIF", exc_info=True)
        return Image.Exif()


# ---------------------------------------------------------------- decoding


def _webp_size(head: bytes) -> tuple[int, int] | None:
    """A WebP canvas size from the first 30 bytes (Pillow's WebP decoder allocates the canvas
    when the file is opened, so the size is checked before opening)."""
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X" and len(head) >= 30:
        width = int.from_bytes(head[24:27], "little") + 1
        return width, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _too_many_pixels(limit: int) -> AppError:
    return AppError("ATTACHMENT_TOO_MANY_PIXELS", {"_schema": [f"at most {limit} pixels"]})


def _refuse_before_opening(head: bytes) -> None:
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        raise AppError("ATTACHMENT_TYPE_UNSUPPORTED")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        size = _webp_size(head)
        if size is None:
            raise AppError("ATTACHMENT_NOT_IMAGE")
        if size[0] * size[1] > MAX_WEBP_PIXELS:
            raise _too_many_pixels(MAX_WEBP_PIXELS)


def _served_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, SERVED_MAX_EDGE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


_decoder_lock = threading.Lock()
_decoder: tuple[int, ThreadPoolExecutor] | None = None


def _decoding_thread() -> ThreadPoolExecutor:
    """This process's one decoding thread (a forked worker starts its own)."""
    global _decoder
    with _decoder_lock:
        if _decoder is None or _decoder[0] != os.getpid():
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-decode")
            _decoder = (os.getpid(), pool)
        return _decoder[1]


def decode(path: Path, served: Path) -> Decoded:
    """Check the format and size from the header, decode (on this process's decoding thread,
    one photo at a time) and write the served copy to ``served``.

    :raises AppError: ``ATTACHMENT_NOT_IMAGE``, ``ATTACHMENT_TYPE_UNSUPPORTED`` or
        ``ATTACHMENT_TOO_MANY_PIXELS``.
    """
    return _decoding_thread().submit(_decode_now, path, served).result()


def _decode_now(path: Path, served: Path) -> Decoded:
    with open(path, "rb") as file:
        _refuse_before_opening(file.read(32))
        file.seek(0)
        try:
            image = Image.open(file)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow's own, process-wide limit (far above ours); a warning is an error in tests
            raise _too_many_pixels(MAX_PIXELS) from exc
        except _UNDECODABLE as exc:
            raise AppError("ATTACHMENT_NOT_IMAGE") from exc
        with image:
            if image.format not in MEDIA_TYPES:
                raise AppError("ATTACHMENT_TYPE_UNSUPPORTED")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(MAX_PIXELS)
            media_type = MEDIA_TYPES[image.format]
            try:
                if image.format in ("JPEG", "MPO"):
                    image.draft("RGB", _served_size(width, height))
                image.load()
            except _UNDECODABLE as exc:
                raise AppError("ATTACHMENT_NOT_IMAGE") from exc
            exif = _read_exif(image)  # after load: a PNG's eXIf chunk may follow its pixels
            taken, lat, lon = _exif_evidence(exif)
            _write_served_copy(image, _orientation(exif), served)
    return Decoded(media_type, width, height, taken, lat, lon)


def _write_served_copy(image: Image.Image, upright: Image.Transpose | None, path: Path) -> None:
    """Downscale (in place, freeing the decoded pixels), turn upright, re-encode as a JPEG with
    no metadata at all."""
    try:
        image.thumbnail((SERVED_MAX_EDGE, SERVED_MAX_EDGE))
        small = image if image.mode == "RGB" else image.convert("RGB")
        if upright is not None:
            small = small.transpose(upright)
    except _UNDECODABLE as exc:
        raise AppError("ATTACHMENT_NOT_IMAGE") from exc
    small.save(path, format="JPEG", quality=88)
