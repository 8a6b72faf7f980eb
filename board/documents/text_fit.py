"""Line breaking between words, and column widths that follow the content.

A table column is at least as wide as its longest word (so no word is ever
broken in the middle) and otherwise gets a share of the page in proportion to
how much text it holds, but never more than its longest line needs. The same
numbers serve the .docx (where Word or LibreOffice breaks the lines) and the
PDF (where `wrap` breaks them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Measure = Callable[[str], float]  # a word's width in points (fonts.TextMeasure)
_SPACES = re.compile(r"[ \t\u00a0]+")

# A "word" wider than this share of the page (a long web address) is the one
# thing that may be broken: no column could hold it whole beside the others.
MAX_WORD_SHARE = 0.35
SHORT_COLUMN_SHARE = 0.1


def words(line: str) -> list[str]:
    return [w for w in _SPACES.split(line) if w]


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """The lines of `text` at `width` points: its own line breaks kept, each
    paragraph broken between words. A word wider than `width` is cut (only a
    word wider than MAX_WORD_SHARE of the page can be)."""
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.splitlines():
        current: list[str] = []
        used = 0.0
        for word in words(paragraph):
            w = measure(word)
            if w > width:
                if current:
                    lines.append(" ".join(current))
                pieces = _cut(word, width, measure)
                lines.extend(pieces[:-1])
                current, used = [pieces[-1]], measure(pieces[-1])
                continue
            if current and used + space + w > width:
                lines.append(" ".join(current))
                current, used = [word], w
            else:
                used += (space if current else 0) + w
                current.append(word)
        lines.append(" ".join(current))
    return lines


def _cut(word: str, width: float, measure: Measure) -> list[str]:
    pieces, start = [], 0
    for end in range(1, len(word) + 1):
        if measure(word[start:end]) > width and end - 1 > start:
            pieces.append(word[start : end - 1])
            start = end - 1
    pieces.append(word[start:])
    return pieces


@dataclass
class ColumnContent:
    """What a column must hold: its longest word and line, and its amount of
    text (the sum of its texts' widths, in points)."""

    longest_word: float = 0.0
    longest_line: float = 0.0
    amount: float = 0.0
    weight: float = 1.0  # > 1 for the column that should get the spare room

    def add(self, text: str, measure: Measure) -> None:
        if not text:
            return
        space = measure(" ")
        for line in text.splitlines():
            widths = [measure(w) for w in words(line)]
            if not widths:
                continue
            self.longest_word = max(self.longest_word, max(widths))
            width = sum(widths) + space * (len(widths) - 1)
            self.longest_line = max(self.longest_line, width)
            self.amount += width

    def add_all(self, texts: Iterable[str], measure: Measure) -> None:
        for text in texts:
            self.add(text, measure)


def fit_widths(columns: list[ColumnContent], total: float, padding: float) -> list[float]:
    """Widths (points, padding included) that add up to `total`: each column
    gets its longest word, then the rest is shared by amount of text (times
    weight), no column above its longest line; what a full column can't use
    goes to the others."""
    cap = total * MAX_WORD_SHARE
    floor = [min(c.longest_word, cap) + padding for c in columns]
    ceiling = [max(c.longest_line + padding, f) for c, f in zip(columns, floor, strict=True)]
    # A column of short texts (a fase, a vurdering) gets its longest line: a
    # one-word cell broken over two lines saves nothing.
    short = total * SHORT_COLUMN_SHARE
    widths = [ceiling[i] if ceiling[i] <= short else floor[i] for i in range(len(columns))]
    if sum(widths) > total:
        widths = floor[:]
    if sum(floor) >= total:  # more columns than room: shrink evenly
        scale = total / sum(floor)
        return [w * scale for w in floor]
    open_ = {i for i in range(len(columns)) if ceiling[i] > widths[i]}
    spare = total - sum(widths)
    while spare > 0.01 and open_:
        shares = {i: max(columns[i].amount, 1.0) * columns[i].weight for i in open_}
        whole = sum(shares.values())
        given = 0.0
        for i in list(open_):
            extra = spare * shares[i] / whole
            room = ceiling[i] - widths[i]
            if extra >= room:
                extra = room
                open_.discard(i)
            widths[i] += extra
            given += extra
        spare -= given
        if given < 0.01:
            break
    if spare > 0.01:  # every column holds its longest line: widen by amount
        whole = sum(max(c.amount, 1.0) * c.weight for c in columns)
        widths = [
            w + spare * max(c.amount, 1.0) * c.weight / whole
            for w, c in zip(widths, columns, strict=True)
        ]
    return widths
