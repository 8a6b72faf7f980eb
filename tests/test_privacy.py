"""Removing personal data (GDPR art. 17): "Fjern persondata" for a value of a
tiltag, and "Anonymisér bruger" for people who have left. The domain
functions (board/privacy/services.py) first, then the admin pages.

Each check reads what a reader would get: the card page with its history,
the status report as of a date, "changes since", a published report, and
the Event payloads as stored (read back as raw text from the database, so
the JSON update is checked on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from board.errors import Refused
from board.event_kinds import describe_event
from board.extensions import db
from board.models import Event, Initiative, Membership, PublishedReport, User
from board.privacy.services import (
    REDACTED_TITLE,
    anonymise_user,
    anonymous_name,
    redact_initiative_value,
    redactable_values,
)
from board.reports.services import publish_report
from board.share.services import create_share_link
from tests import factories
from tests import reports_helpers as h
from tests.conftest import login
from tests.html import form_fields, select

CPR = "010203-1234"
NAME = "Jens Hansen"


@pytest.fixture
def card(app, board, users):
    """A card whose personal data is in its snapshot, in an update's
    before-value, in its title (moved/archived/restored payloads) and in a
    published report."""
    theme = board.themes[0]
    card = h.new_card(
        theme,
        f"Borgerpanel med {NAME}",
        when="2024-03-01 09:00",
        description=f"Kontakt {NAME}, CPR {CPR}",
        responsible=NAME,
    )
    h.edit(card, "2024-03-02 09:00", description="Kontakt via sekretariatet")
    h.move(card, "igangsat", "2024-03-03 09:00")
    with h.on("2024-03-04 09:00"):
        publish_report(board, title="Til udvalget", day=date(2024, 3, 1), actor=users["leder"])
        db.session.commit()
    h.archive(card, "2024-03-05 09:00")
    h.restore(card, "2024-03-06 09:00")
    return card


def _raw_payloads(initiative_id: int) -> str:
    """The payload column as the database holds it, as text."""
    rows = db.session.execute(
        sa.text("SELECT CAST(payload AS TEXT) FROM events WHERE initiative_id = :i"),
        {"i": initiative_id},
    ).scalars()
    return "\n".join(rows)


def _raw_reports(board_id: int) -> str:
    rows = db.session.execute(
        sa.text("SELECT CAST(snapshot AS TEXT) FROM published_reports WHERE board_id = :b"),
        {"b": board_id},
    ).scalars()
    return "\n".join(rows)


def _pages(client, board, card) -> str:
    """Everything a member reads about the card, as one text."""
    published = db.session.scalars(sa.select(PublishedReport)).one()
    token = create_share_link(board, actor=None, label="Udvalget", show_comments=True).token
    db.session.commit()
    urls = [
        f"/s/{token}/initiatives/{card.id}",
        f"/s/{token}/status?dato=2024-03-01",
        f"/s/{token}/reports/{published.id}",
        f"/boards/{board.id}/initiatives/{card.id}",
        f"/boards/{board.id}/status?dato=2024-03-01",
        f"/boards/{board.id}/status?dato=2024-03-10",
        f"/boards/{board.id}/changes?dato=2024-02-28",
        f"/boards/{board.id}/reports/{published.id}",
        f"/boards/{board.id}/status.csv?dato=2024-03-01",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


@pytest.fixture
def csrf_client_as(csrf_app):
    """A client of an app with CSRF protection on, signed in as `user`."""

    def _as(user):
        client = csrf_app.test_client()
        login(client, user)
        return client

    return _as


# --------------------------------------------------------------- Fjern persondata


def test_the_values_offered_are_every_value_a_field_has_had(card):
    values = redactable_values(card)
    assert values["description"] == [f"Kontakt {NAME}, CPR {CPR}", "Kontakt via sekretariatet"]
    assert values["responsible"] == [NAME]
    assert values["title"] == [f"Borgerpanel med {NAME}"]
    assert values["status_note"] == [] and values["timeline"] == []


def test_redacting_a_past_value_removes_it_from_every_event_and_report(card, board, users, as_user):
    client = as_user("admin")
    assert CPR in _raw_payloads(card.id) and CPR in _raw_reports(board.id)
    assert CPR in _pages(client, board, card)

    redact_initiative_value(
        card,
        field="description",
        value=f"Kontakt {NAME}, CPR {CPR}",
        reason="Borgerens CPR-nummer",
        actor=users["admin"],
    )
    db.session.commit()

    assert CPR not in _raw_payloads(card.id)
    assert CPR not in _raw_reports(board.id)
    assert CPR not in _pages(client, board, card)
    # The current value was another one: it stays.
    assert db.session.get(Initiative, card.id).description == "Kontakt via sekretariatet"


def test_redacting_the_current_values_blanks_the_card_and_its_history(card, board, users, as_user):
    client = as_user("admin")
    version = card.version
    for field, value in (("responsible", NAME), ("title", f"Borgerpanel med {NAME}")):
        redact_initiative_value(
            card, field=field, value=value, reason="Fratrådt medarbejder", actor=users["admin"]
        )
        db.session.commit()
    redact_initiative_value(
        card,
        field="description",
        value=f"Kontakt {NAME}, CPR {CPR}",
        reason="CPR",
        actor=users["admin"],
    )
    db.session.commit()

    card = db.session.get(Initiative, card.id)
    assert card.responsible == "" and card.title == REDACTED_TITLE
    assert card.version == version + 3  # open edit forms are stale now
    assert NAME not in _raw_payloads(card.id)
    assert NAME not in _raw_reports(board.id)
    assert NAME not in _pages(client, board, card)


def test_the_redaction_is_an_event_of_its_own_without_the_text(card, users):
    redact_initiative_value(
        card, field="responsible", value=NAME, reason="Fratrådt", actor=users["admin"]
    )
    db.session.commit()
    event = db.session.scalars(sa.select(Event).where(Event.kind == "initiative.redacted")).one()
    assert event.actor_id == users["admin"].id and event.initiative_id == card.id
    assert event.payload["field"] == "responsible" and event.payload["reason"] == "Fratrådt"
    assert NAME not in str(event.payload)
    assert describe_event(event) == "Persondata fjernet fra ansvarlig (Fratrådt)"


@pytest.mark.parametrize(
    ("who", "field", "value", "reason", "status"),
    [
        ("leder", "responsible", NAME, "Fratrådt", 403),
        ("admin", "theme_id", NAME, "Fratrådt", 400),
        ("admin", "responsible", "Ingen har heddet det", "Fratrådt", 422),
        ("admin", "responsible", NAME, "", 422),
        ("admin", "responsible", NAME, f"Navnet {NAME}", 422),
    ],
)
def test_a_redaction_is_refused(card, users, who, field, value, reason, status):
    events_before = _raw_payloads(card.id)
    with pytest.raises(Refused) as refused:
        redact_initiative_value(card, field=field, value=value, reason=reason, actor=users[who])
    assert refused.value.status == status
    db.session.rollback()
    assert _raw_payloads(card.id) == events_before


def test_admin_page_redacts_after_confirmation(card, board, users, csrf_client_as):
    client = csrf_client_as(users["admin"])
    url = f"/admin/initiatives/{card.id}/persondata"
    page = client.get(url)
    assert page.status_code == 200
    form = select(page, "form#redact-form")[0]
    assert "csrf_token" in form_fields(page, "form#redact-form")
    assert NAME in form.text()

    fields = form_fields(page, "form#redact-form")
    choice = next(
        option.attributes["value"]
        for option in select(page, "form#redact-form input[name=choice]")
        if option.attributes["value"].startswith("responsible:")
    )
    data = {**fields, "choice": choice, "reason": "Fratrådt"}
    data.pop("confirm", None)
    unconfirmed = client.post(url, data=data)
    assert unconfirmed.status_code == 422
    assert db.session.get(Initiative, card.id).responsible == NAME

    done = client.post(url, data={**data, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Initiative, card.id).responsible == ""
    assert f'"responsible": "{NAME}"' not in _raw_payloads(card.id)
    assert f'"responsible": "{NAME}"' not in _raw_reports(card.board_id)


def test_admin_page_refuses_without_csrf(card, users, csrf_client_as):
    client = csrf_client_as(users["admin"])
    url = f"/admin/initiatives/{card.id}/persondata"
    response = client.post(url, data={"choice": "responsible:0", "reason": "x", "confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(Initiative, card.id).responsible == NAME


def test_the_card_offers_admins_the_redaction(card, board, as_user):
    url = f"/boards/{board.id}/initiatives/{card.id}"
    link = f"/admin/initiatives/{card.id}/persondata"
    assert link in as_user("admin").get(url).get_data(as_text=True)
    assert link not in as_user("leder").get(url).get_data(as_text=True)


# --------------------------------------------------------------- Anonymisér bruger


def test_anonymising_a_user_replaces_name_and_email_and_keeps_the_id(card, board, users, as_user):
    leder = users["leder"]
    h.comment(card, "2024-03-07 09:00", leder)
    with h.on("2024-03-08 09:00"):
        from board.editing.services import update_initiative

        update_initiative(card, expected_version=card.version, actor=leder, status_note="Godt")
        db.session.commit()
    old_name, user_id = leder.name, leder.id

    anonymise_user(leder, actor=users["admin"])
    db.session.commit()

    user = db.session.get(User, user_id)
    assert user.name == anonymous_name(user_id) == f"Tidligere medarbejder #{user_id}"
    assert old_name.lower() not in user.email and not user.active and user.password_hash == ""
    memberships = sa.select(Membership).where(Membership.user_id == user_id)
    assert db.session.scalars(memberships).all() == []
    # The audit trail keeps the id.
    assert user_id in set(db.session.scalars(sa.select(Event.actor_id)))

    page = as_user("admin").get(f"/boards/{board.id}/initiatives/{card.id}")
    text = page.get_data(as_text=True)
    assert f"Tidligere medarbejder #{user_id}" in text and old_name not in text


@pytest.mark.parametrize(
    ("who", "target", "status"), [("admin", "admin", 409), ("leder", "med", 403)]
)
def test_anonymising_is_refused(users, who, target, status):
    with pytest.raises(Refused) as refused:
        anonymise_user(users[target], actor=users[who])
    assert refused.value.status == status


def test_admin_page_anonymises_after_confirmation(users, csrf_client_as):
    client = csrf_client_as(users["admin"])
    med = users["med"]
    url = f"/admin/users/{med.id}"
    page = client.get(url)
    fields = form_fields(page, "form#anonymise-form")
    assert "csrf_token" in fields
    fields.pop("confirm", None)
    action = f"/admin/users/{med.id}/anonymise"
    assert client.post(action, data=fields).status_code == 422
    assert db.session.get(User, med.id).active

    assert client.post(action, data={**fields, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, med.id).name == f"Tidligere medarbejder #{med.id}"


def test_an_anonymised_user_cannot_log_in(users, client):
    med = users["med"]
    email = med.email
    anonymise_user(med, actor=users["admin"])
    db.session.commit()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 401
