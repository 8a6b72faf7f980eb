"""From an Event to the people told of it: the one hook, called by
`record_event` for every Event, in the transaction of the change.

* A comment: the users it mentions get a "mention" notification, the
  card's other followers a "comment" one; the author and the mentioned
  users follow the card from then on. An edit that mentions someone new
  tells only them.
* A move to another column, a change of status text or vurdering, archiving:
  the card's followers (board/notifications/kinds.py).
* A comment deleted or redacted: any e-mail about it not yet sent is
  dropped, so its text leaves the outbox too.

Never the actor, never someone without an active account and a role on the
board, never someone who turned the kind off. The rows are inserted with one
INSERT ... SELECT per category (a card with 200 followers is one statement),
and mails "at once" are only queued (board/notifications/mailing.py); the
mail is sent by `flask deliver-mail`, never inside the request. Events
without an actor (the command line, an import, the demo data) tell no one.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..clock import utcnow
from ..extensions import db
from ..models import Comment, Event, Membership, User, UTCDateTime
from . import following, mailing
from .kinds import INSTANT, OFF, category_of, default_delivery
from .mentions import mentioned_ids
from .models import Notification, NotificationSetting

COMMENT_GONE = ("comment.deleted", "comment.redacted")


def notify_about(event: Event, actor) -> None:
    """Add the notifications of `event` to the session's transaction."""
    if actor is None or event.initiative_id is None:
        return
    payload = event.payload or {}
    if event.kind in COMMENT_GONE:
        mailing.drop_unsent_about_comment(payload.get("comment_id"))
        return
    if event.kind == "comment.edited":
        _mentions_added_by_edit(event, actor, payload.get("comment_id"))
        return
    category = category_of(event.kind, payload)
    if category is None:
        return
    db.session.flush()  # the Event's id (and the comment's) for the rows
    comment_id = None
    mentioned: list[int] = []
    if event.kind == "comment.added":
        comment_id = payload.get("comment_id")
        comment = db.session.get(Comment, comment_id)
        mentioned = [i for i in mentioned_ids(comment.body if comment else "") if i != actor.id]
        following.start_following(event.initiative_id, [actor.id], "comment")
        following.start_following(event.initiative_id, mentioned, "mention")
    instant = False
    if mentioned:
        instant = _insert(
            event, actor, "mention", sa.select(User.id).where(User.id.in_(mentioned)), comment_id
        )
    followers = following.follower_ids_query(event.initiative_id).subquery()
    candidates = sa.select(followers.c[0])
    if mentioned:
        candidates = candidates.where(followers.c[0].not_in(mentioned))
    instant = _insert(event, actor, category, candidates, comment_id) or instant
    if instant:
        mailing.queue_instant(event, comment_id)


def _mentions_added_by_edit(event: Event, actor, comment_id: int | None) -> None:
    """An edit that mentions someone new: only they are told (a "mention";
    those the comment mentioned before were told already)."""
    comment = db.session.get(Comment, comment_id) if comment_id else None
    mentioned = [i for i in mentioned_ids(comment.body if comment else "") if i != actor.id]
    if not mentioned:
        return
    told = sa.select(Notification.user_id).where(
        Notification.comment_id == comment_id, Notification.category == "mention"
    )
    db.session.flush()
    new = sa.select(User.id).where(User.id.in_(mentioned), User.id.not_in(told))
    following.start_following(event.initiative_id, mentioned, "mention")
    if _insert(event, actor, "mention", new, comment_id):
        mailing.queue_instant(event, comment_id)


def _insert(event: Event, actor, category: str, candidate_ids, comment_id: int | None) -> bool:
    """INSERT ... SELECT: a notification for each candidate who can see the
    board and has not turned `category` off, with their delivery choice (or
    the default for their role on this board). Returns whether any of them
    wants an e-mail at once: the INSERT returns the deliveries, so the usual
    case (nobody) costs no query to look for mails to queue. Every change to
    a card runs this under the board's lock."""
    delivery = sa.func.coalesce(
        NotificationSetting.delivery,
        sa.case(
            (Membership.role == "med", default_delivery(category, "med")),
            else_=default_delivery(category, "leder"),
        ),
    )
    recipients = (
        sa.select(
            User.id,
            sa.literal(event.board_id),
            sa.literal(event.initiative_id),
            sa.literal(event.id),
            sa.literal(comment_id, sa.Integer),
            sa.literal(category),
            delivery,
            sa.literal(utcnow(), UTCDateTime()),
        )
        .join(
            Membership,
            sa.and_(Membership.user_id == User.id, Membership.board_id == event.board_id),
        )
        .outerjoin(
            NotificationSetting,
            sa.and_(
                NotificationSetting.user_id == User.id, NotificationSetting.category == category
            ),
        )
        .where(
            User.active.is_(True),
            User.id != actor.id,
            User.id.in_(candidate_ids),
            delivery != OFF,
        )
    )
    columns = (
        "user_id",
        "board_id",
        "initiative_id",
        "event_id",
        "comment_id",
        "category",
        "delivery",
        "created_at",
    )
    deliveries = db.session.scalars(
        sa.insert(Notification).from_select(columns, recipients).returning(Notification.delivery)
    ).all()
    return INSTANT in deliveries
