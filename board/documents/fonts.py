"""The fonts of the documents, and how wide a text is in them.

The PDF embeds DejaVu Sans, which matplotlib ships (a dependency already, for
the charts): every character a person can type is in it, and no system font
is needed. The .docx names Arial, which Word has everywhere and LibreOffice
replaces by the metric-identical Liberation Sans; its widths are Helvetica's
(the same metrics), which reportlab carries built in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PDF_REGULAR = "DejaVuSans"
PDF_BOLD = "DejaVuSans-Bold"
PDF_ITALIC = "DejaVuSans-Oblique"
DOCX_FONT = "Arial"
_DOCX_METRICS = {False: "Helvetica", True: "Helvetica-Bold"}


@cache
def register_pdf_fonts() -> None:
    """Register DejaVu Sans (regular, bold, oblique) with reportlab, once."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in (
        (PDF_REGULAR, "DejaVuSans.ttf"),
        (PDF_BOLD, "DejaVuSans-Bold.ttf"),
        (PDF_ITALIC, "DejaVuSans-Oblique.ttf"),
        ("DejaVuSans-BoldOblique", "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping("DejaVuSans", 0, 0, PDF_REGULAR)
    addMapping("DejaVuSans", 1, 0, PDF_BOLD)
    addMapping("DejaVuSans", 0, 1, PDF_ITALIC)
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-BoldOblique")


class TextMeasure:
    """Width in points of a word in one font and size, cached per word: a
    report of 2,000 rows measures the same few thousand words again and again."""

    def __init__(self, font: str, size: float):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.font, self.size = font, size
        self._string_width = stringWidth
        self._cache: dict[str, float] = {}
        self.space = stringWidth(" ", font, size)

    def __call__(self, word: str) -> float:
        width = self._cache.get(word)
        if width is None:
            width = self._cache[word] = self._string_width(word, self.font, self.size)
        return width


def pdf_measure(size: float, *, bold: bool = False) -> TextMeasure:
    register_pdf_fonts()
    return TextMeasure(PDF_BOLD if bold else PDF_REGULAR, size)


def docx_measure(size: float, *, bold: bool = False) -> TextMeasure:
    return TextMeasure(_DOCX_METRICS[bold], size)
