"""python-docx helpers for meeting documents: an A4 landscape page, a footer
with the title, the date and "Side X af Y", group headings that keep with
what follows, and tables with fixed column widths, a repeated header row and
a body written as one XML fragment.

Why one fragment: python-docx's `Table.add_row` copies the grid's widths into
every new cell and `cell.text` walks the tree, which made a 2,000-row table
take seconds; building the rows' XML as text and parsing it once is linear and
fast, and the result is the same WordprocessingML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .fonts import DOCX_FONT

TWIPS_PER_POINT = 20
A4_LONG_CM, A4_SHORT_CM = 29.7, 21.0
# Characters XML 1.0 forbids (what python-docx would refuse with an error).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


# --------------------------------------------------------------- page
def landscape_a4(section, margin_cm: float = 1.5) -> None:
    """A4 landscape with even margins (the footer sits in the bottom margin)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(A4_LONG_CM), Cm(A4_SHORT_CM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    section.footer_distance = Cm(0.7)


def text_width_points(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 12700


def base_font(document, size_pt: float) -> None:
    """Arial in every style the document uses (the default template names
    Calibri through its theme, which a Linux machine lacks)."""
    from docx.shared import Pt

    for style in document.styles:
        if getattr(style, "font", None) is None:
            continue
        style.font.name = DOCX_FONT
        fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
        if fonts is not None:
            for attribute in list(fonts.attrib):
                if attribute.endswith("Theme}") or "Theme" in attribute:
                    del fonts.attrib[attribute]
    document.styles["Normal"].font.size = Pt(size_pt)


def page_footer(section, left: str, size_pt: float = 8) -> None:
    """ "<left>" at the left margin and "Side X af Y" at the right, on every
    page: PAGE and NUMPAGES fields, which Word and LibreOffice fill in."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    # The Footer style's own tab stops (centre, right at portrait width) come
    # first otherwise, and "Side X af Y" would stop in the middle.
    paragraph.style.paragraph_format.tab_stops.clear_all()
    paragraph.paragraph_format.tab_stops.add_tab_stop(
        Pt(text_width_points(section)), WD_TAB_ALIGNMENT.RIGHT
    )
    size = f'<w:rPr><w:sz w:val="{int(size_pt * 2)}"/></w:rPr>'

    def run(text: str) -> str:
        return f'<w:r {nsdecls("w")}>{size}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'

    def field_(code: str) -> str:
        return (
            f'<w:fldSimple {nsdecls("w")} w:instr="{code}"><w:r>{size}<w:t>1</w:t></w:r>'
            "</w:fldSimple>"
        )

    for xml in (
        run(left),
        f"<w:r {nsdecls('w')}><w:tab/></w:r>",
        run("Side "),
        field_("PAGE"),
        run(" af "),
        field_("NUMPAGES"),
    ):
        paragraph._p.append(parse_xml(xml))


def group_heading(document, text: str, level: int):
    """A heading of the board's levels (pejlemærke, målsætning): a real
    heading (the navigation pane lists it), kept on the page of what follows."""
    heading = document.add_heading(text, level=level)
    heading.paragraph_format.keep_with_next = True
    return heading


# --------------------------------------------------------------- tables
@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Cell:
    """A table cell: paragraphs of runs; `span` columns wide; `fill` a hex
    background; `keep_next` keeps its row on the page of the next row."""

    paragraphs: list[list[Run]] = field(default_factory=list)
    span: int = 1
    fill: str | None = None
    keep_next: bool = False

    @classmethod
    def text(cls, text: str, *, bold=False, italic=False, **kw) -> Cell:
        lines = [line for line in (text or "").splitlines() if line.strip()] or [""]
        return cls([[Run(line, bold, italic)] for line in lines], **kw)


def _cell_xml(cell: Cell, width_twips: int) -> str:
    properties = f'<w:tcW w:w="{width_twips}" w:type="dxa"/>'
    if cell.span > 1:
        properties += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.fill:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
    keep = "<w:keepNext/>" if cell.keep_next else ""
    paragraphs = []
    for runs in cell.paragraphs or [[]]:
        body = "".join(
            "<w:r>"
            + (
                "<w:rPr>"
                + ("<w:b/>" if r.bold else "")
                + ("<w:i/>" if r.italic else "")
                + "</w:rPr>"
                if (r.bold or r.italic)
                else ""
            )
            + f'<w:t xml:space="preserve">{xml_text(r.text)}</w:t></w:r>'
            for r in runs
        )
        paragraphs.append(
            f'<w:p><w:pPr>{keep}<w:spacing w:before="0" w:after="40"/></w:pPr>{body}</w:p>'
        )
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(paragraphs)}</w:tc>"


def rows_xml(rows: Iterable[Sequence[Cell]], widths_pt: Sequence[float], *, header=False) -> str:
    """The <w:tr> elements of `rows` as one string. Rows never split across a
    page (a tiltag is read as a whole); a header row repeats on every page."""
    twips = [round(w * TWIPS_PER_POINT) for w in widths_pt]
    row_props = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
    out = []
    for cells in rows:
        column, parts = 0, []
        for cell in cells:
            parts.append(_cell_xml(cell, sum(twips[column : column + cell.span])))
            column += cell.span
        out.append(f"<w:tr>{row_props}{''.join(parts)}</w:tr>")
    return "".join(out)


def add_table(document, widths_pt: Sequence[float], header: Sequence[Cell], body_xml: str):
    """A table with fixed column widths, `header` repeated on every page and
    the body parsed from `body_xml` (see `rows_xml`) in one go."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    twips = [round(w * TWIPS_PER_POINT) for w in widths_pt]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    xml = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        f"{rows_xml([header], widths_pt, header=True)}{body_xml}</w:tbl>"
    )
    table = parse_xml(xml)
    document.element.body._insert_tbl(table)  # before the closing section properties
    return table


def add_picture_with_alt_text(document, image, width_pt: float, alt_text: str, name: str):
    """An inline picture whose description (Word's "Alternativ tekst", what a
    screen reader says) is `alt_text`."""
    from docx.shared import Pt

    picture = document.add_picture(image, width=Pt(width_pt))._inline
    picture.docPr.set("descr", alt_text)
    picture.docPr.set("title", name)
    return picture
