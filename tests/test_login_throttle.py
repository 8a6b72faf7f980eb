"""Failed logins are throttled per (account, address) pair with exponential
delays (OWASP), so a stranger who knows an e-mail cannot lock its owner out;
a cap per address stops password spraying; the counts live in the database,
so every worker and every app host sees the same ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests import factories
from tests.html import has, text_of
from tests.test_auth import WRONG, post_login

TOO_MANY = "For mange mislykkede loginforsøg"
ATTACKER = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
OWNER = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def throttled(make_app):
    app = make_app()
    with app.app_context():
        factories.make_user("admin@example.dk", is_admin=True)
        factories.make_user("lone@example.dk")
    return app


def wait_message(response) -> str:
    return text_of(response, ".login-box p.notice-error")


def test_twenty_failures_from_one_address_do_not_lock_the_owner_out(throttled):
    """The attack replayed: 20 failed logins for a known e-mail from one address."""
    attacker = throttled.test_client()
    with time_machine.travel(START, tick=False):
        answers = [
            post_login(attacker, "admin@example.dk", f"gæt-{n}", **ATTACKER).status_code
            for n in range(20)
        ]
        assert answers == [401] * 5 + [429] * 15  # LOGIN_FREE_FAILURES: 5, then delays
        # The owner, from another address, logs in with the right password.
        owner = throttled.test_client()
        assert post_login(owner, "admin@example.dk", **OWNER).status_code == 302
        # From the failing address even the right password waits, and is told how long.
        delayed = post_login(attacker, "admin@example.dk", **ATTACKER)
        assert delayed.status_code == 429
        message = wait_message(delayed)
        assert TOO_MANY in message and "Vent 15 sekunder, og prøv igen." in message
        assert has(delayed, 'main form input[name="password"]')  # the login page again
        assert delayed.headers["Retry-After"] == "15"


def test_the_delays_grow_exponentially_and_the_right_password_ends_them(throttled):
    client = throttled.test_client()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(5):
            assert post_login(client, "lone@example.dk", f"gæt-{n}").status_code == 401
        waits = []
        for _ in range(8):
            delayed = post_login(client, "lone@example.dk", "gæt-igen")
            assert delayed.status_code == 429
            waits.append(int(delayed.headers["Retry-After"]))
            clock.shift(timedelta(seconds=waits[-1]))
            assert post_login(client, "lone@example.dk", "gæt-igen").status_code == 401
        assert waits == [15, 30, 60, 120, 240, 480, 900, 900]  # doubling, up to 15 minutes
        assert "Vent 15 minutter" in wait_message(post_login(client, "lone@example.dk"))
        clock.shift(timedelta(minutes=15))
        assert post_login(client, "lone@example.dk").status_code == 302
        client.post("/logout")
        # A success starts the count afresh.
        assert post_login(client, "lone@example.dk", "tastefejl").status_code == 401
        assert post_login(client, "lone@example.dk").status_code == 302


def test_an_unknown_email_is_throttled_like_a_known_one(throttled):
    client = throttled.test_client()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            assert post_login(client, "ingen@example.dk", "x" * 12).status_code == 401
        assert post_login(client, "ingen@example.dk", "x" * 12).status_code == 429
        # Another account from the same address is not held up.
        assert post_login(client, "lone@example.dk").status_code == 302


def test_spraying_many_accounts_from_one_address_hits_the_address_cap(make_app):
    app = make_app(LOGIN_ADDRESS_MAX_FAILURES=3)
    with app.app_context():
        factories.make_user("lone@example.dk")
    attacker = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(3):  # one guess per account: no pair is throttled
            assert (
                post_login(attacker, f"gæt{n}@example.dk", "forkert", **ATTACKER).status_code == 401
            )
        capped = post_login(attacker, "lone@example.dk", **ATTACKER)
        assert capped.status_code == 429
        assert "Vent 15 minutter" in wait_message(capped)  # LOGIN_ADDRESS_WINDOW_SECONDS
        # Someone at another address logs in as usual.
        assert post_login(app.test_client(), "lone@example.dk", **OWNER).status_code == 302
        clock.shift(timedelta(minutes=15))
        assert post_login(attacker, "lone@example.dk", **ATTACKER).status_code == 302


def test_the_limit_is_shared_by_two_app_instances_on_one_database(make_app):
    """Two workers (or two hosts): failures counted by one hold on the other."""
    first, second = make_app(), make_app()
    with first.app_context():
        factories.make_user("lone@example.dk")
    with time_machine.travel(START, tick=False):
        for n in range(3):
            assert post_login(first.test_client(), "lone@example.dk", f"gæt-{n}").status_code == 401
        for n in range(3, 5):
            assert (
                post_login(second.test_client(), "lone@example.dk", f"gæt-{n}").status_code == 401
            )
        for app in (first, second):
            delayed = post_login(app.test_client(), "lone@example.dk")
            assert delayed.status_code == 429 and "Vent 15 sekunder" in wait_message(delayed)


def test_behind_a_trusted_proxy_the_address_is_the_forwarded_client(make_app):
    app = make_app(TRUSTED_PROXIES=1, LOGIN_ADDRESS_MAX_FAILURES=2)
    client = app.test_client()

    def attempt(address, email):
        return post_login(client, email, "forkert", headers={"X-Forwarded-For": address})

    with time_machine.travel(START, tick=False):
        assert attempt("192.0.2.1", "a@example.dk").status_code == 401
        assert attempt("192.0.2.1", "b@example.dk").status_code == 401
        assert attempt("192.0.2.1", "c@example.dk").status_code == 429
        assert attempt("192.0.2.2", "c@example.dk").status_code == 401  # another client


def test_the_store_holds_no_email_or_address(throttled):
    from board.extensions import db
    from board.models import LoginThrottle

    with throttled.app_context():
        post_login(throttled.test_client(), "lone@example.dk", "forkert", **ATTACKER)
        keys = " ".join(row.key for row in db.session.scalars(db.select(LoginThrottle)))
    assert keys and "lone" not in keys and "203.0.113" not in keys
    assert re.fullmatch(r"[0-9a-f ]+", keys)


def test_the_wrong_answer_is_the_same_before_the_delays_start(throttled):
    response = post_login(throttled.test_client(), "lone@example.dk", "forkert")
    assert response.status_code == 401 and wait_message(response) == WRONG


def test_successful_logins_do_not_count(make_app):
    app = make_app(LOGIN_FREE_FAILURES=1, LOGIN_ADDRESS_MAX_FAILURES=1)
    with app.app_context():
        factories.make_user("lone@example.dk")
    for _ in range(5):
        assert post_login(app.test_client(), "lone@example.dk").status_code == 302


class Browser:
    """Logs in on a server process as a browser does: GET the form (session
    cookie and CSRF token), POST it."""

    def __init__(self, server):
        self.host = server.url.split("//", 1)[1]

    def login(self, email: str, password: str) -> tuple[int, str]:
        import http.client
        import urllib.parse

        conn = http.client.HTTPConnection(self.host, timeout=30)
        try:
            conn.request("GET", "/login")
            page = conn.getresponse()
            html = page.read().decode()
            cookie = page.getheader("Set-Cookie").split(";", 1)[0]
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
            body = urllib.parse.urlencode(
                {"csrf_token": token, "email": email, "password": password}
            )
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            conn.request("POST", "/login", body=body, headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.read().decode()
        finally:
            conn.close()


def test_two_server_processes_count_the_same_failures(app, database_url):
    """The attack counted 10 failures per gunicorn worker: two real servers
    (gunicorn.conf.py, CSRF on) on one database now share one count."""
    from tests.server_processes import ServerProcess

    factories.make_user("lone@example.dk")
    # A first delay far longer than the test, so the wait is still on.
    env = {"LOGIN_FIRST_DELAY_SECONDS": "600"}
    servers = []
    try:
        for _ in range(2):
            servers.append(ServerProcess(database_url, threads=2, env=env).start())
        first, second = Browser(servers[0]), Browser(servers[1])
        for n in range(5):
            status, _ = (first if n % 2 else second).login("lone@example.dk", f"gæt-{n}")
            assert status == 401
        for browser in (first, second):
            status, html = browser.login("lone@example.dk", factories.PASSWORD)
            assert status == 429 and "Vent 10 minutter, og prøv igen." in html
    finally:
        for server in servers:
            server.stop()
