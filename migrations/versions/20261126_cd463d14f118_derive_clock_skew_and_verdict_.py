"""Derive clock skew and verdict discrepancy instead of storing them.

Both follow from columns of the same never-updated row (captured_at − received_at > 5 min;
client_verdict ≠ verdict), so they became properties of the model. Reviewed by hand: the
downgrade recomputes the two columns from those same columns, so nothing is lost either way.

Revision ID: cd463d14f118
Revises: a2778ae39830
Create Date: 2026-11-26 15:50:42.067298
"""
from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

revision = 'cd463d14f118'
down_revision = 'a2778ae39830'
branch_labels = None
depends_on = None

CLOCK_SKEW_LIMIT = timedelta(minutes=5)


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('verdict_discrepancy')
        batch_op.drop_column('clock_skew')


def _aware(value):
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('clock_skew', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column('verdict_discrepancy', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    inspection = sa.table(
        'inspection',
        sa.column('id', sa.Integer),
        sa.column('captured_at', sa.DateTime(timezone=True)),
        sa.column('received_at', sa.DateTime(timezone=True)),
        sa.column('verdict', sa.String),
        sa.column('client_verdict', sa.String),
        sa.column('clock_skew', sa.Boolean),
        sa.column('verdict_discrepancy', sa.Boolean),
    )
    op.execute(
        inspection.update()
        .where(inspection.c.client_verdict.is_not(None))
        .where(inspection.c.client_verdict != inspection.c.verdict)
        .values(verdict_discrepancy=True)
    )
    # Date arithmetic differs between SQLite and PostgreSQL: compare in Python.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(inspection.c.id, inspection.c.captured_at, inspection.c.received_at)
    ).all()
    skewed = [
        row.id for row in rows
        if _aware(row.captured_at) - _aware(row.received_at) > CLOCK_SKEW_LIMIT
    ]
    if skewed:
        op.execute(
            inspection.update().where(inspection.c.id.in_(skewed)).values(clock_skew=True)
        )
