"""replay checkpoints: the cards' replayed state at a published report's
cutoff, so later point-in-time reports replay only the Events after it

Revision ID: 46a00e5b57e1
Revises: ffe892f280e7
Create Date: 2026-12-01 12:49:14.098430

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '46a00e5b57e1'
down_revision = "ffe892f280e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('replay_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('fields_key', sa.String(length=64), nullable=False),
    sa.Column('cards', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_replay_checkpoints_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replay_checkpoints'))
    )
    with op.batch_alter_table('replay_checkpoints', schema=None) as batch_op:
        batch_op.create_index('ix_replay_checkpoints_board_cutoff', ['board_id', 'cutoff'], unique=False)



def downgrade():
    with op.batch_alter_table('replay_checkpoints', schema=None) as batch_op:
        batch_op.drop_index('ix_replay_checkpoints_board_cutoff')

    op.drop_table('replay_checkpoints')
