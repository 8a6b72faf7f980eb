"""What text the database can store, decided before it is written, so that
SQLite and PostgreSQL take and refuse the same values.

PostgreSQL refuses a string longer than its VARCHAR(n), a NUL character and
a lone surrogate (half of a UTF-16 pair, which no UTF-8 text contains but a
crafted JSON "\\ud800" or a Python string can); SQLite stores the first two
and fails on the third with an encoding error. Both would otherwise be a
500. So every flush checks the text columns of the rows it writes: the
model's own lengths are the limits (one source of truth), and a value that
breaks them is a `Refused` (422) with the field's Danish name. Domain
functions with a friendlier message of their own check first (comments,
share links, the importer's plan); this is the rule none of them can forget.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from .errors import Refused

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# (table, column) -> the field's name in Danish, for the message.
LABELS = {
    ("boards", "title"): "Tavlens navn",
    ("boards", "theme_label"): "Betegnelsen for det øverste niveau",
    ("boards", "objective_label"): "Betegnelsen for målsætningsniveauet",
    ("boards", "description"): "Tavlens beskrivelse",
    ("themes", "title"): "Pejlemærket",
    ("objectives", "number"): "Målsætningens nummer",
    ("objectives", "title"): "Målsætningen",
    ("initiatives", "title"): "Titlen",
    ("initiatives", "description"): "Beskrivelsen",
    ("initiatives", "timeline"): "Iværksættelse",
    ("initiatives", "status_note"): "Status",
    ("initiatives", "responsible"): "Ansvarlig",
    ("users", "name"): "Navnet",
    ("users", "email"): "E-mailadressen",
    ("comments", "body"): "Kommentaren",
    ("comments", "redaction_reason"): "Begrundelsen",
    ("share_links", "label"): "Betegnelsen",
    ("published_reports", "title"): "Rapportens titel",
}


def unstorable(text: str) -> bool:
    """True for text with a character no database here can store."""
    return UNSTORABLE.search(text) is not None


def check_row(obj) -> None:
    """Refused (422) for a text column of `obj` too long for its column or
    holding a character that cannot be stored."""
    mapper = sa.inspect(obj).mapper
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not isinstance(column.type, sa.String) or column.table is None:
            continue
        value = getattr(obj, prop.key, None)
        if not isinstance(value, str):
            continue
        label = LABELS.get((column.table.name, column.name), "Teksten")
        if unstorable(value):
            raise Refused(
                f"{label} indeholder et tegn, der ikke kan gemmes (et NUL-tegn eller en "
                "ufuldstændig tegnkode). Fjern det, og prøv igen.",
                422,
                field=prop.key,
            )
        if column.type.length is not None and len(value) > column.type.length:
            raise Refused(
                f"{label} må højst være {column.type.length:,} tegn.".replace(",", "."),
                422,
                field=prop.key,
            )


def _before_flush(session, _flush_context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)


_installed = False


def install() -> None:
    """Check every flush of every session (once per process)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
