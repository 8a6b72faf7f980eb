"""Read-only share links: made by a leder or admin, shown once, stored only
hashed, listed, revoked; what a committee member sees through one."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from board.clock import today_local
from board.extensions import db
from board.models import Comment, Event, Initiative, ShareLink
from board.share.services import create_share_link, revoke_share_link
from board.tokens import hash_token
from tests import factories
from tests.html import attr, attrs, count, has, one, select, text_of, texts

GONE = "Siden eller tavlen findes ikke, eller linket er ikke længere gyldigt."


def make_link(board, **kwargs) -> str:
    kwargs.setdefault("label", "Voksen- og Plejeudvalget, møde 25. oktober")
    token = create_share_link(board, actor=None, **kwargs).token
    db.session.commit()
    return token


URL_ATTRIBUTES = ("href", "action", "formaction", "hx-get", "hx-post", "src", "sse-connect")


def links_in(source) -> list[str]:
    """Every URL the page can take the visitor to or fetch from."""
    return [
        node.attributes[name]
        for node in select(source, ", ".join(f"[{name}]" for name in URL_ATTRIBUTES))
        for name in URL_ATTRIBUTES
        if node.attributes.get(name) is not None
    ]


def assert_read_only(source, token: str) -> None:
    html = source.get_data(as_text=True) if hasattr(source, "get_data") else source
    # The filter is the only form, and it only reads (GET).
    forms = select(html, "form")
    assert [f.id for f in forms] in ([], ["board-filter"])
    assert all(f.attributes.get("method") == "get" for f in forms)
    assert 'method="post"' not in html.lower()
    assert "csrf" not in html.lower()
    assert count(html, 'input[name="csrf_token"], meta[name="csrf-token"]') == 0
    assert "data-move-control" not in html and "drag-handle" not in html
    assert count(html, ".move-toggle, .move-panel, [data-move-to], [data-edit-initiative]") == 0
    assert "hx-post" not in html and "hx-patch" not in html and "hx-delete" not in html
    assert count(html, "[hx-post], [hx-put], [hx-patch], [hx-delete]") == 0
    links = links_in(html)
    assert links, "no link found: the page is not what the test thinks"
    # The one way out: the accessibility statement, required on every page.
    statement = current_app.config["ACCESSIBILITY_STATEMENT_URL"]
    for url in links:
        assert url.startswith((f"/s/{token}", "/static/", "#")) or url == statement, (
            f"link out of the share: {url}"
        )


@pytest.fixture
def cards(app, board):
    theme = board.themes[0]
    return [
        factories.make_initiative(board, "Ny takstmodel", stage="planlagt", theme=theme),
        factories.make_initiative(
            board, "Styrket ledelse", stage="igangsat", status_note="Alle ansat."
        ),
    ]


# --- making links (web) ----------------------------------------------------------


def test_leder_makes_a_link_that_is_shown_once_and_stored_only_as_a_hash(as_user, board, users):
    client = as_user("leder")
    response = client.post(
        f"/boards/{board.id}/share-links",
        data={"label": "Voksen- og Plejeudvalget, møde 25. oktober", "show_comments": "y"},
    )
    assert response.status_code == 200
    url = attr(response, "input#new-link-url[readonly]", "value")
    assert url.startswith("http://localhost/s/")
    assert attr(response, "button[data-copy-from]", "data-copy-from") == "new-link-url"
    assert has(response, 'script[src="/static/js/share.js"]')
    assert response.headers["Cache-Control"] == "no-store"
    token = url.rsplit("/", 1)[1]
    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 bits

    link = db.session.scalars(sa.select(ShareLink)).one()
    assert link.token_hash == hash_token(token) and link.show_comments
    assert link.created_by_id == users["leder"].id
    stored = [str(v) for v in db.session.execute(sa.select(ShareLink.__table__)).one()]
    stored += [str(e.payload) for e in db.session.scalars(sa.select(Event))]
    assert not any(token in value for value in stored)
    # Shown once: the list page never shows it again.
    assert token not in client.get(f"/boards/{board.id}/share-links").get_data(as_text=True)
    assert client.get(url.replace("http://localhost", "")).status_code == 200


def test_the_list_shows_label_creator_dates_last_use_and_state(as_user, app, board, cards):
    client = as_user("leder")
    expires = today_local() + timedelta(days=30)
    client.post(
        f"/boards/{board.id}/share-links",
        data={"label": "Børne- og Ungdomsudvalget", "expires_on": expires.isoformat()},
    )
    page = client.get(f"/boards/{board.id}/share-links")
    (row,) = select(page, "tr.share-link")
    label, creator, _created, expiry, last_used, comments, state, _action = texts(row, "td")
    assert (label, creator, last_used, state) == (
        "Børne- og Ungdomsudvalget",
        "Lone Leder",
        "Ikke brugt",
        "Aktivt",
    )
    assert str(expires.year) in expiry and comments == "Skjult"
    assert "state-active" in row.attributes["class"].split()
    link = db.session.scalars(sa.select(ShareLink)).one()
    assert row.attributes["data-share-link-id"] == str(link.id)
    token = make_link(board, label="Brugt link")
    app.test_client().get(f"/s/{token}")
    page = client.get(f"/boards/{board.id}/share-links")
    rows = {texts(r, "td")[0]: texts(r, "td") for r in select(page, "tr.share-link")}
    assert rows["Brugt link"][4] != "Ikke brugt"
    assert rows["Børne- og Ungdomsudvalget"][4] == "Ikke brugt"
    assert str(link.id) in attrs(page, "tr.share-link", "data-share-link-id")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"label": ""}, "Giv linket en betegnelse."),
        ({"label": "x" * 201}, "højst være 200 tegn"),
        ({"label": "Udvalg", "expires_on": "25-10-2024"}, "åååå-mm-dd"),
        ({"label": "Udvalg", "expires_on": "2020-01-01"}, "Udløbsdatoen ligger i fortiden."),
    ],
    ids=["no label", "label too long", "bad date", "date in the past"],
)
def test_bad_input_gets_a_danish_message_and_makes_no_link(as_user, board, data, message):
    response = as_user("leder").post(f"/boards/{board.id}/share-links", data=data)
    assert response.status_code == 422
    field = "expires_on" if "expires_on" in data else "label"
    # Shown by the field it is about, and tied to it.
    assert message in text_of(response, f"#{field}-error")
    described = attr(response, f'[name="{field}"]', "aria-describedby")
    assert f"{field}-error" in described.split()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 0


def test_the_board_page_links_to_share_links_for_leder_and_not_for_med(as_user, board):
    share_links = f'a[href="/boards/{board.id}/share-links"]'
    assert text_of(as_user("leder").get(f"/boards/{board.id}"), share_links) == "Delingslinks"
    med_page = as_user("med").get(f"/boards/{board.id}")
    assert "Delingslinks" not in med_page.get_data(as_text=True)
    assert not has(med_page, share_links)


# --- revoking and expiry ----------------------------------------------------------


def test_a_revoked_link_is_dead_at_once(as_user, app, board, cards, users):
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    token = make_link(board)
    visitor = app.test_client()
    assert visitor.get(f"/s/{token}").status_code == 200
    link = db.session.scalars(sa.select(ShareLink)).one()
    response = as_user("leder").post(f"/boards/{board.id}/share-links/{link.id}/revoke")
    assert response.status_code == 302
    for url in (f"/s/{token}", f"/s/{token}/initiatives/{cards[0].id}"):
        gone = visitor.get(url)
        assert gone.status_code == 404 and GONE in gone.get_data(as_text=True)
    page = as_user("leder").get(f"/boards/{board.id}/share-links")
    # Who revoked it is kept and shown (the log is not the only trace).
    assert db.session.get(ShareLink, link.id).revoked_by_id == users["leder"].id
    row = one(page, f'tr.share-link.state-revoked[data-share-link-id="{link.id}"]')
    assert re.fullmatch(r"Tilbagekaldt .+ af Lone Leder", texts(row, "td")[6])
    assert not has(row, "form")  # nothing left to revoke
    # Links are not board events: committee members watching the board
    # live are not told about them.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before


def test_expired_links_stop_working_the_day_after_their_last_day(app, board):
    today = today_local()
    last_day_today = make_link(board, label="Sidste dag i dag", expires_on=today)
    client = app.test_client()
    assert client.get(f"/s/{last_day_today}").status_code == 200
    link = db.session.scalars(sa.select(ShareLink)).one()
    link.expires_on = today - timedelta(days=1)  # as if the date had passed
    db.session.commit()
    assert client.get(f"/s/{last_day_today}").status_code == 404


def test_unknown_revoked_and_expired_links_get_the_same_404(app, board):
    revoked = make_link(board, label="Tilbagekaldt")
    revoke_share_link(
        db.session.scalars(sa.select(ShareLink).filter_by(label="Tilbagekaldt")).one(), actor=None
    )
    expired = make_link(board, label="Udløbet")
    db.session.scalars(sa.select(ShareLink).filter_by(label="Udløbet")).one().expires_on = (
        today_local() - timedelta(days=1)
    )
    db.session.commit()
    client = app.test_client()
    bodies = set()
    for token in (revoked, expired, "ukendt-" + "a" * 40):
        response = client.get(f"/s/{token}")
        assert response.status_code == 404
        bodies.add(response.get_data(as_text=True))
    assert len(bodies) == 1 and GONE in bodies.pop()


def test_a_link_cannot_be_revoked_through_another_board(as_user, board):
    other = factories.make_board(title="Anden tavle")
    make_link(other)
    link = db.session.scalars(sa.select(ShareLink)).one()
    response = as_user("leder").post(f"/boards/{board.id}/share-links/{link.id}/revoke")
    assert response.status_code == 404
    assert db.session.get(ShareLink, link.id).revoked_at is None


# --- what the committee member sees -------------------------------------------------


def test_the_share_page_shows_the_board_and_its_filter_read_only(app, board, cards):
    token = make_link(board)
    response = app.test_client().get(f"/s/{token}")
    assert response.status_code == 200
    assert texts(response, "li.card .card-title") == ["Ny takstmodel", "Styrket ledelse"]
    assert attr(response, "form#board-filter", "action") == f"/s/{token}"
    assert text_of(response, "header .share-badge") == "Skrivebeskyttet visning"
    assert_read_only(response, token)
    assert response.headers.getlist("Set-Cookie") == []  # no session, no cookie


def test_the_card_page_and_dialog_are_read_only_too(app, board, cards):
    token = make_link(board)
    client = app.test_client()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/s/{token}/initiatives/{cards[1].id}", headers=headers)
        assert response.status_code == 200
        assert text_of(response, "#dialog-title") == "Styrket ledelse"
        assert "Alle ansat." in response.get_data(as_text=True)
        assert_read_only(response, token)


def test_the_htmx_filter_works_on_the_share_page(app, board, cards):
    token = make_link(board)
    objective = board.themes[0].objectives[0]
    response = app.test_client().get(
        f"/s/{token}?tema={board.themes[0].id}&maal={objective.id}",
        headers={"HX-Request": "true", "HX-Target": "columns"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    board_filter = one(response, "form#board-filter")
    assert board_filter.attributes["hx-swap-oob"] == "innerHTML"
    assert board_filter.attributes["hx-get"] == f"/s/{token}"
    assert "data-initiative-id" not in html  # no card has that objective
    assert count(response, "section.column") == 4
    assert_read_only(response, token)


def test_a_link_to_board_a_shows_nothing_of_board_b(app, demo):
    strategy, process = demo
    token = make_link(strategy)
    client = app.test_client()
    page = client.get(f"/s/{token}")
    html = page.get_data(as_text=True)
    assert strategy.title in html and process.title not in html
    assert text_of(page, "main h1") == strategy.title
    process_cards = db.session.scalars(
        sa.select(Initiative).where(Initiative.board_id == process.id)
    ).all()
    strategy_titles = set(
        db.session.scalars(sa.select(Initiative.title).where(Initiative.board_id == strategy.id))
    )
    # (A few tiltag are on both boards under the same title.)
    process_titles = [card.title for card in process_cards if card.title not in strategy_titles]
    assert process_titles and not any(title in html for title in process_titles)
    process_card = process_cards[0].id
    assert client.get(f"/s/{token}/initiatives/{process_card}").status_code == 404
    # Nor does a theme id of board B filter anything in: the whole board A shows.
    foreign = client.get(f"/s/{token}?tema={process.themes[0].id}").get_data(as_text=True)
    assert not any(title in foreign for title in process_titles)


def test_a_share_visitor_cannot_post_anything(app, board, cards):
    token = make_link(board)
    client = app.test_client()
    for url in (f"/s/{token}", f"/s/{token}/initiatives/{cards[0].id}"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert client.open(url, method=method).status_code == 405, (method, url)
    # Having opened the link grants nothing on the members' routes.
    response = client.post(f"/boards/{board.id}/share-links", data={"label": "Indbrud"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 1


@pytest.mark.parametrize("show_comments", [False, True])
def test_comments_show_only_when_the_link_allows_it(app, board, cards, users, show_comments):
    db.session.add(
        Comment(initiative_id=cards[0].id, author_id=users["med"].id, body="Vi blev ikke hørt")
    )
    db.session.commit()
    token = make_link(board, show_comments=show_comments)
    client = app.test_client()
    card = client.get(f"/s/{token}/initiatives/{cards[0].id}")
    board_page = client.get(f"/s/{token}")
    assert ("Vi blev ikke hørt" in card.get_data(as_text=True)) is show_comments
    assert ("1 kommentar" in board_page.get_data(as_text=True)) is show_comments
    shown = ["Vi blev ikke hørt"] if show_comments else []
    assert texts(card, "li.comment .comment-body") == shown
    counts = ["1 kommentar"] if show_comments else []
    assert texts(board_page, f"li#card-{cards[0].id} .card-comments") == counts


def test_a_visit_records_when_the_link_was_last_used(app, board):
    token = make_link(board)
    assert db.session.scalars(sa.select(ShareLink)).one().last_used_at is None
    app.test_client().get(f"/s/{token}")
    db.session.expire_all()
    assert db.session.scalars(sa.select(ShareLink)).one().last_used_at is not None


def test_members_and_admins_see_no_share_link_of_a_board_they_cannot_edit(as_user, board):
    make_link(board)
    assert as_user("med").get(f"/boards/{board.id}/share-links").status_code == 403
    assert as_user("outsider").get(f"/boards/{board.id}/share-links").status_code == 404
    assert as_user("admin").get(f"/boards/{board.id}/share-links").status_code == 200


# --- the command line ----------------------------------------------------------------


def test_cli_creates_a_link_and_prints_the_full_url(runner, app, board):
    result = runner.invoke(
        args=[
            "share-link",
            "create",
            str(board.id),
            "--label",
            "Områdeudvalget",
            "--expires",
            "2099-12-31",
            "--show-comments",
        ]
    )
    assert result.exit_code == 0, result.output
    url = re.search(r"(http://tavle\.test/s/\S+)", result.output).group(1)
    link = db.session.scalars(sa.select(ShareLink)).one()
    assert link.label == "Områdeudvalget" and link.show_comments
    assert link.expires_on.isoformat() == "2099-12-31" and link.created_by_id is None
    assert app.test_client().get(url.replace("http://tavle.test", "")).status_code == 200


def test_cli_revokes_a_link_at_once(runner, app, board):
    token = make_link(board)
    link_id = db.session.scalars(sa.select(ShareLink)).one().id
    result = runner.invoke(args=["share-link", "revoke", str(link_id)])
    assert result.exit_code == 0 and "tilbagekaldt" in result.output
    assert app.test_client().get(f"/s/{token}").status_code == 404
    listing = runner.invoke(args=["share-link", "list", str(board.id)])
    assert "tilbagekaldt" in listing.output and token not in listing.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["share-link", "create", "9999", "--label", "X"], "findes ikke"),
        (
            ["share-link", "create", "{board}", "--label", "X", "--expires", "31-12-2099"],
            "%Y-%m-%d",
        ),
        (["share-link", "create", "{board}", "--label", " "], "betegnelse"),
        (["share-link", "revoke", "9999"], "findes ikke"),
    ],
)
def test_cli_refuses_bad_input_clearly(runner, board, args, message):
    result = runner.invoke(args=[a.format(board=board.id) for a in args])
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 0


def test_admin_who_is_not_a_member_can_manage_links(as_user, board):
    response = as_user("admin").post(f"/boards/{board.id}/share-links", data={"label": "Stab"})
    assert response.status_code == 200
