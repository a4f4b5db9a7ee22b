"""Photos: checked against their sha256, decoded, stripped of EXIF when served."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import Flask
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import Attachment
from tests.api.conftest import Field
from tests.payloads import item, scale_answers

# 40°51'21.6"N 111°41'02.4"E, as a phone camera writes it.
GPS = {1: "N", 2: (40.0, 51.0, 21.6), 3: "E", 4: (111.0, 41.0, 2.4)}


def jpeg_with_exif(colour: str = "red") -> bytes:
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x0132] = "2026:11:26 10:15:00"  # DateTime
    exif[0x8825] = GPS  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _expect(field: Field, *shas: str) -> dict[str, object]:
    answers = scale_answers(field.merchant.id, field.scale.code, nameplate_photo=shas[0])
    [result] = field.push(item("bazaar_scale", answers, attachments=list(shas)))
    return result


def _put(field: Field, sha: str, data: bytes) -> tuple[int, dict[str, object]]:
    response = field.client.put(
        f"/api/v1/attachments/{sha}",
        data=data,
        headers=field.headers,
        content_type="application/octet-stream",
    )
    return response.status_code, response.get_json()


def test_a_photo_is_expected_then_received(field: Field) -> None:
    data = jpeg_with_exif()
    sha = hashlib.sha256(data).hexdigest()
    assert _expect(field, sha)["missing_attachments"] == [sha]
    status, body = _put(field, sha, data)
    assert (status, body["status"]) == (201, "created")
    # a resend of the inspection now lists nothing missing
    resent = field.push(
        item(
            "bazaar_scale",
            scale_answers(field.merchant.id, field.scale.code, nameplate_photo=sha),
            attachments=[sha],
        )
    )
    assert resent[0]["missing_attachments"] == []


def test_a_resent_photo_is_a_no_op(field: Field) -> None:
    data = jpeg_with_exif()
    sha = hashlib.sha256(data).hexdigest()
    _expect(field, sha)
    assert _put(field, sha, data)[0] == 201
    status, body = _put(field, sha, data)
    assert (status, body["status"]) == (200, "duplicate")
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 1


def test_served_copy_has_no_exif_but_the_evidence_is_kept(field: Field, app: Flask) -> None:
    data = jpeg_with_exif()
    sha = hashlib.sha256(data).hexdigest()
    _expect(field, sha)
    _put(field, sha, data)
    stored = db.session.scalar(db.select(Attachment).where(Attachment.sha256 == sha))
    assert stored is not None
    assert stored.exif_taken_at == "2026:11:26 10:15:00"
    assert (
        abs((stored.exif_lat or 0) - 40.856) < 1e-3 and abs((stored.exif_lon or 0) - 111.684) < 1e-3
    )
    served = field.client.get(f"/api/v1/attachments/{sha}", headers=field.headers)
    body = served.get_data()
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert len(Image.open(io.BytesIO(body)).getexif()) == 0
    assert b"Exif" not in body
    original = Path(app.config["ATTACHMENTS_DIR"]) / "original" / sha
    assert original.read_bytes() == data  # the evidence, untouched (never served)


def test_bytes_that_do_not_match_the_hash_are_refused(field: Field) -> None:
    data = jpeg_with_exif()
    sha = hashlib.sha256(data).hexdigest()
    _expect(field, sha)
    status, body = _put(field, sha, data + b"tampered")
    assert (status, body["code"]) == (422, "ATTACHMENT_HASH_MISMATCH")


def test_a_file_that_is_not_an_image_is_refused(field: Field) -> None:
    data = b"%PDF-1.4 definitely not a photo"
    sha = hashlib.sha256(data).hexdigest()
    _expect(field, sha)
    status, body = _put(field, sha, data)
    assert (status, body["code"]) == (422, "ATTACHMENT_NOT_IMAGE")
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_a_truncated_image_is_refused(field: Field) -> None:
    data = jpeg_with_exif()[:300]
    sha = hashlib.sha256(data).hexdigest()
    _expect(field, sha)
    assert _put(field, sha, data)[1]["code"] == "ATTACHMENT_NOT_IMAGE"


def test_an_oversized_photo_is_refused(field: Field, app: Flask) -> None:
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    data = jpeg_with_exif() + b"\0" * 2000
    sha = hashlib.sha256(data).hexdigest()
    status, body = _put(field, sha, data)
    assert (status, body["code"]) == (413, "ATTACHMENT_TOO_LARGE")


def test_a_photo_no_inspection_references_is_refused(field: Field) -> None:
    data = jpeg_with_exif("blue")
    status, body = _put(field, hashlib.sha256(data).hexdigest(), data)
    assert (status, body["code"]) == (422, "ATTACHMENT_NOT_EXPECTED")


def test_a_malformed_hash_in_the_path_is_404(field: Field) -> None:
    assert _put(field, "not-a-hash", b"x")[0] == 404
