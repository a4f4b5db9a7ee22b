"""Helpers for the upload tests: photos in each format, hand-made EXIF, expect and PUT."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

from PIL import Image

from tests.api.conftest import Field
from tests.payloads import item, scale_answers

# ---------------------------------------------------------------- images


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo(size: tuple[int, int] = (64, 48), colour: str = "red", fmt: str = "JPEG") -> bytes:
    return encoded(Image.new("RGB", size, colour), fmt)


def large_jpeg(size: tuple[int, int] = (6000, 4000)) -> bytes:
    """A camera-sized JPEG that compresses well (cheap to make, as costly to decode)."""
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge(
        "RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90).resize(size), gradient)
    )
    return encoded(image, "JPEG", quality=80)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming ``width`` × ``height``, then IEND: no pixels at all."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def webp_canvas_header(width: int, height: int) -> bytes:
    """An extended (VP8X) WebP header declaring a canvas, and nothing to draw on it."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def without_jfif(jpeg: bytes) -> bytes:
    """Drop the JFIF APP0 segment Pillow writes: camera JPEGs carry only EXIF, and then Pillow
    reads the EXIF while opening the file (for the resolution)."""
    assert jpeg[2:4] == b"\xff\xe0"
    length = struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:2] + jpeg[4 + length :]


# ---------------------------------------------------------------- hand-made EXIF (TIFF)

Entry = tuple[int, int, int, bytes]  # tag, TIFF type, count, payload


def ascii_tag(tag: int, text: bytes) -> Entry:
    return (tag, 2, len(text) + 1, text + b"\0")


def rational_tag(tag: int, *pairs: tuple[int, int]) -> Entry:
    return (tag, 5, len(pairs), b"".join(struct.pack("<II", n, d) for n, d in pairs))


def short_tag(tag: int, value: int) -> Entry:
    return (tag, 3, 1, struct.pack("<H", value))


def exif_block(ifd0: list[Entry], gps: list[Entry] | None = None) -> bytes:
    """An ``Exif\\0\\0`` APP1 payload written byte by byte, so any type can go in any tag."""

    def ifd(entries: list[Entry], start: int) -> bytes:
        data_at = start + 2 + 12 * len(entries) + 4
        head, data = struct.pack("<H", len(entries)), b""
        for tag, kind, count, payload in sorted(entries):
            if len(payload) <= 4:
                head += struct.pack("<HHI", tag, kind, count) + payload.ljust(4, b"\0")
            else:
                head += struct.pack("<HHII", tag, kind, count, data_at + len(data))
                data += payload + b"\0" * (len(payload) % 2)
        return head + struct.pack("<I", 0) + data

    entries = list(ifd0)
    if gps is not None:
        size = len(ifd([*entries, (0x8825, 4, 1, b"")], 8))
        entries.append((0x8825, 4, 1, struct.pack("<I", 8 + size)))
    body = ifd(entries, 8)
    if gps is not None:
        body += ifd(gps, 8 + len(body))
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", 8) + body


def jpeg_with(exif: bytes, size: tuple[int, int] = (64, 48), colour: str = "red") -> bytes:
    return encoded(Image.new("RGB", size, colour), "JPEG", exif=exif)


# ---------------------------------------------------------------- requests


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expect(field: Field, *shas: str) -> None:
    """Push an inspection of ``field``'s inspector that references ``shas``."""
    answers = scale_answers(field.merchant.id, field.scale.code, nameplate_photo=shas[0])
    [result] = field.push(item("bazaar_scale", answers, attachments=list(shas)))
    assert result["status"] == "created", result


def put(field: Field, data: bytes, headers: dict[str, str] | None = None, name: str = "") -> Any:
    return field.client.put(
        f"/api/v1/attachments/{name or sha(data)}",
        data=data,
        headers=field.headers if headers is None else headers,
        content_type="application/octet-stream",
    )
