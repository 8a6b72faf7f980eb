"""One refusal, one handler: whatever raises `Refused`, the answer is the
same Danish page or, for htmx, the notice sent to #notice, and the
transaction is rolled back."""

from __future__ import annotations

import pytest

from board.errors import Refused
from board.extensions import db
from board.models import Board
from tests.html import select, text_of

HX = {"HX-Request": "true"}


@pytest.fixture
def refusing_app(make_app):
    app = make_app()

    @app.post("/test-refusal")
    def refuse():
        # A write that must not survive the refusal.
        db.session.add(Board(title="Halvt skrevet", theme_label="Pejlemærke"))
        db.session.flush()
        raise Refused("Det kan ikke lade sig gøre.", 409)

    @app.post("/test-refusal-with-fragment")
    def refuse_with_fragment():
        raise Refused("Nej.", 409, fragment='<div id="card">Kortet som det er nu</div>')

    return app


def _boards(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Board))


def test_a_page_request_gets_the_danish_error_page_and_nothing_is_written(refusing_app):
    response = refusing_app.test_client().post("/test-refusal")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert text_of(html, "h1") == "Konflikt"
    assert text_of(html, ".error-message") == "Det kan ikke lade sig gøre."
    assert "HX-Retarget" not in response.headers
    assert _boards(refusing_app) == 0


def test_an_htmx_request_gets_the_notice_sent_to_the_notice_area(refusing_app):
    response = refusing_app.test_client().post("/test-refusal", headers=HX)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#notice"
    assert response.headers["HX-Reswap"] == "innerHTML"
    notice = select(response.get_data(as_text=True), "p.notice.notice-error")
    assert len(notice) == 1 and notice[0].text().strip() == "Det kan ikke lade sig gøre."
    assert _boards(refusing_app) == 0


def test_a_refusal_with_a_fragment_is_swapped_where_the_request_pointed(refusing_app):
    response = refusing_app.test_client().post("/test-refusal-with-fragment", headers=HX)
    assert response.status_code == 409
    assert "HX-Retarget" not in response.headers
    assert text_of(response.get_data(as_text=True), "#card") == "Kortet som det er nu"
