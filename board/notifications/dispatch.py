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

import functools

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
        instant = _insert(_mention_insert(), event, actor, comment_id, mentioned)
    instant = (
        _insert(_followers_insert(category, bool(mentioned)), event, actor, comment_id, mentioned)
        or instant
    )
    if instant:
        mailing.queue_instant(event, comment_id)


def _mentions_added_by_edit(event: Event, actor, comment_id: int | None) -> None:
    """An edit that mentions someone new: only they are told (a "mention";
    those the comment mentioned before were told already)."""
    comment = db.session.get(Comment, comment_id) if comment_id else None
    mentioned = [i for i in mentioned_ids(comment.body if comment else "") if i != actor.id]
    if not mentioned:
        return
    db.session.flush()
    following.start_following(event.initiative_id, mentioned, "mention")
    if _insert(_new_mention_insert(), event, actor, comment_id, mentioned):
        mailing.queue_instant(event, comment_id)


# The INSERT ... SELECT statements are built once per category, with bind
# parameters (n_*) for the Event: every change to a card runs one under the
# board's lock, and building the expression cost more Python time than the
# database spends on it.
_MENTIONED = sa.bindparam("n_mentioned", expanding=True)


@functools.cache
def _followers_insert(category: str, excluding_mentioned: bool):
    """The card's followers (less those a comment mentions, told apart)."""
    followers = following.follower_ids_query(sa.bindparam("n_initiative_id")).subquery()
    candidates = sa.select(followers.c[0])
    if excluding_mentioned:
        candidates = candidates.where(followers.c[0].not_in(_MENTIONED))
    return _insert_statement(category, candidates)


@functools.cache
def _mention_insert():
    return _insert_statement("mention", sa.select(User.id).where(User.id.in_(_MENTIONED)))


@functools.cache
def _new_mention_insert():
    """Those an edited comment mentions and was not yet a mention for."""
    told = sa.select(Notification.user_id).where(
        Notification.comment_id == sa.bindparam("n_comment_id"),
        Notification.category == "mention",
    )
    new = sa.select(User.id).where(User.id.in_(_MENTIONED), User.id.not_in(told))
    return _insert_statement("mention", new)


def _insert_statement(category: str, candidate_ids):
    """INSERT ... SELECT: a notification for each candidate who can see the
    board and has not turned `category` off, with their delivery choice (or
    the default for their role on this board), returning the deliveries."""
    delivery = sa.func.coalesce(
        NotificationSetting.delivery,
        sa.case(
            (Membership.role == "med", default_delivery(category, "med")),
            else_=default_delivery(category, "leder"),
        ),
    )
    board_id = sa.bindparam("n_board_id", type_=sa.Integer)
    recipients = (
        sa.select(
            User.id,
            board_id,
            sa.bindparam("n_initiative_id", type_=sa.Integer),
            sa.bindparam("n_event_id", type_=sa.Integer),
            sa.bindparam("n_comment_id", type_=sa.Integer),
            sa.literal(category),
            delivery,
            sa.bindparam("n_created_at", type_=UTCDateTime()),
        )
        .join(Membership, sa.and_(Membership.user_id == User.id, Membership.board_id == board_id))
        .outerjoin(
            NotificationSetting,
            sa.and_(
                NotificationSetting.user_id == User.id, NotificationSetting.category == category
            ),
        )
        .where(
            User.active.is_(True),
            User.id != sa.bindparam("n_actor_id"),
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
    table = Notification.__table__  # Core: the ORM's bulk INSERT has no RETURNING from a SELECT
    return sa.insert(table).from_select(columns, recipients).returning(table.c.delivery)


def _insert(statement, event: Event, actor, comment_id: int | None, mentioned) -> bool:
    """Run one of the statements above for `event`. Returns whether any
    recipient wants an e-mail at once: the INSERT returns the deliveries, so
    the usual case (nobody) costs no query to look for mails to queue."""
    deliveries = db.session.scalars(
        statement,
        {
            "n_board_id": event.board_id,
            "n_initiative_id": event.initiative_id,
            "n_event_id": event.id,
            "n_comment_id": comment_id,
            "n_created_at": utcnow(),
            "n_actor_id": actor.id,
            "n_mentioned": list(mentioned),
        },
    ).all()
    return INSTANT in deliveries
