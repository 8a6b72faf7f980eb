"""A tiltag's owner (a user with a role on the board) and its vurdering
(groen / gul / roed): the edit form, the card, the history, the filter, the
status report and its downloads."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from docx import Document

from board.editing.services import update_initiative
from board.errors import Refused
from board.extensions import db
from board.models import Event, Health, Initiative, Role
from board.query_counter import count_queries
from board.reports.report import StatusReport
from board.reports.services import status_as_of
from tests import factories
from tests.html import attr, form_fields, has, one, select, text, text_of

HX = {"HX-Request": "true"}


def edit_url(card):
    return f"/boards/{card.board_id}/initiatives/{card.id}/edit"


@pytest.fixture
def card(app, board, users):
    return factories.make_initiative(board, "Borgerpanel", status_note="Godt i gang")


def edit_form(client, card) -> dict:
    response = client.get(edit_url(card), headers=HX)
    assert response.status_code == 200
    fields = form_fields(response, "form")
    fields["objective"] = ""  # the "(ingen)" option's value is empty
    return fields


def test_the_edit_form_offers_the_boards_members_and_the_three_vurderinger(as_user, card, users):
    response = as_user("leder").get(edit_url(card), headers=HX)
    owners = [text(o) for o in select(response, "select[name=owner] option")]
    assert owners == ["(ingen)", "Lone Leder", "Mads Med"]  # not the admin, not the outsider
    healths = [text(o) for o in select(response, "select[name=health] option")]
    assert healths == [
        "(ingen vurdering)",
        "● På rette spor",
        "▲ Udfordret",
        "■ Kritisk / forsinket",
    ]


def test_setting_owner_and_vurdering_shows_them_on_the_card_and_in_the_history(
    as_user, card, users
):
    client = as_user("leder")
    data = edit_form(client, card)
    data.update(owner=str(users["med"].id), health="gul")
    response = client.post(edit_url(card), data=data, headers=HX)
    assert response.status_code == 200
    assert text_of(response, ".field-health") == "▲ Udfordret"
    assert text_of(response, ".field-owner") == "Mads Med"
    history = text_of(response, ".card-history")
    assert "ansvarlig person" in history.lower() and "Mads Med" in history
    assert "Udfordret" in history

    board_page = client.get(f"/boards/{card.board_id}")
    element = one(board_page, f"#card-{card.id}")
    assert element.attributes["data-health"] == "gul"
    # Text and symbol, never colour alone.
    assert text_of(board_page, f"#card-{card.id} .health") == "▲ Udfordret"
    assert text_of(board_page, f"#card-{card.id} .card-owner") == "Ansvarlig: Mads Med"

    event = db.session.query(Event).filter_by(kind="initiative.updated").one()
    assert event.payload["changes"] == {
        "owner_id": [None, users["med"].id],
        "health": [None, "gul"],
    }


def test_a_card_without_vurdering_has_no_data_health(as_user, card):
    board_page = as_user("med").get(f"/boards/{card.board_id}")
    assert attr(board_page, f"#card-{card.id}", "data-health") is None
    assert not has(board_page, f"#card-{card.id} .health")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("owner", "outsider", "Den ansvarlige person skal have en rolle på tavlen."),
        ("owner", "999999", "Den ansvarlige person skal have en rolle på tavlen."),
        ("owner", "abc", "Vælg en af mulighederne på listen."),
        ("health", "blaa", "Vælg en vurdering"),
    ],
)
def test_a_bad_owner_or_vurdering_is_a_danish_422_and_changes_nothing(
    as_user, card, users, field, value, message
):
    client = as_user("leder")
    data = edit_form(client, card)
    if value == "outsider":
        value = str(users["outsider"].id)
    data[field] = value
    data["status_note"] = "Må ikke gemmes"
    response = client.post(edit_url(card), data=data, headers=HX)
    assert response.status_code == 422
    assert message in text_of(response, f"#{field}-error")
    db.session.expire_all()
    fresh = db.session.get(Initiative, card.id)
    assert (fresh.owner_id, fresh.health, fresh.status_note, fresh.version) == (
        None,
        None,
        "Godt i gang",
        1,
    )


def test_the_domain_function_refuses_a_non_member_owner(app, card, users):
    with pytest.raises(Refused) as refused:
        update_initiative(
            card, expected_version=1, actor=users["leder"], owner_id=users["outsider"].id
        )
    assert refused.value.status == 422 and refused.value.field == "owner"
    with pytest.raises(Refused) as refused:
        update_initiative(card, expected_version=1, actor=users["leder"], health="groenne")
    assert refused.value.field == "health"
    db.session.rollback()
    assert db.session.query(Event).filter_by(kind="initiative.updated").count() == 0


def test_an_edit_without_the_new_fields_keeps_owner_and_vurdering(as_user, card, users):
    update_initiative(card, expected_version=1, actor=None, owner_id=users["med"].id, health="roed")
    db.session.commit()
    client = as_user("leder")
    data = edit_form(client, card)
    del data["owner"], data["health"]
    data["status_note"] = "Ny status"
    assert client.post(edit_url(card), data=data, headers=HX).status_code == 200
    db.session.expire_all()
    fresh = db.session.get(Initiative, card.id)
    assert (fresh.owner_id, fresh.health, fresh.status_note) == (
        users["med"].id,
        "roed",
        "Ny status",
    )


def test_a_deleted_owner_leaves_the_card_without_owner(app, card, users):
    update_initiative(card, expected_version=1, actor=None, owner_id=users["med"].id)
    db.session.commit()
    db.session.delete(users["med"])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).owner_id is None


# --------------------------------------------------------------- the filter
@pytest.fixture
def rated_board(app, board, users):
    leder, med = users["leder"], users["med"]
    cards = {}
    for title, owner, health in (
        ("Lones grønne", leder, "groen"),
        ("Lones røde", leder, "roed"),
        ("Mads' gule", med, "gul"),
        ("Uden ejer", None, None),
    ):
        cards[title] = factories.make_initiative(
            board, title, owner_id=owner.id if owner else None, health=health
        )
    return cards


def shown_titles(response) -> list[str]:
    return sorted(text(n) for n in select(response, "#columns .card-title"))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ejer=mig", ["Lones grønne", "Lones røde"]),
        ("ejer={med}", ["Mads' gule"]),
        ("vurdering=roed", ["Lones røde"]),
        ("vurdering=ingen", ["Uden ejer"]),
        ("ejer=mig&vurdering=groen", ["Lones grønne"]),
        ("ejer=nonsens&vurdering=lilla", ["Lones grønne", "Lones røde", "Mads' gule", "Uden ejer"]),
    ],
)
def test_the_board_filters_by_owner_mine_and_vurdering(
    as_user, board, users, rated_board, query, expected
):
    response = as_user("leder").get(f"/boards/{board.id}?" + query.format(med=users["med"].id))
    assert response.status_code == 200
    assert shown_titles(response) == sorted(expected)


def test_the_filter_is_kept_in_the_url_with_the_theme_filter(as_user, board, rated_board):
    theme = board.themes[0]
    response = as_user("leder").get(f"/boards/{board.id}?tema={theme.id}&ejer=mig&vurdering=roed")
    assert shown_titles(response) == ["Lones røde"]
    fields = form_fields(response, "#board-filter")
    assert (fields["tema"], fields["ejer"], fields["vurdering"]) == (str(theme.id), "mig", "roed")
    # Live refreshes and moves send the same filter (the page keeps it here).
    assert attr(response, "#columns .columns", "data-filter-extra") == "ejer=mig&vurdering=roed"


def test_mine_tiltag_is_not_offered_through_a_share_link(app, board, rated_board, users):
    from board.share.services import create_share_link

    token = create_share_link(board, label="Udvalget", actor=users["leder"]).token
    db.session.commit()
    response = app.test_client().get(f"/s/{token}?ejer=mig")
    assert response.status_code == 200
    assert len(shown_titles(response)) == 4  # "mig" means no one here
    values = [o.attributes.get("value") for o in select(response, "select[name=ejer] option")]
    assert "mig" not in values


def test_filtered_live_parts_follow_the_owner_filter(as_user, board, users, rated_board):
    card = rated_board["Mads' gule"]
    response = as_user("leder").get(f"/boards/{board.id}/live/parts?card={card.id}&ejer=mig")
    assert response.status_code == 200
    # Not Lone's card: the page under "Mine tiltag" drops it.
    assert f'id="card-{card.id}" hx-swap-oob="delete"' in response.get_data(as_text=True)


def test_the_filtered_board_costs_the_same_queries_at_any_size(as_user, board, users, rated_board):
    client = as_user("leder")

    def queries():
        with count_queries(db.engine) as counter:
            assert client.get(f"/boards/{board.id}?ejer=mig&vurdering=groen").status_code == 200
        return counter.count

    few = queries()
    for i in range(40):
        factories.make_initiative(board, f"Mere {i}", owner_id=users["leder"].id, health="groen")
    assert queries() == few


def test_a_move_on_a_filtered_board_counts_only_the_cards_it_shows(as_user, board, users):
    leder = users["leder"]
    mine = [
        factories.make_initiative(board, f"Min {i}", stage="planlagt", owner_id=leder.id)
        for i in range(2)
    ]
    factories.make_initiative(board, "Andres", stage="planlagt")
    card = factories.make_initiative(board, "Flyttes", owner_id=leder.id)
    response = as_user("leder").post(
        f"/boards/{board.id}/initiatives/{card.id}/move",
        data={"stage": "planlagt", "position": "2", "version": "1", "ejer": "mig"},
        headers=HX,
    )
    assert response.status_code == 200
    db.session.expire_all()
    order = [
        c.title
        for c in db.session.query(Initiative)
        .filter_by(board_id=board.id, stage="planlagt")
        .order_by(Initiative.position)
    ]
    # Right after the second visible card ("Min 1"), before the hidden one.
    assert order == [mine[0].title, mine[1].title, "Flyttes", "Andres"]


# --------------------------------------------------------------- reports
def test_status_as_of_and_the_downloads_carry_the_vurdering_and_owner(
    as_user, board, users, rated_board
):
    report = status_as_of(board, date.today())
    rows = {r.title: r for _, _, r in report.flat_rows() if r}
    assert rows["Lones røde"].health == "roed"
    assert rows["Lones røde"].health_label == "Kritisk / forsinket"
    assert rows["Lones røde"].owner == "Lone Leder"
    assert rows["Uden ejer"].health is None

    client = as_user("med")
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(f"/boards/{board.id}/status.csv").data.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    header = csv_rows[0]
    vurdering = header.index("Vurdering")
    by_title = {r[header.index("Tiltag")]: r for r in csv_rows[1:]}
    assert by_title["Mads' gule"][vurdering] == "Udfordret"
    assert by_title["Mads' gule"][header.index("Ansvarlig")] == "Mads Med"

    document = Document(io.BytesIO(client.get(f"/boards/{board.id}/status.docx").data))
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    cells = {r.cells[header.index("Tiltag")].text: r for r in table.rows[1:]}
    assert cells["Lones grønne"].cells[header.index("Vurdering")].text == "På rette spor"

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"/boards/{board.id}/status.xlsx").data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_row = next(r for r in values if r and "Vurdering" in r)
    assert "Kritisk / forsinket" in [r[header_row.index("Vurdering")] for r in values]

    page = client.get(f"/boards/{board.id}/status")
    yellow = rated_board["Mads' gule"].id
    assert "▲ Udfordret" in text_of(page, f'.report-row[data-initiative-id="{yellow}"]')


def test_status_as_of_a_date_shows_the_vurdering_then(app, board, users):
    from tests.reports_helpers import on

    with on("2025-03-01 12:00"):
        card = factories.make_initiative(board, "Tiltag", health="groen")
    with on("2025-04-01 12:00"):
        update_initiative(card, expected_version=1, actor=None, health="roed")
        db.session.commit()
    before = status_as_of(board, date(2025, 3, 15))
    after = status_as_of(board, date(2025, 4, 2))
    assert [r.health for _, _, r in before.flat_rows() if r] == ["groen"]
    assert [r.health for _, _, r in after.flat_rows() if r] == ["roed"]


def test_an_old_snapshot_without_vurdering_still_loads():
    old = {
        "board_id": 1,
        "board_title": "Tavle",
        "as_of": "2024-03-01",
        "theme_label": "Pejlemærke",
        "objective_label": None,
        "themes": [{"id": 1, "title": "Tema", "rows": [{"id": 5, "title": "Gammelt"}]}],
    }
    report = StatusReport.from_json(old)
    row = report.themes[0].rows[0]
    assert (row.health, row.owner, row.health_label) == (None, "", "")
    again = StatusReport.from_json(report.to_json())
    assert again.themes[0].rows[0] == row


def test_health_enum_values_labels_and_symbols():
    assert [(h.value, h.label) for h in Health] == [
        ("groen", "På rette spor"),
        ("gul", "Udfordret"),
        ("roed", "Kritisk / forsinket"),
    ]
    assert len({h.symbol for h in Health}) == 3


def test_only_leaders_change_owner_and_vurdering(as_user, card, users):
    client = as_user("med")
    response = client.post(edit_url(card), data={"owner": str(users["med"].id)}, headers=HX)
    assert response.status_code == 403
    assert users["med"].memberships[0].role == Role.MED
