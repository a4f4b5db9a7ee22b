"""Indexes for the dashboard lists' keyset pagination (docs/dashboards.md, "Pages").

Each list pages on an order an index answers, so the first and the hundredth page cost the
same at any table size (bench/bench_dashboard_lists.py). The existing indexes did not cover
these orders (checked with EXPLAIN on a synthetic history before adding them):
* ``inspection (captured_at, id)``: the inspections and findings lists, newest or oldest
  first within a period. Without it both engines read every inspection of the district
  (through ``merchant.region_id`` → ``inspection.merchant_id``) and sorted them: a page cost
  grew with the district's whole history. The exports' and the map's period scans use it too.
* ``merchant (name, id)``: merchants by name.
* ``instrument (valid_until, id)``: instruments by verification date.
* ``merchant_grade (grade, merchant_id)``: merchants by grade; SQLite's ``ix_merchant_grade_grade``
  already ends in the rowid (``merchant_id``), PostgreSQL's does not.

Reviewed by hand: four ``CREATE INDEX`` and their drops; no data changes.

Revision ID: c9f1e3a5b7d2
Revises: a7d3e9c1b5f2
Create Date: 2026-11-30 02:10:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9f1e3a5b7d2'
down_revision = 'a7d3e9c1b5f2'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_inspection_captured_at_id', 'inspection', ['captured_at', 'id']),
    ('ix_merchant_name_id', 'merchant', ['name', 'id']),
    ('ix_instrument_valid_until_id', 'instrument', ['valid_until', 'id']),
    ('ix_merchant_grade_grade_merchant_id', 'merchant_grade', ['grade', 'merchant_id']),
)


def upgrade():
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
