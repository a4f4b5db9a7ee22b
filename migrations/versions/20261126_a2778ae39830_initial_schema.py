"""Initial schema: places, instruments, users and devices, inspections, audit, change log.

Reviewed by hand: UTCDateTime rendered as plain sa.DateTime(timezone=True) so the migration
does not import application code; enums are non-native (CHECK constraints) on both engines.

Revision ID: a2778ae39830
Revises: 
Create Date: 2026-11-26 14:00:30.902400

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2778ae39830'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('code', name=op.f('uq_region_code'))
    )
    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('op', sa.Enum('upsert', 'delete', name='change_op', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_change_log_region_id_region')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_region_seq', ['region_id', 'seq'], unique=False)

    op.create_table('market',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=False),
    sa.Column('lon', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=False),
    sa.Column('geofence_radius_m', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_market_lat_lon_together')),
    sa.CheckConstraint('geofence_radius_m > 0 AND geofence_radius_m <= 5000', name=op.f('ck_market_radius')),
    sa.CheckConstraint('lat IS NULL OR (lat >= -90 AND lat <= 90)', name=op.f('ck_market_lat_range')),
    sa.CheckConstraint('lon IS NULL OR (lon >= -180 AND lon <= 180)', name=op.f('ck_market_lon_range')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_market_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market')),
    sa.UniqueConstraint('code', name=op.f('uq_market_code'))
    )
    with op.batch_alter_table('market', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_region_id'), ['region_id'], unique=False)

    op.create_table('merchant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('stall', 'optical_shop', 'grocery', 'packer', name='merchant_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('stall_no', sa.String(length=32), nullable=True),
    sa.Column('lat', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
    sa.Column('lon', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_merchant_lat_lon_together')),
    sa.CheckConstraint('lat IS NULL OR (lat >= -90 AND lat <= 90)', name=op.f('ck_merchant_lat_range')),
    sa.CheckConstraint('lon IS NULL OR (lon >= -180 AND lon <= 180)', name=op.f('ck_merchant_lon_range')),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_merchant_market_id_market')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_merchant_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant')),
    sa.UniqueConstraint('uscc', name=op.f('uq_merchant_uscc'))
    )
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_market_id'), ['market_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merchant_region_id'), ['region_id'], unique=False)

    op.create_table('instrument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('qr_token', sa.String(length=64), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('price_computing_scale', 'platform_scale', 'dial_scale', 'steelyard', 'focimeter', 'refractometer', 'trial_lens_set', name='instrument_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('make', sa.String(length=100), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('serial', sa.String(length=100), nullable=True),
    sa.Column('accuracy_class', sa.String(length=4), nullable=True),
    sa.Column('max_capacity', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('min_capacity', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('e_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('d_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('certificate_no', sa.String(length=64), nullable=True),
    sa.Column('verifying_body', sa.String(length=200), nullable=True),
    sa.Column('verified_at', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('in_service', 'repair_order', 'condemned', 'seized', 'retired', name='instrument_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("accuracy_class IS NULL OR accuracy_class IN ('I', 'II', 'III', 'IIII')", name=op.f('ck_instrument_accuracy_class')),
    sa.CheckConstraint('d_value IS NULL OR d_value > 0', name=op.f('ck_instrument_d_positive')),
    sa.CheckConstraint('e_value IS NULL OR e_value > 0', name=op.f('ck_instrument_e_positive')),
    sa.CheckConstraint('length(qr_token) >= 22', name=op.f('ck_instrument_qr_token_entropy')),
    sa.CheckConstraint('max_capacity IS NULL OR max_capacity > 0', name=op.f('ck_instrument_max_positive')),
    sa.CheckConstraint('min_capacity IS NULL OR min_capacity >= 0', name=op.f('ck_instrument_min_non_negative')),
    sa.CheckConstraint('valid_until IS NULL OR verified_at IS NULL OR valid_until >= verified_at', name=op.f('ck_instrument_valid_after_verified')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_instrument_merchant_id_merchant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument')),
    sa.UniqueConstraint('code', name=op.f('uq_instrument_code')),
    sa.UniqueConstraint('qr_token', name=op.f('uq_instrument_qr_token'))
    )
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.Enum('admin', 'supervisor', 'inspector', 'merchant', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'merchant') = (merchant_id IS NOT NULL)", name=op.f('ck_user_merchant_link_iff_merchant')),
    sa.CheckConstraint("locale IS NULL OR locale IN ('zh_CN', 'en')", name=op.f('ck_user_locale')),
    sa.CheckConstraint("role NOT IN ('inspector', 'supervisor') OR region_id IS NOT NULL", name=op.f('ck_user_staff_have_region')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_user_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_user_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_region_id'), ['region_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('exif_taken_at', sa.String(length=32), nullable=True),
    sa.Column('exif_lat', sa.Float(), nullable=True),
    sa.Column('exif_lon', sa.Float(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('exif_lat IS NULL OR (exif_lat >= -90 AND exif_lat <= 90)', name=op.f('ck_attachment_lat')),
    sa.CheckConstraint('exif_lon IS NULL OR (exif_lon >= -180 AND exif_lon <= 180)', name=op.f('ck_attachment_lon')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_attachment_size_positive')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_attachment_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('sha256', name=op.f('uq_attachment_sha256'))
    )
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('length(entry_hash) = 64', name=op.f('ck_audit_entry_entry_hash_length')),
    sa.CheckConstraint('length(prev_hash) = 64', name=op.f('ck_audit_entry_prev_hash_length')),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_entry_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_entry_entry_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_entry_prev_hash'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)

    op.create_table('device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_device_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_device_token_sha256'))
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_user_id'), ['user_id'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('altitude_m', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('geotag_status', sa.Enum('ok', 'far', 'imprecise', 'suspect', 'missing', 'no_reference', name='geotag_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('geotag_distance_m', sa.Float(), nullable=True),
    sa.Column('clock_skew', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('evaluation', sa.JSON(), nullable=False),
    sa.Column('verdict', sa.Enum('pass', 'fail', name='verdict', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('client_verdict', sa.String(length=16), nullable=True),
    sa.Column('verdict_discrepancy', sa.Boolean(), nullable=False),
    sa.Column('review_state', sa.Enum('received', 'approved', 'has_issues', 'rejected', name='review_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_inspection_lat_lon_together')),
    sa.CheckConstraint('accuracy_m IS NULL OR accuracy_m >= 0', name=op.f('ck_inspection_accuracy_non_negative')),
    sa.CheckConstraint('lat IS NULL OR (lat >= -90 AND lat <= 90)', name=op.f('ck_inspection_lat_range')),
    sa.CheckConstraint('length(content_sha256) = 64', name=op.f('ck_inspection_content_sha256_length')),
    sa.CheckConstraint('lon IS NULL OR (lon >= -180 AND lon <= 180)', name=op.f('ck_inspection_lon_range')),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_inspection_device_id_device')),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_inspector_id_user')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_inspection_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_inspection_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['inspection.id'], name=op.f('fk_inspection_supersedes_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_inspection_supersedes_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_inspection_uuid'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_received_at'), ['received_at'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('domain', sa.Enum('INSTR', 'TRANS', 'MGMT', name='finding_domain', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('extent', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('needs_alert', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('extent >= 1 AND extent <= 5', name=op.f('ck_finding_extent_range')),
    sa.CheckConstraint('severity >= 0 AND severity <= 4', name=op.f('ck_finding_severity_range')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_finding_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_finding_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_finding_merchant_id_merchant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_needs_alert'), ['needs_alert'], unique=False)

    op.create_table('inspection_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('field_path', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_attachment_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_attachment')),
    sa.UniqueConstraint('inspection_id', 'sha256', name='uq_inspection_sha256')
    )
    with op.batch_alter_table('inspection_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_attachment_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_attachment_sha256'), ['sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('inspection_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_inspection_attachment_inspection_id'))

    op.drop_table('inspection_attachment')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_needs_alert'))
        batch_op.drop_index(batch_op.f('ix_finding_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_finding_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_finding_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_finding_code'))

    op.drop_table('finding')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_received_at'))
        batch_op.drop_index(batch_op.f('ix_inspection_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_device_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_user_id'))

    op.drop_table('device')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))

    op.drop_table('audit_entry')
    op.drop_table('attachment')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_region_id'))
        batch_op.drop_index(batch_op.f('ix_user_merchant_id'))

    op.drop_table('user')
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_merchant_id'))

    op.drop_table('instrument')
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_region_id'))
        batch_op.drop_index(batch_op.f('ix_merchant_market_id'))

    op.drop_table('merchant')
    with op.batch_alter_table('market', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_region_id'))

    op.drop_table('market')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_region_seq')

    op.drop_table('change_log')
    op.drop_table('region')
