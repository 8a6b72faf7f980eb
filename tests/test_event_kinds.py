"""The table of Event kinds (board/event_kinds.py): every kind the code
records has an entry, and every entry answers for an Event the real domain
functions record."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import board
from board.comments.services import add_comment, delete_comment, edit_comment, redact_comment
from board.editing import structure
from board.editing.services import (
    archive_initiative,
    create_initiative,
    restore_initiative,
    update_initiative,
)
from board.event_kinds import (
    EVENT_KINDS,
    Audience,
    Replay,
    describe_event,
    kind_of,
)
from board.events import latest_event_id, record_event
from board.extensions import db
from board.live.messages import affected_parts, announcement
from board.meetings import services as meetings
from board.models import Event, Membership, Stage
from board.moves.services import move_initiative
from board.privacy.services import redact_initiative_value
from board.reports.services import publish_report
from board.rounds import services as rounds
from tests import factories

BOARD_DIR = Path(board.__file__).parent


def _recorded_kinds() -> dict[str, list[str]]:
    """Every kind string that code in board/ passes to `record_event`, with
    where. A kind passed on through a parameter (comments' `_record(comment,
    "comment.added", ...)`) is followed to the calls of that function."""
    found: dict[str, list[str]] = {}
    for path in sorted(BOARD_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        functions = {
            node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) == "record_event"):
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            where = f"{path.relative_to(BOARD_DIR.parent)}:{node.lineno}"
            if isinstance(kind, ast.Constant):
                found.setdefault(kind.value, []).append(where)
                continue
            assert isinstance(kind, ast.Name), f"{where}: kind is neither a string nor a name"
            forwarder = _enclosing(tree, node)
            params = [a.arg for a in forwarder.args.args]
            assert kind.id in params, f"{where}: kind {kind.id!r} is not a parameter"
            index = params.index(kind.id)
            calls = [
                call
                for call in ast.walk(tree)
                if isinstance(call, ast.Call) and _name(call.func) == forwarder.name
            ]
            assert calls and forwarder.name in functions, f"{where}: no call of {forwarder.name}"
            for call in calls:
                value = call.args[index] if index < len(call.args) else None
                value = value or next((k.value for k in call.keywords if k.arg == kind.id), None)
                assert isinstance(value, ast.Constant), f"{where}: {forwarder.name} call"
                found.setdefault(value.value, []).append(
                    f"{path.relative_to(BOARD_DIR.parent)}:{call.lineno}"
                )
    return found


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _enclosing(tree, target) -> ast.FunctionDef:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(n is target for n in ast.walk(node)):
            inner = [
                n
                for n in ast.walk(node)
                if isinstance(n, ast.FunctionDef)
                and n is not node
                and any(m is target for m in ast.walk(n))
            ]
            if not inner:
                return node
    raise AssertionError("record_event outside a function")


def test_every_kind_the_code_records_has_an_entry_and_every_entry_is_recorded():
    recorded = _recorded_kinds()
    missing = {kind: where for kind, where in recorded.items() if kind not in EVENT_KINDS}
    assert missing == {}, "add these kinds to board/event_kinds.py"
    assert set(EVENT_KINDS) == set(recorded), "entries that no code records"


def test_an_entry_names_everything_a_kind_needs():
    for kind, entry in EVENT_KINDS.items():
        assert entry.kind == kind
        assert entry.payload.startswith("{"), kind
        assert callable(entry.history) and callable(entry.refresh), kind
        assert entry.live is None or callable(entry.live), kind
        assert isinstance(entry.audience, Audience) and isinstance(entry.replay, Replay), kind
        # The card kinds say what they set; the others set no card field.
        card_kind = entry.replay in (Replay.NEW_CARD, Replay.CARD)
        assert callable(entry.card_fields) == card_kind, kind
        # Structure replay reads "<level>.<action>" and "<level>_id".
        if entry.replay in (Replay.CREATED, Replay.UPDATED, Replay.DELETED, Replay.REORDERED):
            assert kind.partition(".")[0] in ("theme", "objective"), kind


def test_record_event_refuses_a_kind_without_an_entry(board):
    with pytest.raises(ValueError, match="membership.changed"):
        record_event(board_id=board.id, kind="membership.changed")


def _every_kind(admin) -> tuple:
    """One Event of every kind, each made by its real domain function."""
    made = structure.create_board(
        title="Tavle", theme_label="Pejlemærke", objective_label="Målsætning", actor=admin
    )
    structure.update_board(
        made,
        title="Tavlen",
        theme_label="Pejlemærke",
        objective_label="Målsætning",
        actor=admin,
    )
    first = structure.add_theme(made, title="Borgeren først", actor=admin)
    second = structure.add_theme(made, title="Fundamentet", actor=admin)
    structure.rename_theme(second, title="Fundamentet på plads", actor=admin)
    structure.move_theme(second, direction="up", actor=admin)
    gone = structure.add_theme(made, title="Midlertidig", actor=admin)
    structure.delete_theme(gone, actor=admin)
    objective = structure.add_objective(first, number="1.1", title="Dialog", actor=admin)
    other = structure.add_objective(first, number="1.2", title="Redskaber", actor=admin)
    structure.update_objective(objective, number="1.1", title="Dialog med borgeren", actor=admin)
    structure.move_objective(other, direction="up", actor=admin)
    spare = structure.add_objective(first, number="1.3", title="Ekstra", actor=admin)
    structure.delete_objective(spare, actor=admin)
    db.session.flush()

    # Each change commits, as its view does (the next one re-reads the card).
    card = create_initiative(theme=first, title="Borgerpanel", stage="planlagt", actor=admin)
    db.session.commit()
    update_initiative(card, expected_version=card.version, actor=admin, status_note="I gang")
    db.session.commit()
    move_initiative(card, stage="igangsat", position=0, version=card.version, actor=admin)
    db.session.commit()
    archive_initiative(card, expected_version=card.version, actor=admin)
    db.session.commit()
    restore_initiative(card, expected_version=card.version, actor=admin)
    db.session.commit()
    update_initiative(card, expected_version=card.version, actor=admin, objective=objective)

    note = add_comment(card, actor=admin, body="Godt")
    edit_comment(note, actor=admin, body="Meget godt")
    delete_comment(note, actor=admin)
    secret = add_comment(card, actor=admin, body="Personoplysning")
    redact_comment(secret, actor=admin, reason="CPR-nummer")
    publish_report(made, title="Til udvalget", day=date.today(), actor=admin)
    db.session.commit()
    redact_initiative_value(
        card, field="status_note", value="I gang", reason="Navn på en borger", actor=admin
    )
    db.session.commit()

    # A status round (board/rounds): opened, a reminder, the card's part, closed.
    db.session.add(Membership(user_id=admin.id, board_id=made.id, role="leder"))
    status_round = rounds.open_round(made, title="Marts", deadline=date.today(), actor=admin)
    db.session.commit()
    rounds.remind_now(status_round, actor=admin)
    db.session.commit()
    rounds.complete_item(
        status_round.items[0], status_text="Runde", health="gul", stage=card.stage, actor=admin
    )
    db.session.commit()
    rounds.close_round(status_round, actor=admin)
    db.session.commit()

    _meeting_kinds(made, first, card, admin)
    return made, card


def _meeting_kinds(made, theme, card, admin) -> None:
    """The meeting kinds (board/meetings), by their domain functions."""
    meetings.flag_for_discussion(card, actor=admin)
    db.session.commit()
    meeting = meetings.create_meeting(
        made, title="Ledermøde", held_on=date(2027, 1, 12), actor=admin
    )
    db.session.commit()
    second = create_initiative(theme=theme, title="Andet", stage="planlagt", actor=admin)
    meetings.add_item(meeting, second, actor=admin)
    db.session.commit()
    meetings.show_item(meeting, 1, actor=admin)
    meetings.record_decision(meeting.items[0], text="Godkendt", actor=admin)
    action = meetings.add_action(
        meeting.items[0],
        text="Skriv til borgerne",
        owner_id=None,
        deadline=date(2027, 2, 1),
        actor=admin,
    )
    db.session.commit()
    meetings.remove_action(action, actor=admin)
    meetings.unflag(card, actor=admin)
    meetings.publish_referat(meeting, actor=admin)
    db.session.commit()


# What a reader sees for each kind: the card history, and the live announcer
# of another page (the admin made every change; the card is «Borgerpanel»).
TEXTS = {
    "board.created": ("Tavlen blev oprettet", "Ada Admin: tavlen blev oprettet"),
    "board.updated": (
        "Tavlens indstillinger blev ændret",
        "Ada Admin: tavlens indstillinger blev ændret",
    ),
    "theme.created": (
        "Oprettede tema «Borgeren først»",
        "Ada Admin: oprettede tema «Borgeren først»",
    ),
    "theme.updated": ("Ændrede tema", "Ada Admin: ændrede tema"),
    "theme.reordered": (
        "Ændrede rækkefølgen af temaer",
        "Ada Admin: ændrede rækkefølgen af temaer",
    ),
    "theme.deleted": ("Slettede tema «Midlertidig»", "Ada Admin: slettede tema «Midlertidig»"),
    "objective.created": (
        "Oprettede målsætning 1.1 Dialog",
        "Ada Admin: oprettede målsætning 1.1 Dialog",
    ),
    "objective.updated": ("Ændrede målsætning", "Ada Admin: ændrede målsætning"),
    "objective.reordered": (
        "Ændrede rækkefølgen af målsætninger",
        "Ada Admin: ændrede rækkefølgen af målsætninger",
    ),
    "objective.deleted": (
        "Slettede målsætning 1.3 Ekstra",
        "Ada Admin: slettede målsætning 1.3 Ekstra",
    ),
    "initiative.created": ("Oprettet i Planlagt", "Ada Admin oprettede «Borgerpanel» i Planlagt"),
    "initiative.updated": ("Ændrede status", "Ada Admin ændrede status på «Borgerpanel»"),
    "initiative.moved": (
        "Flyttet fra Planlagt til Igangsat",
        "Ada Admin flyttede «Borgerpanel» til Igangsat",
    ),
    "initiative.archived": ("Arkiveret", "Ada Admin arkiverede «Borgerpanel»"),
    "initiative.restored": (
        "Gendannet til Igangsat",
        "Ada Admin gendannede «Borgerpanel» til Igangsat",
    ),
    "initiative.redacted": (
        "Persondata fjernet fra status (Navn på en borger)",
        "Ada Admin fjernede persondata fra «Borgerpanel»",
    ),
    "comment.added": ("Skrev en kommentar", "Ada Admin kommenterede «Borgerpanel»"),
    "comment.edited": (
        "Redigerede en kommentar",
        "Ada Admin redigerede en kommentar til «Borgerpanel»",
    ),
    "comment.deleted": (
        "Slettede en kommentar",
        "Ada Admin slettede en kommentar til «Borgerpanel»",
    ),
    "comment.redacted": (
        "Kommentar fjernet af hensyn til persondata (CPR-nummer)",
        "En kommentar til «Borgerpanel» blev fjernet af hensyn til persondata",
    ),
    "round.opened": ("Åbnede statusrunden «Marts»", "Ada Admin: åbnede statusrunden «Marts»"),
    "round.reminded": (
        "Sendte påmindelse om statusrunden «Marts»",
        "Ada Admin: sendte påmindelse om statusrunden «Marts»",
    ),
    "round.item_completed": (
        "Gav status til runden «Marts»",
        "Ada Admin gav status til runden «Marts» for «Borgerpanel»",
    ),
    "round.closed": ("Lukkede statusrunden «Marts»", "Ada Admin: lukkede statusrunden «Marts»"),
    "report.published": (
        "Publicerede rapporten «Til udvalget»",
        "Ada Admin: publicerede rapporten «Til udvalget»",
    ),
    # meetings (board/meetings)
    "initiative.flagged": ("Sat til drøftelse", "Ada Admin satte «Borgerpanel» til drøftelse"),
    "initiative.unflagged": (
        "Ikke længere til drøftelse",
        "Ada Admin fjernede «Borgerpanel» fra drøftelse",
    ),
    "meeting.created": ("Oprettede mødet «Ledermøde»", "Ada Admin: oprettede mødet «Ledermøde»"),
    "meeting.agenda_changed": ("Ændrede dagsordenen", "Ada Admin: ændrede dagsordenen"),
    "meeting.current": ("Punkt 2 på skærmen", "Ada Admin: punkt 2 på skærmen"),
    "meeting.decided": (
        "Besluttet på mødet «Ledermøde» 12. januar 2027: Godkendt",
        "Ada Admin noterede en beslutning om «Borgerpanel»",
    ),
    "meeting.action_added": (
        "Handlingspunkt: Skriv til borgerne (frist 1. februar 2027)",
        "Ada Admin tilføjede et handlingspunkt til «Borgerpanel»",
    ),
    "meeting.action_removed": (
        "Handlingspunkt fjernet: Skriv til borgerne",
        "Ada Admin fjernede et handlingspunkt fra «Borgerpanel»",
    ),
    "meeting.referat_published": (
        "Publicerede referatet af «Ledermøde»",
        "Ada Admin: publicerede referatet af «Ledermøde»",
    ),
}


def test_every_entry_answers_for_the_event_its_domain_function_records(app):
    admin = factories.make_user("admin@example.dk", name="Ada Admin", is_admin=True)
    made, card = _every_kind(admin)
    events = list(
        db.session.scalars(sa.select(Event).where(Event.board_id == made.id).order_by(Event.id))
    )
    firsts: dict[str, Event] = {}
    for event in events:
        firsts.setdefault(event.kind, event)
    assert set(firsts) == set(EVENT_KINDS) == set(TEXTS)
    assert latest_event_id(made.id) == events[-1].id

    now = {"title": card.title, "stage": card.stage}
    for kind, event in firsts.items():
        assert (describe_event(event), announcement(event, "Ada Admin", now)) == TEXTS[kind]
        scope, stages, _ = affected_parts(event, now)
        assert scope in ("card", "column", "board"), kind
        assert (scope == "column") == bool(stages), kind
        assert all(Stage(stage) for stage in stages), kind
        entry = EVENT_KINDS[kind]
        if entry.card_fields is not None:
            assert entry.card_fields(event.payload), kind

    # What a page re-reads.
    assert affected_parts(firsts["initiative.moved"], now) == (
        "column",
        ["planlagt", "igangsat"],
        False,
    )
    assert affected_parts(firsts["initiative.updated"], now) == ("card", [], False)
    theme_change = [
        e
        for e in events
        if e.kind == "initiative.updated" and "objective_id" in e.payload["changes"]
    ][-1]
    assert affected_parts(theme_change, now) == ("column", ["igangsat"], True)
    assert affected_parts(firsts["comment.added"], now) == ("card", [], False)
    assert affected_parts(firsts["theme.reordered"], now) == ("board", [], True)
    # The mover's own announcer.
    assert EVENT_KINDS["initiative.moved"].own(firsts["initiative.moved"].payload, 0) == (
        "«Borgerpanel» flyttet til Igangsat"
    )


def test_an_event_of_a_kind_no_code_records_still_reads(board):
    old = Event(board_id=board.id, kind="membership.changed", payload={})
    assert describe_event(old) == "membership.changed"
    assert announcement(old, None, None) == "Systemet: membership.changed"
    assert affected_parts(old, None) == ("board", [], True)
    assert kind_of("membership.changed").audience is Audience.NONE
