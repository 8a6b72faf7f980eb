"""Changing one's own password: the current one is required, the rules are
the admin's, other sessions end, this one goes on, and guessing is limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from board.extensions import db
from board.models import User
from tests import factories
from tests.html import attr, one, text, text_of
from tests.test_auth import is_signed_in, post_login

NEW = "et-nyt-og-langt-kodeord"
URL = "/account/password"


def change(client, current=factories.PASSWORD, new=NEW, confirm=None):
    data = {
        "current_password": current,
        "password": new,
        "confirm": new if confirm is None else confirm,
    }
    return client.post(URL, data=data)


def error_next_to(response, field: str) -> str:
    """The error shown by `field`, tied to it for screen readers."""
    control = one(response, f'input[name="{field}"]')
    assert control.attributes["aria-invalid"] == "true"
    assert f"{control.id}-error" in control.attributes["aria-describedby"].split()
    return text_of(response, f"p.field-error#{control.id}-error")


def signed_in_as(app, email):
    client = app.test_client()
    assert post_login(client, email).status_code == 302
    return client


def test_every_signed_in_user_finds_the_page_from_the_menu(app, users):
    client = signed_in_as(app, "med@example.dk")
    board_list = client.get("/")
    assert text_of(board_list, f'nav.site-nav a[href="{URL}"]') == "Skift adgangskode"
    page = client.get(URL)
    form = one(page, "main form[method=post]")
    fields = {
        text(label): attr(form, f"input#{label.attributes['for']}", "autocomplete")
        for label in form.css("label[for]")
    }
    assert fields == {
        "Nuværende adgangskode": "current-password",
        "Ny adgangskode": "new-password",
        "Gentag den nye adgangskode": "new-password",
    }
    assert attr(form, 'input[name="username"][hidden]', "autocomplete") == "username"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_changed_password_ends_other_sessions_and_keeps_this_one(app, users):
    here = signed_in_as(app, "leder@example.dk")
    elsewhere = signed_in_as(app, "leder@example.dk")
    response = change(here)
    assert response.status_code == 302
    assert "Din adgangskode er skiftet" in text_of(here.get("/"), "#notice")
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert post_login(app.test_client(), "leder@example.dk").status_code == 401
    assert post_login(app.test_client(), "leder@example.dk", NEW).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, users):
    client = signed_in_as(app, "leder@example.dk")
    before = db.session.get(User, users["leder"].id).password_hash
    response = change(client, current="det-er-forkert")
    assert response.status_code == 422
    notice = text_of(response, ".login-box p.notice-error[role=alert]")
    assert notice == "Den nuværende adgangskode er forkert."
    db.session.expire_all()
    assert db.session.get(User, users["leder"].id).password_hash == before
    assert is_signed_in(client)


def test_the_new_password_must_follow_the_rules_and_be_typed_twice_alike(app, users):
    client = signed_in_as(app, "leder@example.dk")
    short = change(client, new="kort")
    assert short.status_code == 422
    assert error_next_to(short, "password") == "Adgangskoden skal være 10-200 tegn."
    mismatch = change(client, confirm=NEW + "x")
    assert mismatch.status_code == 422
    assert error_next_to(mismatch, "confirm") == "De to nye adgangskoder er ikke ens."
    same = change(client, new=factories.PASSWORD)
    assert same.status_code == 422
    assert "skal være en anden end den nuværende" in error_next_to(same, "password")
    empty = client.post(URL, data={})
    assert empty.status_code == 422
    assert error_next_to(empty, "current_password") == "Skriv din nuværende adgangskode."
    assert post_login(app.test_client(), "leder@example.dk").status_code == 302  # unchanged


def test_no_password_reaches_the_log(app, users, caplog):
    caplog.set_level("DEBUG")
    client = signed_in_as(app, "leder@example.dk")
    change(client, current="hemmeligt-forkert")
    change(client)
    assert "hemmeligt" not in caplog.text and NEW not in caplog.text


def test_guessing_the_current_password_is_throttled(make_app):
    """Per user, in the database, with the login's growing delays."""
    app = make_app(LOGIN_FREE_FAILURES=3)
    with app.app_context():
        factories.make_user("lone@example.dk")
    client = app.test_client()
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as clock:
        assert post_login(client, "lone@example.dk").status_code == 302
        assert change(client, new="kort").status_code == 422  # breaks a rule: does not count
        for attempt in range(3):
            assert change(client, current=f"gæt-{attempt}").status_code == 422
        blocked = change(client)
        assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "15"
        message = text_of(blocked, ".login-box p.notice-error")
        assert "For mange forkerte forsøg" in message and "Vent 15 sekunder" in message
        assert one(blocked, 'main form input[name="current_password"]')  # the form again
        clock.shift(timedelta(seconds=15))
        assert change(client).status_code == 302
