"""The domain function behind every move: positions, version, Event, and
nothing written when a move is refused."""

import random

import pytest
import sqlalchemy as sa

from board.boards.queries import BoardFilter
from board.clock import utcnow
from board.errors import Refused, StaleVersion
from board.extensions import db
from board.models import Event, Initiative
from board.moves import services
from board.moves.services import move_initiative
from tests import factories


@pytest.fixture
def leader(users):
    return users["leder"]


@pytest.fixture
def cards(board):
    """Planlagt: A B C; Igangsat: D E (positions 0.. in that order)."""
    made = {}
    for title, stage in [
        ("A", "planlagt"),
        ("B", "planlagt"),
        ("C", "planlagt"),
        ("D", "igangsat"),
        ("E", "igangsat"),
    ]:
        made[title] = factories.make_initiative(board, title, stage=stage)
    return made


def column(board, stage) -> list[str]:
    """Titles of a column in order, after checking its positions are dense."""
    rows = db.session.execute(
        sa.select(Initiative.title, Initiative.position)
        .where(
            Initiative.board_id == board.id,
            Initiative.stage == stage,
            Initiative.archived_at.is_(None),
        )
        .order_by(Initiative.position)
    ).all()
    assert [p for _, p in rows] == list(range(len(rows))), f"{stage} not dense: {rows}"
    return [t for t, _ in rows]


def moved_events(card=None):
    query = sa.select(Event).where(Event.kind == "initiative.moved").order_by(Event.id)
    if card is not None:
        query = query.where(Event.initiative_id == card.id)
    return list(db.session.scalars(query))


def move(card, stage, position, leader, **kw):
    kw.setdefault("version", card.version)
    result = move_initiative(card, stage=stage, position=position, actor=leader, **kw)
    db.session.commit()
    return result


def test_move_to_another_column_renumbers_both_and_records_the_event(board, cards, leader):
    b = cards["B"]
    result = move(b, "igangsat", 1, leader)
    assert column(board, "planlagt") == ["A", "C"]
    assert column(board, "igangsat") == ["D", "B", "E"]
    assert (b.stage, b.position, b.version) == ("igangsat", 1, 2)
    assert result.changed
    [event] = moved_events(b)
    assert event.actor_id == leader.id
    assert event.board_id == board.id
    assert event.payload == {
        "title": "B",
        "from_stage": "planlagt",
        "from_position": 1,
        "to_stage": "igangsat",
        "to_position": 1,
    }


@pytest.mark.parametrize(
    "title, position, expected",
    [
        ("A", 2, ["B", "C", "A"]),  # down to the bottom
        ("A", 1, ["B", "A", "C"]),  # one down
        ("C", 0, ["C", "A", "B"]),  # to the top
        ("C", 1, ["A", "C", "B"]),  # one up
    ],
)
def test_move_within_a_column(board, cards, leader, title, position, expected):
    move(cards[title], "planlagt", position, leader)
    assert column(board, "planlagt") == expected
    assert column(board, "igangsat") == ["D", "E"]
    assert cards[title].version == 2
    [event] = moved_events()
    assert event.payload["from_stage"] == event.payload["to_stage"] == "planlagt"
    assert event.payload["to_position"] == position


def test_move_to_top_and_bottom_of_another_column_and_into_an_empty_one(board, cards, leader):
    move(cards["A"], "igangsat", 0, leader)
    move(cards["B"], "igangsat", 3, leader)
    move(cards["C"], "afsluttet", 0, leader)
    assert column(board, "planlagt") == []
    assert column(board, "igangsat") == ["A", "D", "E", "B"]
    assert column(board, "afsluttet") == ["C"]
    assert len(moved_events()) == 3


def test_a_stale_version_is_refused_and_changes_nothing(board, cards, leader):
    a = cards["A"]
    move(a, "igangsat", 0, leader)  # version 1 -> 2
    with pytest.raises(StaleVersion) as refused:
        move_initiative(a, stage="afsluttet", position=0, version=1, actor=leader)
    db.session.rollback()
    assert refused.value.initiative.version == 2
    assert column(board, "igangsat") == ["A", "D", "E"]
    assert column(board, "afsluttet") == []
    assert len(moved_events()) == 1


def test_a_version_from_the_future_is_refused_too(board, cards, leader):
    with pytest.raises(StaleVersion):
        move_initiative(cards["A"], stage="igangsat", position=0, version=7, actor=leader)


@pytest.mark.parametrize(
    "stage, position, message",
    [
        ("ikke-en-kolonne", 0, "findes ikke"),
        ("", 0, "findes ikke"),
        ("igangsat", -1, "helt tal"),
        ("igangsat", 3, "Placering 4 findes ikke i Igangsat"),  # 2 cards: 0..2 only
        ("igangsat", 10**9, "findes ikke"),
        ("planlagt", 3, "Placering 4 findes ikke i Planlagt"),  # 2 others: 0..2 only
    ],
)
def test_bad_input_is_refused_with_a_danish_message_and_no_change(
    board, cards, leader, stage, position, message
):
    with pytest.raises(Refused) as refused:
        move_initiative(cards["A"], stage=stage, position=position, version=1, actor=leader)
    db.session.rollback()
    assert message in refused.value.message
    assert column(board, "planlagt") == ["A", "B", "C"]
    assert column(board, "igangsat") == ["D", "E"]
    assert cards["A"].version == 1
    assert moved_events() == []


@pytest.mark.parametrize("version", [None, "1", 0, -3, True])
def test_a_missing_or_garbage_version_is_refused(cards, leader, version):
    with pytest.raises(Refused):
        move_initiative(cards["A"], stage="igangsat", position=0, version=version, actor=leader)


def test_an_archived_card_cannot_be_moved(board, cards, leader):
    a = cards["A"]
    a.archived_at = utcnow()
    db.session.commit()
    with pytest.raises(Refused, match="arkiveret"):
        move_initiative(a, stage="igangsat", position=0, version=a.version, actor=leader)


def test_a_failure_after_renumbering_rolls_everything_back(board, cards, leader, monkeypatch):
    def broken_record_event(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record_event", broken_record_event)
    with pytest.raises(RuntimeError):
        move_initiative(cards["A"], stage="igangsat", position=1, version=1, actor=leader)
    db.session.rollback()
    assert column(board, "planlagt") == ["A", "B", "C"]
    assert column(board, "igangsat") == ["D", "E"]
    assert db.session.get(Initiative, cards["A"].id).version == 1
    assert moved_events() == []


def test_moving_a_card_to_where_it_is_changes_nothing(board, cards, leader):
    result = move(cards["B"], "planlagt", 1, leader)
    assert not result.changed
    assert cards["B"].version == 1
    assert moved_events() == []


# --- filtered boards -----------------------------------------------------------


@pytest.fixture
def two_themes(app):
    return factories.make_board(
        themes=(("Tema 1", ("1.1 Et",)), ("Tema 2", ("2.1 To",))),
    )


@pytest.fixture
def mixed(two_themes):
    """Igangsat: v1 h1 v2 h2 v3 (v = theme 1, shown by the filter; h = theme 2,
    hidden). Planlagt: h3 v4 h4."""
    t1, t2 = two_themes.themes
    made = {}
    for title, theme, stage in [
        ("v1", t1, "igangsat"),
        ("h1", t2, "igangsat"),
        ("v2", t1, "igangsat"),
        ("h2", t2, "igangsat"),
        ("v3", t1, "igangsat"),
        ("h3", t2, "planlagt"),
        ("v4", t1, "planlagt"),
        ("h4", t2, "planlagt"),
    ]:
        made[title] = factories.make_initiative(two_themes, title, stage=stage, theme=theme)
    return made


@pytest.fixture
def theme1_filter(two_themes):
    return BoardFilter(theme_id=two_themes.themes[0].id)


@pytest.mark.parametrize(
    "title, position, expected",
    [
        # Seen: v1 v2 v3. "Ned" on v1 (position 1): right after v2.
        ("v1", 1, ["h1", "v2", "v1", "h2", "v3"]),
        # "Op" on v3 (position 1): right after v1, above the hidden h1.
        ("v3", 1, ["v1", "v3", "h1", "v2", "h2"]),
        # To the top of what is seen: the very top of the column.
        ("v2", 0, ["v2", "v1", "h1", "h2", "v3"]),
        # To the bottom of what is seen: right after v3 (the last card here).
        ("v1", 2, ["h1", "v2", "h2", "v3", "v1"]),
    ],
)
def test_filtered_move_within_a_column_places_the_card_after_the_visible_card_above(
    two_themes, mixed, theme1_filter, leader, title, position, expected
):
    move(mixed[title], "igangsat", position, leader, board_filter=theme1_filter)
    assert column(two_themes, "igangsat") == expected
    hidden = [t for t in expected if t.startswith("h")]
    assert hidden == ["h1", "h2"]  # hidden cards keep their order


def test_filtered_move_into_another_column(two_themes, mixed, theme1_filter, leader):
    # Planlagt as seen: v4. Dropped below v4 (position 1): after v4, before h4.
    move(mixed["v2"], "planlagt", 1, leader, board_filter=theme1_filter)
    assert column(two_themes, "planlagt") == ["h3", "v4", "v2", "h4"]
    assert column(two_themes, "igangsat") == ["v1", "h1", "h2", "v3"]
    # Dropped above v4 (position 0): the top of the column, above hidden h3.
    move(mixed["v1"], "planlagt", 0, leader, board_filter=theme1_filter)
    assert column(two_themes, "planlagt") == ["v1", "h3", "v4", "v2", "h4"]


def test_filtered_position_counts_only_visible_cards(two_themes, mixed, theme1_filter, leader):
    # Igangsat shows 2 other cards to the client when v1 is moved: 0..2 only,
    # although the column holds 4 others.
    with pytest.raises(Refused, match="2 andre synlige tiltag"):
        move_initiative(
            mixed["v1"],
            stage="igangsat",
            position=3,
            version=1,
            actor=leader,
            board_filter=theme1_filter,
        )


def test_filtered_by_objective(two_themes, leader):
    t1, t2 = two_themes.themes
    o1 = t1.objectives[0]
    a = factories.make_initiative(two_themes, "a", stage="igangsat", theme=t1, objective=o1)
    factories.make_initiative(two_themes, "b", stage="igangsat", theme=t1)  # hidden
    factories.make_initiative(two_themes, "c", stage="igangsat", theme=t1, objective=o1)
    move(a, "igangsat", 1, leader, board_filter=BoardFilter(theme_id=t1.id, objective_id=o1.id))
    assert column(two_themes, "igangsat") == ["b", "c", "a"]


def test_many_random_moves_keep_every_column_dense_and_match_a_simple_model(board, leader):
    """Against a list model of the board: the unfiltered rule is just
    "remove the card, insert it at position"."""
    rng = random.Random(4)
    stages = ["ikke_ivaerksat", "planlagt", "igangsat", "afsluttet"]
    model = {s: [] for s in stages}
    cards = []
    for i in range(24):
        stage = stages[i % 4]
        cards.append(factories.make_initiative(board, f"k{i}", stage=stage))
        model[stage].append(f"k{i}")
    for _ in range(60):
        card = rng.choice(cards)
        stage = rng.choice(stages)
        model[card.stage].remove(card.title)
        position = rng.randint(0, len(model[stage]))
        model[stage].insert(position, card.title)
        move(card, stage, position, leader)
    for stage in stages:
        assert column(board, stage) == model[stage]
    assert sum(c.version - 1 for c in cards) == len(moved_events())


def test_a_column_with_a_gap_is_renumbered_densely_by_the_next_move(board, cards, leader):
    """Archiving may leave a gap (A B _ D ...); a move through such a column
    takes the slow path and leaves both columns dense again."""
    cards["B"].archived_at = utcnow()  # Planlagt: A(0) C(2)
    db.session.commit()
    move(cards["D"], "planlagt", 1, leader)
    assert column(board, "planlagt") == ["A", "D", "C"]
    assert column(board, "igangsat") == ["E"]
    [event] = moved_events()
    assert event.payload["to_position"] == 1
