"""The column rule: which kanban column (stage) a tiltag belongs in, proposed
from its free-text status and, where the status says nothing, its timeline;
and the vurdering (traffic light) the status gives, if any.

This docstring is the written-down rule; its vocabulary is data, in
``board/column_phrases.toml`` (one reviewed table of phrases per column,
Danish, Swedish and Norwegian). The rule places the demo boards' tiltag and
proposes columns for tables read by the importer; a person can always move
the card afterwards. Pure Python, stdlib only, no app imports.

Columns (``STAGES``, left to right): ``ikke_ivaerksat`` (Ikke iværksat),
``planlagt`` (Planlagt), ``igangsat`` (Igangsat), ``afsluttet`` (Afsluttet).
Vurderinger (``HEALTHS``): ``groen``, ``gul``, ``roed``.

Before matching, the texts are normalised: HTML-ish tags are removed, Unicode
is put in NFC form, case is folded to lower case and runs of whitespace become
one space. A status that has no letters or digits at all ("", "-", "–") counts
as empty. Phrases match whole words only ("februar" never inside "februari").

The status is scanned for these signals (the phrases are in the data file):

* NOT STARTED (``[ikke_ivaerksat]``): "ikke iværksat", "endnu ikke
  igangsat", "ej påbörjad", "ikke påbegynt", ...
* PLANNED (``[planlagt]``): "planlagt", "under planlægning", "forventes",
  "afventer", "i støbeskeen", "skal <verb>-es", "planeras", "planlegges",
  ... "planlagt igangsat" and "forventes afsluttet" count as PLANNED only.
* ONGOING (``[igangsat]``): "igangsat", "i gang", "foregår", "pågår",
  "kører", "under udarbejdelse", "ikke afsluttet", "delvist gennemført",
  "påbörjad", "under arbeid", ...; and "som planlagt", "efter planen",
  "enligt plan", tried before the PLANNED phrases (work that goes as planned
  is under way).
* FINISHED (``[afsluttet]``): an auxiliary ("er", "blev", "blevet", "är",
  "har", "ble", ...) followed within six words, none of them a negation, by
  a participle ("ansat", "besat", "gennemført", "klar", "ferdig", ...), so
  "er pr. 15. marts 2023 blevet besat"; or a finished word anywhere not
  right after a negation ("Gennemført", "Afsluttet i 2023", "avslutad");
  or a status that starts with "Klar".
* PERCENTAGE: "40 %", "40 procent", "40 pct." (the first one counts).
* DATES: a quarter ("3. kvartal 2024", "første kvartal", "Q3 2025",
  "kvartal 3 2025"), a tertial ("T2 2021", "2. tertial 2021": T1 is
  January-April, T2 May-August, T3 September-December), a half-year
  ("2. halvår 2024", "andra halvåret", "H2 2024"), a season ("forår 2023",
  "efteråret", "hösten 2021", "høst 2024") or a month, optionally with a day
  ("maj 2024", "den 29. marts", "sep. 2023", "februari"). A missing year is
  taken from the nearest following year in the text, else from ``as_of``.
  A period is *future* if it starts after ``as_of``, *past* if it ended
  before ``as_of``, otherwise *current*. Bare years ("i 2023") and week
  numbers are ignored: they are too coarse to say anything.
* TRAFFIC LIGHT (``[vurdering]``): "Grøn", "Gul", "Rød" (and "grön",
  "röd", "grønn", ...) as the first word of the status or of one of its
  lines, followed by the end, a line break or a punctuation mark ("Grøn –
  forløber", "Status: Gul", but not "Grøn omstilling"): the proposal's
  ``health`` (``groen``/``gul``/``roed``). It says how the work goes, not
  where it is, so on its own it gives no column.

The rule, first match wins:

1. Empty status: if the timeline names a future period the tiltag is
   ``planlagt`` (not confident: only the plan says so); otherwise
   ``ikke_ivaerksat``.
2. NOT STARTED and no other signal -> ``ikke_ivaerksat``. (If other signals
   are present too, the status is mixed: fall through, not confident.)
3. PERCENTAGE: 0 % -> ``ikke_ivaerksat``, 100 % -> ``afsluttet``, anything
   between -> ``igangsat`` ("40 % gennemført, forventes færdig i maj" is
   igangsat): a number is plainer than any word next to it.
4. ONGOING -> ``igangsat``. Ongoing work beats planned or finished parts
   ("er igangsat ... og forventes afsluttet i september" is igangsat), and
   beats future dates ("Foregår ... deadline i maj 2024" is igangsat).
5. FINISHED together with something pending (PLANNED, NOT STARTED or a future
   period) -> ``igangsat``: part is done, part remains ("Der er udarbejdet en
   vejledning, som skal implementeres").
6. FINISHED alone -> ``afsluttet`` ("Aftaleholder er ansat.").
7. PLANNED, or a future or current period -> ``planlagt`` ("Proces
   igangsættes 3. kvartal 2024", "4. kvartal 2024" as of 1.3.2024). Not
   confident when the only period is the current one, or when every period the
   status names has already passed (the plan may be out of date).
8. Nothing matched (e.g. the status only names who is responsible, or is
   only a traffic light): a best guess, never confident: ``planlagt`` if the
   timeline names a future period, ``igangsat`` if the status or timeline
   names only periods that have begun, or if the status is only a traffic
   light (someone rates work that exists), else ``ikke_ivaerksat``.

Where the rule is unsure (``confident`` False) the importer shows
"Kontrollér". The reason is Danish and shown to users, e.g. "Status nævner
«igangsat»".
"""

from __future__ import annotations

import datetime
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

STAGES = ("ikke_ivaerksat", "planlagt", "igangsat", "afsluttet")
HEALTHS = ("groen", "gul", "roed")
PHRASES_FILE = Path(__file__).with_name("column_phrases.toml")
LANGUAGES = ("da", "sv", "no")


@dataclass(frozen=True)
class Proposal:
    """A proposed column: ``stage`` (one of STAGES), a Danish ``reason`` for the
    user, whether the rule is ``confident`` (False = please check), and the
    vurdering the status names (one of HEALTHS, or None)."""

    stage: str
    reason: str
    confident: bool
    health: str | None = None


# --------------------------------------------------------------- vocabulary
def _normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def load_phrases(path: Path = PHRASES_FILE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _words(table: dict, key: str = "") -> list[str]:
    """Every language's phrases of a table (or of its sub-table `key`)."""
    part = table.get(key, {}) if key else table
    found: list[str] = []
    for language in LANGUAGES:
        for phrase in part.get(language, []):
            phrase = _normalise(phrase)
            if phrase not in found:
                found.append(phrase)
    return found


def _phrase(phrase: str) -> str:
    """A regular expression matching `phrase` as whole words."""
    return r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _column(table: dict) -> list[str]:
    patterns = [rf"(?<!\w)(?:{p})(?!\w)" for p in table.get("patterns", [])]
    return patterns + [_phrase(p) for p in sorted(_words(table), key=len, reverse=True)]


def _finished(table: dict) -> list[str]:
    negations = _alternatives(table["negations"])
    auxiliaries = _alternatives(_words(table, "auxiliaries"))
    participles = _alternatives(_words(table, "participles"))
    not_after_negation = "".join(f"(?<!{re.escape(n)} )" for n in table["negations"])
    anywhere = _alternatives(_words(table, "phrases"))
    alone = _alternatives(_words(table, "alone"))
    return [
        rf"(?<!\w)(?:{auxiliaries})(?:\s+(?!(?:{negations})(?!\w))\S+){{0,6}}?\s+"
        rf"(?:{participles})(?!\w)",
        rf"{not_after_negation}(?<!\w)(?:{anywhere})(?!\w)",
        rf"^(?:{alone})(?!\w)",
    ]


_VOCABULARY = load_phrases()
_NOT_STARTED = _column(_VOCABULARY["ikke_ivaerksat"])
_PLANNED = _column(_VOCABULARY["planlagt"])
_ONGOING = _column(_VOCABULARY["igangsat"])
_ONGOING_FIRST = [_phrase(p) for p in _VOCABULARY["igangsat"]["before_planned"]]
_FINISHED = _finished(_VOCABULARY["afsluttet"])
_HEALTH_WORDS = {word: health for health in HEALTHS for word in _VOCABULARY["vurdering"][health]}
# At the start of the text or of a line, after bullets or "Status:".
_HEALTH_RE = re.compile(
    rf"(?:^|\n)\W*(?:(?:status|vurdering|bedömning)\s*:\s*)?"
    rf"({_alternatives(list(_HEALTH_WORDS))})(?=\s*(?:$|\n|[-–—:.,;/()]))",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(r"(?<![\d,.])(\d{1,3})(?:[,.]\d+)?\s?(?:%|procent\b|prosent\b|pct\b)")


# --------------------------------------------------------------- dates
_DATES = _VOCABULARY["dates"]
_MONTHS: dict[str, int] = dict(_DATES["months"])
_ORDINALS: dict[str, int] = dict(_DATES["ordinals"])
_SEASONS: dict[str, tuple[int, int]] = {k: tuple(v) for k, v in _DATES["seasons"].items()}
_SEASONS_WITH_YEAR = {k: tuple(v) for k, v in _DATES["seasons_with_year"].items()}

_ORD = _alternatives(list(_ORDINALS))
_N = rf"(?:([1-4])\.?|({_ORD}))"
_YEAR = r"(?:\s+(20\d\d)\b)?"
# "Q3 2025", "Q3-2025", "T2/2021": the short forms only with a year ("T2-diabetes")
_LINKED_YEAR = r"\s*[-/ ]?\s*(20\d\d)\b"
_QUARTER_RES = (
    re.compile(rf"(?<!\w){_N}\s*kvartal(?:et)?(?!\w){_YEAR}"),
    re.compile(r"(?<!\w)kvartal\s+([1-4])()(?!\w)" + _YEAR),
    re.compile(r"(?<!\w)q([1-4])()(?!\w)" + _LINKED_YEAR),
)
_TERTIAL_RES = (
    re.compile(rf"(?<!\w){_N}\s*tertial(?:et)?(?!\w){_YEAR}"),
    re.compile(r"(?<!\w)t([1-3])()(?!\w)" + _LINKED_YEAR),
)
_HALF_RES = (
    re.compile(rf"(?<!\w){_N}\s*halvår(?:et)?(?!\w){_YEAR}"),
    re.compile(r"(?<!\w)h([12])()(?!\w)" + _LINKED_YEAR),
)
_SEASON_RE = re.compile(rf"(?<!\w)({_alternatives(list(_SEASONS))})(?!\w){_YEAR}")
_SEASON_YEAR_RE = re.compile(
    rf"(?<!\w)({_alternatives(list(_SEASONS_WITH_YEAR))})\s+(20\d\d)(?!\w)"
)
_MONTH_NAMES = [m for m in _MONTHS if len(m) > 4 or m in ("maj", "mai", "juni", "juli", "mars")]
_MONTH_SHORT = [m for m in _MONTHS if m not in _MONTH_NAMES]
_MONTH_RE = re.compile(
    r"(?:(?<!\w)(\d{1,2})\.?\s*)?(?<!\w)((?:"
    + _alternatives(_MONTH_NAMES)
    + r")(?!\w)|(?:"
    + _alternatives(_MONTH_SHORT)
    + r")\.)"
    + _YEAR
)
_NEXT_YEAR_RE = re.compile(r"\b(20\d\d)\b")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime.date
    end: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _year_for(text: str, m: re.Match, group: int, as_of: datetime.date) -> int:
    """The year written right after the match, else the first year within the
    next 30 characters ("maj/juni 2023", "29. marts og 27. sep. 2023"), else
    the year of as_of."""
    if m.group(group):
        return int(m.group(group))
    nxt = _NEXT_YEAR_RE.search(text[m.end() : m.end() + 30])
    return int(nxt.group(1)) if nxt else as_of.year


def _numbered(text: str, patterns, months: int, count: int, as_of) -> list[Period]:
    """Quarters (3 months, 4 a year), tertials (4, 3) and half-years (6, 2)."""
    found = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            n = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)]
            if not 1 <= n <= count:
                continue
            y = _year_for(text, m, 3, as_of)
            first = months * (n - 1) + 1
            found.append(
                Period(
                    m.group(0),
                    datetime.date(y, first, 1),
                    _month_end(y, first + months - 1),
                )
            )
    return found


def periods(text: str, as_of: datetime.date) -> list[Period]:
    """The periods a normalised (lower-case) text names, in the order of the
    kinds above."""
    found = _numbered(text, _QUARTER_RES, 3, 4, as_of)
    found += _numbered(text, _TERTIAL_RES, 4, 3, as_of)
    found += _numbered(text, _HALF_RES, 6, 2, as_of)
    for m in _SEASON_RE.finditer(text):
        first, last = _SEASONS[m.group(1)]
        y = _year_for(text, m, 2, as_of)
        found.append(Period(m.group(0), datetime.date(y, first, 1), _month_end(y, last)))
    for m in _SEASON_YEAR_RE.finditer(text):
        first, last = _SEASONS_WITH_YEAR[m.group(1)]
        y = int(m.group(2))
        found.append(Period(m.group(0), datetime.date(y, first, 1), _month_end(y, last)))
    for m in _MONTH_RE.finditer(text):
        month = _MONTHS[m.group(2).rstrip(".")]
        y = _year_for(text, m, 3, as_of)
        if m.group(1) and 1 <= int(m.group(1)) <= _month_end(y, month).day:
            day = datetime.date(y, month, int(m.group(1)))
            found.append(Period(m.group(0), day, day))
        else:
            found.append(Period(m.group(0), datetime.date(y, month, 1), _month_end(y, month)))
    return found


# --------------------------------------------------------------- helpers
def _take(text: str, patterns: list[str]) -> tuple[str, list[str]]:
    """Find every pattern in text; return the text with the matches blanked
    out, and the matched phrases in order of appearance."""
    hits: list[tuple[int, str]] = []
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            hits.append((m.start(), m.group(0)))
        text = re.sub(pattern, lambda m: " " * len(m.group(0)), text)
    return text, [phrase for _, phrase in sorted(hits)]


def _q(phrase: str) -> str:
    return f"«{phrase}»"


def _fmt(day: datetime.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def health_of(text: str | None) -> tuple[str | None, str]:
    """The vurdering a text gives by a traffic-light word at its start or at
    the start of one of its lines, and the word."""
    text = unicodedata.normalize("NFC", re.sub(r"<[^>]*>", "\n", text or "")).strip()
    match = _HEALTH_RE.search(text)
    if not match:
        return None, ""
    word = match.group(1).lower()
    return _HEALTH_WORDS[word], word


# --------------------------------------------------------------- the rule
def propose_stage(
    status_note: str, timeline: str = "", as_of: datetime.date | None = None
) -> Proposal:
    """Propose a column for a tiltag from its status text (and timeline).

    ``as_of`` is the date the status describes (default: today); periods are
    judged future or past relative to it. See the module docstring for the
    rule."""
    health, light = health_of(status_note)
    proposal = _propose(status_note, timeline, as_of or datetime.date.today(), light)
    return Proposal(proposal.stage, proposal.reason, proposal.confident, health)


def _propose(status_note: str, timeline: str, as_of: datetime.date, light: str) -> Proposal:
    status = _normalise(status_note)
    plan = _normalise(timeline)
    plan_future = [p for p in periods(plan, as_of) if p.start > as_of]

    # 1. Empty status.
    if not re.search(r"\w", status):
        if plan_future:
            return Proposal(
                "planlagt",
                f"Ingen status, men tidsplanen nævner {_q(plan_future[0].label)}, "
                f"som ligger efter {_fmt(as_of)}",
                False,
            )
        return Proposal("ikke_ivaerksat", "Status er tom", True)

    rest, on_plan = _take(status, _ONGOING_FIRST)
    rest, not_started = _take(rest, _NOT_STARTED)
    rest, planned = _take(rest, _PLANNED)
    rest, ongoing = _take(rest, _ONGOING)
    ongoing = sorted(on_plan + ongoing, key=status.find)
    _, finished = _take(rest, _FINISHED)
    found = periods(status, as_of)
    future = [p for p in found if p.start > as_of]
    current = [p for p in found if p.start <= as_of <= p.end]
    mixed = bool(not_started)  # "ikke iværksat" next to other signals
    percent = _PERCENT_RE.search(status)

    # 2. Explicitly not started, nothing else.
    if not_started and not (planned or ongoing or finished or future or current or percent):
        return Proposal("ikke_ivaerksat", f"Status nævner {_q(not_started[0])}", True)

    # 3. A percentage done.
    if percent and int(percent.group(1)) <= 100:
        value = int(percent.group(1))
        stage = "ikke_ivaerksat" if value == 0 else "afsluttet" if value == 100 else "igangsat"
        return Proposal(stage, f"Status nævner {_q(percent.group(0))}", not mixed)

    # 4. Ongoing work.
    if ongoing:
        return Proposal("igangsat", f"Status nævner {_q(ongoing[0])}", not mixed)

    # 5./6. Finished work, with or without something pending.
    if finished:
        pending = planned + not_started + [p.label for p in future]
        if pending:
            return Proposal(
                "igangsat",
                f"Status nævner både noget færdigt ({_q(finished[0])}) "
                f"og noget udestående ({_q(pending[0])})",
                not mixed,
            )
        return Proposal(
            "afsluttet",
            f"Status nævner {_q(finished[0])} og intet udestående",
            True,
        )

    # 7. Planned (by wording or by a date that has not passed).
    if planned or future or current:
        if future:
            when = f"{_q(future[0].label)}, som ligger efter {_fmt(as_of)}"
            if planned:
                return Proposal("planlagt", f"Status nævner {_q(planned[0])} og {when}", not mixed)
            return Proposal("planlagt", f"Status nævner {when}", not mixed)
        if planned:
            if found and not current:
                return Proposal(
                    "planlagt",
                    f"Status nævner {_q(planned[0])}, men {_q(found[-1].label)} "
                    f"er passeret pr. {_fmt(as_of)}",
                    False,
                )
            return Proposal("planlagt", f"Status nævner {_q(planned[0])}", not mixed)
        return Proposal(
            "planlagt",
            f"Status nævner {_q(current[0].label)}, som er i gang pr. {_fmt(as_of)}",
            False,
        )

    # 8. Nothing recognised: a best guess.
    if plan_future:
        return Proposal(
            "planlagt",
            f"Ingen kendte ord i status; tidsplanen nævner {_q(plan_future[0].label)}, "
            f"som ligger efter {_fmt(as_of)}",
            False,
        )
    begun = [("status", p) for p in found] + [
        ("tidsplanen", p) for p in periods(plan, as_of) if p.start <= as_of
    ]
    if begun:
        where, period = begun[0]
        return Proposal(
            "igangsat",
            f"Ingen kendte ord i status; {where} nævner {_q(period.label)}, "
            f"som er begyndt før {_fmt(as_of)}",
            False,
        )
    if light:
        return Proposal(
            "igangsat",
            f"Status er kun en vurdering ({_q(light)}), ikke et stade (bedste gæt)",
            False,
        )
    return Proposal("ikke_ivaerksat", "Ingen kendte ord i status (bedste gæt)", False)
