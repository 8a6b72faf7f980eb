"""Meetings without HTTP: the agenda a new meeting proposes, editing and
reordering it, the item on the screen, decisions and action points as
Events on the card, and a published referat that later changes leave alone."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from board.errors import Refused
from board.event_kinds import describe_event
from board.extensions import db
from board.meetings import services
from board.meetings.referat import Referat, build_referat, referat_of
from board.models import Event, MeetingItem
from tests import factories
from tests.meetings_helpers import flag, make_meeting
from tests.reports_helpers import edit, move, new_card, on


def _titles(meeting):
    return [item.initiative.title for item in meeting.items]


def _kinds(board):
    return list(
        db.session.scalars(
            sa.select(Event.kind).where(Event.board_id == board.id).order_by(Event.id)
        )
    )


def test_the_agenda_has_flagged_cards_first_then_passed_deadlines(board, users):
    quiet = factories.make_initiative(board, "Stille tiltag")
    late = factories.make_initiative(board, "Forsinket", due_date=date(2027, 1, 1))
    done_late = factories.make_initiative(
        board, "Færdigt", stage="afsluttet", due_date=date(2026, 12, 1)
    )
    raised = factories.make_initiative(board, "MED er bekymret")
    flag(raised, users["med"])

    meeting = make_meeting(board, users["leder"], attendees=[users["leder"], users["med"]])

    assert _titles(meeting) == ["MED er bekymret", "Forsinket"]
    assert meeting.items[0].reason_list == ["flag"]
    assert meeting.items[1].reason_list == ["deadline"]
    assert quiet.id not in [i.initiative_id for i in meeting.items]
    assert done_late.id not in [i.initiative_id for i in meeting.items]
    assert late.id == meeting.items[1].initiative_id
    assert [u.name for u in meeting.attendees] == ["Lone Leder", "Mads Med"]
    assert "meeting.created" in _kinds(board)


def test_cards_changed_since_the_previous_meeting_are_on_the_next_agenda(board, users):
    theme = board.themes[0]
    steady = new_card(theme, "Uændret", when="2027-01-05 09:00")
    moved = new_card(theme, "Flyttet", when="2027-01-05 09:00")
    with on("2027-01-12 15:00"):
        make_meeting(board, users["leder"], day=date(2027, 1, 12))
    move(moved, "igangsat", "2027-01-20 10:00")
    edit(steady, "2027-01-12 20:00", title="Uændret")  # the same day: before the cutoff

    with on("2027-02-09 09:00"):
        second = make_meeting(board, users["leder"], day=date(2027, 2, 9))

    assert second.previous_held_on == date(2027, 1, 12)
    assert _titles(second) == ["Flyttet"]
    assert second.items[0].reason_list == ["changed"]
    referat = build_referat(second)
    assert referat.items[0].changes == ["Flyttet fra Planlagt til Igangsat"]


def test_a_card_is_on_the_agenda_once_with_every_reason(board, users):
    card = factories.make_initiative(board, "Begge dele", due_date=date(2026, 6, 1))
    flag(card, users["med"])
    meeting = make_meeting(board, users["leder"])
    assert [i.reason_list for i in meeting.items] == [["flag", "deadline"]]


def test_flagging_twice_records_one_event_and_unflagging_clears_it(board, users):
    card = factories.make_initiative(board, "Til drøftelse")
    assert services.flag_for_discussion(card, actor=users["med"]) is True
    assert services.flag_for_discussion(card, actor=users["med"]) is False
    db.session.commit()
    assert services.unflag(card, actor=users["leder"]) is True
    db.session.commit()
    assert _kinds(board).count("initiative.flagged") == 1
    assert _kinds(board).count("initiative.unflagged") == 1
    assert make_meeting(board, users["leder"]).items == []


def test_the_leader_adds_removes_and_reorders_items(board, users):
    cards = [factories.make_initiative(board, f"Kort {n}") for n in range(3)]
    for card in cards[:2]:
        flag(card, users["med"])
    meeting = make_meeting(board, users["leder"])
    assert _titles(meeting) == ["Kort 0", "Kort 1"]

    services.add_item(meeting, cards[2], actor=users["leder"])
    db.session.commit()
    assert _titles(meeting) == ["Kort 0", "Kort 1", "Kort 2"]
    assert meeting.items[2].reason_list == ["added"]

    services.move_item(meeting, meeting.items[2], to_position=0, actor=users["leder"])
    db.session.commit()
    db.session.expire_all()
    assert _titles(meeting) == ["Kort 2", "Kort 0", "Kort 1"]
    assert [i.position for i in meeting.items] == [0, 1, 2]

    services.remove_item(meeting, meeting.items[1], actor=users["leder"])
    db.session.commit()
    db.session.expire_all()
    assert _titles(meeting) == ["Kort 2", "Kort 1"]
    assert _kinds(board).count("meeting.agenda_changed") == 3

    with pytest.raises(Refused) as refused:
        services.add_item(meeting, cards[1], actor=users["leder"])
    assert refused.value.status == 409
    db.session.rollback()


def test_the_item_on_the_screen_stays_when_the_agenda_is_reordered(board, users):
    for n in range(3):
        flag(factories.make_initiative(board, f"Kort {n}"), users["med"])
    meeting = make_meeting(board, users["leder"])
    services.show_item(meeting, 1, actor=users["leder"])
    db.session.commit()
    services.move_item(meeting, meeting.items[1], to_position=2, actor=users["leder"])
    db.session.commit()
    db.session.expire_all()
    assert meeting.items[meeting.current_position].initiative.title == "Kort 1"


def test_showing_an_item_is_an_event_and_a_position_past_the_end_is_refused(board, users):
    flag(factories.make_initiative(board, "Eneste"), users["med"])
    meeting = make_meeting(board, users["leder"])
    services.show_item(meeting, 0, actor=users["leder"])  # already shown: nothing recorded
    with pytest.raises(Refused) as refused:
        services.show_item(meeting, 1, actor=users["leder"])
    assert refused.value.status == 400
    db.session.rollback()
    assert "meeting.current" not in _kinds(board)


def test_a_decision_and_an_action_point_are_events_the_card_history_shows(board, users):
    card = factories.make_initiative(board, "Ny takstmodel")
    flag(card, users["med"])
    meeting = make_meeting(board, users["leder"])
    item = meeting.items[0]
    assert services.record_decision(item, text="Vi går videre med model B.", actor=users["leder"])
    services.add_action(
        item,
        text="Beregn model B",
        owner_id=users["med"].id,
        deadline=date(2027, 2, 1),
        actor=users["leder"],
    )
    db.session.commit()
    assert (
        services.record_decision(item, text="Vi går videre med model B.", actor=users["leder"])
        is False
    )

    events = list(
        db.session.scalars(
            sa.select(Event).where(Event.initiative_id == card.id, Event.kind.like("meeting.%"))
        )
    )
    assert [describe_event(e) for e in events] == [
        "Besluttet på mødet «Ledermøde» 12. januar 2027: Vi går videre med model B.",
        "Handlingspunkt: Beregn model B (frist 1. februar 2027)",
    ]


def test_bad_input_is_refused_and_nothing_is_written(board, users):
    leader = users["leder"]
    with pytest.raises(Refused) as refused:
        services.create_meeting(board, title="  ", held_on=date(2027, 1, 12), actor=leader)
    assert (refused.value.status, refused.value.field) == (422, "title")
    db.session.rollback()
    with pytest.raises(Refused) as refused:
        services.create_meeting(
            board, title="Møde", held_on=date(2027, 1, 12), attendee_ids=[users["outsider"].id]
        )
    assert refused.value.message == "Vælg blandt tavlens medlemmer."
    db.session.rollback()
    assert _kinds(board) == []

    flag(factories.make_initiative(board, "Kort"), users["med"])
    meeting = make_meeting(board, leader)
    item = meeting.items[0]
    with pytest.raises(Refused):
        services.record_decision(item, text="x" * (MeetingItem.DECISION_MAX + 1), actor=leader)
    db.session.rollback()
    with pytest.raises(Refused):
        services.add_action(item, text=" ", owner_id=None, deadline=None, actor=leader)
    db.session.rollback()
    with pytest.raises(Refused):
        services.add_action(
            item, text="Gør noget", owner_id=users["outsider"].id, deadline=None, actor=leader
        )
    db.session.rollback()
    db.session.expire_all()
    assert item.decision == "" and item.actions == []
    assert "meeting.decided" not in _kinds(board)


def test_a_published_referat_is_frozen_and_the_meeting_is_read_only(board, users):
    card = factories.make_initiative(board, "Borgerpanel", stage="planlagt")
    flag(card, users["med"])
    meeting = make_meeting(board, users["leder"], attendees=[users["leder"]])
    services.record_decision(meeting.items[0], text="Godkendt.", actor=users["leder"])
    db.session.commit()
    services.publish_referat(meeting, actor=users["leder"])
    db.session.commit()

    move(card, "afsluttet", "2030-01-01 10:00")
    card.title = "Omdøbt bagefter"
    db.session.commit()

    frozen = referat_of(meeting)
    assert frozen.published_at
    assert frozen.items[0].title == "Borgerpanel"
    assert frozen.items[0].stage == "Planlagt"
    assert frozen.items[0].decision == "Godkendt."
    assert frozen.attendees == ["Lone Leder"]
    assert Referat.from_json(frozen.to_json()) == frozen
    with pytest.raises(Refused) as refused:
        services.record_decision(meeting.items[0], text="Ændret", actor=users["leder"])
    assert refused.value.status == 409
    db.session.rollback()
    with pytest.raises(Refused):
        services.publish_referat(meeting, actor=users["leder"])
    db.session.rollback()


def test_cards_rated_red_or_yellow_are_on_the_agenda_red_first(board, users):
    factories.make_initiative(board, "Grøn", health="groen")
    factories.make_initiative(board, "Gul", health="gul")
    factories.make_initiative(board, "Rød", health="roed", owner_id=users["med"].id)
    flag(factories.make_initiative(board, "Flaget"), users["med"])
    meeting = make_meeting(board, users["leder"])
    assert _titles(meeting) == ["Flaget", "Rød", "Gul"]
    assert meeting.items[1].reason_list == ["rating"]
    referat = build_referat(meeting)
    red = referat.items[1]
    assert (red.rating, red.owner) == ("Kritisk / forsinket", "Mads Med")
    assert ("Vurdering på mødet", "Kritisk / forsinket") in red.facts


def test_the_referat_gives_the_vurdering_when_the_item_was_on_the_screen(board, users):
    from board.editing.services import update_initiative

    card = factories.make_initiative(board, "Borgerpanel", health="gul")
    flag(card, users["med"])
    meeting = make_meeting(board, users["leder"])
    update_initiative(card, expected_version=card.version, actor=users["leder"], health="roed")
    db.session.commit()
    assert build_referat(meeting).items[0].rating == "Udfordret"  # as the agenda had it
    services.show_item(meeting, 0, actor=users["leder"])  # on the screen now
    db.session.commit()
    assert build_referat(meeting).items[0].rating == "Kritisk / forsinket"
