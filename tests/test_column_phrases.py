"""The column rule's phrase table (board/column_phrases.toml): whole-word
matching, the Nordic wording of real status documents, traffic lights,
percentages and period dates. Loaded from its file like
tests/test_column_rule.py, so these tests never import the Flask app."""

from __future__ import annotations

import datetime
import tomllib

import pytest

from tests.test_column_rule import ROOT, rule

propose_stage = rule.propose_stage
D = datetime.date


@pytest.mark.parametrize(
    ("status", "as_of", "stage", "confident"),
    [
        # whole words: "februar" is not inside "februari", "igangsat" not in "igangsatte"
        ("Genomförd i februari 2021", D(2021, 8, 31), "afsluttet", True),
        ("De igangsatte forløb", D(2024, 3, 1), "ikke_ivaerksat", False),
        # a percentage beats a "forventes" in another clause
        ("40 % gennemført. Resten forventes afsluttet i december", D(2024, 6, 1), "igangsat", True),
        ("100 % gennemført", D(2024, 6, 1), "afsluttet", True),
        ("0 procent", D(2024, 6, 1), "ikke_ivaerksat", True),
        # Danish wording the first rule missed
        ("I gang", D(2024, 3, 1), "igangsat", True),
        ("Arbejdet er i støbeskeen", D(2024, 3, 1), "planlagt", True),
        ("Gennemført", D(2024, 3, 1), "afsluttet", True),
        ("Projektet afsluttet i januar 2024", D(2024, 3, 1), "afsluttet", True),
        ("Ikke afsluttet", D(2024, 3, 1), "igangsat", True),
        ("Under udarbejdelse", D(2024, 3, 1), "igangsat", True),
        ("Grøn – forløber som planlagt", D(2024, 3, 1), "igangsat", True),
        ("Tilsynet er endnu ikke gennemført", D(2024, 3, 1), "ikke_ivaerksat", False),
        # Swedish
        ("Pågår", D(2021, 8, 31), "igangsat", True),
        ("Ej påbörjad", D(2021, 8, 31), "ikke_ivaerksat", True),
        ("Klar", D(2021, 8, 31), "afsluttet", True),
        ("Åtgärden är genomförd", D(2021, 8, 31), "afsluttet", True),
        ("Planeras till hösten 2021", D(2021, 3, 1), "planlagt", True),
        ("Arbetet ska påbörjas", D(2021, 3, 1), "planlagt", True),
        # Norwegian
        ("Ferdig", D(2024, 3, 1), "afsluttet", True),
        ("Ikke startet", D(2024, 3, 1), "ikke_ivaerksat", True),
        ("Tiltaket er gjennomført", D(2024, 3, 1), "afsluttet", True),
        ("Planlegges høsten 2024", D(2024, 3, 1), "planlagt", True),
        ("Under arbeid", D(2024, 3, 1), "igangsat", True),
        # period dates, judged against the status date
        ("T2 2021", D(2021, 3, 1), "planlagt", True),
        ("T2 2021", D(2021, 6, 15), "planlagt", False),
        ("2. halvår 2024", D(2024, 3, 1), "planlagt", True),
        ("Q3 2025", D(2025, 1, 1), "planlagt", True),
        ("Igangsættes Q3-2025", D(2025, 1, 1), "planlagt", True),
        ("Andra halvåret 2024", D(2024, 3, 1), "planlagt", True),
        ("Kvartal 3 2025", D(2025, 1, 1), "planlagt", True),
        # a traffic light alone names no stage: a guess, flagged
        ("Gul", D(2024, 3, 1), "igangsat", False),
    ],
)
def test_nordic_status_phrases(status, as_of, stage, confident):
    proposal = propose_stage(status, "", as_of)
    assert (proposal.stage, proposal.confident) == (stage, confident), proposal.reason


@pytest.mark.parametrize(
    ("status", "health"),
    [
        ("Grøn", "groen"),
        ("Grøn – forløber som planlagt", "groen"),
        ("Status: Gul. Forsinket en måned", "gul"),
        ("Rød: mangler ressourcer", "roed"),
        ("Grönt", "groen"),
        ("Rødt\nTiltaket er forsinket", "roed"),
        ("Arbejdet foregår\nGul: forsinket", "gul"),
        ("Grøn omstilling er i gang", None),
        ("Vi maler væggen rød", None),
        ("Er igangsat", None),
    ],
)
def test_traffic_light_words_set_the_vurdering(status, health):
    assert propose_stage(status, "", D(2024, 3, 1)).health == health


def test_period_words():
    days = [(p.start, p.end) for p in rule.periods("t2 2021", D(2021, 1, 1))]
    assert days == [(D(2021, 5, 1), D(2021, 8, 31))]
    assert [p.start for p in rule.periods("q3 2025", D(2025, 1, 1))] == [D(2025, 7, 1)]
    assert [p.start for p in rule.periods("februari", D(2021, 1, 1))] == [D(2021, 2, 1)]
    assert rule.periods("februarix og t2-diabetes", D(2021, 1, 1)) == []


def test_the_reason_quotes_what_it_read():
    assert "«40 %»" in propose_stage("40 % gennemført", "", D(2024, 3, 1)).reason
    assert "«pågår»" in propose_stage("Pågår", "", D(2024, 3, 1)).reason
    assert "«gul»" in propose_stage("Gul", "", D(2024, 3, 1)).reason


def test_the_phrase_table_has_every_column_in_three_languages():
    table = tomllib.loads((ROOT / "board" / "column_phrases.toml").read_text(encoding="utf-8"))
    for column in ("ikke_ivaerksat", "planlagt", "igangsat"):
        assert all(table[column][language] for language in ("da", "sv", "no")), column
    for part in ("auxiliaries", "participles", "phrases"):
        assert all(table["afsluttet"][part][language] for language in ("da", "sv", "no"))
    assert set(table["vurdering"]) == set(rule.HEALTHS)
    # every column the docstring's written rule names is in the data
    for column in rule.STAGES:
        assert f"[{column}]" in rule.__doc__
