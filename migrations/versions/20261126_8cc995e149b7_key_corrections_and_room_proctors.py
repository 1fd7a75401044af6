"""answer-key corrections of a session (the re-grade's changes, certificates flagged for review), the revision a
correction replaces, a proctor per room of a session, and paper items indexed by question

Revision ID: 8cc995e149b7
Revises: 1a615cf05229
Create Date: 2026-11-26 14:44:25.888857

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8cc995e149b7'
down_revision = '1a615cf05229'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_room_proctors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_exam_room_proctors_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_exam_room_proctors_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_room_proctors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_room_proctors')),
    sa.UniqueConstraint('session_id', 'room', name='uq_exam_room_proctors_session_room')
    )
    with op.batch_alter_table('exam_room_proctors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_room_proctors_user_id'), ['user_id'], unique=False)

    op.create_table('exam_key_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('old_revision_id', sa.Integer(), nullable=False),
    sa.Column('new_revision_id', sa.Integer(), nullable=False),
    sa.Column('old_answer', sa.JSON(), nullable=False),
    sa.Column('new_answer', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('after_publication', sa.Boolean(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reviews_open', sa.Integer(), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exam_key_corrections_created_by_id_users')),
    sa.ForeignKeyConstraint(['new_revision_id'], ['question_revisions.id'], name=op.f('fk_exam_key_corrections_new_revision_id_question_revisions')),
    sa.ForeignKeyConstraint(['old_revision_id'], ['question_revisions.id'], name=op.f('fk_exam_key_corrections_old_revision_id_question_revisions')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_exam_key_corrections_question_id_questions')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_exam_key_corrections_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_exam_key_corrections_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_key_corrections'))
    )
    with op.batch_alter_table('exam_key_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_key_corrections_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_key_corrections_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrects_revision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_question_revisions_corrects_revision_id_question_revisions'), 'question_revisions', ['corrects_revision_id'], ['id'])

    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.create_index('ix_exam_paper_items_question_id', ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_paper_items_question_id')

    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_revisions_corrects_revision_id_question_revisions'), type_='foreignkey')
        batch_op.drop_column('corrects_revision_id')

    with op.batch_alter_table('exam_key_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_key_corrections_session_id'))
        batch_op.drop_index(batch_op.f('ix_exam_key_corrections_question_id'))

    op.drop_table('exam_key_corrections')
    with op.batch_alter_table('exam_room_proctors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_room_proctors_user_id'))

    op.drop_table('exam_room_proctors')
