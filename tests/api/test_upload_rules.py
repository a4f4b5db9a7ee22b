"""What a photo upload accepts: formats, pixel area, odd EXIF, and who learns what.

Runs on SQLite and, under INSPECT_TEST_DATABASE=postgresql, on PostgreSQL (which refuses NUL
in text columns: the EXIF cases below would answer 500 there if a NUL reached the row).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import Attachment, Device, Region, User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import attachments, image_decoding
from tests.api.conftest import Field
from tests.api.uploads import (
    ascii_tag,
    encoded,
    exif_block,
    expect,
    jpeg_with,
    large_jpeg,
    photo,
    png_header_only,
    put,
    rational_tag,
    sha,
    short_tag,
    webp_canvas_header,
    without_jfif,
)


def _row(digest: str) -> Attachment:
    db.session.commit()  # see what the request committed
    stored = db.session.scalar(db.select(Attachment).where(Attachment.sha256 == digest))
    assert stored is not None
    return stored


def _served(field: Field, digest: str) -> Image.Image:
    response = field.client.get(f"/api/v1/attachments/{digest}", headers=field.headers)
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    return Image.open(io.BytesIO(body))


def _count() -> int:
    db.session.commit()
    return db.session.scalar(db.select(db.func.count(Attachment.id))) or 0


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("fmt", "media_type", "options"),
    [
        ("JPEG", "image/jpeg", {}),
        ("PNG", "image/png", {}),
        ("WEBP", "image/webp", {}),
        ("WEBP", "image/webp", {"lossless": True}),
        # a camera JPEG with extra pictures (depth map, preview): Pillow names it MPO
        ("MPO", "image/jpeg", {"save_all": True, "append_images": [Image.new("RGB", (8, 6))]}),
    ],
)
def test_jpeg_png_and_webp_are_accepted(
    field: Field, fmt: str, media_type: str, options: dict[str, Any]
) -> None:
    data = encoded(Image.new("RGB", (64, 48), "green"), fmt, **options)
    expect(field, sha(data))
    response = put(field, data)
    assert response.status_code == 201, response.get_json()
    stored = _row(sha(data))
    assert (stored.media_type, stored.width, stored.height) == (media_type, 64, 48)
    assert _served(field, sha(data)).format == "JPEG"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO", "PPM"])
def test_other_image_formats_are_unsupported(field: Field, fmt: str) -> None:
    data = encoded(Image.new("RGB", (32, 24), "blue"), fmt)
    expect(field, sha(data))
    response = put(field, data)
    assert (response.status_code, response.get_json()["code"]) == (
        415,
        "ATTACHMENT_TYPE_UNSUPPORTED",
    )
    assert _count() == 0


def test_an_iphone_heic_photo_is_unsupported_not_garbage(field: Field) -> None:
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    expect(field, sha(data))
    assert put(field, data).get_json()["code"] == "ATTACHMENT_TYPE_UNSUPPORTED"


def test_the_type_refusal_is_in_both_languages(field: Field) -> None:
    data = photo(fmt="GIF")
    expect(field, sha(data))
    english = put(field, data, field.headers | {"Accept-Language": "en"}).get_json()
    chinese = put(field, data, field.headers | {"Accept-Language": "zh-CN"}).get_json()
    assert "JPEG, PNG and WebP" in english["message"]
    assert "JPEG、PNG 和 WebP" in chinese["message"]


# ---------------------------------------------------------------- pixel area


def test_a_24_megapixel_photo_is_stored_and_served_at_2560_px(field: Field) -> None:
    data = large_jpeg((6000, 4000))
    expect(field, sha(data))
    assert put(field, data).status_code == 201
    stored = _row(sha(data))
    assert (stored.width, stored.height) == (6000, 4000)  # the original's, not the draft's
    assert _served(field, sha(data)).size == (2560, 1707)


def test_one_pixel_more_is_refused_before_decoding(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = large_jpeg((6001, 4000))
    expect(field, sha(data))
    loads: list[Any] = []
    real_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda im: loads.append(im) or real_load(im))
    response = put(field, data)
    assert (response.status_code, response.get_json()["code"]) == (
        422,
        "ATTACHMENT_TOO_MANY_PIXELS",
    )
    assert loads == [] and _count() == 0


@pytest.mark.parametrize(
    "data",
    [
        png_header_only(100_000, 100_000),  # past Pillow's own bomb limit: it raises on open
        png_header_only(10_000, 10_000),  # past Pillow's warning limit (an error in tests)
        png_header_only(5_000, 5_000),  # only ours
    ],
    ids=["pillow-error", "pillow-warning", "ours"],
)
def test_decompression_bombs_are_refused_from_the_header(field: Field, data: bytes) -> None:
    expect(field, sha(data))
    assert put(field, data).get_json()["code"] == "ATTACHMENT_TOO_MANY_PIXELS"


def test_a_large_webp_is_refused_before_pillow_allocates_its_canvas(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pillow's WebP decoder allocates two canvases when the file is merely opened.
    data = webp_canvas_header(16_383, 16_383)
    expect(field, sha(data))

    def never(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("opened")

    monkeypatch.setattr(image_decoding.Image, "open", never)
    response = put(field, data)
    assert response.get_json()["code"] == "ATTACHMENT_TOO_MANY_PIXELS"
    assert str(image_decoding.MAX_WEBP_PIXELS) in str(response.get_json()["errors"])


def test_a_truncated_large_jpeg_is_refused_although_decoded_at_reduced_scale(
    field: Field,
) -> None:
    data = large_jpeg((6000, 4000))
    data = data[: len(data) * 2 // 3]
    expect(field, sha(data))
    assert put(field, data).get_json()["code"] == "ATTACHMENT_NOT_IMAGE"


def test_the_served_copy_is_upright(field: Field) -> None:
    data = jpeg_with(exif_block([short_tag(0x0112, 6)]), size=(64, 48))  # "rotate 90° CW"
    expect(field, sha(data))
    assert put(field, data).status_code == 201
    assert _served(field, sha(data)).size == (48, 64)


# ---------------------------------------------------------------- odd EXIF is still stored

_GPS_OK = [
    ascii_tag(1, b"N"),
    rational_tag(2, (40, 1), (51, 1), (216, 10)),
    ascii_tag(3, b"E"),
    rational_tag(4, (111, 1), (41, 1), (24, 10)),
]
HOHHOT = (40.856, 111.684)


@pytest.mark.parametrize(
    ("exif", "taken", "position"),
    [
        (
            exif_block([ascii_tag(0x0132, b"2026:11:26 10:15:00")], _GPS_OK),
            "2026:11:26 10:15:00",
            HOHHOT,
        ),
        # NUL inside and at the end of the text (PostgreSQL refuses NUL in text columns)
        (
            exif_block([ascii_tag(0x0132, b"2026:11:26\x00 10:15:00\x00\x00")]),
            "2026:11:26 10:15:00",
            None,
        ),
        # control characters dropped
        (
            exif_block([ascii_tag(0x0132, b"\x01\x022026:11:26 10:15:00\x7f\x1b")]),
            "2026:11:26 10:15:00",
            None,
        ),
        (exif_block([ascii_tag(0x0132, b"9" * 60_000)]), "9" * 32, None),  # huge string
        (exif_block([(0x0132, 7, 6, b"ab\x00\xffcd")]), "ab\ufffdcd", None),  # bytes, not text
        (exif_block([short_tag(0x0132, 7)]), None, None),  # a number where text belongs
        (
            exif_block(
                [],
                [
                    ascii_tag(1, b"N"),
                    ascii_tag(2, b"forty"),
                    ascii_tag(3, b"E"),
                    ascii_tag(4, b"x"),
                ],
            ),
            None,
            None,
        ),
        (
            exif_block(
                [],
                [
                    ascii_tag(1, b"S"),
                    rational_tag(2, (40, 0), (0, 0), (1, 0)),
                    ascii_tag(3, b"W"),
                    rational_tag(4, (111, 1), (41, 1), (24, 0)),
                ],
            ),
            None,
            None,
        ),
        (
            exif_block(
                [],
                [
                    ascii_tag(1, b"N"),
                    rational_tag(2, (40, 1), (51, 1)),
                    ascii_tag(3, b"E"),
                    rational_tag(4, (111, 1), (41, 1), (24, 10)),
                ],
            ),
            None,
            None,
        ),
        (
            exif_block(
                [],
                [
                    ascii_tag(1, b"N\x00\x00"),
                    rational_tag(2, (91, 1), (0, 1), (0, 1)),
                    ascii_tag(3, b"E"),
                    rational_tag(4, (111, 1), (0, 1), (0, 1)),
                ],
            ),
            None,
            None,
        ),
        (
            exif_block(
                [],
                [
                    ascii_tag(1, b"S"),
                    (2, 4, 3, b"\x28\0\0\0" * 3),
                    ascii_tag(3, b"W"),
                    short_tag(4, 111),
                ],
            ),
            None,
            None,
        ),
        (exif_block([ascii_tag(0x0112, b"six")]), None, None),  # orientation as text
        (exif_block([short_tag(0x0112, 99)]), None, None),  # orientation out of range
    ],
    ids=[
        "plain",
        "nul",
        "control-characters",
        "huge-string",
        "bytes",
        "number",
        "gps-text",
        "gps-zero-denominators",
        "gps-two-values",
        "gps-out-of-range",
        "gps-longs-and-short",
        "orientation-text",
        "orientation-99",
    ],
)
def test_odd_exif_never_refuses_a_photo(
    field: Field, exif: bytes, taken: str | None, position: tuple[float, float] | None
) -> None:
    data = jpeg_with(exif)
    expect(field, sha(data))
    response = put(field, data)
    assert response.status_code == 201, response.get_json()
    stored = _row(sha(data))
    assert stored.exif_taken_at == taken
    if position is None:
        assert (stored.exif_lat, stored.exif_lon) == (None, None)
    else:
        assert stored.exif_lat == pytest.approx(position[0], abs=1e-3)
        assert stored.exif_lon == pytest.approx(position[1], abs=1e-3)
    assert _served(field, sha(data)).getexif() == {}


def test_exif_capture_time_from_the_exif_ifd_is_cleaned(field: Field) -> None:
    exif = Image.Exif()
    exif[0x8769] = {0x9003: "2026:01:02\x00 03:04:05\x00"}  # DateTimeOriginal
    exif[0x0132] = "2020:01:01 00:00:00"
    data = jpeg_with(exif.tobytes())
    expect(field, sha(data))
    assert put(field, data).status_code == 201
    assert _row(sha(data)).exif_taken_at == "2026:01:02 03:04:05"


# Production runs with Python's default warning filters: Pillow warns about the corrupt EXIF
# and carries on. (The suite turns warnings into errors; the photo must be stored either way.)
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    "exif",
    [
        b"Exif\x00\x00garbage",
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff",
        # a DateTime whose data lies past the end of the block
        b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x002\x01\x02\x00\xff\xff\xff\x7f\x00\x00\x00\x00",
    ],
    ids=["garbage", "truncated-ifd", "offset-past-end"],
)
@pytest.mark.parametrize("jfif", [True, False], ids=["jfif", "camera"])
def test_a_photo_with_broken_exif_is_stored_without_evidence(
    field: Field, exif: bytes, jfif: bool
) -> None:
    data = jpeg_with(exif)
    data = data if jfif else without_jfif(data)
    expect(field, sha(data))
    response = put(field, data)
    assert response.status_code == 201, response.get_json()
    stored = _row(sha(data))
    assert (stored.exif_taken_at, stored.exif_lat, stored.exif_lon) == (None, None, None)


# ---------------------------------------------------------------- probing and order


@pytest.fixture
def other_region_inspector(
    make_region: Callable[..., Region],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> dict[str, str]:
    region = make_region()
    return token_for(make_user(Role.INSPECTOR, region_id=region.id))


def test_another_regions_photo_cannot_be_probed_by_putting_it(
    field: Field, other_region_inspector: dict[str, str], app: Flask
) -> None:
    stored = photo(colour="red")
    expect(field, sha(stored))
    assert put(field, stored).status_code == 201
    nobodys = photo(colour="blue")  # exists nowhere, expected by nobody
    expected_elsewhere = photo(colour="green")  # expected by field's inspector, not sent yet
    expect(field, sha(expected_elsewhere))

    answers = []
    for data in (stored, nobodys, expected_elsewhere):
        response = put(field, data, other_region_inspector)
        answers.append((response.status_code, response.get_json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422
    assert set(answers[0][1]) == {"code", "message"}
    assert answers[0][1]["code"] == "ATTACHMENT_NOT_EXPECTED"
    # and GET is 404 for both as well
    for data in (stored, nobodys):
        got = field.client.get(f"/api/v1/attachments/{sha(data)}", headers=other_region_inspector)
        assert (got.status_code, got.get_json()["code"]) == (404, "NOT_FOUND")
    assert _count() == 1
    assert sorted(p.name for p in (Path(app.config["ATTACHMENTS_DIR"]) / "original").iterdir()) == [
        sha(stored)
    ]


def test_nothing_is_received_unless_the_sender_may_store_a_new_photo(
    field: Field, other_region_inspector: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = photo()
    expect(field, sha(data))
    assert put(field, data).status_code == 201
    fresh = photo(colour="white")
    expect(field, sha(fresh))

    def never(*_args: Any) -> None:
        raise AssertionError("the body was read")

    monkeypatch.setattr(attachments, "received", never)
    assert put(field, fresh, {}).status_code == 401  # no token
    assert put(field, fresh, {"Authorization": "Bearer forged"}).status_code == 401
    assert put(field, fresh, other_region_inspector).status_code == 422  # not expected
    response = put(field, data)  # already stored: a resend is answered at once
    assert (response.status_code, response.get_json()["status"]) == (200, "duplicate")


def test_bytes_that_do_not_hash_to_the_name_are_never_decoded(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = photo(colour="white")
    expect(field, sha(data))

    def never(*_args: Any) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr(image_decoding, "decode", never)
    response = put(field, data + b"x", name=sha(data))
    assert (response.status_code, response.get_json()["code"]) == (422, "ATTACHMENT_HASH_MISMATCH")


def test_a_body_over_the_limit_is_refused_while_it_arrives(field: Field, app: Flask) -> None:
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    data = photo() + b"\0" * 2000
    expect(field, sha(data))

    response = field.client.put(
        f"/api/v1/attachments/{sha(data)}",
        input_stream=io.BytesIO(data),
        headers=field.headers | {"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what a server sets for chunked
    )
    assert (response.status_code, response.get_json()["code"]) == (413, "ATTACHMENT_TOO_LARGE")
    assert list((Path(app.config["ATTACHMENTS_DIR"]) / "tmp").iterdir()) == []


# ---------------------------------------------------------------- the two transactions


def test_the_device_last_seen_time_survives_the_ended_authorising_transaction(
    field: Field,
) -> None:
    long_ago = utcnow() - timedelta(hours=2)
    db.session.execute(sa.update(Device).values(last_seen_at=long_ago))
    db.session.commit()
    data = photo(colour="navy")
    expect(field, sha(data))
    db.session.execute(sa.update(Device).values(last_seen_at=long_ago))  # the push wrote it
    db.session.commit()
    assert put(field, data).status_code == 201
    db.session.commit()
    seen = db.session.scalar(
        sa.select(Device.last_seen_at).where(Device.user_id == field.inspector.id)
    )
    assert seen is not None and seen > long_ago + timedelta(hours=1)


def test_a_device_revoked_while_its_photo_arrives_stores_nothing(
    field: Field, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = photo(colour="olive")
    expect(field, sha(data))
    real = attachments.prepare

    def revoked_meanwhile(upload: attachments.ReceivedUpload) -> attachments.PreparedPhoto:
        with db.engine.begin() as other:  # an admin revokes the tablet, on another connection
            other.execute(sa.update(Device).values(revoked_at=utcnow()))
        return real(upload)

    monkeypatch.setattr(attachments, "prepare", revoked_meanwhile)
    response = put(field, data)
    assert (response.status_code, response.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")
    assert _count() == 0
    root = Path(app.config["ATTACHMENTS_DIR"])
    assert not (root / "original").exists() and list((root / "tmp").iterdir()) == []
