"""The round pages cost the same number of queries at 5 tiltag or 60."""

from __future__ import annotations

import pytest

from board.clock import today_local
from board.extensions import db
from board.query_counter import count_queries
from board.rounds import services
from tests import factories
from tests.conftest import login


@pytest.mark.parametrize(
    "path",
    [
        "/boards/{b}/rounds/{r}",
        "/boards/{b}/rounds/{r}/progress",
        "/mine",
        "/boards/{b}/rounds",
        "/boards/{b}",
    ],
)
def test_round_pages_do_not_grow_with_the_round(client, board, users, path):
    leder = users["leder"]
    for i in range(5):
        factories.make_initiative(board, f"Tiltag {i}", owner_id=users["med"].id if i % 2 else None)
    status_round = services.open_round(board, title="Runde", deadline=today_local(), actor=leder)
    db.session.commit()
    item = status_round.items[0]
    services.complete_item(
        item, status_text="Ok", health="gul", stage=item.initiative.stage, actor=leder
    )
    db.session.commit()
    login(client, leder)
    url = path.format(b=board.id, r=status_round.id)

    def queries():
        # A first load: the board visit's row moves on past new Events
        # (board/notifications/visits.py) once, then every load costs the same.
        client.get(url)
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries()
    services.close_round(status_round, actor=leder)
    db.session.commit()
    for i in range(55):
        factories.make_initiative(board, f"Mere {i}", owner_id=users["med"].id if i % 2 else None)
    bigger = services.open_round(board, title="Runde 2", deadline=today_local(), actor=leder)
    db.session.commit()
    for item in bigger.items[:20]:
        services.complete_item(
            item, status_text="Ok", health="groen", stage=item.initiative.stage, actor=leder
        )
    db.session.commit()
    url = path.format(b=board.id, r=bigger.id)
    assert queries() == few, url
