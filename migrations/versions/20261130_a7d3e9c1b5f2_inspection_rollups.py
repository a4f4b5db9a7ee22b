"""Read models of the dashboards: daily rollups of current inspections and their findings.

Four new tables, filled from the inspections already stored so that a database upgraded with
data has rollups equal to its raw rows from the first request on:
* ``inspection_rollup``: per district, local day, market and form (``market_key`` 0 = the
  merchant is in no market): inspections, failed, findings by severity S0..S4, findings
  with a geotag;
* ``inspection_rollup_by_form`` and ``inspection_rollup_by_market``: the same counts summed
  over markets, or over forms (what the dashboard summary reads);
* ``finding_rollup``: findings per district, local day, violation code and severity.

The counting rule is frozen here as SQL: the day is ``captured_at``'s date in Asia/Shanghai,
only current inspections count (none supersedes them), district and market are the
merchant's. On PostgreSQL the day is ``AT TIME ZONE 'Asia/Shanghai'``; SQLite has no time
zone data, so the migration lends it a Python function (zoneinfo) for the backfill.
``flask rollups verify`` checks the same rule against the application's own code afterwards.

The downgrade drops the tables; ``flask rollups rebuild`` recomputes them from the raw rows.

Reviewed by hand: autogenerate's tables (composite primary keys, named constraints), plus the
backfill, which autogenerate cannot write.

Revision ID: a7d3e9c1b5f2
Revises: f6c2d8b0e4a3
Create Date: 2026-11-30 09:12:00.000000
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3e9c1b5f2'
down_revision = 'f6c2d8b0e4a3'
branch_labels = None
depends_on = None

_ZONE = ZoneInfo("Asia/Shanghai")
_COUNTS = (
    "inspections", "failed", "findings_s0", "findings_s1", "findings_s2", "findings_s3",
    "findings_s4", "located_findings",
)


def _count_columns():
    return [sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS]


def _region_fk(table):
    return sa.ForeignKeyConstraint(
        ['region_id'], ['region.id'], name=op.f(f'fk_{table}_region_id_region')
    )


def upgrade():
    op.create_table('inspection_rollup',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('market_key', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=False),
    *_count_columns(),
    _region_fk('inspection_rollup'),
    sa.PrimaryKeyConstraint('region_id', 'day', 'market_key', 'form_key', name=op.f('pk_inspection_rollup'))
    )
    op.create_table('inspection_rollup_by_form',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=False),
    *_count_columns(),
    _region_fk('inspection_rollup_by_form'),
    sa.PrimaryKeyConstraint('region_id', 'day', 'form_key', name=op.f('pk_inspection_rollup_by_form'))
    )
    op.create_table('inspection_rollup_by_market',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('market_key', sa.Integer(), nullable=False),
    *_count_columns(),
    _region_fk('inspection_rollup_by_market'),
    sa.PrimaryKeyConstraint('region_id', 'day', 'market_key', name=op.f('pk_inspection_rollup_by_market'))
    )
    op.create_table('finding_rollup',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('located_findings', sa.Integer(), nullable=False),
    _region_fk('finding_rollup'),
    sa.PrimaryKeyConstraint('region_id', 'day', 'code', 'severity', name=op.f('pk_finding_rollup'))
    )
    _backfill()


def _sqlite_local_day(value):
    """The Asia/Shanghai date of a UTC timestamp as SQLite stores it (naive text)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return moment.astimezone(_ZONE).date().isoformat()


def _backfill():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.connection.driver_connection.create_function(
            "rollup_local_day", 1, _sqlite_local_day, deterministic=True
        )
        day = "rollup_local_day(i.captured_at)"
    else:
        day = "CAST((i.captured_at AT TIME ZONE 'Asia/Shanghai') AS DATE)"
    current = "NOT EXISTS (SELECT 1 FROM inspection c WHERE c.supersedes_id = i.id)"
    severities = ", ".join(
        f"SUM(CASE WHEN severity = {n} THEN 1 ELSE 0 END) AS s{n}" for n in range(5)
    )
    sums = ", ".join(f"SUM(COALESCE(f.s{n}, 0))" for n in range(5))
    op.execute(
        f"""
        INSERT INTO inspection_rollup (region_id, day, market_key, form_key, {", ".join(_COUNTS)})
        SELECT m.region_id, {day}, COALESCE(m.market_id, 0), i.form_key, COUNT(*),
               SUM(CASE WHEN i.verdict = 'fail' THEN 1 ELSE 0 END), {sums},
               SUM(CASE WHEN i.lat IS NOT NULL THEN COALESCE(f.n, 0) ELSE 0 END)
        FROM inspection i
        JOIN merchant m ON m.id = i.merchant_id
        LEFT JOIN (SELECT inspection_id, {severities}, COUNT(*) AS n
                   FROM finding GROUP BY inspection_id) f ON f.inspection_id = i.id
        WHERE {current}
        GROUP BY m.region_id, {day}, COALESCE(m.market_id, 0), i.form_key
        """
    )
    totals = ", ".join(f"SUM({name})" for name in _COUNTS)
    for table, key in (
        ("inspection_rollup_by_form", "form_key"),
        ("inspection_rollup_by_market", "market_key"),
    ):
        op.execute(
            f"""
            INSERT INTO {table} (region_id, day, {key}, {", ".join(_COUNTS)})
            SELECT region_id, day, {key}, {totals} FROM inspection_rollup
            GROUP BY region_id, day, {key}
            """
        )
    op.execute(
        f"""
        INSERT INTO finding_rollup (region_id, day, code, severity, findings, located_findings)
        SELECT m.region_id, {day}, f.code, f.severity, COUNT(*),
               SUM(CASE WHEN i.lat IS NOT NULL THEN 1 ELSE 0 END)
        FROM finding f
        JOIN inspection i ON i.id = f.inspection_id
        JOIN merchant m ON m.id = i.merchant_id
        WHERE {current}
        GROUP BY m.region_id, {day}, f.code, f.severity
        """
    )


def downgrade():
    op.drop_table('finding_rollup')
    op.drop_table('inspection_rollup_by_market')
    op.drop_table('inspection_rollup_by_form')
    op.drop_table('inspection_rollup')
