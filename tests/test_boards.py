"""The board list, the board page with its filter, and the card page."""

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Initiative
from board.query_counter import count_queries
from tests import factories
from tests.conftest import login
from tests.html import attr, attrs, count, has, one, select, text, text_of, texts

STAGE_ORDER = ["ikke_ivaerksat", "planlagt", "igangsat", "afsluttet"]


def card_ids(source) -> list[int]:
    return [int(x) for x in attrs(source, "li.card[data-initiative-id]", "data-initiative-id")]


def theme_ids(source) -> set[str]:
    return set(attrs(source, "li.card", "data-theme-id"))


@pytest.fixture
def leader(demo, client):
    from board.models import User

    user = db.session.scalars(db.select(User).filter_by(email="leder@tiltag.example")).one()
    login(client, user)
    return client


def test_board_list_shows_each_board_with_counts_per_column(leader, demo):
    page = leader.get("/")
    titles = texts(page, "li.board-summary h2 a")
    assert any("Fælles langsigtet strategi" in t for t in titles)
    assert any("Udviklingsproces" in t for t in titles)
    # 2024 board: 16 / 4 / 8 / 1 by the column rule (board/column_rule.py).
    summary = next(
        s for s in select(page, "li.board-summary") if "Fælles langsigtet strategi" in text(s)
    )
    counts = {
        c.attributes["data-stage"]: int(text(c.css_first("dd")))
        for c in summary.css(".stage-counts .stage-count")
    }
    assert list(counts) == STAGE_ORDER
    assert sum(counts.values()) == 29


def test_board_page_has_four_columns_in_order_with_counts(leader, demo):
    strategy = demo[0]
    response = leader.get(f"/boards/{strategy.id}")
    assert response.status_code == 200
    assert attrs(response, "section.column", "data-stage") == STAGE_ORDER
    titles = [t.rsplit(" ", 1)[0] for t in texts(response, "section.column h2.column-title")]
    assert titles == ["Ikke iværksat", "Planlagt", "Igangsat", "Afsluttet"]
    assert len(card_ids(response)) == 29
    for column in select(response, "section.column"):
        shown = text(column.css_first(".column-count"))
        assert int(shown) == len(column.css("ol.card-list > li.card"))
    assert sum(int(n) for n in texts(response, "section.column .column-count")) == 29


def test_card_shows_title_theme_objective_number_and_first_status_line(leader, demo):
    page = leader.get(f"/boards/{demo[0].id}")
    (card,) = [
        c
        for c in select(page, "li.card")
        if text_of(c, ".card-title") == "III. Ny takstmodel for STU"
    ]
    assert text_of(card, ".card-meta .card-theme") == "Fundamentet på plads"
    assert text_of(card, ".card-meta .card-objective") == "2.3"
    assert "4. kvartal 2024" in text_of(card, ".card-status")
    assert card.attributes["data-theme-id"].isdigit()


def test_filter_by_theme_shows_only_its_cards(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[1]  # Fundamentet på plads: 13 tiltag
    page = leader.get(f"/boards/{strategy.id}?tema={theme.id}")
    assert theme_ids(page) == {str(theme.id)}
    assert len(card_ids(page)) == 13
    assert attrs(page, "#filter-tema option[selected]", "value") == [str(theme.id)]


def test_filter_by_objective_shows_its_cards_and_lists_empty_objectives(leader, demo):
    strategy = demo[0]
    objective = strategy.themes[1].objectives[2]  # 2.3: three tiltag
    page = leader.get(f"/boards/{strategy.id}?maal={objective.id}")
    assert len(card_ids(page)) == 3
    assert attrs(page, "#filter-maal option[selected]", "value") == [str(objective.id)]
    # Every objective is listed with its count, zero included (1.1 has none).
    unfiltered = leader.get(f"/boards/{strategy.id}")
    options = texts(unfiltered, "#filter-maal optgroup option")
    assert "1.1 Vi taler med og ikke om borgeren (0 tiltag)" in options
    assert [o for o in options if o.startswith("2.3 ")][0].endswith("(3 tiltag)")


def test_htmx_filter_returns_only_the_columns_and_the_filter_out_of_band(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[3]
    response = leader.get(
        f"/boards/{strategy.id}?tema={theme.id}",
        headers={"HX-Request": "true", "HX-Target": "columns"},
    )
    assert "<html" not in response.get_data(as_text=True)
    assert count(response, "header.site-header, main, nav.site-nav") == 0
    assert count(response, "div.columns") == 1
    assert attr(response, "form#board-filter", "hx-swap-oob") == "innerHTML"
    assert "HX-Request" in response.headers["Vary"]
    assert theme_ids(response) == {str(theme.id)}


@pytest.mark.parametrize("query", ["tema=abc", "tema=999999", "maal=-1", "tema=&maal="])
def test_bad_filter_values_show_the_whole_board(leader, demo, query):
    response = leader.get(f"/boards/{demo[0].id}?{query}")
    assert response.status_code == 200
    assert len(card_ids(response)) == 29


def test_objective_of_another_theme_is_dropped(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[0]
    foreign_objective = strategy.themes[1].objectives[0]
    page = leader.get(f"/boards/{strategy.id}?tema={theme.id}&maal={foreign_objective.id}")
    assert card_ids(page) == []  # theme 1 has no tiltag; the objective was ignored
    assert attrs(page, "#filter-tema option[selected]", "value") == [str(theme.id)]
    assert attrs(page, "#filter-maal option[selected]", "value") == []
    assert f'value="{foreign_objective.id}" selected' not in page.get_data(as_text=True)


def test_card_page_shows_every_field(leader, demo):
    from board.models import Initiative

    card = db.session.scalars(
        db.select(Initiative).filter_by(
            title="Styrkelse af afdelingsledelsen i fire "
            "aftaleområder (mere driftsnær, faglig og "
            "borgerorienteret ledelse)"
        )
    ).one()
    page = leader.get(f"/boards/{card.board_id}/initiatives/{card.id}")
    html = page.get_data(as_text=True)
    assert "<html" in html and has(page, "header.site-header")
    main = text_of(page, "main")
    for shown in ("Iværksættelse", "Dec./Jan.", "Alle afdelingslederstillinger", "Organisering"):
        assert shown in main
    dialog = leader.get(
        f"/boards/{card.board_id}/initiatives/{card.id}", headers={"HX-Request": "true"}
    )
    assert "<html" not in dialog.get_data(as_text=True) and not has(
        dialog, "header.site-header, main"
    )
    assert "Dec./Jan." in text_of(dialog, "body")
    # One h1 per page: the card's title on its own page; in the dialog over
    # the board (whose h1 is the board's title) an h2, also after an edit.
    assert count(page, "h1") == 1 and has(page, "h1#dialog-title")
    assert count(dialog, "h1") == 0 and has(dialog, "h2#dialog-title")
    assert one(dialog, "#dialog-title").tag == "h2"
    page_url = f"http://localhost/boards/{card.board_id}/initiatives/{card.id}"
    swapped_on_page = leader.get(
        f"/boards/{card.board_id}/initiatives/{card.id}",
        headers={"HX-Request": "true", "HX-Current-URL": page_url},
    )
    assert one(swapped_on_page, "#dialog-title").tag == "h1"


def test_unknown_board_and_card_get_a_danish_404(leader, demo):
    for url in ("/boards/9999", f"/boards/{demo[0].id}/initiatives/99999", "/findes-ikke"):
        response = leader.get(url)
        assert response.status_code == 404
        assert text_of(response, "main h1") == "Siden findes ikke"
    # A card of another board is not found through this board.
    other_card = card_ids(leader.get(f"/boards/{demo[1].id}"))[0]
    response = leader.get(f"/boards/{demo[0].id}/initiatives/{other_card}")
    assert response.status_code == 404


def test_user_text_is_escaped(client, app):
    board = factories.make_board()
    user = factories.make_user(board=board, role="leder")
    factories.make_initiative(board, "<script>alert(1)</script>", status_note="<b>fed</b>")
    login(client, user)
    page = client.get(f"/boards/{board.id}")
    html = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Shown as text: no element came from the user's markup.
    assert text_of(page, "li.card .card-title") == "<script>alert(1)</script>"
    assert count(page, "main script, li.card b") == 0


def test_board_page_query_count_does_not_grow_with_cards(client, app):
    board = factories.make_board()
    user = factories.make_user(board=board, role="leder")
    login(client, user)

    def queries_for_board_page():
        with count_queries(db.engine) as counter:
            assert client.get(f"/boards/{board.id}").status_code == 200
        return counter.count

    for i in range(5):
        factories.make_initiative(board, f"Tiltag {i}", stage="planlagt")
    few = queries_for_board_page()
    for i in range(60):
        factories.make_initiative(board, f"Mere {i}", stage=["planlagt", "igangsat"][i % 2])
    many = queries_for_board_page()
    assert few == many
    assert many <= 11  # incl. the owner filter's choices (the board's members)


def test_a_filter_without_matches_says_so(leader, demo):
    strategy = demo[0]
    used = set(
        db.session.scalars(sa.select(Initiative.theme_id).where(Initiative.board_id == strategy.id))
    )
    empty = next(t for t in strategy.themes if t.id not in used)
    page = leader.get(f"/boards/{strategy.id}?tema={empty.id}")
    notice = one(page, "p.notice.notice-info.empty-filter")
    assert "hidden" not in notice.attributes
    assert "Ingen tiltag matcher filteret." in text(notice)
    full = leader.get(f"/boards/{strategy.id}?tema={strategy.themes[1].id}")
    assert attr(full, "p.notice.notice-info.empty-filter", "hidden") == ""
    assert "empty-filter" not in leader.get(f"/boards/{strategy.id}").get_data(as_text=True)
