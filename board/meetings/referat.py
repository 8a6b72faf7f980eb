"""The referat (minutes) of a meeting as data: what the .docx and the PDF
render, and what publishing freezes (`to_json` into
`Meeting.referat_snapshot`; `from_json` reads it back, as a published
status report's snapshot is read).

For each agenda item: the tiltag (with its pejlemærke and målsætning), its
column and vurdering at the meeting (as noted when the item was on the
screen or decided), what changed since the previous meeting, the decision
and the action points with owner and deadline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from ..event_kinds import stage_label
from ..extensions import db
from ..formatting import danish_date
from ..models import Board, Meeting
from . import agenda, queries, rating


@dataclass
class ReferatAction:
    text: str
    owner: str = ""
    deadline: str = ""  # ISO date or ""

    @property
    def deadline_label(self) -> str:
        return danish_date(date.fromisoformat(self.deadline)) if self.deadline else "–"


NO_DECISION = "Ingen beslutning noteret."


@dataclass
class ReferatItem:
    number: int
    title: str
    theme: str = ""
    objective: str = ""
    stage: str = ""  # the column's label at the meeting
    rating: str = ""  # the vurdering's label at the meeting
    owner: str = ""  # the card's owner (ansvarlig person)
    changes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it was on the agenda (labels)
    decision: str = ""
    actions: list[ReferatAction] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def facts(self) -> list[tuple[str, str]]:
        """(label, value) rows of the item's fact table, in both files."""
        rows = [("Pejlemærke", self.theme)]
        if self.objective:
            rows.append(("Målsætning", self.objective))
        rows += [
            ("Kolonne på mødet", self.stage),
            ("Vurdering på mødet", self.rating),
            ("Ansvarlig person", self.owner),
            ("På dagsordenen", ", ".join(self.reasons)),
        ]
        return [(label, value or "–") for label, value in rows]

    @property
    def decision_lines(self) -> list[str]:
        return (self.decision or NO_DECISION).splitlines() or [NO_DECISION]


@dataclass
class Referat:
    board_title: str
    title: str
    held_on: str  # ISO date
    attendees: list[str]
    items: list[ReferatItem]
    previous_held_on: str = ""  # ISO date or "": the first meeting on the board
    published_at: str = ""  # ISO datetime or "": a draft

    @property
    def day_label(self) -> str:
        return danish_date(date.fromisoformat(self.held_on))

    @property
    def heading(self) -> str:
        return f"Referat: {self.title}"

    @property
    def changes_heading(self) -> str:
        if not self.previous_held_on:
            return "Ændringer"
        since = danish_date(date.fromisoformat(self.previous_held_on))
        return f"Ændret siden mødet {since}"

    @property
    def facts(self) -> list[tuple[str, str]]:
        """(label, value) rows of the meeting's fact table, in both files."""
        return [
            ("Dato", self.day_label),
            ("Til stede", ", ".join(self.attendees) or "–"),
            ("Status", "Publiceret" if self.published_at else "Udkast (ikke publiceret)"),
        ]

    @property
    def footer(self) -> str:
        return f"Referat: {self.title}, {self.day_label}"

    def change_lines(self, item: ReferatItem) -> list[str]:
        """What changed on the item's card, or what to say instead."""
        if item.changes:
            return item.changes
        if self.previous_held_on:
            return ["Ingen ændringer."]
        return ["Første møde på tavlen: intet tidligere møde at sammenligne med."]

    @property
    def action_rows(self) -> list[tuple[ReferatItem, ReferatAction]]:
        return [(item, action) for item in self.items for action in item.actions]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Referat:
        data = dict(data)
        items = []
        for raw in data.pop("items", []):
            raw = dict(raw)
            actions = [ReferatAction(**a) for a in raw.pop("actions", [])]
            items.append(ReferatItem(**raw, actions=actions))
        return cls(**data, items=items)


def build_referat(meeting: Meeting) -> Referat:
    """The referat as the meeting stands now (a fixed number of queries)."""
    meeting = queries.load_meeting(meeting)
    changes = queries.changes_by_card(
        meeting.board_id, meeting.previous_held_on, [i.initiative_id for i in meeting.items]
    )
    items = []
    for number, item in enumerate(meeting.items, start=1):
        card = item.initiative
        items.append(
            ReferatItem(
                number=number,
                title=card.title,
                theme=card.theme.title if card.theme else "",
                objective=card.objective.label if card.objective else "",
                stage=stage_label(item.stage_seen or card.stage),
                rating=rating.rating_label(item.health_seen),
                owner=card.owner.name if card.owner else "",
                changes=changes.get(card.id, []),
                reasons=[agenda.REASON_LABELS.get(r, r) for r in item.reason_list],
                decision=item.decision,
                actions=[
                    ReferatAction(
                        text=a.text,
                        owner=a.owner.name if a.owner else "",
                        deadline=a.deadline.isoformat() if a.deadline else "",
                    )
                    for a in item.actions
                ],
            )
        )
    return Referat(
        board_title=db.session.get(Board, meeting.board_id).title,
        title=meeting.title,
        held_on=meeting.held_on.isoformat(),
        attendees=[u.name for u in meeting.attendees],
        items=items,
        previous_held_on=meeting.previous_held_on.isoformat() if meeting.previous_held_on else "",
    )


def referat_of(meeting: Meeting) -> Referat:
    """The published (frozen) referat, or the draft as the meeting stands."""
    if meeting.referat_snapshot is not None:
        return Referat.from_json(meeting.referat_snapshot)
    return build_referat(meeting)
