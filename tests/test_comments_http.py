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
from tests.html import attr, count, has, one, text, text_of, texts

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
    entry = one(response, f"#comments-{card.id} li.comment")
    assert text_of(entry, ".comment-author") == "Mads Med"
    assert text_of(entry, ".comment-role") == "(MED-repræsentant)"
    assert re.fullmatch(
        r"\d{1,2}\. \w+ \d{4} kl\. \d{2}\.\d{2}", text_of(entry, ".comment-meta time")
    )
    assert one(entry, ".comment-body").inner_html == "Vi blev ikke inddraget<br>i flytningen"
    assert text_of(response, f"#comments-title-{card.id}") == "Kommentarer (1)"
    # the history comes along out of band
    history = one(response, f"#card-history-{card.id}")
    assert history.attributes["hx-swap-oob"] == "true"
    assert [e for e in texts(history, "li.history-entry") if "Skrev en kommentar" in e]
    assert "tiltag:board-changed" in response.headers["HX-Trigger"]


def test_the_form_warns_against_personal_data_about_citizens(as_user, card):
    page = as_user("med").get(card_url(card))
    hint = one(page, f"form.comment-form #comment-hint-{card.id}")
    assert "Skriv ikke personoplysninger om borgere" in text(hint)
    # ... and the text box points screen readers to it.
    described = attr(page, f"textarea#comment-body-{card.id}", "aria-describedby")
    assert f"comment-hint-{card.id}" in described.split()


def test_comments_are_oldest_first(as_user, card):
    client = as_user("med")
    for body in ("Første", "Anden", "Tredje"):
        post_comment(client, card, body)
    page = client.get(card_url(card))
    assert texts(page, "li.comment .comment-body") == ["Første", "Anden", "Tredje"]


def test_the_board_card_shows_the_comment_count(as_user, card):
    client = as_user("med")
    post_comment(client, card, "En")
    post_comment(client, card, "To")
    board_page = client.get(f"/boards/{card.board_id}")
    assert text_of(board_page, f"li#card-{card.id} .card-comments") == "2 kommentarer"


def test_html_is_shown_as_text_and_links_are_safe(as_user, card):
    response = post_comment(
        as_user("med"), card, '<img src=x onerror=alert(1)> se https://norddjurs.dk/"x'
    )
    html = response.get_data(as_text=True)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert count(response, "img, [onerror]") == 0
    body = one(response, "li.comment .comment-body")
    assert text(body).startswith("<img src=x onerror=alert(1)> se https://norddjurs.dk/")
    link = one(body, "a")
    assert link.attributes == {
        "href": "https://norddjurs.dk/",
        "rel": "noopener noreferrer",
        "target": "_blank",
    }


@pytest.mark.parametrize(
    "body, message",
    [("", "Skriv en kommentar."), ("x" * 5001, "En kommentar må højst være 5.000 tegn.")],
)
def test_invalid_comment_gets_422_and_message_next_to_the_field(as_user, card, body, message):
    response = post_comment(as_user("med"), card, body)
    assert response.status_code == 422 and "HX-Retarget" not in response.headers
    assert text_of(response, f"p.field-error#comment-body-{card.id}-error") == message
    textarea = one(response, f"textarea#comment-body-{card.id}")
    assert textarea.attributes["aria-invalid"] == "true"
    assert f"comment-body-{card.id}-error" in textarea.attributes["aria-describedby"].split()
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
    assert form.status_code == 200
    assert text_of(form, f"form.comment-edit-form label[for=comment-edit-body-{comment.id}]") == (
        "Ret din kommentar"
    )
    assert text_of(form, f"textarea#comment-edit-body-{comment.id}") == "Fejl i teksten"
    response = client.post(
        f"/boards/{card.board_id}/comments/{comment.id}/edit",
        data={"body": "Rettet tekst"},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    entry = one(response, f"li#comment-{comment.id}")
    assert text_of(entry, ".comment-body") == "Rettet tekst"
    assert text_of(entry, ".comment-edited") == "(redigeret)"
    assert "Fejl i teksten" not in html
    assert not has(response, "form.comment-edit-form")
    assert "Redigerede en kommentar" in text_of(response, "#card-history-" + str(card.id))


def test_edit_after_15_minutes_is_refused(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Gammel")
    comment.created_at = comment.created_at - timedelta(minutes=16)
    db.session.commit()
    client = as_user("med")
    page = client.get(card_url(card))
    assert f"/comments/{comment.id}/edit" not in page.get_data(as_text=True)  # no edit button
    assert has(page, f"li#comment-{comment.id} .comment-actions form")  # delete is still there
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
    removed = text_of(response, f"li#comment-{comment.id}.comment-is-removed .comment-removed")
    assert removed.startswith("Kommentar slettet af Mads Med, ")
    assert "Hemmelig plan" not in html
    assert text_of(response, f"#comments-title-{card.id}") == "Kommentarer (0)"
    assert "Slettede en kommentar" in text_of(response, f"#card-history-{card.id}")


def test_admin_redacts_with_a_reason_and_the_trace_stays(as_user, card, users):
    comment = services.add_comment(card, actor=users["med"], body="Borgeren Jens Jensen har ...")
    db.session.commit()
    base = f"/boards/{card.board_id}/comments/{comment.id}/redact"
    assert as_user("leder").post(base, data={"reason": "x"}).status_code == 403
    client = as_user("admin")
    missing = client.post(base, data={"reason": ""}, headers=HX)
    assert missing.status_code == 422
    assert text_of(missing, "form.comment-redact-form p.field-error#reason-error") == (
        "Skriv en begrundelse."
    )
    assert attr(missing, 'input[name="reason"]', "aria-describedby") == "reason-error"
    response = client.post(base, data={"reason": "Oplysninger om en borger"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Jensen" not in html
    removed = text_of(response, f"li#comment-{comment.id}.comment-is-removed .comment-removed")
    assert removed.startswith("Kommentar fjernet af hensyn til persondata af Ada Admin, ")
    assert removed.endswith("Begrundelse: Oplysninger om en borger")
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
    assert not has(hidden, ".comment-log")
    assert texts(shown, "li.comment .comment-body") == ["Til udvalget"]
    assert "Skrev en kommentar" in text_of(shown, ".card-history")
    # Read-only either way: no comment form, no edit controls.
    assert "comment-form" not in shown and "Redigér" not in shown
    for body in (hidden, shown):
        assert count(body, "form, .comment-actions, .card-actions") == 0


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
