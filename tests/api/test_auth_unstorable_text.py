"""NUL, control characters and lone surrogates in sign-in fields: a 4xx, never a 500.

PostgreSQL refuses NUL in text, and a lone surrogate (``"\\ud800"`` in JSON) cannot even be
encoded; both used to surface as a 500 from the username lookup or the device insert.
Runs on SQLite and on PostgreSQL (``INSPECT_TEST_DATABASE=postgresql``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.models import Device, User
from inspect_app.models.user import Role

BAD = ["\x00", "\ud800", "\udfff", "\x1b", "\x7f", "\x85"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Without the sign-in rate limit: every example here must reach the view."""
    return app_config | {"RATELIMIT_ENABLED": False}


def _token(client: FlaskClient, **body: object) -> tuple[int, Any]:
    response = client.post("/api/v1/auth/token", json=body)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("char", BAD, ids=[f"U+{ord(c):04X}" for c in BAD])
@pytest.mark.parametrize("where", ["username", "device_name"])
def test_a_control_character_in_a_name_is_a_422(
    client: FlaskClient, make_user: Callable[..., User], where: str, char: str
) -> None:
    user = make_user(Role.INSPECTOR)
    password: str = user.test_password  # type: ignore[attr-defined]
    body = {"username": user.username, "password": password, "device_name": "Tab 1"}
    body[where] = f"{body[where][:2]}{char}{body[where][2:]}"
    status, answer = _token(client, **body)
    assert (status, answer["code"]) == (422, "VALIDATION_FAILED")
    assert answer["errors"] == {
        where: ["must not contain control characters or unpaired surrogates"]
    }
    assert db.session.scalar(db.select(db.func.count(Device.id))) == 0


@pytest.mark.parametrize("char", ["\x00", "\ud800"], ids=["NUL", "surrogate"])
def test_a_nul_or_lone_surrogate_in_the_password_is_a_422(
    client: FlaskClient, make_user: Callable[..., User], char: str
) -> None:
    user = make_user(Role.INSPECTOR)
    status, answer = _token(
        client, username=user.username, password=f"pw{char}", device_name="Tab 1"
    )
    assert (status, answer["code"]) == (422, "VALIDATION_FAILED")
    assert set(answer["errors"]) == {"password"}


#: Any code point, lone surrogates and NUL included (``characters()`` leaves surrogates out).
ANY_TEXT = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Z", "C"]), max_size=20)


@given(username=ANY_TEXT, password=ANY_TEXT, device_name=ANY_TEXT)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_text_in_the_token_request_is_a_server_error(
    client: FlaskClient, username: str, password: str, device_name: str
) -> None:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password, "device_name": device_name},
    )
    # 401 for unknown users, 422 for what the schema refuses.
    assert response.status_code in (401, 422), response.get_data(as_text=True)
    assert response.get_json()["code"] in CATALOGUE
