"""The board page's live wiring and the parts a page re-reads after an event:
columns with counts, single cards (in place, or at their new place), counts
and the filter, under the page's filter, for members and share links, as
htmx out-of-band swaps that read only what they show; viewers counted as
people. (That a board's events commit in id order is tested in
test_locks.py.)"""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest

from board.clock import utcnow
from board.events import record_event
from board.extensions import db
from board.live import presence
from board.models import LivePresence
from board.query_counter import count_queries
from tests import factories
from tests.html import one, select
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


def oob_parts(html: str) -> list[tuple[str, lxml.html.HtmlElement]]:
    """(hx-swap-oob value, element) of each out-of-band part, in order."""
    return [
        (element.get("hx-swap-oob"), element)
        for element in lxml.html.fragments_fromstring(html)
        if not isinstance(element, str) and element.get("hx-swap-oob")
    ]


def card_ids_in(element) -> list[int]:
    return [int(li.get("data-initiative-id")) for li in element.xpath(".//li[@data-initiative-id]")]


def swaps(html: str) -> dict[str, lxml.html.HtmlElement]:
    """The parts by their swap: "innerHTML:#column-x .card-list",
    "true:card-7", "delete:card-7", "true:count-x", "innerHTML:board-filter",
    "afterend:..." (several parts with one swap: the last)."""
    out = {}
    for value, element in oob_parts(html):
        if value in ("true", "delete", "innerHTML") and element.get("id"):
            value = f"{value}:{element.get('id')}"
        out[value] = element
    return out


def test_board_page_connects_to_its_stream_from_the_newest_event(client, two_themes):
    board, _ = two_themes
    html = member(client).get(f"/boards/{board.id}").get_data(as_text=True)
    newest = db.session.scalar(db.select(db.func.max(record_event.__globals__["Event"].id)))
    live = one(html, "[sse-connect]")
    assert live.attributes["sse-connect"] == f"/boards/{board.id}/events?last_event_id={newest}"
    assert live.attributes["data-parts-url"] == f"/boards/{board.id}/live/parts"
    assert one(html, "#announcer").attributes["aria-live"]


def test_share_page_connects_to_the_share_stream(client, two_themes):
    board, _ = two_themes
    token, _ = make_share_link(board)
    html = client.get(f"/s/{token}").get_data(as_text=True)
    live = one(html, "[sse-connect]")
    assert live.attributes["sse-connect"].startswith(f"/s/{token}/events?last_event_id=")
    assert live.attributes["data-parts-url"] == f"/s/{token}/live/parts"
    assert f"/boards/{board.id}" not in html


def test_column_parts_follow_the_page_filter(client, two_themes):
    board, cards = two_themes
    first = board.themes[0]
    response = member(client).get(
        f"/boards/{board.id}/live/parts?stage=planlagt&stage=nonsense&tema={first.id}"
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    parts = swaps(response.get_data(as_text=True))
    assert sorted(parts) == ["innerHTML:#column-planlagt .card-list", "true:count-planlagt"]
    # The list's children replace the page's (its <ol> stays: Sortable is bound to it).
    column = parts["innerHTML:#column-planlagt .card-list"]
    assert card_ids_in(column) == [cards["a"].id]  # b is of the other theme
    assert parts["true:count-planlagt"].text_content().strip() == "1"


def test_card_parts_and_cards_no_longer_shown(client, two_themes):
    board, cards = two_themes
    cards["c"].archived_at = utcnow()
    db.session.commit()
    html = (
        member(client)
        .get(f"/boards/{board.id}/live/parts?card={cards['a'].id}&card={cards['c'].id}")
        .get_data(as_text=True)
    )
    parts = swaps(html)
    a, c = cards["a"].id, cards["c"].id
    assert "card" in parts[f"true:card-{a}"].get("class").split()  # re-rendered in place
    assert parts[f"delete:card-{c}"].text_content() == ""  # archived: the page removes it
    # ... and its column's count and the filter's counts change with it.
    assert parts["true:count-igangsat"].text_content().strip() == "0"
    assert "innerHTML:board-filter" in parts
    assert not [v for v in parts if v.startswith("innerHTML:#column")]


def test_a_card_is_placed_after_the_card_before_it(client, two_themes):
    """A moved (or new, or restored) card is removed where the page shows it
    and put after the card now before it in its column, under the page's
    filter; the page must show that card in the version named."""
    board, cards = two_themes
    a, b = cards["a"].id, cards["b"].id  # planlagt: a, then b
    html = member(client).get(f"/boards/{board.id}/live/parts?place={b}&count=planlagt")
    html = html.get_data(as_text=True)
    parts = oob_parts(html)
    assert [value for value, _ in parts] == [
        "delete",
        f"afterend:#column-planlagt #card-{a}[data-version='1']",
        "true",
    ]
    assert parts[0][1].get("id") == f"card-{b}"
    assert card_ids_in(parts[1][1]) == [b]
    assert parts[1][1].get("data-live-stage") == "planlagt"  # re-read if the target is missing
    assert parts[2][1].get("id") == "count-planlagt"
    assert "board-filter" not in html

    # Under a filter that hides a, b is the first card of its column.
    second = board.themes[1]
    html = client.get(f"/boards/{board.id}/live/parts?place={b}&tema={second.id}")
    values = [value for value, _ in oob_parts(html.get_data(as_text=True))]
    assert values == ["delete", "afterbegin:#column-planlagt .card-list"]

    # A card the board no longer shows is only removed.
    cards["b"].archived_at = utcnow()
    db.session.commit()
    html = client.get(f"/boards/{board.id}/live/parts?place={b}").get_data(as_text=True)
    parts = swaps(html)
    assert list(parts) == [f"delete:card-{b}", "true:count-planlagt"]


def test_placing_a_card_reads_only_that_card(client, two_themes):
    board, cards = two_themes
    for i in range(20):
        factories.make_initiative(board, f"Flere {i}", stage="planlagt")
    html = (
        member(client)
        .get(f"/boards/{board.id}/live/parts?place={cards['b'].id}&count=planlagt&count=igangsat")
        .get_data(as_text=True)
    )
    rendered = [li for _, part in oob_parts(html) for li in part.xpath("descendant-or-self::li")]
    assert [li.get("id") for li in rendered] == [f"card-{cards['b'].id}"] * 2  # removal + card
    assert swaps(html)["true:count-planlagt"].text_content().strip() == "22"


def test_whole_board_and_filter_parts(client, two_themes):
    board, _ = two_themes
    html = (
        member(client).get(f"/boards/{board.id}/live/parts?all=1&filter=1").get_data(as_text=True)
    )
    parts = swaps(html)
    assert len([v for v in parts if v.startswith("innerHTML:#column-")]) == 4
    assert len([v for v in parts if v.startswith("true:count-")]) == 4
    # The form's inside is swapped: the form and its htmx trigger stay.
    assert parts["innerHTML:board-filter"].tag == "form"


@pytest.mark.parametrize(
    "query",
    [
        "all=1&filter=1",
        "stage=afsluttet&stage=planlagt",
        "place={a}&place={c}&count=planlagt&count=igangsat&filter=1",
        "card={a}&card={b}",
    ],
)
def test_parts_cost_a_fixed_number_of_queries(client, two_themes, query):
    board, cards = two_themes
    member(client)
    url = f"/boards/{board.id}/live/parts?" + query.format(**{k: c.id for k, c in cards.items()})
    client.get(url)
    with count_queries(db.engine) as few:
        client.get(url)
    for i in range(20):
        factories.make_initiative(board, f"Flere {i}", stage=("afsluttet", "planlagt")[i % 2])
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
    card = one(html, f"#card-{cards['a'].id}")
    assert f"/s/{token}/initiatives/{cards['a'].id}" in [
        a.attributes["href"] for a in select(card, "a")
    ]
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
