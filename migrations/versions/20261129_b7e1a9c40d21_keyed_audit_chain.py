"""Keyed audit chain: HMAC entry hashes, record hashes on inspection.create, a head checkpoint.

Why: the chain hashed each entry with plain sha256, so anyone able to write the database could
edit an entry and recompute every hash after it; the inspections themselves were not covered
(an edited verdict or deleted findings left the chain intact); and deleting the last entries
left a valid, shorter chain. See docs/decisions.md ("Audit you can trust").

Upgrade, reviewed by hand:

1. Verify the existing chain with the old rule (sha256 of the canonical JSON of the entry) and
   stop, changing nothing, if any entry fails: re-sealing a tampered chain under the key would
   launder it. Run the previous release's `flask audit verify` to see the entry.
2. Create the one-row table ``audit_checkpoint`` and an index on ``audit_entry.entity_id``.
3. Re-seal every entry with HMAC-SHA256 (RFC 2104) under ``AUDIT_KEY``, read from the app's
   config (Flask-Migrate runs migrations inside the application context), adding
   ``record_sha256`` to each ``inspection.create`` entry from the inspection as stored now.
   Records are protected from this upgrade on; what was changed before it cannot be told.
   A create entry whose inspection no longer exists is sealed without a record hash and
   logged; `flask audit verify` then reports the deletion, so it is not hidden either.
4. Write the checkpoint (head entry id, entry count, head hash, their HMAC).

Downgrade: verify the keyed chain (MACs, links, record hashes, checkpoint) and stop if it
fails, for the same reason; re-seal with the old rule, dropping ``record_sha256``; drop the
index and the table.

Self-contained on purpose: the rules below are frozen copies of the application's at this
revision (entry payload; record = these inspection columns plus sorted findings), so a later
change to the application cannot change what this migration computes. Entries are read and
rewritten in batches, so memory stays flat on a long ledger.

Revision ID: b7e1a9c40d21
Revises: c3f5d2e8a614
Create Date: 2026-11-29 23:40:00
"""
import hashlib
import hmac
import json
import logging
from datetime import UTC

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = 'b7e1a9c40d21'
down_revision = 'c3f5d2e8a614'
branch_labels = None
depends_on = None

logger = logging.getLogger('alembic.runtime.migration')

GENESIS = '0' * 64
CREATE = 'inspection.create'
BATCH = 500

audit_entry = sa.table(
    'audit_entry',
    sa.column('id', sa.Integer),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('entity', sa.String),
    sa.column('entity_id', sa.String),
    sa.column('detail', sa.JSON),
    sa.column('prev_hash', sa.String),
    sa.column('entry_hash', sa.String),
)
checkpoint = sa.table(
    'audit_checkpoint',
    sa.column('id', sa.Integer),
    sa.column('entry_id', sa.Integer),
    sa.column('entry_count', sa.Integer),
    sa.column('entry_hash', sa.String),
    sa.column('mac', sa.String),
)
# The record: inspection columns fixed at receipt (not review_state) and its findings.
inspection = sa.table(
    'inspection',
    sa.column('id', sa.Integer),
    sa.column('uuid', sa.String),
    sa.column('form_key', sa.String),
    sa.column('form_version', sa.Integer),
    sa.column('inspector_id', sa.Integer),
    sa.column('device_id', sa.Integer),
    sa.column('merchant_id', sa.Integer),
    sa.column('instrument_id', sa.Integer),
    sa.column('started_at', sa.DateTime(timezone=True)),
    sa.column('captured_at', sa.DateTime(timezone=True)),
    sa.column('received_at', sa.DateTime(timezone=True)),
    sa.column('lat', sa.Float),
    sa.column('lon', sa.Float),
    sa.column('altitude_m', sa.Float),
    sa.column('accuracy_m', sa.Float),
    sa.column('geotag_status', sa.String),
    sa.column('geotag_distance_m', sa.Float),
    sa.column('answers', sa.JSON),
    sa.column('content_sha256', sa.String),
    sa.column('evaluation', sa.JSON),
    sa.column('verdict', sa.String),
    sa.column('client_verdict', sa.String),
    sa.column('supersedes_id', sa.Integer),
)
finding = sa.table(
    'finding',
    sa.column('inspection_id', sa.Integer),
    sa.column('code', sa.String),
    sa.column('domain', sa.String),
    sa.column('severity', sa.Integer),
    sa.column('extent', sa.Integer),
    sa.column('merchant_id', sa.Integer),
    sa.column('instrument_id', sa.Integer),
    sa.column('evidence', sa.JSON),
    sa.column('needs_alert', sa.Boolean),
)


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False)


def _iso(value):
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat(timespec='microseconds')


def _plain(value):
    return _iso(value) if hasattr(value, 'isoformat') else value


def _payload(prev_hash, row, detail):
    return _canonical({
        'prev_hash': prev_hash,
        'at': _iso(row.at),
        'actor_id': row.actor_id,
        'action': row.action,
        'entity': row.entity,
        'entity_id': row.entity_id,
        'detail': detail,
    }).encode()


def _legacy_hash(prev_hash, row, detail):
    return hashlib.sha256(_payload(prev_hash, row, detail)).hexdigest()


def _keyed_hash(key):
    def entry_hash(prev_hash, row, detail):
        return hmac.new(key, _payload(prev_hash, row, detail), hashlib.sha256).hexdigest()
    return entry_hash


def _checkpoint_mac(key, entry_id, entry_count, entry_hash):
    payload = {'checkpoint': {'entry_id': entry_id, 'count': entry_count, 'hash': entry_hash}}
    return hmac.new(key, _canonical(payload).encode(), hashlib.sha256).hexdigest()


def _key():
    key = current_app.config.get('AUDIT_KEY')
    if not key:
        raise RuntimeError('AUDIT_KEY is not configured: set it before migrating the audit chain')
    return str(key).encode()


def _batches(bind):
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(audit_entry).where(audit_entry.c.id > last_id)
            .order_by(audit_entry.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _record_digests(bind, rows):
    """``{uuid: sha256}`` of the stored inspections the create entries among ``rows`` name."""
    uuids = [r.entity_id for r in rows if r.action == CREATE and r.entity_id]
    if not uuids:
        return {}
    records = bind.execute(sa.select(inspection).where(inspection.c.uuid.in_(uuids))).all()
    if not records:
        return {}
    findings = {}
    for f in bind.execute(
        sa.select(finding).where(finding.c.inspection_id.in_([r.id for r in records]))
    ).mappings():
        body = {k: _plain(v) for k, v in f.items() if k != 'inspection_id'}
        findings.setdefault(f['inspection_id'], []).append(_canonical(body))
    digests = {}
    for r in records:
        body = {k: _plain(v) for k, v in r._mapping.items() if k != 'id'}
        body['findings'] = sorted(findings.get(r.id, []))
        digests[r.uuid] = hashlib.sha256(_canonical(body).encode()).hexdigest()
    return digests


def _first_problem(bind, entry_hash, check_records):
    """``(bad id, reason, count, head id, head hash)``; ``bad id`` is None when all pass."""
    prev, count, head = GENESIS, 0, None
    for rows in _batches(bind):
        digests = _record_digests(bind, rows) if check_records else {}
        for row in rows:
            count += 1
            if row.prev_hash != prev:
                return row.id, 'prev_hash does not match the previous entry', count, head, prev
            if not hmac.compare_digest(entry_hash(row.prev_hash, row, row.detail), row.entry_hash):
                return row.id, 'content does not match its hash', count, head, prev
            if check_records and row.action == CREATE:
                expected = row.detail.get('record_sha256')
                stored = digests.get(row.entity_id)
                if stored is None:
                    return row.id, f'inspection {row.entity_id} deleted', count, head, prev
                if expected != stored:
                    reason = f'inspection {row.entity_id} differs from its record_sha256'
                    return row.id, reason, count, head, prev
            prev, head = row.entry_hash, row.id
    return None, None, count, head, prev


def _reseal(bind, entry_hash, with_records):
    """Rewrite every entry's hashes (and create details) under ``entry_hash``; the new head."""
    update = (
        audit_entry.update()
        .where(audit_entry.c.id == sa.bindparam('b_id'))
        .values(
            prev_hash=sa.bindparam('b_prev'),
            entry_hash=sa.bindparam('b_hash'),
            detail=sa.bindparam('b_detail', type_=sa.JSON),
        )
    )
    prev, count, head = GENESIS, 0, None
    for rows in _batches(bind):
        digests = _record_digests(bind, rows) if with_records else {}
        changes = []
        for row in rows:
            detail = {k: v for k, v in row.detail.items() if k != 'record_sha256'}
            if with_records and row.action == CREATE:
                if row.entity_id in digests:
                    detail['record_sha256'] = digests[row.entity_id]
                else:
                    logger.warning(
                        'audit entry %s: inspection %s no longer exists; sealed without '
                        'record_sha256 (flask audit verify reports it)', row.id, row.entity_id,
                    )
            new_hash = entry_hash(prev, row, detail)
            changes.append(
                {'b_id': row.id, 'b_prev': prev, 'b_hash': new_hash, 'b_detail': detail}
            )
            prev, head, count = new_hash, row.id, count + 1
        bind.execute(update, changes)
    return head, count, prev


def _checkpoint_problem(bind, key, count, head_id, head_hash):
    saved = bind.execute(sa.select(checkpoint)).first()
    if saved is None:
        return (head_id, 'the audit checkpoint is missing') if head_id else (None, None)
    mac = _checkpoint_mac(key, saved.entry_id, saved.entry_count, saved.entry_hash)
    if not hmac.compare_digest(mac, saved.mac):
        return saved.entry_id, 'the audit checkpoint does not match its MAC'
    if (saved.entry_id, saved.entry_count, saved.entry_hash) != (head_id, count, head_hash):
        return saved.entry_id, 'the chain does not end where the checkpoint says'
    return None, None


def upgrade():
    bind = op.get_bind()
    key = _key()
    bad_id, reason, *_ = _first_problem(bind, _legacy_hash, check_records=False)
    if bad_id is not None:
        raise RuntimeError(
            f'audit chain broken at entry {bad_id} ({reason}) under the unkeyed rule: refusing '
            'to re-seal it under AUDIT_KEY, which would hide the change. Investigate it with '
            'the previous release (flask audit verify) before upgrading.'
        )
    op.create_table(
        'audit_checkpoint',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('entry_count', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=64), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            'entry_count >= 1', name=op.f('ck_audit_checkpoint_entry_count_positive')
        ),
        sa.CheckConstraint('id = 1', name=op.f('ck_audit_checkpoint_single_row')),
        sa.CheckConstraint(
            'length(entry_hash) = 64', name=op.f('ck_audit_checkpoint_entry_hash_length')
        ),
        sa.CheckConstraint('length(mac) = 64', name=op.f('ck_audit_checkpoint_mac_length')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint')),
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_entity_id'), ['entity_id'], unique=False)
    head, count, head_hash = _reseal(bind, _keyed_hash(key), with_records=True)
    if head is not None:
        bind.execute(checkpoint.insert().values(
            id=1, entry_id=head, entry_count=count, entry_hash=head_hash,
            mac=_checkpoint_mac(key, head, count, head_hash),
        ))
        logger.info('Audit head: entry %d, %d entries, hash %s', head, count, head_hash)


def downgrade():
    bind = op.get_bind()
    key = _key()
    bad_id, reason, count, head_id, head_hash = _first_problem(
        bind, _keyed_hash(key), check_records=True
    )
    if bad_id is None:
        bad_id, reason = _checkpoint_problem(bind, key, count, head_id, head_hash)
    if bad_id is not None:
        raise RuntimeError(
            f'audit chain broken at entry {bad_id} ({reason}) under AUDIT_KEY: refusing to '
            're-seal it under the unkeyed rule, which would hide the change. Run '
            'flask audit verify.'
        )
    _reseal(bind, _legacy_hash, with_records=False)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_entity_id'))
    op.drop_table('audit_checkpoint')
