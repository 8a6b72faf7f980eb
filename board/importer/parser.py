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
* From a .docx (docx_source.py): a heading row (one cell across the table)
  starts a new theme; a row whose tiltag cell is merged with the one above
  adds its texts to that tiltag.
Every one of these guesses is a note on the item, shown in the preview.

Column roles come from roles.py (header words, then content). Only a missing
tiltag column blocks the board; a missing theme column puts every tiltag
under one theme; a role chosen for several columns joins their texts.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ..column_rule import HEALTHS, STAGES, health_of, periods, propose_stage
from ..models import Health
from .cells import continue_paragraphs, plain_cell, starts_lower, unescape_formula, word_cell
from .roles import ROLES, guess_roles
from .sources import RawTable

# The preview's and the command line's words for a vurdering: the traffic
# light and the app's own label (board.models.Health).
HEALTH_LABEL = {
    h.value: f"{color} ({h.label})" for h, color in zip(Health, ("Grøn", "Gul", "Rød"), strict=True)
}
# Our own exports write the label ("På rette spor") in their Vurdering column.
_HEALTH_BY_LABEL = {h.label.lower(): h.value for h in Health}
NO_THEME_TITLE = "Alle tiltag"
NO_TITLE_COLUMN = "Vælg, hvilken kolonne der indeholder tiltagene («Tiltag»)."
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


def default_mapping(header: list[str], table: RawTable | None = None) -> list[str]:
    return guess_columns(header, table)[0]


def guess_columns(header: list[str], table: RawTable | None) -> tuple[list[str], list[str]]:
    """The guessed role of each column, and the notes on content guesses."""
    columns: list[list[str]] = [[] for _ in header]
    for row in table.rows if table else []:
        if row.heading:
            continue
        for index in range(len(header)):
            raw = row.cells[index] if index < len(row.cells) else ""
            value = re.sub(r"<[^>]+>", " ", unescape_formula(raw)).strip()
            if row.continued[index : index + 1] == [True] and columns[index]:
                value = columns[index][-1]  # a merged cell repeats the one above
            columns[index].append(value)
    return guess_roles(header, columns)


def check_mapping(mapping: list[str], header: list[str]) -> list[str]:
    """What blocks creating the board in the chosen roles: only a missing
    tiltag column (and a mapping that does not fit the table, which the
    page never sends)."""
    if len(mapping) != len(header) or any(r not in ROLES for r in mapping):
        return ["Kolonnevalget passer ikke til tabellen. Start forfra."]
    if "title" not in mapping:
        return [NO_TITLE_COLUMN]
    return []


def mapping_notes(mapping: list[str], header: list[str]) -> list[str]:
    notes = []
    for role, label in ROLES.items():
        chosen = [i for i, r in enumerate(mapping) if r == role]
        if role != "ignore" and len(chosen) > 1:
            names = " og ".join(f"«{_label(header[i], str(i + 1))}»" for i in chosen)
            notes.append(
                f"Kolonnerne {names} er alle valgt som «{label}»; teksterne lægges sammen."
            )
    return notes


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
    health: str | None = None  # "groen", "gul", "roed" (Initiative.health)
    health_reason: str = ""

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
    def health_label(self) -> str:
        return HEALTH_LABEL.get(self.health, "Ingen")

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
    notes: list[str] = field(default_factory=list)  # rows skipped, roles guessed etc.
    errors: list[str] = field(default_factory=list)

    def initiatives(self) -> list[PlanInitiative]:
        return [
            i
            for t in self.themes
            for i in t.initiatives + [i for o in t.objectives for i in o.initiatives]
        ]

    @property
    def summary(self) -> str:
        """ "4 pejlemærker, 14 målsætninger, 29 tiltag" ("1 pejlemærke")."""
        counts = self.counts
        parts = [counted(counts["themes"], self.theme_label.lower())]
        if self.objective_label:
            parts.append(counted(counts["objectives"], self.objective_label.lower()))
        parts.append(counted(counts["initiatives"], "tiltag"))
        return ", ".join(parts)

    @property
    def unsure_summary(self) -> str:
        """ "3 punkter bør kontrolleres" ("1 punkt"), or ""."""
        unsure = self.counts["unsure"]
        if not unsure:
            return ""
        return f"{unsure} {'punkt' if unsure == 1 else 'punkter'} bør kontrolleres"

    def to_json(self) -> dict:
        """The plan as `import-table --dry-run --json` prints it."""
        themes, initiatives = [], []
        for theme in self.themes:
            themes.append(
                {
                    "title": theme.title,
                    "objectives": [
                        {"number": o.number, "title": o.title} for o in theme.objectives
                    ],
                }
            )
            groups = [(None, theme.initiatives)] + [(o, o.initiatives) for o in theme.objectives]
            for objective, items in groups:
                for item in items:
                    initiatives.append(
                        {
                            "title": item.title,
                            "theme": theme.title,
                            "objective": (objective.number or objective.title)
                            if objective
                            else None,
                            "stage": item.stage,
                            "health": item.health,
                            "confident": item.stage_confident,
                            "reason": item.stage_reason,
                        }
                    )
        return {"themes": themes, "initiatives": initiatives}

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


# Danish plurals of the level names a header may give ("1 pejlemærke",
# "2 pejlemærker", "3 målsætninger", "4 udviklingsspor", "2 temaer").
_PLURALS = {"mål": "mål", "tema": "temaer", "delmål": "delmål", "spor": "spor"}


def plural(noun: str) -> str:
    if noun in _PLURALS or noun.split()[-1:] and noun.split()[-1] in _PLURALS:
        last = noun.split()[-1]
        return noun[: len(noun) - len(last)] + _PLURALS[last]
    if noun.endswith(("er", "spor", "tiltag", "tiltak", "mål")):
        return noun  # already plural, or the same in the plural
    if noun.endswith("e"):
        return noun + "r"
    if noun.endswith(("ing", "ning")):
        return noun + "er"
    if noun.endswith("a"):
        return noun + "er"
    return noun


def counted(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else plural(noun)}"


def build_plan(
    table: RawTable,
    *,
    mapping: list[str] | None = None,
    as_of: datetime.date | None = None,
    stage_overrides: dict[int, str] | None = None,
    health_overrides: dict[int, str] | None = None,
) -> ImportPlan:
    """The plan for `table` read with `mapping` (guessed when None: the
    guesses are notes). `stage_overrides`/`health_overrides` are the
    preview's per-tiltag choices, by tiltag number."""
    notes = list(table.notes)
    if mapping:
        mapping = list(mapping)
    else:
        mapping, guesses = guess_columns(table.header, table)
        notes += guesses
    plan = ImportPlan(table=table, mapping=mapping, as_of=as_of or datetime.date.today())
    plan.notes = notes
    plan.errors = check_mapping(mapping, table.header)
    if plan.errors:
        return plan
    plan.notes += mapping_notes(mapping, table.header)
    column = {
        role: [i for i, r in enumerate(mapping) if r == role]
        for role in ROLES
        if role in mapping and role != "ignore"
    }
    if "theme" in column:
        plan.theme_label = _label(table.header[column["theme"][0]], "Pejlemærke")
    if "objective" in column:
        plan.objective_label = _label(table.header[column["objective"][0]], "Målsætning")
    plan.title_suggestion, plan.description = _preamble(table.preamble)
    _Reader(plan, column).read()
    _columns(plan, stage_overrides or {}, health_overrides or {})
    _limits(plan)
    if not plan.initiatives() and not plan.themes:
        name = _label(table.header[column["title"][0]], "Tiltag")
        plan.errors.append(f"Tabellen har ingen tiltag i kolonnen «{name}».")
    return plan


_MONTHS = (
    "januar februar marts april maj juni juli august september oktober november december"
).split()


# "Status T2 2021", "Uppföljning per 31 augusti 2021", "Opfølgning Q3 2025":
# a date or period within a few words after one of these is the status date.
_STATUS_WORDS = re.compile(
    r"(?<!\w)(?:status|statusrapport|pr\.|per|opfølgning|uppföljning|oppfølging|"
    r"afrapportering|rapportering)(?!\w)"
)


def detect_as_of(table: RawTable) -> datetime.date | None:
    """The date the document describes, if it says: "pr. 15/3-23" (a header
    cell), "pr. 15. marts 2024" (the preamble), or a date or period after a
    status word ("Status T2 2021": the period's last day)."""
    found = _day_as_of(" ".join(table.header + table.preamble).lower())
    if found:
        return found
    for line in table.header + table.preamble:
        line = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).lower()
        for match in _STATUS_WORDS.finditer(line):
            after = line[match.end() : match.end() + 40]
            if not re.search(r"\b20\d\d\b", after):
                continue
            named = periods(after, datetime.date.today())
            if named:
                return min(named, key=lambda p: after.find(p.label)).end
    return None


def _day_as_of(text: str) -> datetime.date | None:
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
        self.breaks = plan.table.kind in ("text", "docx")  # rows continued after a page break
        self.theme: PlanTheme | None = None
        self.objective: PlanObjective | None = None
        self.initiative: PlanInitiative | None = None
        self.count = 0

    def cell(self, row, role: str, notes: list[str]) -> list[str]:
        paragraphs = []
        for index in self.column.get(role, []):
            raw = row.cells[index] if index < len(row.cells) else ""  # a short row: empty cells
            paragraphs += word_cell(raw, notes) if self.word else plain_cell(raw)
        return paragraphs

    def read(self) -> None:
        if "theme" not in self.column and not any(r.heading for r in self.plan.table.rows):
            self.new_theme(NO_THEME_TITLE, 0, [])
            self.plan.notes.append(
                f"Ingen kolonne er valgt som «{ROLES['theme']}»: alle tiltag samles under "
                f"«{NO_THEME_TITLE}»."
            )
        for row in self.plan.table.rows:
            if row.heading:
                text = " ".join(plain_cell(" ".join(row.cells)))
                if text:
                    self.new_theme(text[:THEME_MAX], row.line, [])
                    self.initiative = None
                continue
            cell_notes: dict[str, list[str]] = {role: [] for role in self.column}
            parts = {role: self.cell(row, role, cell_notes[role]) for role in self.column}
            if not any(parts.values()):
                continue
            if self.merged_tiltag(row, parts):
                continue
            self.row(row, parts, cell_notes)

    def merged_tiltag(self, row, parts: dict) -> bool:
        """A .docx row whose tiltag cell is merged with the one above: its
        texts belong to that tiltag (one tiltag over several status rows)."""
        index = self.column["title"][0]
        if self.initiative is None or not row.continued[index : index + 1] == [True]:
            return False
        if parts.get("theme") or parts.get("objective"):
            return False
        for role, paragraphs in parts.items():
            if paragraphs and role not in ("title", "theme", "objective"):
                self.initiative.parts[role] = self.initiative.parts.get(role, []) + paragraphs
        return True

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
            self.breaks
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
            for role in (
                "title",
                "description",
                "timeline",
                "status_note",
                "responsible",
                "stage",
                "health",
            ):
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


def _columns(plan: ImportPlan, overrides: dict[int, str], health_overrides: dict[int, str]) -> None:
    """Each tiltag's column: from the file's Kolonne column if it names one,
    else proposed by the column rule; a different choice made in the preview
    (`overrides`, by tiltag number) wins. Its vurdering likewise: from a
    Vurdering column, else from a traffic-light word in the status."""
    for item in plan.initiatives():
        _health(item, plan, health_overrides.get(item.index))
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


def _health(item: PlanInitiative, plan: ImportPlan, chosen: str | None) -> None:
    given = item.text("health")
    if given.strip().lower() in _HEALTH_BY_LABEL:
        item.health = _HEALTH_BY_LABEL[given.strip().lower()]
        item.health_reason = f"Vurderingskolonnen siger «{given.strip()}»"
    elif given:
        item.health, word = health_of(given)
        item.health_reason = (
            f"Vurderingskolonnen siger «{word}»"
            if item.health
            else f"Ukendt vurdering «{given[:40]}»"
        )
    else:
        item.health, word = health_of(item.status_note)
        item.health_reason = f"Status begynder med «{word}»" if item.health else ""
    if chosen is not None and (chosen in HEALTHS or chosen == "") and chosen != (item.health or ""):
        item.health = chosen or None
        item.health_reason = "Valgt i forhåndsvisningen"


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
