"""Logging in and out: the same answer for a wrong e-mail and a wrong password,
remember-me, logout ending the login on the server, deactivated users.
The throttling of failed logins: test_login_throttle.py."""

from __future__ import annotations

import pytest

from board.auth import accounts
from board.extensions import db
from board.models import User
from tests import factories
from tests.html import attr, one, text_of

WRONG = "Forkert e-mail eller adgangskode."


def post_login(client, email, password=factories.PASSWORD, remember=False, **kwargs):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, **kwargs)


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def set_cookie_headers(response, name: str) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]


def test_login_page_is_danish_with_email_password_and_remember_me(client):
    page = client.get("/login")
    assert attr(page, "html", "lang") == "da"
    form = one(page, "main form")
    assert (form.attributes["method"], form.attributes.get("action")) == ("post", None)
    assert attr(form, 'input[name="email"]', "autocomplete") == "username"
    password = one(form, 'input[name="password"]')
    assert password.attributes["type"] == "password"
    assert password.attributes["autocomplete"] == "current-password"
    remember = one(form, 'input[name="remember"][type="checkbox"]')
    assert text_of(form, f'label[for="{remember.id}"]').startswith("Husk mig")


def test_correct_login_goes_to_the_board_list(client, users):
    response = post_login(client, "LEDER@example.dk ")  # e-mail case and spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)


@pytest.mark.parametrize(
    "email, password",
    [("leder@example.dk", "forkert-adgangskode"), ("findes.ikke@example.dk", factories.PASSWORD)],
    ids=["wrong password", "unknown e-mail"],
)
def test_wrong_email_and_wrong_password_get_the_same_answer(client, users, email, password):
    response = post_login(client, email, password)
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert text_of(response, ".login-box p.notice-error[role=alert]") == WRONG
    assert "findes ikke" not in html and "ukendt" not in html.lower()
    # The e-mail stays filled in; the password does not.
    assert attr(response, 'input[name="email"]', "value") == email
    assert attr(response, 'input[name="password"]', "value") in (None, "")
    assert not is_signed_in(client)


def test_login_redirects_only_to_paths_on_this_site(client, users, board):
    ok = post_login(client, "leder@example.dk", query_string={"next": f"/boards/{board.id}"})
    assert ok.headers["Location"] == f"/boards/{board.id}"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = post_login(client, "leder@example.dk", query_string={"next": evil})
        assert response.headers["Location"] == "/", evil


def test_logout_ends_the_session(client, users):
    post_login(client, "med@example.dk")
    assert is_signed_in(client)
    response = client.post("/logout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not is_signed_in(client)


def test_cookies_copied_before_logout_are_signed_out_after_it(app, users):
    """The attack replayed: copy the session and the remember-me cookie, log
    out, send the copies. Logout ended the login on the server."""
    browser = app.test_client()
    post_login(browser, "med@example.dk", remember=True)
    session_copy = browser.get_cookie("session").value
    remember_copy = browser.get_cookie("remember_token").value
    elsewhere = app.test_client()  # the same user, logged in on another machine
    post_login(elsewhere, "med@example.dk", remember=True)

    assert browser.post("/logout").status_code == 302

    for cookies in ({"session": session_copy}, {"remember_token": remember_copy}):
        thief = app.test_client()
        for name, value in cookies.items():
            thief.set_cookie(name, value)
        page = thief.get("/")
        assert page.status_code == 302 and "/login" in page.headers["Location"], cookies.keys()
    both = app.test_client()
    both.set_cookie("session", session_copy)
    both.set_cookie("remember_token", remember_copy)
    assert not is_signed_in(both)
    # The user's other login goes on.
    assert is_signed_in(elsewhere)


def test_remember_me_sets_an_httponly_lax_cookie_that_signs_in_again(app, users):
    browser = app.test_client()
    response = post_login(browser, "med@example.dk", remember=True)
    [cookie] = set_cookie_headers(response, "remember_token")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The browser is closed (session cookie gone); the remember cookie brings the user back.
    later = app.test_client()
    later.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert is_signed_in(later)


def test_without_remember_me_there_is_no_remember_cookie(client, users):
    response = post_login(client, "med@example.dk")
    assert set_cookie_headers(response, "remember_token") == []


def test_deactivated_user_cannot_log_in_and_open_sessions_stop(app, users):
    browser = app.test_client()
    post_login(browser, "med@example.dk", remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert is_signed_in(browser) and is_signed_in(remembered)

    accounts.deactivate_user(db.session.get(User, users["med"].id), actor=users["admin"])
    db.session.commit()

    assert not is_signed_in(browser)
    assert not is_signed_in(remembered)
    page = browser.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    refused = post_login(app.test_client(), "med@example.dk")
    assert refused.status_code == 401 and WRONG in refused.get_data(as_text=True)


def test_reactivated_user_can_log_in_again(app, users):
    med = db.session.get(User, users["med"].id)
    accounts.deactivate_user(med, actor=users["admin"])
    accounts.reactivate_user(med, actor=users["admin"])
    db.session.commit()
    assert post_login(app.test_client(), "med@example.dk").status_code == 302


def test_password_reset_ends_sessions_and_the_old_password(app, users):
    browser = app.test_client()
    post_login(browser, "leder@example.dk")
    accounts.set_password(db.session.get(User, users["leder"].id), "et-helt-nyt-kodeord")
    db.session.commit()
    assert not is_signed_in(browser)
    assert post_login(app.test_client(), "leder@example.dk").status_code == 401
    fresh = app.test_client()
    assert post_login(fresh, "leder@example.dk", "et-helt-nyt-kodeord").status_code == 302
    assert is_signed_in(fresh)


def test_passwords_are_stored_hashed_with_scrypt(users):
    stored = db.session.get(User, users["leder"].id).password_hash
    assert stored.startswith("scrypt:") and factories.PASSWORD not in stored


def test_no_password_reaches_the_log(app, client, users, caplog):
    caplog.set_level("DEBUG")
    post_login(client, "leder@example.dk", "hemmeligt-forkert-kodeord")
    post_login(client, "leder@example.dk")
    accounts.set_password(db.session.get(User, users["med"].id), "nyt-hemmeligt-kodeord")
    assert "hemmeligt" not in caplog.text and factories.PASSWORD not in caplog.text
