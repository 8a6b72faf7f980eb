"""Cleaning one table cell copied from Word: markup, lists, and words split
by hyphenation at a line end. Pure functions, no app imports.

A cell becomes a list of paragraphs. What the cleaning guessed is returned
as Danish notes, so the preview can show it to the user.
"""

from __future__ import annotations

import html
import re

LOWER = "a-zæøåéü"
# "arbejds-gange": a hyphen between two lower-case letters inside a word is
# almost always Word's hyphenation at a line end ("e-mail" is the exception
# the preview asks about).
_SPLIT_WORD = re.compile(rf"\b([\w§]*[{LOWER}])-([{LOWER}][\w]*)")
# An italic sentence that ends a paragraph after ordinary text ("IV.
# Kommunalt tilsyn ... <i>Der er kommunal tilsynsforpligtelse ...</i>") is a
# paragraph of its own.
_TRAILING_ITALIC = re.compile(r"(?<=\S)\s*<i>\s*([A-ZÆØÅ][^<]*)</i>\s*(?=</p>|$)")
_TAG = re.compile(r"<[^>]*>")


def _paragraph_breaks(raw: str) -> str:
    text = _TRAILING_ITALIC.sub(lambda m: "\n\n" + m.group(1), raw)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</?p(?:\s[^>]*)?>", "\n\n", text)
    text = re.sub(r"(?i)<li(?:\s[^>]*)?>", "\n- ", text)
    text = re.sub(r"(?i)</?(?:ul|ol)(?:\s[^>]*)?>", "\n\n", text)
    return html.unescape(_TAG.sub("", text))


def _lists(paragraph: str) -> list[str]:
    """ "- a - b" and "Fokus på bl.a.: - a - b" are bullet lists."""
    if paragraph.startswith("- "):
        return ["- " + item for item in re.split(r"\s+-\s+", paragraph[2:]) if item]
    match = re.match(r"^(.*?:)\s+-\s+(.+)$", paragraph)
    if match:
        return [match.group(1)] + ["- " + i for i in re.split(r"\s+-\s+", match.group(2)) if i]
    return [paragraph]


def join_split_words(text: str, notes: list[str] | None = None) -> str:
    def repair(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        joined = f"{left}- {right}" if right in ("og", "eller") else left + right
        if notes is not None:
            notes.append(f"Muligt orddelt ord: «{left}-{right}» er læst som «{joined}»")
        return joined

    return _SPLIT_WORD.sub(repair, text)


def word_cell(raw: str, notes: list[str] | None = None) -> list[str]:
    """A cell of text copied from Word: its paragraphs, without markup, with
    inline lists split into items and hyphenated words joined."""
    paragraphs = []
    for block in _paragraph_breaks(raw or "").split("\n"):
        block = re.sub(r"\s+", " ", block).strip()
        if not re.search(r"\w", block):  # "-" or "–" alone: the cell is empty
            continue
        for item in _lists(block):
            paragraphs.append(join_split_words(item, notes))
    return paragraphs


def unescape_formula(text: str) -> str:
    """Remove the apostrophe our .csv export puts before text that a
    spreadsheet would read as a formula (cells and header alike)."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def plain_cell(raw: str) -> list[str]:
    """A cell of a .csv/.xlsx file: its lines, otherwise untouched (but for
    the apostrophe our .csv export puts before text that looks like a
    formula)."""
    raw = unescape_formula(raw or "")
    return [line.strip() for line in raw.splitlines() if line.strip()]


def starts_lower(paragraphs: list[str]) -> bool:
    return bool(paragraphs) and paragraphs[0][:1].islower()


def continue_paragraphs(before: list[str], more: list[str]) -> list[str]:
    """Text that went on after a page break: its first paragraph continues the
    last one before ("kon-" + "sulentvirksomhed", "kurser i" + "recovery..."),
    the rest are paragraphs of their own."""
    if not before:
        return list(more)
    if not more:
        return list(before)
    last, first = before[-1], more[0]
    if last.endswith("-") and first[:1].islower():
        joined = last[:-1] + first
    else:
        joined = f"{last} {first}"
    return before[:-1] + [joined] + more[1:]
