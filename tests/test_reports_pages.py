"""The status page, its downloads, "changes since" and published reports, as
members and share-link visitors see them."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from board.extensions import db
from board.models import Event, PublishedReport, ShareLink
from board.reports.exports import filename
from board.reports.report import StatusReport
from board.tokens import hash_token
from tests import factories
from tests.html import attrs, count, has, one, select, text, text_of, texts
from tests.reports_helpers import archive, at, comment, edit, move, new_card


@pytest.fixture
def report_board(board, users):
    """`board` (theme "Borgeren først", objectives 1.1 and 1.2) with two cards
    as of 1 March 2024, one changed later."""
    board.created_at = at("2024-01-01 08:00")
    db.session.commit()
    theme = board.themes[0]
    first = new_card(
        theme,
        "Borgerpanel",
        objective=theme.objectives[0],
        status_note="Proces igangsættes 3. kvartal 2024",
        timeline="Efterår 2024",
        description="Et panel af borgere\nmødes fire gange",
        when="2024-02-01 10:00",
    )
    second = new_card(
        theme,
        "Samtaleguide",
        objective=theme.objectives[0],
        stage="igangsat",
        status_note="Er igangsat",
        when="2024-02-02 10:00",
    )
    edit(first, "2024-04-01 10:00", status_note="Panelet er nedsat")
    move(first, "afsluttet", "2024-04-01 10:05")
    return board, first, second


@pytest.fixture
def as_user(as_user):
    """conftest's `as_user`, safe to call twice in a test: the app context
    the test holds keeps Flask-Login's user in `g` across requests."""
    from flask import g

    def _as(kind):
        g.pop("_login_user", None)
        return as_user(kind)

    return _as


def report_rows(source) -> dict[str, dict[str, str]]:
    """The status table's rows by tiltag title: objective (the cell spanning
    its rows), timeline, column and status, as shown."""
    rows, objective = {}, None
    for row in select(source, "table.report-table tr.report-row, tr.report-objective-empty"):
        spanning = row.css_first("th.col-objective")
        if spanning is not None:
            objective = text(spanning)
        if "report-objective-empty" in row.attributes["class"]:
            continue
        rows[text_of(row, "td.col-title strong")] = {
            "objective": objective,
            "timeline": text_of(row, "td.col-timeline"),
            "stage": text_of(row, "td.col-stage"),
            "status": text_of(row, "td.col-status"),
        }
    return rows


PUBLISH_FORM = 'form[method="post"][action$="/reports"]'


def _share(board, **fields):
    token = "hemmeligt-token-123"
    db.session.add(
        ShareLink(board_id=board.id, token_hash=hash_token(token), label="Udvalg", **fields)
    )
    db.session.commit()
    return token


def test_status_page_shows_the_date_heading_and_the_state_on_that_date(report_board, as_user):
    board, first, second = report_board
    page = as_user("med").get(f"/boards/{board.id}/status?dato=2024-03-15")
    html = page.get_data(as_text=True)
    assert text_of(page, "header.report-header h1") == "Status pr. 15. marts 2024"
    assert "Panelet er nedsat" not in html
    assert report_rows(page) == {
        "Borgerpanel": {
            "objective": "1.1. Vi taler med borgeren",
            "timeline": "Efterår 2024",
            "stage": "Planlagt",
            "status": "Proces igangsættes 3. kvartal 2024",
        },
        "Samtaleguide": {
            "objective": "1.1. Vi taler med borgeren",
            "timeline": "",
            "stage": "Igangsat",
            "status": "Er igangsat",
        },
    }
    empty = one(page, "tr.report-objective-empty")
    assert text_of(empty, "th") == "1.2. Fælles redskaber"
    assert text_of(empty, "td") == "Ingen tiltag endnu"
    description = one(page, "td.col-title .report-description")
    assert description.inner_html == "Et panel af borgere<br>mødes fire gange"
    now = as_user("med").get(f"/boards/{board.id}/status")
    assert report_rows(now)["Borgerpanel"]["status"] == "Panelet er nedsat"


def test_status_page_filters_by_pejlemaerke(app, users, as_user):
    board = factories.make_board(
        title="To temaer", themes=(("Tema A", ("1.1 Et",)), ("Tema B", ("2.1 To",)))
    )
    factories.make_user("l2@example.dk", board=board, role="leder")
    client = as_user("admin")
    a, b = board.themes
    page = client.get(f"/boards/{board.id}/status?tema={b.id}")
    html = page.get_data(as_text=True)
    assert "Tema B" in html and "1.1. Et" not in html and "2.1. To" in html
    assert texts(page, "section.report-theme h2") == ["Pejlemærke: Tema B"]
    assert texts(page, "tr.report-objective-empty th") == ["2.1. To"]
    assert attrs(page, "#report-theme option[selected]", "value") == [str(b.id)]


@pytest.mark.parametrize(
    "query, message",
    [
        ("dato=2024-02-30", "ikke en gyldig dato"),
        ("dato=marts", "ikke en gyldig dato"),
        ("dato=2999-01-01", "ligger efter i dag"),
        ("tema=abc", "findes ikke"),
        ("tema=99999", "findes ikke"),
    ],
)
def test_bad_input_gets_a_danish_400(report_board, as_user, query, message):
    board = report_board[0]
    for path in ("status", "status.docx"):
        response = as_user("med").get(f"/boards/{board.id}/{path}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(report_board, client):
    board = report_board[0]
    for path in ("status", "status.docx", "changes", "reports"):
        response = client.get(f"/boards/{board.id}/{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_outsiders_get_nothing(report_board, as_user):
    board = report_board[0]
    assert as_user("outsider").get(f"/boards/{board.id}/status.csv").status_code == 404
    assert as_user("outsider").get(f"/boards/{board.id}/changes").status_code == 404
    assert as_user("med").get(f"/boards/{board.id}/status.pdf").status_code == 404


def test_docx_has_one_row_per_tiltag_with_the_right_texts(report_board, as_user):
    board = report_board[0]
    response = as_user("med").get(f"/boards/{board.id}/status.docx?dato=2024-03-15")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    assert "Status pr. 15. marts 2024" in texts
    assert any("2 tiltag" in t and "Testtavle" in t for t in texts)  # the intro
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "Pejlemærke",
        "Målsætning",
        "Tiltag",
        "Iværksættelse",
        "Kolonne",
        "Vurdering",
        "Status",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    tiltag_rows = [r for r in rows if r[2] != "Ingen tiltag endnu"]
    assert tiltag_rows == [
        [
            "Borgeren først",
            "1.1. Vi taler med borgeren",
            "Borgerpanel\nEt panel af borgere\nmødes fire gange",
            "Efterår 2024",
            "Planlagt",
            "",
            "Proces igangsættes 3. kvartal 2024",
        ],
        [
            "Borgeren først",
            "1.1. Vi taler med borgeren",
            "Samtaleguide",
            "",
            "Igangsat",
            "",
            "Er igangsat",
        ],
    ]
    assert [r[1] for r in rows if r[2] == "Ingen tiltag endnu"] == ["1.2. Fælles redskaber"]


def test_the_files_describe_the_report_not_the_library_that_wrote_them(report_board, as_user):
    board = report_board[0]
    client = as_user("med")
    docx = client.get(f"/boards/{board.id}/status.docx?dato=2024-03-15")
    xlsx = client.get(f"/boards/{board.id}/status.xlsx?dato=2024-03-15")
    today = datetime.now(UTC).date()
    core = Document(io.BytesIO(docx.data)).core_properties
    assert core.title == "Status pr. 15. marts 2024 – Testtavle"
    assert core.author == "Tiltagstavlen" and core.comments == ""
    assert core.created.date() == today
    properties = load_workbook(io.BytesIO(xlsx.data)).properties
    assert properties.title == "Status pr. 15. marts 2024 – Testtavle"
    assert properties.creator == "Tiltagstavlen"
    assert properties.created.date() == today


def test_download_names_cut_long_titles_between_words():
    report = StatusReport(
        board_id=1,
        board_title="Fælles langsigtet strategi på socialområdet i Norddjurs Kommune 2024-2028",
        as_of=date(2024, 6, 30),
        theme_label="Pejlemærke",
        objective_label=None,
    )
    name = filename(report, "docx")
    assert name == (
        "status-faelles-langsigtet-strategi-pa-socialomradet-i-norddjurs-kommune-2024-2028"
        "-2024-06-30.docx"
    )
    report.board_title = "Et " + "meget-" * 20 + "langt navn"
    assert filename(report, "csv").endswith("-meget-2024-06-30.csv")


def test_xlsx_and_csv_hold_the_same_rows(report_board, as_user):
    board = report_board[0]
    client = as_user("med")
    book = load_workbook(
        io.BytesIO(client.get(f"/boards/{board.id}/status.xlsx?dato=2024-03-15").data)
    )
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][0] == "Status pr. 15. marts 2024"
    header_at = next(i for i, row in enumerate(sheet) if row and "Tiltag" in row)
    xlsx_rows = [[c or "" for c in row] for row in sheet[header_at + 1 :]]
    data = client.get(f"/boards/{board.id}/status.csv?dato=2024-03-15").data
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for æøå
    csv_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert csv_rows[0] == [str(c) for c in sheet[header_at]]
    assert csv_rows[1:] == xlsx_rows
    assert [r[2] for r in csv_rows[1:]] == ["Borgerpanel", "Samtaleguide", ""]
    assert csv_rows[1][5] == "Planlagt"


def test_share_link_visitors_see_status_downloads_and_changes(report_board, client):
    board = report_board[0]
    token = _share(board)
    page = client.get(f"/s/{token}/status?dato=2024-03-15")
    html = page.get_data(as_text=True)
    assert text_of(page, "header.report-header h1") == "Status pr. 15. marts 2024"
    assert list(report_rows(page)) == ["Borgerpanel", "Samtaleguide"]
    assert "Publicér" not in html and count(page, "form[method=post]") == 0  # read-only
    assert client.get(f"/s/{token}/status.docx?dato=2024-03-15").status_code == 200
    downloads = attrs(page, "ul.report-downloads a[download]", "href")
    assert [d.split("?")[0] for d in downloads] == [
        f"/s/{token}/status.docx",
        f"/s/{token}/status.xlsx",
        f"/s/{token}/status.csv",
    ]
    assert client.get(f"/s/{token}/changes?siden=2024-03-15").status_code == 200
    assert client.get("/s/forkert-token/status").status_code == 404
    revoked = db.session.scalar(db.select(ShareLink))
    revoked.revoked_at = at("2024-05-01 10:00")
    db.session.commit()
    assert client.get(f"/s/{token}/status").status_code == 404


# --------------------------------------------------------------- changes
def test_changes_page_lists_exactly_what_changed(report_board, users, as_user):
    board, first, second = report_board
    theme = board.themes[0]
    third = new_card(theme, "Nyt tiltag", when="2024-03-20 10:00")
    archive(second, "2024-03-21 10:00")
    comment(first, "2024-03-22 10:00", users["med"])
    comment(first, "2024-03-23 10:00", users["med"])
    comment(second, "2024-03-01 10:00", users["med"])  # before: not counted
    edit(third, "2024-03-24 10:00", status_note="ændret efter oprettelse")

    page = as_user("med").get(f"/boards/{board.id}/changes?siden=2024-03-15")
    assert text_of(page, "header.report-header h1") == "Ændringer siden 15. marts 2024"
    changes = {text_of(c, ".change-title"): c for c in select(page, "li.change")}
    assert len(changes) == 3 == count(page, "li.change")
    new, moved, archived = changes["Nyt tiltag"], changes["Borgerpanel"], changes["Samtaleguide"]
    assert text_of(new, ".change-added") == "Tilføjet i Planlagt"
    assert text_of(moved, ".change-moved") == "Flyttet fra Planlagt til Afsluttet"
    assert text_of(moved, ".change-status").startswith("Status ændret")
    assert texts(moved, ".change-status .status-diff dd") == [
        "Proces igangsættes 3. kvartal 2024",
        "Panelet er nedsat",
    ]
    assert text_of(moved, ".change-comments") == "2 nye kommentarer"
    assert text_of(archived, ".change-archived") == "Arkiveret"
    assert not has(archived, ".change-comments")  # its comment was before the date
    # since 1 April (the edit and move were on 1 April): only later changes
    page = as_user("med").get(f"/boards/{board.id}/changes?siden=2024-04-01")
    assert text_of(page, "p.report-empty") == "Ingen ændringer efter 1. april 2024."
    assert count(page, "li.change") == 0


def test_changes_service_nets_out_a_move_back_and_forth(report_board):
    from board.reports.services import changes_since

    board, first, second = report_board
    move(second, "planlagt", "2024-05-01 10:00")
    move(second, "igangsat", "2024-05-02 10:00")
    report = changes_since(board, date(2024, 4, 15))
    assert report.count == 0
    report = changes_since(board, date(2024, 3, 1))
    (group,) = report.groups
    assert group.title == "Borgeren først"
    (change,) = group.changes
    assert (change.title, change.moved, change.status) == (
        "Borgerpanel",
        ("planlagt", "afsluttet"),
        ("Proces igangsættes 3. kvartal 2024", "Panelet er nedsat"),
    )


def test_share_link_without_comments_does_not_count_them(report_board, users, client):
    board, first, _ = report_board
    comment(first, "2024-04-02 10:00", users["med"])
    token = _share(board, show_comments=False)
    page = client.get(f"/s/{token}/changes?siden=2024-04-01")
    assert "kommentar" not in page.get_data(as_text=True)
    assert count(page, ".change-comments") == 0


def test_the_board_links_to_status_and_changes(report_board, as_user, client):
    board = report_board[0]
    page = as_user("med").get(f"/boards/{board.id}")
    assert count(page, f'a[href="/boards/{board.id}/status"]') == 1
    assert count(page, f'a[href="/boards/{board.id}/changes"]') == 1


# --------------------------------------------------------------- published
def test_published_reports_are_frozen(report_board, users, as_user):
    board, first, second = report_board
    client = as_user("leder")
    response = client.post(
        f"/boards/{board.id}/reports",
        data={"titel": "Status til Områdeudvalget, marts 2024", "dato": "2024-03-15"},
    )
    assert response.status_code == 302
    published = db.session.scalar(db.select(PublishedReport))
    assert published.published_by_id == users["leder"].id
    event = db.session.scalar(db.select(Event).where(Event.kind == "report.published"))
    assert event.payload["report_id"] == published.id
    before = client.get(f"/boards/{board.id}/reports/{published.id}.csv").data

    # The board changes afterwards, even its past (a card renamed today).
    edit(second, "2030-01-01 10:00", title="Omdøbt", status_note="Ny tekst")
    db.session.commit()
    after = client.get(f"/boards/{board.id}/reports/{published.id}.csv").data
    assert after == before and "Samtaleguide" in after.decode("utf-8-sig")
    doc = Document(io.BytesIO(client.get(f"/boards/{board.id}/reports/{published.id}.docx").data))
    assert "Samtaleguide" in [c.text for c in doc.tables[0].columns[2].cells]

    listing = as_user("med").get(f"/boards/{board.id}/reports")
    row = one(listing, f'table.published-table tr[data-report-id="{published.id}"]')
    assert text_of(row, "th a") == "Status til Områdeudvalget, marts 2024"
    assert texts(row, "td")[:2] == ["15. marts 2024", "Lone Leder"]
    page = as_user("med").get(f"/boards/{board.id}/reports/{published.id}")
    assert "Omdøbt" not in page.get_data(as_text=True)
    assert list(report_rows(page)) == ["Borgerpanel", "Samtaleguide"]


def test_a_committee_reads_published_reports_through_its_share_link(report_board, as_user, client):
    board = report_board[0]
    as_user("leder").post(
        f"/boards/{board.id}/reports",
        data={"titel": "Status til Områdeudvalget, marts 2024", "dato": "2024-03-15"},
    )
    published = db.session.scalar(db.select(PublishedReport))
    other = factories.make_board(title="Anden tavle")
    db.session.add(
        PublishedReport(board_id=other.id, title="Hemmelig", as_of=date(2024, 3, 15), snapshot={})
    )
    db.session.commit()
    token = _share(board)

    for page_url in (f"/s/{token}", f"/s/{token}/status"):
        assert count(client.get(page_url), f'a[href="/s/{token}/reports"]') == 1
    listing = client.get(f"/s/{token}/reports")
    listing_html = listing.get_data(as_text=True)
    assert "Hemmelig" not in listing_html
    assert texts(listing, "table.published-table tbody th a") == [
        "Status til Områdeudvalget, marts 2024"
    ]
    assert attrs(listing, "table.published-table tbody th a", "href") == [
        f"/s/{token}/reports/{published.id}"
    ]
    # Read-only.
    assert "Publicér" not in listing_html and f"/boards/{board.id}" not in listing_html
    assert count(listing, "form[method=post]") == 0
    page = client.get(f"/s/{token}/reports/{published.id}")
    assert "Samtaleguide" in report_rows(page)
    assert f"/boards/{board.id}" not in page.get_data(as_text=True)
    download = client.get(f"/s/{token}/reports/{published.id}.docx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    hidden = db.session.scalar(
        db.select(PublishedReport).where(PublishedReport.title == "Hemmelig")
    )
    assert client.get(f"/s/{token}/reports/{hidden.id}").status_code == 404
    assert client.get(f"/s/{token}/reports/{hidden.id}.csv").status_code == 404
    assert client.get("/s/forkert-token/reports").status_code == 404


@pytest.mark.parametrize(
    "form, status, message",
    [
        # What a person typed: the form again with the error (422).
        ({"titel": "", "dato": "2024-03-15"}, 422, "Giv rapporten et navn"),
        ({"titel": "x" * 301, "dato": "2024-03-15"}, 422, "højst være 300 tegn"),
        # What the page never sends (a date field, a list of choices): 400.
        ({"titel": "Ok", "dato": "15/3"}, 400, "ikke en gyldig dato"),
        ({"titel": "Ok", "dato": "2024-03-15", "tema": "999999"}, 400, "findes ikke"),
        ({"titel": "Ok", "dato": "2024-03-15", "tema": "x"}, 400, "findes ikke"),
    ],
)
def test_publishing_bad_input_gets_a_danish_4xx_and_writes_nothing(
    report_board, as_user, form, status, message
):
    board = report_board[0]
    response = as_user("leder").post(f"/boards/{board.id}/reports", data=form)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(PublishedReport)) == 0


def test_only_leaders_publish(report_board, as_user):
    board = report_board[0]
    response = as_user("med").post(
        f"/boards/{board.id}/reports", data={"titel": "X", "dato": "2024-03-15"}
    )
    assert response.status_code == 403
    page = as_user("med").get(f"/boards/{board.id}/status")
    assert "Publicér" not in page.get_data(as_text=True)
    assert not has(page, PUBLISH_FORM)
    assert has(as_user("leder").get(f"/boards/{board.id}/status"), PUBLISH_FORM)


def test_a_long_docx_table_keeps_one_row_per_tiltag():
    """300 tiltag under one målsætning: the merged cells don't grow the cost
    per row (python-docx's own merge overflowed the stack here)."""
    from board.reports.exports import to_docx
    from board.reports.report import ReportObjective, ReportRow, ReportTheme, StatusReport

    rows = [ReportRow(id=i, title=f"Tiltag {i}", status_note=f"Status {i}") for i in range(300)]
    report = StatusReport(
        board_id=1,
        board_title="Stor tavle",
        as_of=date(2024, 3, 1),
        theme_label="Pejlemærke",
        objective_label="Målsætning",
        themes=[
            ReportTheme(
                id=1,
                title="Tema",
                objectives=[ReportObjective(id=1, number="1.1", title="Mål", rows=rows)],
            )
        ],
    )
    table = Document(io.BytesIO(to_docx(report))).tables[0]
    assert len(table.rows) == 301
    last = [c.text for c in table.rows[300].cells]
    assert last == ["Tema", "1.1. Mål", "Tiltag 299", "", "Ikke iværksat", "", "Status 299"]


def test_a_date_before_the_board_existed_says_so(demo, as_user):
    strategy = demo[0]
    client = as_user("admin")
    for day in ("0001-01-01", "2024-02-29"):
        page = client.get(f"/boards/{strategy.id}/status?dato={day}")
        assert text_of(page, "main p.notice-info").startswith("Tavlen blev oprettet 1. marts 2024.")
        assert report_rows(page) == {}
    page = client.get(f"/boards/{strategy.id}/status?dato=2024-03-01")
    assert "Tavlen blev oprettet" not in page.get_data(as_text=True)
    assert len(report_rows(page)) == 29
