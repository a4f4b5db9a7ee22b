"""NUL in the sign-in form: the usual 401 page, never a 500 (PostgreSQL refuses NUL in a
query). Runs on SQLite and on PostgreSQL (``INSPECT_TEST_DATABASE=postgresql``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.conftest import csrf_from


@pytest.mark.parametrize(
    ("username", "password"),
    [("\x00", "x"), ("insp\x00ector1", "x"), ("ghost", "pw\x00"), ("%00", "x")],
    ids=["nul-username", "nul-inside-username", "nul-password", "escaped-literal"],
)
def test_a_nul_in_the_login_form_is_a_401_page(
    client: FlaskClient, username: str, password: str
) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(client)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_a_nul_after_a_real_username_does_not_sign_in(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    db.session.commit()
    response = client.post(
        "/login",
        data={
            "username": f"{user.username}\x00",
            "password": user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 401
    assert client.get("/").status_code == 302  # still anonymous


def test_a_url_encoded_nul_is_decoded_and_refused(client: FlaskClient) -> None:
    """What a browser (or curl) sends: ``username=%00``."""
    token = csrf_from(client)
    response = client.post(
        "/login",
        data=f"username=a%00b&password=x&csrf_token={token}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 401
