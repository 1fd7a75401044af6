"""region codes below the county: organizations.region_code holds 6, 9 or 12 digits; region_names table

Revision ID: b7e41c2d9a60
Revises: 7d1e4c2a9b30
Create Date: 2026-11-26 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e41c2d9a60'
down_revision = '7d1e4c2a9b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_names',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region_names'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organizations_region_code_six_digits'), type_='check')
        batch_op.alter_column('region_code', existing_type=sa.String(length=6), type_=sa.String(length=12),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_organizations_region_code_length'),
                                         'length(region_code) IN (6, 9, 12)')


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organizations_region_code_length'), type_='check')
        batch_op.alter_column('region_code', existing_type=sa.String(length=12), type_=sa.String(length=6),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_organizations_region_code_six_digits'),
                                         'length(region_code) = 6')
    op.drop_table('region_names')
