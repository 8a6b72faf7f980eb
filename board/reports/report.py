"""The status report as data: what the status page, the downloads and a
published (frozen) report all render. It converts to and from plain JSON, so a
published report stores exactly what it showed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from ..formatting import danish_date
from ..models import STAGE_LABELS, Stage, health_label


@dataclass
class ReportRow:
    """One tiltag as it was on the report's date."""

    id: int
    title: str
    description: str = ""
    timeline: str = ""
    status_note: str = ""
    responsible: str = ""
    stage: str = Stage.IKKE_IVAERKSAT.value
    # Added with the vurdering: snapshots published before them load with
    # the defaults.
    health: str | None = None  # a models.Health value
    owner: str = ""  # the owner's name when the report was made

    @property
    def health_label(self) -> str:
        return health_label(self.health)

    @property
    def responsible_label(self) -> str:
        """Who is responsible, as the documents write it: the owner and the
        free text, each once."""
        names = [n for n in (self.owner, self.responsible) if n]
        return " / ".join(dict.fromkeys(names))

    @property
    def stage_label(self) -> str:
        try:
            return STAGE_LABELS[Stage(self.stage)]
        except ValueError:
            return self.stage


@dataclass
class ReportObjective:
    id: int
    number: str
    title: str
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def document_label(self) -> str:
        """As the documents write it: "2.2. Vores organisering ..."."""
        if self.number and not self.number.endswith("."):
            return f"{self.number}. {self.title}"
        return self.label


@dataclass
class ReportTheme:
    id: int | None
    title: str
    rows: list[ReportRow] = field(default_factory=list)  # tiltag without målsætning
    objectives: list[ReportObjective] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows) + sum(len(o.rows) for o in self.objectives)


@dataclass
class StatusReport:
    board_id: int
    board_title: str
    as_of: date
    theme_label: str
    objective_label: str | None
    description: str = ""
    theme_filter: str | None = None  # title of the pejlemærke filtered on
    themes: list[ReportTheme] = field(default_factory=list)

    @property
    def has_objectives(self) -> bool:
        return bool(self.objective_label)

    @property
    def heading(self) -> str:
        return f"Status pr. {danish_date(self.as_of)}"

    @property
    def intro(self) -> str:
        """A paragraph for a committee agenda."""
        scope = (
            f" under {self.theme_label.lower()}et «{self.theme_filter}»"
            if (self.theme_filter)
            else ""
        )
        return (
            f"Skemaet viser status pr. {danish_date(self.as_of)} for de "
            f"{self.row_count} tiltag{scope} i «{self.board_title}», sådan som de stod "
            "på tiltagstavlen ved dagens afslutning. Kolonnen angiver, om tiltaget er "
            "ikke iværksat, planlagt, igangsat eller afsluttet; status er den "
            "beskrivelse, der var skrevet på tiltaget på datoen."
        )

    @property
    def row_count(self) -> int:
        return sum(t.row_count for t in self.themes)

    def flat_rows(self):
        """(theme, objective or None, row or None) in document order; a row is
        None for a målsætning without tiltag (listed as such)."""
        for theme in self.themes:
            for row in theme.rows:
                yield theme, None, row
            for objective in theme.objectives:
                if not objective.rows:
                    yield theme, objective, None
                for row in objective.rows:
                    yield theme, objective, row
            if not theme.rows and not theme.objectives:
                yield theme, None, None

    # ------------------------------------------------------------ JSON
    def to_json(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict, **defaults) -> StatusReport:
        """`defaults` fill in what an older or hand-made snapshot lacks."""
        data = {**defaults, **(data or {})}
        themes = [
            ReportTheme(
                id=t.get("id"),
                title=t["title"],
                rows=[_row(r) for r in t.get("rows", [])],
                objectives=[
                    ReportObjective(
                        id=o["id"],
                        number=o.get("number", ""),
                        title=o["title"],
                        rows=[_row(r) for r in o.get("rows", [])],
                    )
                    for o in t.get("objectives", [])
                ],
            )
            for t in data.get("themes", [])
        ]
        return cls(
            board_id=data.get("board_id"),
            board_title=data.get("board_title", ""),
            as_of=date.fromisoformat(str(data["as_of"])),
            theme_label=data.get("theme_label") or "Pejlemærke",
            objective_label=data.get("objective_label"),
            description=data.get("description", ""),
            theme_filter=data.get("theme_filter"),
            themes=themes,
        )


_ROW_FIELDS = frozenset(ReportRow.__dataclass_fields__)


def _row(data: dict) -> ReportRow:
    """A row from a snapshot; keys a later version may add are left out."""
    return ReportRow(**{k: v for k, v in data.items() if k in _ROW_FIELDS})
