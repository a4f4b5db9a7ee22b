"""User session generation: sign-out and password change end every copy of a session.

Reviewed by hand: one NOT NULL integer with a server default of 0, so existing rows need no
data step; existing session cookies (which carry no generation) are refused once and their
users sign in again.

Revision ID: c3f5d2e8a614
Revises: cd463d14f118
Create Date: 2026-11-29 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3f5d2e8a614'
down_revision = 'cd463d14f118'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
