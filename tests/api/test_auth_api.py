"""Device tokens: issue, use, expire, revoke; and the API's errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import Device, User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role


def _token_request(client: FlaskClient, **body: object) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/auth/token", json=body)
    return response.status_code, response.get_json()


def test_token_is_issued_and_identifies_the_user(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    status, body = _token_request(
        client,
        username=user.username,
        password=user.test_password,
        device_name="Tab 1",  # type: ignore[attr-defined]
    )
    assert status == 201
    assert body["token_type"] == "Bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["user"]["username"] == user.username
    # only a hash is stored
    device = db.session.get(Device, body["device_id"])
    assert device is not None and body["token"] not in device.token_sha256


def test_wrong_password_gets_401_with_code(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    status, body = _token_request(
        client, username=user.username, password="wrong", device_name="Tab"
    )
    assert (status, body["code"]) == (401, "AUTH_INVALID_CREDENTIALS")


def test_unknown_user_gets_the_same_401(client: FlaskClient) -> None:
    status, body = _token_request(client, username="nobody", password="x", device_name="Tab")
    assert (status, body["code"]) == (401, "AUTH_INVALID_CREDENTIALS")


def test_missing_fields_are_a_422_field_map(client: FlaskClient) -> None:
    status, body = _token_request(client, username="x", extra="nope")
    assert status == 422
    assert body["code"] == "VALIDATION_FAILED"
    assert set(body["errors"]) == {"password", "device_name", "extra"}


def test_malformed_json_is_a_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_JSON"


def test_non_json_body_is_a_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "x"})
    assert response.status_code == 415
    assert response.get_json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_a_json_array_is_a_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", json=[1, 2])
    assert response.status_code == 422


def test_oversized_body_is_a_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/api/v1/auth/token",
        data='{"username": "' + "x" * 2000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "PAYLOAD_TOO_LARGE"


def test_missing_token_is_401_json_not_a_redirect(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "AUTH_REQUIRED"


def test_garbage_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert (response.status_code, response.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")


def test_expired_token_is_401(
    client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> None:
    headers = token_for(make_user(Role.INSPECTOR))
    for device in db.session.scalars(db.select(Device)):
        device.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")


def test_revocation_by_an_admin_works_at_once(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    headers = token_for(make_user(Role.INSPECTOR))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    device_id = client.get("/api/v1/me", headers=headers).get_json()["device_id"]
    login_as(Role.ADMIN)
    from tests.conftest import csrf_from

    token = csrf_from(client, "/admin/")
    assert (
        client.post(f"/admin/devices/{device_id}/revoke", data={"csrf_token": token}).status_code
        == 302
    )
    response = client.get("/api/v1/me", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")


def test_a_device_can_sign_itself_out(
    client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> None:
    headers = token_for(make_user(Role.INSPECTOR))
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivated_user_token_stops_working(
    client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> None:
    user = make_user(Role.INSPECTOR)
    headers = token_for(user)
    user.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_api_path_is_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NOT_FOUND"


def test_wrong_method_is_json_405(client: FlaskClient) -> None:
    response = client.get("/api/v1/auth/token")
    assert (response.status_code, response.get_json()["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_error_message_follows_accept_language(client: FlaskClient) -> None:
    en = client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()
    zh = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"}).get_json()
    assert en["message"] == "Sign in first."
    assert zh["message"] == "请先登录。"
