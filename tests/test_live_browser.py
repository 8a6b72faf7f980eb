"""Live updates in real Chromium pages: what one person changes appears on
the other open boards without a reload; a page that lost its connection
catches up; "N ser med" counts the people watching.

How fast is measured in bench/live_fanout.py, not here. A test that checks
that something did *not* happen first waits for a sign that it would have
happened by then: live.js writes `data-shown-event-id` on #live once the page
shows an event's change (or needed none), and `data-refresh-held` while
refreshes wait for the user."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from board.extensions import db
from board.models import Event, Initiative, User
from tests import factories
from tests.conftest import browser_login
from tests.test_live_stream import fake_move

pytestmark = pytest.mark.browser

BROWSER_LIVE = dict(
    LIVE_HEARTBEAT_SECONDS=1,
    LIVE_ACCESS_CHECK_SECONDS=1,
    LIVE_MAX_STREAM_SECONDS=60,
    LIVE_POLL_SECONDS=0.1,
    LIVE_PG_POLL_SECONDS=0.5,
    LIVE_RETRY_MS=300,
)


@pytest.fixture
def app(make_app, request):
    """The app behind `live_server`; a test may change settings with
    `@pytest.mark.parametrize("app", [{...}], indirect=True)`."""
    app = make_app(**{**BROWSER_LIVE, **getattr(request, "param", {})})
    with app.app_context():
        yield app


@pytest.fixture
def meeting(board, users):
    """A board with cards; ids and titles as plain values, and no transaction
    left open by the test (it would hold SQLite's write lock)."""
    cards = [factories.make_initiative(board, f"Tiltag {i}") for i in range(4)]
    info = {
        "board_id": board.id,
        "card_ids": [c.id for c in cards],
        "leader_id": users["leder"].id,
        "admin_id": users["admin"].id,
    }
    db.session.commit()
    return info


def move_from_elsewhere(card_id: int, stage: str, leader_id: int) -> None:
    card = db.session.get(Initiative, card_id)
    fake_move(card, stage, db.session.get(User, leader_id))


def card_in_column(page, card_id: int, stage: str) -> None:
    page.locator(f"#column-{stage} #card-{card_id}").wait_for()


def newest_event_id(board_id: int) -> int:
    db.session.rollback()  # a fresh read: the server committed in another thread
    return db.session.scalar(db.select(db.func.max(Event.id)).where(Event.board_id == board_id))


def open_board(new_page, email: str, board_id: int):
    page = new_page()
    browser_login(page, email)
    page.goto(f"/boards/{board_id}")
    page.locator("#live-state[data-state=open]").wait_for()
    return page


def test_a_change_appears_on_every_open_board(new_page, meeting):
    leader = open_board(new_page, "leder@example.dk", meeting["board_id"])
    member = open_board(new_page, "med@example.dk", meeting["board_id"])
    card_id = meeting["card_ids"][1]
    move_from_elsewhere(card_id, "afsluttet", meeting["leader_id"])
    for page in (leader, member):
        card_in_column(page, card_id, "afsluttet")
    assert member.locator("#count-afsluttet").inner_text() == "1"
    assert member.locator("#count-ikke_ivaerksat").inner_text() == "3"
    # Someone else's change is announced; your own is not.
    expect(member.locator("#announcer")).to_contain_text("flyttede")
    assert (
        member.locator("#announcer").inner_text() == "Lone Leder flyttede «Tiltag 1» til Afsluttet"
    )
    assert leader.locator("#announcer").inner_text() == ""


def test_the_page_is_not_reloaded_and_other_cards_are_left_alone(new_page, meeting):
    page = open_board(new_page, "med@example.dk", meeting["board_id"])
    page.evaluate("window.__marker = 1")
    untouched = page.locator("#column-planlagt").evaluate("el => (el.__mark = 'x', 'x')")
    # Only the moved card is re-rendered: the other cards of its old column
    # stay the same elements.
    neighbour = page.locator(f"#card-{meeting['card_ids'][1]}")
    neighbour.evaluate("el => (el.__mark = 'n')")
    move_from_elsewhere(meeting["card_ids"][0], "igangsat", meeting["leader_id"])
    card_in_column(page, meeting["card_ids"][0], "igangsat")
    expect(page.locator("#count-ikke_ivaerksat")).to_have_text("3")
    assert page.evaluate("window.__marker") == 1
    assert page.locator("#column-planlagt").evaluate("el => el.__mark") == untouched
    assert neighbour.evaluate("el => el.__mark") == "n"


@pytest.mark.parametrize("app", [{"LIVE_MAX_STREAM_SECONDS": 2}], indirect=True)
def test_a_page_that_lost_its_connection_catches_up(new_page, meeting):
    """Streams here end after 2 seconds (as when a server restarts); while
    the page cannot reconnect, two cards move; when it can, both arrive."""
    page = open_board(new_page, "med@example.dk", meeting["board_id"])
    reconnects = []
    page.on("request", lambda r: reconnects.append(r) if "/events" in r.url else None)
    page.route("**/events*", lambda route: route.abort())
    page.locator("#live-state[data-state=connecting]").wait_for()

    ids = meeting["card_ids"]
    move_from_elsewhere(ids[2], "planlagt", meeting["leader_id"])
    move_from_elsewhere(ids[3], "afsluttet", meeting["leader_id"])
    # The page tries again after the moves and is refused: still cut off.
    with page.expect_event("requestfailed", lambda r: "/events" in r.url):
        pass
    assert page.locator(f"#column-planlagt #card-{ids[2]}").count() == 0
    page.unroute("**/events*")
    card_in_column(page, ids[2], "planlagt")
    card_in_column(page, ids[3], "afsluttet")
    # The reconnect said where the page had got to.
    assert any(r.headers.get("last-event-id") or "last_event_id=" in r.url for r in reconnects)


def test_presence_counts_the_people_watching(new_page, meeting):
    first = open_board(new_page, "leder@example.dk", meeting["board_id"])
    first.locator("#live-presence", has_text="1 ser med").wait_for()
    second = open_board(new_page, "med@example.dk", meeting["board_id"])
    for page in (first, second):
        page.locator("#live-presence", has_text="2 ser med").wait_for()
    second.close()
    # The closed tab is noticed at the stream's next write (a heartbeat).
    first.locator("#live-presence", has_text="1 ser med").wait_for()


def test_a_share_link_viewer_sees_changes_live(new_page, meeting):
    from board.models import Board
    from tests.test_live_stream import make_share_link

    token, _ = make_share_link(db.session.get(Board, meeting["board_id"]))
    page = new_page()
    page.goto(f"/s/{token}")
    page.locator("#live-state[data-state=open]").wait_for()
    page.locator("#live-presence", has_text="1 ser med").wait_for()
    card_id = meeting["card_ids"][0]
    move_from_elsewhere(card_id, "igangsat", meeting["leader_id"])
    card_in_column(page, card_id, "igangsat")
    expect(page.locator("#announcer")).to_contain_text("flyttede")
    # The refreshed card still links to the share page, not the members' one.
    link = page.locator(f"#card-{card_id} .card-title a")
    assert link.get_attribute("href") == f"/s/{token}/initiatives/{card_id}"


def test_a_card_being_dragged_is_not_yanked_away(new_page, meeting):
    """While Sortable marks a card as chosen/dragged, refreshes wait; they
    are applied as soon as the drag ends."""
    page = open_board(new_page, "leder@example.dk", meeting["board_id"])
    dragged, other = meeting["card_ids"][0], meeting["card_ids"][1]
    page.evaluate(f"document.getElementById('card-{dragged}').classList.add('card-chosen')")
    move_from_elsewhere(other, "planlagt", meeting["admin_id"])
    expect(page.locator("#announcer")).to_contain_text("flyttede")
    page.locator("#live[data-refresh-held]").wait_for()  # the refresh waits ...
    assert page.locator(f"#column-planlagt #card-{other}").count() == 0  # ... not yet applied
    assert page.locator(f"#card-{dragged}.card-chosen").count() == 1
    page.evaluate(f"document.getElementById('card-{dragged}').classList.remove('card-chosen')")
    card_in_column(page, other, "planlagt")


def test_an_open_card_dialog_follows_changes_but_an_edit_is_left_alone(new_page, meeting):
    page = open_board(new_page, "leder@example.dk", meeting["board_id"])
    card_id = meeting["card_ids"][0]
    page.locator(f"#card-{card_id} .card-title a").click()
    history = page.locator(f"#card-history-{card_id} .history-entry")
    history.first.wait_for()
    assert history.count() == 1
    move_from_elsewhere(card_id, "igangsat", meeting["leader_id"])
    page.locator(f"#card-history-{card_id} .history-entry").nth(1).wait_for()
    assert page.locator(f"#card-details-{card_id} .field-stage").inner_text() == "Igangsat"

    # An edit form in the details (as "Redigér" puts there) is not replaced.
    page.evaluate(
        f"""() => {{
            const details = document.getElementById('card-details-{card_id}');
            const form = document.createElement('form');
            form.className = 'edit-form editing';
            form.innerHTML = '<label>Titel <input name="title" value="Mit udkast"></label>';
            details.append(form);
            form.querySelector('input').focus();
        }}"""
    )
    move_from_elsewhere(card_id, "afsluttet", meeting["admin_id"])  # someone else
    page.locator(f"#card-history-{card_id} .history-entry").nth(2).wait_for()
    assert page.locator(f"#card-details-{card_id} input[name=title]").input_value() == "Mit udkast"
    notice = page.locator("#card-dialog .live-dialog-notice")
    notice.wait_for()
    assert notice.inner_text().startswith("Ada Admin flyttede «Tiltag 0» til Afsluttet, mens du")
    # The edit ends (the form goes away): the details catch up.
    page.evaluate(f"document.querySelector('#card-details-{card_id} form').remove()")
    page.locator(f"#card-details-{card_id} .field-stage", has_text="Afsluttet").wait_for()
    assert page.locator("#card-dialog .live-dialog-notice").count() == 0


def test_an_open_card_dialog_ends_showing_the_card_as_it_is_now(new_page, meeting, app):
    """Two changes to the card open in the dialog, and the re-read after the
    first answers late, after the one asked for by the second: the dialog
    ends showing the card as it is now, not as that late answer had it."""
    page = open_board(new_page, "leder@example.dk", meeting["board_id"])
    card_id = meeting["card_ids"][0]
    page.locator(f"#card-{card_id} .card-title a").click()
    page.locator(f"#card-history-{card_id} .history-entry").first.wait_for()
    late = []

    def first_answers_late(route):
        if late or route.request.headers.get("hx-request") != "true":
            route.continue_()
            return
        late.append((route, route.fetch()))  # rendered now: the card in Igangsat
        with app.app_context():  # Playwright calls this outside the test's context
            move_from_elsewhere(card_id, "afsluttet", meeting["admin_id"])

    page.route(re.compile(rf".*/initiatives/{card_id}$"), first_answers_late)
    move_from_elsewhere(card_id, "igangsat", meeting["admin_id"])
    card_in_column(page, card_id, "afsluttet")  # the page has heard of both changes
    details = page.locator(f"#card-details-{card_id}")
    details.evaluate("el => { el.dataset.before = 'late answer'; }")
    route, answer = late[0]
    route.fulfill(response=answer)
    expect(page.locator(f"#card-details-{card_id}[data-before]")).to_have_count(0)
    expect(details.locator(".field-stage")).to_have_text("Afsluttet")
    expect(page.locator(f"#card-history-{card_id} .history-entry")).to_have_count(3)


def test_a_comment_appears_in_the_other_browsers_open_card_and_on_the_board(new_page, meeting):
    """Mads comments in his card dialog; Lone, who has the same card open
    (and a comment of her own in it, with its "Slet" button), sees the new
    comment in the log and the board card's count, without a reload."""
    from board.models import Comment

    card_id = meeting["card_ids"][0]
    db.session.add(Comment(initiative_id=card_id, author_id=meeting["leader_id"], body="Min egen"))
    db.session.commit()
    lone = open_board(new_page, "leder@example.dk", meeting["board_id"])
    mads = open_board(new_page, "med@example.dk", meeting["board_id"])
    for page in (lone, mads):
        page.locator(f"#card-{card_id} .card-title a").click()
        page.locator(f"#comments-{card_id}").wait_for()
    lone.evaluate("window.__not_reloaded = true")

    mads.get_by_label("Skriv en kommentar").fill("Vi blev ikke inddraget.")
    mads.get_by_role("button", name="Send kommentar").click()
    lone.locator(
        f"#comments-{card_id} .comment-body", has_text="Vi blev ikke inddraget."
    ).wait_for()
    expect(lone.locator(f"#card-{card_id} .card-comments")).to_have_text("2 kommentarer")
    expect(lone.locator("#announcer")).to_contain_text("Mads Med kommenterede «Tiltag 0»")
    assert lone.evaluate("window.__not_reloaded") is True


def test_a_move_in_one_browser_appears_in_the_other(new_page, meeting):
    """Lone moves a card with the keyboard "Flyt" control; Mads's board shows
    it without a reload, and hears who did it. Lone's own page applies her
    move once (the move's answer), not again from the stream."""
    lone = open_board(new_page, "leder@example.dk", meeting["board_id"])
    mads = open_board(new_page, "med@example.dk", meeting["board_id"])
    parts_requests = []
    lone.on("request", lambda r: parts_requests.append(r.url) if "/live/parts" in r.url else None)
    mads.evaluate("window.__not_reloaded = true")
    card_id = meeting["card_ids"][2]

    lone.locator(f"#card-{card_id} .move-toggle").click()
    lone.locator(f'#card-{card_id} [data-move-to="afsluttet"]').click()
    card_in_column(mads, card_id, "afsluttet")
    expect(mads.locator("#count-afsluttet")).to_have_text("1")
    expect(mads.locator("#announcer")).to_have_text("Lone Leder flyttede «Tiltag 2» til Afsluttet")
    assert mads.evaluate("window.__not_reloaded") is True

    # Lone's page: the card once, in its new column, with the new version;
    # her own event, once it has arrived, needed no refresh.
    card_in_column(lone, card_id, "afsluttet")
    lone.locator(f'#live[data-shown-event-id="{newest_event_id(meeting["board_id"])}"]').wait_for()
    assert lone.locator(f"#card-{card_id}").count() == 1
    assert lone.locator(f"#card-{card_id}").get_attribute("data-version") == "2"
    assert parts_requests == []


def test_a_drag_in_one_browser_appears_in_the_other(new_page, meeting):
    lone = open_board(new_page, "leder@example.dk", meeting["board_id"])
    mads = open_board(new_page, "med@example.dk", meeting["board_id"])
    card_id = meeting["card_ids"][3]
    source = lone.locator(f"#card-{card_id}")
    target = lone.locator("#column-igangsat .card-list").bounding_box()
    box = source.bounding_box()
    lone.mouse.move(box["x"] + 30, box["y"] + 12)
    lone.mouse.down()
    # Sortable (fallback mode) follows the pointer's steps; the card is over
    # the other column once its ghost (the card itself) stands in that list.
    lone.mouse.move(target["x"] + target["width"] / 2, target["y"] + 20, steps=15)
    lone.locator(f"#column-igangsat #card-{card_id}.card-ghost").wait_for()
    lone.mouse.up()
    card_in_column(lone, card_id, "igangsat")
    card_in_column(mads, card_id, "igangsat")
    expect(mads.locator("#count-igangsat")).to_have_text("1")


def change_from_elsewhere(card_id: int, actor_id: int, **fields) -> None:
    """An edit of the card's fields with its Event (stands in for editing)."""
    from board.events import record_event

    card = db.session.get(Initiative, card_id)
    changes = {name: {"from": getattr(card, name), "to": value} for name, value in fields.items()}
    for name, value in fields.items():
        setattr(card, name, value)
    card.version += 1
    record_event(
        board_id=card.board_id,
        kind="initiative.updated",
        payload={"title": card.title, "changes": changes},
        actor=db.session.get(User, actor_id),
        initiative_id=card.id,
    )
    db.session.commit()


def test_a_refreshed_card_keeps_the_keyboard_focus(new_page, meeting):
    page = open_board(new_page, "med@example.dk", meeting["board_id"])
    card_id = meeting["card_ids"][1]
    page.locator(f"#card-{card_id} .card-title a").focus()
    change_from_elsewhere(card_id, meeting["leader_id"], title="Nyt navn")
    expect(page.locator(f"#card-{card_id} .card-title a")).to_have_text("Nyt navn")
    expect(page.locator(f"#card-{card_id} .card-title a")).to_be_focused()


def test_a_card_that_cannot_be_placed_brings_its_whole_column(new_page, meeting):
    """A moved card is put after the card now before it, if the page shows
    that card as it is now; if not (the page has yet to hear of its change),
    the column is re-read in full."""
    page = open_board(new_page, "med@example.dk", meeting["board_id"])
    first, second = meeting["card_ids"][0], meeting["card_ids"][1]
    move_from_elsewhere(first, "igangsat", meeting["leader_id"])
    card_in_column(page, first, "igangsat")
    page.evaluate(f"document.getElementById('card-{first}').dataset.version = '99'")
    move_from_elsewhere(second, "igangsat", meeting["leader_id"])  # after `first`
    page.locator(f'#column-igangsat #card-{first}[data-version="2"]').wait_for()
    cards = page.locator("#column-igangsat .card")
    expect(cards).to_have_count(2)
    assert [cards.nth(i).get_attribute("id") for i in range(2)] == [
        f"card-{first}",
        f"card-{second}",
    ]
    expect(page.locator("#count-igangsat")).to_have_text("2")


def test_a_filtered_board_gains_and_loses_cards_live(new_page, meeting):
    """Under a målsætning filter, a card given that målsætning appears (and
    the "no matches" notice goes), and disappears again when it loses it."""
    from board.models import Board

    board = db.session.get(Board, meeting["board_id"])
    objective_id = board.themes[0].objectives[1].id
    db.session.rollback()
    page = open_board(new_page, "med@example.dk", meeting["board_id"])
    page.goto(f"/boards/{meeting['board_id']}?maal={objective_id}")
    page.locator("#live-state[data-state=open]").wait_for()
    notice = page.get_by_text("Ingen tiltag matcher filteret.")
    expect(notice).to_be_visible()
    card_id = meeting["card_ids"][2]

    change_from_elsewhere(card_id, meeting["leader_id"], objective_id=objective_id)
    card_in_column(page, card_id, "ikke_ivaerksat")
    expect(page.locator("#count-ikke_ivaerksat")).to_have_text("1")
    expect(notice).to_be_hidden()
    expect(page.locator("#filter-maal option:checked")).to_contain_text("(1 tiltag)")

    change_from_elsewhere(card_id, meeting["leader_id"], objective_id=None)
    expect(page.locator(f"#card-{card_id}")).to_have_count(0)
    expect(page.locator("#count-ikke_ivaerksat")).to_have_text("0")
    expect(notice).to_be_visible()
