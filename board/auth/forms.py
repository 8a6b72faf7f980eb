from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Skriv din e-mail."), Length(max=254)])
    password = PasswordField(
        "Adgangskode", validators=[DataRequired("Skriv din adgangskode."), Length(max=200)]
    )
    remember = BooleanField("Husk mig på denne computer")
