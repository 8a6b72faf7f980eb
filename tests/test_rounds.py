"""Status rounds: the domain functions (open, complete, remind, close) and
their refusals, without HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from board.clock import today_local
from board.editing.services import update_initiative
from board.errors import Refused
from board.extensions import db
from board.models import Event, Initiative, PublishedReport, RoundItem, StatusRound
from board.reports.services import frozen_report
from board.rounds import services
from tests import factories


def soon(days: int = 14) -> date:
    return today_local() + timedelta(days=days)


@pytest.fixture
def cards(app, board, users):
    owned = factories.make_initiative(
        board, "Borgerpanel", status_note="Godt i gang", owner_id=users["med"].id
    )
    free = factories.make_initiative(board, "Samtaleguide", stage="igangsat")
    return owned, free


def kinds(board) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Event.kind).where(Event.board_id == board.id).order_by(Event.id)
        )
    )


def open_round(board, users, **kwargs) -> StatusRound:
    status_round = services.open_round(
        board,
        title=kwargs.pop("title", "Status til Områdeudvalget, marts 2027"),
        deadline=kwargs.pop("deadline", soon()),
        actor=users["leder"],
        **kwargs,
    )
    db.session.commit()
    return status_round


def item_of(status_round, card) -> RoundItem:
    return next(i for i in status_round.items if i.initiative_id == card.id)


def test_opening_asks_every_live_tiltag_and_starts_from_the_cards_text(board, users, cards):
    owned, free = cards
    archived = factories.make_initiative(board, "Gammelt")
    from board.editing.services import archive_initiative

    archive_initiative(archived, expected_version=1, actor=None)
    db.session.commit()
    status_round = open_round(board, users, status_date=date(2027, 3, 1))
    assert {i.initiative_id for i in status_round.items} == {owned.id, free.id}
    assert item_of(status_round, owned).status_text == "Godt i gang"
    assert status_round.status_date == date(2027, 3, 1)
    assert kinds(board)[-1] == "round.opened"
    progress = services.round_progress(status_round)
    assert progress.text == "0 af 2 opdateret"
    asked = {m.item.initiative_id: [u.name for u in m.asked] for m in progress.missing}
    # The owner for their tiltag; the leaders where there is no owner.
    assert asked == {owned.id: ["Mads Med"], free.id: ["Lone Leder"]}


def test_a_round_for_chosen_tiltag_only(board, users, cards):
    owned, free = cards
    status_round = open_round(board, users, initiative_ids=[free.id])
    assert [i.initiative_id for i in status_round.items] == [free.id]


@pytest.mark.parametrize(
    "kwargs, field, status",
    [
        ({"title": "  "}, "title", 422),
        ({"title": "x" * 301}, "title", 422),
        ({"deadline": date(2020, 1, 1)}, "deadline", 422),
        ({"initiative_ids": []}, "initiatives", 422),
        ({"initiative_ids": [999999]}, "initiatives", 422),
    ],
)
def test_bad_input_opens_nothing(board, users, cards, kwargs, field, status):
    before = kinds(board)
    with pytest.raises(Refused) as refused:
        services.open_round(
            board,
            title=kwargs.pop("title", "Runde"),
            deadline=kwargs.pop("deadline", soon()),
            actor=users["leder"],
            **kwargs,
        )
    assert (refused.value.status, refused.value.field) == (status, field)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusRound)) == 0
    assert kinds(board) == before


def test_one_open_round_per_board(board, users, cards):
    open_round(board, users)
    with pytest.raises(Refused) as refused:
        services.open_round(board, title="Endnu en", deadline=soon(), actor=users["leder"])
    assert refused.value.status == 409


def test_the_owner_completes_their_part_and_the_card_follows(board, users, cards):
    owned, _ = cards
    status_round = open_round(board, users)
    item = item_of(status_round, owned)
    services.complete_item(
        item,
        status_text="Panelet har mødtes to gange",
        health="gul",
        stage="igangsat",
        actor=users["med"],
    )
    db.session.commit()
    db.session.expire_all()
    card = db.session.get(Initiative, owned.id)
    assert (card.status_note, card.health, card.stage) == (
        "Panelet har mødtes to gange",
        "gul",
        "igangsat",
    )
    item = db.session.get(RoundItem, item.id)
    assert item.is_done and item.completed_by_id == users["med"].id
    assert kinds(board)[-3:] == ["initiative.updated", "initiative.moved", "round.item_completed"]
    assert services.round_progress(status_round).text == "1 af 2 opdateret"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"status_text": "   "}, "status_text"),
        ({"status_text": "x" * 10_001}, "status_text"),
        ({"health": ""}, "health"),
        ({"health": "lilla"}, "health"),
        ({"stage": "doing"}, "stage"),
    ],
)
def test_a_bad_answer_changes_nothing(board, users, cards, values, field):
    owned, _ = cards
    status_round = open_round(board, users)
    item = item_of(status_round, owned)
    before = kinds(board)
    answer = {"status_text": "Fint", "health": "groen", "stage": "planlagt"} | values
    with pytest.raises(Refused) as refused:
        services.complete_item(item, actor=users["med"], **answer)
    assert (refused.value.status, refused.value.field) == (422, field)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Initiative, owned.id).status_note == "Godt i gang"
    assert not db.session.get(RoundItem, item.id).is_done
    assert kinds(board) == before


def test_only_the_owner_or_a_leader_may_answer(board, users, cards):
    owned, free = cards
    status_round = open_round(board, users)
    # Mads (med) owns «Borgerpanel», not «Samtaleguide».
    with pytest.raises(Refused) as refused:
        services.complete_item(
            item_of(status_round, free),
            status_text="Nej",
            health="groen",
            stage="igangsat",
            actor=users["med"],
        )
    assert refused.value.status == 403
    db.session.rollback()
    for who in ("leder", "admin"):
        services.complete_item(
            item_of(status_round, free),
            status_text=f"Af {who}",
            health="groen",
            stage="igangsat",
            actor=users[who],
        )
        db.session.commit()


def test_a_closed_round_takes_no_answers_and_closes_once(board, users, cards):
    owned, _ = cards
    status_round = open_round(board, users)
    services.close_round(status_round, actor=users["leder"])
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.complete_item(
            item_of(status_round, owned),
            status_text="For sent",
            health="groen",
            stage="planlagt",
            actor=users["med"],
        )
    assert refused.value.status == 409
    db.session.rollback()
    with pytest.raises(Refused) as refused:
        services.close_round(status_round, actor=users["leder"])
    assert refused.value.status == 409


def test_closing_publishes_a_frozen_report_of_the_round(board, users, cards):
    owned, free = cards
    status_round = open_round(board, users)
    services.complete_item(
        item_of(status_round, owned),
        status_text="Runde-tekst",
        health="roed",
        stage="planlagt",
        actor=users["med"],
    )
    db.session.commit()
    published = services.close_round(status_round, actor=users["leder"])
    db.session.commit()
    assert status_round.report_id == published.id and not status_round.is_open
    assert kinds(board)[-2:] == ["report.published", "round.closed"]
    # Later changes to the card do not change the published report.
    card = db.session.get(Initiative, owned.id)
    update_initiative(card, expected_version=card.version, actor=None, status_note="Senere")
    db.session.commit()
    report = frozen_report(db.session.get(PublishedReport, published.id))
    rows = {r.title: r for _, _, r in report.flat_rows() if r}
    assert (rows["Borgerpanel"].status_note, rows["Borgerpanel"].health) == ("Runde-tekst", "roed")
    assert rows["Samtaleguide"].status_note == "Ikke opdateret i statusrunden."
    assert report.as_of == status_round.status_date


def test_the_next_round_starts_from_the_previous_rounds_text(board, users, cards):
    owned, _ = cards
    first = open_round(board, users, title="Marts")
    services.complete_item(
        item_of(first, owned),
        status_text="Marts-tekst",
        health="groen",
        stage="planlagt",
        actor=users["med"],
    )
    db.session.commit()
    services.close_round(first, actor=users["leder"])
    db.session.commit()
    card = db.session.get(Initiative, owned.id)
    update_initiative(card, expected_version=card.version, actor=None, status_note="Ændret siden")
    db.session.commit()
    second = open_round(board, users, title="September")
    assert item_of(second, owned).status_text == "Marts-tekst"


def test_reminders_go_to_those_missing(board, users, cards):
    owned, free = cards
    status_round = open_round(board, users)
    recipients = services.reminder_recipients(services.round_progress(status_round))
    assert sorted(u.name for u, _ in recipients.values()) == ["Lone Leder", "Mads Med"]
    assert services.remind_now(status_round, actor=users["leder"]) == 2
    db.session.commit()
    assert kinds(board)[-1] == "round.reminded"
    for card in cards:
        services.complete_item(
            item_of(status_round, card),
            status_text="Ok",
            health="groen",
            stage=card.stage,
            actor=users["leder"],
        )
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.remind_now(status_round, actor=users["leder"])
    assert refused.value.status == 409


def test_an_owner_without_a_role_hands_the_tiltag_to_the_leaders(board, users, cards):
    from board.models import Membership

    owned, _ = cards
    db.session.execute(sa.delete(Membership).where(Membership.user_id == users["med"].id))
    db.session.commit()
    status_round = open_round(board, users)
    asked = {
        m.item.initiative_id: [u.name for u in m.asked]
        for m in services.round_progress(status_round).missing
    }
    assert asked[owned.id] == ["Lone Leder"]


def test_removing_personal_data_blanks_the_round_text_too(board, users, cards):
    from board.privacy.services import redact_initiative_value

    owned, _ = cards
    status_round = open_round(board, users)
    item = item_of(status_round, owned)
    services.complete_item(
        item, status_text="Jens Hansen er syg", health="gul", stage="planlagt", actor=users["med"]
    )
    db.session.commit()
    services.close_round(status_round, actor=users["leder"])
    db.session.commit()
    card = db.session.get(Initiative, owned.id)
    redact_initiative_value(
        card,
        field="status_note",
        value="Jens Hansen er syg",
        reason="Helbred",
        actor=users["admin"],
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(RoundItem, item.id).status_text == ""
    report = frozen_report(db.session.get(PublishedReport, status_round.report_id))
    assert all(r.status_note != "Jens Hansen er syg" for _, _, r in report.flat_rows() if r)
