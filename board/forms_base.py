"""The base of every form: Flask-WTF (CSRF) with WTForms' own messages in
Danish. WTForms ships no Danish catalogue, and its built-in messages ("Not a
valid choice.", "Invalid Choice: could not coerce.") reach the user when a
request is tampered with or a browser sends something odd; the UI is Danish,
so they are too. Forms normally give their own messages; these are the
fallback."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import Refused

DANISH_MESSAGES = {
    "This field is required.": "Feltet skal udfyldes.",
    "Invalid input.": "Ugyldigt input.",
    "Not a valid choice.": "Vælg en af mulighederne på listen.",
    "Invalid Choice: could not coerce.": "Vælg en af mulighederne på listen.",
    "Invalid choice(s): one or more data inputs could not be coerced.": (
        "Vælg blandt mulighederne på listen."
    ),
    "'%(value)s' is not a valid choice for this field.": (
        "«%(value)s» er ikke en af mulighederne på listen."
    ),
    "'%(value)s' are not valid choices for this field.": (
        "«%(value)s» er ikke blandt mulighederne på listen."
    ),
    "Not a valid integer value.": "Skriv et helt tal.",
    "Not a valid decimal value.": "Skriv et tal.",
    "Not a valid float value.": "Skriv et tal.",
    "Not a valid date value.": "Skriv en gyldig dato (ÅÅÅÅ-MM-DD).",
    "Not a valid datetime value.": "Skriv en gyldig dato og tid.",
    "Not a valid time value.": "Skriv et gyldigt klokkeslæt.",
    "Invalid email address.": "Skriv en gyldig e-mailadresse.",
    "Field must be equal to %(other_name)s.": "Feltet skal være det samme som %(other_name)s.",
    "Field cannot be longer than %(max)d character.": "Højst %(max)d tegn.",
    "Field cannot be longer than %(max)d characters.": "Højst %(max)d tegn.",
    "Field must be at least %(min)d character long.": "Mindst %(min)d tegn.",
    "Field must be at least %(min)d characters long.": "Mindst %(min)d tegn.",
    "Field must be between %(min)d and %(max)d characters long.": "%(min)d-%(max)d tegn.",
    "Number must be at least %(min)s.": "Tallet skal være mindst %(min)s.",
    "Number must be at most %(max)s.": "Tallet må højst være %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Tallet skal være mellem %(min)s og %(max)s.",
    "This field is disabled and cannot have a value.": "Feltet kan ikke udfyldes.",
}


class DanishTranslations:
    """The gettext interface WTForms asks its Meta for."""

    def gettext(self, string: str) -> str:
        return DANISH_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


DANISH = DanishTranslations()


BUTTON_FORM_INVALID = "Formularen er ugyldig. Genindlæs siden og prøv igen."


class DanishForm(FlaskForm):
    """FlaskForm whose built-in messages are Danish."""

    class Meta:
        def get_translations(self, form):
            return DANISH

    def require(self, message: str = BUTTON_FORM_INVALID) -> None:
        """For a form of buttons and hidden values only (confirm, move,
        delete): nothing a person typed can be wrong, so an invalid one was
        not sent by the page (a missing token or value): 400."""
        if not self.validate_on_submit():
            raise Refused(message, 400)

    def values(self, *names: str) -> dict:
        """{name: data} of the named fields: the keyword arguments of the
        domain function the form is for."""
        return {name: self[name].data for name in names}

    def show_refusal(self, refused: Refused, default_field: str | None = None) -> None:
        """Put a domain refusal next to the field it is about (its `field`,
        else `default_field`), so the form can be shown again with it."""
        name = refused.field if refused.field in self._fields else default_field
        if name is None:
            self.form_errors.append(refused.message)
            return
        field = self[name]
        field.errors = [*field.errors, refused.message]
