"""The comment log of a card: write (med, leder, admin), edit within 15
minutes and delete (the author), redact (admin).

Every answer is the whole log (comments/_log.html), so the htmx forms in it
simply replace it; the card's history comes along out of band. Without
JavaScript the forms post and redirect back to the card page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import BoardAccess, get_board_access_or_404, get_initiative_or_404
from ..boards import history
from ..boards.views import render_initiative
from ..editing.views import SWAP_ERROR, hx_trigger
from ..extensions import db
from ..models import Comment, Initiative
from ..security import is_htmx
from . import services
from .forms import CommentForm, RedactForm
from .text import comment_html

bp = Blueprint("comments", __name__)
bp.add_app_template_filter(comment_html, "comment_html")


@bp.app_template_global()
def comment_permissions(comment: Comment) -> dict:
    """What the signed-in user may do with a comment (buttons in the log)."""
    user = current_user if current_user.is_authenticated else None
    return {
        "edit": services.can_edit(comment, user),
        "delete": services.can_delete(comment, user),
        "redact": services.can_redact(comment, user),
    }


def _comment_or_404(access: BoardAccess, comment_id: int) -> tuple[Comment, Initiative]:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    initiative = get_initiative_or_404(access, comment.initiative_id)
    return comment, initiative


def render_log(access, initiative, status=200, headers=None, **extra):
    """The log (htmx), or the card page with the log as it is (no JS)."""
    if not is_htmx():
        return render_initiative(access, initiative.id, status, **extra)
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
    headers = dict(headers or {})
    if status >= 400:
        headers |= SWAP_ERROR
    return html, status, headers


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


def _refused(refused: services.CommentRefused):
    db.session.rollback()
    abort(refused.status, description=refused.message)


@bp.get("/boards/<int:board_id>/initiatives/<int:initiative_id>/comments")
def log(board_id: int, initiative_id: int):
    access = get_board_access_or_404(board_id, "view")
    return render_log(access, get_initiative_or_404(access, initiative_id))


@bp.post("/boards/<int:board_id>/initiatives/<int:initiative_id>/comments")
def add(board_id: int, initiative_id: int):
    access = get_board_access_or_404(board_id, "comment")
    initiative = get_initiative_or_404(access, initiative_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_log(access, initiative, 422, comment_form=form)
    try:
        comment = services.add_comment(initiative, actor=current_user, body=form.body.data)
    except services.CommentRefused as refused:
        return _refused(refused)
    return _done(access, initiative, "Kommentaren er gemt.", comment.id)


@bp.route("/boards/<int:board_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(board_id: int, comment_id: int):
    access = get_board_access_or_404(board_id, "comment")
    comment, initiative = _comment_or_404(access, comment_id)
    form = CommentForm(data={"body": comment.body})
    try:
        services.check_can_edit(comment, current_user)
    except services.CommentRefused as refused:
        return _refused(refused)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_log(access, initiative, status, edit_comment_id=comment.id, edit_form=form)
    try:
        services.edit_comment(comment, actor=current_user, body=form.body.data)
    except services.CommentRefused as refused:
        return _refused(refused)
    return _done(access, initiative, "Kommentaren er rettet.", comment.id)


@bp.post("/boards/<int:board_id>/comments/<int:comment_id>/delete")
def delete(board_id: int, comment_id: int):
    access = get_board_access_or_404(board_id, "comment")
    comment, initiative = _comment_or_404(access, comment_id)
    try:
        services.delete_comment(comment, actor=current_user)
    except services.CommentRefused as refused:
        return _refused(refused)
    return _done(access, initiative, "Kommentaren er slettet.", comment.id)


@bp.route("/boards/<int:board_id>/comments/<int:comment_id>/redact", methods=["GET", "POST"])
def redact(board_id: int, comment_id: int):
    access = get_board_access_or_404(board_id, "admin")
    comment, initiative = _comment_or_404(access, comment_id)
    form = RedactForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_log(
            access, initiative, status, redact_comment_id=comment.id, redact_form=form
        )
    try:
        services.redact_comment(comment, actor=current_user, reason=form.reason.data)
    except services.CommentRefused as refused:
        return _refused(refused)
    return _done(access, initiative, "Kommentarens tekst er fjernet.", comment.id)
