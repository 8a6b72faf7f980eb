"""The 500 page: a view that fails unexpectedly gives a Danish page (or, for
htmx, a notice fragment), never a stack trace; the error is logged with its
traceback, and the request's half-done writes are rolled back.

The failing views are registered on an app of this module's own, never in the
product (the authorization matrix walks the product's routes)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Board, User
from tests import factories
from tests.conftest import login
from tests.html import attr, count, one, text_of

SECRET = "hemmelig-detalje-4711"  # what the exception says: must never reach the page
HALF_WRITTEN = "Halvt skrevet tavle"
MESSAGE = "Der skete en uventet fejl. Prøv igen, og kontakt administrationen, hvis det fortsætter."


@pytest.fixture
def failing_app(make_app):
    # TESTING turns PROPAGATE_EXCEPTIONS on, and Flask would then raise the
    # error into the test instead of calling the app's 500 handler.
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/fails-after-a-write")
    def fails_after_a_write():
        db.session.add(Board(title=HALF_WRITTEN))
        db.session.flush()  # written to the transaction, not committed
        raise RuntimeError(SECRET)

    @app.get("/test-only/fails-in-the-database")
    def fails_in_the_database():
        # A duplicate e-mail: the database refuses the statement (on
        # PostgreSQL the transaction is then aborted until rolled back).
        db.session.add(Board(title=HALF_WRITTEN))
        db.session.add(User(email="leder@example.dk", name=SECRET, password_hash="x"))
        db.session.flush()
        return "unreachable"

    with app.app_context():
        yield app


@pytest.fixture
def client(failing_app):
    client = failing_app.test_client()
    # Signed in, so the error page's header reads the user from the database
    # after the failure (it must work on a rolled-back session).
    login(client, factories.make_user("leder@example.dk", name="Lone Leder"))
    return client


def half_written_boards() -> int:
    # The test shares the requests' session: a write the handler failed to
    # roll back would still be visible here.
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Board).where(Board.title == HALF_WRITTEN)
    )


def assert_no_internals(response) -> None:
    body = response.get_data(as_text=True)
    for leak in (SECRET, "Traceback", "RuntimeError", "IntegrityError", 'File "'):
        assert leak not in body, leak


@pytest.mark.parametrize(
    "path", ["/test-only/fails-after-a-write", "/test-only/fails-in-the-database"]
)
def test_an_unexpected_error_gives_a_danish_page_without_a_stack_trace(client, caplog, path):
    with caplog.at_level(logging.ERROR):
        response = client.get(path)

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert attr(response, "html", "lang") == "da"
    assert text_of(response, "main h1") == "Der skete en fejl"
    assert text_of(response, "main .error-message") == MESSAGE
    assert attr(response, 'main a[href="/"]', "href") == "/"
    assert text_of(response, "header .who") == "Lone Leder"  # rendered after the rollback
    assert_no_internals(response)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(errors) == 1
    assert errors[0].exc_info[0] in (RuntimeError, sa.exc.IntegrityError)
    assert errors[0].getMessage() == "Unhandled error"

    assert half_written_boards() == 0


@pytest.mark.parametrize(
    "path", ["/test-only/fails-after-a-write", "/test-only/fails-in-the-database"]
)
def test_an_unexpected_error_in_an_htmx_request_gives_a_notice_fragment(client, caplog, path):
    with caplog.at_level(logging.ERROR):
        response = client.get(path, headers={"HX-Request": "true"})

    assert response.status_code == 500
    notice = one(response, "p.notice.notice-error")
    assert notice.attributes["data-status"] == "500"
    assert text_of(response, "p.notice") == MESSAGE
    # A fragment for the notice area, not a whole page.
    assert count(response, "header, main, h1, nav") == 0
    assert "<html" not in response.get_data(as_text=True)
    assert_no_internals(response)

    assert [r.exc_info[0] for r in caplog.records if r.exc_info] in (
        [RuntimeError],
        [sa.exc.IntegrityError],
    )
    assert half_written_boards() == 0


def test_the_app_still_answers_after_an_unexpected_error(client):
    assert client.get("/test-only/fails-after-a-write").status_code == 500
    response = client.get("/")
    assert response.status_code == 200
    assert half_written_boards() == 0
