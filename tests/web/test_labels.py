"""QR labels: what the printed label encodes, and who may print it.

No QR decoder ships with the Python dependencies, so the PNG and SVG are read back module by
module and compared with the QR matrix of the expected URL; the browser test
(tests/browser/test_scan.py) decodes a rendered label for real with the app's jsQR.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
import qrcode
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.user import Role
from inspect_app.services import qr_labels

BASE = "https://inspect.example.test"  # PUBLIC_BASE_URL of tests/conftest.py base_config


def _expected_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=qr_labels.BORDER)
    qr.add_data(url)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def _png_matrix(data: bytes, n: int) -> list[list[bool]]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        gray = image.convert("L")
    step = qr_labels.PNG_MODULE_PX
    assert gray.width == n * step
    return [
        [gray.getpixel((x * step + step // 2, y * step + step // 2)) < 128 for x in range(n)]
        for y in range(n)
    ]


def _svg_matrix(svg: str, n: int) -> list[list[bool]]:
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", svg)}
    return [[(x, y) in dark for x in range(n)] for y in range(n)]


def test_url_form_is_fixed() -> None:
    assert qr_labels.label_url("https://a.test/", "tok") == "https://a.test/q/tok"
    assert qr_labels.label_url("https://a.test", "tok") == "https://a.test/q/tok"


def test_png_label_encodes_the_public_url(
    client: FlaskClient, login_as: Callable[..., User], make_instrument: Callable[..., Instrument]
) -> None:
    login_as(Role.INSPECTOR)
    scale = make_instrument()
    response = client.get(f"/instruments/{scale.id}/label.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, no-cache"
    expected = _expected_matrix(f"{BASE}/q/{scale.qr_token}")
    assert _png_matrix(response.data, len(expected)) == expected
    # The printed code sits beneath the code: dark pixels below the QR area.
    with Image.open(io.BytesIO(response.data)) as image:
        band = image.convert("L").crop((0, image.width, image.width, image.height))
        assert band.getextrema()[0] < 64


def test_svg_label_encodes_the_url_and_shows_the_code(
    client: FlaskClient, login_as: Callable[..., User], make_instrument: Callable[..., Instrument]
) -> None:
    login_as(Role.SUPERVISOR)
    scale = make_instrument()
    response = client.get(f"/instruments/{scale.id}/label.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    url = f"{BASE}/q/{scale.qr_token}"
    expected = _expected_matrix(url)
    assert _svg_matrix(svg, len(expected)) == expected
    assert f">{scale.code}</text>" in svg
    assert url in svg


def test_label_of_another_region_is_not_found(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    make_merchant: Callable[..., Merchant],
    make_region: Callable[..., Region],
) -> None:
    elsewhere = make_region()
    theirs = make_instrument(make_merchant(region_id=elsewhere.id, market_id=None))
    login_as(Role.INSPECTOR)
    for ext in ("png", "svg"):
        assert client.get(f"/instruments/{theirs.id}/label.{ext}").status_code == 404
    assert client.get("/instruments/999999/label.png").status_code == 404


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.MERCHANT, 403)])
def test_admin_sees_every_region_and_merchants_are_refused(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    make_merchant: Callable[..., Merchant],
    make_region: Callable[..., Region],
    role: Role,
    status: int,
) -> None:
    elsewhere = make_region()
    theirs = make_instrument(make_merchant(region_id=elsewhere.id, market_id=None))
    login_as(role)
    assert client.get(f"/instruments/{theirs.id}/label.png").status_code == status


def test_anonymous_is_sent_to_login(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    scale = make_instrument()
    response = client.get(f"/instruments/{scale.id}/label.svg")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_api_label_needs_a_token_and_respects_the_region(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    make_instrument: Callable[..., Instrument],
    make_merchant: Callable[..., Merchant],
    make_region: Callable[..., Region],
    ext: str,
) -> None:
    ours = make_instrument()
    theirs = make_instrument(make_merchant(region_id=make_region().id, market_id=None))
    anonymous = client.get(f"/api/v1/instruments/{ours.id}/label.{ext}")
    assert (anonymous.status_code, anonymous.get_json()["code"]) == (401, "AUTH_REQUIRED")
    headers = token_for(make_user(Role.INSPECTOR))
    response = client.get(f"/api/v1/instruments/{ours.id}/label.{ext}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == ("image/png" if ext == "png" else "image/svg+xml")
    if ext == "svg":
        assert f"{BASE}/q/{ours.qr_token}" in response.get_data(as_text=True)
    hidden = client.get(f"/api/v1/instruments/{theirs.id}/label.{ext}", headers=headers)
    assert (hidden.status_code, hidden.get_json()["code"]) == (404, "NOT_FOUND")
    merchant_headers = token_for(make_user(Role.MERCHANT))
    refused = client.get(f"/api/v1/instruments/{ours.id}/label.{ext}", headers=merchant_headers)
    assert refused.status_code == 403


def test_an_unset_base_url_follows_the_address_the_app_is_reached_at(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    make_instrument: Callable[..., Instrument],
) -> None:
    app.config["PUBLIC_BASE_URL"] = None
    headers = token_for(make_user(Role.INSPECTOR))
    scale = make_instrument()
    svg = client.get(
        f"/api/v1/instruments/{scale.id}/label.svg",
        headers=headers,
        base_url="http://192.168.1.20:8000",
    ).get_data(as_text=True)
    assert f"<desc>http://192.168.1.20:8000/q/{scale.qr_token}</desc>" in svg
