"""What people can be told about (categories), how (deliveries), and which
Event kind is which category. Plain data, read by the fan-out, the settings
page, the digests and unsubscribe."""

from __future__ import annotations

# The kinds of notification, in the order the settings page shows them.
CATEGORIES = {
    "mention": "Når du bliver nævnt i en kommentar",
    "comment": "Nye kommentarer på tiltag, du følger",
    "move": "Når et tiltag, du følger, flyttes til en anden kolonne",
    "status": "Ændret status eller vurdering på tiltag, du følger",
    "archive": "Når et tiltag, du følger, arkiveres",
}

APP, INSTANT, DAILY, WEEKLY, OFF = "app", "instant", "daily", "weekly", "off"
DELIVERIES = {
    APP: "Kun i Tiltagstavlen",
    INSTANT: "E-mail med det samme",
    DAILY: "Daglig oversigt på e-mail",
    WEEKLY: "Ugentlig oversigt på e-mail",
    OFF: "Fra",
}
DIGESTS = (DAILY, WEEKLY)

# The card fields whose change is a "status" notification: the status text,
# and the vurdering once the card has one.
STATUS_FIELDS = ("status_note", "health")


def default_delivery(category: str, role: str | None) -> str:
    """Without a choice of their own: MED members get a daily digest (they
    are on the board a few hours a month); leaders hear of mentions at once
    and of the rest in the app."""
    if role == "med":
        return DAILY
    return INSTANT if category == "mention" else APP


def category_of(kind: str, payload: dict) -> str | None:
    """The followers' category of an Event, or None when followers are not
    told of it. (Mentions are found in the comment itself, see dispatch.)"""
    if kind == "comment.added":
        return "comment"
    if kind == "initiative.moved":
        return "move" if payload.get("from_stage") != payload.get("to_stage") else None
    if kind == "initiative.updated":
        changes = payload.get("changes") or {}
        return "status" if any(field in changes for field in STATUS_FIELDS) else None
    if kind == "initiative.archived":
        return "archive"
    return None
