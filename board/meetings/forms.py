"""The meeting forms. Typed values (title, date, decision, action point)
come back with their errors (422); button forms (position, card) are 400
when tampered with."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms_base import DanishForm
from ..models import ActionPoint, Meeting, MeetingItem


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(DanishForm):
    title = StringField(
        "Titel",
        validators=[
            DataRequired("Giv mødet en titel, fx «Ledermøde»."),
            Length(max=Meeting.TITLE_MAX),
        ],
        default="Ledermøde",
    )
    held_on = DateField("Dato", validators=[InputRequired("Skriv mødets dato.")])
    attendees = CheckboxesField("Til stede", coerce=int, validators=[Optional()])

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees.choices = [(m.id, m.name) for m in members]


class DecisionForm(DanishForm):
    decision = TextAreaField("Beslutning", validators=[Length(max=MeetingItem.DECISION_MAX)])


class ActionForm(DanishForm):
    text = StringField(
        "Handlingspunkt",
        validators=[DataRequired("Skriv hvad der skal gøres."), Length(max=ActionPoint.TEXT_MAX)],
    )
    owner = SelectField("Ansvarlig", coerce=str, validators=[Optional()])
    deadline = DateField("Frist", validators=[Optional()])

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = [("", "Ingen valgt")] + [(str(m.id), m.name) for m in members]

    @property
    def owner_id(self) -> int | None:
        return int(self.owner.data) if self.owner.data else None


class PositionForm(DanishForm):
    """A button: show or move to an agenda position (0-based)."""

    position = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=10_000)])


class AddItemForm(DanishForm):
    initiative = SelectField(
        "Tilføj tiltag", coerce=int, validate_choice=False, validators=[InputRequired()]
    )


class ButtonForm(DanishForm):
    """Remove, publish: nothing but the CSRF token."""

    confirm = HiddenField()


class FlagForm(DanishForm):
    flag = SelectField(choices=[("1", "1"), ("0", "0")])
