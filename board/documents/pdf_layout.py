"""reportlab helpers for meeting documents: an A4 landscape document whose
footer carries a text (title and date) and "Side X af Y", heading styles for
the board's levels, and `TextCell`, a table cell of pre-broken lines.

Why `TextCell` and not reportlab's Paragraph: a Paragraph re-breaks its
lines every time the table measures it (three or four times per cell), one
width look-up per word each time; a 2,000-row report spent seconds there.
`TextCell` breaks its lines once per width (text_fit.wrap, with the words'
widths cached) and draws them as plain text lines: what the status tables
need (bold, italic or regular paragraphs, never mixed inside one line).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from .fonts import PDF_BOLD, PDF_ITALIC, PDF_REGULAR, TextMeasure, register_pdf_fonts
from .text_fit import wrap

PAGE = landscape(A4)
MARGIN = 1.5 * cm
FOOTER_SIZE = 7.5
FONTS = {"regular": PDF_REGULAR, "bold": PDF_BOLD, "italic": PDF_ITALIC}


def frame_width() -> float:
    return PAGE[0] - 2 * MARGIN


def frame_height() -> float:
    return PAGE[1] - 2 * MARGIN


def _numbered_canvas(footer_left: str):
    """A canvas that writes "<footer_left>" and "Side X af Y" at the foot of
    every page: it keeps each page until the last is known (reportlab's
    documented two-pass pattern), then draws the totals and saves."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self.setFont(PDF_REGULAR, FOOTER_SIZE)
                self.setFillGray(0.25)
                y = MARGIN / 2
                self.drawString(MARGIN, y, footer_left)
                self.drawRightString(PAGE[0] - MARGIN, y, f"Side {number} af {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


@dataclass
class LandscapeDocument:
    """An A4 landscape PDF: `build(flowables)` returns its bytes."""

    title: str
    footer_left: str
    subject: str = ""
    author: str = ""
    lang: str = "da-DK"

    def build(self, flowables) -> bytes:
        import io

        register_pdf_fonts()
        out = io.BytesIO()
        template = BaseDocTemplate(
            out,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=self.title,
            subject=self.subject,
            author=self.author,
            creator=self.author,
            lang=self.lang,
        )
        frame = Frame(
            MARGIN,
            MARGIN,
            frame_width(),
            PAGE[1] - 2 * MARGIN,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        template.build(list(flowables), canvasmaker=_numbered_canvas(self.footer_left))
        return out.getvalue()


def styles(size: float = 9) -> dict[str, ParagraphStyle]:
    """Body text, the document's title, and headings for the board's levels
    (kept on the page of what follows them)."""
    register_pdf_fonts()
    body = ParagraphStyle(
        "body", fontName=PDF_REGULAR, fontSize=size, leading=size * 1.3, spaceAfter=size * 0.5
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=size * 0.85, leading=size * 1.1),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName=PDF_BOLD,
            fontSize=size * 2,
            leading=size * 2.4,
            spaceAfter=size * 0.3,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=size * 1.3, leading=size * 1.7, textColor="#333333"
        ),
        "heading1": ParagraphStyle(
            "heading1",
            parent=body,
            fontName=PDF_BOLD,
            fontSize=size * 1.45,
            leading=size * 1.8,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.4,
            keepWithNext=1,
        ),
        # A heading whose caller keeps it with what follows (CondPageBreak).
        "section": ParagraphStyle(
            "section",
            parent=body,
            fontName=PDF_BOLD,
            fontSize=size * 1.45,
            leading=size * 1.8,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.4,
        ),
        "heading2": ParagraphStyle(
            "heading2",
            parent=body,
            fontName=PDF_BOLD,
            fontSize=size * 1.15,
            leading=size * 1.5,
            spaceBefore=size * 0.6,
            spaceAfter=size * 0.3,
            keepWithNext=1,
        ),
    }


class TextCell(Flowable):
    """Paragraphs of one style each ("regular", "bold", "italic"), broken
    into lines between words once per width; splits between lines when a
    row is taller than a page."""

    def __init__(
        self,
        paragraphs: list[tuple[str, str]],
        size: float,
        leading: float,
        measures: dict[str, TextMeasure],
        *,
        gap: float = 1.5,
    ):
        super().__init__()
        self.paragraphs = [(style, text) for style, text in paragraphs if text and text.strip()]
        self.size, self.leading, self.measures, self.gap = size, leading, measures, gap
        self._lines: list[tuple[str, str, float]] | None = None  # (style, text, y offset)
        self._width = None
        self._fixed = False  # a part of a split cell: its lines are final

    def _layout(self, width: float) -> None:
        # Tolerant: the table computes the inner width as (w - pad) - pad.
        if self._lines is not None and (self._fixed or abs(self._width - width) < 0.01):
            return
        lines, y = [], 0.0
        for index, (style, text) in enumerate(self.paragraphs):
            if index:
                y += self.gap
            for line in wrap(text, width, self.measures[style]):
                lines.append((style, line, y))
                y += self.leading
        self._lines, self._width, self._height = lines, width, y

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's signature)
        self._layout(availWidth)
        self.width = availWidth
        self.height = self._height
        return availWidth, self._height

    def split(self, availWidth, availHeight):  # noqa: N803
        self._layout(availWidth)
        fits = [line for line in self._lines if line[2] + self.leading <= availHeight]
        if not fits or len(fits) == len(self._lines):
            return []
        return [self._part(fits), self._part(self._lines[len(fits) :])]

    def _part(self, lines):
        part = TextCell([], self.size, self.leading, self.measures, gap=self.gap)
        top = lines[0][2]
        part._lines = [(style, text, y - top) for style, text, y in lines]
        part._fixed = True
        part._width = self._width
        last = part._lines[-1][2]
        part._height = last + self.leading
        return part

    def draw(self):
        canvas = self.canv
        text = canvas.beginText()
        current = None
        # Baselines: the first line's top at the cell's top (y = height).
        descent = self.leading - self.size
        for style, line, y in self._lines or ():
            if style != current:
                text.setFont(FONTS[style], self.size, self.leading)
                current = style
            text.setTextOrigin(0, self.height - y - self.leading + descent * 0.6)
            text.textOut(line)
        canvas.drawText(text)


def cell_measures(size: float) -> dict[str, TextMeasure]:
    register_pdf_fonts()
    return {style: TextMeasure(font, size) for style, font in FONTS.items()}


# --------------------------------------------------------------- tables
@dataclass
class TableRow:
    """A row of `TextCell`s, one per column; a `group` row is one cell across
    the table (a heading of the board's levels), shaded and kept on the page
    of the row after it."""

    cells: list
    group: bool = False


@dataclass
class TableLook:
    grid: object = "#7A8794"
    header_fill: object = "#D5DFEA"
    group_fill: object = "#E8EEF4"
    pad_x: float = 3.5
    pad_top: float = 2.0
    pad_bottom: float = 3.0


class PagedTable(Flowable):
    """A table that knows its row heights (its cells are `TextCell`s) and
    splits itself a page at a time: each page is a small reportlab Table of
    the header row and the rows that fit. reportlab's own Table re-measures
    all remaining rows at every page break, which grew with the square of
    the rows. A row stays whole on a page; only a row taller than a page is
    split between lines."""

    def __init__(
        self, header: list, rows: list[TableRow], widths: list[float], look=None, _heights=None
    ):
        super().__init__()
        self.header, self.rows, self.widths = header, rows, list(widths)
        self.look = look or TableLook()
        # (header height, row heights): measured once, handed on to the rest.
        self._measured = _heights
        self.hAlign = "LEFT"

    def _height_of(self, cells, group: bool) -> float:
        look = self.look
        if group:
            inner = [sum(self.widths) - 2 * look.pad_x]
        else:
            inner = [w - 2 * look.pad_x for w in self.widths]
        tallest = max(cell.wrap(w, 0)[1] for cell, w in zip(cells, inner, strict=False))
        return tallest + look.pad_top + look.pad_bottom

    def _heights(self) -> list[float]:
        if self._measured is None:
            self._measured = (
                self._height_of(self.header, False),
                [self._height_of(r.cells, r.group) for r in self.rows],
            )
        self._header_height = self._measured[0]
        return self._measured[1]

    def wrap(self, availWidth, availHeight):  # noqa: N803
        heights = self._heights()
        self.width, self.height = sum(self.widths), self._header_height + sum(heights)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        heights = self._heights()
        room = availHeight - self._header_height
        used, fits = 0.0, 0
        while fits < len(heights) and used + heights[fits] <= room:
            used += heights[fits]
            fits += 1
        while 0 < fits < len(self.rows) and self.rows[fits - 1].group:
            fits -= 1  # a group heading goes with its first row
        if fits == 0:
            # The first row (after its group heading, if any) doesn't fit here.
            j = 1 if self.rows[0].group and len(self.rows) > 1 else 0
            lead = sum(heights[:j])
            tall = self._header_height + lead + heights[j] > frame_height()
            if not tall or room - lead < 4 * 12:
                return []  # the next page has room for it
            return self._split_tall_row(j, room - lead)
        rest = self._rest(self.rows[fits:])
        rest._measured = (self._header_height, heights[fits:])
        return [self._page(self.rows[:fits]), rest]

    def _split_tall_row(self, j: int, room: float):
        """Only a row taller than a whole page: its cells split by lines."""
        look = self.look
        row = self.rows[j]
        heads, tails = [], []
        for cell, width in zip(row.cells, self.widths, strict=False):
            parts = cell.split(width - 2 * look.pad_x, room - look.pad_top - look.pad_bottom)
            if parts:
                heads.append(parts[0])
                tails.append(parts[1])
            else:  # the whole cell fits on this page
                heads.append(cell)
                tails.append(TextCell([], cell.size, cell.leading, cell.measures))
        first, rest = TableRow(heads, row.group), TableRow(tails, row.group)
        return [self._page([*self.rows[:j], first]), self._rest([rest, *self.rows[j + 1 :]])]

    def _rest(self, rows):
        return PagedTable(self.header, rows, self.widths, self.look)

    def _page(self, rows):
        from reportlab.platypus import Table, TableStyle

        look = self.look
        span = len(self.widths)
        data = [list(self.header)]
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.4, look.grid),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), look.pad_x),
            ("RIGHTPADDING", (0, 0), (-1, -1), look.pad_x),
            ("TOPPADDING", (0, 0), (-1, -1), look.pad_top),
            ("BOTTOMPADDING", (0, 0), (-1, -1), look.pad_bottom),
            ("BACKGROUND", (0, 0), (-1, 0), look.header_fill),
        ]
        for row in rows:
            index = len(data)
            if row.group:
                data.append([row.cells[0]] + [""] * (span - 1))
                commands.append(("SPAN", (0, index), (-1, index)))
                commands.append(("BACKGROUND", (0, index), (-1, index), look.group_fill))
            else:
                data.append(list(row.cells))
        table = Table(data, colWidths=self.widths, style=TableStyle(commands), hAlign="LEFT")
        return table

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802,N803 (reportlab's names)
        table = self._page(self.rows)
        table.wrapOn(canvas, self.width, self.height)
        table.drawOn(canvas, x, y, _sW)
