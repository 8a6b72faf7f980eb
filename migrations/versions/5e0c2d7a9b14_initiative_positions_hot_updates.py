"""initiative positions: updates that leave the index alone

A move shifts the positions of the cards between its old and new place
(one range UPDATE per column). With `position` in an index, every shifted
row is a new index entry in each of the table's indexes; without it,
PostgreSQL can update the rows in place ("HOT"), which needs free room on
the table's pages: hence the fillfactor. The board page still finds a
board's cards by (board_id, stage) and sorts the few thousand rows itself.
SQLite only gets the new index.

Revision ID: 5e0c2d7a9b14
Revises: 8cf5b7b5e3a4
Create Date: 2026-11-24 08:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "5e0c2d7a9b14"
down_revision = "8cf5b7b5e3a4"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_initiatives_board_stage_position", table_name="initiatives")
    op.create_index("ix_initiatives_board_stage", "initiatives", ["board_id", "stage"])
    if op.get_bind().dialect.name == "postgresql":
        # Applies to pages written from now on; existing ones fill up as rows move.
        op.execute("ALTER TABLE initiatives SET (fillfactor = 70)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE initiatives RESET (fillfactor)")
    op.drop_index("ix_initiatives_board_stage", table_name="initiatives")
    op.create_index(
        "ix_initiatives_board_stage_position", "initiatives", ["board_id", "stage", "position"]
    )
