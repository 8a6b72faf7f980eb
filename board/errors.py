"""Refusals and error pages: one exception for every "no" the domain says,
and one place that turns it (or any HTTP error) into the Danish answer.
Never a stack trace.

`Refused(message, status)` is raised by domain functions (and by views for
a request they cannot take). The handler registered here rolls the
transaction back, so a refused change leaves nothing half-written, and
answers:

* the answer the refusal carries, when a view gave it one (`fragment`: the
  card as it is now, the form page again with the reason), swapped where
  the request pointed;
* else a normal request: the error page (templates/errors/error.html);
* else an htmx request: the short notice fragment, sent to `#notice` with
  `HX-Retarget`.

Status codes, decided once (docs/ARCHITECTURE.md, "Refusals"):

* 400: a request the page never sends and that has no form to show again:
  a missing CSRF token, a button-only form without its values, an id or
  number that is not one (in the address or a hand-parsed value), a
  tampered import preview. The person cannot fix it in a form.
* 422: a form a person filled in, with values that cannot be taken (any
  WTForms validation failure, a tampered choice in it included, or the
  domain's check of a value typed, such as an expiry date in the past, a
  wrong current password). The answer is the form again with the error.
* 409: a valid request that the current state refuses (the card changed
  since it was read, it is archived, a pejlemærke still has tiltag).
* 403 and 404: see board/access.py.
* 503 with Retry-After: the database cannot be reached (a restart, a lost
  connection, a locked or unreadable SQLite file). The page, the htmx notice
  and a refused stream say so in Danish; the log gets one line per failure,
  not a stack trace (it is the same outage each time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g, make_response, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .htmx import NOTICE_TARGET, is_htmx, retarget


class Refused(Exception):
    """A change or request the application will not carry out.

    `message` is Danish and shown to the user as it is; `status` is the HTTP
    answer (see the module docstring); `field` names the form field the
    message belongs to, for views that show it next to that field;
    `fragment` is the HTML to answer with instead of the error page or
    notice (set by a view that has a better answer, see `refusal_shown_in`).
    """

    status = 400

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        field: str | None = None,
        fragment: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field
        self.fragment = fragment


class StaleVersion(Refused):
    """The card changed since the client read it (its `version` differs).
    Carries the card as it is now, for the views that show it."""

    status = 409

    def __init__(self, initiative, message: str = "Kortet er ændret af en anden i mellemtiden."):
        super().__init__(message)
        self.initiative = initiative


@contextmanager
def refusal_shown_in(render: Callable[[Refused], str]):
    """For htmx requests, answer a refusal raised in the block with
    `render(refused)` (after the rollback) instead of the notice: e.g. the
    card as it is now, with the reason on top."""
    try:
        yield
    except Refused as refused:
        db.session.rollback()
        if is_htmx() and refused.fragment is None:
            refused.fragment = render(refused)
        raise


TITLES = {
    400: "Ugyldig forespørgsel",
    401: "Log ind",
    403: "Ingen adgang",
    404: "Siden findes ikke",
    405: "Ikke tilladt",
    409: "Konflikt",
    413: "Filen er for stor",
    422: "Ret formularen",
    429: "For mange forsøg",
    500: "Der skete en fejl",
    503: "Prøv igen om lidt",
}

DEFAULT_MESSAGES = {
    400: "Forespørgslen kunne ikke behandles.",
    403: "Du har ikke adgang til dette.",
    404: "Siden eller tavlen findes ikke, eller linket er ikke længere gyldigt.",
    405: "Den handling er ikke tilladt her.",
    413: "Filen er for stor. Den må højst fylde 5 MB.",
    429: "For mange forsøg. Vent lidt, og prøv igen.",
    500: "Der skete en uventet fejl. Prøv igen, og kontakt administrationen, hvis det fortsætter.",
    503: "Databasen svarer ikke lige nu. Prøv igen om lidt.",
}

# How long a browser (or a client that honours it) waits before trying again
# while the database is away: a restart takes seconds.
DATABASE_RETRY_AFTER_SECONDS = 5

CSRF_MESSAGE = "Formularen er udløbet eller mangler sikkerhedsnøgle. Genindlæs siden og prøv igen."


def _message(error: HTTPException) -> str:
    description = error.description or ""
    # Werkzeug's own English descriptions are replaced by Danish ones; a
    # description we set ourselves (Danish) is kept.
    if description == type(error).description or not description:
        return DEFAULT_MESSAGES.get(error.code, "Der skete en fejl.")
    return description


def render_error(code: int, message: str, fragment: str | None = None):
    """The Danish answer for an error: the given fragment (swapped where the
    request pointed), else a page, or for htmx the notice (to #notice)."""
    title = TITLES.get(code, "Fejl")
    if fragment is not None:
        return fragment, code
    try:
        return _render_error(code, title, message)
    except sa.exc.SQLAlchemyError as error:
        # The page itself needed the database (who is signed in, for the
        # header) and it has gone: say that instead of failing the answer.
        if code == 503 or not database_unavailable(error):
            raise
        return database_unavailable_answer(error)


def _render_error(code: int, title: str, message: str):
    if not is_htmx():
        return render_template("errors/error.html", code=code, title=title, message=message), code
    html = render_template("errors/_fragment.html", code=code, title=title, message=message)
    return html, code, retarget(NOTICE_TARGET)


def handle_refused(refused: Refused):
    db.session.rollback()
    return render_error(refused.status, refused.message, refused.fragment)


def handle_csrf_error(error: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # abort(response): e.g. login redirect
        return error.response
    response = make_response(render_error(error.code, _message(error)))
    # A 503 or 429 that says when to come back keeps its Retry-After.
    for name, value in error.get_headers():
        if name == "Retry-After":
            response.headers[name] = value
    return response


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled error")
    db.session.rollback()
    return render_error(500, DEFAULT_MESSAGES[500])


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or used right
    now (as opposed to a statement it refused, which is a bug: a 500)."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    return error.connection_invalidated or isinstance(
        error, (sa.exc.OperationalError, sa.exc.InterfaceError)
    )


def one_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return " ".join(text.split())[:300]


def log_database_unavailable(error: BaseException, where: str) -> None:
    """The one log line for a database failure (used by the streams too)."""
    logging.getLogger("board.database").warning(
        "database unavailable (%s): %s: %s", where, type(error).__name__, one_line(error)
    )


def handle_database_error(error: sa.exc.SQLAlchemyError):
    if not database_unavailable(error):
        return handle_unexpected_error(error)
    return database_unavailable_answer(error)


def database_unavailable_answer(error: BaseException):
    """503 with Retry-After, the Danish page or notice, one log line."""
    log_database_unavailable(error, f"{request.method} {request.path}")
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        pass  # the connection is gone; the pool throws it away
    # The page's header must not ask the database who is signed in.
    g._login_user = AnonymousUserMixin()
    response = make_response(render_error(503, DEFAULT_MESSAGES[503]))
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def register(app) -> None:
    app.register_error_handler(Refused, handle_refused)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
