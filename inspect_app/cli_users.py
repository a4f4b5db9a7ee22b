"""``flask users create``: accounts from the command line (a fresh deployment's first admin).

    flask users create USERNAME --role admin|supervisor|inspector|merchant
                                [--region CODE] [--merchant ID] [--name "Display name"]

The password is read from standard input when it is not a terminal (the first line, without
its line ending: ``printf '%s\\n' "$PW" | flask users create …``), otherwise asked twice
without echo. The password policy applies (``domain/passwords.py``). Every problem is printed
to standard error, in English and Chinese, and the exit status is 1; nothing is written then.
Nothing secret is ever printed.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, NoReturn

import click
from flask.cli import AppGroup

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models.user import Role
from inspect_app.services import users
from inspect_app.services.users import STAFF_ROLES, Scope

#: How the service's field names are called on this command line.
_OPTION = {
    "username": "USERNAME",
    "display_name": "--name",
    "role": "--role",
    "region_id": "--region",
    "merchant_id": "--merchant",
    "password": "password",
}


def _fail(*lines: str) -> NoReturn:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    raise SystemExit(1)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    if stdin_is_terminal():
        password: str = click.prompt(
            "Password (twice, not shown)", hide_input=True, confirmation_prompt=True
        )
        return password
    line = str(sys.stdin.readline())
    return line.removesuffix("\n").removesuffix("\r")


def _scope_problems(role: Role, region_code: str | None, merchant_id: int | None) -> list[str]:
    problems = []
    if role in STAFF_ROLES and region_code is None:
        problems.append(f"--role {role.value} needs --region CODE (the district's code)")
    if role not in STAFF_ROLES and region_code is not None:
        problems.append(f"--role {role.value} takes no --region (only staff have a region)")
    if role == Role.MERCHANT and merchant_id is None:
        problems.append("--role merchant needs --merchant ID (the merchant's id)")
    if role != Role.MERCHANT and merchant_id is not None:
        problems.append(f"--role {role.value} takes no --merchant")
    return problems


def _field_lines(errors: Mapping[str, Any]) -> list[str]:
    lines = []
    for field, found in errors.items():
        for problem in found:
            text = f"{problem['en']} / {problem['zh']}" if isinstance(problem, dict) else problem
            lines.append(f"{_OPTION.get(field, field)}: {text}")
    return lines


#: An ``AppGroup``: its commands run inside an application context however they are invoked.
users_group = AppGroup("users", help="User accounts.")


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--region", "region_code", help="The district's code (inspectors, supervisors).")
@click.option("--merchant", "merchant_id", type=int, help="The merchant's id (merchant users).")
@click.option("--name", "display_name", help="The name shown in the app (default: USERNAME).")
def users_create(
    username: str,
    role: str,
    region_code: str | None,
    merchant_id: int | None,
    display_name: str | None,
) -> None:
    """Create a user. Password: first line of stdin, or asked twice at a terminal."""
    chosen = Role(role)
    if problems := _scope_problems(chosen, region_code, merchant_id):
        _fail(*problems)
    region_id = None
    if region_code is not None:
        region = users.region_by_code(region_code)
        if region is None:
            known = ", ".join(r.code for r in users.regions()) or "none yet"
            _fail(f"unknown region code {region_code!r} (known: {known})")
        region_id = region.id
    if merchant_id is not None and not users.merchant_exists(merchant_id):
        _fail(f"no merchant has id {merchant_id}")
    password = _read_password()
    try:
        user = users.create_user(
            None,
            username,
            display_name or username,
            Scope(chosen, region_id, merchant_id),
            password,
        )
    except AppError as exc:
        db.session.rollback()
        _fail(*(_field_lines(exc.errors or {}) or [exc.problem.en]))
    db.session.commit()
    where = f", region {region_code}" if region_code else ""
    where += f", merchant {merchant_id}" if merchant_id is not None else ""
    click.echo(f"created user {user.username} (id {user.id}, {chosen.value}{where})")
