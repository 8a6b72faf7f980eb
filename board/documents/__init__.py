"""Page layout for the documents the app writes for meetings: the status
report (board/reports) and, reusing the same helpers, the minutes. Nothing
here knows what a report is: A4 landscape pages, a footer with the title,
the date and "Side X af Y", group headings, tables with a repeated header
row and column widths that follow their content.

    fonts.py        the fonts of the PDF (embedded) and of the .docx, and text widths
    text_fit.py     line breaking between words and column widths from the content
    docx_layout.py  python-docx: page, footer, headings, table body as one XML fragment
    pdf_layout.py   reportlab: page template, footer, headings, fast text cells
"""
