"""The board list, the board page with its filter, and the card page."""

import re

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Initiative
from board.query_counter import count_queries
from tests import factories
from tests.conftest import login

STAGE_ORDER = ["ikke_ivaerksat", "planlagt", "igangsat", "afsluttet"]


def card_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-initiative-id="(\d+)"', html)]


def column_of(html: str, stage: str) -> str:
    start = html.index(f'<section class="column stage-{stage}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def leader(demo, client):
    from board.models import User

    user = db.session.scalars(db.select(User).filter_by(email="leder@tiltag.example")).one()
    login(client, user)
    return client


def test_board_list_shows_each_board_with_counts_per_column(leader, demo):
    html = leader.get("/").get_data(as_text=True)
    assert "Fælles langsigtet strategi" in html and "Udviklingsproces" in html
    # 2024 board: 16 / 4 / 8 / 1 by the column rule (board/column_rule.py).
    summary = html[html.index("Fælles langsigtet strategi") :]
    counts = re.findall(r"<dd>(\d+)</dd>", summary)[:4]
    assert sum(int(c) for c in counts) == 29


def test_board_page_has_four_columns_in_order_with_counts(leader, demo):
    strategy = demo[0]
    response = leader.get(f"/boards/{strategy.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    stages = re.findall(r'<section class="column[^"]*"[^>]*data-stage="(\w+)"', html)
    assert stages == STAGE_ORDER
    for label in ("Ikke iværksat", "Planlagt", "Igangsat", "Afsluttet"):
        assert label in html
    assert len(card_ids(html)) == 29
    total = sum(int(n) for n in re.findall(r'class="column-count"[^>]*>(\d+)<', html))
    assert total == 29


def test_card_shows_title_theme_objective_number_and_first_status_line(leader, demo):
    html = leader.get(f"/boards/{demo[0].id}").get_data(as_text=True)
    at = html.index("III. Ny takstmodel for STU")
    card = html[html.rfind('<li class="card', 0, at) : html.index("</li>", at)]
    assert "Fundamentet på plads" in card
    assert ">2.3<" in card
    assert "4. kvartal 2024" in card
    assert 'data-theme-id="' in card


def test_filter_by_theme_shows_only_its_cards(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[1]  # Fundamentet på plads: 13 tiltag
    html = leader.get(f"/boards/{strategy.id}?tema={theme.id}").get_data(as_text=True)
    assert set(re.findall(r'data-theme-id="(\d+)"', html)) == {str(theme.id)}
    assert len(card_ids(html)) == 13
    assert f'<option value="{theme.id}" selected>' in html


def test_filter_by_objective_shows_its_cards_and_lists_empty_objectives(leader, demo):
    strategy = demo[0]
    objective = strategy.themes[1].objectives[2]  # 2.3: three tiltag
    html = leader.get(f"/boards/{strategy.id}?maal={objective.id}").get_data(as_text=True)
    assert len(card_ids(html)) == 3
    # Every objective is listed with its count, zero included (1.1 has none).
    unfiltered = leader.get(f"/boards/{strategy.id}").get_data(as_text=True)
    assert re.search(r"1\.1 Vi taler med og ikke om borgeren \(0 tiltag\)", unfiltered)
    assert re.search(r"2\.3 [^<]*\(3 tiltag\)", unfiltered)


def test_htmx_filter_returns_only_the_columns_and_the_filter_out_of_band(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[3]
    response = leader.get(
        f"/boards/{strategy.id}?tema={theme.id}",
        headers={"HX-Request": "true", "HX-Target": "columns"},
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="columns"' in html
    assert 'id="board-filter"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response.headers["Vary"]
    assert set(re.findall(r'data-theme-id="(\d+)"', html)) == {str(theme.id)}


@pytest.mark.parametrize("query", ["tema=abc", "tema=999999", "maal=-1", "tema=&maal="])
def test_bad_filter_values_show_the_whole_board(leader, demo, query):
    response = leader.get(f"/boards/{demo[0].id}?{query}")
    assert response.status_code == 200
    assert len(card_ids(response.get_data(as_text=True))) == 29


def test_objective_of_another_theme_is_dropped(leader, demo):
    strategy = demo[0]
    theme = strategy.themes[0]
    foreign_objective = strategy.themes[1].objectives[0]
    html = leader.get(
        f"/boards/{strategy.id}?tema={theme.id}&maal={foreign_objective.id}"
    ).get_data(as_text=True)
    assert card_ids(html) == []  # theme 1 has no tiltag; the objective was ignored
    assert f'value="{foreign_objective.id}" selected' not in html


def test_card_page_shows_every_field(leader, demo):
    from board.models import Initiative

    card = db.session.scalars(
        db.select(Initiative).filter_by(
            title="Styrkelse af afdelingsledelsen i fire "
            "aftaleområder (mere driftsnær, faglig og "
            "borgerorienteret ledelse)"
        )
    ).one()
    html = leader.get(f"/boards/{card.board_id}/initiatives/{card.id}").get_data(as_text=True)
    assert "<html" in html
    for text in ("Iværksættelse", "Dec./Jan.", "Alle afdelingslederstillinger", "Organisering"):
        assert text in html
    dialog = leader.get(
        f"/boards/{card.board_id}/initiatives/{card.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in dialog and "Dec./Jan." in dialog and 'id="dialog-title"' in dialog
    # One h1 per page: the card's title on its own page; in the dialog over
    # the board (whose h1 is the board's title) an h2, also after an edit.
    assert html.count("<h1") == 1 and '<h1 id="dialog-title"' in html
    assert "<h1" not in dialog and '<h2 id="dialog-title"' in dialog
    page_url = f"http://localhost/boards/{card.board_id}/initiatives/{card.id}"
    swapped_on_page = leader.get(
        f"/boards/{card.board_id}/initiatives/{card.id}",
        headers={"HX-Request": "true", "HX-Current-URL": page_url},
    ).get_data(as_text=True)
    assert '<h1 id="dialog-title"' in swapped_on_page


def test_unknown_board_and_card_get_a_danish_404(leader, demo):
    for url in ("/boards/9999", f"/boards/{demo[0].id}/initiatives/99999", "/findes-ikke"):
        response = leader.get(url)
        assert response.status_code == 404
        assert "Siden findes ikke" in response.get_data(as_text=True)
    # A card of another board is not found through this board.
    other_card = card_ids(leader.get(f"/boards/{demo[1].id}").get_data(as_text=True))[0]
    response = leader.get(f"/boards/{demo[0].id}/initiatives/{other_card}")
    assert response.status_code == 404


def test_user_text_is_escaped(client, app):
    board = factories.make_board()
    user = factories.make_user(board=board, role="leder")
    factories.make_initiative(board, "<script>alert(1)</script>", status_note="<b>fed</b>")
    login(client, user)
    html = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


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
    assert many <= 10


def test_a_filter_without_matches_says_so(leader, demo):
    strategy = demo[0]
    used = set(
        db.session.scalars(sa.select(Initiative.theme_id).where(Initiative.board_id == strategy.id))
    )
    empty = next(t for t in strategy.themes if t.id not in used)
    html = leader.get(f"/boards/{strategy.id}?tema={empty.id}").get_data(as_text=True)
    notice = re.search(r'<p class="notice notice-info empty-filter"[^>]*>', html).group(0)
    assert "hidden" not in notice and "Ingen tiltag matcher filteret." in html
    full = leader.get(f"/boards/{strategy.id}?tema={strategy.themes[1].id}").get_data(as_text=True)
    assert re.search(r'<p class="notice notice-info empty-filter"[^>]*hidden', full)
    assert "empty-filter" not in leader.get(f"/boards/{strategy.id}").get_data(as_text=True)
