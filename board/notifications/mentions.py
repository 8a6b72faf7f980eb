"""@mentions in comments.

A mention is stored in the comment's text as a reference to the user,
`@[user:12]`, and shown with the user's current name, so a renamed (or
anonymised) user still shows correctly. The comment form sends the text as
typed (`@Lone Leder`) plus the ids the autocomplete chose (`mention` fields);
`encode_mentions` turns each chosen name into its token. Only users who can
see the board (active, with a role on it) can be mentioned: anyone else is
refused with a Danish 422, and so never notified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask import has_request_context, request

from ..errors import Refused
from ..extensions import db
from ..models import Membership, User

TOKEN = re.compile(r"@\[user:(\d{1,9})\]")
MAX_MENTIONS = 20


def mentioned_ids(text: str | None) -> list[int]:
    """The ids mentioned in a stored text, each once, in order."""
    seen: dict[int, None] = {}
    for match in TOKEN.finditer(text or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def members_who_can_be_mentioned(board_id: int) -> list[User]:
    """The board's active members, by name (the autocomplete's choices)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _visible_to_board(board_id: int, user_ids: Iterable[int]) -> dict[int, User]:
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.board_id == board_id, User.active.is_(True), User.id.in_(ids))
    )
    return {user.id: user for user in rows}


def encode_mentions(board_id: int, body: str, chosen_ids: Iterable[int]) -> str:
    """The text to store: each chosen user's `@Name` replaced by their token.

    Refused (422, field "body") when a chosen or typed mention names someone
    who cannot see the board. A chosen user whose `@Name` is no longer in the
    text (the author deleted it) is simply not mentioned."""
    chosen = list(dict.fromkeys(chosen_ids))
    typed = mentioned_ids(body)
    wanted = list(dict.fromkeys([*chosen, *typed]))
    if len(wanted) > MAX_MENTIONS:
        raise Refused(f"En kommentar kan højst nævne {MAX_MENTIONS} personer.", 422, field="body")
    allowed = _visible_to_board(board_id, wanted)
    refused = [user_id for user_id in wanted if user_id not in allowed]
    if refused:
        names = [u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(refused)))]
        who = ", ".join(names) if names else "en ukendt bruger"
        raise Refused(
            f"Du kan ikke nævne {who}: kun personer med adgang til tavlen kan nævnes.",
            422,
            field="body",
        )
    # Longest names first, so "@Anne Marie" is not taken for "@Anne".
    for user in sorted((allowed[i] for i in chosen), key=lambda u: -len(u.name)):
        body = body.replace(f"@{user.name}", f"@[user:{user.id}]", 1)
    return body


def display_text(body: str | None) -> str:
    """The stored text with tokens as `@Name` (an edit form, a mail)."""
    if "@[user:" not in (body or ""):
        return body or ""
    names = user_names()
    return TOKEN.sub(lambda m: "@" + names.get(int(m.group(1)), "ukendt bruger"), body or "")


def user_names() -> dict[int, str]:
    """Every user's current name by id: one query per request, and only when
    a text with a mention is shown (users are the municipality's staff, a
    few hundred rows)."""
    # Cached in the request's environ, not `g` (tests share one app context).
    cache = request.environ if has_request_context() else {}
    if "tiltag.user_names" not in cache:
        cache["tiltag.user_names"] = dict(db.session.execute(sa.select(User.id, User.name)).all())
    return cache["tiltag.user_names"]
