"""The notification pages over HTTP: the header entry and its count, the
list, marking read, settings, following, the mention choices, the calendar
feeds and one-click unsubscribe; and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from board.comments.services import add_comment
from board.editing.services import update_initiative
from board.extensions import db
from board.notifications import settings
from board.notifications.following import set_following
from board.notifications.models import NotificationSetting
from tests import factories
from tests.conftest import login
from tests.html import attr, count, form_fields, text_of, texts
from tests.notify_helpers import notes_of, notify_world


@pytest.fixture
def world(app):
    return notify_world()


def test_header_entry_shows_the_unread_count_as_text(client, world):
    add_comment(world.card, actor=world.med, body="@Lone Leder", mentions=[world.leder.id])
    add_comment(world.card, actor=world.med, body="@Lone Leder igen", mentions=[world.leder.id])
    db.session.commit()
    login(client, world.leder)
    page = client.get(f"/boards/{world.board.id}")
    assert attr(page, "#notifications-entry", "aria-label") == "2 ulæste notifikationer"
    assert text_of(page, "#notifications-entry .unread-badge") == "2"
    fragment = client.get("/notifications/count")
    assert fragment.status_code == 200
    assert attr(fragment, "#notifications-entry", "aria-label") == "2 ulæste notifikationer"


def test_list_links_to_card_and_comment_and_marks_read(client, world):
    made = add_comment(
        world.card, actor=world.med, body="Se @Lone Leder", mentions=[world.leder.id]
    )
    db.session.commit()
    login(client, world.leder)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert texts(page, ".notification-text a") == [
        "Mads Med nævnte dig i en kommentar på «Ny takstmodel for STU»"
    ]
    assert text_of(page, ".notification-excerpt") == "Se @Lone Leder"
    note_id = notes_of(world.leder)[0].id
    opened = client.get(attr(page, ".notification-text a", "href"))
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(
        f"/boards/{world.board.id}/initiatives/{world.card.id}#comment-{made.id}"
    )
    db.session.expire_all()
    assert notes_of(world.leder)[0].read_at is not None
    assert client.get("/notifications/count").get_data(as_text=True).count("unread-badge") == 0
    # Someone else's notification is a 404.
    login(client, world.med2)
    assert client.get(f"/notifications/{note_id}").status_code == 404
    assert client.post(f"/notifications/{note_id}/read").status_code == 404


def test_mark_all_read(client, world):
    for i in range(3):
        add_comment(world.card, actor=world.med, body=f"@Lone Leder {i}", mentions=[world.leder.id])
    db.session.commit()
    login(client, world.leder)
    answer = client.post("/notifications/read", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert count(answer, ".notification.is-unread") == 0
    assert attr(answer, "#notifications-entry", "hx-swap-oob") == "outerHTML"
    assert attr(answer, "#notifications-entry", "aria-label") == "Notifikationer, ingen ulæste"


def test_settings_page_saves_choices_and_refuses_a_tampered_one(client, world):
    login(client, world.med)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    fields = form_fields(page, "form.notification-settings")
    assert fields["comment"] == "daily"  # a MED member's default
    fields["comment"] = "instant"
    assert client.post("/account/notifications", data=fields).status_code == 302
    assert db.session.get(NotificationSetting, (world.med.id, "comment")).delivery == "instant"
    fields["comment"] = "carrier-pigeon"
    bad = client.post("/account/notifications", data=fields)
    assert bad.status_code == 422
    assert "field-error" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(NotificationSetting, (world.med.id, "comment")).delivery == "instant"


def test_follow_and_unfollow_a_card(client, world):
    login(client, world.med2)
    url = f"/boards/{world.board.id}/initiatives/{world.card.id}/follow"
    card = client.get(f"/boards/{world.board.id}/initiatives/{world.card.id}")
    assert text_of(card, ".follow-form button") == "Følg tiltaget"
    assert attr(card, ".follow-form button", "aria-pressed") == "false"
    answer = client.post(url, data={"follow": "1"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert attr(answer, ".follow-form button", "aria-pressed") == "true"
    add_comment(world.card, actor=world.med, body="Hej")
    db.session.commit()
    assert [n.category for n in notes_of(world.med2)] == ["comment"]
    client.post(url, data={"follow": "0"})
    add_comment(world.card, actor=world.med, body="Hej igen")
    db.session.commit()
    assert len(notes_of(world.med2)) == 1
    assert client.post(url, data={"follow": "maybe"}).status_code == 400


def test_mention_choices_are_the_boards_active_members(client, world):
    login(client, world.med)
    people = client.get(f"/boards/{world.board.id}/mentions").get_json()
    assert [p["name"] for p in people] == ["Lone Leder", "Mette Med"]
    login(client, world.outsider)
    assert client.get(f"/boards/{world.board.id}/mentions").status_code == 404


def test_comment_mentioning_an_outsider_is_a_danish_422_and_saves_nothing(client, world):
    login(client, world.med)
    url = f"/boards/{world.board.id}/initiatives/{world.card.id}/comments"
    answer = client.post(
        url,
        data={"body": "Hej @Ulla Udenfor", "mention": str(world.outsider.id)},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 422
    assert "kun personer med adgang til tavlen kan nævnes" in text_of(answer, ".field-error")
    assert notes_of(world.outsider) == []
    assert client.post(url, data={"body": "Hej", "mention": "abc"}).status_code == 400
    ok = client.post(
        url,
        data={"body": "Hej @Lone Leder", "mention": str(world.leder.id)},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200
    assert text_of(ok, ".comment-body .mention") == "@Lone Leder"
    assert [n.category for n in notes_of(world.leder)] == ["mention"]


def _feed_url(answer) -> str:
    return attr(answer, "#new-feed-url", "value")


def test_calendar_feed_parses_keeps_the_uid_and_dies_when_renewed(client, world):
    set_following(world.card, world.med, True)
    deadline = date.today() + timedelta(days=30)
    update_initiative(
        world.card, expected_version=world.card.version, actor=world.leder, due_date=deadline
    )
    db.session.commit()
    login(client, world.med)
    answer = client.post("/account/notifications/calendar")
    assert answer.status_code == 200
    url = _feed_url(answer)
    path = url.split("tavle.test", 1)[-1]
    feed = client.get(path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Frist: Ny takstmodel for STU"]
    assert events[0].decoded("dtstart") == deadline
    uid = str(events[0]["uid"])
    update_initiative(
        world.card,
        expected_version=world.card.version,
        actor=world.leder,
        due_date=deadline + timedelta(days=7),
    )
    db.session.commit()
    moved = Calendar.from_ical(client.get(path).data).walk("VEVENT")
    assert [str(e["uid"]) for e in moved] == [uid]
    assert moved[0].decoded("dtstart") == deadline + timedelta(days=7)
    renewed = _feed_url(client.post("/account/notifications/calendar"))
    assert renewed != url
    assert client.get(path).status_code == 404
    assert client.get(renewed.split("tavle.test", 1)[-1]).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_board_feed_is_for_its_leaders_and_ends_with_the_role(client, world):
    from board.admin.services import set_board_role

    update_initiative(
        world.card,
        expected_version=world.card.version,
        actor=world.leder,
        due_date=date.today() + timedelta(days=3),
    )
    db.session.commit()
    login(client, world.med)
    assert client.post(f"/boards/{world.board.id}/calendar").status_code == 403
    login(client, world.leder)
    path = _feed_url(client.post(f"/boards/{world.board.id}/calendar")).split("tavle.test", 1)[-1]
    assert len(Calendar.from_ical(client.get(path).data).walk("VEVENT")) == 1
    set_board_role(world.leder, world.board, "med")
    db.session.commit()
    assert client.get(path).status_code == 404


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    with csrf_app.test_request_context():
        key = settings.unsubscribe_key(world.med.id, "comment")
    page = client.get(f"/unsubscribe/{key}")
    assert page.status_code == 200
    assert (
        db.session.get(NotificationSetting, (world.med.id, "comment")) is None
    )  # GET changes nothing
    done = client.post(f"/unsubscribe/{key}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Du får ikke længere e-mails" in done.get_data(as_text=True)
    db.session.rollback()  # the test's own session still reads its snapshot
    assert db.session.get(NotificationSetting, (world.med.id, "comment")).delivery == "app"
    assert client.post("/unsubscribe/garbage", data={}).status_code == 404


def test_a_deactivated_users_feed_is_gone(client, world):
    from board.auth.accounts import deactivate_user

    login(client, world.med)
    path = _feed_url(client.post("/account/notifications/calendar")).split("tavle.test", 1)[-1]
    assert client.get(path).status_code == 200
    deactivate_user(world.med)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_card_marker_needs_a_previous_visit_and_others_changes(client, world):
    from board.clock import utcnow
    from board.notifications.models import BoardVisit

    login(client, world.med)
    board_url = f"/boards/{world.board.id}"
    assert count(client.get(board_url), ".card-changed") == 0  # the first visit
    add_comment(world.card, actor=world.med, body="Min egen")
    db.session.commit()
    visit = db.session.get(BoardVisit, (world.med.id, world.board.id))
    visit.seen_at = utcnow() - timedelta(hours=2)  # a new visit
    db.session.commit()
    assert count(client.get(board_url), ".card-changed") == 0  # only my own change
    add_comment(world.card, actor=world.leder, body="Lederens")
    visit = db.session.get(BoardVisit, (world.med.id, world.board.id))
    visit.seen_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    page = client.get(board_url)
    assert texts(page, f"#card-{world.card.id} .card-changed") == ["Ændret siden dit sidste besøg"]
    # Within the same visit the marker stays (a reload, a filter click).
    assert count(client.get(board_url), ".card-changed") == 1


def test_the_marker_stays_when_the_card_is_drawn_again(client, world):
    """Every answer that draws the card draws its marker: a live refresh of
    it, the answer to the leader's own move of it, and the columns after a
    move that met a newer version."""
    login(client, world.leder)
    board_url = f"/boards/{world.board.id}"
    marker = f"#card-{world.card.id} .card-changed"
    client.get(board_url)  # the first visit
    add_comment(world.card, actor=world.med, body="Medarbejderens")
    db.session.commit()
    assert count(client.get(board_url), marker) == 1
    assert count(client.get(f"{board_url}/live/parts?card={world.card.id}"), marker) == 1
    move_url = f"{board_url}/initiatives/{world.card.id}/move"
    moved = client.post(
        move_url, data={"stage": "igangsat", "position": "0", "version": world.card.version}
    )
    assert moved.status_code == 200
    assert count(moved, marker) == 1
    stale = client.post(
        move_url,
        data={"stage": "afsluttet", "position": "0", "version": 1, "from_stage": "planlagt"},
    )
    assert stale.status_code == 409
    assert count(stale, marker) == 1
    # Only the leader's own change since: the marker is still the med's comment.
    assert count(client.get(board_url), marker) == 1


def test_bad_input_to_the_notification_routes_is_a_danish_4xx(client, world):
    login(client, world.med)
    url = f"/boards/{world.board.id}/initiatives/{world.card.id}/comments"
    for raw in ("9999999999", "-1", "", "1.5"):
        assert client.post(url, data={"body": "Hej", "mention": raw}).status_code == 400
    unknown = client.post(
        url, data={"body": "Hej @Nogen", "mention": "424242"}, headers={"HX-Request": "true"}
    )
    assert unknown.status_code == 422
    assert "en ukendt bruger" in unknown.get_data(as_text=True)
    too_many = " ".join(f"@[user:{i}]" for i in range(1, 30))
    assert (
        client.post(url, data={"body": too_many}, headers={"HX-Request": "true"}).status_code == 422
    )
    assert client.get("/notifications/2147483648").status_code == 404
    assert client.post("/notifications/1/read", data={}).status_code == 404
    assert client.get("/unsubscribe/%00").status_code in (400, 404)
    assert client.get("/calendar/%00.ics").status_code in (400, 404)
    assert client.post(f"/boards/{world.board.id}/initiatives/999999/follow").status_code == 404


def test_weekly_digests_are_due_seven_days_apart():
    from datetime import UTC, datetime

    from board.digests.services import is_due
    from board.notifications.models import DigestRun

    sent = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    run = DigestRun(sent_at=sent)
    assert not is_due(run, "weekly", sent + timedelta(days=6))
    assert is_due(run, "weekly", sent + timedelta(days=7))
    assert not is_due(run, "daily", sent + timedelta(hours=10))  # the same Copenhagen day
    assert is_due(run, "daily", sent + timedelta(hours=18))  # the next one
    assert is_due(None, "weekly", sent)


def test_the_owners_calendar_holds_the_tiltag_they_own(client, world):
    owned = factories.make_initiative(
        world.board,
        "Ejet tiltag",
        owner_id=world.leder.id,
        due_date=date.today() + timedelta(days=9),
    )
    login(client, world.leder)
    path = _feed_url(client.post("/account/notifications/calendar")).split("tavle.test", 1)[-1]
    events = Calendar.from_ical(client.get(path).data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [f"Frist: {owned.title}"]
    set_following(owned, world.leder, False)  # "Følg ikke" takes it out
    db.session.commit()
    assert Calendar.from_ical(client.get(path).data).walk("VEVENT") == []


def test_the_calendar_holds_open_status_rounds_deadlines(client, world):
    from board.rounds import services as rounds

    factories.make_initiative(world.board, "Ejet af Mads", owner_id=world.med.id)
    deadline = date.today() + timedelta(days=14)
    status_round = rounds.open_round(
        world.board, title="Status til udvalget", deadline=deadline, actor=world.leder
    )
    db.session.commit()
    feeds = {}
    for user in (world.leder, world.med, world.med2):  # leads; owns a tiltag; neither
        login(client, user)
        url = _feed_url(client.post("/account/notifications/calendar"))
        feeds[user.id] = url.split("tavle.test", 1)[-1]

    def rounds_in(user):
        events = Calendar.from_ical(client.get(feeds[user.id]).data).walk("VEVENT")
        return [e for e in events if str(e["uid"]).startswith("statusrunde-")]

    for user in (world.leder, world.med):
        (entry,) = rounds_in(user)
        assert str(entry["summary"]) == "Frist for statusrunden: Status til udvalget"
        assert entry.decoded("dtstart") == deadline
        assert str(entry["url"]).endswith(f"/boards/{world.board.id}/rounds/{status_round.id}")
    assert rounds_in(world.med2) == []
    rounds.close_round(status_round, actor=world.leder)
    db.session.commit()
    assert rounds_in(world.leder) == [] and rounds_in(world.med) == []
