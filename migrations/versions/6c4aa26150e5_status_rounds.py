"""status rounds

A board's status rounds (title, status date, deadline, when opened and
closed, the report a closed round published) and one item per tiltag in a
round (its round text, vurdering, confirmed column, completion).

Revision ID: 6c4aa26150e5
Revises: 53d72bac5fc8
Create Date: 2026-12-01 13:07:32.703928

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c4aa26150e5'
down_revision = '53d72bac5fc8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status_date', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_status_rounds_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_status_rounds_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_status_rounds_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['published_reports.id'], name=op.f('fk_status_rounds_report_id_published_reports'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_rounds'))
    )
    with op.batch_alter_table('status_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_status_rounds_board', ['board_id', 'closed_at'], unique=False)

    op.create_table('round_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('status_text', sa.Text(), nullable=False),
    sa.Column('health', sa.String(length=10), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("health IS NULL OR health IN ('groen', 'gul', 'roed')", name=op.f('ck_round_items_health_valid')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_round_items_completed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_round_items_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['status_rounds.id'], name=op.f('fk_round_items_round_id_status_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_items')),
    sa.UniqueConstraint('round_id', 'initiative_id', name='round_item_once')
    )
    with op.batch_alter_table('round_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_items_initiative_id'), ['initiative_id'], unique=False)



def downgrade():
    with op.batch_alter_table('round_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_items_initiative_id'))

    op.drop_table('round_items')
    with op.batch_alter_table('status_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_status_rounds_board')

    op.drop_table('status_rounds')
