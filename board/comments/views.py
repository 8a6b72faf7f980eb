"""The comment log of a card: write (med, leder, admin), edit within 15
minutes and delete (the author), redact (admin).

Every answer is the whole log (comments/_log.html), so the htmx forms in it
simply replace it; the card's history comes along out of band. Without
JavaScript the forms post and redirect back to the card page. A refusal
(not your comment, too late to edit) goes to the notice area through the
one error handler (board/errors.py).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..boards import history
from ..boards.pages import render_initiative
from ..errors import Refused
from ..extensions import db
from ..htmx import hx_trigger, is_htmx
from ..models import Comment, Initiative
from ..notifications.mentions import display_text
from ..params import parse_id
from . import bp, services
from .forms import CommentForm, RedactForm


def render_log(access, initiative, status=200, headers=None, **extra):
    """The log (htmx), or the card page with the log as it is (no JS)."""
    if not is_htmx():
        return render_initiative(access, initiative, status, **extra)
    comments = history.load_comments(access, initiative)
    html = render_template(
        "comments/_log.html",
        access=access,
        initiative=initiative,
        comments=comments,
        comment_roles=history.author_roles(access.board, comments),
        history=history.load_history(access, initiative),
        oob_history=status < 400,
        **extra,
    )
    return html, status, headers or {}


def _done(access, initiative, message: str, comment_id: int | None = None):
    db.session.commit()
    if is_htmx():
        return render_log(access, initiative, headers=hx_trigger(message))
    flash(message, "success")
    anchor = f"comment-{comment_id}" if comment_id else f"comments-{initiative.id}"
    return redirect(
        url_for("boards.initiative", board_id=access.board.id, initiative_id=initiative.id)
        + "#"
        + anchor
    )


def _form_or_done(access, comment, form, change, message: str, name: str):
    """The `name` ("edit", "redact") form under the comment (GET, or 422
    with its errors), or the change made and the log as it is now."""
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        show = {f"{name}_comment_id": comment.id, f"{name}_form": form}
        return render_log(access, comment.initiative, status, **show)
    change(form)
    return _done(access, comment.initiative, message, comment.id)


def mention_ids() -> list[int]:
    """The users the mention autocomplete chose (`mention` fields)."""
    ids = [parse_id(raw) for raw in request.form.getlist("mention")]
    if None in ids:
        raise Refused("En nævnt person er ikke angivet rigtigt. Genindlæs siden, og prøv igen.")
    return ids


@bp.board_get("/initiatives/<int:initiative_id>/comments")
def log(access, initiative_id: int):
    return render_log(access, access.owned_or_404(Initiative, initiative_id))


@bp.board_post("/initiatives/<int:initiative_id>/comments", need="comment")
def add(access, initiative_id: int):
    initiative = access.owned_or_404(Initiative, initiative_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_log(access, initiative, 422, comment_form=form)
    try:
        comment = services.add_comment(
            initiative, actor=current_user, body=form.body.data, mentions=mention_ids()
        )
    except Refused as refused:
        if refused.status != 422:
            raise
        db.session.rollback()
        form.show_refusal(refused, "body")
        return render_log(access, initiative, 422, comment_form=form)
    return _done(access, initiative, "Kommentaren er gemt.", comment.id)


@bp.board_route("/comments/<int:comment_id>/edit", need="comment", methods=("GET", "POST"))
def edit(access, comment_id: int):
    comment = access.owned_or_404(Comment, comment_id)
    services.check_can_edit(comment, current_user)

    def change(form):
        services.edit_comment(
            comment, actor=current_user, body=form.body.data, mentions=mention_ids()
        )

    form = CommentForm(data={"body": display_text(comment.body)})
    return _form_or_done(access, comment, form, change, "Kommentaren er rettet.", "edit")


@bp.board_post("/comments/<int:comment_id>/delete", need="comment")
def delete(access, comment_id: int):
    comment = access.owned_or_404(Comment, comment_id)
    services.delete_comment(comment, actor=current_user)
    return _done(access, comment.initiative, "Kommentaren er slettet.", comment.id)


@bp.board_route("/comments/<int:comment_id>/redact", need="admin", methods=("GET", "POST"))
def redact(access, comment_id: int):
    comment = access.owned_or_404(Comment, comment_id)

    def change(form):
        services.redact_comment(comment, actor=current_user, reason=form.reason.data)

    message = "Kommentarens tekst er fjernet."
    return _form_or_done(access, comment, RedactForm(), change, message, "redact")
