"""The import form's fixed fields. The column choices and per-tiltag
columns of the preview depend on the table and are read by the view."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms_base import DanishForm


class ImportForm(DanishForm):
    tabel = TextAreaField("Indsæt tabellen fra Word", validators=[Optional()])
    fil = FileField("… eller vælg en Word-fil (.docx), .csv- eller .xlsx-fil")
    titel = StringField("Tavlens navn", validators=[Optional(), Length(max=200)])
    dato = DateField(
        "Statusdato (bruges til at foreslå kolonne)", validators=[Optional()], format="%Y-%m-%d"
    )
