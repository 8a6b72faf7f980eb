"""Meetings over HTTP: creating one, flagging a tiltag as MED, running the
meeting as a leader, what a share-link viewer gets, the referat files, and
bad input (a Danish 4xx, nothing written)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document

from board.extensions import db
from board.meetings import services
from board.models import Event, Meeting, MeetingItem
from board.share.services import create_share_link
from tests import factories
from tests.html import count, has, text_of, texts
from tests.meetings_helpers import flag, make_meeting


def _share_token(board) -> str:
    token = create_share_link(board, actor=None, label="Udvalget", show_comments=True).token
    db.session.commit()
    return token


def _meetings_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Meeting.id)))


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_med_flags_a_tiltag_and_the_leader_creates_a_meeting_with_it(as_user, board, users):
    card = factories.make_initiative(board, "Ny takstmodel for STU")
    med = as_user("med")
    answer = med.post(f"/boards/{board.id}/initiatives/{card.id}/discussion", data={"flag": "1"})
    assert answer.status_code == 302
    page = med.get(f"/boards/{board.id}/initiatives/{card.id}")
    assert "Til drøftelse" in text_of(page, ".discussion-flag")
    assert text_of(page, ".card-meetings button") == "Fjern fra drøftelse"

    leader = as_user("leder")
    answer = leader.post(
        f"/boards/{board.id}/meetings",
        data={
            "title": "Ledermøde",
            "held_on": "2027-01-12",
            "attendees": [str(users["leder"].id), str(users["med"].id)],
        },
    )
    assert answer.status_code == 302
    page = leader.get(answer.headers["Location"])
    assert text_of(page, "#meeting-item-title") == "Ny takstmodel for STU"
    assert text_of(page, ".meeting-counter") == "Punkt 1 af 1"
    assert texts(page, ".meeting-reason") == ["Til drøftelse"]
    listing = leader.get(f"/boards/{board.id}/meetings")
    assert texts(listing, ".meeting-list a") == ["Ledermøde"]


def test_the_leader_steps_records_a_decision_and_the_referat_has_it(as_user, board, users):
    for title in ("Første", "Andet"):
        flag(factories.make_initiative(board, title), users["med"])
    meeting = make_meeting(board, users["leder"], attendees=[users["leder"], users["med"]])
    base = f"/boards/{board.id}/meetings/{meeting.id}"
    leader = as_user("leder")

    answer = leader.post(f"{base}/current", data={"position": "1"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert text_of(answer, "#meeting-item-title") == "Andet"
    second = meeting.items[1]
    answer = leader.post(
        f"{base}/items/{second.id}/decision",
        data={"decision": "Sættes i gang i februar."},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Sættes i gang i februar." in text_of(answer, "textarea")
    answer = leader.post(
        f"{base}/items/{second.id}/actions",
        data={"text": "Lav en plan", "owner": str(users["med"].id), "deadline": "2027-02-01"},
    )
    assert answer.status_code == 302

    card_page = leader.get(f"/boards/{board.id}/initiatives/{second.initiative_id}")
    assert "Besluttet på mødet «Ledermøde» 12. januar 2027: Sættes i gang i februar." in text_of(
        card_page, ".card-meetings"
    )
    assert "Lav en plan – Mads Med, frist 1. februar 2027" in text_of(card_page, ".card-meetings")

    referat = leader.get(f"{base}/referat.docx")
    assert referat.status_code == 200
    text = _docx_text(referat.data)
    for expected in (
        "Referat: Ledermøde",
        "12. januar 2027",
        "Lone Leder, Mads Med",
        "2. Andet",
        "Sættes i gang i februar.",
        "Lav en plan",
        "1. februar 2027",
        "Ikke iværksat",
    ):
        assert expected in text, expected


def test_a_share_viewer_follows_read_only_and_gets_the_referat(client, board, users):
    flag(factories.make_initiative(board, "Borgerpanel"), users["med"])
    meeting = make_meeting(board, users["leder"])
    token = _share_token(board)
    page = client.get(f"/s/{token}/meetings/{meeting.id}")
    assert page.status_code == 200
    assert text_of(page, "#meeting-item-title") == "Borgerpanel"
    assert count(page, "form") == 0
    assert f"/s/{token}/events?moede=1" in page.get_data(as_text=True)
    part = client.get(f"/s/{token}/meetings/{meeting.id}/current")
    assert text_of(part, "#meeting-item-title") == "Borgerpanel"
    assert client.get(f"/s/{token}/meetings/{meeting.id}/referat.docx").status_code == 200
    assert client.get(f"/s/{token}/meetings").status_code == 200
    assert client.get(f"/s/{token}/meetings/{meeting.id}/referat.csv").status_code == 404


def test_the_meeting_stream_carries_meeting_events_the_board_stream_does_not(as_user, board, users):
    from board.live.messages import load_events

    flag(factories.make_initiative(board, "A"), users["med"])
    flag(factories.make_initiative(board, "B"), users["med"])
    meeting = make_meeting(board, users["leder"])
    services.show_item(meeting, 1, actor=users["leder"])
    db.session.commit()
    board_kinds = [e.kind for e in load_events(board.id, 0, show_comments=True, limit=100)]
    meeting_kinds = [
        e.kind for e in load_events(board.id, 0, show_comments=True, limit=100, meetings=True)
    ]
    assert "meeting.current" not in board_kinds
    assert "initiative.flagged" in board_kinds
    assert meeting_kinds[-2:] == ["meeting.created", "meeting.current"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "held_on": "2027-01-12"}, "Giv mødet en titel"),
        ({"title": "Møde", "held_on": "12/1"}, "Skriv en gyldig dato"),
        ({"title": "Møde", "held_on": ""}, "Skriv mødets dato."),
        ({"title": "x" * 201, "held_on": "2027-01-12"}, "Højst 200 tegn."),
        ({"title": "Møde", "held_on": "2027-01-12", "attendees": "999"}, "mulighederne på listen"),
    ],
)
def test_a_bad_meeting_form_comes_back_in_danish_and_writes_nothing(
    as_user, board, users, data, message
):
    answer = as_user("leder").post(f"/boards/{board.id}/meetings", data=data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert _meetings_count() == 0


def test_bad_meeting_actions_are_4xx_and_write_nothing(as_user, board, users):
    flag(factories.make_initiative(board, "Kort"), users["med"])
    meeting = make_meeting(board, users["leder"])
    item = meeting.items[0]
    base = f"/boards/{board.id}/meetings/{meeting.id}"
    leader = as_user("leder")
    stranger = factories.make_initiative(factories.make_board(title="Anden"), "Fremmed")
    events_before = db.session.scalar(sa.select(sa.func.count(Event.id)))

    assert leader.post(f"{base}/current", data={"position": "abc"}).status_code == 400
    assert leader.post(f"{base}/current", data={"position": "5"}).status_code == 400
    assert leader.post(f"{base}/items", data={"initiative": "x"}).status_code == 400
    assert leader.post(f"{base}/items", data={"initiative": str(stranger.id)}).status_code == 404
    answer = leader.post(f"{base}/items/{item.id}/decision", data={"decision": "x" * 5001})
    assert answer.status_code == 422
    assert "Højst 5000 tegn." in answer.get_data(as_text=True)
    answer = leader.post(f"{base}/items/{item.id}/actions", data={"text": ""})
    assert answer.status_code == 422
    assert "Skriv hvad der skal gøres." in answer.get_data(as_text=True)
    answer = leader.post(
        f"{base}/items/{item.id}/actions", data={"text": "Gør det", "owner": "999"}
    )
    assert answer.status_code == 422
    answer = leader.post(
        f"{base}/items/{item.id}/actions", data={"text": "Gør det", "deadline": "i morgen"}
    )
    assert answer.status_code == 422
    assert leader.post(f"{base}/items/999999/decision", data={"decision": "x"}).status_code == 404
    assert (
        leader.post(
            f"/boards/{board.id}/meetings/999999/current", data={"position": "0"}
        ).status_code
        == 404
    )

    db.session.expire_all()
    assert db.session.get(MeetingItem, item.id).decision == ""
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == events_before


def test_a_published_meeting_refuses_changes_with_409(as_user, board, users):
    flag(factories.make_initiative(board, "Kort"), users["med"])
    meeting = make_meeting(board, users["leder"])
    base = f"/boards/{board.id}/meetings/{meeting.id}"
    leader = as_user("leder")
    assert leader.post(f"{base}/referat/publish").status_code == 302
    page = leader.get(base)
    assert "Publiceret" in text_of(page, ".meeting-referat")
    assert not has(page, ".meeting-decision form")
    answer = leader.post(
        f"{base}/items/{meeting.items[0].id}/decision", data={"decision": "For sent"}
    )
    assert answer.status_code == 409
    assert "Referatet er publiceret" in answer.get_data(as_text=True)


def test_med_may_flag_but_not_run_a_meeting(as_user, board, users):
    flag(factories.make_initiative(board, "Kort"), users["med"])
    meeting = make_meeting(board, users["leder"])
    med = as_user("med")
    page = med.get(f"/boards/{board.id}/meetings/{meeting.id}")
    assert page.status_code == 200
    assert count(page, "#meeting-live form") == 0
    assert not has(page, "[data-show-url]")
    answer = med.post(f"/boards/{board.id}/meetings/{meeting.id}/current", data={"position": "0"})
    assert answer.status_code == 403


def test_the_referat_pdf_has_the_same_content_and_pages_numbered(as_user, board, users):
    from pypdf import PdfReader

    card = factories.make_initiative(board, "Ny takstmodel for STU", health="roed")
    flag(card, users["med"])
    meeting = make_meeting(board, users["leder"], attendees=[users["leder"]])
    services.record_decision(meeting.items[0], text="Model B vælges.", actor=users["leder"])
    services.add_action(
        meeting.items[0],
        text="Beregn model B",
        owner_id=users["med"].id,
        deadline=date(2027, 2, 1),
        actor=users["leder"],
    )
    db.session.commit()
    answer = as_user("leder").get(f"/boards/{board.id}/meetings/{meeting.id}/referat.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in (
        "Referat: Ledermøde",
        "12. januar 2027",
        "Lone Leder",
        "1. Ny takstmodel for STU",
        "Kritisk / forsinket",
        "Model B vælges.",
        "Beregn model B",
        "Mads Med",
        "1. februar 2027",
        f"Side 1 af {len(reader.pages)}",
    ):
        assert expected in text, expected


def test_the_meeting_page_list_and_referat_cost_the_same_at_3_and_40_items(as_user, board, users):
    from board.query_counter import count_queries

    leader = as_user("leder")

    def queries(meeting_id: int) -> tuple[int, int, int]:
        out = []
        for path in ("", "/current", "/referat.docx"):
            with count_queries(db.engine) as counter:
                url = f"/boards/{board.id}/meetings/{meeting_id}{path}"
                assert leader.get(url).status_code == 200
            out.append(counter.count)
        with count_queries(db.engine) as counter:
            assert leader.get(f"/boards/{board.id}/meetings").status_code == 200
        return (*out, counter.count)

    def meeting_with(n: int, day: date):
        for i in range(n):
            card = factories.make_initiative(board, f"Kort {day} {i}")
            flag(card, users["med"])
        meeting = make_meeting(board, users["leder"], day=day, attendees=[users["med"]])
        for item in meeting.items:
            services.add_action(
                item, text="Gør det", owner_id=users["med"].id, deadline=None, actor=None
            )
        db.session.commit()
        return meeting.id

    make_meeting(board, users["leder"], day=date(2026, 12, 1))  # both have a previous one
    few = queries(meeting_with(3, date(2027, 1, 12)))
    many = queries(meeting_with(37, date(2027, 2, 9)))
    assert few == many


def test_the_item_shows_comments_since_the_previous_meeting_but_not_to_a_link_without(
    as_user, client, board, users
):
    from board.comments.services import add_comment
    from tests.reports_helpers import on

    card = factories.make_initiative(board, "Borgerpanel")
    with on("2027-01-05 10:00"):
        add_comment(card, actor=users["med"], body="Gammel bemærkning")
        db.session.commit()
        make_meeting(board, users["leder"], day=date(2027, 1, 5))
    with on("2027-01-20 10:00"):
        add_comment(card, actor=users["med"], body="MED er bekymret for kapaciteten")
        flag(card, users["med"])
    with on("2027-02-09 09:00"):
        meeting = make_meeting(board, users["leder"], day=date(2027, 2, 9))
    page = as_user("leder").get(f"/boards/{board.id}/meetings/{meeting.id}")
    assert texts(page, ".meeting-comments li") == [
        "Mads Med, 20. januar 2027: MED er bekymret for kapaciteten"
    ]
    assert text_of(page, "#meeting-changes-heading") == "Ændret siden mødet 5. januar 2027"
    hidden = create_share_link(board, actor=None, label="Uden", show_comments=False).token
    db.session.commit()
    page = client.get(f"/s/{hidden}/meetings/{meeting.id}")
    assert not has(page, ".meeting-comments")
    assert "kapaciteten" not in page.get_data(as_text=True)


def test_the_leader_edits_the_agenda_over_htmx(as_user, board, users):
    for title in ("A", "B"):
        flag(factories.make_initiative(board, title), users["med"])
    extra = factories.make_initiative(board, "C")
    meeting = make_meeting(board, users["leder"])
    base = f"/boards/{board.id}/meetings/{meeting.id}"
    leader = as_user("leder")
    hx = {"HX-Request": "true"}
    answer = leader.post(f"{base}/items", data={"initiative": str(extra.id)}, headers=hx)
    assert texts(answer, ".meeting-agenda-title") == ["A", "B", "C"]
    third = meeting.items[2].id
    answer = leader.post(f"{base}/items/{third}/move", data={"position": "0"}, headers=hx)
    assert texts(answer, ".meeting-agenda-title") == ["C", "A", "B"]
    assert text_of(answer, "#meeting-item-title") == "A"  # still on the screen
    answer = leader.post(f"{base}/items/{third}/remove", headers=hx)
    assert texts(answer, ".meeting-agenda-title") == ["A", "B"]
    answer = leader.post(f"{base}/items/{meeting.items[0].id}/move", data={"position": "9"})
    assert answer.status_code == 400
    assert "Ugyldig placering på dagsordenen." in answer.get_data(as_text=True)
