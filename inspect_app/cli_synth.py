"""``flask demo synth``: a synthetic history for benchmarks, demos and the rollup check.

    flask demo synth --inspections N [--seed S] [--append]

Writes into an empty migrated database (``--append``: onto a synthetic one), commits after
every chunk, shows a progress bar with the rate and the time left when standard output is a
terminal (``click.progressbar``; elsewhere only its label), and prints the sign-ins at the
end (docs/dashboards.md, "Synthetic history").
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app

from inspect_app.extensions import db
from inspect_app.formdefs import load_registry
from inspect_app.models.types import utcnow
from inspect_app.services import synth
from inspect_app.services.rollups import local_day


@click.group("demo")
def demo_group() -> None:
    """Demo and synthetic data."""


@demo_group.command("synth")
@click.option(
    "--inspections",
    "count",
    required=True,
    type=click.IntRange(1, 50_000_000),
    help="How many inspection records to write (corrections included).",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=20261130, show_default=True)
@click.option("--append", is_flag=True, help="Add to an existing synthetic history.")
def synth_command(count: int, seed: int, append: bool) -> None:
    """Write a realistic synthetic history of COUNT inspections (refuses real data)."""
    now = utcnow()
    forms = load_registry(Path(current_app.config["FIELD_FORMS_DIR"]))
    job = synth.Synth(count, seed, local_day(now), now, forms)
    try:
        job.prepare(append)
    except synth.SynthRefused as exc:
        db.session.rollback()
        click.echo(f"refused: {exc}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    started = time.monotonic()

    def rate(_item: object) -> str:
        elapsed = time.monotonic() - started
        return f"{job.written / elapsed:,.0f} inspections/s" if elapsed > 0 and job.written else ""

    with click.progressbar(
        length=count,
        label="inspections",
        show_eta=True,
        show_percent=True,
        item_show_func=rate,
    ) as bar:
        for written in job.chunks():
            db.session.commit()
            bar.update(written, written)
    job.finish()
    db.session.commit()
    elapsed = time.monotonic() - started
    click.echo(
        f"wrote {job.written:,} inspections ({job.corrections:,} of them corrections) in "
        f"{elapsed:.1f} s, {job.written / max(elapsed, 1e-9):,.0f} inspections/s"
    )
    click.echo("Synthetic sign-ins (username / password):")
    for username, password in job.logins:
        click.echo(f"  {username:<18} {password}")
