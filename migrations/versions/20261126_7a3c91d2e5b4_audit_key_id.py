"""audit log: key id of the seal (keyed HMAC chain)

Records written before this revision keep key_id NULL and their plain SHA-256 hashes; they are verified as the
legacy part of the chain. The first record written afterwards is an `audit.chain_upgraded` record sealed with the
key, which covers the last legacy hash (see lrc_training/core/audit.py). No row is rewritten: the log stays
append-only.

Revision ID: 7a3c91d2e5b4
Revises: 3560d6e65950
Create Date: 2026-11-26 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c91d2e5b4'
down_revision = '3560d6e65950'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.drop_column('key_id')
