"""Moves of one board at the same time, through HTTP on threads (the lock
taken late, the writers' queue on SQLite, the advisory lock on
PostgreSQL): none lost, none applied twice, columns dense, versions right."""

from __future__ import annotations

import collections
import random
import threading

import sqlalchemy as sa

from board.extensions import db
from board.models import Event, Initiative, Role, Stage
from tests import factories
from tests.conftest import login

CLIENTS = 6
MOVES_EACH = 12


def test_concurrent_moves_lose_nothing_and_keep_the_columns_dense(app, board):
    stages = [stage.value for stage in Stage]
    cards = [factories.make_initiative(board, f"Kort {i}", stage=stages[i % 4]) for i in range(24)]
    leaders = [
        factories.make_user(f"leder{i}@example.dk", board=board, role=Role.LEDER)
        for i in range(CLIENTS)
    ]
    clients = []
    for leader in leaders:
        client = app.test_client()
        login(client, leader)
        clients.append(client)
    known = {card.id: [card.stage, card.version] for card in cards}
    board_id = board.id
    start = threading.Barrier(CLIENTS)
    answers, errors = collections.Counter(), []

    def mover(n: int) -> None:
        rng = random.Random(n)
        own = [card_id for i, card_id in enumerate(known) if i % CLIENTS == n]
        try:
            with app.app_context():
                start.wait()
                for _ in range(MOVES_EACH):
                    card_id = rng.choice(own)
                    stage, version = known[card_id]
                    target = rng.choice([s for s in stages if s != stage])
                    response = clients[n].post(
                        f"/boards/{board_id}/initiatives/{card_id}/move",
                        data={"stage": target, "position": "0", "version": str(version)},
                        headers={"HX-Request": "true"},
                    )
                    answers[response.status_code] += 1
                    if response.status_code == 200:
                        known[card_id] = [target, version + 1]
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=mover, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert answers == {200: CLIENTS * MOVES_EACH}
    db.session.rollback()
    events = db.session.scalars(
        sa.select(Event).where(Event.board_id == board_id, Event.kind == "initiative.moved")
    ).all()
    assert len(events) == CLIENTS * MOVES_EACH
    rows = db.session.execute(
        sa.select(Initiative.id, Initiative.stage, Initiative.position, Initiative.version).where(
            Initiative.board_id == board_id
        )
    ).all()
    moves = collections.Counter(event.initiative_id for event in events)
    columns = collections.defaultdict(list)
    for row in rows:
        assert [row.stage, row.version] == known[row.id]
        assert row.version - 1 == moves[row.id]
        columns[row.stage].append(row.position)
    for positions in columns.values():
        assert sorted(positions) == list(range(len(positions)))
