"""Moving cards in a real Chromium: drag with the mouse, move with the
keyboard alone, a stale move in a second window, failures that put the card
back, and axe on the board with its move controls."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from board.extensions import db
from board.models import Event, Initiative, Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.live_helpers import drag

pytestmark = pytest.mark.browser

STU = "III. Ny takstmodel for STU"  # in Planlagt on the demo strategy board


class BoardRef:
    """A board id that is safe to use while the live server runs: reading an
    expired model attribute in the test thread would open a write
    transaction (BEGIN IMMEDIATE on SQLite) that blocks the server."""

    def __init__(self, board_id: int):
        self.id = board_id


@pytest.fixture
def strategy(demo):
    board = demo[0]
    factories.make_user("lone@example.dk", name="Lone Leder", board=board, role=Role.LEDER)
    factories.make_user("karl@example.dk", name="Karl Kollega", board=board, role=Role.LEDER)
    ref = BoardRef(board.id)
    db.session.rollback()
    return ref


def card_id(title: str) -> int:
    card_id = db.session.scalar(sa.select(Initiative.id).where(Initiative.title == title))
    db.session.rollback()
    return card_id


def column_titles(page, stage: str) -> list[str]:
    return page.locator(f'.card-list[data-stage="{stage}"] .card-title').all_inner_texts()


def announced(page, text: str) -> None:
    expect(page.locator("#announcer")).to_contain_text(text)


def drag_to_top_of(page, handle, stage: str, grab=(30, 12)) -> None:
    """Drag by `handle` onto the first card of the column `stage`."""
    box = page.locator(f'.card-list[data-stage="{stage}"] .card').first.bounding_box()
    drag(page, handle, (box["x"] + 40, box["y"] + 8), grab=grab)


def test_mouse_drag_to_another_column_persists_after_reload_and_is_in_the_history(page, strategy):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    drag_to_top_of(page, page.locator(f"#card-{card_id(STU)} .card-meta"), "igangsat")
    announced(page, f"«{STU}» flyttet til Igangsat")
    assert column_titles(page, "igangsat")[0] == STU
    assert page.locator("#count-igangsat").inner_text() == "9"
    assert page.locator("#count-planlagt").inner_text() == "3"
    assert page.locator(f"#card-{card_id(STU)}").get_attribute("data-version") == "2"
    assert not page.locator("#card-dialog").evaluate("d => d.open")

    page.reload()
    assert column_titles(page, "igangsat")[0] == STU
    assert STU not in column_titles(page, "planlagt")

    page.goto(f"/boards/{strategy.id}/initiatives/{card_id(STU)}")
    moved = page.locator('.history-entry[data-kind="initiative.moved"]')
    assert "Lone Leder" in moved.inner_text()
    assert "Flyttet fra Planlagt til Igangsat" in moved.inner_text()


def test_the_grip_before_flyt_drags_the_card(page, strategy):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    grip = page.locator(f"#card-{card_id(STU)} .move-controls")
    height = grip.bounding_box()["height"]
    drag_to_top_of(page, grip, "afsluttet", grab=(5, height / 2))  # on the ⠿
    announced(page, f"«{STU}» flyttet til Afsluttet")
    assert column_titles(page, "afsluttet")[0] == STU


def test_drag_within_a_column(page, strategy):
    page.set_viewport_size({"width": 1400, "height": 1300})  # the whole column in view
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    before = column_titles(page, "planlagt")
    first = page.locator('.card-list[data-stage="planlagt"] .card').first
    last = page.locator('.card-list[data-stage="planlagt"] .card').last
    box = last.bounding_box()
    drag(page, first.locator(".card-meta"), (box["x"] + 40, box["y"] + box["height"] - 6))
    announced(page, "flyttet til plads 4 i Planlagt")
    assert column_titles(page, "planlagt") == before[1:] + before[:1]
    page.reload()
    assert column_titles(page, "planlagt") == before[1:] + before[:1]


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def focused_card(page) -> str | None:
    return page.evaluate(
        "() => { const c = document.activeElement.closest('.card'); return c && c.id; }"
    )


def test_keyboard_only_move_between_columns_and_up_keeps_focus_on_the_card(page, strategy):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    stu = card_id(STU)
    tab_to(page, f"#card-{stu} .move-toggle")
    page.keyboard.press("Enter")
    assert page.locator(f"#card-{stu} .move-toggle").get_attribute("aria-expanded") == "true"
    # The panel offers the other three columns, then up and down.
    choices = page.locator(f"#card-{stu} .move-choice").all_inner_texts()
    assert choices == ["Til Ikke iværksat", "Til Igangsat", "Til Afsluttet", "Op", "Ned"]
    tab_to(page, f'#card-{stu} [data-move-to="igangsat"]', limit=5)
    page.keyboard.press("Enter")
    announced(page, f"«{STU}» flyttet til Igangsat")
    assert column_titles(page, "igangsat")[-1] == STU  # to the bottom of the column
    assert focused_card(page) == f"card-{stu}"
    assert page.evaluate("() => document.activeElement.classList.contains('move-toggle')")

    # Up, twice, with Space this time; focus stays on the card throughout.
    page.keyboard.press("Space")
    tab_to(page, f'#card-{stu} [data-move-step="up"]', limit=6)
    page.keyboard.press("Space")
    announced(page, f"«{STU}» flyttet til plads 8 i Igangsat")
    assert focused_card(page) == f"card-{stu}"
    page.keyboard.press("Space")  # focus is back on "Op"
    announced(page, f"«{STU}» flyttet til plads 7 i Igangsat")
    assert focused_card(page) == f"card-{stu}"
    assert column_titles(page, "igangsat")[6] == STU

    # Escape closes the panel and returns to the Flyt button.
    page.keyboard.press("Escape")
    assert page.locator(".move-panel").count() == 0
    assert page.evaluate("() => document.activeElement.classList.contains('move-toggle')")

    page.reload()
    assert column_titles(page, "igangsat")[6] == STU
    moves = db.session.scalars(
        sa.select(Event).where(Event.kind == "initiative.moved").order_by(Event.id)
    ).all()
    assert [(e.payload["to_stage"], e.payload["to_position"]) for e in moves] == [
        ("igangsat", 8),
        ("igangsat", 7),
        ("igangsat", 6),
    ]


def test_touch_sized_move_control_is_a_real_button(page, strategy):
    """WCAG 2.5.7: moving needs no dragging, and the target is big enough to tap."""
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    toggle = page.locator(f"#card-{card_id(STU)} .move-toggle")
    box = toggle.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert toggle.evaluate("b => b.tagName") == "BUTTON"


def test_a_stale_move_in_a_second_window_shows_the_conflict_notice(new_page, strategy):
    lone, karl = new_page(), new_page()
    # Lone's page does not hear of Karl's move (as when both act within the
    # moment a live update takes, or her connection drops): her board is stale.
    lone.route(re.compile(r".*/boards/\d+/(events|live/parts).*"), lambda route: route.abort())
    browser_login(lone, "lone@example.dk")
    browser_login(karl, "karl@example.dk")
    stu = card_id(STU)
    for page in (lone, karl):
        page.goto(f"/boards/{strategy.id}")

    # Karl moves the card to Afsluttet.
    karl.locator(f"#card-{stu} .move-toggle").click()
    karl.locator(f'#card-{stu} [data-move-to="afsluttet"]').click()
    announced(karl, "flyttet til Afsluttet")

    # Lone's page still shows it in Planlagt (version 1): her move is refused.
    lone.locator(f"#card-{stu} .move-toggle").click()
    lone.locator(f'#card-{stu} [data-move-to="igangsat"]').click()
    notice = lone.locator("#notice .notice")
    notice.wait_for()
    assert (
        notice.inner_text() == "Kortet er lige blevet ændret af Karl Kollega – tavlen er opdateret"
    )
    # Her board now shows the card where Karl put it, once, with the fresh version.
    assert lone.locator(f"#card-{stu}").count() == 1
    assert STU in column_titles(lone, "afsluttet")
    assert STU not in column_titles(lone, "igangsat") + column_titles(lone, "planlagt")
    assert lone.locator(f"#card-{stu}").get_attribute("data-version") == "2"
    assert lone.locator("#count-afsluttet").inner_text() == "2"
    assert lone.locator("#count-planlagt").inner_text() == "3"
    # The re-rendered columns can be dragged in again.
    assert lone.evaluate(
        "() => [...document.querySelectorAll('.card-list')].every(l => Sortable.get(l))"
    )
    # Focus stays on the card, and moving it again now works.
    assert focused_card(lone) == f"card-{stu}"
    lone.locator(f"#card-{stu} .move-toggle").click()
    lone.locator(f'#card-{stu} [data-move-to="igangsat"]').click()
    announced(lone, "flyttet til Igangsat")
    assert lone.locator("#notice .move-notice").count() == 0  # the old notice is gone
    db.session.rollback()
    assert db.session.get(Initiative, stu).stage == "igangsat"


@pytest.mark.parametrize("failure", ["network", "server"])
def test_a_failed_move_puts_the_card_back_and_says_so(page, strategy, failure):
    """The move never reached the server: the page asks it, and the card is
    back where it was, with the reason."""
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")

    def fail(route):
        if failure == "network":
            route.abort()
        else:
            route.fulfill(status=500, body='<p class="notice notice-error">fejl</p>')

    page.route(re.compile(r".*/move$"), fail)
    stu = card_id(STU)
    before = {s: column_titles(page, s) for s in ("planlagt", "igangsat")}
    drag_to_top_of(page, page.locator(f"#card-{stu} .card-meta"), "igangsat")
    # After the page asked the server (a warning says it is checking).
    expect(page.locator("#notice .move-notice.notice-error")).to_have_text(
        "Flytningen blev ikke gemt. Kortet er sat tilbage, hvor det var."
    )
    assert {s: column_titles(page, s) for s in ("planlagt", "igangsat")} == before
    assert page.locator(f"#card-{stu}").get_attribute("data-version") == "1"
    assert not page.locator(f"#card-{stu}").evaluate("c => c.classList.contains('is-moving')")


@pytest.mark.parametrize("failure", ["network", "bad-gateway"])
def test_a_saved_move_whose_answer_was_lost_is_shown_as_saved(page, strategy, failure):
    """The server saved the move, but its answer never reached the page (the
    connection dropped, a proxy answered 502): the page asks the server and
    shows the truth, the card where the server has it, and says it was saved."""
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")

    def saved_then_lost(route):
        answer = route.fetch()  # the real server handles (and commits) the move
        assert answer.status == 200
        if failure == "network":
            route.abort()
        else:
            route.fulfill(status=502, body="<html><body>Bad Gateway</body></html>")

    page.route(re.compile(r".*/move$"), saved_then_lost)
    stu = card_id(STU)
    page.locator(f"#card-{stu} .move-toggle").click()
    page.locator(f'#card-{stu} [data-move-to="igangsat"]').click()
    expect(page.locator("#notice .move-notice.notice-success")).to_have_text(
        "Flytningen blev gemt, selv om svaret gik tabt undervejs."
    )
    assert STU in column_titles(page, "igangsat")
    assert STU not in column_titles(page, "planlagt")
    assert page.locator(f"#card-{stu}").count() == 1
    assert page.locator(f"#card-{stu}").get_attribute("data-version") == "2"
    assert page.locator("#count-igangsat").inner_text() == str(len(column_titles(page, "igangsat")))
    assert not page.locator(f"#card-{stu}").evaluate("c => c.classList.contains('is-moving')")
    db.session.rollback()
    assert db.session.get(Initiative, stu).stage == "igangsat"
    # The card can be moved again at once.
    page.unroute(re.compile(r".*/move$"))
    page.locator(f"#card-{stu} .move-toggle").click()
    page.locator(f'#card-{stu} [data-move-to="afsluttet"]').click()
    announced(page, "flyttet til Afsluttet")


def test_two_saved_moves_whose_answers_were_lost_are_checked_at_once(page, strategy):
    """Two moves saved, both answers lost (a proxy's 502), and the server
    slow to answer the first one's check: the second move is checked at
    once, not behind the first, and both cards end where the server has them."""
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")

    def saved_then_lost(route):
        assert route.fetch().status == 200  # the real server commits the move
        route.fulfill(status=502, body="<html><body>Bad Gateway</body></html>")

    slow = []

    def first_check_slow(route):
        if slow:
            route.continue_()
        else:
            slow.append(route)

    check = re.compile(r".*/live/parts\?stage=.*")
    page.route(re.compile(r".*/move$"), saved_then_lost)
    page.route(check, first_check_slow)
    stu = card_id(STU)
    other_title = next(t for t in column_titles(page, "planlagt") if t != STU)
    other = card_id(other_title)
    with page.expect_request(check):
        page.locator(f"#card-{stu} .move-toggle").click()
        page.locator(f'#card-{stu} [data-move-to="igangsat"]').click()
    page.locator(f"#card-{other} .move-toggle").click()
    page.locator(f'#card-{other} [data-move-to="igangsat"]').click()
    saved = page.locator("#notice .move-notice.notice-success")
    expect(saved).to_have_text("Flytningen blev gemt, selv om svaret gik tabt undervejs.")
    slow[0].continue_()
    for card in (stu, other):
        expect(page.locator(f'.card-list[data-stage="igangsat"] #card-{card}')).to_have_count(1)
        expect(page.locator(f"#card-{card}")).to_have_attribute("data-version", "2")
        expect(page.locator(f"#card-{card}.is-moving")).to_have_count(0)
    expect(saved).to_have_text("Flytningen blev gemt, selv om svaret gik tabt undervejs.")
    assert page.locator(".move-recheck").count() == 0  # each move's check is gone with it


def test_a_refused_move_puts_the_card_back_with_the_servers_message(page, strategy):
    """A 400 (here: a version that cannot be right) is shown, and the card is back."""
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    stu = card_id(STU)
    page.locator(f"#card-{stu}").evaluate("c => c.dataset.version = 'x'")
    before = column_titles(page, "planlagt")
    page.locator(f"#card-{stu} .move-toggle").click()
    page.locator(f'#card-{stu} [data-move-to="igangsat"]').click()
    page.get_by_text("Kortets version «x» er ugyldig").wait_for()
    assert column_titles(page, "planlagt") == before


def test_med_sees_no_move_controls_and_cannot_drag(page, demo):
    board = demo[0]
    factories.make_user("mads@example.dk", name="Mads Med", board=board, role=Role.MED)
    board_id = board.id
    db.session.rollback()
    browser_login(page, "mads@example.dk")
    page.goto(f"/boards/{board_id}")
    assert page.locator(".move-toggle").count() == 0
    assert page.evaluate("() => typeof window.Sortable") == "undefined"


def test_board_with_move_controls_has_no_serious_accessibility_violations(page, strategy):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy.id}")
    assert serious_axe_violations(page) == []
    page.locator(f"#card-{card_id(STU)} .move-toggle").click()  # with a panel open
    assert serious_axe_violations(page) == []
