"""Input no form would send, but a tampered request, a stale link or a odd
browser can: a clear Danish 4xx, nothing written, on SQLite and PostgreSQL
alike (a NUL character is refused by PostgreSQL but stored by SQLite)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Comment, Event, Initiative, ShareLink
from board.security import NUL_REFUSED
from board.share.services import create_share_link
from tests import factories
from tests.html import one, text_of
from tests.test_editing_http import error_next_to, form_data

NUL_MESSAGE = "ugyldigt tegn (et NUL-tegn)"


@pytest.fixture
def card(board):
    return factories.make_initiative(board, "Fælles redskab", status_note="Gammel status")


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_a_nul_character_in_a_comment_an_edit_or_a_link_label_is_a_danish_400(as_user, board, card):
    events = event_count()
    med, leder = as_user("med"), as_user("leder")
    urls = f"/boards/{board.id}/initiatives/{card.id}"
    refused = [
        med.post(f"{urls}/comments", data={"body": "Hej\x00 med dig"}),
        leder.post(f"{urls}/edit", data=form_data(card, title="Titel\x00")),
        leder.post(f"/boards/{board.id}/share-links", data={"label": "Udvalg\x00"}),
        leder.get(f"/boards/{board.id}?tema=%00"),
    ]
    for response in refused:
        assert response.status_code == 400
        assert NUL_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 0
    assert db.session.get(Initiative, card.id).title == "Fælles redskab"
    assert event_count() == events
    assert "NUL" in NUL_REFUSED


def test_a_text_file_with_a_nul_character_is_refused_by_the_importer(as_user):
    response = as_user("leder").post(
        "/import/preview",
        data={"fil": (io.BytesIO(b"Pejlem\xc3\xa6rke\tTiltag\nA\x00\tB\n"), "tabel.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 422)
    assert NUL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "1.5"])
def test_odd_numbers_for_a_pejlemaerke_or_a_card_are_a_danish_400(as_user, board, value):
    leder = as_user("leder")
    for response in (
        leder.get(f"/boards/{board.id}/status", query_string={"tema": value}),
        leder.get(f"/boards/{board.id}/status.csv", query_string={"tema": value}),
        leder.post(f"/boards/{board.id}/reports", data={"dato": "2024-06-30", "tema": value}),
        leder.get(f"/boards/{board.id}/live/parts", query_string={"card": value}),
        leder.get(f"/boards/{board.id}/events", query_string={"last_event_id": value}),
    ):
        assert response.status_code == 400, response.request.path
        text = response.get_data(as_text=True)
        assert "findes ikke" in text or "Ugyldig" in text, text[:300]


@pytest.mark.parametrize("value", ["99999999999999999999999", "²"])
def test_odd_numbers_in_a_board_filter_are_ignored(as_user, board, value):
    response = as_user("med").get(
        f"/boards/{board.id}", query_string={"tema": value, "maal": value}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["theme", "objective"])
def test_a_tampered_choice_in_the_edit_form_gets_a_danish_message(as_user, board, card, field):
    response = as_user("leder").post(
        f"/boards/{board.id}/initiatives/{card.id}/edit", data=form_data(card, **{field: "abc"})
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_next_to(response, field) == "Vælg en af mulighederne på listen."
    assert "Invalid" not in html and "coerce" not in html


def test_a_tampered_related_objective_gets_a_danish_message(as_user, board, card):
    data = form_data(card)
    data["related_objectives"] = "abc"
    response = as_user("leder").post(f"/boards/{board.id}/initiatives/{card.id}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_next_to(response, "related_objectives") == "Vælg blandt mulighederne på listen."
    assert "Invalid" not in html


@pytest.mark.parametrize("big", ["2147483648", "9223372036854775808", "1" + "0" * 30])
def test_ids_beyond_the_databases_integer_are_404(app, as_user, board, card, big):
    token = create_share_link(board, label="Udvalg", actor=None).token
    db.session.commit()
    leder = as_user("leder")
    for response in (
        leder.get(f"/boards/{big}"),
        leder.get(f"/boards/{board.id}/initiatives/{big}"),
        leder.post(f"/boards/{board.id}/initiatives/{big}/move", data={"stage": "planlagt"}),
        leder.post(f"/boards/{board.id}/share-links/{big}/revoke"),
        app.test_client().get(f"/s/{token}/initiatives/{big}"),
    ):
        assert response.status_code == 404, response.request.path
        assert "findes ikke" in response.get_data(as_text=True)


def test_a_malformed_current_url_header_still_renders_the_card(as_user, board, card):
    response = as_user("med").get(
        f"/boards/{board.id}/initiatives/{card.id}",
        headers={"HX-Request": "true", "HX-Current-URL": "http://[::1"},
    )
    assert response.status_code == 200
    assert one(response, "#dialog-title").tag == "h2"
    assert text_of(response, "#dialog-title") == "Fælles redskab"


def test_a_malformed_next_after_login_goes_to_the_board_list(client, users):
    response = client.post(
        "/login?next=//[", data={"email": "med@example.dk", "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
