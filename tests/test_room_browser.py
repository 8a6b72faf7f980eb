"""The board in a meeting room, in real Chromium: the compact and the
swimlane view (a drag and a keyboard move in each), the compact view of the
2024 board on a 1366x768 screen, the jump list on a phone, search as you
type, a card someone else moves highlighted and labelled (and scrolled into
view unless the user is busy), a new tiltag started in the column it was
asked for from, and axe on the new views."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from board.comments.services import add_comment
from board.extensions import db
from board.models import Board, Initiative, Role, User
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.live_helpers import drag
from tests.test_live_browser import BROWSER_LIVE
from tests.test_live_stream import make_share_link

pytestmark = pytest.mark.browser

STU = "III. Ny takstmodel for STU"  # in Planlagt on the demo strategy board


@pytest.fixture
def app(make_app):
    """The app behind `live_server`, with the live feed's quick test timings."""
    app = make_app(**BROWSER_LIVE)
    with app.app_context():
        yield app


@pytest.fixture
def board_id(demo) -> int:
    """The 2024 demo board with two more leaders, Lone and Karl; its id as a
    plain value, and no transaction left open (SQLite's write lock)."""
    board = demo[0]
    for email, name in (("lone@example.dk", "Lone Leder"), ("karl@example.dk", "Karl Kollega")):
        factories.make_user(email, name=name, board=board, role=Role.LEDER)
    board_id = board.id
    db.session.rollback()
    return board_id


def card_id(title: str) -> int:
    found = db.session.scalar(sa.select(Initiative.id).where(Initiative.title == title))
    db.session.rollback()
    return found


def stored(card: int) -> tuple[str, int]:
    row = db.session.execute(
        sa.select(Initiative.stage, Initiative.theme_id).where(Initiative.id == card)
    ).one()
    db.session.rollback()
    return row.stage, row.theme_id


def titles_in(page, selector: str) -> list[str]:
    return page.locator(f"{selector} .card-title").all_inner_texts()


def announced(page, text: str) -> None:
    expect(page.locator("#announcer")).to_contain_text(text)


def tab_to(page, selector: str, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def open_board(page, email: str, board: int, query: str = "") -> None:
    browser_login(page, email)
    page.goto(f"/boards/{board}{query}")
    page.locator("#live-state[data-state=open]").wait_for()


# --- the compact view -----------------------------------------------------------


def test_compact_view_of_the_2024_board_fits_a_1366x768_screen(page, board_id):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_board(page, "lone@example.dk", board_id, "?visning=kompakt")
    expect(page.locator("li.card.card-compact")).to_have_count(29)
    sizes = page.evaluate(
        """() => ({
            scrollHeight: document.documentElement.scrollHeight,
            scrollWidth: document.documentElement.scrollWidth,
            lowestCard: Math.max(...[...document.querySelectorAll('li.card')]
                .map(c => c.getBoundingClientRect().bottom)),
            height: window.innerHeight, width: window.innerWidth })"""
    )
    # No scrolling at all: every card, the whole page, footer included.
    assert sizes["lowestCard"] <= sizes["height"], sizes
    assert sizes["scrollHeight"] <= sizes["height"], sizes
    assert sizes["scrollWidth"] <= sizes["width"], sizes


def test_compact_view_drag_and_keyboard_move(page, board_id):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_board(page, "lone@example.dk", board_id, "?visning=kompakt")
    stu = card_id(STU)
    target = page.locator('.card-list[data-stage="igangsat"] .card').first.bounding_box()
    grip = page.locator(f"#card-{stu} .move-controls")  # the ⠿ before "Flyt"
    height = grip.bounding_box()["height"]
    drag(page, grip, (target["x"] + 40, target["y"] + 4), grab=(4, height / 2))
    announced(page, f"«{STU}» flyttet til Igangsat")
    assert titles_in(page, '.card-list[data-stage="igangsat"]')[0] == STU
    expect(page.locator(f"#card-{stu}.card-compact")).to_have_attribute("data-version", "2")
    expect(page.locator("#count-igangsat")).to_have_text("9")

    # The keyboard "Flyt": to the bottom of Afsluttet, the card still one line.
    tab_to(page, f"#card-{stu} .move-toggle")
    page.keyboard.press("Enter")
    tab_to(page, f'#card-{stu} [data-move-to="afsluttet"]', limit=5)
    page.keyboard.press("Enter")
    announced(page, f"«{STU}» flyttet til Afsluttet")
    assert titles_in(page, '.card-list[data-stage="afsluttet"]')[-1] == STU
    expect(page.locator(f"#card-{stu}.card-compact")).to_have_attribute("data-version", "3")
    assert stored(stu)[0] == "afsluttet"
    page.reload()
    assert page.locator(f"#card-{stu}").get_attribute("class").count("card-compact") == 1


# --- swimlanes ----------------------------------------------------------------


def test_swimlane_view_drag_and_keyboard_move_within_the_row(page, board_id):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_board(page, "lone@example.dk", board_id, "?visning=spor")
    stu = card_id(STU)
    theme = stored(stu)[1]
    lane = f"#lane-{theme}"
    assert page.locator(f"{lane}-planlagt #card-{stu}").count() == 1

    # The panel offers the row's other three columns, not every cell of the page.
    page.locator(f"#card-{stu} .move-toggle").click()
    choices = page.locator(f"#card-{stu} .move-choice").all_inner_texts()
    assert [c for c in choices if c.startswith("Til")] == [
        "Til Ikke iværksat",
        "Til Igangsat",
        "Til Afsluttet",
    ]
    page.keyboard.press("Escape")

    # Drag into the row's Igangsat cell (at its top card, or into the empty list).
    # The cells of a row stand side by side: with the card in view, so is the target.
    source = page.locator(f"#card-{stu} .card-meta")
    source.scroll_into_view_if_needed()
    first = page.locator(f"{lane}-igangsat .card-list .card").first
    box = first.bounding_box() if first.count() else cell_box(page, f"{lane}-igangsat")
    drag(page, source, (box["x"] + 40, box["y"] + 8))
    announced(page, f"«{STU}» flyttet til Igangsat")
    expect(page.locator(f"{lane}-igangsat #card-{stu}")).to_have_count(1)
    assert stored(stu)[0] == "igangsat"

    # The keyboard: to the row's Afsluttet cell.
    tab_to(page, f"#card-{stu} .move-toggle")
    page.keyboard.press("Enter")
    tab_to(page, f'#card-{stu} [data-move-to="afsluttet"]', limit=5)
    page.keyboard.press("Enter")
    announced(page, f"«{STU}» flyttet til Afsluttet")
    expect(page.locator(f"{lane}-afsluttet #card-{stu}")).to_have_count(1)
    assert stored(stu) == ("afsluttet", theme)
    page.reload()
    expect(page.locator(f"{lane}-afsluttet #card-{stu}")).to_have_count(1)


def cell_box(page, cell: str) -> dict:
    return page.locator(f"{cell} .card-list").bounding_box()


# --- narrow screens -------------------------------------------------------------


def test_on_a_phone_the_jump_list_reaches_each_column(page, board_id):
    page.set_viewport_size({"width": 390, "height": 844})
    open_board(page, "lone@example.dk", board_id)
    jump = page.locator(".column-jump")
    expect(jump).to_be_visible()
    for label, stage in (("Afsluttet", "afsluttet"), ("Planlagt", "planlagt")):
        jump.get_by_role("link", name=label).click()
        expect(page.locator(f"#column-title-{stage}")).to_be_in_viewport()
        # The jump list stays at hand (sticky) wherever the page is.
        expect(jump).to_be_in_viewport()


# --- search ---------------------------------------------------------------------


def test_search_as_you_type_finds_a_word_only_in_a_comment(page, board_id):
    target = card_id(STU)
    lone = db.session.scalar(sa.select(User).where(User.email == "lone@example.dk"))
    add_comment(db.session.get(Initiative, target), actor=lone, body="Husk kaffemaskinen")
    db.session.commit()
    open_board(page, "lone@example.dk", board_id, "?visning=kompakt")

    box = page.locator("#filter-q")
    box.press_sequentially("kaffemaskin", delay=40)
    expect(page.locator("li.card")).to_have_count(1)
    expect(page.locator(f"#card-{target}")).to_be_visible()
    expect(page).to_have_url(
        re.compile(r"visning=kompakt.*q=kaffemaskin|q=kaffemaskin.*visning=kompakt")
    )
    assert page.evaluate("() => document.activeElement.id") == "filter-q"  # typing goes on

    # A title word: every match marked; clearing the box shows the whole board.
    box.fill("")
    box.press_sequentially("takstmodel", delay=40)
    expect(page.locator("li.card .card-title mark").first).to_have_text("takstmodel")
    box.fill("")
    box.dispatch_event("search")
    expect(page.locator("li.card")).to_have_count(29)


def test_the_filter_keeps_the_search_and_the_search_keeps_the_filter(page, board_id):
    open_board(page, "lone@example.dk", board_id, "?visning=spor")
    page.locator("#filter-q").press_sequentially("afdæk", delay=30)
    expect(page).to_have_url(re.compile(r"q=afd"))
    shown = page.locator("li.card").count()
    assert 0 < shown < 29
    theme = page.locator("li.card").first.get_attribute("data-theme-id")
    page.locator("#filter-tema").select_option(theme)
    expect(page.locator("section.lane")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"tema={theme}.*q=afd"))
    assert page.locator("#filter-q").input_value() == "afdæk"
    for card in page.locator("li.card").all():
        assert card.get_attribute("data-theme-id") == theme
        assert card.locator("mark").count() >= 1
    # The view links carry both.
    href = page.locator(".view-switch a", has_text="Kompakt").get_attribute("href")
    assert f"tema={theme}" in href and "q=afd" in href and "visning=kompakt" in href


def test_a_search_with_nothing_found_says_so(page, board_id):
    open_board(page, "lone@example.dk", board_id)
    page.locator("#filter-q").press_sequentially("zzqqxx", delay=30)
    expect(page.locator(".empty-filter")).to_contain_text("Ingen tiltag matcher søgningen.")
    expect(page.locator("li.card")).to_have_count(0)


# --- changes in plain sight -----------------------------------------------------


def move_by_keyboard(page, card: int, step_or_stage: str) -> None:
    page.locator(f"#card-{card} .move-toggle").focus()
    page.keyboard.press("Enter")
    selector = (
        f'#card-{card} [data-move-step="{step_or_stage}"]'
        if step_or_stage in ("up", "down")
        else f'#card-{card} [data-move-to="{step_or_stage}"]'
    )
    page.locator(selector).click()


def lowest_card_of(page, stage: str) -> int:
    return int(
        page.locator(f'.card-list[data-stage="{stage}"] .card').last.get_attribute(
            "data-initiative-id"
        )
    )


def test_a_move_in_another_browser_is_highlighted_labelled_and_scrolled_into_view(
    new_page, board_id
):
    karl, lone = new_page(), new_page()
    karl.set_viewport_size({"width": 1366, "height": 600})
    open_board(karl, "karl@example.dk", board_id)
    open_board(lone, "lone@example.dk", board_id)
    card = lowest_card_of(karl, "ikke_ivaerksat")  # far below Karl's screen
    expect(karl.locator(f"#card-{card}")).not_to_be_in_viewport()

    move_by_keyboard(lone, card, "up")
    changed = karl.locator(f"#card-{card}.is-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator(".card-change-note")).to_have_text("Flyttet af Lone Leder")
    expect(changed).to_be_in_viewport()
    # Lone's own page shows her move without the highlight.
    expect(lone.locator("#announcer")).to_contain_text("flyttet til plads")
    assert lone.locator(".card.is-changed").count() == 0


def test_the_highlight_has_no_motion_when_reduced_motion_is_asked_for(new_page, board_id):
    karl, lone = new_page(), new_page()
    karl.emulate_media(reduced_motion="reduce")
    open_board(karl, "karl@example.dk", board_id, "?visning=kompakt")
    open_board(lone, "lone@example.dk", board_id)
    card = card_id(STU)
    move_by_keyboard(lone, card, "igangsat")
    changed = karl.locator(f"#card-{card}.is-changed")
    expect(changed.locator(".card-change-note")).to_have_text("Flyttet af Lone Leder")
    assert changed.evaluate("c => getComputedStyle(c).animationName") == "none"
    karl.emulate_media(reduced_motion="no-preference")
    move_by_keyboard(lone, card, "afsluttet")
    expect(
        karl.locator(f'.card-list[data-stage="afsluttet"] #card-{card}.is-changed')
    ).to_have_count(1)
    assert (
        karl.locator(f"#card-{card}").evaluate("c => getComputedStyle(c).animationName") != "none"
    )


def test_no_scrolling_while_the_user_types_in_the_search_box(new_page, board_id):
    karl, lone = new_page(), new_page()
    karl.set_viewport_size({"width": 1366, "height": 600})
    karl.emulate_media(reduced_motion="reduce")  # a scroll would be at once
    open_board(karl, "karl@example.dk", board_id)
    open_board(lone, "lone@example.dk", board_id)
    card = lowest_card_of(karl, "ikke_ivaerksat")
    karl.locator("#filter-q").focus()
    move_by_keyboard(lone, card, "up")
    expect(karl.locator(f"#card-{card}.is-changed .card-change-note")).to_have_text(
        "Flyttet af Lone Leder"
    )
    assert karl.evaluate("() => window.scrollY") == 0
    assert karl.evaluate("() => document.activeElement.id") == "filter-q"


# --- a new tiltag in any column ---------------------------------------------------


def test_a_new_tiltag_from_a_columns_link_starts_in_that_column(page, board_id):
    page.set_viewport_size({"width": 1366, "height": 900})
    open_board(page, "lone@example.dk", board_id)
    page.locator("#column-igangsat a.new-in-column").click()
    dialog = page.locator("#card-dialog")
    expect(dialog.locator("select[name=stage]")).to_have_value("igangsat")
    dialog.locator("input[name=title]").fill("Nyt i Igangsat")
    dialog.get_by_role("button", name="Opret tiltag").click()
    expect(dialog.locator("h2", has_text="Nyt i Igangsat")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator('.card-list[data-stage="igangsat"] .card-title').last).to_have_text(
        "Nyt i Igangsat"
    )


# --- axe ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["?visning=kompakt", "?visning=spor", "?q=borger"])
def test_the_new_views_have_no_serious_accessibility_issues(page, board_id, query):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_board(page, "lone@example.dk", board_id, query)
    expect(page.locator("li.card").first).to_be_visible()
    assert serious_axe_violations(page) == []


def test_the_views_on_a_share_link_have_no_serious_accessibility_issues(page, board_id):
    token, _ = make_share_link(db.session.get(Board, board_id), show_comments=True)
    db.session.rollback()
    for query in ("?visning=kompakt", "?visning=spor&q=borger"):
        page.goto(f"/s/{token}{query}")
        expect(page.locator("li.card").first).to_be_visible()
        assert page.locator(".move-toggle, a.new-in-column").count() == 0
        assert serious_axe_violations(page) == []
