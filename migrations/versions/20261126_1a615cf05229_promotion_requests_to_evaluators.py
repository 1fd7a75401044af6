"""promotion requests to evaluators: a competition's rule whether promotion needs the lower certificate, the
reason a promotion is not eligible, and certificate issue requests from a source (the committee asks an accredited
evaluator, the evaluator issues)

Revision ID: 1a615cf05229
Revises: 5b8e2f0c4d17
Create Date: 2026-11-26 14:46:47.887267

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a615cf05229'
down_revision = '5b8e2f0c4d17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_source_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('source_key', sa.String(length=120), nullable=False),
    sa.Column('source_title', sa.String(length=200), nullable=False),
    sa.Column('source_detail', sa.String(length=200), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('evidence_link', sa.String(length=300), nullable=True),
    sa.Column('requester_organization_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('issuer_organization_id', sa.Integer(), nullable=False),
    sa.Column('holder_user_id', sa.Integer(), nullable=True),
    sa.Column('holder_name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=30), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_certificate_source_requests_status_known')),
    sa.CheckConstraint('level BETWEEN 1 AND 4', name=op.f('ck_certificate_source_requests_level_1_to_4')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_source_requests_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_certificate_source_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['holder_user_id'], ['users.id'], name=op.f('fk_certificate_source_requests_holder_user_id_users')),
    sa.ForeignKeyConstraint(['issuer_organization_id'], ['organizations.id'], name=op.f('fk_certificate_source_requests_issuer_organization_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_certificate_source_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['requester_organization_id'], ['organizations.id'], name=op.f('fk_certificate_source_requests_requester_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_source_requests')),
    sa.UniqueConstraint('source_key', name=op.f('uq_certificate_source_requests_source_key'))
    )
    with op.batch_alter_table('certificate_source_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_source_requests_holder_user_id'), ['holder_user_id'], unique=False)
        batch_op.create_index('ix_certificate_source_requests_issuer_status', ['issuer_organization_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_source_requests_requester_organization_id'), ['requester_organization_id'], unique=False)
        batch_op.create_index('ix_certificate_source_requests_source', ['source_type', 'source_id'], unique=False)

    with op.batch_alter_table('competition_rewards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ineligible_reason', sa.String(length=200), nullable=True))

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promotion_requires_certificate', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('promotion_requires_certificate')

    with op.batch_alter_table('competition_rewards', schema=None) as batch_op:
        batch_op.drop_column('ineligible_reason')

    with op.batch_alter_table('certificate_source_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_source_requests_source')
        batch_op.drop_index(batch_op.f('ix_certificate_source_requests_requester_organization_id'))
        batch_op.drop_index('ix_certificate_source_requests_issuer_status')
        batch_op.drop_index(batch_op.f('ix_certificate_source_requests_holder_user_id'))

    op.drop_table('certificate_source_requests')
