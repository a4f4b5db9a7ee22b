"""Evidence on the web: a merchant uploads a photo, an invoice PDF or a certificate against an
order; bad files are refused beside the input with nothing stored; the files are served only
to the order's merchant and the district's staff, images without EXIF, PDFs as downloads."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.enforcement import EvidenceKind, OrderKind, OrderStatus
from inspect_app.models.user import Role
from inspect_app.services import orders
from tests import evidence_samples as samples
from tests.web.enforcement_helpers import add_order, fresh
from tests.web.merchant_portal_helpers import (
    EN,
    Stall,
    evidence_count,
    fetch,
    make_stall,
    signed_in,
    stored_files,
    text,
    upload,
)

LIMIT = 256 * 1024


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVIDENCE_MAX_BYTES": LIMIT}


@pytest.fixture
def stall(
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Stall:
    return make_stall(make_merchant, make_instrument, make_user)


@pytest.fixture
def merchant(app: Flask, stall: Stall) -> FlaskClient:
    return signed_in(app, stall.merchant_user)


def test_a_photo_moves_the_order_to_evidence_submitted_and_is_served_without_exif(
    app: Flask, merchant: FlaskClient, stall: Stall, make_user: Callable[..., User]
) -> None:
    order = add_order(stall.scale, stall.inspector, kind=OrderKind.REPAIR)
    sent = upload(merchant, order.id, samples.photo(), "repaired.jpg", note="换了传感器")
    assert sent.status_code == 303, text(sent)
    order = fresh(order)
    assert order.status == OrderStatus.EVIDENCE_SUBMITTED
    [evidence] = order.evidence
    assert evidence.kind == EvidenceKind.PHOTO and evidence.note == "换了传感器"
    assert evidence.media_type == "image/jpeg" and evidence.uploaded_by_id == stall.merchant_user.id
    page = text(merchant.get(f"/merchant/orders/{order.id}", headers=EN))
    assert "Evidence sent: waiting for the supervisor’s decision" in page
    assert f"/evidence/{evidence.id}/file" in page
    status, headers, body = fetch(merchant, f"/evidence/{evidence.id}/file")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    with Image.open(io.BytesIO(body)) as image:
        assert dict(image.getexif()) == {} and "exif" not in image.info  # no camera, no GPS
    assert b"Acme Phones" not in body
    # the original (the evidence as received) is kept, with its EXIF, but never served
    assert any(p.name == evidence.sha256 for p in stored_files(app))
    supervisor = signed_in(app, make_user(Role.SUPERVISOR))
    assert fetch(supervisor, f"/evidence/{evidence.id}/file")[0] == 200


def test_an_invoice_pdf_is_served_as_a_sandboxed_download(
    merchant: FlaskClient, stall: Stall
) -> None:
    order = add_order(stall.scale, stall.inspector, kind=OrderKind.REPAIR)
    pdf = samples.real_pdf()
    sent = upload(merchant, order.id, pdf, "invoice.pdf", kind="invoice")
    assert sent.status_code == 303, text(sent)
    [evidence] = fresh(order).evidence
    assert evidence.kind == EvidenceKind.INVOICE and evidence.media_type == "application/pdf"
    status, headers, body = fetch(merchant, f"/evidence/{evidence.id}/file")
    assert status == 200 and body == pdf
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in headers["Cache-Control"]


def test_a_certificate_carries_its_particulars(merchant: FlaskClient, stall: Stall) -> None:
    order = add_order(stall.scale, stall.inspector, kind=OrderKind.REVERIFY)
    missing = upload(merchant, order.id, samples.real_pdf(), "cert.pdf", kind="certificate")
    assert missing.status_code == 422
    assert "Required for a verification certificate." in text(missing)
    assert 'id="err-certificate_no"' in text(missing) and evidence_count() == 0
    today = date.today()
    backwards = upload(
        merchant,
        order.id,
        samples.real_pdf(),
        "cert.pdf",
        kind="certificate",
        certificate_no="JD-2026-0815",
        verifying_body="呼和浩特市计量测试所",
        verified_at=today.isoformat(),
        valid_until=(today - timedelta(days=1)).isoformat(),
    )
    assert backwards.status_code == 422 and 'id="err-valid_until"' in text(backwards)
    sent = upload(
        merchant,
        order.id,
        samples.photo(exif=False),
        "cert.jpg",
        kind="certificate",
        certificate_no="JD-2026-0815",
        verifying_body="呼和浩特市计量测试所",
        verified_at=today.isoformat(),
        valid_until=(today + timedelta(days=365)).isoformat(),
    )
    assert sent.status_code == 303, text(sent)
    [evidence] = fresh(order).evidence
    assert (evidence.certificate_no, evidence.verifying_body) == (
        "JD-2026-0815",
        "呼和浩特市计量测试所",
    )
    assert evidence.verified_at == today and evidence.valid_until == today + timedelta(days=365)


@pytest.mark.parametrize(
    ("data", "name", "kind", "message"),
    [
        (samples.html_as_pdf(), "invoice.pdf", "invoice", "not a real PDF document"),
        (samples.javascript_pdf(), "invoice.pdf", "invoice", "contains scripts"),
        (samples.object_stream_javascript_pdf(), "invoice.pdf", "invoice", "contains scripts"),
        (samples.real_pdf(), "photo.pdf", "photo", "Send a photo (JPEG, PNG or WebP)"),
        (samples.photo()[:300], "photo.jpg", "photo", "not a photo that can be read"),
        (samples.html_as_pdf(), "page.html", "photo", "Send a photo (JPEG, PNG or WebP)"),
        (b"\xff\xd8\xff" + b"x" * LIMIT, "big.jpg", "photo", "larger than 0 MB"),
        (b"\xff\xd8\xff" + b"x" * (LIMIT + 200_000), "huge.jpg", "photo", "larger than 0 MB"),
    ],
    ids=[
        "html-renamed-pdf",
        "javascript",
        "hidden-javascript",
        "pdf-as-photo",
        "undecodable",
        "html",
        "over-limit",
        "far-over-limit",
    ],
)
def test_bad_files_are_refused_beside_the_input_and_nothing_is_stored(
    app: Flask,
    merchant: FlaskClient,
    stall: Stall,
    data: bytes,
    name: str,
    kind: str,
    message: str,
) -> None:
    order = add_order(stall.scale, stall.inspector, kind=OrderKind.REPAIR)
    sent = upload(merchant, order.id, data, name, kind=kind, note="见附件")
    page = text(sent)
    assert sent.status_code == 422, page
    assert 'id="err-file"' in page and message in page
    if len(data) < LIMIT + 64 * 1024:  # a body past the limit is never read, its text neither
        assert "见附件" in page  # what was typed is kept
    assert evidence_count() == 0 and fresh(order).status == OrderStatus.OPEN
    assert stored_files(app) == []


def test_another_merchants_order_is_not_found(
    app: Flask, merchant: FlaskClient, stall: Stall
) -> None:
    theirs = add_order(stall.other_scale, stall.inspector)
    sent = upload(merchant, theirs.id, samples.photo(), "x.jpg")
    assert sent.status_code == 404
    assert evidence_count() == 0 and stored_files(app) == []


def test_evidence_files_are_for_the_merchant_and_the_district_only(
    app: Flask,
    stall: Stall,
    make_user: Callable[..., User],
    make_region: Callable[..., Region],
) -> None:
    order = add_order(stall.scale, stall.inspector, kind=OrderKind.REPAIR)
    owner = signed_in(app, stall.merchant_user)
    assert upload(owner, order.id, samples.photo(), "p.jpg").status_code == 303
    [evidence] = fresh(order).evidence
    path = f"/evidence/{evidence.id}/file"
    far = make_region()
    refused = [
        signed_in(app, stall.other_user),
        signed_in(app, make_user(Role.SUPERVISOR, region_id=far.id)),
        signed_in(app, make_user(Role.INSPECTOR, region_id=far.id)),
    ]
    assert [fetch(c, path)[0] for c in refused] == [404, 404, 404]
    allowed = [
        owner,
        signed_in(app, make_user(Role.INSPECTOR)),
        signed_in(app, make_user(Role.ADMIN)),
    ]
    assert [fetch(c, path)[0] for c in allowed] == [200, 200, 200]
    assert fetch(app.test_client(), path)[0] == 302  # sign in first


def test_a_withdrawn_order_takes_no_evidence(merchant: FlaskClient, stall: Stall) -> None:
    order = add_order(stall.scale, stall.inspector)
    now = datetime.now(UTC)
    orders.withdraw(order, "returned in review", None, now, now.date())
    db.session.commit()
    page = text(merchant.get(f"/merchant/orders/{order.id}", headers=EN))
    assert 'data-testid="upload"' not in page
    sent = upload(merchant, order.id, samples.photo(), "late.jpg")
    assert sent.status_code == 409 and evidence_count() == 0
