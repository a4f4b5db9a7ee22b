"""Every API endpoint × every role (the OpenAPI document's coverage: test_openapi.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.models import User
from inspect_app.models.user import Role

SHA = "0" * 64
# (method, path, roles allowed past authorisation)
ENDPOINTS = [
    ("GET", "/api/v1/me", set(Role)),
    ("GET", "/api/v1/forms", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/forms/bazaar_scale/1", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/violations", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/rulepacks/cn", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    ("GET", "/api/v1/sync/pull", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
    ("POST", "/api/v1/sync/push", {Role.INSPECTOR, Role.ADMIN}),
    ("PUT", f"/api/v1/attachments/{SHA}", {Role.INSPECTOR, Role.ADMIN}),
    ("GET", f"/api/v1/attachments/{SHA}", {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}),
]


@pytest.mark.parametrize(("method", "path", "allowed"), ENDPOINTS)
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    method: str,
    path: str,
    allowed: set[Role],
    role: Role,
) -> None:
    headers = token_for(make_user(role))
    response = client.open(
        path, method=method, headers=headers, json={"inspections": []} if method == "POST" else None
    )
    if role in allowed:
        assert response.status_code != 403
    else:
        assert (response.status_code, response.get_json()["code"]) == (403, "FORBIDDEN")
    anonymous = client.open(path, method=method)
    assert anonymous.status_code == 401
