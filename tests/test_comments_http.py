"""HTTP tests for the comment log: who can write, the author's edit window
and delete, admin redaction, how entries look, and share-link visibility."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template

from board.access import BoardAccess
from board.boards import history
from board.comments import services
from board.extensions import db
from board.models import Comment, Event, ShareLink
from tests import factories

HX = {"HX-Request": "true"}


@pytest.fixture
def card(board):
    return factories.make_initiative(board, "Ungeteamet flytter")


def comments_url(card):
    return f"/boards/{card.board_id}/initiatives/{card.id}/comments"


def card_url(card):
    return f"/boards/{card.board_id}/initiatives/{card.id}"


def post_comment(client, card, body):
    return client.post(comments_url(card), data={"body": body}, headers=HX)


def test_med_comments_and_the_log_shows_name_role_danish_time_and_text(as_user, card):
    response = post_comment(as_user("med"), card, "Vi blev ikke inddraget\ni flytningen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    entry = html[html.index('<li class="comment') :]
    assert "Mads Med" in entry and "(MED-repræsentant)" in entry
    assert re.search(r"\d{1,2}\. \w+ \d{4} kl\. \d{2}\.\d{2}", entry)
    assert "Vi blev ikke inddraget<br>i flytningen" in entry
    assert "Kommentarer (1)" in html
    # the history comes along out of band
    assert 'id="card-history-' in html and 'hx-swap-oob="true"' in html
    assert "Skrev en kommentar" in html
    assert "tiltag:board-changed" in response.headers["HX-Trigger"]


def test_the_form_warns_against_personal_data_about_citizens(as_user, card):
    html = as_user("med").get(card_url(card)).get_data(as_text=True)
    assert "Skriv ikke personoplysninger om borgere" in html


def test_comments_are_oldest_first(as_user, card):
    client = as_user("med")
    for body in ("Første", "Anden", "Tredje"):
        post_comment(client, card, body)
    html = client.get(card_url(card)).get_data(as_text=True)
    assert html.index("Første") < html.index("Anden") < html.index("Tredje")


def test_the_board_card_shows_the_comment_count(as_user, card):
    client = as_user("med")
    post_comment(client, card, "En")
    post_comment(client, card, "To")
    board_html = client.get(f"/boards/{card.board_id}").get_data(as_text=True)
    card_html = board_html[board_html.index(f'id="card-{card.id}"') :]
    assert "2 kommentarer" in card_html[: card_html.index("</li>")]


def test_html_is_shown_as_text_and_links_are_safe(as_user, card):
    html = post_comment(
        as_user("med"), card, '<img src=x onerror=alert(1)> se https://norddjurs.dk/"x'
    ).get_data(as_text=True)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<a href="https://norddjurs.dk/" rel="noopener noreferrer" target="_blank">' in html


@pytest.mark.parametrize(
    "body, message",
    [("", "Skriv en kommentar."), ("x" * 5001, "En kommentar må højst være 5.000 tegn.")],
)
def test_invalid_comment_gets_422_and_message_next_to_the_field(as_user, card, body, message):
    response = post_comment(as_user("med"), card, body)
    assert response.status_code == 422 and "HX-Retarget" not in response.headers
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="comment-body-{card.id}-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_outsider_gets_404(as_user, card):
    assert post_comment(as_user("outsider"), card, "Hej").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_anonymous_gets_401_with_login_redirect(client, card):
    response = post_comment(client, card, "Hej")
    assert response.status_code == 401 and "HX-Redirect" in response.headers
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_author_edits_within_the_window_and_it_is_marked_redigeret(as_user, card, users):
    client = as_user("med")
    post_comment(client, card, "Fejl i teksten")
    comment = db.session.scalars(sa.select(Comment)).one()
    form = client.get(f"/boards/{card.board_id}/comments/{comment.id}/edit", headers=HX)
    assert form.status_code == 200 and "Ret din kommentar" in form.get_data(as_text=True)
    response = client.post(
        f"/boards/{card.board_id}/comments/{comment.id}/edit",
        data={"body": "Rettet tekst"},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rettet tekst" in html and "(redigeret)" in html and "Fejl i teksten" not in html
    assert "Redigerede en kommentar" in html


def test_edit_after_15_minutes_is_refused(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Gammel")
    comment.created_at = comment.created_at - timedelta(minutes=16)
    db.session.commit()
    client = as_user("med")
    html = client.get(card_url(card)).get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" not in html  # no edit button any more
    response = client.post(
        f"/boards/{card.board_id}/comments/{comment.id}/edit", data={"body": "Ny"}, headers=HX
    )
    assert response.status_code == 409
    assert "15 minutter" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Gammel"


def test_someone_elses_comment_cannot_be_edited_or_deleted(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Min")
    db.session.commit()
    client = as_user("leder")
    base = f"/boards/{card.board_id}/comments/{comment.id}"
    assert client.post(f"{base}/edit", data={"body": "Din"}, headers=HX).status_code == 403
    assert client.post(f"{base}/delete", headers=HX).status_code == 403
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Min"


def test_delete_leaves_kommentar_slettet_with_who_and_when(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Hemmelig plan")
    db.session.commit()
    response = as_user("med").post(
        f"/boards/{card.board_id}/comments/{comment.id}/delete", headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kommentar slettet af Mads Med" in html and "Hemmelig plan" not in html
    assert "Kommentarer (0)" in html and "Slettede en kommentar" in html


def test_admin_redacts_with_a_reason_and_the_trace_stays(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Borgeren Jens Jensen har ...")
    db.session.commit()
    base = f"/boards/{card.board_id}/comments/{comment.id}/redact"
    assert as_user("leder").post(base, data={"reason": "x"}).status_code == 403
    client = as_user("admin")
    missing = client.post(base, data={"reason": ""}, headers=HX)
    assert missing.status_code == 422
    assert '<p class="field-error" id="reason-error">Skriv en begrundelse.</p>' in (
        missing.get_data(as_text=True)
    )
    response = client.post(base, data={"reason": "Oplysninger om en borger"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Jensen" not in html
    assert "Kommentar fjernet af hensyn til persondata af Ada Admin" in html
    assert "Begrundelse: Oplysninger om en borger" in html
    # The card page, its history and the Event table hold no trace of the text.
    page = client.get(card_url(card)).get_data(as_text=True)
    assert "Jensen" not in page and "Oplysninger om en borger" in page
    payloads = db.session.scalars(sa.select(Event.payload)).all()
    assert "Jensen" not in repr(payloads)


def _render_for_share(card, show_comments: bool) -> str:
    link = ShareLink(board_id=card.board_id, token_hash="x" * 64, label="Udvalg")
    link.show_comments = show_comments
    access = BoardAccess(board=card.theme.board, share_link=link, share_token="t")
    comments = history.load_comments(access, card)
    return render_template(
        "initiatives/_card_body.html",
        access=access,
        initiative=card,
        comments=comments,
        comment_roles=history.author_roles(access.board, comments),
        history=history.load_history(access, card),
    )


def test_share_visitors_see_comments_only_when_their_link_allows(app, card, users):
    services.add_comment(card, actor=users["med"], body="Til udvalget")
    db.session.commit()
    with app.test_request_context():
        hidden = _render_for_share(card, show_comments=False)
        shown = _render_for_share(card, show_comments=True)
    assert "Til udvalget" not in hidden and "Skrev en kommentar" not in hidden
    assert "Til udvalget" in shown and "Skrev en kommentar" in shown
    # Read-only either way: no comment form, no edit controls.
    assert "comment-form" not in shown and "Redigér" not in shown


def test_card_page_queries_do_not_grow_with_comments_and_authors(as_user, card, users, board):
    from board.query_counter import count_queries

    client = as_user("admin")

    def queries():
        db.session.expire_all()
        with count_queries(db.engine) as counter:
            assert client.get(card_url(card), headers=HX).status_code == 200
        return counter.count

    # One comment of each kind first, so the baseline loads deleters and redacters too.
    services.add_comment(card, actor=users["med"], body="En")
    services.delete_comment(
        services.add_comment(card, actor=users["med"], body="To"), actor=users["med"]
    )
    services.redact_comment(
        services.add_comment(card, actor=users["med"], body="Tre"), actor=users["admin"], reason="x"
    )
    db.session.commit()
    few = queries()
    for i in range(30):
        author = factories.make_user(f"m{i}@example.dk", board=board, role="med")
        comment = services.add_comment(card, actor=author, body=f"Nr. {i}")
        if i % 3 == 0:
            services.delete_comment(comment, actor=author)
        if i % 5 == 0:
            services.redact_comment(comment, actor=users["admin"], reason="GDPR")
    db.session.commit()
    assert queries() == few
