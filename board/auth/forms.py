from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms_base import DanishForm
from .accounts import PASSWORD_MAX, PASSWORD_MIN

# The password rule as a form validator (the admin's forms use it too).
password_length = Length(
    min=PASSWORD_MIN,
    max=PASSWORD_MAX,
    message=f"Adgangskoden skal være {PASSWORD_MIN}-{PASSWORD_MAX} tegn.",
)


class LoginForm(DanishForm):
    email = EmailField("E-mail", validators=[DataRequired("Skriv din e-mail."), Length(max=254)])
    password = PasswordField(
        "Adgangskode", validators=[DataRequired("Skriv din adgangskode."), Length(max=200)]
    )
    remember = BooleanField("Husk mig på denne computer")


class ChangePasswordForm(DanishForm):
    current_password = PasswordField(
        "Nuværende adgangskode",
        validators=[DataRequired("Skriv din nuværende adgangskode."), Length(max=200)],
    )
    password = PasswordField(
        "Ny adgangskode",
        description=(
            f"Mindst {PASSWORD_MIN} tegn. Du forbliver logget ind her; "
            "alle andre steder bliver du logget ud."
        ),
        validators=[DataRequired("Skriv en ny adgangskode."), password_length],
    )
    confirm = PasswordField(
        "Gentag den nye adgangskode",
        validators=[EqualTo("password", "De to nye adgangskoder er ikke ens.")],
    )

    def validate_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Den nye adgangskode skal være en anden end den nuværende.")
