"""Retired QR tokens and consumer reports.

Two new tables, nothing changed in place, so the upgrade needs no data step and the downgrade
loses only what these tables hold:
* ``retired_qr_token``: a label token replaced by "Replace label", so the old label's public
  page can say "replaced" (410) instead of "unknown" (404).
* ``report``: a shopper's report from an instrument's public page, with an unguessable tracking
  code; the reporter's optional phone number is for the district's supervisors only. The
  CHECKs keep a closed report's outcome complete (a dismissal has a reason, a link has an
  inspection) and ``closed_at`` set exactly when the status is not ``received``.

Reviewed by hand: autogenerate's output, with the UTC column type written as the plain
``DateTime(timezone=True)`` it renders to, as in the earlier migrations.

Revision ID: d4a8c2f1e907
Revises: b7e1a9c40d21
Create Date: 2026-11-29 22:24:11.385913
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4a8c2f1e907'
down_revision = 'b7e1a9c40d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('retired_qr_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('qr_token', sa.String(length=64), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_retired_qr_token_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user.id'], name=op.f('fk_retired_qr_token_retired_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retired_qr_token')),
    sa.UniqueConstraint('qr_token', name=op.f('uq_retired_qr_token_qr_token'))
    )
    with op.batch_alter_table('retired_qr_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_qr_token_instrument_id'), ['instrument_id'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=32), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('short_weight', 'tampered_display', 'no_verification_mark', 'non_legal_unit', 'other', name='report_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('claimed_weight_g', sa.Numeric(precision=12, scale=1), nullable=True),
    sa.Column('found_weight_g', sa.Numeric(precision=12, scale=1), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('reporter_phone', sa.String(length=32), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('received', 'dismissed', 'inspection_planned', 'linked', name='report_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('linked_inspection_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'received') = (closed_at IS NULL)", name=op.f('ck_report_closed_iff_not_received')),
    sa.CheckConstraint("status != 'dismissed' OR outcome_reason IS NOT NULL", name=op.f('ck_report_dismissal_has_reason')),
    sa.CheckConstraint("status != 'linked' OR linked_inspection_id IS NOT NULL", name=op.f('ck_report_link_has_inspection')),
    sa.CheckConstraint('claimed_weight_g IS NULL OR claimed_weight_g > 0', name=op.f('ck_report_claimed_positive')),
    sa.CheckConstraint('found_weight_g IS NULL OR found_weight_g >= 0', name=op.f('ck_report_found_non_negative')),
    sa.CheckConstraint('length(description) <= 500', name=op.f('ck_report_description_length')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_report_closed_by_id_user')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_report_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['linked_inspection_id'], ['inspection.id'], name=op.f('fk_report_linked_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_report_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_report_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_report_tracking_code'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_status'))
        batch_op.drop_index(batch_op.f('ix_report_region_id'))
        batch_op.drop_index(batch_op.f('ix_report_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_report_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_report_created_at'))

    op.drop_table('report')
    with op.batch_alter_table('retired_qr_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_qr_token_instrument_id'))

    op.drop_table('retired_qr_token')
