"""HTTP tests for creating, editing, archiving and restoring tiltag: the
Danish error next to each field, roles (403/404), and 409 on stale edits."""

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Event, Initiative
from tests import factories
from tests.html import attr, count, has, one, text, text_of, texts

HX = {"HX-Request": "true"}


@pytest.fixture
def two_themes(app):
    board = factories.make_board(
        title="To temaer",
        themes=(("Borgeren først", ("1.1 Vi taler", "1.2 Redskaber")), ("Fundament", ("2.1 Ro",))),
    )
    return board


@pytest.fixture
def card(board):
    return factories.make_initiative(
        board, "Fælles redskab", status_note="Gammel status", responsible="Socialchef"
    )


def form_data(card, **overrides):
    data = {
        "title": card.title,
        "theme": str(card.theme_id),
        "objective": "",
        "description": card.description,
        "timeline": card.timeline,
        "status_note": card.status_note,
        "responsible": card.responsible,
        "due_date": "",
        "version": str(card.version),
    }
    data.update(overrides)
    return data


def url(card, action="edit"):
    return f"/boards/{card.board_id}/initiatives/{card.id}/{action}"


def error_next_to(source, field: str) -> str:
    """The error message rendered for `field`, tied to its control by
    aria-describedby."""
    message = one(source, f"p.field-error#{field}-error")
    control = one(source, f'[aria-describedby~="{field}-error"]')
    # The control itself, or the fieldset around a group of checkboxes.
    assert control.attributes.get("name") == field or (
        control.tag == "fieldset" and control.css(f'[name="{field}"]')
    )
    return text(message)


def test_leader_gets_the_edit_form_with_current_values(as_user, card):
    response = as_user("leder").get(url(card), headers=HX)
    assert response.status_code == 200
    form = one(response, "form.edit-form")
    assert attr(form, 'input[name="title"]', "value") == "Fælles redskab"
    assert text_of(form, 'textarea[name="status_note"]') == "Gammel status"
    assert attr(form, 'input[name="version"][type="hidden"]', "value") == str(card.version)


def test_leader_saves_an_edit_and_the_card_and_history_show_it(as_user, card, users):
    client = as_user("leder")
    response = client.post(url(card), data=form_data(card, status_note="Ny status"), headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#card-body-{card.id}"
    assert "tiltag:board-changed" in response.headers["HX-Trigger"]
    assert "Ny status" in text_of(response, f"#card-details-{card.id}")
    assert not has(response, "form.edit-form")
    history = one(response, f"#card-history-{card.id}")
    entry = one(history, 'li.history-entry[data-kind="initiative.updated"]')
    assert "Lone Leder" in text(entry) and "Ændrede status" in text(entry)
    assert texts(entry, "del") == ["Gammel status"] and texts(entry, "ins") == ["Ny status"]
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).version == 2


def test_edit_without_javascript_redirects_to_the_card(as_user, card):
    response = as_user("leder").post(url(card), data=form_data(card, title="Nyt navn"))
    assert response.status_code == 302
    page = as_user("leder").get(response.headers["Location"])
    assert text_of(page, "h1#dialog-title") == "Nyt navn"
    assert "Ændringerne er gemt." in text_of(page, "#notice")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "Skriv en titel."),
        ("title", "x" * 501, "Højst 500 tegn."),
        ("description", "x" * 10_001, "Højst 10.000 tegn."),
        ("timeline", "x" * 10_001, "Højst 10.000 tegn."),
        ("status_note", "x" * 10_001, "Højst 10.000 tegn."),
        ("responsible", "x" * 201, "Højst 200 tegn."),
        ("due_date", "31-02-2025", "Skriv en gyldig dato, fx 2025-03-15."),
        ("due_date", "i morgen", "Skriv en gyldig dato, fx 2025-03-15."),
        ("theme", "999999", "Vælg en af mulighederne på listen."),
        ("objective", "999999", "Vælg en af mulighederne på listen."),
    ],
)
def test_each_invalid_field_gets_a_danish_message_next_to_it(as_user, card, field, value, message):
    response = as_user("leder").post(url(card), data=form_data(card, **{field: value}), headers=HX)
    assert response.status_code == 422
    assert "HX-Retarget" not in response.headers  # swapped in place of the form
    assert error_next_to(response, field) == message
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).version == 1  # nothing written


def test_related_objectives_unknown_id_is_refused(as_user, card):
    data = form_data(card)
    data["related_objectives"] = ["999999"]
    response = as_user("leder").post(url(card), data=data, headers=HX)
    assert response.status_code == 422
    assert "findes ikke på tavlen" in error_next_to(response, "related_objectives")


def test_objective_of_another_theme_is_refused(client, users, two_themes):
    from board.models import Membership

    db.session.add(Membership(user_id=users["leder"].id, board_id=two_themes.id, role="leder"))
    db.session.commit()
    first, second = two_themes.themes
    card = factories.make_initiative(two_themes, theme=first)
    from tests.conftest import login

    login(client, users["leder"])
    data = form_data(card, objective=str(second.objectives[0].id))
    response = client.post(url(card), data=data, headers=HX)
    assert response.status_code == 422
    assert error_next_to(response, "objective") == (
        "Vælg en målsætning under det valgte pejlemærke."
    )
    # The same objective with its own theme is fine, and related ones may span themes.
    data = form_data(card, theme=str(second.id), objective=str(second.objectives[0].id))
    data["related_objectives"] = [str(first.objectives[1].id)]
    assert client.post(url(card), data=data, headers=HX).status_code == 200
    db.session.expire_all()
    card = db.session.get(Initiative, card.id)
    assert card.theme_id == second.id
    assert [o.id for o in card.related_objectives] == [first.objectives[1].id]


def test_stale_edit_gets_409_with_current_values_and_a_notice(as_user, card):
    client = as_user("leder")
    stale = form_data(card, status_note="Min ændring")
    assert (
        client.post(
            url(card), data=form_data(card, status_note="Andens ændring"), headers=HX
        ).status_code
        == 200
    )
    response = client.post(url(card), data=stale, headers=HX)
    assert response.status_code == 409
    assert "HX-Retarget" not in response.headers  # swapped in place of the form
    notice = text_of(response, "[data-stale-notice]")
    assert "Tiltaget er blevet ændret, mens du redigerede" in notice
    assert "Lone Leder" in notice  # who changed it
    # The form now holds the current values and the current version ...
    form = one(response, "form.edit-form")
    assert text_of(form, 'textarea[name="status_note"]') == "Andens ændring"
    assert attr(form, 'input[name="version"][type="hidden"]', "value") == "2"
    # ... and what the user typed is shown, not lost, and not saved.
    assert "Min ændring" in text_of(response, "[data-stale-notice] .unsaved")
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).status_note == "Andens ændring"


def test_edit_without_version_is_refused_as_stale(as_user, card):
    data = form_data(card)
    del data["version"]
    response = as_user("leder").post(url(card), data=data | {"title": "X"}, headers=HX)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).title == "Fælles redskab"


@pytest.mark.parametrize("who, status", [("med", 403), ("outsider", 404)])
def test_med_and_outsiders_cannot_edit_create_archive_or_restore(as_user, card, who, status):
    client = as_user(who)
    board_id = card.board_id
    assert client.get(url(card)).status_code == status
    assert client.post(url(card), data=form_data(card, title="Hacket")).status_code == status
    assert client.get(f"/boards/{board_id}/initiatives/new").status_code == status
    assert (
        client.post(f"/boards/{board_id}/initiatives/new", data=form_data(card)).status_code
        == status
    )
    assert client.post(url(card, "archive"), data={"version": "1"}).status_code == status
    assert client.post(url(card, "restore"), data={"version": "1"}).status_code == status
    db.session.expire_all()
    fresh = db.session.get(Initiative, card.id)
    assert fresh.title == "Fælles redskab" and not fresh.is_archived


def test_med_sees_no_edit_controls_on_the_card(as_user, card):
    page = as_user("med").get(f"/boards/{card.board_id}/initiatives/{card.id}")
    html = page.get_data(as_text=True)
    assert "Redigér</a>" not in html and "Arkivér" not in html
    assert count(page, ".card-actions, [data-edit-initiative], form[action$='/archive']") == 0
    assert has(page, "h1#dialog-title")  # the card itself is shown
    board_page = as_user("med").get(f"/boards/{card.board_id}")
    assert "Nyt tiltag" not in board_page.get_data(as_text=True)
    assert not has(board_page, "a[href$='/initiatives/new']")


def test_anonymous_edit_goes_to_login(client, card):
    response = client.post(url(card), data=form_data(card), headers=HX)
    assert response.status_code == 401 and "HX-Redirect" in response.headers


def test_leader_creates_a_tiltag_in_a_chosen_column(as_user, board, users):
    client = as_user("leder")
    theme = board.themes[0]
    form = client.get(f"/boards/{board.id}/initiatives/new", headers=HX)
    assert text_of(form, "#dialog-title") == "Nyt tiltag"
    assert has(form, 'form [name="stage"]')
    data = {
        "title": "Nyt rusmiddeltilbud",
        "theme": str(theme.id),
        "objective": str(theme.objectives[1].id),
        "related_objectives": [str(theme.objectives[0].id)],
        "description": "Linje 1\nLinje 2",
        "timeline": "2025",
        "status_note": "Opstart",
        "responsible": "Afdelingsleder",
        "due_date": "2025-12-31",
        "stage": "planlagt",
    }
    response = client.post(f"/boards/{board.id}/initiatives/new", data=data, headers=HX)
    assert response.status_code == 201
    assert "tiltag:board-changed" in response.headers["HX-Trigger"]
    card = db.session.scalars(sa.select(Initiative).filter_by(title="Nyt rusmiddeltilbud")).one()
    assert card.stage == "planlagt" and card.objective_id == theme.objectives[1].id
    assert [o.id for o in card.related_objectives] == [theme.objectives[0].id]
    assert str(card.due_date) == "2025-12-31"
    event = db.session.scalars(sa.select(Event).filter_by(initiative_id=card.id)).one()
    assert event.kind == "initiative.created" and event.actor_id == users["leder"].id
    board_page = client.get(f"/boards/{board.id}")
    assert texts(board_page, '.card-list[data-stage="planlagt"] .card-title') == [
        "Nyt rusmiddeltilbud"
    ]


def test_create_with_errors_shows_them_in_the_dialog(as_user, board):
    response = as_user("leder").post(
        f"/boards/{board.id}/initiatives/new",
        data={"title": "", "theme": str(board.themes[0].id), "stage": "nope"},
        headers=HX,
    )
    assert response.status_code == 422
    assert error_next_to(response, "title") == "Skriv en titel."
    assert error_next_to(response, "stage") == "Vælg en af mulighederne på listen."
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id))) == 0


def test_archive_and_restore_over_http(as_user, card, board):
    client = as_user("leder")
    response = client.post(url(card, "archive"), data={"version": "1"}, headers=HX)
    assert response.status_code == 200
    assert "er arkiveret" in response.get_data(as_text=True)
    restore = one(response, ".card-actions form")
    assert restore.attributes["action"].endswith(f"/initiatives/{card.id}/restore")
    assert text_of(restore, "button") == "Gendan på tavlen"
    assert attr(restore, 'input[name="version"]', "value") == "2"
    assert not has(client.get(f"/boards/{board.id}"), f"#card-{card.id}")
    archived = client.get(f"/boards/{board.id}/archived").get_data(as_text=True)
    assert "Fælles redskab" in archived
    # stale restore (old version): 409 and the card as it is now
    stale = client.post(url(card, "restore"), data={"version": "1"}, headers=HX)
    assert stale.status_code == 409
    assert text_of(stale, ".card-actions form button") == "Gendan på tavlen"
    response = client.post(url(card, "restore"), data={"version": "2"}, headers=HX)
    assert response.status_code == 200
    assert count(client.get(f"/boards/{board.id}"), f"li.card#card-{card.id}") == 1
    history = texts(response, "li.history-entry")
    assert any("Arkiveret" in entry for entry in history)
    assert any("Gendannet til Ikke iværksat" in entry for entry in history)


def test_archived_card_cannot_be_edited(as_user, card):
    client = as_user("leder")
    client.post(url(card, "archive"), data={"version": "1"})
    assert client.get(url(card)).status_code == 409
    response = client.post(url(card), data=form_data(card, version="2", title="X"), headers=HX)
    assert response.status_code == 409
