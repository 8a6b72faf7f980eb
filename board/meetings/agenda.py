"""What goes on a new meeting's agenda, and in which order.

The agenda of a meeting held on day D is every live (not archived) tiltag
of the board that
* is flagged "Til drøftelse" (any member may flag it, MED included);
* is rated rød or gul (its vurdering);
* has a deadline (`due_date`) before D and is not in Afsluttet;
* changed after the previous meeting's day (a card Event after the end of
  that day, Copenhagen time), when there was a previous meeting.

Flagged cards come first, then rød, gul, passed deadlines and changed ones;
within a group in board order (column, then position). A card is on the
agenda once, with every reason that put it there. Four queries, whatever
the number of cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import STAGES, DiscussionFlag, Event, Initiative, Meeting, Stage
from ..reports.replay import CARD_KINDS, end_of_day
from . import rating

REASON_LABELS = {
    "flag": "Til drøftelse",
    "rating": "Vurderet gul eller rød",
    "deadline": "Frist overskredet",
    "changed": "Ændret siden sidste møde",
    "added": "Tilføjet af lederen",
}
_GROUP = {"flag": 0, "rating": 1, "deadline": 3, "changed": 4, "added": 5}
_STAGE_ORDER = {stage.value: n for n, stage in enumerate(STAGES)}


@dataclass
class Proposal:
    initiative: Initiative
    reasons: list[str] = field(default_factory=list)

    def sort_key(self):
        groups = [_GROUP[r] for r in self.reasons]
        if "rating" in self.reasons and rating.rating_of(self.initiative) == "gul":
            groups[self.reasons.index("rating")] = 2
        card = self.initiative
        return (min(groups), _STAGE_ORDER.get(card.stage, 9), card.position, card.id)


def previous_meeting_day(board_id: int, day: date) -> date | None:
    """The day of the board's latest meeting held before `day`."""
    return db.session.scalar(
        sa.select(sa.func.max(Meeting.held_on)).where(
            Meeting.board_id == board_id, Meeting.held_on < day
        )
    )


def propose_agenda(board_id: int, day: date, since: date | None) -> list[Proposal]:
    live = sa.select(Initiative).where(
        Initiative.board_id == board_id, Initiative.archived_at.is_(None)
    )
    proposals: dict[int, Proposal] = {}

    def add(cards, reason: str) -> None:
        for card in cards:
            proposal = proposals.setdefault(card.id, Proposal(card))
            if reason not in proposal.reasons:
                proposal.reasons.append(reason)

    flagged = live.join(DiscussionFlag, DiscussionFlag.initiative_id == Initiative.id)
    add(db.session.scalars(flagged), "flag")
    add(db.session.scalars(rating.rated_for_agenda(live)), "rating")
    overdue = live.where(Initiative.due_date < day, Initiative.stage != Stage.AFSLUTTET.value)
    add(db.session.scalars(overdue), "deadline")
    if since is not None:
        changed_ids = (
            sa.select(Event.initiative_id)
            .where(
                Event.board_id == board_id,
                Event.kind.in_(CARD_KINDS),
                Event.created_at >= end_of_day(since),
            )
            .distinct()
        )
        add(db.session.scalars(live.where(Initiative.id.in_(changed_ids))), "changed")
    return sorted(proposals.values(), key=Proposal.sort_key)
