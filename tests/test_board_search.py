"""Search on the board (`?q=`, board/boards/search.py): what it finds (title,
description, iværksættelse, status, comments), what it never finds (deleted
comments; comments behind a share link that hides them), Danish word forms,
the index kept in step with edits, marked matches, odd input, and a constant
number of queries."""

import pytest
import sqlalchemy as sa

from board.boards.search import mark, matching_ids, search_terms
from board.comments.services import add_comment, delete_comment
from board.database import is_postgresql
from board.editing.services import update_initiative
from board.extensions import db
from board.query_counter import count_queries
from tests import factories
from tests.conftest import login
from tests.html import select, texts
from tests.test_live_stream import make_share_link


@pytest.fixture
def board(users):
    board = factories.make_board("Søgetavle")
    leader = factories.make_user("soeg@example.dk", name="Sara Søger", board=board, role="leder")
    cards = {
        "title": factories.make_initiative(board, "Planlægningen af sommerferien"),
        "description": factories.make_initiative(
            board, "Borgerrettet indsats", description="Et nyt samarbejde med civilsamfundet"
        ),
        "timeline": factories.make_initiative(
            board, "Kompetenceløft", stage="planlagt", timeline="Opstart i efteråret 2025"
        ),
        "status": factories.make_initiative(
            board, "Digital post", stage="igangsat", status_note="Afventer leverandøren"
        ),
        "comment": factories.make_initiative(board, "Tryghed i nattetimerne", stage="afsluttet"),
        "none": factories.make_initiative(board, "Andet tiltag"),
    }
    add_comment(cards["comment"], actor=leader, body="Husk natteravnene fra foreningen")
    db.session.commit()
    return board, cards, leader


def found(board, text, *, comments=True) -> set[int]:
    return set(matching_ids(board.id, search_terms(text), comments=comments))


def test_each_searched_text_is_found(board):
    board, cards, _ = board
    assert found(board, "sommerferien") == {cards["title"].id}
    assert found(board, "civilsamfundet") == {cards["description"].id}
    assert found(board, "efteråret") == {cards["timeline"].id}
    assert found(board, "leverandøren") == {cards["status"].id}
    assert found(board, "natteravnene") == {cards["comment"].id}
    assert found(board, "findesikke") == set()


def test_words_are_prefixes_and_all_must_match(board):
    board, cards, _ = board
    assert found(board, "somm") == {cards["title"].id}  # while typing
    assert found(board, "PLANLÆGNINGEN sommerferien") == {cards["title"].id}
    assert found(board, "planlægningen civilsamfundet") == set()


def test_danish_word_forms_find_each_other(board):
    board, cards, _ = board
    # Prefix on SQLite, the Danish stemmer on PostgreSQL: both find this.
    assert found(board, "planlægning") == {cards["title"].id}


def test_the_danish_stemmer_finds_the_shorter_form_on_postgresql(board):
    if not is_postgresql():
        pytest.skip("Danish stemming is PostgreSQL's (SQLite FTS5 matches prefixes)")
    board, cards, _ = board
    # "leverandøren" is found by "leverandør" on both; only the stemmer also
    # finds it by the definite plural "leverandørerne".
    assert found(board, "leverandørerne") == {cards["status"].id}
    assert found(board, "sommerferie") == {cards["title"].id}


def test_comments_that_are_deleted_or_hidden_are_not_searched(board):
    board, cards, leader = board
    assert found(board, "natteravnene", comments=False) == set()
    comment = add_comment(cards["none"], actor=leader, body="Et ord: kaffemaskinen")
    db.session.commit()
    assert found(board, "kaffemaskinen") == {cards["none"].id}
    delete_comment(comment, actor=leader)
    db.session.commit()
    assert found(board, "kaffemaskinen") == set()


def test_the_index_follows_edits_in_the_same_transaction(board):
    board, cards, leader = board
    card = cards["none"]
    update_initiative(card, expected_version=card.version, actor=leader, title="Nyt navn: Cykelsti")
    assert found(board, "cykelsti") == {card.id}  # before the commit, same transaction
    db.session.rollback()
    assert found(board, "cykelsti") == set()


def test_another_boards_cards_are_not_found(board):
    board, cards, _ = board
    other = factories.make_board("Anden tavle")
    factories.make_initiative(other, "Planlægningen af noget andet")
    assert found(board, "planlægningen") == {cards["title"].id}


def test_search_syntax_cannot_be_typed_in():
    assert search_terms('"NEAR(a b)" {title}: * OR -x \' ; DROP') == (
        "near",
        "a",
        "b",
        "title",
        "or",
        "x",
        "drop",
    )
    assert search_terms("a_b") == ("a", "b")
    assert len(search_terms(" ".join(f"ord{i}" for i in range(30)))) == 8


def test_matches_are_marked_and_everything_else_escaped():
    marked = str(mark("<b>Planlægning</b> af planlægningen", ("planlægningen",)))
    assert marked == "&lt;b&gt;<mark>Planlægning</mark>&lt;/b&gt; af <mark>planlægningen</mark>"
    assert mark("Ingen", ()) == "Ingen"


def test_the_board_page_filters_and_marks(board, client):
    board, cards, leader = board
    login(client, leader)
    page = client.get(f"/boards/{board.id}?q=natteravn")
    assert texts(page, "li.card .card-title") == ["Tryghed i nattetimerne"]
    page = client.get(f"/boards/{board.id}?q=planl")
    assert [str(m.text()) for m in select(page, "li.card .card-title mark")] == ["Planlægningen"]
    assert select(page, "#filter-q")[0].attributes["value"] == "planl"
    empty = client.get(f"/boards/{board.id}?q=findesikke")
    assert "Ingen tiltag matcher søgningen." in empty.get_data(as_text=True)


def test_a_share_link_without_comments_does_not_search_them(board, client):
    board, cards, _ = board
    token, _ = make_share_link(board, show_comments=False)
    assert texts(client.get(f"/s/{token}?q=natteravnene"), "li.card") == []
    assert texts(client.get(f"/s/{token}?q=leverandøren"), "li.card .card-title") == [
        "Digital post"
    ]
    token, _ = make_share_link(board, show_comments=True)
    assert texts(client.get(f"/s/{token}?q=natteravnene"), "li.card .card-title") == [
        "Tryghed i nattetimerne"
    ]


@pytest.mark.parametrize(
    "q",
    ['"', "*", "NEAR(", "{title}:", "a" * 5000, "'; DROP TABLE initiatives; --", "æøå ü ß 😀", " "],
)
def test_odd_searches_are_answered(board, client, q):
    board, _, leader = board
    login(client, leader)
    response = client.get(f"/boards/{board.id}", query_string={"q": q})
    assert response.status_code == 200
    response = client.get(
        f"/boards/{board.id}",
        query_string={"q": q},
        headers={"HX-Request": "true", "HX-Target": "columns"},
    )
    assert response.status_code == 200


def test_search_costs_the_same_queries_at_any_size(board, client):
    board, _, leader = board
    login(client, leader)

    def queries(url):
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    client.get(f"/boards/{board.id}")  # the first visit (board/notifications/visits.py) is written
    plain = queries(f"/boards/{board.id}")
    few = queries(f"/boards/{board.id}?q=tiltag")
    for i in range(40):
        factories.make_initiative(board, f"Flere tiltag {i}", stage=["planlagt", "igangsat"][i % 2])
    client.get(f"/boards/{board.id}")  # the visit moves on past the new cards' Events, once
    many = queries(f"/boards/{board.id}?q=tiltag")
    assert few == many == plain + 1  # the one query: which cards match


def test_the_sqlite_index_triggers_exist_after_the_migrations(app):
    """A batch migration that rebuilds a table drops its triggers: then the
    index would silently stop following the cards."""
    if is_postgresql():
        pytest.skip("PostgreSQL uses expression indexes (nothing to keep in step)")
    names = set(
        db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    )
    assert {
        "initiative_search_card_insert",
        "initiative_search_card_update",
        "initiative_search_card_delete",
        "initiative_search_comment_insert",
        "initiative_search_comment_update",
        "initiative_search_comment_delete",
    } <= names
