"""person photos: each person's ID photo (证件照) uploads, checked by staff before certificates, admission tickets
and sign-in sheets print them

Revision ID: 3d9a6c1e52f4
Revises: 757e777d2b01
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d9a6c1e52f4'
down_revision = '757e777d2b01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')", name=op.f('ck_person_photos_status_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_person_photos_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_person_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_person_photos_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_photos'))
    )
    with op.batch_alter_table('person_photos', schema=None) as batch_op:
        batch_op.create_index('ix_person_photos_status', ['status', 'id'], unique=False)
        batch_op.create_index('ix_person_photos_user_status', ['user_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('person_photos', schema=None) as batch_op:
        batch_op.drop_index('ix_person_photos_user_status')
        batch_op.drop_index('ix_person_photos_status')

    op.drop_table('person_photos')
