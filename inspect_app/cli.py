"""Command-line entry points (``flask <command>``): thin wrappers over services."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app

from inspect_app.cli_registry import registry_group
from inspect_app.cli_rollups import rollups_group
from inspect_app.cli_synth import demo_group
from inspect_app.cli_users import users_group
from inspect_app.cli_worker import alerts_group, worker_command
from inspect_app.domain import rulepacks
from inspect_app.extensions import db
from inspect_app.formdefs import check_forms
from inspect_app.services import audit


@click.group("audit")
def audit_group() -> None:
    """The audit ledger."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the keyed chain, every inspection against its entry, and the head checkpoint.

    Exits 1 naming the first bad entry, or the inspection concerned.
    """
    report = audit.verify_chain(key=str(current_app.config["AUDIT_KEY"]).encode())
    if report.intact:
        click.echo(report.describe())
        return
    click.echo(report.describe(), err=True)
    raise SystemExit(1)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the deterministic Hohhot demo (refuses a database holding real data)."""
    from inspect_app.services import demo

    try:
        result = demo.seed(attachments_root=Path(current_app.config["ATTACHMENTS_DIR"]))
    except demo.DemoRefused as exc:
        click.echo(f"refused: {exc}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(result.summary())
    click.echo("Demo logins (username / password):")
    for username, password in result.logins:
        click.echo(f"  {username:<12} {password}")


@click.group("forms")
def forms_group() -> None:
    """Field form definitions."""


@forms_group.command("check")
def forms_check() -> None:
    """Validate every definition in FIELD_FORMS_DIR; exit 1 listing each problem."""
    problems = check_forms(Path(current_app.config["FIELD_FORMS_DIR"]))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("field forms OK")


@click.group("rulepacks")
def rulepacks_group() -> None:
    """Metrology rule packs."""


@rulepacks_group.command("export")
@click.argument("pack_id", default="cn")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default stdout).")
def rulepacks_export(pack_id: str, output: str | None) -> None:
    """Write a rule pack's tables as JSON (what the tablet computes verdicts from)."""
    if pack_id not in rulepacks.available():
        click.echo(f"unknown pack {pack_id!r}; available: {rulepacks.available()}", err=True)
        raise SystemExit(1)
    text = json.dumps(rulepacks.export_json(pack_id), ensure_ascii=False, indent=2)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


def init_app(app: Flask) -> None:
    for command in (audit_group, seed_demo, forms_group, rulepacks_group, registry_group):
        app.cli.add_command(command)
    app.cli.add_command(users_group)
    app.cli.add_command(rollups_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(alerts_group)
