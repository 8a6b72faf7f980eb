"""`/boards/<id>/share-links`: where a leder or admin of the board creates,
lists and revokes its read-only links."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..errors import Refused
from ..extensions import db
from ..models import ShareLink
from . import bp
from .forms import ShareLinkForm
from .services import create_share_link, link_state, list_share_links
from .services import revoke_share_link as revoke_link_service


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


@bp.board_get("/share-links", need="edit")
def links(access):
    return _render_links(access, ShareLinkForm())


@bp.board_post("/share-links", need="edit")
def create(access):
    form = ShareLinkForm()
    if not form.validate_on_submit():
        return _render_links(access, form, status=422)
    try:
        new = create_share_link(
            access.board,
            label=form.label.data,
            expires_on=form.expires_on.data,
            show_comments=form.show_comments.data,
            actor=access.user,
        )
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="label")
        return _render_links(access, form, status=refused.status)
    db.session.commit()
    # Shown once, in this response only: the token is stored nowhere else
    # (not in the session, not in a redirect URL).
    url = url_for("boards.share_show", token=new.token, _external=True)
    body, status = _render_links(
        access, ShareLinkForm(formdata=None), new_link={"link": new.link, "url": url}
    )
    # Nor in the browser's cache (back button, shared computer).
    return body, status, {"Cache-Control": "no-store"}


@bp.board_post("/share-links/<int:link_id>/revoke", need="edit")
def revoke(access, link_id: int):
    link = access.owned_or_404(ShareLink, link_id)
    if revoke_link_service(link, actor=access.user):
        db.session.commit()
        flash(f"Linket «{link.label}» er tilbagekaldt og virker ikke længere.", "success")
    else:
        flash(f"Linket «{link.label}» var allerede tilbagekaldt.", "info")
    return redirect(url_for("share.links", board_id=access.board.id))
