"""The password policy on the password-change page (the admin pages and the CLI have theirs
in test_user_admin.py and test_cli_users.py)."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.conftest import csrf_from


@pytest.mark.parametrize(
    ("new", "lang", "message"),
    [
        ("1234567890", "en", "This password is among the most common ones"),
        ("1234567890", "zh-CN", "该密码属于最常用密码"),
        ("SUPERVISOR1", "en", "The password must not be the username."),
        ("SUPERVISOR1", "zh-CN", "密码不能与用户名相同。"),
        ("short", "zh-CN", "密码至少需要 10 个字符。"),
    ],
)
def test_a_refused_new_password_changes_nothing(
    client: FlaskClient, login_as: Callable[..., User], new: str, lang: str, message: str
) -> None:
    user = login_as(Role.SUPERVISOR)
    assert user.username == "supervisor1"
    before = user.password_hash
    response = client.post(
        "/account/password",
        data={
            "current_password": user.test_password,  # type: ignore[attr-defined]
            "new_password": new,
            "new_password_confirm": new,
            "csrf_token": csrf_from(client, "/account/password"),
        },
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    db.session.refresh(user)
    assert user.password_hash == before
