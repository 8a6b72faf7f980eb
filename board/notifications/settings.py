"""Each user's delivery choices per kind (/account/notifications), and the
one-click unsubscribe of RFC 8058 that every notification mail carries.

Without a row of their own a user gets the default of their role on the
board in question (kinds.default_delivery: MED members a daily digest). The
settings page shows the defaults of the user's own role: "med" when they are
a MED member anywhere.

The unsubscribe link holds a signed key naming the user and the kind (a
category, or a digest frequency), so it needs no login and cannot be
forged; unsubscribing stops the e-mail of that kind and keeps it in the app.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import Refused
from ..extensions import db
from ..models import Membership, User
from .kinds import APP, CATEGORIES, DELIVERIES, DIGESTS, default_delivery
from .models import NotificationSetting

UNSUBSCRIBE_SALT = "tiltag-unsubscribe"


def own_role(user) -> str:
    """ "med" for a user who is a MED member on some board, else "leder"."""
    roles = set(db.session.scalars(sa.select(Membership.role).where(Membership.user_id == user.id)))
    return "med" if "med" in roles else "leder"


def current_choices(user) -> dict[str, str]:
    """Per category: the user's choice, or their role's default."""
    rows = dict(
        db.session.execute(
            sa.select(NotificationSetting.category, NotificationSetting.delivery).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    role = own_role(user)
    return {
        category: rows.get(category, default_delivery(category, role)) for category in CATEGORIES
    }


def save_choices(user, choices: dict[str, str]) -> None:
    """Store a choice for every category (a tampered value: 400)."""
    for category, delivery in choices.items():
        if category not in CATEGORIES or delivery not in DELIVERIES:
            raise Refused("Ugyldigt valg af levering. Genindlæs siden, og prøv igen.")
    for category, delivery in choices.items():
        _set(user.id, category, delivery)


def _set(user_id: int, category: str, delivery: str) -> None:
    row = db.session.get(NotificationSetting, (user_id, category))
    if row is None:
        db.session.add(NotificationSetting(user_id=user_id, category=category, delivery=delivery))
    else:
        row.delivery = delivery


# ------------------------------------------------------------- unsubscribe
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_key(user_id: int, kind: str) -> str:
    """The key of a mail's unsubscribe link: `kind` is a category or a
    digest frequency ("daily", "weekly")."""
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_key(key: str) -> tuple[User, str]:
    """The user and kind of a key; 404 for a forged, garbled or stale one."""
    try:
        user_id, kind = _serializer().loads(key)
    except (BadSignature, ValueError, TypeError):
        raise Refused("Linket til afmelding er ikke gyldigt.", 404) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not (kind in CATEGORIES or kind in DIGESTS):
        raise Refused("Linket til afmelding er ikke gyldigt.", 404)
    return user, kind


def kind_label(kind: str) -> str:
    if kind in DIGESTS:
        return DELIVERIES[kind].lower()
    return CATEGORIES[kind].lower()


def unsubscribe(user, kind: str) -> None:
    """No more e-mail of `kind`: that category in the app only; for a
    digest, every category that would go into it (on any board) in the app
    only, and the rest as it was."""
    if kind in CATEGORIES:
        _set(user.id, kind, APP)
        return
    rows = dict(
        db.session.execute(
            sa.select(NotificationSetting.category, NotificationSetting.delivery).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    for category in CATEGORIES:
        chosen = rows.get(category)
        if chosen is None:
            # The default differs by role per board: keep a leader's, and
            # take the MED members' digest away.
            leader_default = default_delivery(category, "leder")
            _set(user.id, category, APP if leader_default == kind else leader_default)
        elif chosen == kind:
            _set(user.id, category, APP)
