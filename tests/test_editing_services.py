"""Domain tests for editing, archiving and restoring tiltag (no HTTP)."""

from datetime import date

import pytest
import sqlalchemy as sa

from board.editing.services import (
    archive_initiative,
    create_initiative,
    restore_initiative,
    update_initiative,
)
from board.errors import Refused, StaleVersion
from board.extensions import db
from board.models import Event, Initiative
from tests import factories


def events_of(initiative, kind=None):
    query = sa.select(Event).where(Event.initiative_id == initiative.id).order_by(Event.id)
    if kind:
        query = query.where(Event.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def card(board):
    return factories.make_initiative(board, "Fælles redskab", status_note="Gammel status")


def test_edit_writes_only_changed_fields_bumps_version_and_records_before_after(card, users):
    changes = update_initiative(
        card,
        expected_version=1,
        actor=users["leder"],
        title="Fælles redskab",
        status_note="Ny status",
        due_date=date(2025, 3, 15),
    )
    db.session.commit()
    assert changes == {
        "status_note": ["Gammel status", "Ny status"],
        "due_date": [None, "2025-03-15"],
    }
    assert card.version == 2 and card.status_note == "Ny status"
    (event,) = events_of(card, "initiative.updated")
    assert event.payload == {"changes": changes}
    assert event.actor_id == users["leder"].id
    assert "stage" not in event.payload["changes"]


def test_edit_without_changes_records_nothing(card, users):
    assert update_initiative(card, expected_version=1, actor=users["leder"], title=card.title) == {}
    assert card.version == 1
    assert events_of(card, "initiative.updated") == []


def test_stale_edit_is_refused_and_writes_nothing(card, users):
    update_initiative(card, expected_version=1, actor=users["leder"], status_note="Først")
    db.session.commit()
    with pytest.raises(StaleVersion):
        update_initiative(card, expected_version=1, actor=users["admin"], status_note="Sidst")
    db.session.rollback()
    assert db.session.get(Initiative, card.id).status_note == "Først"
    assert len(events_of(card, "initiative.updated")) == 1


def test_theme_objective_and_related_objectives_change_with_ids_in_the_event(users):
    board = factories.make_board(
        themes=(("A", ("1.1 Et", "1.2 To")), ("B", ("2.1 Tre",))),
    )
    a, b = board.themes
    card = factories.make_initiative(board, theme=a, objective=a.objectives[0])
    changes = update_initiative(
        card,
        expected_version=1,
        actor=users["leder"],
        theme=b,
        objective=b.objectives[0],
        related_objectives=[a.objectives[1], a.objectives[0]],
    )
    assert changes == {
        "theme_id": [a.id, b.id],
        "objective_id": [a.objectives[0].id, b.objectives[0].id],
        "related_objective_ids": [[], sorted([a.objectives[0].id, a.objectives[1].id])],
    }


def test_the_cards_own_objective_is_not_also_a_related_one(users):
    board = factories.make_board(themes=(("A", ("1.1 Et", "1.2 To")),))
    (a,) = board.themes
    one, two = a.objectives
    card = factories.make_initiative(board, theme=a, objective=one)
    changes = update_initiative(
        card, expected_version=1, actor=users["leder"], related_objectives=[one, two]
    )
    assert changes == {"related_objective_ids": [[], [two.id]]}
    # Choosing a related målsætning as the card's own drops it from related.
    changes = update_initiative(card, expected_version=2, actor=users["leder"], objective=two)
    assert changes == {"objective_id": [one.id, two.id], "related_objective_ids": [[two.id], []]}
    assert card.related_objectives == []
    created = create_initiative(theme=a, objective=one, related_objectives=[one, two], title="Ny")
    assert created.related_objectives == [two]


def test_objective_must_belong_to_the_chosen_theme(users):
    board = factories.make_board(themes=(("A", ("1.1 Et",)), ("B", ("2.1 To",))))
    a, b = board.themes
    card = factories.make_initiative(board, theme=a)
    with pytest.raises(Refused):
        update_initiative(
            card, expected_version=1, actor=users["leder"], theme=a, objective=b.objectives[0]
        )


def test_archive_takes_the_card_off_the_column_and_closes_the_gap(board, users):
    first, middle, last = (factories.make_initiative(board, t) for t in ("1", "2", "3"))
    archive_initiative(middle, expected_version=1, actor=users["leder"])
    db.session.commit()
    assert middle.is_archived and middle.version == 2
    assert (first.position, last.position) == (0, 1)
    (event,) = events_of(middle, "initiative.archived")
    assert event.payload == {"title": "2", "stage": "ikke_ivaerksat", "position": 1}


def test_archive_with_an_old_version_is_refused(card, users):
    update_initiative(card, expected_version=1, actor=users["leder"], title="Ny")
    with pytest.raises(StaleVersion):
        archive_initiative(card, expected_version=1, actor=users["leder"])


def test_restore_puts_the_card_back_at_the_bottom_of_its_column(board, users):
    card = factories.make_initiative(board, "Tilbage")
    archive_initiative(card, expected_version=1, actor=users["leder"])
    other = factories.make_initiative(board, "Imens")  # takes position 0
    restore_initiative(card, expected_version=2, actor=users["admin"])
    db.session.commit()
    assert not card.is_archived and card.version == 3
    assert (other.position, card.position) == (0, 1)
    kinds = [e.kind for e in events_of(card)]
    assert kinds == ["initiative.created", "initiative.archived", "initiative.restored"]
    assert events_of(card, "initiative.restored")[0].payload["position"] == 1


def test_archived_card_cannot_be_edited_or_archived_again(card, users):
    archive_initiative(card, expected_version=1, actor=users["leder"])
    with pytest.raises(Refused) as refused:
        update_initiative(card, expected_version=2, actor=users["leder"], title="X")
    assert refused.value.status == 409
    with pytest.raises(Refused):
        archive_initiative(card, expected_version=2, actor=users["leder"])
