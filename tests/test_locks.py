"""The one board lock (board/locks.py): every writing domain function takes
it before it reads anything, and on PostgreSQL two writers of one board run
one after the other (writers of other boards do not wait), so a board's
Events commit in id order."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from board.clock import today_local
from board.comments import services as comments
from board.editing import services as editing
from board.editing import structure
from board.events import record_event
from board.extensions import db
from board.importer import services as importer
from board.importer.parser import ImportPlan, PlanInitiative, PlanTheme
from board.locks import LOCK_CLASS, Vanished, holds_board_lock, lock_board
from board.models import Board, Comment, Event, Initiative, Objective, Theme, User
from board.moves.services import move_initiative
from board.privacy.services import redact_initiative_value
from board.reports import services as reports
from tests import factories
from tests.conftest import TEST_DATABASE_URL

postgresql_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"), reason="the advisory lock is PostgreSQL's"
)
WAIT_SECONDS = 10


# --- every writer locks first -------------------------------------------------


class Statements:
    """The SQL statements run while recording, each with whether the board's
    lock was held when it ran."""

    def __init__(self, board_id: int):
        self.board_id = board_id
        self.seen: list[tuple[str, bool]] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((statement, holds_board_lock(self.board_id)))

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._before)

    def before_the_lock(self) -> list[str]:
        """Statements that ran before the lock was taken, other than the
        lock itself (PostgreSQL)."""
        return [
            statement
            for statement, held in self.seen
            if not held and "pg_advisory_xact_lock" not in statement
        ]


def _fresh(model, object_id):
    """The object loaded in the current transaction, as a view has it."""
    return db.session.get(model, object_id)


@pytest.fixture
def parts(board, users):
    theme = board.themes[0]
    card = factories.make_initiative(board, "Kortet", stage="planlagt")
    archived = factories.make_initiative(board, "Arkiveret", stage="planlagt")
    editing.archive_initiative(archived, expected_version=archived.version, actor=None)
    comment = comments.add_comment(card, actor=users["leder"], body="En kommentar")
    spare_theme = structure.add_theme(board, title="Tomt", actor=None)
    spare_objective = structure.add_objective(theme, number="1.9", title="Tom", actor=None)
    db.session.commit()
    return {
        "board": board.id,
        "theme": theme.id,
        "objective": theme.objectives[0].id,
        "card": card.id,
        "archived": archived.id,
        "comment": comment.id,
        "spare_theme": spare_theme.id,
        "spare_objective": spare_objective.id,
        "leder": users["leder"].id,
        "admin": users["admin"].id,
    }


def _plan() -> ImportPlan:
    card = PlanInitiative(index=0, line=2, parts={"title": ["Importeret"]})
    return ImportPlan(
        table=None, mapping=[], as_of=date(2024, 9, 1), themes=[PlanTheme("Tema", 1, [card])]
    )


# Each writer: (name, function of the loaded objects `o` that makes the change).
WRITERS = {
    "create_initiative": lambda o: editing.create_initiative(
        theme=o["theme"], objective=o["objective"], title="Nyt", actor=o["leder"]
    ),
    "update_initiative": lambda o: editing.update_initiative(
        o["card"], expected_version=o["card"].version, actor=o["leder"], title="Nyt navn"
    ),
    "archive_initiative": lambda o: editing.archive_initiative(
        o["card"], expected_version=o["card"].version, actor=o["leder"]
    ),
    "restore_initiative": lambda o: editing.restore_initiative(
        o["archived"], expected_version=o["archived"].version, actor=o["leder"]
    ),
    "move_initiative": lambda o: move_initiative(
        o["card"], stage="igangsat", position=0, version=o["card"].version, actor=o["leder"]
    ),
    "add_comment": lambda o: comments.add_comment(o["card"], actor=o["leder"], body="Mere"),
    "edit_comment": lambda o: comments.edit_comment(o["comment"], actor=o["leder"], body="Ny"),
    "delete_comment": lambda o: comments.delete_comment(o["comment"], actor=o["leder"]),
    "redact_comment": lambda o: comments.redact_comment(
        o["comment"], actor=o["admin"], reason="Persondata"
    ),
    "update_board": lambda o: structure.update_board(
        o["board"], title="Ny titel", theme_label="Spor", objective_label="Mål", actor=None
    ),
    "add_theme": lambda o: structure.add_theme(o["board"], title="Nyt spor", actor=None),
    "rename_theme": lambda o: structure.rename_theme(o["theme"], title="Omdøbt", actor=None),
    "move_theme": lambda o: structure.move_theme(o["spare_theme"], direction="up", actor=None),
    "delete_theme": lambda o: structure.delete_theme(o["spare_theme"], actor=None),
    "add_objective": lambda o: structure.add_objective(
        o["theme"], number="1.8", title="Ny", actor=None
    ),
    "update_objective": lambda o: structure.update_objective(
        o["objective"], number="1.1", title="Omdøbt", actor=None
    ),
    "move_objective": lambda o: structure.move_objective(
        o["spare_objective"], direction="up", actor=None
    ),
    "delete_objective": lambda o: structure.delete_objective(o["spare_objective"], actor=None),
    "redact_initiative_value": lambda o: redact_initiative_value(
        o["card"], field="title", value=o["card"].title, reason="Navn", actor=o["admin"]
    ),
    "publish_report": lambda o: reports.publish_report(
        o["board"], title="Status", day=today_local(), actor=o["leder"]
    ),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_writer_takes_the_board_lock_before_it_reads(parts, name):
    loaded = {
        "board": _fresh(Board, parts["board"]),
        "theme": _fresh(Theme, parts["theme"]),
        "objective": _fresh(Objective, parts["objective"]),
        "card": _fresh(Initiative, parts["card"]),
        "archived": _fresh(Initiative, parts["archived"]),
        "comment": _fresh(Comment, parts["comment"]),
        "spare_theme": _fresh(Theme, parts["spare_theme"]),
        "spare_objective": _fresh(Objective, parts["spare_objective"]),
        "leder": _fresh(User, parts["leder"]),
        "admin": _fresh(User, parts["admin"]),
    }
    loaded["spare_objective"].theme  # noqa: B018  (a view has it loaded too)
    assert not holds_board_lock(parts["board"])
    with Statements(parts["board"]) as statements:
        WRITERS[name](loaded)
        db.session.flush()
    assert statements.seen, "the writer ran no SQL at all"
    assert statements.before_the_lock() == []
    assert holds_board_lock(parts["board"])
    db.session.commit()
    assert not holds_board_lock(parts["board"])  # it ends with the transaction


@pytest.mark.parametrize("create", ["structure", "import"])
def test_a_new_board_is_locked_right_after_its_insert(app, users, create):
    with Statements(board_id=0) as statements:
        if create == "structure":
            board = structure.create_board(
                title="Ny", theme_label="Spor", objective_label=None, actor=users["leder"]
            )
        else:
            board = importer.create_board(_plan(), title="Importeret", actor=users["leder"])
        db.session.flush()
    before = []
    for statement, _ in statements.seen:
        if "pg_advisory_xact_lock" in statement:
            break
        before.append(statement)
    assert holds_board_lock(board.id)
    # Only the board's own INSERT comes before the lock (it gives the id).
    if TEST_DATABASE_URL.startswith("postgres"):
        assert [s.split()[:3] for s in before] == [["INSERT", "INTO", "boards"]]
    db.session.commit()


@postgresql_only
def test_an_object_removed_before_the_lock_was_granted_is_a_404(make_app, board):
    """The caller loaded the objective; another user deleted it before this
    transaction got the lock: the change ends as 404, not a database error."""
    objective_id = structure.add_objective(board.themes[0], number="9", title="X", actor=None).id
    db.session.commit()
    objective = db.session.get(Objective, objective_id)
    with make_app().app_context():
        structure.delete_objective(db.session.get(Objective, objective_id), actor=None)
        db.session.commit()
    with pytest.raises(Vanished) as refused:
        structure.update_objective(objective, number="9", title="Y", actor=None)
    assert refused.value.status == 404
    assert "fjernet af en anden" in refused.value.message
    db.session.rollback()


# --- two writers on PostgreSQL ------------------------------------------------


def _waiting_for_board_lock(board_id: int) -> bool:
    """Whether some transaction is waiting for the board's lock (asked on a
    connection of its own)."""
    with db.engine.connect() as conn:
        return bool(
            conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND NOT granted AND classid = :lock_class AND objid = :board_id"
                ),
                {"lock_class": LOCK_CLASS, "board_id": board_id},
            )
        )


def _wait_until(condition, what: str) -> None:
    """Poll for a positive signal (never a fixed sleep before a check)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


class Writer(threading.Thread):
    """Runs `work` in an app (own engine, own connection) of its own; `hold`
    keeps its transaction open after the work until released."""

    def __init__(self, app, work, hold: bool = False):
        super().__init__(daemon=True)
        self.app, self.work, self.hold = app, work, hold
        self.worked = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()
        self.result = self.error = None

    def run(self):
        with self.app.app_context():
            try:
                self.result = self.work()
                db.session.flush()
                self.worked.set()
                if self.hold:
                    self.release.wait(WAIT_SECONDS)
                db.session.commit()
            except Exception as error:  # shown by the test's assertion
                self.error = error
                db.session.rollback()
            finally:
                self.worked.set()
                self.done.set()


@postgresql_only
def test_a_create_and_a_move_on_one_board_run_one_after_the_other(make_app, board):
    """A create holds the board's lock; a move of the same board from another
    connection waits for it, then sees the new card (its position is valid
    only with that card in the column) and its Event gets the later id."""
    theme_id = board.themes[0].id
    card = factories.make_initiative(board, "Gammel", stage="planlagt")
    card_id, version = card.id, card.version

    def create():
        theme = db.session.get(Theme, theme_id)
        return editing.create_initiative(theme=theme, title="Ny", stage="planlagt").id

    def move():
        # Below "Ny": position 1 exists only once the created card is seen.
        initiative = db.session.get(Initiative, card_id)
        return move_initiative(
            initiative, stage="planlagt", position=1, version=version, actor=None
        ).event.id

    creator = Writer(make_app(), create, hold=True)
    creator.start()
    assert creator.worked.wait(WAIT_SECONDS) and creator.error is None
    mover = Writer(make_app(), move)
    mover.start()
    _wait_until(lambda: _waiting_for_board_lock(board.id), "the move waits for the lock")
    assert not mover.done.is_set()
    creator.release.set()
    assert creator.done.wait(WAIT_SECONDS) and mover.done.wait(WAIT_SECONDS)
    assert creator.error is None and mover.error is None, (creator.error, mover.error)

    db.session.expire_all()
    created_event = db.session.scalar(
        sa.select(Event.id).where(Event.initiative_id == creator.result)
    )
    assert created_event < mover.result
    column = db.session.execute(
        sa.select(Initiative.title, Initiative.position)
        .where(Initiative.board_id == board.id, Initiative.stage == "planlagt")
        .order_by(Initiative.position)
    ).all()
    assert [tuple(row) for row in column] == [("Ny", 0), ("Gammel", 1)]


@postgresql_only
def test_events_of_one_board_commit_in_id_order(make_app, board):
    """Even a writer that calls `record_event` alone takes the lock, and
    holds it until it commits, so a later transaction's Event (a higher id)
    cannot become visible first."""
    board_id = board.id

    def add_event():
        event = record_event(board_id=board_id, kind="initiative.updated", payload={})
        db.session.flush()  # the id is handed out here, under the lock
        return event.id

    holder = Writer(make_app(), add_event, hold=True)
    holder.start()
    assert holder.worked.wait(WAIT_SECONDS) and holder.error is None
    follower = Writer(make_app(), add_event)
    follower.start()
    _wait_until(lambda: _waiting_for_board_lock(board_id), "the second writer waits")
    assert not follower.worked.is_set()  # no Event of its own yet
    holder.release.set()
    assert holder.done.wait(WAIT_SECONDS) and follower.done.wait(WAIT_SECONDS)
    assert holder.error is None and follower.error is None
    assert holder.result < follower.result  # committed first, lower id


@postgresql_only
def test_writers_of_other_boards_do_not_wait(make_app, board):
    other_id = factories.make_board("Anden tavle").id
    holder = Writer(make_app(), lambda: lock_board(board.id), hold=True)
    holder.start()
    assert holder.worked.wait(WAIT_SECONDS)
    try:
        record_event(board_id=other_id, kind="board.updated", payload={})
        db.session.commit()  # did not wait for the other board's holder
        assert not holder.done.is_set()
    finally:
        holder.release.set()
        holder.done.wait(WAIT_SECONDS)
