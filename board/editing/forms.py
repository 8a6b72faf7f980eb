"""WTForms forms for tiltag and board structure. Every message is Danish and
is shown next to its field."""

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
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms_base import DanishForm
from ..models import STAGES, Board, Health, Initiative, Objective, Theme

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # pragma: no cover - older WTForms

    def choice(value, label):
        return (value, label)


REQUIRED_TITLE = "Skriv en titel."
DATE_MESSAGE = "Skriv en gyldig dato, fx 2025-03-15."
CHOICE_MESSAGE = "Vælg en af mulighederne på listen."


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"Højst {limit:,} tegn.".replace(",", "."))


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _str_or_none(value):
    return str(value) if value not in (None, "", "None") else None


class InitiativeForm(DanishForm):
    """All editable fields of a tiltag. `for_board` fills the choices; the
    objective must belong to the chosen theme (validate_objective)."""

    title = StringField(
        "Titel", validators=[DataRequired(REQUIRED_TITLE), max_length(Initiative.TITLE_MAX)]
    )
    theme = SelectField(
        "Pejlemærke",
        coerce=_int_or_none,
        validators=[InputRequired("Vælg et pejlemærke.")],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    objective = SelectField(
        "Målsætning", coerce=_int_or_none, invalid_choice_message=CHOICE_MESSAGE
    )
    related_objectives = SelectMultipleField(
        "Relaterede målsætninger",
        coerce=int,
        invalid_choice_message="En af de valgte målsætninger findes ikke på tavlen.",
    )
    description = TextAreaField("Beskrivelse", validators=[max_length(Initiative.TEXT_MAX)])
    timeline = TextAreaField("Iværksættelse", validators=[max_length(Initiative.TEXT_MAX)])
    status_note = TextAreaField("Status", validators=[max_length(Initiative.TEXT_MAX)])
    responsible = StringField("Ansvarlig", validators=[max_length(Initiative.RESPONSIBLE_MAX)])
    due_date = DateField(
        "Frist",
        validators=[Optional()],
        format=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"],
        invalid_value_message=DATE_MESSAGE,
    )
    # A user with a role on the board (the choices), or none.
    owner = SelectField(
        "Ansvarlig person",
        coerce=_int_or_none,
        invalid_choice_message="Den ansvarlige person skal have en rolle på tavlen.",
    )
    health = SelectField(
        "Vurdering",
        coerce=_str_or_none,
        choices=[choice(None, "(ingen vurdering)")]
        + [choice(h.value, f"{h.symbol} {h.label}") for h in Health],
        invalid_choice_message=(
            "Vælg en vurdering: På rette spor, Udfordret eller Kritisk / forsinket."
        ),
    )
    version = HiddenField()

    def for_board(
        self, board: Board, themes: list[Theme], members: list[tuple[int, str]] = ()
    ) -> InitiativeForm:
        """`members`: (user id, name) of the users with a role on the board."""
        self.board = board
        self.themes = themes
        self.owner.choices = [choice(None, "(ingen)")] + [choice(i, n) for i, n in members]
        self.theme.label.text = board.theme_label
        self.theme.choices = [choice(t.id, t.title) for t in themes]
        objectives = [o for t in themes for o in t.objectives]
        self.objectives_by_id = {o.id: o for o in objectives}
        if board.has_objectives:
            self.objective.label.text = board.objective_label
            self.related_objectives.label.text = f"Relaterede {board.objective_label.lower()}er"
        self.objective.choices = [choice(None, "(ingen)")] + [
            choice(o.id, o.label) for o in objectives
        ]
        self.related_objectives.choices = [choice(o.id, o.label) for o in objectives]
        return self

    def validate_objective(self, field):
        if field.data is None:
            return
        objective = self.objectives_by_id.get(field.data)
        if objective is not None and objective.theme_id != self.theme.data:
            raise ValidationError(
                f"Vælg en {self.board.objective_label.lower()} under det valgte "
                f"{self.board.theme_label.lower()}."
            )

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def chosen(self, themes_by_id: dict[int, Theme]) -> dict:
        """The form's values as `update_initiative` takes them."""
        return (
            dict(
                title=self.title.data.strip(),
                theme=themes_by_id[self.theme.data],
                objective=self.objectives_by_id.get(self.objective.data),
                related_objectives=[self.objectives_by_id[i] for i in self.related_objectives.data],
                description=(self.description.data or "").strip(),
                timeline=(self.timeline.data or "").strip(),
                status_note=(self.status_note.data or "").strip(),
                responsible=(self.responsible.data or "").strip(),
                due_date=self.due_date.data,
            )
            | self._rating()
        )

    def _rating(self) -> dict:
        """Owner and vurdering, when the request carries them: a client that
        does not know these fields leaves them as they are."""
        out = {}
        if self.owner.raw_data:
            out["owner_id"] = self.owner.data
        if self.health.raw_data:
            out["health"] = self.health.data
        return out

    def fill_from(self, initiative: Initiative) -> None:
        """Show a card's current values (a fresh form, or after a 409)."""
        self.title.data = initiative.title
        self.theme.data = initiative.theme_id
        self.objective.data = initiative.objective_id
        self.related_objectives.data = [o.id for o in initiative.related_objectives]
        self.description.data = initiative.description
        self.timeline.data = initiative.timeline
        self.status_note.data = initiative.status_note
        self.responsible.data = initiative.responsible
        self.due_date.data = initiative.due_date
        self.due_date.raw_data = None
        self.owner.data = initiative.owner_id
        self.health.data = initiative.health
        self.version.data = str(initiative.version)


class NewInitiativeForm(InitiativeForm):
    """Creating a tiltag also picks its column (a new card goes to the bottom)."""

    stage = SelectField(
        "Kolonne",
        choices=[choice(s.value, s.label) for s in STAGES],
        default=STAGES[0].value,
        invalid_choice_message=CHOICE_MESSAGE,
    )


class ThemeForm(DanishForm):
    title = StringField(
        "Titel",
        validators=[DataRequired("Skriv en titel."), max_length(Theme.title.type.length)],
    )


class ObjectiveForm(DanishForm):
    number = StringField("Nummer", validators=[max_length(Objective.number.type.length)])
    title = StringField(
        "Titel",
        validators=[DataRequired("Skriv en titel."), max_length(Objective.title.type.length)],
    )


class BoardForm(DanishForm):
    """A board's title and the names of its two levels. An empty objective
    label means the board has no målsætning level."""

    FIELDS = ("title", "description", "theme_label", "objective_label")

    title = StringField(
        "Tavlens titel",
        validators=[DataRequired("Skriv en titel."), max_length(Board.title.type.length)],
    )
    description = TextAreaField("Beskrivelse", validators=[max_length(2000)])
    theme_label = StringField(
        "Navn på det øverste niveau",
        default="Pejlemærke",
        validators=[
            DataRequired("Skriv et navn, fx Pejlemærke eller Udviklingsspor."),
            max_length(Board.theme_label.type.length),
        ],
    )
    objective_label = StringField(
        "Navn på det andet niveau (tomt: intet andet niveau)",
        default="Målsætning",
        validators=[max_length(Board.objective_label.type.length)],
    )


class MoveForm(DanishForm):
    """Reorder a theme or objective one step."""

    direction = SelectField(choices=[choice("up", "Op"), choice("down", "Ned")])


class PlainForm(DanishForm):
    """A button-only form (CSRF token only), e.g. delete."""


class VersionForm(DanishForm):
    """Archive / restore: only the card's version."""

    version = IntegerField(validators=[InputRequired()])
