"""The vurdering (health: grøn/gul/rød, `models.Health`) as the meetings
read it: what puts a card on the agenda and how the referat names it."""

from __future__ import annotations

from ..models import Health, Initiative, health_label

# Ratings that put a card on the agenda (worst first).
AGENDA_RATINGS = (Health.ROED.value, Health.GUL.value)


def rating_of(initiative) -> str:
    return initiative.health or ""


def rating_label(value: str | None) -> str:
    return health_label(value) or "–"


def rated_for_agenda(query):
    """`query` on Initiative narrowed to the cards rated gul or rød."""
    return query.where(Initiative.health.in_(AGENDA_RATINGS))
