"""status_as_of: the state of every tiltag on a date, from the Event log."""

from datetime import date

import pytest
import sqlalchemy as sa

from board.clock import today_local
from board.comments.services import add_comment
from board.editing import structure
from board.editing.services import archive_initiative, create_initiative, update_initiative
from board.editing.structure import update_objective
from board.errors import Refused
from board.extensions import db
from board.models import Event, Initiative, Role
from board.moves.services import move_initiative
from board.query_counter import count_queries
from board.reports.services import parse_report_date, status_as_of
from tests import factories
from tests.reports_helpers import archive, at, edit, move, new_card, on, restore


@pytest.fixture
def history_board(app):
    with on("2024-01-01 08:00"):
        return factories.make_board(
            themes=(
                ("Borgeren først", ("1.1 Vi taler med borgeren", "1.2 Fælles redskaber")),
                ("Fundamentet på plads", ("2.1 Kerneopgaven",)),
            )
        )


def _rows(report):
    return {row.title: row for _, _, row in report.flat_rows() if row is not None}


def test_a_date_between_two_changes_shows_the_first_change(history_board):
    theme = history_board.themes[0]
    card = new_card(
        theme,
        "Borgerpanel",
        objective=theme.objectives[0],
        status_note="A",
        when="2024-02-01 10:00",
    )
    edit(card, "2024-03-10 12:00", status_note="B", timeline="Forår 2024")
    move(card, "igangsat", "2024-03-10 12:05")
    edit(card, "2024-04-10 12:00", status_note="C", title="Borgerpanel 2.0")
    move(card, "afsluttet", "2024-04-10 12:05")

    before = _rows(status_as_of(history_board, date(2024, 3, 9)))["Borgerpanel"]
    assert (before.status_note, before.stage, before.timeline) == ("A", "planlagt", "")

    between = _rows(status_as_of(history_board, date(2024, 3, 20)))
    assert "Borgerpanel 2.0" not in between
    row = between["Borgerpanel"]
    assert (row.status_note, row.stage, row.timeline) == ("B", "igangsat", "Forår 2024")
    assert row.stage_label == "Igangsat"

    after = _rows(status_as_of(history_board, date(2024, 4, 10)))["Borgerpanel 2.0"]
    assert (after.status_note, after.stage) == ("C", "afsluttet")


def test_the_helpers_changes_are_dated_by_the_clock(history_board):
    """time-machine sets the clock the domain functions read: the rows and
    their Events carry the helper's time, not today's."""
    card = new_card(history_board.themes[0], "Dateret", when="2024-02-01 10:00")
    move(card, "igangsat", "2024-02-03 09:30")
    assert card.created_at == at("2024-02-01 10:00")
    assert history_board.created_at == at("2024-01-01 08:00")
    events = db.session.scalars(
        sa.select(Event).where(Event.initiative_id == card.id).order_by(Event.id)
    ).all()
    assert [(e.kind, e.created_at) for e in events] == [
        ("initiative.created", at("2024-02-01 10:00")),
        ("initiative.moved", at("2024-02-03 09:30")),
    ]


def test_the_day_ends_at_midnight_copenhagen_time(history_board):
    theme = history_board.themes[0]
    card = new_card(theme, "Sen aften", status_note="før", when="2024-02-01 10:00")
    # 23:30 in Copenhagen on 10 March (CET = UTC+1) belongs to 10 March ...
    edit(card, "2024-03-10 22:30", status_note="samme dag")
    assert _rows(status_as_of(history_board, date(2024, 3, 10)))["Sen aften"].status_note == (
        "samme dag"
    )
    # ... 00:30 in Copenhagen on 11 March does not.
    edit(card, "2024-03-10 23:30", status_note="næste dag")
    assert _rows(status_as_of(history_board, date(2024, 3, 10)))["Sen aften"].status_note == (
        "samme dag"
    )
    assert _rows(status_as_of(history_board, date(2024, 3, 11)))["Sen aften"].status_note == (
        "næste dag"
    )


def test_archived_cards_appear_where_they_were_live(history_board):
    theme = history_board.themes[0]
    card = new_card(theme, "Lukket tiltag", when="2024-02-01 10:00")
    new_card(theme, "Nyt tiltag", when="2024-03-20 10:00")
    archive(card, "2024-03-15 10:00")
    assert "Lukket tiltag" in _rows(status_as_of(history_board, date(2024, 3, 14)))
    later = _rows(status_as_of(history_board, date(2024, 3, 16)))
    assert "Lukket tiltag" not in later and "Nyt tiltag" not in later
    restore(card, "2024-04-01 10:00")
    assert set(_rows(status_as_of(history_board, date(2024, 4, 2)))) == {
        "Lukket tiltag",
        "Nyt tiltag",
    }
    # Not yet created on 31 January.
    assert _rows(status_as_of(history_board, date(2024, 1, 31))) == {}


def test_grouped_like_the_documents_with_empty_objectives_listed(history_board):
    theme, other = history_board.themes
    new_card(theme, "Under 1.2", objective=theme.objectives[1], when="2024-02-01 10:00")
    new_card(theme, "Direkte under temaet", when="2024-02-01 11:00")
    report = status_as_of(history_board, date(2024, 3, 1))
    assert [t.title for t in report.themes] == ["Borgeren først", "Fundamentet på plads"]
    first = report.themes[0]
    assert [r.title for r in first.rows] == ["Direkte under temaet"]
    assert [(o.label, [r.title for r in o.rows]) for o in first.objectives] == [
        ("1.1 Vi taler med borgeren", []),
        ("1.2 Fælles redskaber", ["Under 1.2"]),
    ]
    flat = [
        (t.title, o.label if o else None, r.title if r else None) for t, o, r in report.flat_rows()
    ]
    assert ("Borgeren først", "1.1 Vi taler med borgeren", None) in flat
    assert ("Fundamentet på plads", "2.1 Kerneopgaven", None) in flat
    assert report.heading == "Status pr. 1. marts 2024"

    only = status_as_of(history_board, date(2024, 3, 1), theme_id=other.id)
    assert [t.title for t in only.themes] == ["Fundamentet på plads"]
    assert only.theme_filter == "Fundamentet på plads"


def test_renamed_objective_shows_its_name_on_the_date(history_board):
    objective = history_board.themes[0].objectives[0]
    with on("2024-05-01 10:00"):
        update_objective(objective, number=objective.number, title="Nyt navn", actor=None)
        db.session.commit()
    labels = [o.title for o in status_as_of(history_board, date(2024, 3, 1)).themes[0].objectives]
    assert labels[0] == "Vi taler med borgeren"
    labels = [o.title for o in status_as_of(history_board, date(2024, 5, 2)).themes[0].objectives]
    assert labels[0] == "Nyt navn"


def _order(report):
    return [(t.title, [o.number for o in t.objectives]) for t in report.themes]


def test_a_past_status_shows_the_order_of_that_day(app):
    """Pejlemærker and målsætninger reordered after a date stand in that
    date's order in its status; a pejlemærke added later is not there."""
    with on("2024-01-01 08:00"):
        made = structure.create_board(
            title="Tavle", theme_label="Pejlemærke", objective_label="Målsætning", actor=None
        )
        first = structure.add_theme(made, title="Borgeren først", actor=None)
        second = structure.add_theme(made, title="Fundamentet", actor=None)
        structure.add_objective(first, number="1.1", title="Dialog", actor=None)
        later = structure.add_objective(first, number="1.2", title="Redskaber", actor=None)
        db.session.commit()
    with on("2024-04-01 10:00"):
        structure.move_theme(second, direction="up", actor=None)
        structure.move_objective(later, direction="up", actor=None)
        db.session.commit()
    with on("2024-05-01 10:00"):
        third = structure.add_theme(made, title="Nyt", actor=None)
        structure.move_theme(third, direction="up", actor=None)
        db.session.commit()

    assert _order(status_as_of(made, date(2024, 3, 15))) == [
        ("Borgeren først", ["1.1", "1.2"]),
        ("Fundamentet", []),
    ]
    assert _order(status_as_of(made, date(2024, 4, 15))) == [
        ("Fundamentet", []),
        ("Borgeren først", ["1.2", "1.1"]),
    ]
    assert _order(status_as_of(made, today_local())) == [
        ("Fundamentet", []),
        ("Nyt", []),
        ("Borgeren først", ["1.2", "1.1"]),
    ]


def test_the_order_of_a_day_after_several_reorders_is_the_last_one_before_it(history_board):
    """Also on a board whose pejlemærker predate the log (no `created` Event)."""
    first, second = history_board.themes
    with on("2024-04-01 10:00"):
        structure.move_theme(second, direction="up", actor=None)
        db.session.commit()
    with on("2024-05-01 10:00"):
        structure.move_theme(second, direction="down", actor=None)
        db.session.commit()
    titles = [t.title for t in status_as_of(history_board, date(2024, 4, 15)).themes]
    assert titles == ["Fundamentet på plads", "Borgeren først"]
    titles = [t.title for t in status_as_of(history_board, date(2024, 5, 2)).themes]
    assert titles == ["Borgeren først", "Fundamentet på plads"]


def test_the_demo_board_reproduces_its_document(demo):
    strategy, process = demo
    report = status_as_of(strategy, date(2024, 3, 1))
    assert report.row_count == 29
    assert sum(len(t.objectives) for t in report.themes) == 14
    stu = _rows(report)["III. Ny takstmodel for STU"]
    assert (stu.status_note, stu.stage) == ("4. kvartal 2024", "planlagt")
    assert status_as_of(process, date(2023, 3, 15)).row_count == 20
    assert status_as_of(process, date(2023, 3, 14)).row_count == 0


def test_the_number_of_queries_does_not_grow_with_the_cards(history_board):
    theme = history_board.themes[0]
    for n in range(3):
        new_card(theme, f"Kort {n}", when="2024-02-01 10:00")
    db.session.expire_all()
    with count_queries(db.engine) as few:
        status_as_of(history_board, date(2024, 3, 1))
    for n in range(30):
        card = new_card(theme, f"Flere {n}", when="2024-02-01 10:00")
        move(card, "igangsat", "2024-02-02 10:00")
    db.session.expire_all()
    with count_queries(db.engine) as many:
        assert status_as_of(history_board, date(2024, 3, 1)).row_count == 33
    assert many.count == few.count <= 7  # with a checkpoint: its look-up and freshness check


@pytest.mark.parametrize("text", ["2024-13-01", "15.3.2024", "i går", "2024-02-30"])
def test_bad_dates_are_refused_in_danish(app, text):
    with pytest.raises(Refused, match="ikke en gyldig dato"):
        parse_report_date(text)


def test_future_dates_are_refused(app):
    with pytest.raises(Refused, match="ligger efter i dag"):
        parse_report_date("2999-01-01")
    assert parse_report_date("", default=date(2024, 1, 1)) == date(2024, 1, 1)


def test_real_changes_today_leave_the_document_date_intact_and_today_matches_the_board(demo):
    """Through the domain functions the app itself uses (not hand-written
    Events): today's report is the board as it is now, and the report for
    the document's date is still the document."""
    strategy = demo[0]
    leader = factories.make_user("lone@example.dk", board=strategy, role=Role.LEDER)
    document = _rows(status_as_of(strategy, date(2024, 3, 1)))
    cards = db.session.scalars(
        sa.select(Initiative).where(Initiative.board_id == strategy.id).order_by(Initiative.id)
    ).all()
    moved = next(c for c in cards if c.title == "III. Ny takstmodel for STU")
    edited, archived = [c for c in cards if c is not moved][:2]

    move_initiative(moved, stage="afsluttet", position=0, version=moved.version, actor=leader)
    update_initiative(
        edited,
        expected_version=edited.version,
        actor=leader,
        status_note="Ny status skrevet i dag",
        title=edited.title + " (revideret)",
    )
    archive_initiative(archived, expected_version=archived.version, actor=leader)
    create_initiative(theme=strategy.themes[0], title="Helt nyt tiltag", actor=leader)
    add_comment(moved, actor=leader, body="Afsluttet på mødet.")
    db.session.commit()

    assert _rows(status_as_of(strategy, date(2024, 3, 1))) == document
    today = _rows(status_as_of(strategy, today_local()))
    live = db.session.scalars(
        sa.select(Initiative).where(
            Initiative.board_id == strategy.id, Initiative.archived_at.is_(None)
        )
    ).all()
    assert {title: (r.stage, r.status_note) for title, r in today.items()} == {
        c.title: (c.stage, c.status_note) for c in live
    }
    assert today["III. Ny takstmodel for STU"].stage == "afsluttet"
    assert today[edited.title].status_note == "Ny status skrevet i dag"
    assert archived.title not in today and "Helt nyt tiltag" in today
