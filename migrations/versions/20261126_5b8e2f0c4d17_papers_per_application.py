"""exam paper items belong to the application and the paper as shown is stored: papers are drawn ahead, so
starting is one INSERT

Revision ID: 5b8e2f0c4d17
Revises: c4e7a1b95d20
Create Date: 2026-11-26 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8e2f0c4d17'
down_revision = 'c4e7a1b95d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('total_points', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['exam_applications.id'], name=op.f('fk_exam_papers_application_id_exam_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_papers')),
    sa.UniqueConstraint('application_id', name=op.f('uq_exam_papers_application_id'))
    )
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True))
    op.execute("UPDATE exam_paper_items SET application_id = (SELECT exam_attempts.application_id "
               "FROM exam_attempts WHERE exam_attempts.id = exam_paper_items.attempt_id)")
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_exam_paper_items_attempt_id', type_='unique')
        batch_op.drop_constraint('fk_exam_paper_items_attempt_id_exam_attempts', type_='foreignkey')
        batch_op.drop_column('attempt_id')
        batch_op.create_unique_constraint(batch_op.f('uq_exam_paper_items_application_id'),
                                          ['application_id', 'question_id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_paper_items_application_id_exam_applications'),
                                    'exam_applications', ['application_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.drop_table('exam_papers')
    # Papers drawn ahead for candidates who have not started have no attempt to belong to: they go.
    op.execute("DELETE FROM exam_paper_items WHERE NOT EXISTS (SELECT 1 FROM exam_attempts "
               "WHERE exam_attempts.application_id = exam_paper_items.application_id)")
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt_id', sa.Integer(), nullable=True))
    op.execute("UPDATE exam_paper_items SET attempt_id = (SELECT exam_attempts.id "
               "FROM exam_attempts WHERE exam_attempts.application_id = exam_paper_items.application_id)")
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.alter_column('attempt_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_exam_paper_items_application_id', type_='unique')
        batch_op.drop_constraint('fk_exam_paper_items_application_id_exam_applications', type_='foreignkey')
        batch_op.drop_column('application_id')
        batch_op.create_unique_constraint(batch_op.f('uq_exam_paper_items_attempt_id'), ['attempt_id', 'question_id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_paper_items_attempt_id_exam_attempts'),
                                    'exam_attempts', ['attempt_id'], ['id'], ondelete='CASCADE')
