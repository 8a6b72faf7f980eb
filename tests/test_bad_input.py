"""Input no form would send, but a tampered request, a stale link or a odd
browser can: a clear Danish 4xx, nothing written, on SQLite and PostgreSQL
alike (a NUL character is refused by PostgreSQL but stored by SQLite)."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from board.comments.services import add_comment
from board.editing import structure
from board.editing.services import create_initiative, update_initiative
from board.errors import Refused
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


# --------------------------------------------------------------- the importer
PREVIEW_UNREADABLE = "Forhåndsvisningen kunne ikke læses. Start forfra."
LONG_NUMBER = "1.2.3.4.5.6.7.8.9.10.11"  # 23 characters; Objective.number holds 20


def _kilde(cell: str) -> str:
    """A preview's hidden copy of the table, with `cell` as a tiltag."""
    return json.dumps(
        {
            "kind": "csv",
            "header": ["Pejlemærke", "Tiltag"],
            "rows": [{"line": 2, "cells": ["Borgeren først", cell], "after_break": False}],
        }
    )


@pytest.mark.parametrize(
    "data",
    [
        {"tabel": f"Pejlemærke\tMålsætning\tTiltag\nBorgeren\t{LONG_NUMBER} Lang\tPanel\n"},
        {
            "fil": (
                io.BytesIO(f"Pejlemærke;Målsætning;Tiltag\nA;{LONG_NUMBER} Lang;B\n".encode()),
                "tabel.csv",
            )
        },
    ],
    ids=["paste", "csv"],
)
def test_an_objective_number_over_20_characters_is_a_danish_422(as_user, data):
    leder = as_user("leder")
    for url in ("/import/preview", "/import"):
        fields = {key: value for key, value in data.items()}
        if "fil" in fields:
            fields["fil"] = (io.BytesIO(fields["fil"][0].getvalue()), fields["fil"][1])
        response = leder.post(
            url, data={**fields, "titel": "Import"}, content_type="multipart/form-data"
        )
        assert response.status_code == 422, url
        assert "nummer" in response.get_data(as_text=True) and "20 tegn" in response.get_data(
            as_text=True
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


@pytest.mark.parametrize(
    "kilde",
    [
        _kilde("Panel\\u0000"),
        _kilde("Panel\\ud800"),
        "[" * 100_000 + "]" * 100_000,
        '{"kind": "csv", "header": ["Tiltag"], "rows": [], "preamble": ' + "[" * 50_000 + "]}",
    ],
    ids=["nul", "lone-surrogate", "deep-nesting", "deep-nesting-inside"],
)
def test_a_crafted_preview_field_is_a_danish_400(as_user, kilde):
    leder = as_user("leder")
    for url in ("/import/preview", "/import"):
        response = leder.post(url, data={"kilde": kilde.replace("\\\\", "\\"), "titel": "Import"})
        assert response.status_code == 400, url
        assert PREVIEW_UNREADABLE in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


# --------------------------------------------------------------- the domain
def _structure(board):
    theme = board.themes[0]
    return theme, theme.objectives[0]


def _long(n: int) -> str:
    return "x" * (n + 1)


DOMAIN_CASES = {
    "board title": lambda b, t, o, c, u: structure.create_board(
        title=_long(200), theme_label="Pejlemærke", objective_label=None, actor=None
    ),
    "board theme label": lambda b, t, o, c, u: structure.update_board(
        b, title="Tavle", theme_label=_long(60), objective_label="Målsætning", actor=None
    ),
    "board objective label": lambda b, t, o, c, u: structure.update_board(
        b, title="Tavle", theme_label="Pejlemærke", objective_label=_long(60), actor=None
    ),
    "theme title": lambda b, t, o, c, u: structure.add_theme(b, title=_long(300), actor=None),
    "theme rename": lambda b, t, o, c, u: structure.rename_theme(t, title=_long(300), actor=None),
    "objective number": lambda b, t, o, c, u: structure.add_objective(
        t, number=_long(20), title="Mål", actor=None
    ),
    "objective title": lambda b, t, o, c, u: structure.update_objective(
        o, number="1.1", title=_long(500), actor=None
    ),
    "card title": lambda b, t, o, c, u: create_initiative(theme=t, title=_long(500)),
    "card responsible": lambda b, t, o, c, u: create_initiative(
        theme=t, title="Kort", responsible=_long(200)
    ),
    "card edit": lambda b, t, o, c, u: update_initiative(
        c, expected_version=c.version, actor=None, title=_long(500)
    ),
    "card NUL": lambda b, t, o, c, u: update_initiative(
        c, expected_version=c.version, actor=None, status_note="a\x00b"
    ),
    "card surrogate": lambda b, t, o, c, u: create_initiative(theme=t, title="a\ud800b"),
    "theme NUL": lambda b, t, o, c, u: structure.add_theme(b, title="a\x00b", actor=None),
    "share link label": lambda b, t, o, c, u: create_share_link(b, label=_long(200), actor=None),
    "comment body": lambda b, t, o, c, u: add_comment(c, actor=u, body="a\ud800b"),
}


@pytest.mark.parametrize("case", list(DOMAIN_CASES))
def test_over_long_or_unstorable_text_is_refused_alike_on_both_databases(board, users, card, case):
    """SQLite stores a 501-character title in VARCHAR(500), a NUL and a lone
    surrogate; PostgreSQL refuses them. The domain refuses them first."""
    theme, objective = _structure(board)
    counts = {m: _count(m) for m in (Event, Initiative, ShareLink, Comment)}
    with pytest.raises(Refused) as refused:
        DOMAIN_CASES[case](board, theme, objective, card, users["med"])
        db.session.flush()
    assert refused.value.status == 422
    assert "tegn" in refused.value.message
    db.session.rollback()
    assert {m: _count(m) for m in counts} == counts
    assert db.session.get(Initiative, card.id).title == "Fælles redskab"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
