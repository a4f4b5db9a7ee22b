"""Honesty-credit snapshots, current grades, inspection plans, and merchants' trading state.

New tables and one column with a default, so existing rows need no data step:
* ``credit_snapshot``: every computation of a merchant's grade with its inputs and rule version
  (append-only), and ``merchant_grade``: the latest one per merchant, for lists and filters.
* ``inspection_plan`` and ``inspection_plan_item``: a reproducible draw (seed and inputs kept)
  of the merchants to inspect on a date and the inspector drawn for each (双随机); one plan per
  district and day (unique), so two supervisors drawing at once cannot both win.
* ``merchant.is_active`` (default true): a closed business leaves the random draw.

The downgrade drops them; grades can be recomputed from the findings, plans cannot.

Reviewed by hand: autogenerate's output, with ``server_default=sa.true()`` (autogenerate wrote
``text('1')``, which PostgreSQL refuses for a boolean).

Revision ID: f6c2d8b0e4a3
Revises: e5b1c7a9d3f2
Create Date: 2026-11-30 01:14:57.972232
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f6c2d8b0e4a3'
down_revision = 'e5b1c7a9d3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rule_version', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('grade', sa.String(length=1), nullable=False),
    sa.Column('capped_by', sa.String(length=64), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.CheckConstraint("grade IN ('A', 'B', 'C', 'D', 'P')", name=op.f('ck_credit_snapshot_grade_letter')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 100)', name=op.f('ck_credit_snapshot_score_range')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_credit_snapshot_merchant_id_merchant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_snapshot'))
    )

    with op.batch_alter_table('credit_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_snapshot_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('inspection_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('plan_date', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('random_share', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('rule_version', sa.String(length=16), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('random_share >= 0 AND random_share <= 1', name=op.f('ck_inspection_plan_random_share_range')),
    sa.CheckConstraint('size > 0', name=op.f('ck_inspection_plan_size_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_plan_created_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_inspection_plan_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_plan')),
    sa.UniqueConstraint('region_id', 'plan_date', name='uq_inspection_plan_region_date')
    )

    with op.batch_alter_table('inspection_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_plan_plan_date'), ['plan_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_plan_region_id'), ['region_id'], unique=False)

    op.create_table('merchant_grade',
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=1), nullable=False),
    sa.Column('score', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("grade IN ('A', 'B', 'C', 'D', 'P')", name=op.f('ck_merchant_grade_grade_letter')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_merchant_grade_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_merchant_grade_region_id_region')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['credit_snapshot.id'], name=op.f('fk_merchant_grade_snapshot_id_credit_snapshot')),
    sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_merchant_grade'))
    )

    with op.batch_alter_table('merchant_grade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_grade_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_merchant_grade_region_id'), ['region_id'], unique=False)

    op.create_table('inspection_plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('selection', sa.Enum('risk', 'random', name='plan_selection', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('priority', sa.Numeric(precision=10, scale=4), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_plan_item_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_plan_item_inspector_id_user')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_inspection_plan_item_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['plan_id'], ['inspection_plan.id'], name=op.f('fk_inspection_plan_item_plan_id_inspection_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_plan_item')),
    sa.UniqueConstraint('plan_id', 'merchant_id', name='uq_plan_item_merchant'),
    sa.UniqueConstraint('plan_id', 'rank', name='uq_plan_item_rank')
    )

    with op.batch_alter_table('inspection_plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_plan_item_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_plan_item_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_plan_item_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.drop_column('is_active')

    with op.batch_alter_table('inspection_plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_plan_item_plan_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_plan_item_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_plan_item_inspector_id'))

    op.drop_table('inspection_plan_item')

    with op.batch_alter_table('merchant_grade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_grade_region_id'))
        batch_op.drop_index(batch_op.f('ix_merchant_grade_grade'))

    op.drop_table('merchant_grade')

    with op.batch_alter_table('inspection_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_plan_region_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_plan_plan_date'))

    op.drop_table('inspection_plan')

    with op.batch_alter_table('credit_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_snapshot_merchant_id'))

    op.drop_table('credit_snapshot')
