"""Read-only share links: create, revoke, list. Plain functions that take
model objects and an `actor`; the caller commits.

A token is 32 random bytes from `secrets` (256 bits), URL-safe. It is given
back once, to be shown to whoever created the link; the database keeps only
its SHA-256 hash (`board.tokens.hash_token`), so a copy of the database
cannot be turned into working links.

Creating and revoking a link are not board Events: the Event log is the
board's content history and live feed, and committee members watching the
board must not be told about links. The link row keeps who made it and when
it was revoked; the application log records who did what (ids only, never a
token).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access import share_link_is_live
from ..clock import today_local, utcnow
from ..errors import Refused
from ..extensions import db
from ..models import Board, ShareLink, User
from ..tokens import hash_token, new_token

log = logging.getLogger(__name__)

LABEL_MAX = 200


@dataclass
class NewShareLink:
    link: ShareLink
    token: str  # shown once, never stored


def create_share_link(
    board: Board,
    *,
    label: str,
    actor: User | None,
    expires_on: date | None = None,
    show_comments: bool = False,
) -> NewShareLink:
    label = (label or "").strip()
    if not label:
        raise Refused(
            "Giv linket en betegnelse, fx udvalgets navn og mødedato.", 422, field="label"
        )
    if len(label) > LABEL_MAX:
        raise Refused(f"Betegnelsen må højst være {LABEL_MAX} tegn.", 422, field="label")
    if expires_on is not None and expires_on < today_local():
        raise Refused("Udløbsdatoen ligger i fortiden.", 422, field="expires_on")
    token = new_token()
    link = ShareLink(
        board_id=board.id,
        token_hash=hash_token(token),
        label=label,
        created_by_id=getattr(actor, "id", None),
        created_at=utcnow(),
        expires_on=expires_on,
        show_comments=bool(show_comments),
    )
    db.session.add(link)
    db.session.flush()
    log.info("share link %s on board %s created by %s", link.id, board.id, _who(actor))
    return NewShareLink(link=link, token=token)


def revoke_share_link(link: ShareLink, *, actor: User | None) -> bool:
    """Revoke the link at once. False (and no change) if it was already revoked."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    link.revoked_by_id = actor.id if actor is not None else None
    log.info("share link %s on board %s revoked by %s", link.id, link.board_id, _who(actor))
    return True


def _who(actor: User | None) -> str:
    return f"user {actor.id}" if actor is not None else "the command line"


def list_share_links(board: Board) -> list[ShareLink]:
    """The board's links, newest first, with who made and revoked them."""
    return list(
        db.session.scalars(
            sa.select(ShareLink)
            .where(ShareLink.board_id == board.id)
            .options(selectinload(ShareLink.created_by), selectinload(ShareLink.revoked_by))
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
    )


def link_state(link: ShareLink) -> str:
    """ "active", "expired" or "revoked", for the link list."""
    if link.revoked_at is not None:
        return "revoked"
    if not share_link_is_live(link):
        return "expired"
    return "active"
