"""Forms of the administration pages. Rules that need the database (unique
e-mail, last administrator) are checked by the services and shown as field
errors."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..auth.accounts import EMAIL_MAX, NAME_MAX, PASSWORD_MIN
from ..auth.forms import password_length
from ..forms_base import DanishForm
from ..models import Role
from ..privacy.services import REASON_MAX as REDACT_REASON_MAX

# (value, label): "" is no membership.
ROLE_CHOICES = [
    ("", "Ingen adgang"),
    (Role.LEDER.value, Role.LEDER.label),
    (Role.MED.value, Role.MED.label),
]


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in ROLE_CHOICES]


def _name_field():
    return StringField(
        "Navn",
        validators=[
            DataRequired("Skriv et navn."),
            Length(max=NAME_MAX, message=f"Navnet må højst være {NAME_MAX} tegn."),
        ],
    )


class CreateUserForm(DanishForm):
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired("Skriv en e-mailadresse."),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Skriv en gyldig e-mailadresse."),
            Length(max=EMAIL_MAX),
        ],
    )
    name = _name_field()
    password = PasswordField(
        "Adgangskode",
        description=f"Mindst {PASSWORD_MIN} tegn. Giv den til brugeren ad en sikker vej.",
        validators=[DataRequired("Skriv en adgangskode."), password_length],
    )
    is_admin = BooleanField("Administrator (må administrere brugere, tavler og links)")


class UserDetailsForm(DanishForm):
    name = _name_field()
    is_admin = BooleanField("Administrator")


class PasswordForm(DanishForm):
    password = PasswordField(
        "Ny adgangskode",
        description=f"Mindst {PASSWORD_MIN} tegn. Brugerens åbne sessioner afsluttes.",
        validators=[DataRequired("Skriv en adgangskode."), password_length],
    )
    confirm = PasswordField(
        "Gentag adgangskoden",
        validators=[EqualTo("password", "De to adgangskoder er ikke ens.")],
    )


class ConfirmForm(DanishForm):
    """A button that only needs the CSRF token (deactivate, reactivate)."""


def roles_form(boards, roles):
    """One role choice per board: "board_<id>" → "", "leder" or "med"."""

    class RolesForm(DanishForm):
        pass

    for board in boards:
        setattr(
            RolesForm,
            f"board_{board.id}",
            SelectField(board.title, choices=role_choices(), default=""),
        )
    return RolesForm(data={f"board_{board_id}": role.value for board_id, role in roles.items()})


class MemberForm(DanishForm):
    """Add a user to a board, or change their role ("" removes)."""

    user_id = SelectField("Bruger", coerce=int, validate_choice=True)
    role = SelectField("Rolle", choices=role_choices())


# --- removing personal data (board/privacy/services.py) -------------------------


def _confirm_field(label: str):
    return BooleanField(label, validators=[DataRequired("Bekræft, før du fortsætter.")])


class RedactForm(DanishForm):
    """ "Fjern persondata": which value (choices "<field>:<n>", set per card),
    why, and a confirmation."""

    choice = RadioField("Tekst, der skal fjernes", validate_choice=True)
    reason = TextAreaField(
        "Begrundelse",
        description="Fx «Borgerens CPR-nummer» eller «Navn på fratrådt medarbejder». "
        "Gentag ikke selve teksten.",
        validators=[
            DataRequired("Skriv en begrundelse."),
            Length(max=REDACT_REASON_MAX, message="Begrundelsen er for lang."),
        ],
    )
    confirm = _confirm_field(
        "Jeg forstår, at teksten fjernes permanent fra kortet, historikken og rapporterne"
    )


class AnonymiseForm(DanishForm):
    confirm = _confirm_field(
        "Jeg forstår, at navn og e-mail erstattes permanent, og at brugeren deaktiveres"
    )


# --- roles from the identity provider's groups (board/auth/group_roles.py) ------


class GroupMappingForm(DanishForm):
    """A group that gives a role on one board (the board choices are set
    by the view)."""

    group = StringField(
        "Gruppe",
        description="Gruppens navn eller id, som identitetsudbyderen sender den "
        "(for Microsoft Entra ID gruppens objekt-id). Store og små bogstaver er ligegyldige.",
        validators=[
            DataRequired("Skriv gruppens navn eller id."),
            Length(max=255, message="Gruppen må højst være 255 tegn."),
        ],
    )
    board_id = SelectField("Tavle", coerce=int, validate_choice=True)
    role = SelectField(
        "Rolle",
        choices=[SelectChoice(r.value, r.label) for r in (Role.LEDER, Role.MED)],
        validate_choice=True,
    )
