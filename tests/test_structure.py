"""Board structure: themes and objectives (add, rename, reorder, remove),
board settings, and creating a board (admin)."""

import pytest
import sqlalchemy as sa

from board.editing import structure
from board.errors import Refused
from board.extensions import db
from board.models import Board, Event, Objective, Theme
from tests import factories
from tests.html import attr, attrs, count, one, text_of


def kinds(board_id):
    return db.session.scalars(
        sa.select(Event.kind).where(Event.board_id == board_id).order_by(Event.id)
    ).all()


def page(client, board):
    return client.get(f"/boards/{board.id}/structure")


def theme_titles(structure_page) -> list[str]:
    """The themes' names, in the order the page lists them."""
    return attrs(structure_page, 'li[id^="theme-"] > .structure-row input[name="title"]', "value")


def test_domain_add_rename_reorder_and_remove_with_events(board, users):
    leder = users["leder"]
    second = structure.add_theme(board, title="Fundamentet på plads", actor=leder)
    assert second.position == 1
    structure.rename_theme(second, title="Fundamentet", actor=leder)
    assert structure.move_theme(second, direction="up", actor=leder)
    assert not structure.move_theme(second, direction="up", actor=leder)  # already first
    objective = structure.add_objective(second, number="2.1", title="Ro", actor=leder)
    structure.update_objective(objective, number="2.1", title="Ro på", actor=leder)
    structure.delete_objective(objective, actor=leder)
    structure.delete_theme(second, actor=leder)
    db.session.commit()
    assert [t.title for t in db.session.get(Board, board.id).themes] == ["Borgeren først"]
    assert db.session.get(Board, board.id).themes[0].position == 0
    assert kinds(board.id) == [
        "theme.created",
        "theme.updated",
        "theme.reordered",
        "objective.created",
        "objective.updated",
        "objective.deleted",
        "theme.deleted",
    ]


def test_theme_or_objective_with_tiltag_cannot_be_removed(board, users):
    theme = board.themes[0]
    main, related = theme.objectives
    card = factories.make_initiative(board, "Bruger målsætningen", objective=main)
    with pytest.raises(Refused) as refused:
        structure.delete_theme(theme, actor=users["leder"])
    assert "Bruger målsætningen" in refused.value.message
    with pytest.raises(Refused):
        structure.delete_objective(main, actor=users["leder"])
    card.related_objectives = [related]
    db.session.commit()
    with pytest.raises(Refused) as refused:
        structure.delete_objective(related, actor=users["leder"])
    assert "Flyt tiltagene" in refused.value.message


def test_leader_restructures_from_the_page(as_user, board):
    client = as_user("leder")
    assert "Tavlens struktur" in text_of(page(client, board), "main h1")
    response = client.post(f"/boards/{board.id}/structure/themes", data={"title": "Nyt spor"})
    assert response.status_code == 302
    new = db.session.scalars(sa.select(Theme).filter_by(title="Nyt spor")).one()
    client.post(f"/boards/{board.id}/structure/themes/{new.id}/move", data={"direction": "up"})
    client.post(f"/boards/{board.id}/structure/themes/{new.id}", data={"title": "Omdøbt"})
    client.post(
        f"/boards/{board.id}/structure/themes/{new.id}/objectives",
        data={"number": "0.1", "title": "Første mål"},
    )
    structure_page = page(client, board)
    assert theme_titles(structure_page) == ["Omdøbt", "Borgeren først"]
    objective = db.session.scalars(sa.select(Objective).filter_by(title="Første mål")).one()
    row = one(structure_page, f"li#theme-{new.id} li#objective-{objective.id}")
    assert attr(row, 'input[name="number"]', "value") == "0.1"
    assert attr(row, 'input[name="title"]', "value") == "Første mål"
    response = client.post(f"/boards/{board.id}/structure/objectives/{objective.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Objective, objective.id) is None


def test_removing_a_theme_in_use_answers_409_with_a_clear_message(as_user, board):
    factories.make_initiative(board, "Et aktivt tiltag")
    theme = board.themes[0]
    response = as_user("leder").post(f"/boards/{board.id}/structure/themes/{theme.id}/delete")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "«Borgeren først» kan ikke fjernes, fordi 1 tiltag stadig hører til" in html
    assert "«Et aktivt tiltag»" in html
    assert db.session.get(Theme, theme.id) is not None


def test_empty_theme_title_shows_the_error_next_to_the_field(as_user, board):
    theme = board.themes[0]
    response = as_user("leder").post(
        f"/boards/{board.id}/structure/themes/{theme.id}", data={"title": " "}
    )
    assert response.status_code == 422
    field = f"theme-{theme.id}-title"
    assert (
        text_of(response, f"li#theme-{theme.id} p.field-error#{field}-error") == "Skriv en titel."
    )
    assert attr(response, f"input#{field}", "aria-describedby") == f"{field}-error"
    assert attr(response, f"input#{field}", "aria-invalid") == "true"


@pytest.mark.parametrize("who, status", [("med", 403), ("outsider", 404)])
def test_med_and_outsider_cannot_touch_the_structure(as_user, board, who, status):
    client = as_user(who)
    theme = board.themes[0]
    assert client.get(f"/boards/{board.id}/structure").status_code == status
    assert (
        client.post(f"/boards/{board.id}/structure/themes", data={"title": "X"}).status_code
        == status
    )
    assert (
        client.post(f"/boards/{board.id}/structure/themes/{theme.id}/delete").status_code == status
    )
    assert len(db.session.get(Board, board.id).themes) == 1


def test_admin_creates_a_board_without_objective_level(as_user):
    client = as_user("admin")
    assert client.get("/boards/new").status_code == 200
    response = client.post(
        "/boards/new",
        data={
            "title": "Udviklingsproces 2023",
            "description": "",
            "theme_label": "Udviklingsspor",
            "objective_label": "",
        },
    )
    assert response.status_code == 302
    board = db.session.scalars(sa.select(Board).filter_by(title="Udviklingsproces 2023")).one()
    assert board.theme_label == "Udviklingsspor" and board.objective_label is None
    assert kinds(board.id) == ["board.created"]
    structure_page = page(client, board)
    html = structure_page.get_data(as_text=True)
    assert "Nyt udviklingsspor" in html and "Nummer" not in html
    assert text_of(structure_page, 'label[for="theme-new-title"]') == "Nyt udviklingsspor"
    assert count(structure_page, 'input[name="number"], .structure-objectives') == 0


def test_leader_cannot_create_boards_and_errors_are_danish(as_user):
    assert as_user("leder").get("/boards/new").status_code == 403
    response = as_user("admin").post("/boards/new", data={"title": "", "theme_label": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert text_of(response, "p.field-error#title-error") == "Skriv en titel."
    assert "title-error" in attr(response, 'input[name="title"]', "aria-describedby").split()
    assert "Skriv et navn, fx Pejlemærke eller Udviklingsspor." in html


def test_objective_level_cannot_be_switched_off_while_objectives_exist(as_user, board):
    response = as_user("leder").post(
        f"/boards/{board.id}/structure/settings",
        data={"title": "T", "theme_label": "Pejlemærke", "objective_label": ""},
    )
    assert response.status_code == 409
    assert "Fjern dem, før niveauet kan slås fra" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Board, board.id).objective_label == "Målsætning"
