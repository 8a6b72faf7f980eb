"""The round forms: opening a round, and a tiltag's part of it."""

from __future__ import annotations

from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..editing.forms import CHOICE_MESSAGE, DATE_MESSAGE, choice, max_length
from ..editing.services import HEALTH_UNKNOWN
from ..forms_base import DanishForm
from ..models import STAGES, Health, Initiative, StatusRound

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]


class OpenRoundForm(DanishForm):
    title = StringField(
        "Titel",
        validators=[
            DataRequired("Giv runden en titel, fx «Status til Områdeudvalget, marts 2027»."),
            max_length(StatusRound.TITLE_MAX),
        ],
    )
    status_date = DateField(
        "Status pr.",
        validators=[Optional()],
        format=DATE_FORMATS,
        invalid_value_message=DATE_MESSAGE,
    )
    deadline = DateField(
        "Frist for svar",
        validators=[InputRequired("Angiv en frist.")],
        format=DATE_FORMATS,
        invalid_value_message=DATE_MESSAGE,
    )
    initiatives = SelectMultipleField(
        "Tiltag i runden",
        coerce=int,
        invalid_choice_message="Et af de valgte tiltag findes ikke (længere) på tavlen.",
    )

    def for_cards(self, cards) -> OpenRoundForm:
        """`cards`: the board's live tiltag, all chosen unless the form says
        otherwise."""
        self.cards = cards
        self.initiatives.choices = [choice(c.id, c.title) for c in cards]
        if self.initiatives.data is None:
            self.initiatives.data = [c.id for c in cards]
        return self


class RoundItemForm(DanishForm):
    status_text = TextAreaField(
        "Status til runden",
        validators=[DataRequired("Skriv en status til runden."), max_length(Initiative.TEXT_MAX)],
    )
    health = SelectField(
        "Vurdering",
        choices=[choice("", "Vælg …")] + [choice(h.value, f"{h.symbol} {h.label}") for h in Health],
        validators=[DataRequired("Vælg en vurdering.")],
        invalid_choice_message=HEALTH_UNKNOWN,
    )
    stage = SelectField(
        "Kolonne (bekræft)",
        choices=[choice(s.value, s.label) for s in STAGES],
        invalid_choice_message=CHOICE_MESSAGE,
    )

    def fill_from(self, item) -> RoundItemForm:
        self.status_text.data = item.status_text
        self.health.data = item.health or item.initiative.health or ""
        self.stage.data = item.stage or item.initiative.stage
        return self
