"""Who may do what on a board: the one access check every board view uses.

A view asks for what it needs and gets a `BoardAccess` back, or the request
ends:

* `get_board_access_or_404(board_id, need)`: for signed-in members.
  - anonymous: 401 (htmx, with `HX-Redirect` to the login page) or a redirect
    to the login page;
  - signed in but not a member (and not admin): 404, the board's existence is
    not revealed;
  - a member without the needed role: 403 with a Danish message.
* `get_share_access_or_404(token)`: for committee members with a read-only
  link. Unknown, revoked and expired tokens all get the same 404.
* `get_initiative_or_404(access, initiative_id)`: a card of *that* board, or 404.
* `require_admin()`: for the administration pages (anonymous → login,
  not an administrator → 403).

Needs, from least to most: "view" (read), "comment" (med, leder, admin),
"edit" (leder, admin: move and edit cards, share links, board structure),
"admin" (administrators only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, url_for
from flask_login import current_user

from .extensions import db, login_manager
from .models import Board, Initiative, Membership, Role, ShareLink, User, utcnow

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")

NEEDS = ("view", "comment", "edit", "admin")

# Member pages that a share-link visitor has a read-only equivalent of. A
# template builds links with `access.url(...)`; for a share visitor anything
# not listed here yields None, so no link into the members' pages can leak.
# Every share route lives under /s/<token>/ and takes the `token` argument.
SHARE_ENDPOINTS = {
    "boards.show": "share.board",
    "boards.initiative": "share.initiative",
    "live.stream": "live.share_stream",
    "live.parts": "live.share_parts",
    "reports.status": "reports.share_status",
    "reports.download": "reports.share_download",
    "reports.changes": "reports.share_changes",
    "reports.published_list": "reports.share_published_list",
    "reports.published": "reports.share_published",
    "reports.published_download": "reports.share_published_download",
}


@dataclass
class BoardAccess:
    board: Board
    user: User | None = None
    role: Role | None = None  # None for an admin who is not a member
    share_link: ShareLink | None = None
    share_token: str | None = None

    @property
    def is_share(self) -> bool:
        return self.share_link is not None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    @property
    def can_edit(self) -> bool:
        return not self.is_share and (self.is_admin or self.role == Role.LEDER)

    @property
    def can_comment(self) -> bool:
        return not self.is_share and (self.is_admin or self.role in (Role.LEDER, Role.MED))

    @property
    def show_comments(self) -> bool:
        return self.share_link.show_comments if self.is_share else True

    def allows(self, need: str) -> bool:
        if need == "view":
            return True
        if need == "comment":
            return self.can_comment
        if need == "edit":
            return self.can_edit
        if need == "admin":
            return self.is_admin and not self.is_share
        raise ValueError(f"unknown need {need!r}")

    def card_url(self, initiative_id: int) -> str | None:
        """The card page's URL; built once per request and reused, since the
        board page needs it for every card (url_for per card is measurable
        at thousands of cards)."""
        prefix = self.__dict__.get("_card_url_prefix")
        if prefix is None:
            sample = self.url("boards.initiative", initiative_id=0)
            if sample is None:
                return None
            prefix = self.__dict__["_card_url_prefix"] = sample[: -len("0")]
        return f"{prefix}{initiative_id}"

    def url(self, endpoint: str, **values) -> str | None:
        """A URL for this viewer: the member page, or the share-link
        equivalent, or None when a share visitor has no such page."""
        if self.is_share:
            share_endpoint = SHARE_ENDPOINTS.get(endpoint)
            if share_endpoint is None:
                return None
            return url_for(share_endpoint, token=self.share_token, **values)
        return url_for(endpoint, board_id=self.board.id, **values)


def _deny_anonymous():
    # Flask-Login's `unauthorized` redirects to the login page (or answers
    # 401 for htmx requests, see auth setup); it raises, so nothing returns.
    return login_manager.unauthorized()


def get_board_access_or_404(board_id: int, need: str = "view") -> BoardAccess:
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}")
    if not current_user.is_authenticated:
        abort(_deny_anonymous())
    board = db.session.get(Board, board_id)
    if board is None:
        abort(404)
    role = None
    if not current_user.is_admin:
        membership = db.session.get(Membership, (current_user.id, board_id))
        if membership is None:
            abort(404)
        role = Role(membership.role)
    access = BoardAccess(board=board, user=current_user._get_current_object(), role=role)
    if not access.allows(need):
        abort(403, description=_forbidden_message(need))
    return access


def require_admin() -> User:
    """The signed-in administrator, or the request ends: anonymous → login,
    anyone else → 403. Used for the pages that are not about one board."""
    if not current_user.is_authenticated:
        abort(_deny_anonymous())
    if not current_user.is_admin:
        abort(403, description=_forbidden_message("admin"))
    return current_user._get_current_object()


def _forbidden_message(need: str) -> str:
    return {
        "comment": "Du har ikke adgang til at kommentere på denne tavle.",
        "edit": "Kun ledere på tavlen kan ændre den. Du kan læse og kommentere.",
        "admin": "Kun administratorer har adgang til dette.",
    }.get(need, "Du har ikke adgang til dette.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def today_local() -> date:
    return datetime.now(LOCAL_TZ).date()


def get_share_access_or_404(token: str, *, touch: bool = True) -> BoardAccess:
    """The board behind a share token. Unknown, revoked and expired links
    answer the same 404. `touch` records the visit (the link list's "last
    used")."""
    link = db.session.execute(
        db.select(ShareLink).where(ShareLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if link is None or not share_link_is_live(link):
        abort(404)
    if touch:
        _record_visit(link)
    return BoardAccess(board=link.board, share_link=link, share_token=token)


# "Last used" is shown to the minute; writing it at most once a minute keeps
# a busy meeting (every filter click is a request) from queueing writes.
VISIT_RESOLUTION = timedelta(minutes=1)


def _record_visit(link: ShareLink) -> None:
    now = utcnow()
    if link.last_used_at is not None and now - link.last_used_at < VISIT_RESOLUTION:
        return
    link_id = link.id
    # End the read transaction first: on SQLite a read transaction that
    # turns into a write fails when another write came in between (see
    # database.py); a fresh transaction that starts with the UPDATE waits.
    db.session.commit()
    try:
        db.session.execute(
            sa.update(ShareLink).where(ShareLink.id == link_id).values(last_used_at=now)
        )
        db.session.commit()
    except sa.exc.OperationalError:
        # A convenience for the link list; never fail a committee member's
        # page because of it.
        db.session.rollback()


def share_link_is_live(link: ShareLink) -> bool:
    if link.revoked_at is not None:
        return False
    return not (link.expires_on is not None and link.expires_on < today_local())


def get_initiative_or_404(access: BoardAccess, initiative_id: int) -> Initiative:
    """A card of the accessed board (archived cards included), or 404."""
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or initiative.board_id != access.board.id:
        abort(404)
    return initiative
