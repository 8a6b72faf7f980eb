"""What a public body owes its readers and staff on every page: the link to
the accessibility statement (webtilgængelighedsloven), and a plain page
telling staff what the audit trail records about them and why."""

from __future__ import annotations

import pytest

from board import config
from board.extensions import db
from board.share.services import create_share_link
from tests import factories
from tests.conftest import login
from tests.html import select

STATEMENT = "https://www.was.digst.dk/tiltagstavlen-norddjurs"


@pytest.fixture
def site(make_app):
    """An app whose statement URL is configured, a board with a card, its
    users and a share link."""
    app = make_app(ACCESSIBILITY_STATEMENT_URL=STATEMENT)
    with app.app_context():
        board = factories.make_board()
        card = factories.make_initiative(board, "Borgerpanel")
        admin = factories.make_user("admin@example.dk", is_admin=True)
        med = factories.make_user("med@example.dk", board=board, role="med")
        token = create_share_link(board, actor=None, label="Udvalget", show_comments=True).token
        db.session.commit()
        yield app, board, card, admin, med, token


def _footer_links(response) -> dict[str, str]:
    return {a.text(strip=True): a.attributes["href"] for a in select(response, "footer a")}


def test_every_page_links_to_the_accessibility_statement(site):
    app, board, card, admin, med, token = site
    anonymous = app.test_client()
    member = app.test_client()
    login(member, med)
    administrator = app.test_client()
    login(administrator, admin)
    pages = [
        (anonymous, "/login", 200),
        (anonymous, "/om-logning", 200),
        (anonymous, "/s/ukendt-link", 404),
        (anonymous, f"/s/{token}", 200),
        (anonymous, f"/s/{token}/initiatives/{card.id}", 200),
        (anonymous, f"/s/{token}/status", 200),
        (anonymous, f"/s/{token}/changes", 200),
        (anonymous, f"/s/{token}/reports", 200),
        (member, "/", 200),
        (member, f"/boards/{board.id}", 200),
        (member, f"/boards/{board.id}/initiatives/{card.id}", 200),
        (member, f"/boards/{board.id}/status", 200),
        (member, "/account/password", 200),
        (member, "/admin/users", 403),
        (administrator, "/admin/users", 200),
        (administrator, f"/admin/initiatives/{card.id}/persondata", 200),
    ]
    for client, url, status in pages:
        response = client.get(url)
        assert response.status_code == status, url
        assert _footer_links(response).get("Tilgængelighedserklæring") == STATEMENT, url


def test_the_statement_url_is_a_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("ACCESSIBILITY_STATEMENT_URL", raising=False)
    default = config.from_environment(str(tmp_path))["ACCESSIBILITY_STATEMENT_URL"]
    assert default == config.DEFAULT_ACCESSIBILITY_STATEMENT_URL
    monkeypatch.setenv("ACCESSIBILITY_STATEMENT_URL", STATEMENT)
    assert config.from_environment(str(tmp_path))["ACCESSIBILITY_STATEMENT_URL"] == STATEMENT


def test_staff_pages_link_to_what_is_logged_and_share_pages_do_not(site):
    app, board, card, admin, med, token = site
    member = app.test_client()
    login(member, med)
    for url in ("/", f"/boards/{board.id}", f"/boards/{board.id}/initiatives/{card.id}"):
        assert _footer_links(member.get(url)).get("Hvad logges om dig") == "/om-logning", url
    assert "Hvad logges om dig" in _footer_links(app.test_client().get("/login"))
    share = app.test_client().get(f"/s/{token}")
    assert "Hvad logges om dig" not in _footer_links(share)


def test_the_page_says_what_is_recorded_and_why(site):
    app, *_ = site
    response = app.test_client().get("/om-logning")
    assert response.status_code == 200
    headings = [h.text(strip=True) for h in select(response, "main h2")]
    assert headings == ["Det gemmes", "Derfor", "Hvem kan se det", "Hvor længe", "Spørgsmål"]
    text = select(response, "main")[0].text()
    for said in ("dit navn, tidspunktet", "IP-adresse", "aktindsigt", "Tidligere"):
        assert said in text
