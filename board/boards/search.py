"""Search on the board (`?q=`): which cards of a board match, in one query,
and the matched words marked in what a card shows.

A card matches when every search word is found in its title, description,
iværksættelse (`timeline`), status text or one of its visible comments
(deleted and redacted ones never; comments not at all for a share link that
hides them). Each word matches as a prefix, so the box finds cards while a
word is still being typed.

* PostgreSQL: full-text search with the Danish configuration, so
  "planlægning" also finds "planlægningen" (both stem to "planlægning").
  Two GIN expression indexes (migration ffe892f280e7) serve it: one on the
  card's text (`CARD_DOCUMENT`, written here and in the migration alike: the
  planner uses the index only for the same expression) and one on
  `comments.body`. Expression indexes need nothing kept in step: PostgreSQL
  updates them with the row.
* SQLite: an FTS5 table `initiative_search` (rowid = card id, one column
  per text plus all visible comments in one), kept in step by triggers on
  `initiatives` and `comments` (same migration), so every write, by the app or
  by hand, updates it in its own transaction. FTS5 has no Danish stemmer; the
  prefix match finds "planlægningen" for "planlægning" all the same.

Search words are letters and digits only (anything else separates words),
so no search syntax of either database can be typed into the box.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlalchemy as sa
from markupsafe import Markup, escape

from ..database import is_postgresql
from ..extensions import db

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8

# The SQLite FTS5 table and its shadow tables: not models (test_schema.py
# and migrations/env.py leave them out of the comparison).
FTS_TABLE = "initiative_search"
FTS_COLUMNS = ("title", "description", "timeline", "status", "comments")

# The card's text on PostgreSQL; the migration's index is on exactly this.
CARD_DOCUMENT = (
    "to_tsvector('danish'::regconfig, "
    "title || ' ' || description || ' ' || timeline || ' ' || status_note)"
)
COMMENT_DOCUMENT = "to_tsvector('danish'::regconfig, body)"
SEARCH_INDEXES = ("ix_initiatives_search", "ix_comments_search")


def is_search_object(name: str | None, type_: str) -> bool:
    """Is this table or index the search's own (not a model)? For schema
    comparisons (tests/test_schema.py; migrations/env.py has the same rule)."""
    if type_ == "table":
        return bool(name) and name.startswith(FTS_TABLE)
    return type_ == "index" and name in SEARCH_INDEXES


_WORD = re.compile(r"[^\W_]+")


def clean_query(raw: str | None) -> str:
    """The search text as the box shows it again: trimmed, at most
    MAX_QUERY_LENGTH characters (a longer one is cut, not refused)."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def search_terms(text: str) -> tuple[str, ...]:
    """The words searched for (lower case, no duplicates, at most MAX_TERMS)."""
    terms: list[str] = []
    for word in _WORD.findall(text.casefold()):
        if word not in terms:
            terms.append(word)
    return tuple(terms[:MAX_TERMS])


def matching_ids(board_id: int, terms: tuple[str, ...], *, comments: bool = True) -> frozenset:
    """Ids of the board's cards (archived ones included; the board leaves
    those out anyway) that match all `terms`: one query."""
    if not terms:
        return frozenset()
    if is_postgresql():
        return _matching_postgresql(board_id, terms, comments)
    return _matching_sqlite(board_id, terms, comments)


def _matching_postgresql(board_id: int, terms, comments: bool) -> frozenset:
    # 'word':* is a prefix match on the stemmed word; a stop word ("og")
    # drops out of the query. The words are letters and digits only.
    query = " & ".join(f"'{term}':*" for term in terms)
    sql = (
        "SELECT id FROM initiatives WHERE board_id = :board "
        f"AND {CARD_DOCUMENT} @@ to_tsquery('danish'::regconfig, :query)"
    )
    if comments:
        sql += (
            " UNION SELECT c.initiative_id FROM comments c"
            " JOIN initiatives i ON i.id = c.initiative_id"
            " WHERE i.board_id = :board AND c.deleted_at IS NULL AND c.redacted_at IS NULL"
            f" AND {COMMENT_DOCUMENT.replace('body', 'c.body')}"
            " @@ to_tsquery('danish'::regconfig, :query)"
        )
    rows = db.session.execute(sa.text(sql), {"board": board_id, "query": query})
    return frozenset(row[0] for row in rows)


def _matching_sqlite(board_id: int, terms, comments: bool) -> frozenset:
    expression = " ".join(f'"{term}"*' for term in terms)
    if not comments:
        expression = "{title description timeline status} : (" + expression + ")"
    # The FTS table answers the MATCH by itself (an inner query); joined
    # row by row to the cards instead, SQLite would look each card up in it.
    rows = db.session.execute(
        sa.text(
            "SELECT id FROM initiatives WHERE board_id = :board AND id IN "
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :expression)"
        ),
        {"board": board_id, "expression": expression},
    )
    return frozenset(row[0] for row in rows)


@lru_cache(maxsize=256)
def _marker(terms: tuple[str, ...]) -> re.Pattern:
    """A pattern for the words that match `terms`: a word that begins with a
    term (the prefix match), or a whole word that is the term with a Danish
    ending of up to four letters taken off (what the stemmer matches on
    PostgreSQL: "planlægning" for "planlægningen"). It runs over escaped
    text, so a word right after "&" or "#" (an entity: "&amp;", "&#39;") is
    never one."""
    alternatives = []
    for term in terms:
        alternatives.append(re.escape(term) + r"[^\W_]*")
        for length in range(len(term) - 1, max(3, len(term) - 4) - 1, -1):
            alternatives.append(re.escape(term[:length]) + r"(?![^\W_])")
    return re.compile(r"(?<![^\W_])(?<![&#])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _marked(found: re.Match) -> str:
    return f"<mark>{found.group()}</mark>"


def mark(text: str, terms) -> Markup | str:
    """`text` escaped, with each matching word in <mark>; `text` unchanged
    when there is no search or nothing in it matches (the board marks every
    card's title and status line, so that case must cost next to nothing)."""
    if not terms or not text:
        return text
    marker = _marker(tuple(terms))
    if marker.search(text) is None:
        return text
    return Markup(marker.sub(_marked, str(escape(text))))
