"""Read-only share links.

Two kinds of routes live here:

* `/s/<token>/...`: what a committee member sees through a link. The same
  views and templates as the members' pages, with a share `BoardAccess`
  (read-only: templates show no forms, drag handles or member links). Only
  GET: a share visitor can change nothing. Every response under /s/ carries
  `Referrer-Policy: no-referrer` (board/security.py), so the token does not
  leak to other sites.
* `/boards/<id>/share-links`: where a leder or admin of the board creates,
  lists and revokes the links.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..access import get_board_access_or_404, get_share_access_or_404
from ..boards.views import render_board, render_initiative
from ..extensions import db
from ..models import ShareLink
from .forms import ShareLinkForm
from .services import ShareLinkError, create_share_link, link_state, list_share_links
from .services import revoke_share_link as revoke_link_service

bp = Blueprint("share", __name__)


# --- what a committee member sees --------------------------------------------


@bp.get("/s/<token>")
def board(token: str):
    return render_board(get_share_access_or_404(token))


@bp.get("/s/<token>/initiatives/<int:initiative_id>")
def initiative(token: str, initiative_id: int):
    return render_initiative(get_share_access_or_404(token), initiative_id)


# --- managing the links (leder or admin of the board) ------------------------


def _render_links(access, form, new_link=None, status=200):
    links = list_share_links(access.board)
    return (
        render_template(
            "share/links.html",
            access=access,
            form=form,
            links=links,
            states={link.id: link_state(link) for link in links},
            new_link=new_link,
        ),
        status,
    )


@bp.get("/boards/<int:board_id>/share-links")
def links(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    return _render_links(access, ShareLinkForm())


@bp.post("/boards/<int:board_id>/share-links")
def create(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    form = ShareLinkForm()
    if not form.validate_on_submit():
        return _render_links(access, form, status=400)
    try:
        new = create_share_link(
            access.board,
            label=form.label.data,
            expires_on=form.expires_on.data,
            show_comments=form.show_comments.data,
            actor=access.user,
        )
    except ShareLinkError as error:
        field = form[error.field]
        field.errors = [*field.errors, str(error)]
        return _render_links(access, form, status=400)
    db.session.commit()
    # Shown once, in this response only: the token is stored nowhere else
    # (not in the session, not in a redirect URL).
    url = url_for("share.board", token=new.token, _external=True)
    body, status = _render_links(
        access, ShareLinkForm(formdata=None), new_link={"link": new.link, "url": url}
    )
    # Nor in the browser's cache (back button, shared computer).
    return body, status, {"Cache-Control": "no-store"}


@bp.post("/boards/<int:board_id>/share-links/<int:link_id>/revoke")
def revoke(board_id: int, link_id: int):
    access = get_board_access_or_404(board_id, "edit")
    link = db.session.get(ShareLink, link_id)
    if link is None or link.board_id != access.board.id:
        abort(404)
    if revoke_link_service(link, actor=access.user):
        db.session.commit()
        flash(f"Linket «{link.label}» er tilbagekaldt og virker ikke længere.", "success")
    else:
        flash(f"Linket «{link.label}» var allerede tilbagekaldt.", "info")
    return redirect(url_for("share.links", board_id=access.board.id))
