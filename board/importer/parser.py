"""From a RawTable to an ImportPlan: the themes, objectives and tiltag a
board would get, with a proposed column for each tiltag and notes on what the
importer was unsure about. Nothing is written here; the preview shows the
plan and `services.create_board` carries it out.

How rows are read (the Word documents in shared/seeds/ have all of these):

* A theme cell starts a new theme (the same text again continues it, as in
  our own .csv/.xlsx exports); an objective cell "2.2. Vores ..." starts a new
  objective; a tiltag cell adds a tiltag under the current theme/objective.
* Markup (<p>, <i>, <ul>) is removed; paragraphs become lines; the first line
  of a tiltag cell is its title, the rest its description.
* After a blank line (a page break inside the Word table), a row without
  theme or objective whose tiltag cell is empty or starts in lower case
  continues the tiltag before it, cell by cell; a very long tiltag cell there
  is read as the previous tiltag's description.
* A numbered objective in the theme column, a tiltag (no number) in the
  objective column and a tiltag in the iværksættelse column are moved to
  where they belong.
* A hyphen between two lower-case letters ("arbejds-gange") is read as a
  split word.
Every one of these guesses is a note on the item, shown in the preview.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ..column_rule import STAGES, propose_stage
from .cells import continue_paragraphs, plain_cell, starts_lower, unescape_formula, word_cell
from .sources import RawTable

ROLES = {
    "theme": "Pejlemærke / udviklingsspor",
    "objective": "Målsætning",
    "title": "Tiltag",
    "description": "Beskrivelse",
    "timeline": "Iværksættelse",
    "status_note": "Status",
    "stage": "Kolonne",
    "responsible": "Ansvarlig",
    "ignore": "Brug ikke",
}
STAGE_BY_LABEL = {
    "ikke iværksat": "ikke_ivaerksat",
    "planlagt": "planlagt",
    "igangsat": "igangsat",
    "afsluttet": "afsluttet",
}
STAGE_LABEL = {v: k.capitalize() for k, v in STAGE_BY_LABEL.items()}

# Field limits (Board.title 200, Theme.title 300, Objective.number 20 and
# title 500, Initiative.TITLE_MAX 500, TEXT_MAX 10,000).
THEME_MAX, OBJECTIVE_MAX, TITLE_MAX, TEXT_MAX, BOARD_TITLE_MAX = 300, 500, 500, 10_000, 200
OBJECTIVE_NUMBER_MAX = 20
# A "title" this long after a page break is the previous tiltag's description.
LONG_TITLE = 250
_OBJECTIVE_NUMBER = re.compile(r"^(\d+(?:\.\d+)+|\d+)\.?\s+(\S.*)$")


def guess_role(name: str) -> str:
    n = re.sub(r"<[^>]+>", "", name or "").strip().lower()
    if n.startswith("status"):
        return "status_note"
    if "iværksættelse" in n or "tidsplan" in n or "tidsramme" in n:
        return "timeline"
    if "beskrivelse" in n:
        return "description"
    if n.startswith("kolonne") or n in ("stade", "fase"):
        return "stage"
    if "ansvarlig" in n:
        return "responsible"
    if "målsætning" in n:
        return "objective"
    if any(w in n for w in ("pejlemærke", "udviklingsspor", "tema", "spor", "indsatsområde")):
        return "theme"
    if n.startswith("tiltag"):
        return "title"
    return "ignore"


def default_mapping(header: list[str]) -> list[str]:
    mapping, seen = [], set()
    for name in header:
        role = guess_role(name)
        if role != "ignore" and role in seen:
            role = "ignore"
        seen.add(role)
        mapping.append(role)
    return mapping


def check_mapping(mapping: list[str], header: list[str]) -> list[str]:
    errors = []
    if len(mapping) != len(header) or any(r not in ROLES for r in mapping):
        return ["Kolonnevalget passer ikke til tabellen. Start forfra."]
    if mapping.count("title") != 1:
        errors.append("Vælg præcis én kolonne som «Tiltag».")
    if mapping.count("theme") != 1:
        errors.append("Vælg præcis én kolonne som «Pejlemærke / udviklingsspor».")
    for role, label in ROLES.items():
        if role not in ("ignore", "title", "theme") and mapping.count(role) > 1:
            errors.append(f"Kolonnen «{label}» er valgt mere end én gang.")
    return errors


# --------------------------------------------------------------- the plan
@dataclass
class PlanInitiative:
    index: int
    line: int
    parts: dict = field(default_factory=dict)  # role -> paragraphs
    notes: list[str] = field(default_factory=list)
    stage: str = "ikke_ivaerksat"
    stage_reason: str = ""
    stage_confident: bool = True
    stage_source: str = "forslag"  # "forslag" (propose_stage), "kolonne" (file), "rettet"

    def text(self, role: str) -> str:
        return "\n".join(self.parts.get(role, []))

    @property
    def title(self) -> str:
        return (self.parts.get("title") or [""])[0]

    @property
    def description(self) -> str:
        return "\n".join((self.parts.get("title") or [])[1:] + self.parts.get("description", []))

    @property
    def timeline(self) -> str:
        return self.text("timeline")

    @property
    def status_note(self) -> str:
        return self.text("status_note")

    @property
    def responsible(self) -> str:
        return " ".join(self.parts.get("responsible", []))

    @property
    def stage_label(self) -> str:
        return STAGE_LABEL.get(self.stage, self.stage)

    @property
    def unsure(self) -> bool:
        return bool(self.notes) or not self.stage_confident


@dataclass
class PlanObjective:
    number: str
    title: str
    line: int
    notes: list[str] = field(default_factory=list)
    initiatives: list[PlanInitiative] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class PlanTheme:
    title: str
    line: int
    notes: list[str] = field(default_factory=list)
    initiatives: list[PlanInitiative] = field(default_factory=list)  # without objective
    objectives: list[PlanObjective] = field(default_factory=list)


@dataclass
class ImportPlan:
    table: RawTable
    mapping: list[str]
    as_of: datetime.date
    theme_label: str = "Pejlemærke"
    objective_label: str | None = None
    title_suggestion: str = ""
    description: str = ""
    themes: list[PlanTheme] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows skipped etc.
    errors: list[str] = field(default_factory=list)

    def initiatives(self) -> list[PlanInitiative]:
        return [
            i
            for t in self.themes
            for i in t.initiatives + [i for o in t.objectives for i in o.initiatives]
        ]

    @property
    def summary(self) -> str:
        """ "4 pejlemærker, 14 målsætninger, 29 tiltag"."""
        counts = self.counts
        parts = [f"{counts['themes']} {_plural(self.theme_label.lower())}"]
        if self.objective_label:
            parts.append(f"{counts['objectives']} {_plural(self.objective_label.lower())}")
        parts.append(f"{counts['initiatives']} tiltag")
        return ", ".join(parts)

    @property
    def counts(self) -> dict:
        return {
            "themes": len(self.themes),
            "objectives": sum(len(t.objectives) for t in self.themes),
            "initiatives": len(self.initiatives()),
            "unsure": sum(1 for i in self.initiatives() if i.unsure)
            + sum(1 for t in self.themes if t.notes)
            + sum(1 for t in self.themes for o in t.objectives if o.notes),
        }


def _plural(noun: str) -> str:
    if noun.endswith("e"):
        return noun + "r"
    if noun.endswith("ing"):
        return noun + "er"
    return noun  # "udviklingsspor", "tiltag"


def build_plan(
    table: RawTable,
    *,
    mapping: list[str] | None = None,
    as_of: datetime.date | None = None,
    stage_overrides: dict[int, str] | None = None,
) -> ImportPlan:
    mapping = list(mapping) if mapping else default_mapping(table.header)
    plan = ImportPlan(table=table, mapping=mapping, as_of=as_of or datetime.date.today())
    plan.errors = check_mapping(mapping, table.header)
    if plan.errors:
        return plan
    column = {role: mapping.index(role) for role in ROLES if role in mapping and role != "ignore"}
    plan.theme_label = _label(table.header[column["theme"]], "Pejlemærke")
    if "objective" in column:
        plan.objective_label = _label(table.header[column["objective"]], "Målsætning")
    plan.title_suggestion, plan.description = _preamble(table.preamble)
    _Reader(plan, column).read()
    _columns(plan, stage_overrides or {})
    _limits(plan)
    if not plan.initiatives() and not plan.themes:
        plan.errors.append("Tabellen indeholder ingen pejlemærker eller tiltag.")
    return plan


_MONTHS = (
    "januar februar marts april maj juni juli august september oktober november december"
).split()


def detect_as_of(table: RawTable) -> datetime.date | None:
    """The date the document describes, if it says: "pr. 15/3-23" (a header
    cell) or "pr. 15. marts 2024" (the preamble)."""
    text = " ".join(table.header + table.preamble).lower()
    for match in re.finditer(r"pr\.\s*(\d{1,2})/(\d{1,2})-(\d{2}|\d{4})\b", text):
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime.date(year + 2000 if year < 100 else year, month, day)
        except ValueError:
            continue
    months = "|".join(_MONTHS)
    for match in re.finditer(rf"pr\.\s*(\d{{1,2}})\.\s*({months})\s+(\d{{4}})", text):
        try:
            return datetime.date(
                int(match.group(3)), _MONTHS.index(match.group(2)) + 1, int(match.group(1))
            )
        except ValueError:
            continue
    return None


def _label(header_cell: str, default: str) -> str:
    text = re.sub(r"<[^>]+>", "", unescape_formula(header_cell)).strip()
    return text[:60] if text else default


def _preamble(lines: list[str]) -> tuple[str, str]:
    """A title suggestion (the first line that isn't "Status pr. <date>") and
    the paragraphs after it (the documents' intro), as the board's description."""
    texts = [re.sub(r"<[^>]+>", "", line).strip() for line in lines]
    texts = [t for t in texts if t]
    for index, text in enumerate(texts):
        if not re.match(r"(?i)^status pr\.", text):
            return text.rstrip(".")[:BOARD_TITLE_MAX], "\n\n".join(texts[index + 1 :])
    return "", ""


class _Reader:
    """Walks the rows once, keeping the current theme, objective and tiltag."""

    def __init__(self, plan: ImportPlan, column: dict[str, int]):
        self.plan = plan
        self.column = column
        self.word = plan.table.kind == "text"
        self.theme: PlanTheme | None = None
        self.objective: PlanObjective | None = None
        self.initiative: PlanInitiative | None = None
        self.count = 0

    def cell(self, row, role: str, notes: list[str]) -> list[str]:
        if role not in self.column:
            return []
        index = self.column[role]
        raw = row.cells[index] if index < len(row.cells) else ""  # a short row: empty cells
        return word_cell(raw, notes) if self.word else plain_cell(raw)

    def read(self) -> None:
        for row in self.plan.table.rows:
            cell_notes: dict[str, list[str]] = {role: [] for role in self.column}
            parts = {role: self.cell(row, role, cell_notes[role]) for role in self.column}
            if not any(parts.values()):
                continue
            self.row(row, parts, cell_notes)

    def row(self, row, parts: dict, cell_notes: dict[str, list[str]]) -> None:
        line = row.line
        theme_notes = cell_notes.pop("theme", [])
        objective_notes = cell_notes.pop("objective", [])
        notes = [n for role_notes in cell_notes.values() for n in role_notes]
        theme_text = " ".join(parts.get("theme", []))
        objective_text = " ".join(parts.get("objective", []))
        has_objectives = "objective" in self.column

        # Page-break continuation of the tiltag before.
        if (
            self.word
            and row.after_break
            and self.initiative is not None
            and not theme_text
            and not objective_text
        ):
            title = parts.get("title", [])
            others = any(parts.get(r) for r in parts if r not in ("title", "theme", "objective"))
            if not title or starts_lower(title):
                for role, paragraphs in parts.items():
                    if paragraphs and role not in ("theme", "objective"):
                        current = self.initiative.parts.get(role, [])
                        self.initiative.parts[role] = continue_paragraphs(current, paragraphs)
                self.initiative.notes.append(
                    f"Linje {line} efter et sideskift er læst som fortsættelsen af dette tiltag"
                )
                self.initiative.notes.extend(notes)
                return
            if not others and len(" ".join(title)) > LONG_TITLE:
                self.initiative.parts["description"] = (
                    self.initiative.parts.get("description", []) + title
                )
                self.initiative.notes.append(
                    f"Den lange tekst i linje {line} efter et sideskift er læst som beskrivelse "
                    "af dette tiltag, ikke som et nyt tiltag"
                )
                self.initiative.notes.extend(notes)
                return

        if theme_text:
            number = _OBJECTIVE_NUMBER.match(theme_text)
            if has_objectives and number and not objective_text and self.theme is not None:
                objective_text = theme_text
                theme_notes.append(
                    f"Målsætningen i linje {line} stod i {self.plan.theme_label.lower()}-kolonnen"
                )
                self.new_objective(objective_text, line, theme_notes)
            else:
                self.new_theme(theme_text, line, theme_notes)
        elif self.theme is None:
            self.new_theme("Uden " + self.plan.theme_label.lower(), line, [])
            self.theme.notes.append(f"Linje {line} har intet {self.plan.theme_label.lower()}")

        if objective_text and not (theme_text and objective_text == theme_text):
            if _OBJECTIVE_NUMBER.match(objective_text) or self.objective is None:
                self.new_objective(objective_text, line, objective_notes)
            else:
                notes.extend(objective_notes)
                # A tiltag written in the objective column; the cells to its
                # right are then one column too far left as well.
                shifted = parts.get("title", [])
                parts["title"] = parts.get("objective", [])
                if shifted and not parts.get("status_note") and "status_note" in self.column:
                    parts["status_note"] = shifted
                    notes.append(
                        f"Tiltaget i linje {line} stod i målsætning-kolonnen og dets status "
                        "i tiltag-kolonnen"
                    )
                else:
                    notes.append(f"Tiltaget i linje {line} stod i målsætning-kolonnen")

        if not parts.get("title") and parts.get("timeline"):
            parts["title"], parts["timeline"] = parts["timeline"], []
            notes.append(f"Tiltaget i linje {line} stod i iværksættelse-kolonnen")

        if parts.get("title"):
            self.count += 1
            item = PlanInitiative(index=self.count, line=line, notes=notes)
            for role in ("title", "description", "timeline", "status_note", "responsible", "stage"):
                if parts.get(role):
                    item.parts[role] = list(parts[role])
            (self.objective.initiatives if self.objective else self.theme.initiatives).append(item)
            self.initiative = item
        elif parts.get("status_note") or parts.get("description"):
            self.plan.notes.append(f"Linje {line} har tekst, men intet tiltag, og er sprunget over")

    def new_theme(self, text: str, line: int, notes: list[str]) -> None:
        for theme in self.plan.themes:
            if theme.title == text:  # repeated (our exports repeat it on every row)
                if theme is not self.theme:
                    self.theme, self.objective = theme, None
                return
        self.theme = PlanTheme(title=text, line=line, notes=list(notes))
        self.plan.themes.append(self.theme)
        self.objective = None

    def new_objective(self, text: str, line: int, notes: list[str]) -> None:
        match = _OBJECTIVE_NUMBER.match(text)
        number, title = (match.group(1), match.group(2)) if match else ("", text)
        for objective in self.theme.objectives:
            if (objective.number, objective.title) == (number, title):
                self.objective = objective
                return
        self.objective = PlanObjective(number=number, title=title, line=line, notes=list(notes))
        self.theme.objectives.append(self.objective)


def _columns(plan: ImportPlan, overrides: dict[int, str]) -> None:
    """Each tiltag's column: from the file's Kolonne column if it names one,
    else proposed by the column rule; a different choice made in the preview
    (`overrides`, by tiltag number) wins."""
    for item in plan.initiatives():
        given = " ".join(item.parts.get("stage", [])).strip().lower()
        if given in STAGE_BY_LABEL or given in STAGES:
            item.stage = STAGE_BY_LABEL.get(given, given)
            item.stage_source = "kolonne"
            item.stage_reason, item.stage_confident = "Angivet i filens kolonne", True
        else:
            proposal = propose_stage(item.status_note, item.timeline, plan.as_of)
            item.stage, item.stage_reason = proposal.stage, proposal.reason
            item.stage_confident = proposal.confident
            if given:
                item.stage_confident = False
                item.stage_reason = f"Ukendt kolonne «{given}»; forslag: {proposal.reason}"
        chosen = overrides.get(item.index)
        if chosen in STAGES and chosen != item.stage:
            proposed = item.stage_label
            item.stage, item.stage_source = chosen, "rettet"
            item.stage_reason = f"Valgt i forhåndsvisningen (forslaget var {proposed})"
            item.stage_confident = True


def _limits(plan: ImportPlan) -> None:
    for theme in plan.themes:
        if len(theme.title) > THEME_MAX:
            plan.errors.append(
                f"{plan.theme_label} i linje {theme.line} er længere end {THEME_MAX} tegn."
            )
        for objective in theme.objectives:
            if len(objective.number) > OBJECTIVE_NUMBER_MAX:
                plan.errors.append(
                    f"Målsætningens nummer i linje {objective.line} er længere end "
                    f"{OBJECTIVE_NUMBER_MAX} tegn."
                )
            if len(objective.title) > OBJECTIVE_MAX:
                plan.errors.append(
                    f"Målsætningen i linje {objective.line} er længere end {OBJECTIVE_MAX} tegn."
                )
    for item in plan.initiatives():
        if len(item.title) > TITLE_MAX:
            plan.errors.append(
                f"Tiltaget i linje {item.line} har en titel på over {TITLE_MAX} tegn. "
                "Er kolonnerne valgt rigtigt?"
            )
        for name, text in (
            ("beskrivelse", item.description),
            ("iværksættelse", item.timeline),
            ("status", item.status_note),
        ):
            if len(text) > TEXT_MAX:
                plan.errors.append(
                    f"Tiltaget i linje {item.line} har en {name} på over {TEXT_MAX} tegn."
                )
