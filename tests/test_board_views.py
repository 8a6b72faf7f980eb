"""The board's views (`?visning=kompakt` and `?visning=spor`), their links
that keep the filter, the parts and move answers drawn in the page's view,
the column jump list, and a new tiltag started in the column it was asked
for from."""

import pytest

from board.extensions import db
from board.live.messages import build_messages
from board.models import Event, Initiative
from board.moves.services import move_initiative
from tests import factories
from tests.conftest import login
from tests.html import attr, attrs, count, select, texts
from tests.test_boards import STAGE_ORDER, card_ids
from tests.test_live_parts import member, swaps
from tests.test_live_stream import make_share_link


@pytest.fixture
def leader(demo, client):
    login(client, factories.make_user("rum@example.dk", board=demo[0], role="leder"))
    return client


@pytest.fixture
def two_themes(users):
    """A board of two themes: A (first) and B (second) in Planlagt, C (first)
    in Igangsat; the members leder2 and med2."""
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


def test_compact_view_shows_every_card_on_one_line(leader, demo):
    strategy = demo[0]
    page = leader.get(f"/boards/{strategy.id}?visning=kompakt")
    assert page.status_code == 200
    assert count(page, "li.card.card-compact") == 29
    assert count(page, "li.card .card-status, li.card .card-theme") == 0
    assert attrs(page, "section.column", "data-stage") == STAGE_ORDER
    assert attr(page, ".view-switch a[aria-current=page]", "href").endswith("?visning=kompakt")
    # Every card keeps its move control and the attributes the scripts read.
    assert count(page, "li.card-compact .move-toggle") == 29
    assert len(set(attrs(page, "li.card-compact", "data-version"))) >= 1


def test_swimlanes_have_a_row_per_theme_with_the_four_columns(leader, demo):
    strategy = demo[0]
    page = leader.get(f"/boards/{strategy.id}?visning=spor")
    lanes = select(page, "section.lane")
    assert [lane.attributes["id"] for lane in lanes] == [f"lane-{t.id}" for t in strategy.themes]
    for lane, theme in zip(lanes, strategy.themes, strict=True):
        assert lane.attributes["data-filter-tema"] == str(theme.id)
        cells = lane.css(".lane-cell")
        assert [c.attributes["data-stage"] for c in cells] == STAGE_ORDER
        for card in lane.css("li.card"):
            assert card.attributes["data-theme-id"] == str(theme.id)
    assert len(card_ids(page)) == 29
    assert count(page, "section.column, .column-count") == 0  # no columns: cells


def test_a_filtered_swimlane_view_shows_only_its_row(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[1]
    page = leader.get(f"/boards/{strategy.id}?visning=spor&tema={theme.id}")
    assert attrs(page, "section.lane", "id") == [f"lane-{theme.id}"]
    assert attr(page, "#board-filter input[name=visning]", "value") == "spor"


def test_view_links_keep_the_filter_and_the_search(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[0]
    page = leader.get(f"/boards/{strategy.id}?tema={theme.id}&q=borger")
    links = dict(
        zip(texts(page, ".view-switch a"), attrs(page, ".view-switch a", "href"), strict=True)
    )
    base = f"/boards/{strategy.id}"
    assert links == {
        "Kort": f"{base}?tema={theme.id}&q=borger",
        "Kompakt": f"{base}?tema={theme.id}&q=borger&visning=kompakt",
        "Spor": f"{base}?tema={theme.id}&q=borger&visning=spor",
    }
    assert attr(page, "#columns .columns", "data-filter-q") == "borger"


@pytest.mark.parametrize("mode", ["nonsense", "KOMPAKT", "", "spor\x7f", "a" * 3000])
def test_an_unknown_view_is_the_normal_board(leader, demo, mode):
    page = leader.get(f"/boards/{demo[0].id}", query_string={"visning": mode})
    assert page.status_code == 200
    assert count(page, "section.column li.card:not(.card-compact)") == 29


def test_the_jump_list_links_to_each_column(leader, demo):
    page = leader.get(f"/boards/{demo[0].id}?visning=kompakt")
    assert attrs(page, ".column-jump a", "href") == [f"#column-{s}" for s in STAGE_ORDER]
    assert attrs(page, "section.column", "id") == [f"column-{s}" for s in STAGE_ORDER]


def test_live_parts_are_drawn_in_the_pages_view(client, two_themes):
    board, cards = two_themes
    first = board.themes[0]
    member(client)
    compact = client.get(f"/boards/{board.id}/live/parts?card={cards['a'].id}&visning=kompakt")
    assert count(compact, "li.card-compact") == 1
    # Swimlanes: a column is one cell per row, with no column count.
    html = client.get(f"/boards/{board.id}/live/parts?stage=planlagt&visning=spor").get_data(
        as_text=True
    )
    assert sorted(swaps(html)) == [
        f"innerHTML:#lane-{t.id}-planlagt .card-list"
        for t in sorted(board.themes, key=lambda t: t.id)
    ]
    # A card placed in its row: after the card before it there, or first in the cell.
    c2 = factories.make_initiative(board, "C2", theme=first, stage="igangsat")
    html = client.get(
        f"/boards/{board.id}/live/parts?place={c2.id}&count=igangsat&visning=spor"
    ).get_data(as_text=True)
    parts = swaps(html)
    assert f"afterend:#lane-{first.id}-igangsat #card-{cards['c'].id}[data-version='1']" in parts
    assert not [p for p in parts if "count-" in p]


def test_a_card_placed_first_in_its_row(client, two_themes):
    board, cards = two_themes
    second = board.themes[1]
    member(client)
    # B is the only card of the second theme in Planlagt, after A (first theme).
    html = client.get(f"/boards/{board.id}/live/parts?place={cards['b'].id}&visning=spor")
    assert f"afterbegin:#lane-{second.id}-planlagt .card-list" in swaps(html.get_data(as_text=True))
    normal = client.get(f"/boards/{board.id}/live/parts?place={cards['b'].id}")
    assert f"afterend:#column-planlagt #card-{cards['a'].id}[data-version='1']" in swaps(
        normal.get_data(as_text=True)
    )


def test_a_move_in_a_row_counts_the_rows_cards_and_answers_in_the_view(client, two_themes):
    board, cards = two_themes
    second = board.themes[1]
    b2 = factories.make_initiative(board, "B2", theme=second, stage="igangsat")
    member(client)
    # In the second theme's row, B2 goes after B in Planlagt's cell: position
    # 1 counts the row's cards (B), not the column's (A, B).
    response = client.post(
        f"/boards/{board.id}/initiatives/{b2.id}/move",
        data={
            "stage": "planlagt",
            "position": "1",
            "version": "1",
            "tema": second.id,
            "visning": "spor",
        },
    )
    assert response.status_code == 200
    assert count(response, "li.card") == 1
    assert count(response, ".column-count") == 0  # the swimlane view has none
    db.session.expire_all()
    planlagt = db.session.scalars(
        db.select(Initiative.title)
        .where(Initiative.board_id == board.id, Initiative.stage == "planlagt")
        .order_by(Initiative.position)
    ).all()
    assert planlagt == ["A", "B", "B2"]
    # At the top of the row's cell: the top of the column.
    response = client.post(
        f"/boards/{board.id}/initiatives/{b2.id}/move",
        data={
            "stage": "planlagt",
            "position": "0",
            "version": "2",
            "tema": second.id,
            "visning": "spor",
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(
        db.select(Initiative.title)
        .where(Initiative.board_id == board.id, Initiative.stage == "planlagt")
        .order_by(Initiative.position)
    ).all() == ["B2", "A", "B"]
    response = client.post(
        f"/boards/{board.id}/initiatives/{cards['a'].id}/move",
        data={"stage": "igangsat", "position": "0", "version": "1", "visning": "kompakt", "q": "a"},
    )
    assert response.status_code == 200
    assert count(response, "li.card-compact") == 1
    assert count(response, ".column-count") == 4


def test_the_change_note_says_what_happened_and_who(two_themes):
    board, cards = two_themes
    from board.models import User

    lone = factories.make_user("lone@example.dk", name="Lone Leder", board=board, role="leder")
    move_initiative(cards["a"], stage="afsluttet", position=0, version=1, actor=lone)
    db.session.commit()
    event = db.session.scalars(db.select(Event).order_by(Event.id.desc())).first()
    ((_, data),) = build_messages([event])
    assert data["change"] == "Flyttet af Lone Leder"
    assert db.session.get(User, lone.id)


def test_a_new_tiltag_starts_in_the_column_it_was_asked_for_from(leader, demo):
    strategy = demo[0]
    page = leader.get(f"/boards/{strategy.id}")
    links = attrs(page, "section.column a.new-in-column", "href")
    assert links == [f"/boards/{strategy.id}/initiatives/new?stage={s}" for s in STAGE_ORDER]
    form = leader.get(f"/boards/{strategy.id}/initiatives/new?stage=igangsat")
    assert attr(form, "select[name=stage] option[selected]", "value") == "igangsat"
    for bad in ("nonsense", "", "IGANGSAT"):
        form = leader.get(f"/boards/{strategy.id}/initiatives/new", query_string={"stage": bad})
        assert form.status_code == 200
        assert attr(form, "select[name=stage] option[selected]", "value") == "ikke_ivaerksat"


def test_med_and_share_visitors_get_no_new_tiltag_links(client, demo, users):
    board = demo[0]
    med = factories.make_user("med9@example.dk", board=board, role="med")
    login(client, med)
    assert count(client.get(f"/boards/{board.id}"), "a.new-in-column") == 0
    token, _ = make_share_link(board)
    client.get("/logout")
    assert count(client.get(f"/s/{token}?visning=kompakt"), "a.new-in-column, .move-toggle") == 0


def test_the_compact_line_shows_the_vurdering_and_the_owner(client, two_themes):
    board, cards = two_themes
    leader = factories.make_user("ejer@example.dk", name="Olga Ejer", board=board, role="leder")
    cards["a"].owner_id, cards["a"].health = leader.id, "roed"
    db.session.commit()
    login(client, leader)
    page = client.get(f"/boards/{board.id}?visning=kompakt")
    line = select(page, f"#card-{cards['a'].id}.card-compact")[0]
    assert line.attributes["data-health"] == "roed"
    assert "Vurdering: Kritisk / forsinket" in line.css_first(".card-health").text()
    assert line.css_first(".card-owner").text() == "Ansvarlig: Olga Ejer"
    assert (
        select(page, f"#card-{cards['b'].id} .card-health, #card-{cards['b'].id} .card-owner") == []
    )
    # The vurdering filter and the search together, the view links keeping both.
    page = client.get(f"/boards/{board.id}?vurdering=roed&q=a&visning=kompakt")
    assert card_ids(page) == [cards["a"].id]
    kompakt = [a for a in select(page, ".view-switch a") if a.text() == "Kort"][0]
    assert kompakt.attributes["href"] == f"/boards/{board.id}?vurdering=roed&q=a"
