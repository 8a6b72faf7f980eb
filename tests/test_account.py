"""Changing one's own password: the current one is required, the rules are
the admin's, other sessions end, this one goes on, and guessing is limited."""

from __future__ import annotations

from board.extensions import db
from board.models import User
from tests import factories
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


def signed_in_as(app, email):
    client = app.test_client()
    assert post_login(client, email).status_code == 302
    return client


def test_every_signed_in_user_finds_the_page_from_the_menu(app, users):
    client = signed_in_as(app, "med@example.dk")
    board_list = client.get("/").get_data(as_text=True)
    assert f'href="{URL}"' in board_list and "Skift adgangskode" in board_list
    page = client.get(URL).get_data(as_text=True)
    assert "Nuværende adgangskode" in page and "Gentag den nye adgangskode" in page
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_changed_password_ends_other_sessions_and_keeps_this_one(app, users):
    here = signed_in_as(app, "leder@example.dk")
    elsewhere = signed_in_as(app, "leder@example.dk")
    response = change(here)
    assert response.status_code == 302
    assert "Din adgangskode er skiftet" in here.get("/").get_data(as_text=True)
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert post_login(app.test_client(), "leder@example.dk").status_code == 401
    assert post_login(app.test_client(), "leder@example.dk", NEW).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, users):
    client = signed_in_as(app, "leder@example.dk")
    before = db.session.get(User, users["leder"].id).password_hash
    response = change(client, current="det-er-forkert")
    assert response.status_code == 422
    assert "Den nuværende adgangskode er forkert." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["leder"].id).password_hash == before
    assert is_signed_in(client)


def test_the_new_password_must_follow_the_rules_and_be_typed_twice_alike(app, users):
    client = signed_in_as(app, "leder@example.dk")
    short = change(client, new="kort")
    assert short.status_code == 422
    assert "Adgangskoden skal være 10-200 tegn." in short.get_data(as_text=True)
    mismatch = change(client, confirm=NEW + "x")
    assert mismatch.status_code == 422
    assert "De to nye adgangskoder er ikke ens." in mismatch.get_data(as_text=True)
    same = change(client, new=factories.PASSWORD)
    assert same.status_code == 422
    assert "skal være en anden end den nuværende" in same.get_data(as_text=True)
    empty = client.post(URL, data={})
    assert empty.status_code == 422
    assert "Skriv din nuværende adgangskode." in empty.get_data(as_text=True)
    assert post_login(app.test_client(), "leder@example.dk").status_code == 302  # unchanged


def test_no_password_reaches_the_log(app, users, caplog):
    caplog.set_level("DEBUG")
    client = signed_in_as(app, "leder@example.dk")
    change(client, current="hemmeligt-forkert")
    change(client)
    assert "hemmeligt" not in caplog.text and NEW not in caplog.text


def test_guessing_the_current_password_is_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    with app.app_context():
        factories.make_user("lone@example.dk")
    client = app.test_client()
    assert post_login(client, "lone@example.dk").status_code == 302
    for attempt in range(3):
        assert change(client, current=f"gæt-{attempt}").status_code == 422
    blocked = change(client)
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "For mange forkerte forsøg" in html and "Nuværende adgangskode" in html
