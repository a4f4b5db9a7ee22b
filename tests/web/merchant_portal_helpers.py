"""A stall with its merchant user, a second client signed in as somebody else, and the order
and inspection rows the merchant portal's tests start from (tests/web/test_merchant_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Instrument, OrderEvidence, User
from tests.conftest import IsolatedClient, csrf_from
from tests.web.enforcement_helpers import EN, text

__all__ = [
    "EN",
    "Stall",
    "evidence_count",
    "fetch",
    "signed_in",
    "stored_files",
    "text",
    "upload",
]


@dataclass
class Stall:
    scale: Instrument
    merchant_user: User
    inspector: User
    #: Another merchant of the same district, with its own scale and user.
    other_scale: Instrument
    other_user: User


def signed_in(app: Flask, user: User) -> FlaskClient:
    """A client of its own, signed in as ``user`` through the login form."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def upload(client: FlaskClient, order_id: int, data: bytes, name: str, **fields: Any) -> Any:
    """POST a file as the order page's form sends it (multipart, with its CSRF token)."""
    import io

    form: dict[str, Any] = {"kind": "photo", **fields}
    form["csrf_token"] = csrf_from(client, f"/merchant/orders/{order_id}")
    form["file"] = (io.BytesIO(data), name)
    return client.post(
        f"/merchant/orders/{order_id}/evidence",
        data=form,
        content_type="multipart/form-data",
        headers=EN,
    )


def fetch(client: FlaskClient, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path``: status, headers and body, the response closed (served files are open)."""
    response = client.get(path)
    try:
        return response.status_code, dict(response.headers), response.get_data()
    finally:
        response.close()


def evidence_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(OrderEvidence.id))) or 0


def stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["ATTACHMENTS_DIR"])
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"
    )


def make_stall(
    make_merchant: Callable[..., Any],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Stall:
    from inspect_app.models.user import Role

    merchant = make_merchant(name="王记蔬菜")
    other = make_merchant(name="李记水产")
    return Stall(
        scale=make_instrument(merchant),
        merchant_user=make_user(Role.MERCHANT, merchant_id=merchant.id, display_name="摊主 王五"),
        inspector=make_user(Role.INSPECTOR),
        other_scale=make_instrument(other),
        other_user=make_user(Role.MERCHANT, merchant_id=other.id),
    )
