from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms_base import DanishForm
from .services import LABEL_MAX


class ShareLinkForm(DanishForm):
    label = StringField(
        "Betegnelse",
        description="Fx «Voksen- og Plejeudvalget, møde 25. oktober».",
        validators=[
            DataRequired("Giv linket en betegnelse."),
            Length(max=LABEL_MAX, message=f"Betegnelsen må højst være {LABEL_MAX} tegn."),
        ],
    )
    expires_on = DateField(
        "Udløber (valgfri)",
        description="Linket virker til og med denne dato.",
        validators=[Optional()],
        format="%Y-%m-%d",
        invalid_value_message="Skriv datoen som åååå-mm-dd.",
    )
    show_comments = BooleanField("Vis kommentarer")
