"""registry access: coordinator categories, platforms' service areas, regional targets

Revision ID: c4e7a1b95d20
Revises: fd186eab8907
Create Date: 2026-11-26 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a1b95d20'
down_revision = 'fd186eab8907'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registry_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('negotiation_instructor', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('party_member', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('union_cadre', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('platform_service_areas',
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_platform_service_areas_enterprise_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['organizations.id'], name=op.f('fk_platform_service_areas_platform_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform_id', 'enterprise_id', name=op.f('pk_platform_service_areas'))
    )
    with op.batch_alter_table('platform_service_areas', schema=None) as batch_op:
        batch_op.create_index('ix_platform_service_areas_enterprise_id', ['enterprise_id'], unique=False)

    op.create_table('registry_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('coordinators', sa.Integer(), nullable=False),
    sa.Column('coverage_share', sa.Float(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('coverage_share >= 0 AND coverage_share <= 1', name=op.f('ck_registry_targets_share_0_to_1')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_registry_targets_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_targets')),
    sa.UniqueConstraint('scope', 'year', name=op.f('uq_registry_targets_scope'))
    )


def downgrade():
    op.drop_table('registry_targets')
    with op.batch_alter_table('platform_service_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_platform_service_areas_enterprise_id')
    op.drop_table('platform_service_areas')
    with op.batch_alter_table('registry_entries', schema=None) as batch_op:
        batch_op.drop_column('union_cadre')
        batch_op.drop_column('party_member')
        batch_op.drop_column('negotiation_instructor')
