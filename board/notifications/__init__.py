"""Notifications: @mentions, following, the in-app list and its live count,
delivery settings and unsubscribe, the "changed since your last visit"
marker, and private calendar feeds. The fan-out from an Event is
`dispatch.notify_about`, called by `record_event`; the daily and weekly
digests are in board/digests (they read reports, which read the Event log)."""

from flask_login import current_user

from ..routing import BoardBlueprint

bp = BoardBlueprint("notifications", __name__)

from .following import is_following  # noqa: E402
from .inbox import unread_count, unread_label  # noqa: E402
from .mentions import mentioned_ids as _mentioned_ids  # noqa: E402
from .visits import record_board_visit  # noqa: E402


@bp.app_template_global()
def unread_notifications() -> int:
    """The signed-in user's unread count, for the header entry."""
    return unread_count(current_user) if current_user.is_authenticated else 0


@bp.app_template_global()
def unread_notifications_label(count: int) -> str:
    return unread_label(count)


@bp.app_template_global()
def mentioned_ids(body: str | None) -> list:
    return _mentioned_ids(body)


@bp.app_template_global()
def follows_card(initiative) -> bool:
    return current_user.is_authenticated and is_following(initiative, current_user)


bp.after_app_request(record_board_visit)

from . import models, views  # noqa: E402,F401  (the tables; the routes on bp)
