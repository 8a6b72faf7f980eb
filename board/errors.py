"""Danish error pages: a full page for a normal request, a short fragment for
htmx (shown in the notice area by static/js/app.js). Never a stack trace."""

from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .security import is_htmx

TITLES = {
    400: "Ugyldig forespørgsel",
    401: "Log ind",
    403: "Ingen adgang",
    404: "Siden findes ikke",
    405: "Ikke tilladt",
    409: "Konflikt",
    413: "Filen er for stor",
    429: "For mange forsøg",
    500: "Der skete en fejl",
}

DEFAULT_MESSAGES = {
    400: "Forespørgslen kunne ikke behandles.",
    403: "Du har ikke adgang til dette.",
    404: "Siden eller tavlen findes ikke, eller linket er ikke længere gyldigt.",
    405: "Den handling er ikke tilladt her.",
    413: "Filen er for stor. Den må højst fylde 5 MB.",
    429: "For mange forsøg. Vent lidt, og prøv igen.",
    500: "Der skete en uventet fejl. Prøv igen, og kontakt administrationen, hvis det fortsætter.",
}


def _message(error: HTTPException) -> str:
    description = error.description or ""
    # Werkzeug's own English descriptions are replaced by Danish ones; a
    # description we set ourselves (Danish) is kept.
    if description == type(error).description or not description:
        return DEFAULT_MESSAGES.get(error.code, "Der skete en fejl.")
    return description


def render_error(code: int, message: str):
    template = "errors/_fragment.html" if is_htmx() else "errors/error.html"
    return (
        render_template(template, code=code, title=TITLES.get(code, "Fejl"), message=message),
        code,
    )


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Formularen er udløbet eller mangler sikkerhedsnøgle. Genindlæs siden og prøv igen.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:  # abort(response): e.g. login redirect
            return error.response
        return render_error(error.code, _message(error))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        from .extensions import db

        db.session.rollback()
        return render_error(500, DEFAULT_MESSAGES[500])
