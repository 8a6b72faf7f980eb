"""The SSE endpoints: events in order with their ids, replay after
Last-Event-ID, access for members and share links, a revoked link's stream
ending, heartbeats, and no database connection held while streaming."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pytest

from board.clock import today_local, utcnow
from board.events import record_event
from board.extensions import db
from board.models import Comment, Event, Initiative, Membership, ShareLink, User
from board.reports.services import publish_report
from board.tokens import hash_token
from tests import factories
from tests.conftest import login
from tests.live_helpers import open_test_stream, wait_until_connected

FAST = dict(
    LIVE_HEARTBEAT_SECONDS=0.1,
    LIVE_ACCESS_CHECK_SECONDS=0.2,
    LIVE_MAX_STREAM_SECONDS=10,
    LIVE_POLL_SECONDS=0.05,
    LIVE_PG_POLL_SECONDS=0.5,
)


@pytest.fixture
def app(make_app):
    app = make_app(**FAST)
    with app.app_context():
        yield app


@pytest.fixture
def cards(board, users):
    return [factories.make_initiative(board, f"Tiltag {i}") for i in range(3)]


def fake_move(card, to_stage, actor):
    """A stage change with its Event (stands in for the moves domain)."""
    payload = {
        "title": card.title,
        "from_stage": card.stage,
        "from_position": card.position,
        "to_stage": to_stage,
        "to_position": 0,
    }
    card.stage = to_stage
    card.position = 0
    card.version += 1
    event = record_event(
        board_id=card.board_id,
        kind="initiative.moved",
        payload=payload,
        actor=actor,
        initiative_id=card.id,
    )
    db.session.commit()
    return event


def add_comment(card, author):
    comment = Comment(initiative_id=card.id, author_id=author.id, body="Hemmelig tekst")
    db.session.add(comment)
    db.session.flush()
    event = record_event(
        board_id=card.board_id,
        kind="comment.added",
        payload={"comment_id": comment.id},
        actor=author,
        initiative_id=card.id,
    )
    db.session.commit()
    return event


def make_share_link(board, *, show_comments=False, expires_on=None):
    token = secrets.token_urlsafe(16)
    link = ShareLink(
        board_id=board.id,
        token_hash=hash_token(token),
        label="Udvalget",
        show_comments=show_comments,
        expires_on=expires_on,
    )
    db.session.add(link)
    db.session.commit()
    return token, link


@pytest.fixture
def streams():
    """Open streams, closed at the end of the test whatever happens."""
    opened = []

    def _open(client, url, headers=None):
        response, reader = open_test_stream(client, url, headers)
        if reader:
            opened.append(reader)
        return response, reader

    yield _open
    # The test's own session may hold SQLite's write lock (work outside a
    # request begins IMMEDIATE); a closing stream removes its presence row.
    db.session.rollback()
    for reader in opened:
        reader.close()


def test_stream_replays_and_then_follows_events_in_order(as_user, board, users, cards, streams):
    client = as_user("med")
    response, reader = streams(client, f"/boards/{board.id}/events?last_event_id=0")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"

    replayed = reader.wait_for_changes(3)
    assert [m.json["kind"] for m in replayed] == ["initiative.created"] * 3
    assert [int(m.id) for m in replayed] == sorted(int(m.id) for m in replayed)
    assert reader.parser.retry == 2000

    leader = users["leder"]
    new = [fake_move(cards[0], "igangsat", leader), fake_move(cards[1], "afsluttet", leader)]
    new.append(fake_move(cards[0], "afsluttet", leader))
    followed = reader.wait_for_changes(6)[3:]
    assert [int(m.id) for m in followed] == [e.id for e in new]
    last = followed[-1].json
    assert last["text"] == "Lone Leder flyttede «Tiltag 0» til Afsluttet"
    assert last["scope"] == "column"
    assert last["stages"] == ["igangsat", "afsluttet"]
    assert last["card"]["stage"] == "afsluttet"
    assert last["actor_id"] == leader.id


def test_replay_starts_after_last_event_id_header(as_user, board, users, cards, streams):
    leader = users["leder"]
    moves = [fake_move(cards[i], "planlagt", leader) for i in range(3)]
    client = as_user("leder")
    # The header (the browser's own reconnect) wins over the query parameter.
    _, reader = streams(
        client,
        f"/boards/{board.id}/events?last_event_id=0",
        headers={"Last-Event-ID": str(moves[0].id)},
    )
    got = reader.wait_for_changes(2)
    assert [int(m.id) for m in got] == [moves[1].id, moves[2].id]
    # A later event arrives after these, and nothing older or twice in between.
    sentinel = fake_move(cards[0], "igangsat", leader)
    got = reader.wait_for_changes(3)
    assert [int(m.id) for m in got] == [moves[1].id, moves[2].id, sentinel.id]


def test_query_parameter_gives_the_start_when_no_header(as_user, board, users, cards, streams):
    moves = [fake_move(cards[i], "igangsat", users["leder"]) for i in range(2)]
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events?last_event_id={moves[0].id}")
    assert [int(m.id) for m in reader.wait_for_changes(1)] == [moves[1].id]


def test_without_a_start_only_new_events_arrive(as_user, board, users, cards, streams):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    wait_until_connected(reader)
    event = fake_move(cards[2], "afsluttet", users["leder"])
    # The first change is the new one: nothing from before it was replayed.
    assert [int(m.id) for m in reader.wait_for_changes(1)] == [event.id]


def test_a_start_beyond_the_newest_event_does_not_skip_future_events(
    as_user, board, users, cards, streams
):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events?last_event_id=999999")
    event = fake_move(cards[0], "planlagt", users["leder"])
    assert [int(m.id) for m in reader.wait_for_changes(1)] == [event.id]


def test_invalid_last_event_id_is_a_clear_400(as_user, board):
    response = as_user("med").get(f"/boards/{board.id}/events", headers={"Last-Event-ID": "abc"})
    assert response.status_code == 400
    assert "Last-Event-ID" in response.get_data(as_text=True)


def test_events_of_other_boards_and_rolled_back_events_are_not_sent(
    as_user, board, users, cards, streams
):
    other = factories.make_board("Anden tavle")
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    factories.make_initiative(other, "Andet tiltag")
    record_event(board_id=board.id, kind="initiative.updated", payload={"changes": {}})
    db.session.rollback()
    event = fake_move(cards[0], "igangsat", users["leder"])
    assert [int(m.id) for m in reader.wait_for_changes(1)] == [event.id]
    sentinel = fake_move(cards[1], "igangsat", users["leder"])
    assert [int(m.id) for m in reader.wait_for_changes(2)] == [event.id, sentinel.id]


def test_heartbeats_keep_an_idle_stream_alive(as_user, board, streams):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    reader.read_until(lambda ms: reader.parser.comments.count("heartbeat") >= 2, timeout=3)
    assert reader.parser.comments.count("heartbeat") >= 2


def no_connection_checked_out(timeout: float = 10.0) -> bool:
    """The pool reaches zero borrowed connections (the watcher thread borrows
    one for a few milliseconds per poll, so sample rather than look once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.engine.pool.checkedout() == 0:
            return True
        time.sleep(0.005)
    return False


def test_an_open_stream_holds_no_database_connection(app, as_user, board, users, cards, streams):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    wait_until_connected(reader)
    db.session.rollback()  # end the test's own transaction
    assert no_connection_checked_out()
    fake_move(cards[0], "igangsat", users["leder"])
    reader.wait_for_changes(1)
    db.session.rollback()
    assert no_connection_checked_out()


# --- who may listen ---------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, board):
    response = client.get(f"/boards/{board.id}/events")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    htmx = client.get(f"/boards/{board.id}/events", headers={"HX-Request": "true"})
    assert htmx.status_code == 401


def test_non_members_get_404(as_user, board):
    assert as_user("outsider").get(f"/boards/{board.id}/events").status_code == 404
    assert as_user("med").get("/boards/999999/events").status_code == 404


def test_admins_who_are_not_members_may_listen(as_user, board, users, cards, streams):
    response, reader = streams(as_user("admin"), f"/boards/{board.id}/events?last_event_id=0")
    assert response.status_code == 200
    assert len(reader.wait_for_changes(3)) == 3


def test_a_member_removed_from_the_board_is_cut_off(app, as_user, board, users, streams):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    wait_until_connected(reader)
    db.session.delete(db.session.get(Membership, (users["med"].id, board.id)))
    db.session.commit()
    reader.read_until(lambda ms: any(m.event == "closed" for m in ms), timeout=3)
    assert [m.json for m in reader.messages if m.event == "closed"] == [{"reason": "access"}]
    reader.read_until(lambda ms: False, timeout=5)  # returns when the stream ends
    assert reader.ended


def test_a_user_whose_sessions_were_ended_is_cut_off(as_user, board, users, streams):
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    users["med"].session_nonce = "reset"
    db.session.commit()
    reader.read_until(lambda ms: any(m.event == "closed" for m in ms), timeout=3)
    assert any(m.event == "closed" for m in reader.messages)


def test_logging_out_ends_the_streams_that_login_opened(app, as_user, board, users, streams):
    client = as_user("med")
    _, reader = streams(client, f"/boards/{board.id}/events")
    wait_until_connected(reader)
    other_browser = app.test_client()  # the same person, signed in elsewhere
    login(other_browser, users["med"])
    _, other = streams(other_browser, f"/boards/{board.id}/events")
    wait_until_connected(other)
    client.post("/logout")
    reader.read_until(lambda ms: any(m.event == "closed" for m in ms), timeout=3)
    assert [m.json for m in reader.messages if m.event == "closed"] == [{"reason": "access"}]
    # The other login's stream goes on: it is sent the next change.
    card = factories.make_initiative(board, "Efter logud")
    assert [int(m.id) for m in other.wait_for_changes(1)] == [
        db.session.scalar(db.select(db.func.max(Event.id)).where(Event.initiative_id == card.id))
    ]
    assert not any(m.event == "closed" for m in other.messages)


def test_share_link_streams_board_events_without_comments(client, board, users, cards, streams):
    token, _ = make_share_link(board, show_comments=False)
    response, reader = streams(client, f"/s/{token}/events")
    assert response.status_code == 200
    add_comment(cards[0], users["med"])
    move = fake_move(cards[1], "afsluttet", users["leder"])
    # The comment came first: had it been sent, it would be the first change.
    got = reader.wait_for_changes(1)
    assert [int(m.id) for m in got] == [move.id]
    assert got[0].json["text"] == "Lone Leder flyttede «Tiltag 1» til Afsluttet"


def test_share_link_that_shows_comments_gets_comment_events(client, board, users, cards, streams):
    token, _ = make_share_link(board, show_comments=True)
    _, reader = streams(client, f"/s/{token}/events")
    comment = add_comment(cards[0], users["med"])
    got = reader.wait_for_changes(1)
    assert got[0].json["kind"] == "comment.added"
    assert int(got[0].id) == comment.id
    assert "Hemmelig" not in got[0].data  # comment text never travels in events


def test_revoked_and_expired_links_get_404(client, board):
    revoked, link = make_share_link(board)
    link.revoked_at = utcnow()
    expired, _ = make_share_link(board, expires_on=today_local() - timedelta(days=1))
    db.session.commit()
    assert client.get(f"/s/{revoked}/events").status_code == 404
    assert client.get(f"/s/{expired}/events").status_code == 404
    assert client.get("/s/not-a-token/events").status_code == 404


def test_a_revoked_links_stream_ends_at_the_next_check(client, board, users, cards, streams):
    token, link = make_share_link(board)
    _, reader = streams(client, f"/s/{token}/events")
    wait_until_connected(reader)
    link.revoked_at = utcnow()
    db.session.commit()
    reader.read_until(lambda ms: any(m.event == "closed" for m in ms), timeout=3)
    assert [m.event for m in reader.messages if m.event != "presence"] == ["closed"]
    reader.read_until(lambda ms: False, timeout=5)  # returns when the stream ends
    assert reader.ended
    # ... and it cannot come back.
    assert client.get(f"/s/{token}/events").status_code == 404


def test_a_link_changed_to_hide_comments_ends_its_stream(client, board, streams):
    token, link = make_share_link(board, show_comments=True)
    _, reader = streams(client, f"/s/{token}/events")
    link.show_comments = False
    db.session.commit()
    reader.read_until(lambda ms: any(m.event == "closed" for m in ms), timeout=3)
    assert any(m.event == "closed" for m in reader.messages)


def test_a_share_link_of_another_board_sees_nothing_of_this_one(
    client, board, users, cards, streams
):
    other = factories.make_board("Anden tavle")
    token, _ = make_share_link(other)
    _, reader = streams(client, f"/s/{token}/events?last_event_id=0")
    fake_move(cards[0], "igangsat", users["leder"])
    # Changes on the link's own board come after it: only those arrive.
    theirs = factories.make_initiative(other, "Deres tiltag")
    fake_move(theirs, "planlagt", users["leder"])
    own = db.session.scalars(
        db.select(Event.id).where(Event.board_id == other.id).order_by(Event.id)
    ).all()
    assert [int(m.id) for m in reader.wait_for_changes(len(own))] == own


# --- across processes ---------------------------------------------------------


def test_a_change_committed_by_another_process_reaches_the_stream(
    make_app, as_user, board, users, cards, streams
):
    """A second app on the same database stands in for another server process:
    it shares no memory with the first, so the change can only arrive through
    the database (the watcher's poll on SQLite, LISTEN/NOTIFY on PostgreSQL)."""
    _, reader = streams(as_user("med"), f"/boards/{board.id}/events")
    reader.read_until(lambda ms: False, timeout=0.2)
    card_id, leader_id = cards[0].id, users["leder"].id
    db.session.rollback()  # this "process" must not hold SQLite's write lock
    other_process = make_app(**FAST)
    with other_process.app_context():
        card = db.session.get(Initiative, card_id)
        event_id = fake_move(card, "afsluttet", db.session.get(User, leader_id)).id
    assert [int(m.id) for m in reader.wait_for_changes(1, timeout=5)] == [event_id]


def test_events_that_are_not_the_board_pages_business_are_not_streamed(
    as_user, board, users, cards, streams
):
    """A published report changes nothing on the board; an Event of a kind no
    code records any more (rows outlive code) is not streamed either."""
    _, reader = streams(as_user("leder"), f"/boards/{board.id}/events")
    publish_report(board, title="Til udvalget", day=today_local(), actor=users["leder"])
    db.session.add(Event(board_id=board.id, kind="membership.changed", payload={}))
    db.session.commit()
    move = fake_move(cards[0], "planlagt", users["leder"])
    assert [int(m.id) for m in reader.wait_for_changes(1)] == [move.id]
    reader.read_until(lambda ms: False, timeout=0.3)
    assert len(reader.changes()) == 1


def test_streams_at_different_places_each_get_every_event_once_in_order(
    as_user, board, users, cards, streams, monkeypatch
):
    from board.live import feed

    monkeypatch.setattr(feed, "KEEP", 2)  # so that a reconnect falls before the kept ones
    leader = users["leder"]
    first = fake_move(cards[0], "planlagt", leader)
    _, now = streams(as_user("med"), f"/boards/{board.id}/events")
    _, replay = streams(as_user("leder"), f"/boards/{board.id}/events?last_event_id=0")
    wait_until_connected(now)
    created = [int(m.id) for m in replay.wait_for_changes(4)]
    moves = [
        fake_move(cards[i % 3], "igangsat" if i < 3 else "afsluttet", leader) for i in range(5)
    ]
    assert [int(m.id) for m in now.wait_for_changes(5)] == [e.id for e in moves]
    assert [int(m.id) for m in replay.wait_for_changes(9)] == created + [e.id for e in moves]
    assert created[-1] == first.id
    # A reconnect from before the kept messages gets them all from the table.
    _, late = streams(
        as_user("med"), f"/boards/{board.id}/events", headers={"Last-Event-ID": str(first.id)}
    )
    assert [int(m.id) for m in late.wait_for_changes(5)] == [e.id for e in moves]
