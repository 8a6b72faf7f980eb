"""The round pages over HTTP: opening, the round page's progress, a task
from /mine and from the card, reminding, closing, the share link's view of
the published report, the card's round texts, and the command line."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from docx import Document

from board.clock import today_local
from board.extensions import db
from board.models import Initiative, RoundItem, StatusRound
from board.rounds import services
from tests import factories
from tests.html import attr, has, select, text, text_of

HX = {"HX-Request": "true"}


@pytest.fixture
def cards(app, board, users):
    owned = factories.make_initiative(
        board, "Borgerpanel", status_note="Godt i gang", owner_id=users["med"].id
    )
    free = factories.make_initiative(board, "Samtaleguide", stage="igangsat")
    return owned, free


def deadline() -> str:
    return (today_local() + timedelta(days=10)).isoformat()


def open_form(board, cards, **overrides) -> dict:
    data = {
        "title": "Status til Områdeudvalget, marts 2027",
        "status_date": "2027-03-01",
        "deadline": deadline(),
        "initiatives": [str(c.id) for c in cards],
    }
    data.update(overrides)
    return data


def the_round() -> StatusRound:
    return db.session.scalars(sa.select(StatusRound)).one()


def test_a_leader_opens_a_round_and_sees_its_progress(as_user, board, cards):
    client = as_user("leder")
    page = client.get(f"/boards/{board.id}/rounds")
    assert page.status_code == 200
    assert len(select(page, "input[name=initiatives][checked]")) == 2  # all by default
    response = client.post(f"/boards/{board.id}/rounds", data=open_form(board, cards))
    assert response.status_code == 302
    status_round = the_round()
    page = client.get(response.headers["Location"])
    assert text_of(page, ".round-progress-text") == "0 af 2 opdateret"
    missing = {text(n) for n in select(page, ".round-missing tbody th")}
    assert missing == {"Borgerpanel", "Samtaleguide"}
    assert "Mads Med" in text_of(page, ".round-missing")
    # The progress follows the board's live stream.
    assert attr(page, ".round-live", "sse-connect").startswith(f"/boards/{board.id}/events")
    assert attr(page, "#round-progress-live", "hx-trigger") == "sse:change"
    assert status_round.title == "Status til Områdeudvalget, marts 2027"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "title", "Giv runden en titel"),
        ({"deadline": "i morgen"}, "deadline", "Skriv en gyldig dato"),
        ({"deadline": "2020-01-01"}, "deadline", "ligger før i dag"),
        ({"initiatives": ["99999"]}, "initiatives", "findes ikke"),
        ({"initiatives": []}, "initiatives", "Vælg mindst ét tiltag"),
    ],
)
def test_bad_input_to_open_is_a_danish_422_and_opens_nothing(
    as_user, board, cards, overrides, field, message
):
    response = as_user("leder").post(
        f"/boards/{board.id}/rounds", data=open_form(board, cards, **overrides)
    )
    assert response.status_code == 422
    assert message in text_of(response, f"#{field}-error")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusRound)) == 0


def test_a_med_member_may_not_open_close_or_remind(as_user, board, cards, users):
    services.open_round(board, title="Runde", deadline=today_local(), actor=users["leder"])
    db.session.commit()
    client = as_user("med")
    status_round = the_round()
    assert (
        client.post(f"/boards/{board.id}/rounds", data=open_form(board, cards)).status_code == 403
    )
    base = f"/boards/{board.id}/rounds/{status_round.id}"
    assert client.post(f"{base}/close").status_code == 403
    assert client.post(f"{base}/remind").status_code == 403
    assert client.get(base).status_code == 200  # members see the progress


def test_the_owner_completes_from_mine(as_user, board, cards, users):
    owned, free = cards
    services.open_round(board, title="Marts", deadline=today_local(), actor=users["leder"])
    db.session.commit()
    client = as_user("med")
    page = client.get("/mine")
    assert page.status_code == 200
    tasks = select(page, ".round-task")
    assert [text_of(t.html, ".round-task-title") for t in tasks] == ["Borgerpanel"]
    item = db.session.scalars(sa.select(RoundItem).filter_by(initiative_id=owned.id)).one()
    prefix = f"opgave-{item.id}"
    # The text starts as a copy of the card's (the first round).
    assert text_of(page, f"#{prefix}-status_text") == "Godt i gang"
    url = f"/boards/{board.id}/rounds/{item.round_id}/tasks/{item.id}"
    response = client.post(
        url,
        data={
            f"{prefix}-status_text": "Panelet er i gang",
            f"{prefix}-health": "gul",
            f"{prefix}-stage": "planlagt",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert "Opdateret" in text_of(response, ".round-task-meta")
    db.session.expire_all()
    assert db.session.get(Initiative, owned.id).health == "gul"
    # A med member who does not own the other card may not do it.
    other = db.session.scalars(sa.select(RoundItem).filter_by(initiative_id=free.id)).one()
    assert (
        client.get(f"/boards/{board.id}/rounds/{other.round_id}/tasks/{other.id}").status_code
        == 403
    )


def test_a_bad_answer_is_a_danish_422_next_to_the_field(as_user, board, cards, users):
    owned, _ = cards
    services.open_round(board, title="Marts", deadline=today_local(), actor=users["leder"])
    db.session.commit()
    item = db.session.scalars(sa.select(RoundItem).filter_by(initiative_id=owned.id)).one()
    prefix = f"opgave-{item.id}"
    response = as_user("med").post(
        f"/boards/{board.id}/rounds/{item.round_id}/tasks/{item.id}",
        data={f"{prefix}-status_text": "", f"{prefix}-health": "lilla", f"{prefix}-stage": "x"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Skriv en status" in text_of(response, f"#{prefix}-status_text-error")
    assert "Vælg en vurdering" in text_of(response, f"#{prefix}-health-error")
    db.session.expire_all()
    assert not db.session.get(RoundItem, item.id).is_done


def test_a_task_of_another_round_or_board_is_404(as_user, board, cards, users):
    services.open_round(board, title="Marts", deadline=today_local(), actor=users["leder"])
    db.session.commit()
    item = db.session.scalars(sa.select(RoundItem)).first()
    client = as_user("leder")
    assert (
        client.get(f"/boards/{board.id}/rounds/{item.round_id + 1}/tasks/{item.id}").status_code
        == 404
    )
    other = factories.make_board("Anden")
    factories.make_user("x@example.dk", board=other, role="leder")
    assert client.get(f"/boards/{other.id}/rounds/{item.round_id}").status_code == 404


def test_the_card_says_what_is_missing_and_keeps_the_round_texts(as_user, board, cards, users):
    owned, _ = cards
    status_round = services.open_round(
        board,
        title="Marts",
        status_date=today_local(),
        deadline=today_local(),
        actor=users["leder"],
    )
    db.session.commit()
    client = as_user("leder")
    board_page = client.get(f"/boards/{board.id}")
    assert (
        text_of(board_page, f"#card-{owned.id} .card-round-missing") == "Mangler status til Marts"
    )
    item = next(i for i in status_round.items if i.initiative_id == owned.id)
    services.complete_item(
        item, status_text="Marts-tekst", health="groen", stage="planlagt", actor=users["med"]
    )
    db.session.commit()
    board_page = client.get(f"/boards/{board.id}")
    assert not has(board_page, f"#card-{owned.id} .card-round-missing")
    services.close_round(status_round, actor=users["leder"])
    db.session.commit()
    card_page = client.get(f"/boards/{board.id}/initiatives/{owned.id}")
    history = text_of(card_page, ".round-history")
    assert "Marts-tekst" in history and "På rette spor" in history
    month = text_of(card_page, ".round-history dt")
    assert month.split(" ")[1].isdigit()  # "December 2026 (Marts)"


def test_closing_publishes_what_a_share_link_shows(as_user, app, board, cards, users):
    from board.share.services import create_share_link

    owned, _ = cards
    status_round = services.open_round(
        board, title="Til udvalget", deadline=today_local(), actor=users["leder"]
    )
    item = next(i for i in status_round.items if i.initiative_id == owned.id)
    services.complete_item(
        item, status_text="Tekst til udvalget", health="roed", stage="planlagt", actor=users["med"]
    )
    db.session.commit()
    client = as_user("leder")
    response = client.post(f"/boards/{board.id}/rounds/{status_round.id}/close")
    assert response.status_code == 302
    db.session.expire_all()
    report_id = db.session.get(StatusRound, status_round.id).report_id
    token = create_share_link(board, label="Udvalg", actor=users["leder"]).token
    db.session.commit()
    share = app.test_client()
    listing = share.get(f"/s/{token}/reports")
    assert "Til udvalget" in listing.get_data(as_text=True)
    document = Document(io.BytesIO(share.get(f"/s/{token}/reports/{report_id}.docx").data))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "Tekst til udvalget" in cells and "Kritisk / forsinket" in cells
    # Closed: nothing to do on /mine.
    assert has(as_user("med").get("/mine"), "#no-tasks")


def test_remind_now_says_how_many(as_user, board, cards, users):
    status_round = services.open_round(
        board, title="Marts", deadline=today_local(), actor=users["leder"]
    )
    db.session.commit()
    client = as_user("leder")
    response = client.post(
        f"/boards/{board.id}/rounds/{status_round.id}/remind", follow_redirects=True
    )
    assert "Påmindelse sendt til 2 personer." in text_of(response, "#notice")


def test_the_command_line_opens_and_closes_a_round(runner, board, cards, users):
    result = runner.invoke(
        args=[
            "round",
            "open",
            str(board.id),
            "--title",
            "Fra CLI",
            "--deadline",
            deadline(),
            "--date",
            "2027-03-01",
        ]
    )
    assert result.exit_code == 0, result.output
    round_id = int(result.output.strip().splitlines()[-1])
    status_round = db.session.get(StatusRound, round_id)
    assert (status_round.title, status_round.status_date.isoformat()) == ("Fra CLI", "2027-03-01")
    again = runner.invoke(
        args=["round", "open", str(board.id), "--title", "X", "--deadline", deadline()]
    )
    assert again.exit_code != 0 and "allerede en åben statusrunde" in again.output
    bad = runner.invoke(
        args=["round", "open", str(board.id), "--title", "X", "--deadline", "snart"]
    )
    assert bad.exit_code != 0
    result = runner.invoke(args=["round", "close", str(round_id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(StatusRound, round_id).is_open
    missing = runner.invoke(args=["round", "close", "999999"])
    assert missing.exit_code != 0 and "findes ikke" in missing.output
