"""Writes the importer's test corpus: Word files as Word writes them, with
merged cells (python-docx merges cells the way Word stores them: gridSpan
and vMerge), list paragraphs, repeated header rows and tables split over
pages. Run it to rebuild the .docx files in this folder:

    .venv/bin/python tests/data/import/make_corpus.py

Two are the seed status documents rebuilt from the curated demo data
(board/demo/data), with the seeds' own headers and text above the table;
the others differ from the seeds in the ways real documents do (see
CORPUS). tests/test_importer_corpus.py says what each must import to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEMO = ROOT / "board" / "demo" / "data"
SEEDS = ROOT / "tests" / "data" / "seeds"

UP = "^"  # a cell merged with the one above (vertically)


def _heading(text: str) -> tuple[str, str]:
    """A row of one cell across the table (merged horizontally)."""
    return ("#", text)


def _write_cell(cell, value) -> None:
    lines = value if isinstance(value, list) else str(value or "").split("\n")
    lines = [line for line in lines if line.strip()] or [""]
    first = True
    for line in lines:
        bullet = line.startswith("- ")
        text = line[2:] if bullet else line
        if first:
            paragraph = cell.paragraphs[0]
            paragraph.add_run(text)
            if bullet:
                paragraph.style = "List Bullet"
        else:
            cell.add_paragraph(text, style="List Bullet" if bullet else None)
        first = False


def _repeat_as_header(row) -> None:
    """Word's "Gentag som overskriftsrække": the header on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    tr_pr.append(flag)


def _table(document, header: list[str], rows: list) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        _write_cell(cell, name)
    _repeat_as_header(table.rows[0])
    for r, row in enumerate(rows, 1):
        if isinstance(row, tuple) and row[0] == "#":
            _write_cell(table.cell(r, 0), row[1])
            table.cell(r, 0).merge(table.cell(r, len(header) - 1))
            continue
        for c, value in enumerate(row):
            if value != UP:
                _write_cell(table.cell(r, c), value)
    # vertical merges: each run of UP joins the cell above it
    for c in range(len(header)):
        r = 1
        while r <= len(rows):
            row = rows[r - 1]
            if not isinstance(row, tuple) and row[c] == UP:
                top = r - 1
                while (
                    r <= len(rows) and not isinstance(rows[r - 1], tuple) and rows[r - 1][c] == UP
                ):
                    r += 1
                table.cell(top, c).merge(table.cell(r - 1, c))
            else:
                r += 1


def _is_up(row, column: int) -> bool:
    return not isinstance(row, tuple) and row[column] == UP


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def build(path: Path, *, preamble: list[str], header: list[str], parts: list) -> None:
    """`parts`: lists of rows, one table each, separated by page breaks; a
    string between them is a heading paragraph above the next table."""
    document = Document()
    for index, text in enumerate(preamble):
        if index == 0:
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    first = True
    for part in parts:
        if isinstance(part, str):
            if not first:
                _page_break(document)
                first = True  # the heading stays with its table
            document.add_heading(part, level=2)
            continue
        if not first:
            _page_break(document)
        _table(document, header, part)
        first = False
    document.core_properties.title = preamble[0] if preamble else path.stem
    document.save(path)


# ------------------------------------------------------------ the two seeds
def _seed_text(name: str) -> tuple[list[str], list[str]]:
    """The seed's lines above the table and its header row."""
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    preamble = []
    for line in lines:
        if "\t" in line:
            return preamble, line.split("\t")
        if line.strip():
            preamble.append(line.strip())
    raise SystemExit(f"no header in {name}")


def _tiltag_cell(card: dict) -> list[str]:
    return [card["title"]] + card["description"].split("\n")


def seed_strategy(path: Path) -> None:
    data = json.loads((DEMO / "strategi-2024.json").read_text(encoding="utf-8"))
    preamble, header = _seed_text(data["source"])
    rows = []
    for theme in data["themes"]:
        first_of_theme = True
        for objective in theme["objectives"]:
            label = f"{objective['number']}. {objective['title']}"
            cards = objective["initiatives"] or [None]
            for n, card in enumerate(cards):
                rows.append(
                    [
                        theme["title"] if first_of_theme else UP,
                        label if n == 0 else UP,
                        _tiltag_cell(card) if card else "",
                        card["status_note"] if card else "",
                    ]
                )
                first_of_theme = False
    build(path, preamble=preamble, header=header, parts=[rows])


def seed_process(path: Path) -> None:
    data = json.loads((DEMO / "udviklingsproces-2023.json").read_text(encoding="utf-8"))
    preamble, header = _seed_text(data["source"])
    rows = []
    for theme in data["themes"]:
        for n, card in enumerate(theme["initiatives"]):
            rows.append(
                [
                    theme["title"] if n == 0 else UP,
                    _tiltag_cell(card),
                    card["timeline"],
                    card["status_note"],
                ]
            )
    build(path, preamble=preamble, header=header, parts=[rows])


# ------------------------------------------------------------ the corpus
def other_order(path: Path) -> None:
    """Status first, the theme last; "Tiltag/handling" as the header."""
    build(
        path,
        preamble=["Handleplan for Voksenområdet", "Status pr. 1. juni 2024"],
        header=["Status", "Tiltag/handling", "Indsatsområde"],
        parts=[
            [
                ["Er igangsat", "Ny model for visitation", "Rehabilitering"],
                ["I gang med anden runde", "Kompetenceløft af hjemmetrænere", UP],
                ["Afsluttet i marts 2024", "Fælles screeningsværktøj", UP],
                ["Planlagt til efteråret 2024", "Temadag for pårørende", "Pårørende"],
                ["", "Pårørendepolitik", UP],
            ]
        ],
    )


def traffic_light(path: Path) -> None:
    """A Vurdering column of traffic-light words, and percentages."""
    build(
        path,
        preamble=["Opfølgning på Børne- og ungepolitikken", "Status pr. 1. september 2024"],
        header=["Tema", "Indsats", "Vurdering", "Bemærkninger"],
        parts=[
            [
                [
                    "Trivsel",
                    "Trivselsmålinger i alle klubber",
                    "Grøn",
                    "40 % gennemført. Resten forventes afsluttet i december.",
                ],
                [UP, "Netværk for forældre", "Gul", "Forsinket: mangler tovholder"],
                [UP, "Mentorordning", "Rød", "Ikke påbegyndt, da projektmidlerne mangler"],
                ["Tidlig indsats", "Familiehus", "Grøn", "100 % gennemført"],
                [UP, "Sprogscreening", "Grøn", "Kører som planlagt i alle dagtilbud"],
                [UP, "Åben rådgivning", "Gul", "Opstart 2. halvår 2024"],
            ]
        ],
    )


def responsible(path: Path) -> None:
    """A responsible-person column and a timeline in quarters."""
    build(
        path,
        preamble=["Digitaliseringsstrategi – status", "Status Q2 2025"],
        header=["Fokusområde", "Handling", "Ansvarlig", "Tidsplan", "Status"],
        parts=[
            [
                [
                    "Selvbetjening",
                    "Ny ansøgning om hjælpemidler",
                    "Lone Madsen, IT-chef",
                    "Q3 2025",
                    "I støbeskeen",
                ],
                [UP, "Chatbot på hjemmesiden", "Per Holm", "2. halvår 2024", "Gennemført"],
                [UP, "Digital post til pårørende", "Lone Madsen, IT-chef", "2025", "I gang"],
                [
                    "Data",
                    "Fælles ledelsesinformation",
                    "Anna Berg",
                    "Q4 2025",
                    "Afventer ny leverandør",
                ],
                [UP, "Datarevision", "Anna Berg", "", "Ikke startet"],
            ]
        ],
    )


def three_levels(path: Path) -> None:
    """Pejlemærke as a heading row across the table, then delmål (merged
    down) and aktiviteter, with lists in the status."""
    build(
        path,
        preamble=["Sundhedspolitik 2024-2027", "Status pr. 1. marts 2025"],
        header=["Delmål", "Aktivitet", "Status", "Frist"],
        parts=[
            [
                _heading("Pejlemærke 1: Sund start på livet"),
                [
                    "1.1 Flere børn er fysisk aktive",
                    "Motion i dagtilbud",
                    ["Er igangsat i:", "- Grenaa", "- Auning"],
                    "2025",
                ],
                [UP, "Cykelleg i indskolingen", "Planlægges", "Q3 2025"],
                ["1.2 Færre unge ryger", "Røgfri skoletid", "Gennemført", ""],
                _heading("Pejlemærke 2: Et godt ældreliv"),
                ["2.1 Færre ensomme ældre", "Besøgsvenner", "Pågår", "2026"],
                [UP, "Spisefællesskaber", "Er ikke igangsat", "2026"],
                ["2.2 Flere ældre bevarer funktionsevnen", "Træning i eget hjem", "Løbende", ""],
                [UP, "Faldforebyggelse", "Forventes påbegyndt 2. halvår 2025", ""],
            ]
        ],
    )


def split_over_pages(path: Path) -> None:
    """One table split over two pages: the header repeated, the pejlemærke
    continued, and the last tiltag's status going on at the top of the next
    page (as a table split by a page break is often pasted together)."""
    build(
        path,
        preamble=["Status på psykiatriplanen", "Status pr. 15. maj 2024"],
        header=["Pejlemærke", "Tiltag", "Status"],
        parts=[
            [
                ["Recovery", "Recoverykursus for medarbejdere", "Er igangsat"],
                [UP, "Peer-medarbejdere", "To peer-medarbejdere er ansat"],
                [
                    UP,
                    "Recoveryskole",
                    "Under planlægning. Lokaler er fundet, og undervisere er",
                ],
            ],
            [
                ["", "", "ved at blive rekrutteret."],
                ["", "Fælles sprog om recovery", "Ikke påbegyndt"],
                ["Samarbejde", "Samarbejdsaftale med regionen", "Afsluttet"],
                [UP, "Fælles akutteam", "Forventes igangsat Q1 2025"],
            ],
        ],
    )


def swedish(path: Path) -> None:
    """A Swedish follow-up with a Bedömning (traffic light) column."""
    build(
        path,
        preamble=["Handlingsplan för äldreomsorgen", "Uppföljning T2 2021"],
        header=["Fokusområde", "Åtgärd", "Ansvarig", "Status", "Bedömning"],
        parts=[
            [
                ["Trygghet", "Nattpatrull i hemtjänsten", "Enhetschef", "Pågår", "Grön"],
                [UP, "Trygghetslarm med GPS", "Verksamhetschef", "Klar", "Grön"],
                [UP, "Genomför riskbedömningar", "Sjuksköterska", "Ej påbörjad", "Röd"],
                [
                    "Kompetens",
                    "Utbildning i demensvård",
                    "HR",
                    "Planeras till hösten 2021",
                    "Gul",
                ],
                [UP, "Språkombud", "HR", "Genomförd i februari 2021", "Grön"],
            ]
        ],
    )


def norwegian(path: Path) -> None:
    build(
        path,
        preamble=["Kommunedelplan for helse og omsorg", "Status per 31. august 2024"],
        header=["Satsingsområde", "Tiltak", "Ansvar", "Status"],
        parts=[
            [
                ["Forebygging", "Frisklivssentral", "Kommunalsjef", "Ferdig"],
                [UP, "Hverdagsrehabilitering", "Enhetsleder", "Pågår"],
                ["Bolig", "Boligsosial handlingsplan", "Rådmann", "Planlegges høsten 2024"],
                [UP, "Omsorgsboliger", "Eiendom", "Ikke startet"],
            ]
        ],
    )


def several_tables(path: Path) -> None:
    """A small document table first, then one table per theme under its
    heading: the themes are the headings."""
    document_parts = [
        "Udsatteområdet: Tema 1 – Bolig",
        [["Housing First-forløb", "Er igangsat"], ["Akutpladser", "Planlagt 1. kvartal 2025"]],
        "Tema 2 – Beskæftigelse",
        [["Job i foreningslivet", "Afsluttet"], ["IPS-metoden", "Kører"]],
    ]
    document = Document()
    document.add_heading("Status på udsattestrategien", level=1)
    info = document.add_table(rows=2, cols=2)
    info.style = "Table Grid"
    for cell, text in zip(
        info.rows[0].cells + info.rows[1].cells,
        ["Udarbejdet af", "Dato", "Socialafdelingen", "1. oktober 2024"],
        strict=True,
    ):
        _write_cell(cell, text)
    for part in document_parts:
        if isinstance(part, str):
            document.add_heading(part, level=2)
        else:
            _table(document, ["Indsats", "Status"], part)
    document.save(path)


def unknown_headers(path: Path) -> None:
    """Headers no synonym knows: the roles are guessed from the content, and
    the leader corrects the one the guess leaves out (Kontakt)."""
    build(
        path,
        preamble=["Arbejdsmiljø – opfølgning"],
        header=["Emne", "Punkt", "Kontakt", "Hvordan går det"],
        parts=[
            [
                [
                    "Psykisk arbejdsmiljø",
                    "Trivselsundersøgelse",
                    "Mette",
                    "Undersøgelsen er gennemført, og resultaterne er drøftet i alle "
                    "afdelinger; handleplaner er udarbejdet",
                ],
                [
                    UP,
                    "Stresspolitik",
                    "Jonas",
                    "Udkastet til en ny stresspolitik er sendt i høring i MED-systemet "
                    "og forventes vedtaget i december",
                ],
                [
                    "Fysisk arbejdsmiljø",
                    "Nye hæve-sænkeborde",
                    "Mette",
                    "Bordene er bestilt og forventes leveret og sat op i løbet af "
                    "efteråret i alle kontorer",
                ],
                [
                    UP,
                    "Indeklima",
                    "Søren",
                    "Målingerne af indeklimaet kører i alle bygninger, og resultaterne "
                    "kommer i løbet af foråret",
                ],
            ]
        ],
    )


SEED_FILES = {
    "seed-strategi-2024.docx": seed_strategy,
    "seed-udviklingsproces-2023.docx": seed_process,
}
CORPUS = {
    "andre-kolonner.docx": other_order,
    "trafiklys.docx": traffic_light,
    "ansvarlig.docx": responsible,
    "tre-niveauer.docx": three_levels,
    "sideskift.docx": split_over_pages,
    "svensk.docx": swedish,
    "norsk.docx": norwegian,
    "flere-tabeller.docx": several_tables,
    "ukendte-overskrifter.docx": unknown_headers,
}


def main(target: Path = HERE) -> None:
    for name, make in {**SEED_FILES, **CORPUS}.items():
        make(target / name)
        print(target / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
