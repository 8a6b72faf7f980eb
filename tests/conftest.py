"""Test fixtures, in the style of Flask's tutorial (flaskr).

Every test gets an app from the factory on a fresh database built by the
migrations:

* SQLite (default): the migrations run once into a template file; each test
  gets a copy of it.
* PostgreSQL (`TEST_DATABASE_URL=postgresql://...`): the migrations run once
  into a database of this test run's own (`tiltag_test_<random>`, so parallel
  runs never meet); each test ends by emptying every table. The database is
  dropped at the end of the run.

Browser tests (marked `browser`) drive /usr/bin/chromium through Playwright
against `live_server`, which serves the test's app from a thread of this
process. The test's own session keeps its transaction's snapshot: call
`db.session.rollback()` before reading what the browser changed. The CSP
forbids eval, so `page.wait_for_function("...")` with a string fails: wait
with `playwright.sync_api.expect(locator)` instead.
They skip when Chromium is missing, unless REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from werkzeug.serving import make_server

from board import create_app
from board.auth.sessions import start_login_session
from board.extensions import db
from board.models import Role
from tests import factories
from tests.mail_helpers import smtp_server  # noqa: F401  (fixture: a real SMTP server)
from tests.oidc_helpers import oidc_provider, oidc_provider_process  # noqa: F401 (fixtures)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,  # tests of CSRF itself turn it on (`csrf_app`)
    "PUBLIC_BASE_URL": "http://tavle.test",
    # Every board page opens a live stream: a closed tab is noticed at the
    # next heartbeat, so keep it short, and bound every stream's life.
    "LIVE_HEARTBEAT_SECONDS": 1,
    "LIVE_MAX_STREAM_SECONDS": 120,
}


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


# --- databases -------------------------------------------------------------


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """What a fresh test database is made from (see the module docstring)."""
    if TEST_DATABASE_URL:
        from board.config import normalize_database_url

        admin_url = sa.engine.make_url(normalize_database_url(TEST_DATABASE_URL))
        name = f"tiltag_test_{uuid.uuid4().hex[:10]}"
        admin_engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield {"kind": "postgresql", "url": url}
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield {"kind": "sqlite", "path": path}


@pytest.fixture
def database_url(database_template, tmp_path):
    if database_template["kind"] == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(database_template["path"], path)
        yield f"sqlite:///{path}"
    else:
        yield database_template["url"]


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, database_template):
    """Build an app on this test's database, with config overrides."""
    apps = []

    def _make(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        # Each request loads its user afresh, as in production (see
        # `forget_current_user`).
        app.before_request(forget_current_user)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if database_template["kind"] == "postgresql" and apps:
        _empty_tables(apps[0])


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def csrf_app(make_app):
    """An app with CSRF protection on, as in production."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people and boards ------------------------------------------------------


def login(client, user) -> None:
    """Sign `user` in on `client` without going through the login form."""
    session_id = start_login_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    forget_current_user()


def forget_current_user() -> None:
    """Tests hold an app context, and every request of the test shares it and
    its `g`, where Flask-Login caches the user of the first request. Forget
    it, so the next request loads the user from its own session (switching
    users in one test, a user deactivated in between)."""
    if has_app_context():
        g.pop("_login_user", None)


@pytest.fixture
def board(app):
    return factories.make_board()


@pytest.fixture
def users(app, board):
    """One user per kind, on `board`: admin, leder, med, and an outsider."""
    return {
        "admin": factories.make_user("admin@example.dk", name="Ada Admin", is_admin=True),
        "leder": factories.make_user(
            "leder@example.dk", name="Lone Leder", board=board, role=Role.LEDER
        ),
        "med": factories.make_user("med@example.dk", name="Mads Med", board=board, role=Role.MED),
        "outsider": factories.make_user("ude@example.dk", name="Ulla Udenfor"),
    }


@pytest.fixture
def as_user(client, users):
    """`as_user("leder")` signs that user in on `client` and returns the client."""

    def _as(kind: str):
        login(client, users[kind])
        return client

    return _as


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """SQLite: the migrated template with both demo boards loaded, made once
    per run (loading them costs a second or two: 49 cards through the domain
    functions and three scrypt hashes)."""
    from board.demo.loader import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(database_template["path"], path)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        load_demo()
        db.session.remove()
        db.engine.dispose()  # the last close folds the WAL into the file
    assert not _sqlite_side_files(path)
    return path


def _sqlite_side_files(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@pytest.fixture
def demo(app, request, database_url, database_template):
    """Both demo boards and the demo users (board/demo/data).

    On SQLite a test whose database is still empty gets a copy of the
    run's demo database (`demo_template`); the demo data are dated by their
    documents, so the copy is what loading them now would give. Otherwise
    (PostgreSQL, or rows written before) they are loaded here."""
    from board.demo.loader import database_has_data, load_demo
    from board.models import Board

    if database_template["kind"] == "sqlite" and not database_has_data():
        target = Path(sa.engine.make_url(database_url).database)
        db.session.remove()
        db.engine.dispose()
        # A side file left means a connection is still open elsewhere (a
        # server thread): then the file must not be swapped under it.
        if not _sqlite_side_files(target):
            shutil.copy(request.getfixturevalue("demo_template"), target)
            return list(db.session.scalars(sa.select(Board).order_by(Board.id)))
    boards, _ = load_demo()
    return boards


# --- live server and browser ------------------------------------------------


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        from board.live import runtime_for

        runtime_for(self.app).close()  # end open event streams (board pages)
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port, in a thread of this process."""
    server = LiveServer(app).start()
    yield server
    server.stop()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()` opens a page in a fresh browser context (its own cookies)."""
    contexts = []

    def _new_page():
        context = browser.new_context(base_url=live_server.url, locale="da-DK")
        context.set_default_timeout(15000)  # the CI machine is small and shared
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def browser_login(page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def serious_axe_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
