"""Notification e-mails "at once": queued in the outbox in the transaction of
the change (never sent inside the request). Filled in once the outbox has
landed."""

from __future__ import annotations


def queue_instant(event, comment_id) -> None:
    return None


def drop_unsent_about_comment(comment_id) -> None:
    return None
