"""The board page's live wiring and the parts a page re-reads after an event:
columns with counts, single cards and the filter, under the page's filter,
for members and share links; viewers counted as people. (That a board's
events commit in id order is tested in test_locks.py.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from board.events import record_event
from board.extensions import db
from board.live import presence
from board.models import LivePresence, utcnow
from board.query_counter import count_queries
from tests import factories
from tests.test_live_stream import make_share_link


@pytest.fixture
def two_themes(users):
    board = factories.make_board(
        "Strategi",
        themes=(("Borgeren først", ("1.1 Tale", "1.2 Redskaber")), ("Faglighed", ("2.1 Viden",))),
    )
    for kind in ("leder", "med"):
        factories.make_user(f"{kind}2@example.dk", board=board, role=kind)
    first, second = board.themes
    cards = {
        "a": factories.make_initiative(board, "A", theme=first, stage="planlagt"),
        "b": factories.make_initiative(board, "B", theme=second, stage="planlagt"),
        "c": factories.make_initiative(board, "C", theme=first, stage="igangsat"),
    }
    return board, cards


def member(client, email="leder2@example.dk"):
    from board.models import User
    from tests.conftest import login

    login(client, db.session.scalar(db.select(User).where(User.email == email)))
    return client


def templates(html: str, attribute: str) -> dict[str, str]:
    return dict(re.findall(rf'<template {attribute}="([^"]*)">(.*?)</template>', html, re.S))


def test_board_page_connects_to_its_stream_from_the_newest_event(client, two_themes):
    board, _ = two_themes
    html = member(client).get(f"/boards/{board.id}").get_data(as_text=True)
    newest = db.session.scalar(db.select(db.func.max(record_event.__globals__["Event"].id)))
    assert f'sse-connect="/boards/{board.id}/events?last_event_id={newest}"' in html
    assert f'data-parts-url="/boards/{board.id}/live/parts"' in html
    assert 'id="announcer"' in html


def test_share_page_connects_to_the_share_stream(client, two_themes):
    board, _ = two_themes
    token, _ = make_share_link(board)
    html = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'sse-connect="/s/{token}/events?last_event_id=' in html
    assert f'data-parts-url="/s/{token}/live/parts"' in html
    assert f"/boards/{board.id}" not in html


def test_column_parts_follow_the_page_filter(client, two_themes):
    board, cards = two_themes
    first = board.themes[0]
    response = member(client).get(
        f"/boards/{board.id}/live/parts?stage=planlagt&stage=nonsense&tema={first.id}"
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    columns = templates(response.get_data(as_text=True), "data-live-column")
    assert list(columns) == ["planlagt"]
    assert f'id="card-{cards["a"].id}"' in columns["planlagt"]
    assert f'id="card-{cards["b"].id}"' not in columns["planlagt"]  # other theme
    assert re.search(r'id="count-planlagt"[^>]*>\s*1\s*<', columns["planlagt"])


def test_card_parts_and_cards_no_longer_shown(client, two_themes):
    board, cards = two_themes
    cards["c"].archived_at = utcnow()
    db.session.commit()
    html = (
        member(client)
        .get(f"/boards/{board.id}/live/parts?card={cards['a'].id}&card={cards['c'].id}")
        .get_data(as_text=True)
    )
    parts = templates(html, "data-live-card")
    assert 'class="card' in parts[str(cards["a"].id)]
    assert parts[str(cards["c"].id)] == ""  # archived: the page removes it
    assert "data-live-column" not in html and "data-live-filter" not in html


def test_whole_board_and_filter_parts(client, two_themes):
    board, _ = two_themes
    html = (
        member(client).get(f"/boards/{board.id}/live/parts?all=1&filter=1").get_data(as_text=True)
    )
    assert len(templates(html, "data-live-column")) == 4
    filter_part = html.split("<template data-live-filter>")[1]
    assert '<form id="board-filter"' in filter_part


def test_parts_cost_a_fixed_number_of_queries(client, two_themes):
    board, _ = two_themes
    member(client)
    url = f"/boards/{board.id}/live/parts?all=1&filter=1"
    client.get(url)
    with count_queries(db.engine) as few:
        client.get(url)
    for i in range(20):
        factories.make_initiative(board, f"Flere {i}", stage="afsluttet")
    client.get(url)
    with count_queries(db.engine) as many:
        client.get(url)
    assert many.count == few.count


def test_bad_card_ids_are_a_clear_400(client, two_themes):
    board, _ = two_themes
    response = member(client).get(f"/boards/{board.id}/live/parts?card=x")
    assert response.status_code == 400
    assert "Ugyldigt tiltag-id" in response.get_data(as_text=True)


def test_share_parts_are_read_only_and_hide_comments(client, two_themes, users):
    board, cards = two_themes
    token, _ = make_share_link(board, show_comments=False)
    from board.models import Comment

    db.session.add(Comment(initiative_id=cards["a"].id, author_id=users["med"].id, body="Hej"))
    db.session.commit()
    html = client.get(f"/s/{token}/live/parts?stage=planlagt").get_data(as_text=True)
    assert f'href="/s/{token}/initiatives/{cards["a"].id}"' in html
    assert f"/boards/{board.id}" not in html
    assert "kommentar" not in html
    assert client.get(f"/s/{token}/live/parts?stage=planlagt&card=1").status_code == 200


def test_viewers_are_people_members_once_and_every_share_stream(app, board, users):
    def add(stream_id, **who):
        presence.add(stream_id, board_id=board.id, process_key="p1", **who)

    add("a", user_id=users["med"].id, share_link_id=None)
    add("b", user_id=users["med"].id, share_link_id=None)  # a second tab
    add("c", user_id=users["leder"].id, share_link_id=None)
    _, link = make_share_link(board)
    add("d", user_id=None, share_link_id=link.id)
    add("e", user_id=None, share_link_id=link.id)  # two committee members, one link
    assert presence.count_viewers([board.id], 60) == {board.id: 4}
    presence.remove("c", board.id)
    assert presence.count_viewers([board.id], 60) == {board.id: 3}


def test_a_dead_process_viewers_stop_counting_and_are_cleaned_up(app, board, users):
    presence.add(
        "alive", board_id=board.id, user_id=users["med"].id, share_link_id=None, process_key="alive"
    )
    presence.add(
        "dead", board_id=board.id, user_id=users["leder"].id, share_link_id=None, process_key="dead"
    )
    db.session.get(LivePresence, "dead").seen_at = utcnow() - timedelta(seconds=120)
    db.session.commit()
    assert presence.count_viewers([board.id], 60) == {board.id: 1}
    presence.touch("alive")
    presence.delete_stale(60)
    assert [row.id for row in db.session.scalars(db.select(LivePresence))] == ["alive"]
