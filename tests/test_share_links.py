"""Read-only share links: made by a leder or admin, shown once, stored only
hashed, listed, revoked; what a committee member sees through one."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from board.clock import today_local
from board.extensions import db
from board.models import Comment, Event, Initiative, ShareLink
from board.share.services import create_share_link, revoke_share_link
from board.tokens import hash_token
from tests import factories

GONE = "Siden eller tavlen findes ikke, eller linket er ikke længere gyldigt."


def make_link(board, **kwargs) -> str:
    kwargs.setdefault("label", "Voksen- og Plejeudvalget, møde 25. oktober")
    token = create_share_link(board, actor=None, **kwargs).token
    db.session.commit()
    return token


def links_in(html: str) -> list[str]:
    """Every URL the page can take the visitor to or fetch from."""
    return re.findall(r'(?:href|action|hx-get|hx-post|src|sse-connect)="([^"]*)"', html)


def assert_read_only(html: str, token: str) -> None:
    assert "<form" not in html.replace('<form id="board-filter"', "<filter-form")
    assert 'method="post"' not in html.lower()
    assert "csrf" not in html.lower()
    assert "data-move-control" not in html and "drag-handle" not in html
    assert "hx-post" not in html and "hx-patch" not in html and "hx-delete" not in html
    for url in links_in(html):
        assert url.startswith((f"/s/{token}", "/static/", "#")), f"link out of the share: {url}"


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
    html = response.get_data(as_text=True)
    url = re.search(r'id="new-link-url"[^>]*value="([^"]+)"', html).group(1)
    assert url.startswith("http://localhost/s/")
    assert "data-copy-from" in html and "/static/js/share.js" in html
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
    html = client.get(f"/boards/{board.id}/share-links").get_data(as_text=True)
    row = html[html.index("Børne- og Ungdomsudvalget") :]
    row = row[: row.index("</tr>")]
    assert "Lone Leder" in row and "Ikke brugt" in row and "Aktivt" in row
    assert str(expires.year) in row and "Skjult" in row
    link = db.session.scalars(sa.select(ShareLink)).one()
    token = make_link(board, label="Brugt link")
    app.test_client().get(f"/s/{token}")
    html = client.get(f"/boards/{board.id}/share-links").get_data(as_text=True)
    used = html[html.index("Brugt link") :]
    assert "Ikke brugt" not in used[: used.index("</tr>")]
    assert f'data-share-link-id="{link.id}"' in html


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
    html = response.get_data(as_text=True)
    field = "expires_on" if "expires_on" in data else "label"
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error and message in error.group(1)  # shown by the field it is about
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 0


def test_the_board_page_links_to_share_links_for_leder_and_not_for_med(as_user, board):
    assert "Delingslinks" in as_user("leder").get(f"/boards/{board.id}").get_data(as_text=True)
    assert "Delingslinks" not in as_user("med").get(f"/boards/{board.id}").get_data(as_text=True)


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
    html = as_user("leder").get(f"/boards/{board.id}/share-links").get_data(as_text=True)
    assert "Tilbagekaldt" in html
    # Who revoked it is kept and shown (the log is not the only trace).
    assert db.session.get(ShareLink, link.id).revoked_by_id == users["leder"].id
    row = re.search(r'<tr class="share-link state-revoked".*?</tr>', html, re.S).group(0)
    assert re.search(r"Tilbagekaldt [^<]* af Lone Leder", row)
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
    html = response.get_data(as_text=True)
    assert "Ny takstmodel" in html and "Styrket ledelse" in html
    assert 'id="board-filter"' in html and f'action="/s/{token}"' in html
    assert "Skrivebeskyttet visning" in html
    assert_read_only(html, token)
    assert response.headers.getlist("Set-Cookie") == []  # no session, no cookie


def test_the_card_page_and_dialog_are_read_only_too(app, board, cards):
    token = make_link(board)
    client = app.test_client()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/s/{token}/initiatives/{cards[1].id}", headers=headers)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Styrket ledelse" in html and "Alle ansat." in html
        assert_read_only(html, token)


def test_the_htmx_filter_works_on_the_share_page(app, board, cards):
    token = make_link(board)
    objective = board.themes[0].objectives[0]
    response = app.test_client().get(
        f"/s/{token}?tema={board.themes[0].id}&maal={objective.id}",
        headers={"HX-Request": "true", "HX-Target": "columns"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html and f'hx-get="/s/{token}"' in html
    assert "data-initiative-id" not in html  # no card has that objective
    assert_read_only(html, token)


def test_a_link_to_board_a_shows_nothing_of_board_b(app, demo):
    strategy, process = demo
    token = make_link(strategy)
    client = app.test_client()
    html = client.get(f"/s/{token}").get_data(as_text=True)
    assert strategy.title in html and process.title not in html
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
    card = client.get(f"/s/{token}/initiatives/{cards[0].id}").get_data(as_text=True)
    board_html = client.get(f"/s/{token}").get_data(as_text=True)
    assert ("Vi blev ikke hørt" in card) is show_comments
    assert ("1 kommentar" in board_html) is show_comments


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
