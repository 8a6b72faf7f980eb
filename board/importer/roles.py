"""What each column of an imported table holds (its role), guessed from the
header words and, where they say nothing, from the content. Nothing is
refused here: the preview shows the guess and the leader sets or corrects
every role. Pure functions; the only app import is the vurdering labels.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from ..column_rule import STAGES, health_of, periods

ROLES = {
    "theme": "Pejlemærke / udviklingsspor",
    "objective": "Målsætning",
    "title": "Tiltag",
    "description": "Beskrivelse",
    "timeline": "Iværksættelse",
    "status_note": "Status",
    "health": "Vurdering",
    "stage": "Kolonne",
    "responsible": "Ansvarlig",
    "ignore": "Brug ikke",
}

# The header words of each role, one readable list per role: Danish first,
# then Swedish, then Norwegian. A header cell is split into words ("Tiltag/
# handling", "Status på tiltag pr. 15/3-23"); the first word (or phrase) found
# in these lists decides, so "Status på tiltag" is a status and "Iværksættelse
# af tiltag" a timeline. Whole words only: "indsatsområde" is a theme,
# "indsats" a tiltag.
SYNONYMS: dict[str, list[str]] = {
    "title": [
        # da
        "tiltag",
        "indsats",
        "indsatser",
        "initiativ",
        "initiativer",
        "handling",
        "handlinger",
        "aktivitet",
        "aktiviteter",
        "opgave",
        "opgaver",
        "projekt",
        "projekter",
        # sv
        "åtgärd",
        "åtgärder",
        "uppdrag",
        "insats",
        "insatser",
        "aktiviteter",
        # no
        "tiltak",
        "oppgave",
        "oppgaver",
        "prosjekt",
    ],
    "status_note": [
        # da
        "status",
        "statusbeskrivelse",
        "bemærkning",
        "bemærkninger",
        "kommentar",
        "kommentarer",
        "opfølgning",
        "noter",
        "note",
        # sv
        "lägesbeskrivning",
        "uppföljning",
        "kommentarer",
        # no
        "merknad",
        "merknader",
        "oppfølging",
        "statusbeskrivelse",
    ],
    "theme": [
        # da
        "pejlemærke",
        "pejlemærker",
        "udviklingsspor",
        "spor",
        "tema",
        "temaer",
        "indsatsområde",
        "indsatsområder",
        "fokusområde",
        "fokusområder",
        "målområde",
        "målområder",
        "mål",
        "strategisk mål",
        "område",
        # sv
        "fokusområden",
        "insatsområde",
        "målområden",
        "strategiskt mål",
        # no
        "satsingsområde",
        "satsingsområder",
        "innsatsområde",
        "hovedmål",
    ],
    "objective": [
        # da
        "målsætning",
        "målsætninger",
        "delmål",
        "delmålsætning",
        "succeskriterium",
        # sv
        "målsättning",
        "delmål",
        # no
        "målsetting",
        "målsetning",
        "delmål",
    ],
    "description": [
        # da
        "beskrivelse",
        "indhold",
        "formål",
        # sv
        "beskrivning",
        "innehåll",
        "syfte",
        # no
        "innhold",
        "formål",
    ],
    "timeline": [
        # da
        "iværksættelse",
        "tidsplan",
        "tidsramme",
        "tidsperiode",
        "periode",
        "frist",
        "deadline",
        "tid",
        "tidspunkt",
        "start",
        "slutdato",
        # sv
        "tidplan",
        "tidsram",
        "klart till",
        "när",
        # no
        "tidsfrist",
        "når",
    ],
    "health": [
        # da
        "vurdering",
        "trafiklys",
        "farve",
        "risiko",
        # sv
        "bedömning",
        "trafikljus",
        "färg",
        # no
        "trafikklys",
        "farge",
    ],
    "stage": [
        # da
        "kolonne",
        "stade",
        "fase",
        "stadie",
        # sv
        "fas",
        "skede",
        # no
        "stadium",
    ],
    "responsible": [
        # da
        "ansvarlig",
        "ansvarlige",
        "ansvar",
        "tovholder",
        "ejer",
        "kontaktperson",
        # sv
        "ansvarig",
        "ansvariga",
        "ägare",
        # no
        "eier",
    ],
}

_PHRASES = sorted(
    ((phrase, role) for role, words in SYNONYMS.items() for phrase in words),
    key=lambda pair: -len(pair[0]),
)
_PHRASE_RES = [
    (re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, p.split())) + r"(?!\w)"), role)
    for p, role in _PHRASES
]
_STAGE_WORDS = {"ikke iværksat", "planlagt", "igangsat", "afsluttet", *STAGES}
_NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.?\s+\S")  # "2.2. Vores ...", as parser reads it
# Period words are found whatever the year; this date only decides past/future.
_ANY_DAY = datetime.date(2000, 1, 1)


def clean_header(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", name or "")).strip()


def header_role(name: str) -> str | None:
    """The role a header cell's words name, or None: the synonym found
    earliest in the cell (the longest where two start together)."""
    text = clean_header(name).lower()
    best: tuple[int, int, str] | None = None
    for pattern, role in _PHRASE_RES:
        match = pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group(0))) < best[:2]):
            best = (match.start(), -len(match.group(0)), role)
    return best[2] if best else None


def header_score(cells: Sequence[str]) -> int:
    """How much a row looks like a header: the number of cells whose words
    name a role (twice for the tiltag column)."""
    roles = [header_role(c) for c in cells if clean_header(c)]
    return sum(2 if r == "title" else 1 for r in roles if r)


def guess_roles(
    header: Sequence[str], columns: Sequence[Sequence[str]]
) -> tuple[list[str], list[str]]:
    """A role for every column and notes (Danish) on the guesses made from
    content. `columns` holds each column's cell texts, top to bottom (a
    vertically merged cell is empty below its first row)."""
    mapping: list[str | None] = []
    notes: list[str] = []
    for name in header:
        role = header_role(name)
        if role is not None and role in mapping and role not in ("status_note", "description"):
            # A second "tiltag"-like header above a finer level: the first was
            # the objective ("Indsats | Aktivitet"); else the leader chooses.
            if role == "title" and "objective" not in mapping:
                mapping[mapping.index("title")] = "objective"
            else:
                notes.append(
                    f"Kolonnen «{clean_header(name)}» ligner også «{ROLES[role]}»; "
                    "vælg selv, hvad den indeholder."
                )
                role = "ignore"
        mapping.append(role)

    for index, role in enumerate(mapping):
        if role is None:
            values = list(columns[index]) if index < len(columns) else []
            guess = _content_role(values, [r for r in mapping if r])
            mapping[index] = guess or "ignore"
            if guess:
                label = clean_header(header[index]) or f"kolonne {index + 1}"
                notes.append(f"Kolonnen «{label}» er gættet som «{ROLES[guess]}» ud fra indholdet.")
    roles = [r or "ignore" for r in mapping]
    if "title" not in roles:
        # The tiltag column is the one thing a board needs: the leftmost
        # unused column with distinct short texts.
        for index, role in enumerate(roles):
            values = [v for v in (columns[index] if index < len(columns) else []) if v.strip()]
            if role == "ignore" and values and len(set(values)) > len(values) * 0.7:
                roles[index] = "title"
                label = clean_header(header[index]) or f"kolonne {index + 1}"
                notes.append(f"Kolonnen «{label}» er gættet som «Tiltag». Kontrollér det.")
                break
    return roles, notes


def _is_health(value: str) -> bool:
    from ..models import HEALTH_LABELS

    labels = {label.lower() for label in HEALTH_LABELS.values()}
    return value.lower() in labels or (health_of(value)[0] is not None and len(value) < 40)


def _content_role(values: list[str], taken: list[str]) -> str | None:
    filled = [v.strip() for v in values if v and v.strip()]
    if not filled:
        return None
    share = len(filled) / len(values)

    def mostly(test) -> bool:
        return sum(1 for v in filled if test(v)) >= 0.7 * len(filled)

    def free(role: str) -> bool:
        return role not in taken

    if free("health") and mostly(lambda v: _is_health(v)):
        return "health"
    if free("stage") and mostly(lambda v: v.lower() in _STAGE_WORDS):
        return "stage"
    if free("objective") and mostly(lambda v: _NUMBERED.match(v)):
        return "objective"
    average = sum(len(v) for v in filled) / len(filled)
    if average > 80:
        if free("status_note"):
            return "status_note"
        if free("description"):
            return "description"
    if free("timeline") and mostly(lambda v: periods(v.lower(), _ANY_DAY) and len(v) < 80):
        return "timeline"
    repeated = len(set(filled)) < 0.6 * len(filled) or share < 0.5
    if free("theme") and average < 80 and repeated and len(filled) > 1:
        return "theme"
    return None
