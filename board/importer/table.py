"""The table as read from any source, before any rule applies: `RawTable`
(preamble, header, rows) and how its header row is found and widened. Shared
by sources.py and docx_source.py; no app imports but the refusal."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..errors import Refused
from ..text_rules import unstorable
from .roles import header_score

MAX_ROWS = 2000
MAX_COLUMNS = 12


PREVIEW_UNREADABLE = "Forhåndsvisningen kunne ikke læses. Start forfra."


KINDS = ("text", "csv", "xlsx", "docx")
# Rows searched for the header: a document may have a title block first.
HEADER_SEARCH_ROWS = 30


@dataclass
class RawRow:
    line: int  # 1-based line (text), row (spreadsheet) or table row (docx) number
    cells: list[str]
    after_break: bool = False
    continued: list[bool] = field(default_factory=list)  # cell merged with the one above
    heading: bool = False  # one cell across the whole table (a .docx section row)


@dataclass
class RawTable:
    kind: str  # "text" (pasted from Word: cleaned of markup), "csv", "xlsx" or "docx"
    header: list[str]
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what reading guessed, for the preview

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> RawTable:
        try:
            rows = [
                RawRow(
                    int(r["line"]),
                    [str(c) for c in r["cells"]],
                    bool(r["after_break"]),
                    [bool(c) for c in r.get("continued", [])],
                    bool(r.get("heading", False)),
                )
                for r in data["rows"]
            ]
            table = cls(
                kind=str(data["kind"]),
                header=[str(c) for c in data["header"]],
                rows=rows,
                preamble=[str(p) for p in data.get("preamble", [])],
                notes=[str(n) for n in data.get("notes", [])],
            )
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
            # e.g. a line of 1e400, or a row that is not an object
            raise Refused(PREVIEW_UNREADABLE, 400) from None
        if table.kind not in KINDS or len(table.header) > MAX_COLUMNS:
            raise Refused(PREVIEW_UNREADABLE, 400)
        if len(table.rows) > MAX_ROWS:
            raise Refused(PREVIEW_UNREADABLE, 400)
        texts = [
            *table.header,
            *table.preamble,
            *table.notes,
            *(c for r in table.rows for c in r.cells),
        ]
        if any(unstorable(text) for text in texts):  # a JSON "\u0000" or "\ud800"
            raise Refused(PREVIEW_UNREADABLE, 400)
        return table


def find_header(rows: list[list[str]]) -> tuple[int | None, bool]:
    """The index of the header row among the first rows, and whether it was
    recognised by its words: the first row of short cells naming at least two
    roles or a tiltag column; else the first row of two or more cells."""
    first_wide = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [t for c in cells if (t := re.sub(r"<[^>]+>", "", c).strip())]
        short = all(len(t) <= 80 for t in texts)
        if len(texts) >= 2 and short and header_score(cells) >= 2:
            return index, True
        if len(cells) == 1 and len(texts) == 1 and len(texts[0]) <= 40:
            if header_score(cells) >= 2:
                return index, True  # a one-column table headed "Tiltag"
        if len(texts) >= 2 and first_wide is None:
            first_wide = index
    if first_wide is None:
        return None, False
    return first_wide, header_score(rows[first_wide]) > 0


NO_TABLE = (
    "Der er ingen tabel med mindst to kolonner. Kopiér hele tabellen fra Word, "
    "med overskriftsrækken, eller vælg en fil med tabellen."
)


def widen_header(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[str]]:
    """The header without empty cells at its end, but as wide as the widest
    row's text: a column of text under no header is a column the leader
    names in the preview (and a note says so)."""
    used = max(
        [i + 1 for i, c in enumerate(header) if c.strip()]
        + [i + 1 for cells in rows for i, c in enumerate(cells) if c.strip()]
        + [0]
    )
    if used > MAX_COLUMNS:
        raise Refused(f"Tabellen har for mange kolonner (højst {MAX_COLUMNS}).", 422)
    named = max([i + 1 for i, c in enumerate(header) if c.strip()] + [0])
    header = (header + [""] * used)[:used]
    if used <= named:
        return header, []
    columns = ", ".join(str(n) for n in range(named + 1, used + 1))
    return header, [
        f"Nogle rækker har flere celler end overskriftsrækken: kolonne {columns} har ingen "
        "overskrift. Vælg, hvad de indeholder."
    ]


def header_guess_note(header: list[str]) -> str:
    names = ", ".join(f"«{re.sub(r'<[^>]+>', '', c).strip()}»" for c in header if c.strip())
    return (
        f"Ingen kendte kolonneoverskrifter; rækken {names} er læst som overskrift. "
        "Vælg, hvad hver kolonne indeholder."
    )


TOO_MANY_ROWS = f"Tabellen har for mange rækker (højst {MAX_ROWS})."
