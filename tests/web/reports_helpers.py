"""Helpers for the consumer-report tests: send the public form as a phone would."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from inspect_app.extensions import db
from inspect_app.models import Report
from tests.conftest import csrf_from


def jpeg_with_gps(size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG carrying a camera make and a GPS position in its EXIF."""
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 51.0, 21.0)
    gps[3] = "E"
    gps[4] = (111.0, 41.0, 2.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def form_url(token: str, lang: str | None = None) -> str:
    return f"/q/{token}/report" + (f"?lang={lang}" if lang else "")


def send(
    client: FlaskClient,
    token: str,
    data: dict[str, Any] | None = None,
    *,
    photo: bytes | None = None,
    filename: str = "photo.jpg",
    lang: str | None = None,
    csrf: bool = True,
    **kwargs: Any,
) -> TestResponse:
    """POST the form (multipart, as the page sends it) with a fresh CSRF token."""
    body: dict[str, Any] = {"category": "short_weight", **(data or {})}
    if csrf:
        body["csrf_token"] = csrf_from(client, form_url(token, lang))
    if photo is not None:
        body["photo"] = FileStorage(io.BytesIO(photo), filename, content_type="image/jpeg")
    # Encoded in memory: the test client spools a large body to a temporary file that it
    # never closes when the app refuses the body unread.
    boundary, encoded = encode_multipart(body)
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(form_url(token, lang), data=encoded, content_type=content_type, **kwargs)


def stored_reports() -> int:
    db.session.commit()  # see what requests committed
    return int(db.session.scalar(select(func.count(Report.id))) or 0)


def report_files(app: Flask) -> list[Path]:
    """Every file under ATTACHMENTS_DIR (kept photos and anything left in tmp/)."""
    root = Path(app.config["ATTACHMENTS_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)
