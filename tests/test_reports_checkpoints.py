"""Replay checkpoints (board/reports/checkpoints.py): a report computed from
the newest checkpoint plus the Events after it is exactly the full replay's,
for every date, with back-dated Events, and after personal data is removed."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import ReplayCheckpoint
from board.privacy.services import redact_initiative_value
from board.reports import checkpoints, replay
from board.reports.services import changes_since, publish_report, status_as_of
from tests import factories
from tests.reports_helpers import archive, comment, edit, move, new_card, on, restore


@pytest.fixture
def busy_board(app):
    """Cards changed before and after 1 March 2024."""
    with on("2024-01-01 08:00"):
        board = factories.make_board(
            themes=(("Borgeren først", ("1.1 Vi taler med borgeren", "1.2 Fælles redskaber")),)
        )
    theme = board.themes[0]
    first = new_card(theme, "Borgerpanel", objective=theme.objectives[0], when="2024-02-01 10:00")
    second = new_card(theme, "Samtaleguide", status_note="A", when="2024-02-02 10:00")
    third = new_card(theme, "Lukkes", when="2024-02-03 10:00")
    edit(first, "2024-02-10 10:00", status_note="Februar", responsible="Lone")
    move(second, "igangsat", "2024-02-20 10:00")
    archive(third, "2024-02-25 10:00")
    edit(first, "2024-03-05 10:00", status_note="Marts")
    move(first, "afsluttet", "2024-03-10 10:00")
    restore(third, "2024-03-12 10:00")
    new_card(theme, "Nyt i marts", when="2024-03-15 10:00")
    return board, first, second, third


def _publish(board, day):
    with on(f"{day.isoformat()} 12:00"):
        publish_report(board, title=f"Status {day}", day=day)
        db.session.commit()


def _days():
    day = date(2024, 1, 30)
    while day <= date(2024, 4, 1):
        yield day
        day += timedelta(days=3)


def _full_replay_equals_checkpoint_path(board):
    for day in _days():
        cutoff = replay.end_of_day(day)
        assert checkpoints.cards_at(board.id, cutoff) == replay.cards_at(board.id, cutoff), day
        full_then, full_now, _ = replay.cards_at_and_now(board.id, cutoff)
        assert checkpoints.cards_at_and_now(board.id, cutoff) == (full_then, full_now), day
        # The one pass for both equals each replayed on its own.
        assert full_then == replay.cards_at(board.id, cutoff), day
        assert full_now == replay.cards_at(board.id, None), day
    assert checkpoints.cards_at(board.id, None) == replay.cards_at(board.id, None)


def _reports(board):
    return [
        (status_as_of(board, day).to_json(), _changes(changes_since(board, day))) for day in _days()
    ]


def _changes(report):
    return [(g.title, [vars(c) for c in g.changes]) for g in report.groups]


def test_reports_from_a_checkpoint_equal_the_full_replay(busy_board):
    board = busy_board[0]
    before = _reports(board)
    _publish(board, date(2024, 2, 21))
    _publish(board, date(2024, 3, 11))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplayCheckpoint)) == 2
    _full_replay_equals_checkpoint_path(board)
    assert _reports(board) == before


def test_events_after_the_checkpoint_even_back_dated_are_replayed(busy_board):
    board, first, second, _ = busy_board
    _publish(board, date(2024, 3, 11))
    # Written after the checkpoint but dated before its cutoff (an import, or
    # a host whose clock is behind): they have higher ids, so replay applies
    # them last, from the checkpoint too.
    edit(second, "2024-02-15 10:00", status_note="Bagud-dateret")
    move(first, "planlagt", "2024-03-20 10:00")
    _full_replay_equals_checkpoint_path(board)
    rows = {r.title: r for _, _, r in status_as_of(board, date(2024, 3, 11)).flat_rows() if r}
    assert rows["Samtaleguide"].status_note == "Bagud-dateret"


def test_a_checkpoint_older_events_could_have_entered_is_not_used(busy_board):
    """Events dated after the checkpoint's cutoff but with lower ids than
    ones it includes (written before a back-dated one) make it unusable for
    later dates: the full replay answers."""
    board, first, second, _ = busy_board
    edit(second, "2024-02-15 10:00", status_note="Bagud-dateret")  # newest id, old date
    _publish(board, date(2024, 2, 28))
    point = db.session.scalar(sa.select(ReplayCheckpoint))
    assert not checkpoints._still_valid(point, replay.end_of_day(date(2024, 3, 20)))
    _full_replay_equals_checkpoint_path(board)


def test_removing_personal_data_forgets_the_checkpoints(busy_board, app):
    board, first, _, _ = busy_board
    _publish(board, date(2024, 3, 11))
    admin = factories.make_user("admin@example.dk", is_admin=True)
    redact_initiative_value(
        first, field="responsible", value="Lone", reason="Anmodning", actor=admin
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplayCheckpoint)) == 0
    rows = {r.title: r for _, _, r in status_as_of(board, date(2024, 3, 11)).flat_rows() if r}
    assert rows["Borgerpanel"].responsible == ""


def test_changes_after_a_checkpoint_equal_the_full_replay(busy_board):
    """What "Ændringer siden" reports from a checkpoint (where a card no
    Event changed since is one state shared by then and now) equals the full
    replay: a card moved away and back (not moved), one only commented on,
    one archived all along (not listed), one added and archived after the
    checkpoint, edits written after it but dated before its cutoff or
    between others, and dates before the checkpoint."""
    board, first, second, third = busy_board
    theme = board.themes[0]
    user = factories.make_user("leder@example.dk", board=board, role="leder")
    gone = new_card(theme, "Arkiveret længe", when="2024-02-04 10:00")
    archive(gone, "2024-02-05 10:00")
    _publish(board, date(2024, 3, 16))  # after every Event so far: usable for later dates
    move(second, "afsluttet", "2024-03-20 10:00")
    move(second, "igangsat", "2024-03-21 10:00")
    comment(third, "2024-03-22 10:00", user)
    short = new_card(theme, "Kortlivet", when="2024-03-23 10:00")
    archive(short, "2024-03-24 10:00")
    edit(first, "2024-03-25 10:00", status_note="Sent")
    edit(first, "2024-03-19 10:00", description="Skrevet sent, dateret før")
    edit(first, "2024-03-10 10:00", responsible="Bagud-dateret")  # before the cutoff
    edit(third, "2024-03-09 10:00", responsible="Også bagud")  # no later Event: shared
    cutoff = replay.end_of_day(date(2024, 3, 18))
    assert not checkpoints._newest(board.id, cutoff, None).stale
    from_checkpoint = _reports(board)
    _full_replay_equals_checkpoint_path(board)
    db.session.execute(sa.delete(ReplayCheckpoint))
    db.session.commit()
    assert from_checkpoint == _reports(board)
    changes = {
        c.title: c for g in changes_since(board, date(2024, 3, 18)).groups for c in g.changes
    }
    assert "Samtaleguide" not in changes  # moved and moved back
    assert changes["Lukkes"].new_comments == 1 and not changes["Lukkes"].other_fields
    assert "Arkiveret længe" not in changes
    assert changes["Kortlivet"].added and changes["Kortlivet"].archived
    assert changes["Borgerpanel"].status == ("Marts", "Sent")


def test_a_checkpoint_written_after_personal_data_is_removed_equals_the_full_replay(
    busy_board,
):
    board, first, _, _ = busy_board
    _publish(board, date(2024, 2, 21))
    admin = factories.make_user("admin@example.dk", is_admin=True)
    redact_initiative_value(
        first, field="responsible", value="Lone", reason="Anmodning", actor=admin
    )
    db.session.commit()
    before = _reports(board)
    _publish(board, date(2024, 3, 11))
    _full_replay_equals_checkpoint_path(board)
    assert _reports(board) == before


def test_a_checkpoint_stored_in_the_earlier_named_form_is_still_read(busy_board):
    """Checkpoints written before the list form held one object per card."""
    board = busy_board[0]
    before = _reports(board)
    _publish(board, date(2024, 3, 11))
    point = db.session.scalar(sa.select(ReplayCheckpoint))
    names = [f for f in checkpoints._NAMES]
    point.cards = [
        {**dict(zip(names, row[:-2], strict=True)), "order": row[-2:]} for row in point.cards
    ]
    db.session.commit()
    assert isinstance(db.session.scalar(sa.select(ReplayCheckpoint)).cards[0], dict)
    _full_replay_equals_checkpoint_path(board)
    assert _reports(board) == before
