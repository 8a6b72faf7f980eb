"""Sign-in with the organisation (OpenID Connect) against the real test
provider (tests/oidc_provider, a process of its own): the flow, users
created and matched, roles from groups, refusals that make no session,
LOCAL_LOGIN=off and logout at the provider. The browser's side:
test_oidc_browser.py."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from board.auth import accounts
from board.extensions import db
from board.models import GroupRoleMapping, LoginSession, Membership, Role, User
from tests import factories
from tests.html import one, text_of
from tests.oidc_helpers import (
    ADMIN_GROUP,
    DISPLAY_NAME,
    app_path,
    oidc_settings,
    provider_login,
    provider_sign_in,
    start_flow,
)


@pytest.fixture
def app(make_app, oidc_provider):
    """The app with sign-in through the test provider."""
    app = make_app(**oidc_settings(oidc_provider))
    with app.app_context():
        yield app


@pytest.fixture
def provider(oidc_provider):
    return oidc_provider


def login_rows() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession))


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def map_group(group: str, board, role: Role) -> None:
    db.session.add(GroupRoleMapping(group=group, board_id=board.id, role=role.value))
    db.session.commit()


def membership(user_id: int, board_id: int) -> Membership | None:
    db.session.rollback()
    return db.session.get(Membership, (user_id, board_id))


# --- the login page ---------------------------------------------------------------


def test_login_page_offers_the_organisation_first(client):
    page = client.get("/login")
    button = one(page, "main a.login-provider-button")
    assert button.text(strip=True) == f"Log ind med {DISPLAY_NAME}"
    assert button.attributes["href"] == "/login/oidc"
    assert one(page, 'main form input[name="password"]')  # LOCAL_LOGIN is on


def test_without_a_provider_the_login_page_is_the_password_form_alone(make_app):
    app = make_app()  # no OIDC_ISSUER, as `make run`
    client = app.test_client()
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Log ind med" not in html and "Nødadgang" not in html
    assert one(page, 'main form input[name="password"]')
    # The routes exist but only send back to the login page.
    start = client.get("/login/oidc")
    assert start.status_code == 302 and start.headers["Location"] == "/login"


# --- the flow ---------------------------------------------------------------------


def test_first_sign_in_creates_the_user_and_starts_a_login_session(client, provider, caplog):
    provider.add_user("anne", email="Anne.Hansen@Norddjurs.dk", name="Anne Hansen")
    caplog.set_level(logging.INFO, logger="board.auth")
    response = provider_sign_in(client, "anne")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    user = db.session.scalar(sa.select(User).where(User.email == "anne.hansen@norddjurs.dk"))
    assert (user.name, user.oidc_subject, user.password_hash) == ("Anne Hansen", "sub-anne", "")
    assert login_rows() == 1
    sign_in_lines = [r.getMessage() for r in caplog.records if "OIDC sign-in of user" in r.message]
    assert sign_in_lines == [f"OIDC sign-in of user {user.id} (0 role changes from groups)"]
    # Never a token or a code in the log.
    assert "eyJ" not in caplog.text and "code=" not in caplog.text


def test_sign_in_keeps_the_next_page(client, provider, board):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne")
    response = client.get(f"/login/oidc?next=/boards/{board.id}")
    callback = provider_login(response.headers["Location"], "anne")
    assert client.get(app_path(callback)).headers["Location"] == f"/boards/{board.id}"


def test_an_existing_user_is_matched_by_email_case_insensitively_then_by_subject(
    client, provider, users
):
    leder = users["leder"]
    provider.add_user("lone", email="LEDER@Example.DK", name="Lone Leder-Nielsen")
    assert provider_sign_in(client, "lone").status_code == 302
    db.session.rollback()
    assert leder.oidc_subject == "sub-lone"
    assert leder.name == "Lone Leder-Nielsen"  # refreshed from the provider
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == len(users)
    # Once linked, the subject decides: a new e-mail at the provider follows.
    provider.add_user("lone", email="lone.nielsen@example.dk", name="Lone Nielsen")
    client.post("/logout")
    assert provider_sign_in(client, "lone").status_code == 302
    db.session.rollback()
    assert (leder.email, leder.name) == ("lone.nielsen@example.dk", "Lone Nielsen")


def test_a_deactivated_user_is_refused_although_the_provider_says_yes(client, provider, users):
    accounts.deactivate_user(users["med"])
    db.session.commit()
    provider.add_user("mads", email="med@example.dk", name="Mads Med")
    response = provider_sign_in(client, "mads")
    assert response.status_code == 403
    assert "Din konto er deaktiveret" in text_of(response, "main [role=alert]")
    assert not is_signed_in(client) and login_rows() == 0


def test_an_email_already_linked_to_another_subject_is_refused(client, provider, users):
    users["med"].oidc_subject = "sub-someone-else"
    db.session.commit()
    provider.add_user("mads", email="med@example.dk", name="Mads")
    response = provider_sign_in(client, "mads")
    assert response.status_code == 409
    assert "hører til en anden konto" in text_of(response, "main [role=alert]")
    assert login_rows() == 0


# --- roles from groups ------------------------------------------------------------


def test_groups_give_roles_and_a_removed_group_takes_them_away(client, provider, board):
    other = factories.make_board("Anden tavle")
    map_group("Ledere-Socialomraadet", board, Role.LEDER)
    map_group("med-udvalget", other, Role.MED)
    provider.add_user(
        "bo",
        email="bo@norddjurs.dk",
        name="Bo",
        groups=["ledere-socialomraadet", "MED-udvalget", ADMIN_GROUP],
    )
    assert provider_sign_in(client, "bo").status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "bo@norddjurs.dk"))
    first = membership(user.id, board.id)
    assert (first.role, first.from_group) == ("leder", True)
    assert membership(user.id, other.id).role == "med"
    assert (user.is_admin, user.admin_from_group) == (True, True)
    assert client.get(f"/boards/{board.id}").status_code == 200

    client.post("/logout")
    provider.add_user("bo", email="bo@norddjurs.dk", name="Bo", groups=["med-udvalget"])
    assert provider_sign_in(client, "bo").status_code == 302
    assert membership(user.id, board.id) is None
    assert membership(user.id, other.id).role == "med"
    assert user.is_admin is False
    assert client.get(f"/boards/{board.id}").status_code == 404


def test_roles_given_by_hand_stay_whatever_the_groups_say(client, provider, users, board):
    leder = users["leder"]  # leder on `board` by hand, no groups
    map_group("med-udvalget", board, Role.MED)
    users["admin"].email = "ada@norddjurs.dk"
    db.session.commit()
    provider.add_user("lone", email="leder@example.dk", name="Lone", groups=["med-udvalget"])
    provider.add_user("ada", email="ada@norddjurs.dk", name="Ada", groups=[])
    assert provider_sign_in(client, "lone").status_code == 302
    kept = membership(leder.id, board.id)
    assert (kept.role, kept.from_group) == ("leder", False)
    client.post("/logout")
    assert provider_sign_in(client, "ada").status_code == 302
    db.session.rollback()
    assert users["admin"].is_admin  # admin by hand, in no admin group: stays


def test_a_role_change_from_groups_is_logged_with_ids(client, provider, board, caplog):
    map_group("ledere", board, Role.LEDER)
    provider.add_user("bo", email="bo@norddjurs.dk", name="Bo", groups=["ledere"])
    caplog.set_level(logging.INFO, logger="board.auth")
    provider_sign_in(client, "bo")
    user = db.session.scalar(sa.select(User).where(User.email == "bo@norddjurs.dk"))
    assert (
        f"role of user {user.id} on board {board.id}: None -> leder, from groups (OIDC sign-in)"
        in caplog.text
    )


# --- refusals: never a session ----------------------------------------------------


def _assert_refused(client, response, status: int, words: str) -> None:
    assert response.status_code == status, response.status_code
    assert words in text_of(response, "main [role=alert]")
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert login_rows() == 0
    assert not is_signed_in(client)


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_tampered_state_is_refused(client, provider):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne")
    callback = provider_login(start_flow(client), "anne")
    tampered = _with_query(
        callback, state="tampered-" + parse_qs(urlsplit(callback).query)["state"][0]
    )
    response = client.get(app_path(tampered))
    _assert_refused(client, response, 400, "Loginforsøget kunne ikke genkendes")
    assert provider.stats()["token_requests"] == 0  # refused before the code was used


def test_a_replayed_code_is_refused_by_the_provider(client, provider, app):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne")
    callback = provider_login(start_flow(client), "anne")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert client.get(app_path(callback)).status_code == 302  # the first use signs in
    # Someone who caught the callback URL tries the code again, in their own
    # browser with a flow (state) of their own.
    attacker = app.test_client()
    fresh = provider_login(start_flow(attacker), "anne")
    replay = _with_query(fresh, code=code)
    db.session.rollback()
    before = login_rows()
    response = attacker.get(app_path(replay))
    assert response.status_code == 400
    assert f"{DISPLAY_NAME} godkendte ikke loginforsøget" in text_of(response, "main [role=alert]")
    assert not is_signed_in(attacker) and login_rows() == before
    assert provider.stats()["token_errors"] == ["invalid_grant"]


@pytest.mark.parametrize(
    "behaviour, error",
    [
        ({"aud": "another-application"}, "InvalidClaimError aud"),
        ({"expired": True}, "ExpiredTokenError "),
        ({"other_key": True}, "BadSignatureError "),
        ({"iss": "http://127.0.0.1:9/another-issuer"}, "InvalidClaimError iss"),
        ({"nonce": "not-the-nonce-we-sent"}, "InvalidClaimError nonce"),
    ],
    ids=["wrong audience", "expired id_token", "signed by another key", "issuer", "nonce"],
)
def test_an_id_token_that_does_not_hold_is_refused(client, provider, caplog, behaviour, error):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne", groups=[ADMIN_GROUP])
    provider.misbehave(**behaviour)
    caplog.set_level(logging.INFO, logger="board.auth")
    response = provider_sign_in(client, "anne")
    _assert_refused(client, response, 400, "kunne ikke godkendes")
    # Refused by the id_token check itself (joserfc, through Authlib).
    assert f"OIDC id_token refused: {error}" in caplog.text
    assert db.session.scalar(sa.select(User).where(User.email == "anne@norddjurs.dk")) is None


def test_an_unreachable_provider_is_a_danish_answer(make_app, oidc_provider):
    app = make_app(**oidc_settings(oidc_provider, OIDC_ISSUER="http://127.0.0.1:9"))
    response = app.test_client().get("/login/oidc")
    assert response.status_code == 502
    with app.app_context():
        assert "Der er ikke forbindelse til Testkommunen" in text_of(response, "main [role=alert]")


# --- LOCAL_LOGIN=off --------------------------------------------------------------


@pytest.fixture
def no_local_login(make_app, oidc_provider):
    app = make_app(**oidc_settings(oidc_provider, LOCAL_LOGIN=False))
    with app.app_context():
        yield app


def test_local_login_off_hides_the_password_form(no_local_login, users):
    client = no_local_login.test_client()
    page = client.get("/login")
    assert one(page, "main a.login-provider-button")
    assert "password" not in [i.attributes.get("name") for i in page_inputs(page)]
    assert one(page, "main .login-break-glass a").attributes["href"] == "/login?adgangskode=1"
    break_glass = client.get("/login?adgangskode=1")
    assert "password" in [i.attributes.get("name") for i in page_inputs(break_glass)]


def page_inputs(response):
    from tests.html import parse

    return parse(response).css("main input")


def test_local_login_off_refuses_a_non_admin_password_and_lets_an_admin_in(no_local_login, users):
    client = no_local_login.test_client()
    refused = client.post(
        "/login?adgangskode=1", data={"email": "leder@example.dk", "password": factories.PASSWORD}
    )
    assert refused.status_code == 401
    assert "kun bruges af administratorer" in text_of(refused, "main [role=alert]")
    assert login_rows() == 0 and not is_signed_in(client)
    admitted = client.post(
        "/login?adgangskode=1", data={"email": "admin@example.dk", "password": factories.PASSWORD}
    )
    assert admitted.status_code == 302 and is_signed_in(client)


def test_local_login_off_still_throttles(no_local_login, users):
    client = no_local_login.test_client()
    for _ in range(no_local_login.config["LOGIN_FREE_FAILURES"] + 1):
        client.post("/login", data={"email": "leder@example.dk", "password": factories.PASSWORD})
    waiting = client.post("/login", data={"email": "admin@example.dk", "password": "x" * 12})
    again = client.post(
        "/login", data={"email": "leder@example.dk", "password": factories.PASSWORD}
    )
    assert again.status_code == 429 and "Retry-After" in again.headers
    assert waiting.status_code == 401


def test_local_login_off_without_a_provider_does_not_start(make_app):
    from board.config import ConfigError

    with pytest.raises(ConfigError, match="LOCAL_LOGIN=off"):
        make_app(LOCAL_LOGIN=False)


# --- logout ------------------------------------------------------------------------


def test_logout_ends_the_provider_session_too(client, provider):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne")
    provider_sign_in(client, "anne")
    response = client.post("/logout")
    location = response.headers["Location"]
    assert location.startswith(f"{provider.url}/logout?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == ["tiltagstavlen-test"]
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert not is_signed_in(client) and login_rows() == 0


def test_password_logout_stays_here(client, provider, users):
    client.post("/login", data={"email": "leder@example.dk", "password": factories.PASSWORD})
    assert client.post("/logout").headers["Location"] == "/login"


# --- settings ----------------------------------------------------------------------


def test_settings_from_the_environment(monkeypatch, tmp_path):
    from board.config import from_environment

    for name in ("OIDC_ISSUER", "OIDC_SCOPES", "OIDC_DISPLAY_NAME", "LOCAL_LOGIN"):
        monkeypatch.delenv(name, raising=False)
    defaults = from_environment(str(tmp_path))
    assert defaults["OIDC_ISSUER"] == "" and defaults["LOCAL_LOGIN"] is True
    assert defaults["OIDC_SCOPES"] == "openid email profile"
    assert defaults["OIDC_DISPLAY_NAME"] == "din organisation"
    assert (defaults["OIDC_EMAIL_CLAIM"], defaults["OIDC_GROUPS_CLAIM"]) == ("email", "groups")
    monkeypatch.setenv("OIDC_ADMIN_GROUPS", "tavle-admins, 1b2c-guid  it-drift")
    monkeypatch.setenv("LOCAL_LOGIN", "off")
    config = from_environment(str(tmp_path))
    assert config["OIDC_ADMIN_GROUPS"] == ("tavle-admins", "1b2c-guid", "it-drift")
    assert config["LOCAL_LOGIN"] is False


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID is missing"),
        ({"OIDC_SCOPES": "email profile"}, 'must include "openid"'),
    ],
)
def test_incomplete_provider_settings_do_not_start(make_app, oidc_provider, settings, words):
    from board.config import ConfigError

    with pytest.raises(ConfigError, match=words):
        make_app(**oidc_settings(oidc_provider, **settings))


def test_the_logout_form_may_redirect_to_the_provider(client, provider):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.url};" in policy


def test_make_run_without_a_provider_serves_the_login_page_as_before(database_url, tmp_path):
    """`make run`'s server (flask run), with no OIDC_* set: the password
    form alone, and the provider's routes only lead back to it."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    from tests.server_processes import ROOT, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LOCAL_LOGIN"))}
    env.update(DATABASE_URL=database_url, FLASK_APP="wsgi")
    flask = str(Path(sys.executable).parent / "flask")
    log = open(tmp_path / "flask-run.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [flask, "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        page = None
        while time.monotonic() < deadline and page is None:
            assert process.poll() is None, (tmp_path / "flask-run.log").read_text()
            try:
                page = requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            except requests.ConnectionError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200
        assert one(page.text, 'main form input[name="password"]')
        assert "Log ind med" not in page.text and "Nødadgang" not in page.text
        start = requests.get(f"http://127.0.0.1:{port}/login/oidc", allow_redirects=False)
        assert start.status_code == 302 and start.headers["Location"] == "/login"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_a_user_without_a_password_is_not_offered_to_change_it(client, provider):
    provider.add_user("anne", email="anne@norddjurs.dk", name="Anne")
    provider_sign_in(client, "anne")
    assert "Skift adgangskode" not in client.get("/").get_data(as_text=True)
