"""The meeting routes. Reading (the list, the meeting, its current item, the
referat files) is for members and, read-only, share links (`share=True`);
creating and running a meeting is for leaders (`need="edit"`); flagging a
tiltag "Til drøftelse" is for every member (`need="comment"`: MED too).

Each view parses the request, calls one domain function, commits and
renders. With htmx a meeting action answers the live part of the page
(`meetings/_live.html`: the item on the screen and the agenda); without
JavaScript it redirects back (PRG). Typed values with errors come back with
the form (422); a tampered button is 400; a published meeting refuses
changes (409).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for

from ..clock import today_local
from ..errors import Refused
from ..events import latest_event_id
from ..extensions import db
from ..htmx import is_htmx
from ..models import ActionPoint, Initiative, Meeting, MeetingItem
from . import agenda, bp, queries, services
from .forms import (
    ActionForm,
    AddItemForm,
    ButtonForm,
    DecisionForm,
    FlagForm,
    MeetingForm,
    PositionForm,
)
from .referat import referat_of
from .referat_docx import DOCX_TYPE, to_docx

FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}


# --------------------------------------------------------------- the list
def _render_list(access, form, status=200):
    return (
        render_template(
            "meetings/list.html",
            access=access,
            meetings=queries.meetings_of(access.board.id),
            form=form,
        ),
        status,
    )


@bp.board_get("/meetings", share=True)
def meetings(access):
    form = MeetingForm(services.board_members(access.board.id), held_on=today_local())
    return _render_list(access, form)


@bp.board_post("/meetings", need="edit")
def create(access):
    form = MeetingForm(services.board_members(access.board.id))
    if not form.validate_on_submit():
        return _render_list(access, form, 422)
    try:
        meeting = services.create_meeting(
            access.board,
            title=form.title.data,
            held_on=form.held_on.data,
            attendee_ids=form.attendees.data,
            actor=access.user,
        )
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="title")
        return _render_list(access, form, refused.status)
    db.session.commit()
    flash(f"Mødet «{meeting.title}» er oprettet med {len(meeting.items)} punkter.", "success")
    return redirect(url_for("meetings.meeting", board_id=access.board.id, meeting_id=meeting.id))


# --------------------------------------------------------------- the meeting
def _context(access, meeting: Meeting, **forms) -> dict:
    meeting = queries.load_meeting(meeting)
    item = meeting.items[meeting.current_position] if meeting.items else None
    members = services.board_members(access.board.id)
    context = {
        "access": access,
        "meeting": meeting,
        "item": item,
        "members": members,
        "can_run": access.can_edit and not meeting.is_published,
        "reason_labels": agenda.REASON_LABELS,
    }
    if item is not None:
        context["changes"] = queries.changes_by_card(
            access.board.id, meeting.previous_held_on, [item.initiative_id]
        ).get(item.initiative_id, [])
        context["comments"] = (
            queries.new_comments(item.initiative_id, meeting.previous_held_on)
            if access.show_comments
            else []
        )
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            formdata=None, decision=item.decision
        )
        context["action_form"] = forms.get("action_form") or ActionForm(members, formdata=None)
    if context["can_run"]:
        context["addable"] = queries.live_cards(
            access.board.id, [i.initiative_id for i in meeting.items]
        )
    return context


def _render_meeting(access, meeting: Meeting, status=200, **forms):
    context = _context(access, meeting, **forms)
    if is_htmx():
        return render_template("meetings/_live.html", **context), status
    # Read before the page, so what happens between render and connect is replayed.
    context["live_after"] = latest_event_id(access.board.id)
    return render_template("meetings/show.html", **context), status


def _meeting(access, meeting_id: int) -> Meeting:
    return access.owned_or_404(Meeting, meeting_id)


def _item(access, meeting: Meeting, item_id: int) -> MeetingItem:
    item = access.owned_or_404(MeetingItem, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    return item


def _done(access, meeting: Meeting, message: str | None = None):
    """After a change: the live part (htmx) or back to the meeting."""
    db.session.commit()
    if is_htmx():
        return _render_meeting(access, meeting)
    if message:
        flash(message, "success")
    return redirect(url_for("meetings.meeting", board_id=access.board.id, meeting_id=meeting.id))


@bp.board_get("/meetings/<int:meeting_id>", share=True)
def meeting(access, meeting_id: int):
    return _render_meeting(access, _meeting(access, meeting_id))


@bp.board_get("/meetings/<int:meeting_id>/current", share=True, note_visit=False)
def current(access, meeting_id: int):
    """The live part alone: what a following page re-reads."""
    context = _context(access, _meeting(access, meeting_id))
    return render_template("meetings/_live.html", **context), 200, {"Cache-Control": "no-store"}


@bp.board_post("/meetings/<int:meeting_id>/current", need="edit")
def show(access, meeting_id: int):
    meeting = _meeting(access, meeting_id)
    form = PositionForm()
    form.require()
    services.show_item(meeting, form.position.data, actor=access.user)
    return _done(access, meeting)


# --------------------------------------------------------------- the agenda
@bp.board_post("/meetings/<int:meeting_id>/items", need="edit")
def add_item(access, meeting_id: int):
    meeting = _meeting(access, meeting_id)
    form = AddItemForm()
    form.require("Vælg et tiltag at tilføje.")
    initiative = access.owned_or_404(Initiative, form.initiative.data)
    services.add_item(meeting, initiative, actor=access.user)
    return _done(access, meeting, f"«{initiative.title}» er tilføjet dagsordenen.")


@bp.board_post("/meetings/<int:meeting_id>/items/<int:agenda_item_id>/remove", need="edit")
def remove_item(access, meeting_id: int, agenda_item_id: int):
    meeting = _meeting(access, meeting_id)
    item = _item(access, meeting, agenda_item_id)
    ButtonForm().require()
    services.remove_item(meeting, item, actor=access.user)
    return _done(access, meeting, "Punktet er fjernet fra dagsordenen.")


@bp.board_post("/meetings/<int:meeting_id>/items/<int:agenda_item_id>/move", need="edit")
def move_item(access, meeting_id: int, agenda_item_id: int):
    meeting = _meeting(access, meeting_id)
    item = _item(access, meeting, agenda_item_id)
    form = PositionForm()
    form.require()
    services.move_item(meeting, item, to_position=form.position.data, actor=access.user)
    return _done(access, meeting)


# --------------------------------------------------------------- decisions
@bp.board_post("/meetings/<int:meeting_id>/items/<int:agenda_item_id>/decision", need="edit")
def decide(access, meeting_id: int, agenda_item_id: int):
    meeting = _meeting(access, meeting_id)
    item = _item(access, meeting, agenda_item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_meeting(access, meeting, 422, decision_form=form)
    try:
        services.record_decision(item, text=form.decision.data, actor=access.user)
    except Refused as refused:
        db.session.rollback()
        if refused.status != 422:
            raise
        form.show_refusal(refused, default_field="decision")
        return _render_meeting(access, meeting, 422, decision_form=form)
    return _done(access, meeting, "Beslutningen er gemt.")


@bp.board_post("/meetings/<int:meeting_id>/items/<int:agenda_item_id>/actions", need="edit")
def add_action(access, meeting_id: int, agenda_item_id: int):
    meeting = _meeting(access, meeting_id)
    item = _item(access, meeting, agenda_item_id)
    form = ActionForm(services.board_members(access.board.id))
    if not form.validate_on_submit():
        return _render_meeting(access, meeting, 422, action_form=form)
    try:
        services.add_action(
            item,
            text=form.text.data,
            owner_id=form.owner_id,
            deadline=form.deadline.data,
            actor=access.user,
        )
    except Refused as refused:
        db.session.rollback()
        if refused.status != 422:
            raise
        form.show_refusal(refused, default_field="text")
        return _render_meeting(access, meeting, 422, action_form=form)
    return _done(access, meeting, "Handlingspunktet er tilføjet.")


@bp.board_post("/meetings/<int:meeting_id>/actions/<int:action_id>/remove", need="edit")
def remove_action(access, meeting_id: int, action_id: int):
    meeting = _meeting(access, meeting_id)
    action = access.owned_or_404(ActionPoint, action_id)
    if action.item.meeting_id != meeting.id:
        abort(404)
    ButtonForm().require()
    services.remove_action(action, actor=access.user)
    return _done(access, meeting, "Handlingspunktet er fjernet.")


# --------------------------------------------------------------- the referat
@bp.board_post("/meetings/<int:meeting_id>/referat/publish", need="edit")
def publish(access, meeting_id: int):
    meeting = _meeting(access, meeting_id)
    ButtonForm().require()
    services.publish_referat(meeting, actor=access.user)
    db.session.commit()
    flash("Referatet er publiceret og frosset: det ændrer sig ikke længere.", "success")
    return redirect(url_for("meetings.meeting", board_id=access.board.id, meeting_id=meeting.id))


@bp.board_get("/meetings/<int:meeting_id>/referat.<any(docx, pdf):file_format>", share=True)
def referat(access, meeting_id: int, file_format: str):
    fmt = file_format
    meeting = _meeting(access, meeting_id)
    content = referat_of(meeting)
    if fmt == "docx":
        body = to_docx(content)
    else:
        from .referat_pdf import to_pdf

        body = to_pdf(content)
    name = f"referat-{meeting.held_on.isoformat()}-{meeting.id}.{fmt}"
    return Response(
        body,
        mimetype=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --------------------------------------------------------------- "Til drøftelse"
@bp.board_post("/initiatives/<int:initiative_id>/discussion", need="comment")
def flag(access, initiative_id: int):
    initiative = access.owned_or_404(Initiative, initiative_id)
    form = FlagForm()
    form.require()
    if form.flag.data == "1":
        changed = services.flag_for_discussion(initiative, actor=access.user)
        message = f"«{initiative.title}» er sat til drøftelse på næste møde."
    else:
        changed = services.unflag(initiative, actor=access.user)
        message = f"«{initiative.title}» er ikke længere til drøftelse."
    db.session.commit()
    if is_htmx():
        return render_template(
            "meetings/_card_meetings.html",
            access=access,
            initiative=initiative,
            meeting_notes=queries.card_meeting_notes(initiative.id),
            meeting_message=message if changed else None,
        )
    flash(message, "success")
    return redirect(
        url_for("boards.initiative", board_id=access.board.id, initiative_id=initiative.id)
    )
