"""Who may do what on a board. Access checks only: they read, never write.

Views do not call these directly: `board/routing.py` resolves the access
before the view runs (`@bp.board_get(...)`), so a view receives a
`BoardAccess` or never runs.

* `member_access(board_id, need)`: for signed-in members.
  :raise 401: anonymous (htmx: 401 with `HX-Redirect` to the login page;
    otherwise a redirect there)
  :raise 404: not a member and not an administrator (the board's existence
    is not revealed), or no such board
  :raise 403: a member without the needed role (Danish message)
* `share_access(token)`: for committee members with a read-only link.
  :raise 404: unknown, revoked and expired tokens alike
* `BoardAccess.owned_or_404(Model, id)`: a row of *that* board.
  :raise 404: no such row, or one of another board
* `require_admin()`: for the pages that are not about one board.
  :raise 401: anonymous   :raise 403: not an administrator

Needs, from least to most: "view" (read), "comment" (med, leder, admin),
"edit" (leder, admin: move and edit cards, share links, board structure),
"admin" (administrators only).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, url_for
from flask_login import current_user

from .clock import today_local
from .extensions import db, login_manager
from .models import Board, Membership, Role, ShareLink, User
from .tokens import hash_token

NEEDS = ("view", "comment", "edit", "admin")


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
    def viewer_id(self) -> int | None:
        """The signed-in member's user id; None for a share-link visitor."""
        return None if self.is_share or self.user is None else self.user.id

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

    @property
    def card_key(self) -> tuple:
        """What of the viewer a card's markup depends on: the board (URLs),
        the share token (share URLs), move controls and comment counts.
        Part of the key of a rendered card (board/boards/card_cache.py)."""
        return (self.board.id, self.share_token, self.can_edit, self.show_comments)

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

    def owned_or_404(self, model, object_id: int):
        """The row of `model` with this id if it belongs to this board
        (archived cards included), else 404."""
        item = db.session.get(model, object_id)
        if item is None or item.board_id != self.board.id:
            abort(404)
        return item

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
        """A URL for this viewer: the member page, or its share-link twin, or
        None when a share visitor has no such page (so no link into the
        members' pages can leak). The twin is the one the member route
        registered (board/routing.py), so there is no map to keep."""
        if self.is_share:
            share_endpoint = getattr(
                current_app.view_functions.get(endpoint), "share_endpoint", None
            )
            if share_endpoint is None:
                return None
            return url_for(share_endpoint, token=self.share_token, **values)
        return url_for(endpoint, board_id=self.board.id, **values)


def _deny_anonymous():
    # Flask-Login's `unauthorized` redirects to the login page (or answers
    # 401 for htmx requests, see security.py); abort() ends the request.
    abort(login_manager.unauthorized())


# The board and the viewer's role on it in one query, built once: every
# board request runs it.
_BOARD_AND_ROLE = (
    sa.select(Board, Membership.role)
    .outerjoin(
        Membership,
        sa.and_(Membership.board_id == Board.id, Membership.user_id == sa.bindparam("viewer_id")),
    )
    .where(Board.id == sa.bindparam("board_id"))
)


def member_access(board_id: int, need: str = "view") -> BoardAccess:
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}")
    if not current_user.is_authenticated:
        _deny_anonymous()
    row = db.session.execute(
        _BOARD_AND_ROLE, {"board_id": board_id, "viewer_id": current_user.id}
    ).first()
    if row is None:
        abort(404)
    board, member_role = row
    role = None
    if not current_user.is_admin:
        if member_role is None:
            abort(404)
        role = Role(member_role)
    access = BoardAccess(board=board, user=current_user._get_current_object(), role=role)
    if not access.allows(need):
        abort(403, description=_forbidden_message(need))
    return access


def share_access(token: str) -> BoardAccess:
    """The board behind a share token, read-only."""
    link = db.session.execute(
        db.select(ShareLink).where(ShareLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if link is None or not share_link_is_live(link):
        abort(404)
    return BoardAccess(board=link.board, share_link=link, share_token=token)


def share_link_is_live(link: ShareLink) -> bool:
    if link.revoked_at is not None:
        return False
    return not (link.expires_on is not None and link.expires_on < today_local())


def roles_by_board(user: User) -> dict[int, Role]:
    """The user's role on each board they are a member of."""
    return {
        m.board_id: Role(m.role)
        for m in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id))
    }


def visible_boards(user: User) -> list[Board]:
    """The boards a signed-in user may open: all for an administrator, else
    those they are a member of."""
    query = sa.select(Board).order_by(Board.created_at, Board.id)
    if not user.is_admin:
        query = query.join(Membership, Membership.board_id == Board.id).where(
            Membership.user_id == user.id
        )
    return list(db.session.scalars(query))


def require_admin() -> User:
    """The signed-in administrator, or the request ends."""
    if not current_user.is_authenticated:
        _deny_anonymous()
    if not current_user.is_admin:
        abort(403, description=_forbidden_message("admin"))
    return current_user._get_current_object()


def _forbidden_message(need: str) -> str:
    return {
        "comment": "Du har ikke adgang til at kommentere på denne tavle.",
        "edit": "Kun ledere på tavlen kan ændre den. Du kan læse og kommentere.",
        "admin": "Kun administratorer har adgang til dette.",
    }.get(need, "Du har ikke adgang til dette.")
