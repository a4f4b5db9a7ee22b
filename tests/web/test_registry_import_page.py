"""The registry import page: upload, preview in the user's language, commit a clean file."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Instrument, Market, Merchant, User
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from
from tests.registry_import_files import csv_bytes, row, write_xlsx

PAGE = "/registry/import"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return app_config | {
        "REGISTRY_IMPORT_DIR": str(tmp_path / "uploads"),
        # Small, so that the test client keeps bodies in memory (over 500 KiB it spools them
        # to a temporary file that it leaves open when the app refuses to read the body).
        "REGISTRY_IMPORT_MAX_BYTES": 100 * 1024,
        "MAX_CONTENT_LENGTH": 300 * 1024,
    }


@pytest.fixture
def market(make_market: Callable[..., Market]) -> Market:
    return make_market(code="XC-WEB")


def stored() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Merchant, Instrument, AuditEntry)
    )


def upload(client: FlaskClient, data: bytes, name: str = "registry.csv", **headers: str) -> Any:
    return client.post(
        PAGE,
        data={"csrf_token": csrf_from(client, PAGE), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def commit(client: FlaskClient, preview: str) -> Any:
    return client.post(f"{preview}/commit", data={"csrf_token": csrf_from(client, preview)})


def test_upload_preview_and_commit(
    client: FlaskClient, login_as: Callable[..., User], market: Market, tmp_path: Path
) -> None:
    login_as(Role.SUPERVISOR)
    form = client.get(PAGE).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "js/registry_import.js" in form
    before = stored()
    sent = upload(client, csv_bytes([row(market.code, 1), row(market.code, 2)]))
    assert sent.status_code == 303
    preview = sent.headers["Location"]
    page = client.get(preview).get_data(as_text=True)
    assert "registry.csv" in page and "/commit" in page
    assert stored() == before  # a preview writes nothing
    done = commit(client, preview)
    assert done.status_code == 303 and done.headers["Location"] == PAGE
    assert stored() == (before[0] + 2, before[1] + 2, before[2] + 1)
    notice = client.get(PAGE).get_data(as_text=True)
    assert "registry.csv" in notice  # the result, once
    assert "registry.csv" not in client.get(PAGE).get_data(as_text=True)
    assert list((tmp_path / "uploads").iterdir()) == []  # the kept copy is gone
    assert client.get(preview).status_code == 404


def test_a_bad_file_is_previewed_in_the_users_language_and_cannot_be_committed(
    client: FlaskClient, login_as: Callable[..., User], market: Market
) -> None:
    login_as(Role.ADMIN)
    before = stored()
    data = csv_bytes([row(market.code, 1), row(market.code, 2, min="16000")])
    preview = upload(client, data).headers["Location"]
    page = client.get(preview).get_data(as_text=True)
    assert "Min 必须小于 Max。" in page and "L3" in page
    assert "/commit" not in page
    client.post("/lang/en", data={"csrf_token": csrf_from(client, preview)})
    english = client.get(preview).get_data(as_text=True)
    assert "Min must be below Max." in english
    refused = commit(client, preview)
    assert refused.status_code == 422
    assert stored() == before


def test_commit_checks_the_registry_again(
    client: FlaskClient,
    login_as: Callable[..., User],
    market: Market,
    make_instrument: Callable[..., Instrument],
) -> None:
    login_as(Role.SUPERVISOR)
    preview = upload(client, csv_bytes([row(market.code, 1)])).headers["Location"]
    assert "/commit" in client.get(preview).get_data(as_text=True)
    make_instrument(code="NM-TEST-900001")  # meanwhile registered to another merchant
    before = stored()
    refused = commit(client, preview)
    assert refused.status_code == 422
    assert "NM-TEST-900001" in refused.get_data(as_text=True)
    assert stored() == before


def test_an_xlsx_upload_is_imported(
    client: FlaskClient, login_as: Callable[..., User], market: Market, tmp_path: Path
) -> None:
    login_as(Role.ADMIN)
    path = write_xlsx(tmp_path, [row(market.code, 1, max=15000)])
    preview = upload(client, path.read_bytes(), "registry.xlsx").headers["Location"]
    done = commit(client, preview)
    assert done.status_code == 303, re.findall(r"<td>.*?</td>", done.get_data(as_text=True))
    assert db.session.scalar(select(Instrument).where(Instrument.code == "NM-TEST-900001"))


def test_a_non_utf8_csv_is_reported(
    client: FlaskClient, login_as: Callable[..., User], market: Market
) -> None:
    login_as(Role.ADMIN)
    preview = upload(client, csv_bytes([row(market.code)]).decode().encode("gbk"))
    page = client.get(preview.headers["Location"]).get_data(as_text=True)
    assert "UTF-8" in page and "/commit" not in page


@pytest.mark.parametrize("size", [200 * 1024, 400 * 1024])
def test_a_file_over_the_limit_is_refused_with_a_message(
    size: int, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    """Over the import limit (checked by the view) and over MAX_CONTENT_LENGTH (refused while
    the form is read): the same page and message, 413, nothing kept."""
    login_as(Role.ADMIN)
    response = upload(client, b"a" * size)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="upload-error"' in page and "0.1 MB" in page


def test_no_file_and_a_wrong_type_are_refused(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ADMIN)
    empty = client.post(PAGE, data={"csrf_token": csrf_from(client, PAGE)})
    assert empty.status_code == 422
    old_excel = upload(client, b"\xd0\xcf\x11\xe0", "registry.xls")
    assert old_excel.status_code == 422 and ".xls" in old_excel.get_data(as_text=True)


def sign_in(app: Flask, user: User) -> FlaskClient:
    app.test_client_class = IsolatedClient
    other = app.test_client()
    response = other.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(other),
        },
    )
    assert response.status_code == 302
    return other


def test_an_upload_belongs_to_its_session_and_user(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    market: Market,
) -> None:
    admin = login_as(Role.ADMIN)
    preview = upload(client, csv_bytes([row(market.code)])).headers["Location"]
    assert client.get(preview).status_code == 200
    assert sign_in(app, make_user(Role.ADMIN)).get(preview).status_code == 404
    same_user_elsewhere = sign_in(app, admin)
    assert same_user_elsewhere.get(preview).status_code == 404
    assert commit(same_user_elsewhere, preview).status_code == 404
    assert client.get(PAGE + "/" + "A" * 24).status_code == 404
    assert client.get(preview).status_code == 200


def test_an_upload_older_than_an_hour_is_swept(
    client: FlaskClient, login_as: Callable[..., User], market: Market, tmp_path: Path
) -> None:
    login_as(Role.ADMIN)
    first = upload(client, csv_bytes([row(market.code)])).headers["Location"]
    folder = tmp_path / "uploads"
    hour_ago = time.time() - 3601
    for path in folder.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    assert client.get(first).status_code == 200  # until the next upload sweeps
    second = upload(client, csv_bytes([row(market.code, 2)])).headers["Location"]
    assert client.get(first).status_code == 404
    upload_id = re.sub(r".*/", "", second)
    assert sorted(p.name for p in folder.iterdir()) == [f"{upload_id}.data", f"{upload_id}.json"]
