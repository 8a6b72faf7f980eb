"""sign-in with the organisation (OIDC): users' subject, roles from groups

Revision ID: 30be73306ddc
Revises: 1fcb4d6acf29
Create Date: 2026-12-01 12:19:47.778164

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '30be73306ddc'
down_revision = '1fcb4d6acf29'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_role_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=255), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('leder', 'med')", name=op.f('ck_group_role_mappings_group_role_valid')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_group_role_mappings_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_role_mappings')),
    sa.UniqueConstraint('group', 'board_id', name='uq_group_role_mappings_group_board')
    )
    # Existing roles and admins were all given by hand: false.
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_group', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('admin_from_group', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint(batch_op.f('uq_users_oidc_subject'), ['oidc_subject'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oidc_subject'), type_='unique')
        batch_op.drop_column('admin_from_group')
        batch_op.drop_column('oidc_subject')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('from_group')

    op.drop_table('group_role_mappings')
