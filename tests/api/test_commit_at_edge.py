"""The request's one commit happens at the edge: GETs keep what they record, failures keep
nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Device, User
from inspect_app.models.user import Role


def test_a_get_keeps_the_device_last_seen_time(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(make_user(Role.INSPECTOR))
    device = db.session.scalars(select(Device)).one()
    assert device.last_seen_at is None
    assert client.get("/api/v1/forms", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(Device, device.id).last_seen_at is not None  # type: ignore[union-attr]


def test_a_refused_request_writes_nothing(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    """A token request that fails validation after authenticating leaves no device behind."""
    user = make_user(Role.INSPECTOR)
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": "wrong", "device_name": "t"},
    )
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Device)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
