"""POST /boards/<id>/initiatives/<iid>/move over HTTP: who may move, what the
answer holds (200, 400, 403, 404, 409), CSRF, filters, and the card history."""

import re
import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import object_session

from board.clock import today_local
from board.extensions import db
from board.models import Comment, Event, Initiative, ShareLink
from board.query_counter import count_queries
from board.rounds import services as rounds
from board.tokens import hash_token
from tests import factories
from tests.conftest import login
from tests.html import attr, classes, count, has, one, roots, select, text, text_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def cards(board):
    made = {}
    for title, stage in [
        ("Ny takstmodel for STU", "planlagt"),
        ("Bostøtte", "planlagt"),
        ("Ungeteam", "igangsat"),
    ]:
        made[title] = factories.make_initiative(board, title, stage=stage)
    return made


def oob_counts(source) -> dict[str, str]:
    """The column counts swapped out of band: {stage: count}. Each count's
    aria-label says the same number in words."""
    found = {}
    for node in select(source, '[id^="count-"][hx-swap-oob="true"]'):
        found[node.id.removeprefix("count-")] = text(node)
        assert node.attributes["aria-label"] == f"{text(node)} tiltag"
    return found


def url(card, board_id=None):
    return f"/boards/{board_id or card.board_id}/initiatives/{card.id}/move"


def state():
    """(id, stage, position, version) of every card, and the number of moved Events."""
    rows = db.session.execute(
        sa.select(
            Initiative.id, Initiative.stage, Initiative.position, Initiative.version
        ).order_by(Initiative.id)
    ).all()
    events = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.kind == "initiative.moved")
    )
    db.session.rollback()  # the next read sees what other requests committed
    return [tuple(r) for r in rows], events


def test_leader_moves_a_card_and_gets_the_card_counts_and_announcement(as_user, board, cards):
    client = as_user("leder")
    card = cards["Ny takstmodel for STU"]
    response = client.post(
        url(card), data={"stage": "igangsat", "position": "0", "version": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    # The moved card with its new version, first (htmx swaps it for the old one).
    moved = roots(response)[0]
    assert moved.tag == "li" and "card" in classes(moved)
    assert moved.attributes["data-initiative-id"] == str(card.id)
    assert moved.attributes["data-version"] == "2"
    assert "hx-swap-oob" not in moved.attributes
    # The counts of the two columns it left and entered out of band (the
    # others did not change), and the Danish announcement.
    assert oob_counts(response) == {
        "planlagt": "1",
        "igangsat": "2",
    }
    announcer = one(response, "div#announcer")
    assert announcer.attributes["hx-swap-oob"] == "innerHTML"
    assert announcer.inner_html == "«Ny takstmodel for STU» flyttet til Igangsat"
    # Only the moved card is in the answer, not its column.
    assert count(response, "[data-initiative-id]") == 1

    db.session.expire_all()
    assert (card.stage, card.position, card.version) == ("igangsat", 0, 2)
    assert db.session.get(Initiative, cards["Ungeteam"].id).position == 1


def test_within_column_announcement_names_the_place(as_user, cards):
    card = cards["Bostøtte"]
    response = as_user("leder").post(
        url(card), data={"stage": "planlagt", "position": "0", "version": "1"}
    )
    assert text_of(response, "#announcer") == "«Bostøtte» flyttet til plads 1 i Planlagt"


def test_admin_may_move(as_user, cards):
    card = cards["Bostøtte"]
    response = as_user("admin").post(
        url(card), data={"stage": "afsluttet", "position": "0", "version": "1"}
    )
    assert response.status_code == 200


def test_answer_size_and_query_count_do_not_grow_with_the_board(client, app):
    """The answer to a move is the card, four counts and a sentence: the
    same size and the same number of queries at 6 cards and at 400."""
    board = factories.make_board()
    user = factories.make_user(board=board, role="leder")
    login(client, user)

    def measure():
        card = factories.make_initiative(board, "Målekortet", stage="planlagt")
        with count_queries(db.engine) as counter:
            response = client.post(
                url(card), data={"stage": "igangsat", "position": "0", "version": "1"}
            )
        assert response.status_code == 200
        html = re.sub(r"\d+", "0", response.get_data(as_text=True))  # ids and counts
        return len(html), counter.count

    for i in range(5):
        factories.make_initiative(board, f"T{i}", stage="igangsat")
    small = measure()
    stages = ["ikke_ivaerksat", "planlagt", "igangsat", "afsluttet"]
    for i in range(400):
        factories.make_initiative(board, f"T{i}", stage=stages[i % 4])
    large = measure()
    assert small == large
    assert large[1] <= 20


# --- who may move --------------------------------------------------------------


def test_med_gets_403_and_nothing_changes(as_user, cards):
    before = state()
    card = cards["Bostøtte"]
    response = as_user("med").post(
        url(card), data={"stage": "igangsat", "position": "0", "version": "1"}, headers=HTMX
    )
    assert response.status_code == 403
    assert "Kun ledere" in response.get_data(as_text=True)
    assert state() == before


def test_outsider_gets_404_and_anonymous_is_sent_to_login(app, as_user, cards):
    before = state()
    card = cards["Bostøtte"]
    data = {"stage": "igangsat", "position": "0", "version": "1"}
    anonymous = app.test_client().post(url(card), data=data, headers=HTMX)
    assert anonymous.status_code == 401 and "/login" in anonymous.headers["HX-Redirect"]
    assert as_user("outsider").post(url(card), data=data).status_code == 404
    assert state() == before


def test_share_link_visitor_cannot_move(client, board, cards):
    """A committee member holds only a share token, no session: the shared
    board has no move controls, the move URL sends them to the login page
    even after opening the link, and no share URL accepts a move."""
    token = secrets.token_urlsafe(32)
    db.session.add(ShareLink(board_id=board.id, token_hash=hash_token(token), label="Udvalg"))
    db.session.commit()
    before = state()
    card = cards["Bostøtte"]
    shared = client.get(f"/s/{token}")
    assert shared.status_code == 200 and "Bostøtte" in shared.get_data(as_text=True)
    assert "move-toggle" not in shared.get_data(as_text=True)
    assert count(shared, ".move-toggle, .move-panel, [data-move-to]") == 0
    assert "moves.js" not in shared.get_data(as_text=True)
    assert not has(shared, 'script[src*="moves.js"], script[src*="sortable"]')
    data = {"stage": "igangsat", "position": "0", "version": "1"}
    assert client.post(url(card), data=data, headers=HTMX).status_code == 401
    for share_url in (f"/s/{token}/initiatives/{card.id}/move", f"/s/{token}/move"):
        assert client.post(share_url, data=data).status_code in (404, 405)
    assert state() == before


def test_board_page_has_move_controls_for_leaders_only(as_user, board, cards):
    leader_page = as_user("leder").get(f"/boards/{board.id}")
    assert count(leader_page, ".card .move-toggle") == 3
    assert count(leader_page, "button.move-toggle") == 3
    assert has(leader_page, 'script[src$="js/moves.js"]')
    assert has(leader_page, 'script[src$="sortable-1.15.7.min.js"]')
    med_page = as_user("med").get(f"/boards/{board.id}")
    assert count(med_page, ".move-toggle, [data-move-to]") == 0
    assert "move-toggle" not in med_page.get_data(as_text=True)
    assert "moves.js" not in med_page.get_data(as_text=True)


def test_move_needs_the_csrf_token(csrf_app, board, users, cards):
    client = csrf_app.test_client()
    login(client, users["leder"])
    move_url, board_url = url(cards["Bostøtte"]), f"/boards/{board.id}"
    # The fixtures' app (same SQLite file) must not hold the write lock.
    object_session(users["leder"]).rollback()
    data = {"stage": "igangsat", "position": "0", "version": "1"}
    refused = client.post(move_url, data=data, headers=HTMX)
    assert refused.status_code == 400
    assert "sikkerhedsnøgle" in refused.get_data(as_text=True)
    token = attr(client.get(board_url), 'meta[name="csrf-token"]', "content")
    assert token
    accepted = client.post(move_url, data=data, headers={**HTMX, "X-CSRFToken": token})
    assert accepted.status_code == 200


# --- conflicts ------------------------------------------------------------------


def test_stale_version_gets_409_with_fresh_columns_and_who_changed_it(
    client, as_user, board, users, cards
):
    card = cards["Ny takstmodel for STU"]
    first = as_user("admin").post(
        url(card), data={"stage": "igangsat", "position": "1", "version": "1"}
    )
    assert first.status_code == 200
    before = state()

    login(client, users["leder"])
    stale = client.post(
        url(card),
        data={"stage": "afsluttet", "position": "0", "version": "1", "from_stage": "planlagt"},
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert stale.headers["HX-Reswap"] == "none"
    notice = one(stale, "#notice")
    assert notice.attributes["hx-swap-oob"] == "innerHTML"
    assert "Kortet er lige blevet ændret af Ada Admin – tavlen er opdateret" in text(notice)
    # Re-rendered: where the card is now, where it was dropped, where it was shown.
    refreshed = select(stale, 'section.column[id^="column-"][hx-swap-oob="true"]')
    assert [c.id for c in refreshed] == ["column-planlagt", "column-igangsat", "column-afsluttet"]
    assert attr(stale, f"section#column-igangsat #card-{card.id}", "data-version") == "2"
    assert count(stale, f"#card-{card.id}") == 1
    # The column not re-rendered gets its count.
    assert attr(stale, "#count-ikke_ivaerksat", "hx-swap-oob") == "true"
    assert state() == before


def test_409_names_someone_else_when_the_change_has_no_actor(as_user, cards):
    card = cards["Bostøtte"]  # created by the factory: no actor
    card.version = 2
    db.session.commit()
    html = (
        as_user("leder")
        .post(url(card), data={"stage": "igangsat", "position": "0", "version": "1"})
        .get_data(as_text=True)
    )
    assert "ændret af en anden" in html


def test_409_keeps_the_filter(as_user, app):
    board = factories.make_board(themes=(("Tema 1", ()), ("Tema 2", ())))
    factories.make_user("l2@example.dk", board=board, role="leder")
    t1, t2 = board.themes
    mine = factories.make_initiative(board, "Synlig", stage="planlagt", theme=t1)
    factories.make_initiative(board, "Skjult", stage="planlagt", theme=t2)
    mine.version = 5
    db.session.commit()
    from board.models import User

    client = as_user("leder")
    login(client, db.session.scalars(sa.select(User).filter_by(email="l2@example.dk")).one())
    response = client.post(
        url(mine), data={"stage": "igangsat", "position": "0", "version": "1", "tema": t1.id}
    )
    html = response.get_data(as_text=True)
    assert "Synlig" in html and "Skjult" not in html
    assert [text(t) for t in select(response, ".card .card-title")] == ["Synlig"]
    assert attr(response, "#count-ikke_ivaerksat", "hx-swap-oob") == "true"


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"stage": "doing", "position": "0", "version": "1"}, "Kolonnen «doing» findes ikke."),
        ({"position": "0", "version": "1"}, "Kolonnen «(tom)» findes ikke."),
        ({"stage": "igangsat", "position": "-1", "version": "1"}, "Placeringen «-1» er ugyldig"),
        ({"stage": "igangsat", "position": "1.5", "version": "1"}, "er ugyldig"),
        ({"stage": "igangsat", "position": "99999999999999", "version": "1"}, "er ugyldig"),
        ({"stage": "igangsat", "position": "5", "version": "1"}, "Placering 6 findes ikke"),
        ({"stage": "igangsat", "position": "", "version": "1"}, "Placeringen mangler."),
        ({"stage": "igangsat", "position": "0"}, "Kortets version mangler"),
        ({"stage": "igangsat", "position": "0", "version": "x"}, "Kortets version «x» er ugyldig"),
        ({"stage": "igangsat", "position": "0", "version": "-2"}, "er ugyldig"),
        ({"stage": "igangsat", "position": "0", "version": "0"}, "Kortets version mangler"),
    ],
)
def test_bad_input_gets_400_with_a_danish_message_and_no_change(as_user, cards, data, message):
    before = state()
    response = as_user("leder").post(url(cards["Bostøtte"]), data=data, headers=HTMX)
    assert response.status_code == 400
    # The fragment app.js shows, with the message.
    assert message in text_of(response, "p.notice.notice-error")
    assert state() == before


def test_card_of_another_board_is_404_as_everywhere(as_user, board, cards):
    other_board = factories.make_board(title="Anden tavle")
    foreign = factories.make_initiative(other_board, "Fremmed", stage="planlagt")
    before = state()
    response = as_user("leder").post(
        url(foreign, board_id=board.id), data={"stage": "igangsat", "position": "0", "version": "1"}
    )
    assert response.status_code == 404
    assert state() == before


def test_unknown_card_gets_404(as_user, board):
    response = as_user("leder").post(
        f"/boards/{board.id}/initiatives/999999/move",
        data={"stage": "igangsat", "position": "0", "version": "1"},
    )
    assert response.status_code == 404


# --- filtered boards and history --------------------------------------------------


def test_filtered_move_counts_and_places_after_the_visible_card_above(as_user, app):
    board = factories.make_board(themes=(("Tema 1", ()), ("Tema 2", ())))
    leader = factories.make_user("l3@example.dk", name="Lis", board=board, role="leder")
    t1, t2 = board.themes
    v1 = factories.make_initiative(board, "v1", stage="igangsat", theme=t1)
    factories.make_initiative(board, "h1", stage="igangsat", theme=t2)
    v2 = factories.make_initiative(board, "v2", stage="igangsat", theme=t1)
    factories.make_initiative(board, "h2", stage="planlagt", theme=t2)
    client = as_user("leder")
    login(client, leader)
    response = client.post(
        url(v1), data={"stage": "igangsat", "position": "1", "version": "1", "tema": str(t1.id)}
    )
    assert response.status_code == 200
    assert oob_counts(response) == {
        "ikke_ivaerksat": "0",
        "planlagt": "0",
        "igangsat": "2",
        "afsluttet": "0",
    }
    order = db.session.scalars(
        sa.select(Initiative.title)
        .where(Initiative.stage == "igangsat")
        .order_by(Initiative.position)
    ).all()
    assert order == ["h1", "v2", "v1"]
    assert v2.id  # (v2 is the visible card above v1 now)


def test_card_history_lists_the_move_with_who_when_from_and_to(as_user, board, cards):
    card = cards["Ny takstmodel for STU"]
    client = as_user("leder")
    client.post(url(card), data={"stage": "igangsat", "position": "0", "version": "1"})
    page = client.get(f"/boards/{board.id}/initiatives/{card.id}")
    entry = one(page, 'li.history-entry[data-kind="initiative.moved"]')
    assert "Lone Leder" in text(entry)
    assert "Flyttet fra Planlagt til Igangsat" in text(entry)
    assert re.match(r"\d{4}-\d\d-\d\dT", entry.css_first("time").attributes["datetime"])


def test_the_moved_card_is_drawn_as_the_board_draws_it(as_user, board, users, cards):
    """Owner, comment count, the open round's marker: the answer's card shows
    what the reloaded board shows for it (they are read before the move)."""
    card = cards["Bostøtte"]
    card.owner_id = users["leder"].id
    db.session.add(Comment(initiative_id=card.id, author_id=users["med"].id, body="Hej"))
    db.session.add(Comment(initiative_id=card.id, author_id=users["med"].id, body="Igen"))
    db.session.commit()
    rounds.open_round(board, title="Marts", deadline=today_local(), actor=users["leder"])
    db.session.commit()
    client = as_user("leder")
    response = client.post(
        url(card), data={"stage": "afsluttet", "position": "0", "version": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    moved = roots(response)[0]
    page = client.get(f"/boards/{board.id}")
    on_board = one(page.text, f"#card-{card.id}")
    assert text(moved) == text(on_board)
    assert users["leder"].name in text(moved) and "Marts" in text(moved)
    assert moved.attributes == on_board.attributes
