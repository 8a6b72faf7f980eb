"""The importer on Word files as Word writes them (tests/data/import/, made
by make_corpus.py): the two seed documents rebuilt as .docx with merged
cells import to the curated demo boards, and each corpus document imports
with the counts and columns named here, with at most the role corrections a
leader makes in the preview."""

from __future__ import annotations

import datetime
import importlib.util
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.column_rule import propose_stage
from board.extensions import db
from board.importer import services
from board.importer.docx_source import read_docx
from board.importer.parser import build_plan, default_mapping, detect_as_of
from board.models import Board, Initiative, Objective, Theme

CORPUS = Path(__file__).parent / "data" / "import"
DEMO = Path(__file__).parent.parent / "board" / "demo" / "data"
D = datetime.date


def _read(name: str):
    return read_docx((CORPUS / name).read_bytes())


def _plan(name: str, as_of: datetime.date | None = None, mapping=None):
    table = _read(name)
    return build_plan(table, mapping=mapping, as_of=as_of or detect_as_of(table))


# ------------------------------------------------------------ the seeds
SEEDS = {
    "seed-strategi-2024.docx": "strategi-2024.json",
    "seed-udviklingsproces-2023.docx": "udviklingsproces-2023.json",
}


def _demo_outline(data: dict) -> list:
    as_of = D.fromisoformat(data["as_of"])

    def card(c):
        stage = c["stage"] or propose_stage(c["status_note"], c["timeline"], as_of).stage
        return ("tiltag", c["title"], c["description"], c["timeline"], c["status_note"], stage)

    out = []
    for theme in data["themes"]:
        out.append(("pejlemærke", theme["title"]))
        out += [card(c) for c in theme["initiatives"]]
        for objective in theme["objectives"]:
            out.append(("målsætning", objective["number"], objective["title"]))
            out += [card(c) for c in objective["initiatives"]]
    return out


def _plan_outline(plan) -> list:
    def card(i):
        return ("tiltag", i.title, i.description, i.timeline, i.status_note, i.stage)

    out = []
    for theme in plan.themes:
        out.append(("pejlemærke", theme.title))
        out += [card(i) for i in theme.initiatives]
        for objective in theme.objectives:
            out.append(("målsætning", objective.number, objective.title))
            out += [card(i) for i in objective.initiatives]
    return out


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_the_seed_as_a_word_file_gives_the_curated_board(name):
    data = json.loads((DEMO / SEEDS[name]).read_text(encoding="utf-8"))
    table = _read(name)
    as_of = detect_as_of(table) or D.fromisoformat(data["as_of"])
    assert as_of == D.fromisoformat(data["as_of"])  # 2023: "pr. 15/3-23" in the header
    plan = build_plan(table, as_of=as_of)
    assert plan.errors == [] and plan.notes == []
    assert _plan_outline(plan) == _demo_outline(data)
    assert (plan.theme_label, plan.objective_label) == (
        data["theme_label"],
        data["objective_label"],
    )
    assert plan.description == data["description"]
    # merged cells, not repeated text: the pejlemærke cell covers its rows
    assert sum(1 for row in table.rows if any(row.continued)) > 10


def _board_outline(board) -> list:
    out = []
    themes = db.session.scalars(
        sa.select(Theme).where(Theme.board_id == board.id).order_by(Theme.position)
    )
    for theme in themes:
        out.append(theme.title)
        objectives = db.session.scalars(
            sa.select(Objective).where(Objective.theme_id == theme.id).order_by(Objective.position)
        )
        out += [(o.number, o.title) for o in objectives]
        cards = db.session.scalars(
            sa.select(Initiative).where(Initiative.theme_id == theme.id).order_by(Initiative.id)
        )
        out += [
            (
                c.objective.number if c.objective else None,
                c.title,
                c.description,
                c.timeline,
                c.status_note,
                c.stage,
            )
            for c in cards
        ]
    return out


def test_both_seed_word_files_create_the_demo_boards(demo, users):
    for original, name in zip(demo, sorted(SEEDS), strict=True):
        table = _read(name)
        data = json.loads((DEMO / SEEDS[name]).read_text(encoding="utf-8"))
        plan = build_plan(table, as_of=D.fromisoformat(data["as_of"]))
        board = services.create_board(plan, title=f"Kopi af {original.title}", actor=users["leder"])
        db.session.commit()
        assert (board.theme_label, board.objective_label) == (
            original.theme_label,
            original.objective_label,
        )
        assert _board_outline(board) == _board_outline(original)


# ------------------------------------------------------------ the corpus
# name: (the roles guessed, corrections a leader makes, summary, stages in
# document order, vurderinger in document order or None for all empty)
EXPECTED = {
    "andre-kolonner.docx": (
        ["status_note", "title", "theme"],
        {},
        "2 indsatsområder, 5 tiltag",
        ["igangsat", "igangsat", "afsluttet", "planlagt", "ikke_ivaerksat"],
        None,
    ),
    "trafiklys.docx": (
        ["theme", "title", "health", "status_note"],
        {},
        "2 temaer, 6 tiltag",
        ["igangsat", "igangsat", "ikke_ivaerksat", "afsluttet", "igangsat", "planlagt"],
        ["groen", "gul", "roed", "groen", "groen", "gul"],
    ),
    "ansvarlig.docx": (
        ["theme", "title", "responsible", "timeline", "status_note"],
        {},
        "2 fokusområder, 5 tiltag",
        ["planlagt", "afsluttet", "igangsat", "planlagt", "ikke_ivaerksat"],
        None,
    ),
    "tre-niveauer.docx": (
        ["objective", "title", "status_note", "timeline"],
        {},
        "2 pejlemærker, 4 delmål, 7 tiltag",
        [
            "igangsat",
            "planlagt",
            "afsluttet",
            "igangsat",
            "ikke_ivaerksat",
            "igangsat",
            "planlagt",
        ],
        None,
    ),
    "sideskift.docx": (
        ["theme", "title", "status_note"],
        {},
        "2 pejlemærker, 6 tiltag",
        ["igangsat", "afsluttet", "planlagt", "ikke_ivaerksat", "afsluttet", "planlagt"],
        None,
    ),
    "svensk.docx": (
        ["theme", "title", "responsible", "status_note", "health"],
        {},
        "2 fokusområder, 5 tiltag",
        ["igangsat", "afsluttet", "ikke_ivaerksat", "planlagt", "afsluttet"],
        ["groen", "groen", "roed", "gul", "groen"],
    ),
    "norsk.docx": (
        ["theme", "title", "responsible", "status_note"],
        {},
        "2 satsingsområder, 4 tiltag",
        ["afsluttet", "igangsat", "planlagt", "ikke_ivaerksat"],
        None,
    ),
    "flere-tabeller.docx": (
        ["title", "status_note"],
        {},
        "2 pejlemærker, 4 tiltag",
        ["igangsat", "planlagt", "afsluttet", "igangsat"],
        None,
    ),
    "ukendte-overskrifter.docx": (
        ["theme", "title", "ignore", "status_note"],
        {2: "responsible"},  # "Kontakt": the leader says it is the responsible person
        "2 emner, 4 tiltag",
        ["afsluttet", "igangsat", "planlagt", "igangsat"],
        None,
    ),
}


def _items(plan):
    return plan.initiatives()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_document_imports_with_its_counts_and_columns(name):
    guessed, corrections, summary, stages, healths = EXPECTED[name]
    table = _read(name)
    assert default_mapping(table.header, table) == guessed
    mapping = list(guessed)
    for index, role in corrections.items():
        mapping[index] = role
    plan = build_plan(table, mapping=mapping if corrections else None, as_of=detect_as_of(table))
    assert plan.errors == []
    assert plan.summary == summary
    assert [i.stage for i in _items(plan)] == stages, [i.stage_reason for i in _items(plan)]
    assert [i.health for i in _items(plan)] == (healths or [None] * len(stages))
    assert all(i.stage_reason for i in _items(plan))


def test_the_documents_say_their_status_date():
    assert detect_as_of(_read("svensk.docx")) == D(2021, 8, 31)  # "Uppföljning T2 2021"
    assert detect_as_of(_read("ansvarlig.docx")) == D(2025, 6, 30)  # "Status Q2 2025"
    assert detect_as_of(_read("norsk.docx")) == D(2024, 8, 31)  # "Status per 31. august 2024"
    assert detect_as_of(_read("andre-kolonner.docx")) == D(2024, 6, 1)


def test_the_responsible_person_and_list_items_are_kept():
    plan = _plan("ansvarlig.docx")
    assert [i.responsible for i in _items(plan)][:2] == ["Lone Madsen, IT-chef", "Per Holm"]
    motion = _items(_plan("tre-niveauer.docx"))[0]
    assert motion.status_note == "Er igangsat i:\n- Grenaa\n- Auning"
    plan = _plan("tre-niveauer.docx")
    objectives = [(o.number, len(o.initiatives)) for t in plan.themes for o in t.objectives]
    assert objectives == [("1.1", 2), ("1.2", 1), ("2.1", 2), ("2.2", 2)]
    assert plan.themes[0].title == "Pejlemærke 1: Sund start på livet"  # the merged heading row


def test_a_table_split_over_pages_is_one_table():
    plan = _plan("sideskift.docx")
    school = next(i for i in _items(plan) if i.title == "Recoveryskole")
    assert school.status_note.endswith("undervisere er ved at blive rekrutteret.")
    assert any("efter et sideskift" in n for n in school.notes) and school.unsure
    assert [t.title for t in plan.themes] == ["Recovery", "Samarbejde"]


def test_several_tables_headings_become_themes_and_other_tables_are_named():
    plan = _plan("flere-tabeller.docx", as_of=D(2024, 10, 1))
    assert [t.title for t in plan.themes] == [
        "Udsatteområdet: Tema 1 – Bolig",
        "Tema 2 – Beskæftigelse",
    ]
    assert "Tabel 1 står før tabellen med tiltag og er ikke læst." in plan.notes
    assert plan.title_suggestion == "Status på udsattestrategien"


def test_content_guesses_are_named_in_the_preview():
    plan = _plan("ukendte-overskrifter.docx")
    assert any("Ingen kendte kolonneoverskrifter" in n for n in plan.notes)
    assert "Kolonnen «Emne» er gættet som «Pejlemærke / udviklingsspor» ud fra indholdet." in (
        plan.notes
    )


def test_the_corpus_script_reproduces_the_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    names = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert names == sorted(p.name for p in CORPUS.glob("*.docx"))
    assert len(module.CORPUS) >= 6
    for name in names:
        assert read_docx((tmp_path / name).read_bytes()) == _read(name), name


def test_nothing_is_written_by_reading(app):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Board))
    for name in EXPECTED:
        _plan(name)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == before


def test_the_vurdering_is_written_to_the_created_tiltag(app, users):
    from board.column_rule import HEALTHS
    from board.models import Event, Health

    assert HEALTHS == tuple(h.value for h in Health)
    plan = _plan("trafiklys.docx")
    board = services.create_board(plan, title="Trafiklys", actor=users["leder"])
    db.session.commit()
    cards = db.session.scalars(
        sa.select(Initiative).where(Initiative.board_id == board.id).order_by(Initiative.id)
    ).all()
    assert [c.health for c in cards] == ["groen", "gul", "roed", "groen", "groen", "gul"]
    created = db.session.scalars(
        sa.select(Event).where(Event.board_id == board.id, Event.kind == "initiative.created")
    ).all()
    assert sorted(e.payload["snapshot"]["health"] for e in created) == sorted(
        c.health for c in cards
    )
