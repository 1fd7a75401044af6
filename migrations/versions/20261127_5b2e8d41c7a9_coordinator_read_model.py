"""coordinator read model: registry_coordinators, one row per coordinator with their highest level, organization
and the region they count in, filled from certificates, registry records, people and organizations

Revision ID: 5b2e8d41c7a9
Revises: 3d9a6c1e52f4
Create Date: 2026-11-27 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2e8d41c7a9'
down_revision = '3d9a6c1e52f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registry_coordinators',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('organization_kind', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_registry_coordinators_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registry_coordinators_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_registry_coordinators'))
    )
    with op.batch_alter_table('registry_coordinators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_coordinators_organization_id'), ['organization_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_registry_coordinators_region_code'), ['region_code'], unique=False)
    # Everyone who is a coordinator today (registry/coordinators.py keeps it in step from now on).
    op.execute("""
        INSERT INTO registry_coordinators (user_id, level, organization_id, organization_kind, region_code)
        SELECT levels.user_id, levels.level, users.organization_id, coalesce(organizations.kind, 'none'),
               coalesce(organizations.region_code, substr(users.id_number, 1, 6))
        FROM (SELECT user_id, min(level) AS level FROM (
                  SELECT holder_user_id AS user_id, level FROM certificates
                  WHERE kind = 'level' AND status = 'valid' AND holder_user_id IS NOT NULL
                  UNION ALL
                  SELECT user_id, level FROM registry_entries) AS facts
              GROUP BY user_id) AS levels
        JOIN users ON users.id = levels.user_id
        LEFT OUTER JOIN organizations ON organizations.id = users.organization_id
    """)


def downgrade():
    with op.batch_alter_table('registry_coordinators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_coordinators_region_code'))
        batch_op.drop_index(batch_op.f('ix_registry_coordinators_organization_id'))
    op.drop_table('registry_coordinators')
