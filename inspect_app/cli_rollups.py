"""``flask rollups verify | rebuild``: the dashboard read models against the raw rows.

    flask rollups verify [--region CODE]    exit 1 listing every row that differs
    flask rollups rebuild [--region CODE]   replace the rollups by a recomputation

See docs/dashboards.md ("Checking the read models").
"""

from __future__ import annotations

import click
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Region
from inspect_app.services import rollup_check

#: At most this many differences are printed (the count is always given).
SHOWN = 50

_region_option = click.option(
    "--region", "region_code", metavar="CODE", help="One district (its code); default all."
)


def _region_id(code: str | None) -> int | None:
    if code is None:
        return None
    region_id = db.session.scalar(select(Region.id).where(Region.code == code))
    if region_id is None:
        raise click.BadParameter(f"no district with code {code!r}", param_hint="--region")
    return region_id


@click.group("rollups")
def rollups_group() -> None:
    """Dashboard read models (daily rollups of current inspections)."""


@rollups_group.command("verify")
@_region_option
def rollups_verify(region_code: str | None) -> None:
    """Recompute the rollups from the raw rows; exit 1 listing every difference."""
    drifts = rollup_check.verify(_region_id(region_code))
    db.session.rollback()
    if not drifts:
        click.echo("rollups match the raw rows")
        return
    click.echo(f"rollups DRIFT: {len(drifts)} row(s) differ from the raw rows", err=True)
    for drift in drifts[:SHOWN]:
        click.echo(f"  {drift.describe()}", err=True)
    if len(drifts) > SHOWN:
        click.echo(f"  … and {len(drifts) - SHOWN} more", err=True)
    click.echo("`flask rollups rebuild` replaces them by the recomputation.", err=True)
    raise SystemExit(1)


@rollups_group.command("rebuild")
@_region_option
def rollups_rebuild(region_code: str | None) -> None:
    """Replace the rollups (of one district, or all) by a recomputation from the raw rows."""
    written = rollup_check.rebuild(_region_id(region_code))
    db.session.commit()
    click.echo(f"rollups rebuilt: {written} row(s) written")
