"""board search: full-text indexes over the cards' texts and comments

PostgreSQL: GIN expression indexes with the Danish configuration; the
expressions must stay equal to `CARD_DOCUMENT` and `COMMENT_DOCUMENT` in
board/boards/search.py, or the planner will not use them. PostgreSQL keeps
them in step with the rows by itself.

SQLite: an FTS5 table `initiative_search` (rowid = card id) with the card's
texts and its visible comments, filled from the existing rows and kept in
step by triggers: every insert and every change of a searched column of a
card, and every insert, update and delete of a comment, rewrites the card's
row in the same transaction. A move (stage, position) touches no searched
column and fires nothing. A later migration that rebuilds `initiatives` or
`comments` in batch mode (SQLite's copy-and-rename) drops these triggers and
must create them again (tests/test_board_search.py checks they exist).

Revision ID: ffe892f280e7
Revises: 30be73306ddc
Create Date: 2026-12-01 12:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "ffe892f280e7"
down_revision = "30be73306ddc"
branch_labels = None
depends_on = None

CARD_DOCUMENT = (
    "to_tsvector('danish'::regconfig, "
    "title || ' ' || description || ' ' || timeline || ' ' || status_note)"
)
COMMENT_DOCUMENT = "to_tsvector('danish'::regconfig, body)"

# The card's row in the FTS table, rebuilt from the card and its visible comments.
SQLITE_ROW = """
    INSERT INTO initiative_search (rowid, title, description, timeline, status, comments)
    SELECT i.id, i.title, i.description, i.timeline, i.status_note,
           coalesce((SELECT group_concat(c.body, ' ') FROM comments c
                     WHERE c.initiative_id = i.id AND c.deleted_at IS NULL
                       AND c.redacted_at IS NULL), '')
    FROM initiatives i{where};
"""


def _refresh(card: str) -> str:
    return f"DELETE FROM initiative_search WHERE rowid = {card};" + SQLITE_ROW.format(where=f" WHERE i.id = {card}")


SQLITE_TRIGGERS = {
    "initiative_search_card_insert": (
        "AFTER INSERT ON initiatives", _refresh("new.id")),
    "initiative_search_card_update": (
        "AFTER UPDATE OF title, description, timeline, status_note ON initiatives",
        _refresh("new.id")),
    "initiative_search_card_delete": (
        "AFTER DELETE ON initiatives", "DELETE FROM initiative_search WHERE rowid = old.id;"),
    "initiative_search_comment_insert": (
        "AFTER INSERT ON comments", _refresh("new.initiative_id")),
    "initiative_search_comment_update": (
        "AFTER UPDATE ON comments", _refresh("old.initiative_id") + _refresh("new.initiative_id")),
    "initiative_search_comment_delete": (
        "AFTER DELETE ON comments", _refresh("old.initiative_id")),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_initiatives_search ON initiatives USING gin ({CARD_DOCUMENT})")
        op.execute(f"CREATE INDEX ix_comments_search ON comments USING gin ({COMMENT_DOCUMENT})")
        return
    op.execute(
        "CREATE VIRTUAL TABLE initiative_search USING fts5("
        "title, description, timeline, status, comments, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    for name, (when, body) in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    op.execute(SQLITE_ROW.format(where=""))  # the cards there are already


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comments_search")
        op.execute("DROP INDEX IF EXISTS ix_initiatives_search")
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS initiative_search")
