"""The column rule (board/column_rule.py) and the curated demo data
(board/demo/data/*.json) it places.

The module is loaded from its file, not as ``board.column_rule``, so that these
tests never import the Flask app (board/__init__.py imports Flask)."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "board" / "demo" / "data"
# Copies of the two status documents the demo boards were transcribed from, kept
# in the repository so that these tests run (never skip) in a fresh clone.
SEEDS = ROOT / "tests" / "data" / "seeds"


def _load_rule():
    spec = importlib.util.spec_from_file_location("_column_rule", ROOT / "board" / "column_rule.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


rule = _load_rule()
propose_stage = rule.propose_stage

D2023 = datetime.date(2023, 3, 15)
D2024 = datetime.date(2024, 3, 1)


# ------------------------------------------------------------ the rule itself
@pytest.mark.parametrize(
    ("status", "timeline", "as_of", "stage", "confident"),
    [
        # empty / not started
        ("", "", D2024, "ikke_ivaerksat", True),
        ("-", "", D2023, "ikke_ivaerksat", True),
        ("  \n ", "", D2023, "ikke_ivaerksat", True),
        (
            "Endnu ikke iværksat",
            "2. halvår 2023 Administrationen/ stab vil ...",
            D2023,
            "ikke_ivaerksat",
            True,
        ),
        ("ENDNU  IKKE\nIVÆRKSAT", "", D2023, "ikke_ivaerksat", True),
        ("Er ikke igangsat.", "", D2023, "ikke_ivaerksat", True),
        ("", "Afklares med Kommunaldirektørens sekretariat", D2023, "ikke_ivaerksat", True),
        # empty status, but the timeline schedules it: planned (not confident)
        ("", "Den 29. marts og 27. sep. 2023.", D2023, "planlagt", False),
        ("", "1 kvartal 2023 - gerne ultimo. Primo 4. kvartal 2023.", D2023, "planlagt", False),
        # planned
        ("Proces igangsættes 3. kvartal 2024", "", D2024, "planlagt", True),
        ("Igangsættes 3. kvartal 2024", "", D2024, "planlagt", True),
        ("4. kvartal 2024", "", D2024, "planlagt", True),
        ("3. kvartal 2024", "", D2024, "planlagt", True),
        ("Er under planlægning.", "", D2023, "planlagt", True),
        ("Der afholdes møde den 12. april og den 3. oktober", "", D2023, "planlagt", True),
        ("Forventes påbegyndt efteråret 2023", "", D2023, "planlagt", True),
        ("2. halvår 2023", "", D2023, "planlagt", True),
        # a plan whose date has passed, or a period that is running now: check it
        ("Igangsættes 3. kvartal 2024", "", datetime.date(2025, 1, 10), "planlagt", False),
        ("1. kvartal 2024", "", D2024, "planlagt", False),
        # ongoing
        ("Er igangsat", "", D2024, "igangsat", True),
        ("<p>Arbejdet foregår i samarbejde med BDO</p>", "", D2024, "igangsat", True),
        (
            "Foregår i forbindelse med arbejdet med velfærdsbolighandleplanen/ arbejdspakke 1 "
            "- deadline i maj 2024",
            "",
            D2024,
            "igangsat",
            True,
        ),
        (
            "Arbejdet med eftersyn af de økonomiske styringsprincipper kører i 2023 - "
            "1. halvår 2024",
            "",
            D2023,
            "igangsat",
            True,
        ),
        ("Konst. aftaleholder er i gang med 1. runde ledelsestilsyn.", "", D2023, "igangsat", True),
        ("Deltager i udviklingsforløbet i maj/juni 2023", "", D2023, "igangsat", True),
        (
            "Proces er igangsat på ledermøde den 10. marts og forventes afsluttet i "
            "september 2023.",
            "",
            D2023,
            "igangsat",
            True,
        ),
        (
            "Følgende initiativer er igangsat eller planlagt igangsat i 2023",
            "",
            D2023,
            "igangsat",
            True,
        ),
        # finished, and finished with something pending
        ("Aftaleholder er ansat.", "", D2023, "afsluttet", True),
        ("Afsluttet", "", D2023, "afsluttet", True),
        (
            "De 4 medarbejdere er pr. 1. marts 2023 flyttet ud i hhv. Område Grenaa. "
            "Ungeteamet er pr. 1. marts rykket til Glesborg.",
            "",
            D2023,
            "afsluttet",
            True,
        ),
        (
            "Der er etableret en ny stilling – stillingen er besat med tiltrædelse den 1.3 2024",
            "",
            D2024,
            "afsluttet",
            True,
        ),
        (
            "Der er udarbejdet en ny vejledning, som skal implementeres i organisationen.",
            "",
            D2024,
            "igangsat",
            True,
        ),
        (
            "Der er udarbejdet funktionsbeskrivelser, som skal udrulles på Socialområdet",
            "",
            D2024,
            "igangsat",
            True,
        ),
        (
            "Alle stillinger er pr. 15. marts 2023 blevet besat. Der er planlagt lederseminar "
            "den 16. juni.",
            "",
            D2023,
            "igangsat",
            True,
        ),
        (
            "Handleplan er udarbejdet. Tilsagn om støtte med opstart den 5. september 2023.",
            "",
            D2023,
            "igangsat",
            True,
        ),
        ("Stillingen er besat; ny leder afventer tiltrædelse", "", D2023, "igangsat", True),
        # "ikke" between auxiliary and participle is not finished work
        ("Tilsynet er endnu ikke implementeret", "", D2023, "ikke_ivaerksat", False),
        # mixed: done and not started
        ("Del 1 er gennemført, del 2 er endnu ikke iværksat", "", D2023, "igangsat", False),
        # nothing recognised: a best guess, never confident
        (
            "Borgmester og Kommunaldirektør",
            "Temadag for KB medlemmer i februar 2023",
            D2023,
            "igangsat",
            False,
        ),
        ("Borgmester og Kommunaldirektør", "Temadag i oktober 2023", D2023, "planlagt", False),
        ("Borgmester og Kommunaldirektør", "", D2023, "ikke_ivaerksat", False),
    ],
)
def test_propose_stage(status, timeline, as_of, stage, confident):
    proposal = propose_stage(status, timeline, as_of)
    assert (proposal.stage, proposal.confident) == (stage, confident), proposal.reason
    assert proposal.stage in rule.STAGES
    assert proposal.reason


def test_reason_quotes_the_phrase_it_matched():
    assert propose_stage("Er igangsat", as_of=D2024).reason == "Status nævner «igangsat»"
    assert "«er ansat»" in propose_stage("Aftaleholder er ansat.", as_of=D2023).reason
    assert "«3. kvartal 2024»" in propose_stage("3. kvartal 2024", as_of=D2024).reason


def test_as_of_decides_future_or_past():
    # The same text is a plan before the quarter and a stale plan after it.
    before = propose_stage("Igangsættes 3. kvartal 2024", as_of=datetime.date(2024, 6, 30))
    after = propose_stage("Igangsættes 3. kvartal 2024", as_of=datetime.date(2024, 10, 1))
    assert (before.stage, before.confident) == ("planlagt", True)
    assert (after.stage, after.confident) == ("planlagt", False)


def test_as_of_defaults_to_today():
    next_year = datetime.date.today().year + 1
    assert propose_stage(f"1. kvartal {next_year}").stage == "planlagt"
    assert propose_stage("Er igangsat").stage == "igangsat"


def test_stages_and_proposal_shape():
    assert rule.STAGES == ("ikke_ivaerksat", "planlagt", "igangsat", "afsluttet")
    proposal = propose_stage("Er igangsat", as_of=D2024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        proposal.stage = "afsluttet"
    assert [f.name for f in dataclasses.fields(proposal)] == [
        "stage",
        "reason",
        "confident",
        "health",
    ]
    assert rule.HEALTHS == ("groen", "gul", "roed") and proposal.health is None


# ------------------------------------------------------------ the demo data
BOARDS = {
    "strategi-2024.json": dict(themes=4, objectives=14, initiatives=29),
    "udviklingsproces-2023.json": dict(themes=8, objectives=0, initiatives=20),
}


def _board(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _initiatives(board):
    """Every tiltag in document order."""
    for theme in board["themes"]:
        yield from theme["initiatives"]
        for objective in theme["objectives"]:
            yield from objective["initiatives"]


def _texts(board):
    yield board["title"]
    yield board["description"]
    for theme in board["themes"]:
        yield theme["title"]
        for objective in theme["objectives"]:
            yield objective["title"]
    for ini in _initiatives(board):
        yield from (ini["title"], ini["description"], ini["timeline"], ini["status_note"])
        if ini.get("stage_reason"):
            yield ini["stage_reason"]


def _stage(ini, as_of):
    return ini["stage"] or propose_stage(ini["status_note"], ini["timeline"], as_of).stage


@pytest.mark.parametrize("name", BOARDS)
def test_shape_and_counts(name):
    board = _board(name)
    assert set(board) == {
        "title",
        "theme_label",
        "objective_label",
        "source",
        "as_of",
        "description",
        "themes",
    }
    assert (SEEDS / board["source"]).is_file(), board["source"]
    datetime.date.fromisoformat(board["as_of"])
    counts = dict(
        themes=len(board["themes"]),
        objectives=sum(len(t["objectives"]) for t in board["themes"]),
        initiatives=len(list(_initiatives(board))),
    )
    assert counts == BOARDS[name]
    for ini in _initiatives(board):
        assert {"title", "description", "timeline", "status_note", "stage"} <= set(ini)
        assert ini["title"]
        assert ini["stage"] is None or ini["stage"] in rule.STAGES
        # an override must say why
        assert (ini["stage"] is None) == ("stage_reason" not in ini)


def test_board_levels():
    strategy, process = _board("strategi-2024.json"), _board("udviklingsproces-2023.json")
    assert (strategy["theme_label"], strategy["objective_label"]) == ("Pejlemærke", "Målsætning")
    assert (process["theme_label"], process["objective_label"]) == ("Udviklingsspor", None)
    assert all(t["initiatives"] == [] for t in strategy["themes"])
    assert all(t["objectives"] == [] for t in process["themes"])
    numbers = [o["number"] for t in strategy["themes"] for o in t["objectives"]]
    assert numbers == "1.1 1.2 1.3 1.4 2.1 2.2 2.3 2.4 3.1 3.2 3.3 4.1 4.2 4.3".split()
    per_objective = [len(o["initiatives"]) for t in strategy["themes"] for o in t["objectives"]]
    assert per_objective == [0, 0, 0, 0, 1, 5, 3, 4, 3, 1, 0, 7, 3, 2]
    assert [len(t["initiatives"]) for t in process["themes"]] == [5, 2, 1, 5, 2, 3, 1, 1]
    assert [t["title"] for t in strategy["themes"]] == [
        "Borgeren Først",
        "Fundamentet på plads",
        "Mest muligt i eget liv",
        "Helhed og fremtidssikring",
    ]


# Words that really are written with a hyphen between letters (case-insensitive).
GENUINE_HYPHENATED = {"Marie-Louise", "MED-struktur", "MED-aftalen", "MED-systemet", "LMU-møder"}


@pytest.mark.parametrize("name", BOARDS)
def test_text_is_clean(name):
    for text in _texts(_board(name)):
        assert "<" not in text and ">" not in text, text
        for line in text.split("\n"):
            assert line == line.strip() and "  " not in line and "\t" not in line, repr(line)
        for word in re.findall(r"\S*[a-zæøå]-[a-zæøå]\S*", text, flags=re.IGNORECASE):
            assert word.strip(".,:;()") in GENUINE_HYPHENATED, f"{word!r} in {text!r}"


# Words the extraction split at a line wrap (or page break), and how they are
# written in the JSON. The test checks both that the split form really is in the
# source and that only the joined form is in the JSON.
REJOINED = {
    "strategi-2024.json": {
        "vir-tuel": "virtuel",
        "frem-tidssikring": "fremtidssikring",
        "myndig-hed": "myndighed",
        "arbejds-gange": "arbejdsgange",
        "serviceni-veau": "serviceniveau",
        "bostøtte-café": "bostøttecafé",
        "gruppe-baseret": "gruppebaseret",
        "delta-gelse": "deltagelse",
        "ram-mer": "rammer",
        "udviklin-gen": "udviklingen",
        "botil-bud": "botilbud",
        "af-dække": "afdække",
        "tilpasnin-ger": "tilpasninger",
        "botilbuds-området": "botilbudsområdet",
        "om-lægning": "omlægning",
        "bofælles-skaber": "bofællesskaber",
        "aflastnings-pladser": "aflastningspladser",
        "vel-færdsbolighandleplanen": "velfærdsbolighandleplanen",
        "dead-line": "deadline",
        "So-cialområdet": "Socialområdet",
        "aktivitets-og": "aktivitets- og",
    },
    "udviklingsproces-2023.json": {
        "kon-": "konsulentvirkosomhed",
        "dokumenta-": "dokumentation",
    },
}


def _source_text(board):
    return (SEEDS / board["source"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", BOARDS)
def test_every_word_comes_from_the_document(name):
    """Catches typos in the transcription: each word of the JSON occurs in the
    source (after the rejoins above); the board title is curated, not copied."""
    board = _board(name)
    source = _source_text(board)
    vocabulary = set(re.findall(r"\w+", re.sub(r"<[^>]*>", " ", source)))
    for split, joined in REJOINED[name].items():
        assert split in source, split
        vocabulary.update(re.findall(r"\w+", joined))
    texts = list(_texts(board))[1:]  # skip the curated board title
    for text in texts:
        missing = set(re.findall(r"\w+", text)) - vocabulary
        assert not missing, f"{missing} in {text!r}"
    everything = "\n".join(texts)
    for split, joined in REJOINED[name].items():
        if not split.endswith("-"):
            assert split not in everything and joined in everything, split


# Stage per tiltag, in document order, as a reader of the document would place
# it (title prefix, stage). Override or rule, this is what the board shows.
EXPECTED_STAGES = {
    "strategi-2024.json": [
        ("Formulering af fælles kerneopgave", "planlagt"),  # igangsættes 3. kvartal 2024
        ("I. Arbejdstidsplanlægning", "igangsat"),  # done in part, "skal udrulles"
        ("I. Udarbejde funktionsbeskrivelser", "igangsat"),  # "Er igangsat"
        ("II. Organisering til understøttelse", "afsluttet"),  # stilling er besat
        ("III. Udarbejdelse af vejledninger", "igangsat"),  # "skal implementeres"
        ("IV. Kommunalt tilsyn", "ikke_ivaerksat"),  # no status
        ("I. Gennemgang og tilpasning", "igangsat"),  # foregår
        ("II. Eftersyn af økonomiske", "igangsat"),  # foregår
        ("III. Ny takstmodel for STU", "planlagt"),  # 4. kvartal 2024
        ("Ensretning og afklaring", "ikke_ivaerksat"),
        ("Organisering omkring socialfaglig", "ikke_ivaerksat"),
        ("Videreudvikling af Nexus", "ikke_ivaerksat"),
        ("Klargøring af data", "ikke_ivaerksat"),
        ("Etablering af procedurer", "ikke_ivaerksat"),
        ("Afklaring af, hvordan", "ikke_ivaerksat"),
        ("Kompetenceudvikling i formulering", "ikke_ivaerksat"),
        ("Omlægning/ tilpasning", "ikke_ivaerksat"),
        ("Gennemgang af fysiske rammer", "igangsat"),  # foregår, deadline maj 2024
        ("Afdækning af behov for tilpasninger/omstruktureringer på aktivitets", "igangsat"),
        ("Afdækning af behov for tilpasninger/omstruktureringer på botilbuds", "igangsat"),
        ("Afdække behov for flere § 107", "ikke_ivaerksat"),
        ("Afdække behov for § 84", "ikke_ivaerksat"),
        ("Afdækning af mulighed for etablering", "ikke_ivaerksat"),
        ("Afdække mulighed for øget anvendelse", "ikke_ivaerksat"),
        ("Socialområdet kompetenceudviklingsplan", "ikke_ivaerksat"),
        ("Udmøntning af anbefalinger", "ikke_ivaerksat"),
        ("Arbejde med psykologisk tryghed", "ikke_ivaerksat"),
        ("Udarbejde en fælles kommunikationstilgang", "planlagt"),  # igangsættes 3. kv.
        ("Alle aftaleområder på sociale medier", "planlagt"),  # 3. kvartal 2024
    ],
    "udviklingsproces-2023.json": [
        ("Ansættelse af to fagchefer", "igangsat"),  # one hired, one in progress
        ("Ansættelse af én aftaleholder", "afsluttet"),  # "Aftaleholder er ansat."
        ("Styrkelse af afdelingsledelsen", "igangsat"),  # besat, lederseminar planlagt
        ("Tilpasning af MED-struktur", "ikke_ivaerksat"),  # no status, no date
        ("Flytning af fysisk arbejdssted", "afsluttet"),  # flyttet / rykket
        ("Socialpsykiatri og misbrug", "igangsat"),  # "Deltager ..."
        ("Iværksættelse af handleplan", "igangsat"),  # udarbejdet, opstart september
        ("Forbedre arbejdskultur", "igangsat"),  # kulturproces kører
        ("Direktionen", "planlagt"),  # møder 29. marts og 27. sep. 2023
        ("Chefforum", "planlagt"),  # primo 4. kvartal 2023
        ("Inddragelse af hhv.", "planlagt"),  # møder 12. april ...
        ("Børne- og Ungdomsudvalget", "planlagt"),  # april and october 2023
        ("Fokus på øget tillid", "igangsat"),  # temadag februar 2023 (best guess)
        ("Administrativ understøttelse", "igangsat"),
        ("Opbygning af organisering", "igangsat"),
        ("Eftersyn af de økonomiske", "igangsat"),  # kører
        ("Etablering af ledelsestilsyn", "igangsat"),
        ("Øvrige arbejde", "planlagt"),  # "Er under planlægning."
        ("Udarbejde en strategi", "igangsat"),  # igangsat 10. marts
        ("Udarbejde en fælles kommunikationstilgang", "ikke_ivaerksat"),  # endnu ikke
    ],
}


@pytest.mark.parametrize("name", BOARDS)
def test_stage_per_tiltag(name):
    board = _board(name)
    as_of = datetime.date.fromisoformat(board["as_of"])
    initiatives = list(_initiatives(board))
    expected = EXPECTED_STAGES[name]
    assert len(initiatives) == len(expected)
    for ini, (prefix, stage) in zip(initiatives, expected, strict=True):
        got = _stage(ini, as_of)
        proposal = propose_stage(ini["status_note"], ini["timeline"], as_of)
        print(f"{got:15} {'' if ini['stage'] else proposal.reason}  <- {ini['title'][:60]}")
        assert ini["title"].startswith(prefix), (ini["title"], prefix)
        assert got == stage, (ini["title"], proposal.reason)
    print(name, dict(Counter(_stage(i, as_of) for i in initiatives)))
