"""exam applications: work start date and the prior certificate's issue date and level

Revision ID: 7d1e4c2a9b30
Revises: 1f44d3b31a81
Create Date: 2026-11-26 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d1e4c2a9b30'
down_revision = '1f44d3b31a81'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('prior_certificate_issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('prior_certificate_level', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('exam_applications', schema=None) as batch_op:
        batch_op.drop_column('prior_certificate_level')
        batch_op.drop_column('prior_certificate_issued_on')
        batch_op.drop_column('work_started_on')
