"""GET /healthz: the database's health for load balancers; no session,
no cookie, no template."""

from __future__ import annotations

import logging

from flask import template_rendered

from tests.conftest import login
from tests.test_database_down import down_client  # noqa: F401  (fixture)


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_renders_no_template_and_sets_no_cookie_for_a_signed_in_browser(app, client, users):
    login(client, users["med"])
    with client.session_transaction() as session:
        session.permanent = True  # a session Flask would refresh on every request
    rendered = []
    template_rendered.connect(lambda *_a, **kw: rendered.append(kw), app)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert rendered == []
    page = client.get("/")  # the session works, and a page refreshes its cookie
    assert page.status_code == 200 and "Set-Cookie" in page.headers


def test_healthz_is_503_when_the_database_is_down(down_client, caplog):  # noqa: F811
    with caplog.at_level(logging.WARNING):
        response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"
    assert response.headers["Retry-After"]
    assert "Set-Cookie" not in response.headers
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.exc_info is None and "/healthz" in line.getMessage()
