"""initiative owner and vurdering

A tiltag's owner (a user, set to NULL when the user row goes) and its
vurdering (groen / gul / roed or NULL), guarded by a CHECK constraint.

Revision ID: 1fcb4d6acf29
Revises: 976d55a9a4f3
Create Date: 2026-12-01 12:20:21.295687

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1fcb4d6acf29"
down_revision = "976d55a9a4f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("health", sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f("ix_initiatives_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_initiatives_owner_id_users"),
            "users",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "health_valid", "health IS NULL OR health IN ('groen', 'gul', 'roed')"
        )


def downgrade():
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_constraint("health_valid", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_initiatives_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_initiatives_owner_id"))
        batch_op.drop_column("health")
        batch_op.drop_column("owner_id")
