from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms_base import DanishForm
from ..models import Comment
from .services import REASON_MAX


class CommentForm(DanishForm):
    body = TextAreaField(
        "Kommentar",
        validators=[
            DataRequired("Skriv en kommentar."),
            Length(
                max=Comment.BODY_MAX,
                message=f"En kommentar må højst være {Comment.BODY_MAX:,} tegn.".replace(",", "."),
            ),
        ],
    )


class RedactForm(DanishForm):
    reason = StringField(
        "Begrundelse for at fjerne teksten",
        validators=[
            DataRequired("Skriv en begrundelse."),
            Length(max=REASON_MAX, message=f"Højst {REASON_MAX} tegn."),
        ],
    )
