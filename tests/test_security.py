"""Security headers on every response, cookie flags, and CSRF refusal."""

from __future__ import annotations

import re

import pytest

from board.extensions import db
from tests import factories
from tests.conftest import login
from tests.html import attr, has, select, text_of


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.fixture
def share_token(app, board):
    from board.share.services import create_share_link

    token = create_share_link(board, label="Udvalget", actor=None).token
    db.session.commit()
    return token


def sample_responses(client, users, board, share_token):
    login(client, users["leder"])
    anonymous = client.application.test_client()
    med = client.application.test_client()
    login(med, users["med"])
    return {
        "board page": client.get(f"/boards/{board.id}"),
        "htmx fragment": client.get(
            f"/boards/{board.id}", headers={"HX-Request": "true", "HX-Target": "columns"}
        ),
        "static file": client.get("/static/js/app.js"),
        "404 page": client.get("/findes-ikke"),
        "403 page": med.get(f"/boards/{board.id}/share-links"),
        "login page": anonymous.get("/login"),
        "share page": anonymous.get(f"/s/{share_token}"),
        "dead share link": anonymous.get("/s/findes-ikke"),
    }


def test_every_response_has_csp_without_inline_script_nosniff_and_no_framing(
    client, users, board, share_token
):
    for name, response in sample_responses(client, users, board, share_token).items():
        directives = csp_directives(response)
        assert directives["script-src"] == "'self'", name
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], name
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"], name
        assert directives["frame-ancestors"] == "'none'", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name


def test_rendered_pages_have_no_inline_script_style_or_event_handler(
    client, users, board, share_token
):
    """What the CSP would block, looked for in the pages as rendered (the
    template check below reads the sources)."""
    for name, response in sample_responses(client, users, board, share_token).items():
        if response.mimetype != "text/html":
            continue
        scripts = select(response, "script")
        assert all(s.attributes.get("src") and not s.text().strip() for s in scripts), name
        assert select(response, "[style], style") == [], name
        handlers = [
            (node.tag, key)
            for node in select(response, "*")
            for key in node.attributes
            if key.startswith(("on", "hx-on"))
        ]
        assert handlers == [], name


def test_share_pages_send_no_referrer_and_member_pages_same_origin(
    client, users, board, share_token
):
    anonymous = client.application.test_client()
    for url in (f"/s/{share_token}", "/s/findes-ikke", f"/s/{share_token}/initiatives/999"):
        response = anonymous.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer", url
        assert "noindex" in response.headers["X-Robots-Tag"], url
    login(client, users["med"])
    assert client.get(f"/boards/{board.id}").headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style(app):
    """The CSP would block them; this finds them before a browser does."""
    from pathlib import Path

    root = Path(app.root_path).parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"\son[a-z]+=", r"hx-on"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(root)}: {pattern}")
    assert offenders == []


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_http(client, users):
    response = client.post(
        "/login", data={"email": "med@example.dk", "password": factories.PASSWORD}
    )
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development: Secure would lose the session


def test_cookies_are_secure_when_served_over_https(app, users):
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": "med@example.dk", "password": factories.PASSWORD, "remember": "y"},
        base_url="https://tavle.test",
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "remember_token"}
    for cookie in cookies:
        assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_makes_cookies_secure_by_default(monkeypatch, tmp_path):
    from board import create_app

    monkeypatch.setenv("TILTAG_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_behind_a_trusted_proxy_cookies_are_secure_when_the_client_used_https(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "; Secure" in cookie


# --- CSRF --------------------------------------------------------------------


def csrf_token_from(response) -> str:
    token = attr(response, 'head meta[name="csrf-token"]', "content")
    assert token
    return token


def test_a_mutating_request_without_a_csrf_token_is_refused(csrf_app):
    board = factories.make_board()
    leder = factories.make_user("leder@example.dk", board=board, role="leder")
    client = csrf_app.test_client()
    login(client, leder)
    response = client.post(f"/boards/{board.id}/share-links", data={"label": "Udvalget"})
    assert response.status_code == 400
    assert "sikkerhedsnøgle" in response.get_data(as_text=True)
    links = client.get(f"/boards/{board.id}/share-links")
    assert "Udvalget" not in links.get_data(as_text=True)
    assert not has(links, "tr.share-link")


def test_a_login_without_a_csrf_token_is_refused(csrf_app):
    factories.make_user("leder@example.dk")
    client = csrf_app.test_client()
    response = client.post(
        "/login", data={"email": "leder@example.dk", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_htmx_sends_the_token_as_a_header_and_is_accepted(csrf_app):
    board = factories.make_board()
    leder = factories.make_user("leder@example.dk", board=board, role="leder")
    client = csrf_app.test_client()
    login(client, leder)
    token = csrf_token_from(client.get(f"/boards/{board.id}"))
    wrong = client.post(
        f"/boards/{board.id}/share-links",
        data={"label": "Udvalget"},
        headers={"X-CSRFToken": "forfalsket"},
    )
    assert wrong.status_code == 400
    right = client.post(
        f"/boards/{board.id}/share-links",
        data={"label": "Udvalget"},
        headers={"X-CSRFToken": token},
    )
    assert right.status_code == 200
    assert "/s/" in attr(right, "input#new-link-url", "value")
    assert text_of(right, "tr.share-link td:first-child") == "Udvalget"


def test_share_tokens_are_redacted_from_access_logs():
    import logging
    from datetime import timedelta
    from types import SimpleNamespace

    from board.log_redaction import GunicornLogger, RedactShareTokens

    token = "hemmelig-token-123"
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        (f"GET /s/{token}?tema=2 HTTP/1.1", 200),
        None,
    )
    RedactShareTokens().filter(record)
    assert token not in record.getMessage() and "/s/[token]?tema=2" in record.getMessage()

    logger = GunicornLogger(SimpleNamespace(**_gunicorn_settings()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/s/{token}/initiatives/4",
        "PATH_INFO": f"/s/{token}/initiatives/4",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = logger.atoms(response, [], environ, timedelta(milliseconds=3))
    assert token not in str(atoms)
    assert atoms["r"] == "GET /s/[token]/initiatives/4 HTTP/1.1"


def _gunicorn_settings() -> dict:
    from gunicorn.config import Config

    config = Config()
    return {name: setting.get() for name, setting in config.settings.items()}
