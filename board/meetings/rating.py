"""The vurdering (health: grøn/gul/rød) as the meetings read it.

`Initiative.health` and `board.models.Health` come with the card's owner and
vurdering; until a database has them, a card has no vurdering and no card is
on an agenda for its rating. This module is the one place that knows.
"""

from __future__ import annotations

from .. import models

# Ratings that put a card on the agenda (worst first).
AGENDA_RATINGS = ("roed", "gul")


def has_ratings() -> bool:
    return hasattr(models.Initiative, "health")


def rating_of(initiative) -> str:
    value = getattr(initiative, "health", None)
    return getattr(value, "value", value) or ""


def rating_label(value: str | None) -> str:
    if not value:
        return "–"
    health = getattr(models, "Health", None)
    if health is not None:
        try:
            return health(value).label
        except ValueError:
            return value
    return {"groen": "Grøn", "gul": "Gul", "roed": "Rød"}.get(value, value)


def rated_for_agenda(query):
    """`query` on Initiative narrowed to the cards rated gul or rød (nothing
    when there are no ratings)."""
    if not has_ratings():
        return None
    return query.where(models.Initiative.health.in_(AGENDA_RATINGS))
