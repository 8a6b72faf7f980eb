"""Rendered cards are remembered by what they show (board/boards/card_cache.py):
a board page after a change shows the change, viewers of another kind get
their own markup, and the cache stays bounded."""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup

from board.boards.card_cache import CardCache
from board.comments.services import add_comment
from board.editing.services import update_initiative
from board.extensions import db
from board.share.services import create_share_link
from tests import factories
from tests.conftest import login
from tests.html import count, one, text_of, texts


def card_title(html: str, card_id: int) -> str:
    return text_of(html, f"#card-{card_id} .card-title")


def test_a_changed_card_shows_its_change_on_the_next_load(client, board, users):
    card = factories.make_initiative(board, "Ny takstmodel")
    other = factories.make_initiative(board, "Bostøtte i eget hjem")
    login(client, users["leder"])
    first = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert card_title(first, card.id) == "Ny takstmodel"

    update_initiative(
        card, expected_version=card.version, actor=users["leder"], title="Ny takstmodel 2027"
    )
    add_comment(other, actor=users["med"], body="Hvornår kommer den?")
    db.session.commit()

    second = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert card_title(second, card.id) == "Ny takstmodel 2027"
    assert text_of(second, f"#card-{other.id} .card-comments") == "1 kommentar"


def test_each_kind_of_viewer_gets_its_own_markup(client, board, users):
    card = factories.make_initiative(board, "Ny takstmodel")
    token = create_share_link(board, actor=None, label="Udvalget", show_comments=False).token
    db.session.commit()
    login(client, users["leder"])
    leader = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert count(leader, f"#card-{card.id} .move-toggle") == 1

    client.get("/logout")
    shared = client.get(f"/s/{token}").get_data(as_text=True)
    assert count(shared, f"#card-{card.id} .move-toggle") == 0
    link = one(shared, f"#card-{card.id} .card-title a").attributes["href"]
    assert link.startswith(f"/s/{token}/")


class Card(NamedTuple):
    id: int
    title: str

    def __str__(self) -> str:
        return self.title


def test_a_card_is_rendered_once_per_state_and_the_cache_is_bounded(app):
    calls = []
    a, b, c, d = (Card(i, name) for i, name in enumerate("abcd"))

    def macro(card, access):
        calls.append(card.title)
        return Markup(f"<li>{card}</li>")

    class Viewer:
        card_key = ("board", None, True, True)

    cache = CardCache(max_cards=3)
    with app.test_request_context("/"):
        assert cache.render_cards(macro, [a, b], Viewer()) == "<li>a</li><li>b</li>"
        assert cache.render_cards(macro, [a, b, c], Viewer()) == "<li>a</li><li>b</li><li>c</li>"
        assert calls == ["a", "b", "c"]
        cache.render_cards(macro, [d], Viewer())  # the least recently used ("a") goes
        cache.render_cards(macro, [a], Viewer())
        assert calls == ["a", "b", "c", "d", "a"]
        # A marked search title is not a plain title with the same characters.
        plain, marked = Card(9, "x <mark>y</mark>"), Card(9, Markup("x <mark>y</mark>"))
        cache.render_cards(macro, [plain], Viewer())
        cache.render_cards(macro, [marked], Viewer())
        assert calls[-2:] == ["x <mark>y</mark>", "x <mark>y</mark>"]

        def new_macro(card, access):  # templates reloaded: nothing old is reused
            calls.append(("new", card.title))
            return Markup(f"<li class=new>{card}</li>")

        assert cache.render_cards(new_macro, [a], Viewer()) == "<li class=new>a</li>"


def _new_visit(user, board) -> None:
    """The user's last board page was two hours ago: the next one starts a
    new visit (board/notifications/visits.py)."""
    from datetime import timedelta

    from board.clock import utcnow
    from board.notifications.models import BoardVisit

    db.session.get(BoardVisit, (user.id, board.id)).seen_at = utcnow() - timedelta(hours=2)
    db.session.commit()


def test_a_kept_card_shows_the_changed_marker_come_and_go(client, board, users):
    """The marker is part of what a card shows: it comes with someone else's
    change, and a card kept from a load with it is not shown again with it
    after the visit that saw the change (then the marker is the only thing
    about the card that differs: the description is not on the card)."""
    card = factories.make_initiative(board, "Ny takstmodel")
    url = f"/boards/{board.id}"
    marker = f"#card-{card.id} .card-changed"
    login(client, users["med"])
    assert count(client.get(url), marker) == 0  # the first visit: the card is now kept

    update_initiative(
        card, expected_version=card.version, actor=users["leder"], description="Ny tekst"
    )
    db.session.commit()
    _new_visit(users["med"], board)
    page = client.get(url)
    assert texts(page, marker) == ["Ændret siden dit sidste besøg"]
    assert count(client.get(url), marker) == 1  # the same visit: it stays

    _new_visit(users["med"], board)  # that visit saw the change
    assert count(client.get(url), marker) == 0
