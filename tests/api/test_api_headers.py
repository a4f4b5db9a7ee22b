"""API answers are never stored by a cache, except those that choose their own caching."""

from __future__ import annotations

import hashlib
import io

from flask.testing import FlaskClient
from PIL import Image

from tests.api.conftest import Field
from tests.payloads import item, scale_answers


def test_api_answers_are_not_stored(field: Field, client: FlaskClient) -> None:
    me = client.get("/api/v1/me", headers=field.headers)
    assert (me.status_code, me.headers["Cache-Control"]) == (200, "no-store")
    pull = client.get("/api/v1/sync/pull", headers=field.headers)
    assert (pull.status_code, pull.headers["Cache-Control"]) == (200, "no-store")
    push = client.post(
        "/api/v1/sync/push",
        json={"inspections": [item("bazaar_scale", scale_answers(field.merchant.id, "NM-X"))]},
        headers=field.headers,
    )
    assert push.headers["Cache-Control"] == "no-store"


def test_a_new_token_is_not_stored(client: FlaskClient, field: Field) -> None:
    response = client.post(
        "/api/v1/auth/token",
        json={
            "username": field.inspector.username,
            "password": field.inspector.test_password,  # type: ignore[attr-defined]
            "device_name": "Tab",
        },
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"


def test_api_errors_are_not_stored(client: FlaskClient) -> None:
    for response in (
        client.get("/api/v1/me"),
        client.get("/api/v1/nothing-here"),
        client.post(
            "/api/v1/auth/token", json={"username": "x", "password": "y", "device_name": "t"}
        ),
    ):
        assert response.status_code >= 400
        assert response.headers["Cache-Control"] == "no-store"


def test_form_manifests_keep_their_etag_caching(field: Field, client: FlaskClient) -> None:
    response = client.get("/api/v1/forms", headers=field.headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get(
        "/api/v1/forms", headers=field.headers | {"If-None-Match": response.headers["ETag"]}
    )
    assert (again.status_code, again.headers["Cache-Control"]) == (304, "no-cache")


def test_photos_keep_their_private_cache(field: Field, client: FlaskClient) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(out, format="PNG")
    data = out.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    answers = scale_answers(field.merchant.id, field.scale.code, nameplate_photo=sha)
    field.push(item("bazaar_scale", answers, attachments=[sha]))
    put = client.put(
        f"/api/v1/attachments/{sha}",
        data=data,
        headers=field.headers,
        content_type="application/octet-stream",
    )
    assert put.status_code == 201
    assert put.headers["Cache-Control"] == "no-store"
    photo = client.get(f"/api/v1/attachments/{sha}", headers=field.headers)
    assert photo.status_code == 200
    assert photo.headers["Cache-Control"] == "private, max-age=86400, immutable"
    photo.close()
