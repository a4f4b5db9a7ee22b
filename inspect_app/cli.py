"""Command-line entry points (``flask <command>``): thin wrappers over services."""

from __future__ import annotations

import click
from flask import Flask

from inspect_app.extensions import db
from inspect_app.services import audit


@click.group("audit")
def audit_group() -> None:
    """The audit ledger."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 naming the first altered entry."""
    report = audit.verify_chain()
    if report.first_bad_id is None:
        click.echo(f"audit chain intact: {report.checked} entries")
        return
    click.echo(
        f"audit chain BROKEN at entry {report.first_bad_id}: {report.reason} "
        f"({report.checked} entries checked)",
        err=True,
    )
    raise SystemExit(1)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the deterministic Hohhot demo (refuses a database holding real data)."""
    from inspect_app.services import demo

    try:
        result = demo.seed()
    except demo.DemoRefused as exc:
        click.echo(f"refused: {exc}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(result.summary())
    click.echo("Demo logins (username / password):")
    for username, password in result.logins:
        click.echo(f"  {username:<12} {password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_group)
    app.cli.add_command(seed_demo)
