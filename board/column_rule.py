"""The column rule: which kanban column (stage) a tiltag belongs in, proposed
from its free-text status and, where the status says nothing, its timeline.

This docstring is the written-down rule. It is used to place the demo boards'
tiltag and to propose columns for tables pasted into the importer; a person can
always move the card afterwards. Pure Python, stdlib only, no app imports.

Columns (``STAGES``, left to right): ``ikke_ivaerksat`` (Ikke iværksat),
``planlagt`` (Planlagt), ``igangsat`` (Igangsat), ``afsluttet`` (Afsluttet).

Before matching, the texts are normalised: HTML-ish tags are removed, Unicode
is put in NFC form, case is folded to lower case and runs of whitespace become
one space. A status that has no letters or digits at all ("", "-", "–") counts
as empty.

The status is scanned for five kinds of signal:

* NOT STARTED: "endnu ikke iværksat", "ikke iværksat", "ikke igangsat",
  "ikke påbegyndt", "ikke startet".
* PLANNED: "under planlægning", "planlagt", "planlægges", "igangsættes",
  "iværksættes", "påbegyndes", "forventes", "forventet", "afventer",
  "skal <verb>-es" ("skal implementeres", "skal udrulles", ...).
  "planlagt igangsat" and "forventes afsluttet" count as PLANNED only.
* ONGOING: "igangsat", "påbegyndt", "foregår", "pågår", "kører" (so also
  "arbejdet med ... kører"), "er i gang", "igangværende", "fortsætter",
  "deltager".
* FINISHED: "er"/"blev"/"blevet" followed (within a few words, and with no
  "ikke" between) by "ansat", "besat", "udarbejdet", "gennemført", "flyttet",
  "rykket", "udpeget", "etableret", "afsluttet", "afholdt", "implementeret",
  "vedtaget", "godkendt" (so "er ansat", "er pr. 15. marts 2023 blevet besat",
  "er pr. 1. marts 2023 flyttet"); or a status that is just "Afsluttet",
  "Gennemført", "Færdig" or "Udført".
* DATES: a quarter ("3. kvartal 2024", "første kvartal 2023"), a half-year
  ("2. halvår 2023"), a season ("forår 2023", "efteråret 2023") or a month,
  optionally with a day ("maj 2024", "den 29. marts", "sep. 2023"). A missing
  year is taken from the nearest following year in the text, else from
  ``as_of``. A period is *future* if it starts after ``as_of``, *past* if it
  ended before ``as_of``, otherwise *current*. Bare years ("i 2023") and week
  numbers are ignored: they are too coarse to say anything.

The rule, first match wins:

1. Empty status: if the timeline names a future period the tiltag is
   ``planlagt`` (not confident: only the plan says so); otherwise
   ``ikke_ivaerksat``.
2. NOT STARTED and no other signal -> ``ikke_ivaerksat``. (If other signals
   are present too, the status is mixed: fall through, not confident.)
3. ONGOING -> ``igangsat``. Ongoing work beats planned or finished parts
   ("er igangsat ... og forventes afsluttet i september" is igangsat), and
   beats future dates ("Foregår ... deadline i maj 2024" is igangsat).
4. FINISHED together with something pending (PLANNED, NOT STARTED or a future
   period) -> ``igangsat``: part is done, part remains ("Der er udarbejdet en
   vejledning, som skal implementeres").
5. FINISHED alone -> ``afsluttet`` ("Aftaleholder er ansat.").
6. PLANNED, or a future or current period -> ``planlagt`` ("Proces
   igangsættes 3. kvartal 2024", "4. kvartal 2024" as of 1.3.2024). Not
   confident when the only period is the current one, or when every period the
   status names has already passed (the plan may be out of date).
7. Nothing matched (e.g. the status only names who is responsible): a best
   guess, never confident: ``planlagt`` if the timeline names a future period,
   ``igangsat`` if the status or timeline names only periods that have begun,
   else ``ikke_ivaerksat``.

The reason is Danish and shown to users, e.g. "Status nævner «igangsat»".
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

STAGES = ("ikke_ivaerksat", "planlagt", "igangsat", "afsluttet")


@dataclass(frozen=True)
class Proposal:
    """A proposed column: ``stage`` (one of STAGES), a Danish ``reason`` for the
    user, and whether the rule is ``confident`` (False = please check)."""

    stage: str
    reason: str
    confident: bool


# --------------------------------------------------------------- vocabulary
# Each list is tried in order; the spans it matches are removed from the text
# before the next list is tried, so "planlagt igangsat" is not also "igangsat"
# and "ikke igangsat" is not "igangsat".

_NOT_STARTED = [
    r"\b(?:endnu\s+)?ikke\s+(?:er\s+|blevet\s+)?(?:iværksat|igangsat|påbegyndt|startet)\b",
]

_PLANNED = [
    r"\bplanlagt\s+(?:igangsat|iværksat|påbegyndt)\b",
    r"\bforvente[st]\s+(?:at\s+\w+\s+)?"
    r"(?:afsluttet|færdig|gennemført|igangsat|iværksat|påbegyndt|startet)\b",
    r"\bunder\s+planlægning\b",
    r"\bplanlagt\b",
    r"\bplanlægges\b",
    r"\bigangsættes\b",
    r"\biværksættes\b",
    r"\bpåbegyndes\b",
    r"\bforvente[st]\b",
    r"\bafventer\b",
    r"\bskal\s+\w+es\b",
]

_ONGOING = [
    r"\bigangsat\b",
    r"\bpåbegyndt\b",
    r"\bforegår\b",
    r"\bpågår\b",
    r"\bkører\b",
    r"\ber\s+i\s+gang\b",
    r"\bigangværende\b",
    r"\bfortsætter\b",
    r"\bdeltager\b",
]

_DONE_WORDS = (
    "ansat|besat|udarbejdet|gennemført|flyttet|rykket|udpeget|etableret|"
    "afsluttet|afholdt|implementeret|vedtaget|godkendt"
)
_FINISHED = [
    # "er ansat", "er pr. 15. marts 2023 blevet besat": up to six words between
    # the auxiliary and the participle, none of them "ikke".
    rf"\b(?:er|blev|blevet)\b(?:\s+(?!ikke\b)\S+){{0,6}}?\s+(?:{_DONE_WORDS})\b",
    r"^(?:afsluttet|gennemført|færdig|udført)\b",
]


# --------------------------------------------------------------- dates
_MONTH_NAMES = (
    "januar februar marts april maj juni juli august september oktober november december"
).split()
# full names and the usual abbreviations ("jan.", "sep.", "sept.", "okt.", ...)
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS.update({name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9})
_ORDINALS = {"første": 1, "anden": 2, "andet": 2, "tredje": 3, "fjerde": 4}
_SEASONS = {"forår": (3, 5), "sommer": (6, 8), "efterår": (9, 11)}

_N = r"(?:([1-4])\.?|(første|anden|andet|tredje|fjerde))"
_YEAR = r"(?:\s+(20\d\d)\b)?"
_QUARTER_RE = re.compile(rf"\b{_N}\s*kvartal{_YEAR}")
_HALF_RE = re.compile(rf"\b{_N}\s*halvår(?:et)?{_YEAR}")
_SEASON_RE = re.compile(r"\b(forår|sommer|efterår)(?:et|en)?" + _YEAR)
_MONTH_RE = re.compile(
    r"(?:\b(\d{1,2})\.\s*)?\b("
    r"januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
    r"|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec)\.)" + _YEAR
)
_NEXT_YEAR_RE = re.compile(r"\b(20\d\d)\b")


@dataclass(frozen=True)
class _Period:
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


def _periods(text: str, as_of: datetime.date) -> list[_Period]:
    found: list[_Period] = []
    for m in _QUARTER_RE.finditer(text):
        q = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)]
        y = _year_for(text, m, 3, as_of)
        found.append(_Period(m.group(0), datetime.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)))
    for m in _HALF_RE.finditer(text):
        h = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)]
        if h not in (1, 2):
            continue
        y = _year_for(text, m, 3, as_of)
        found.append(_Period(m.group(0), datetime.date(y, 6 * h - 5, 1), _month_end(y, 6 * h)))
    for m in _SEASON_RE.finditer(text):
        first, last = _SEASONS[m.group(1)]
        y = _year_for(text, m, 2, as_of)
        found.append(_Period(m.group(0), datetime.date(y, first, 1), _month_end(y, last)))
    for m in _MONTH_RE.finditer(text):
        month = _MONTHS[m.group(2).rstrip(".")]
        y = _year_for(text, m, 3, as_of)
        if m.group(1) and 1 <= int(m.group(1)) <= _month_end(y, month).day:
            day = datetime.date(y, month, int(m.group(1)))
            found.append(_Period(m.group(0), day, day))
        else:
            found.append(_Period(m.group(0), datetime.date(y, month, 1), _month_end(y, month)))
    return found


# --------------------------------------------------------------- helpers
def _normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


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


# --------------------------------------------------------------- the rule
def propose_stage(
    status_note: str, timeline: str = "", as_of: datetime.date | None = None
) -> Proposal:
    """Propose a column for a tiltag from its status text (and timeline).

    ``as_of`` is the date the status describes (default: today); periods are
    judged future or past relative to it. See the module docstring for the
    rule."""
    as_of = as_of or datetime.date.today()
    status = _normalise(status_note)
    plan = _normalise(timeline)
    plan_future = [p for p in _periods(plan, as_of) if p.start > as_of]

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

    rest, not_started = _take(status, _NOT_STARTED)
    rest, planned = _take(rest, _PLANNED)
    rest, ongoing = _take(rest, _ONGOING)
    _, finished = _take(rest, _FINISHED)
    periods = _periods(status, as_of)
    future = [p for p in periods if p.start > as_of]
    current = [p for p in periods if p.start <= as_of <= p.end]
    mixed = bool(not_started)  # "ikke iværksat" next to other signals

    # 2. Explicitly not started, nothing else.
    if not_started and not (planned or ongoing or finished or future or current):
        return Proposal("ikke_ivaerksat", f"Status nævner {_q(not_started[0])}", True)

    # 3. Ongoing work.
    if ongoing:
        return Proposal("igangsat", f"Status nævner {_q(ongoing[0])}", not mixed)

    # 4./5. Finished work, with or without something pending.
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

    # 6. Planned (by wording or by a date that has not passed).
    if planned or future or current:
        if future:
            when = f"{_q(future[0].label)}, som ligger efter {_fmt(as_of)}"
            if planned:
                return Proposal("planlagt", f"Status nævner {_q(planned[0])} og {when}", not mixed)
            return Proposal("planlagt", f"Status nævner {when}", not mixed)
        if planned:
            if periods and not current:
                return Proposal(
                    "planlagt",
                    f"Status nævner {_q(planned[0])}, men {_q(periods[-1].label)} "
                    f"er passeret pr. {_fmt(as_of)}",
                    False,
                )
            return Proposal("planlagt", f"Status nævner {_q(planned[0])}", not mixed)
        return Proposal(
            "planlagt",
            f"Status nævner {_q(current[0].label)}, som er i gang pr. {_fmt(as_of)}",
            False,
        )

    # 7. Nothing recognised: a best guess.
    if plan_future:
        return Proposal(
            "planlagt",
            f"Ingen kendte ord i status; tidsplanen nævner {_q(plan_future[0].label)}, "
            f"som ligger efter {_fmt(as_of)}",
            False,
        )
    begun = [("status", p) for p in periods] + [
        ("tidsplanen", p) for p in _periods(plan, as_of) if p.start <= as_of
    ]
    if begun:
        where, period = begun[0]
        return Proposal(
            "igangsat",
            f"Ingen kendte ord i status; {where} nævner {_q(period.label)}, "
            f"som er begyndt før {_fmt(as_of)}",
            False,
        )
    return Proposal("ikke_ivaerksat", "Ingen kendte ord i status (bedste gæt)", False)
