"""``flask users create``: the pinned interface, its errors, and the password policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import cli_users
from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Merchant, Region, User
from inspect_app.models.user import Role
from tests.conftest import csrf_from

PASSWORD = "first-admin-passphrase"


def create(runner: Any, *args: str, password: str = PASSWORD) -> Any:
    return runner.invoke(args=["users", "create", *args], input=f"{password}\n")


def user_named(username: str) -> User | None:
    db.session.rollback()  # see what the command committed
    return db.session.scalar(select(User).where(User.username == username))


def test_the_first_admin_reads_the_password_from_stdin_and_signs_in(
    runner: Any, client: FlaskClient
) -> None:
    result = create(runner, "root", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created user root (id ")
    assert PASSWORD not in result.output
    user = user_named("root")
    assert user is not None and user.role == Role.ADMIN and user.display_name == "root"
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.actor_id is None
    response = client.post(
        "/login",
        data={"username": "root", "password": PASSWORD, "csrf_token": csrf_from(client)},
    )
    assert response.status_code == 302


def test_staff_get_a_region_and_merchant_users_a_merchant(
    runner: Any, region: Region, make_merchant: Callable[..., Merchant]
) -> None:
    merchant = make_merchant()
    staff = create(runner, "zhang", "--role", "inspector", "--region", region.code, "--name", "张")
    assert staff.exit_code == 0, staff.output
    assert f"region {region.code}" in staff.output
    shop = create(runner, "shop", "--role", "merchant", "--merchant", str(merchant.id))
    assert shop.exit_code == 0, shop.output
    inspector, seller = user_named("zhang"), user_named("shop")
    assert inspector is not None and (inspector.region_id, inspector.display_name) == (
        region.id,
        "张",
    )
    assert seller is not None and seller.merchant_id == merchant.id


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["x1", "--role", "inspector"], PASSWORD, "--role inspector needs --region CODE"),
        (
            ["x1", "--role", "supervisor", "--region", "NOPE"],
            PASSWORD,
            "unknown region code 'NOPE'",
        ),
        (["x1", "--role", "admin", "--region", "R1"], PASSWORD, "takes no --region"),
        (["x1", "--role", "merchant"], PASSWORD, "--role merchant needs --merchant ID"),
        (
            ["x1", "--role", "merchant", "--merchant", "424242"],
            PASSWORD,
            "no merchant has id 424242",
        ),
        (["x1", "--role", "admin", "--merchant", "1"], PASSWORD, "takes no --merchant"),
        (["x1", "--role", "admin"], "short-pw", "password: The password needs at least 10"),
        (["longusername", "--role", "admin"], "LongUserName", "must not be the username"),
        (["x1", "--role", "admin"], "qwertyuiop", "among the most common ones"),
        (["x1", "--role", "admin"], "", "at least 10 characters"),
        (["bad name", "--role", "admin"], PASSWORD, "USERNAME: Use 2 to 64 letters"),
    ],
)
def test_clear_errors_exit_1_and_write_nothing(
    runner: Any, region: Region, args: list[str], password: str, message: str
) -> None:
    result = create(runner, *args, password=password)
    assert result.exit_code == 1
    assert message in result.output
    assert password not in result.output or password == ""
    assert user_named(args[0]) is None


def test_a_taken_username_is_refused_whatever_its_case(runner: Any) -> None:
    assert create(runner, "root", "--role", "admin").exit_code == 0
    again = create(runner, "ROOT", "--role", "admin")
    assert again.exit_code == 1 and "This username is taken" in again.output


def test_an_unknown_role_is_refused_by_the_option(runner: Any) -> None:
    result = create(runner, "x1", "--role", "owner")
    assert result.exit_code == 2 and "admin" in result.output


def test_at_a_terminal_the_password_is_asked_twice(
    runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_users, "stdin_is_terminal", lambda: True)
    result = runner.invoke(
        args=["users", "create", "root", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert user_named("root") is not None
    mismatch = runner.invoke(
        args=["users", "create", "root2", "--role", "admin"], input=f"{PASSWORD}\nother-one-1234\n"
    )
    assert mismatch.exit_code == 1 and user_named("root2") is None
