"""The round pages: a board's rounds (and opening one), a round's page with
its live progress, reminding and closing, a tiltag's part of the round, and
"Mine opgaver" (/mine) across boards.

Opening, reminding and closing are for leaders (need "edit"); a tiltag's
part is for its owner or the board's leaders, which the domain function
checks (`services.may_complete`), so a med member who owns a tiltag can do
theirs."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import BoardAccess
from ..errors import Refused
from ..events import latest_event_id
from ..extensions import db
from ..htmx import hx_trigger, is_htmx
from ..models import Initiative, RoundItem, StatusRound
from . import bp, queries, services
from .forms import OpenRoundForm, RoundItemForm


def _live_cards(board_id: int) -> list[Initiative]:
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.board_id == board_id, Initiative.archived_at.is_(None))
            .order_by(Initiative.title, Initiative.id)
        )
    )


def _round_url(status_round: StatusRound) -> str:
    return url_for("rounds.show", board_id=status_round.board_id, round_id=status_round.id)


# --- the board's rounds -----------------------------------------------------


def _render_index(access: BoardAccess, form, status: int = 200):
    return (
        render_template(
            "rounds/index.html",
            access=access,
            rounds=queries.rounds_of_board(access.board.id),
            open_round=services.open_round_of(access.board.id),
            form=form,
        ),
        status,
    )


@bp.board_get("/rounds")
def index(access):
    form = OpenRoundForm(formdata=None).for_cards(_live_cards(access.board.id))
    return _render_index(access, form)


@bp.board_post("/rounds", need="edit", endpoint="open")
def open_(access):
    form = OpenRoundForm().for_cards(_live_cards(access.board.id))
    if not form.validate_on_submit():
        return _render_index(access, form, 422)
    try:
        status_round = services.open_round(
            access.board,
            title=form.title.data,
            status_date=form.status_date.data,
            deadline=form.deadline.data,
            initiative_ids=form.initiatives.data,
            actor=current_user,
        )
    except Refused as refused:
        if refused.status != 422:
            raise
        db.session.rollback()
        form.show_refusal(refused)
        return _render_index(access, form, 422)
    db.session.commit()
    flash(f"Statusrunden «{status_round.title}» er åbnet.", "success")
    return redirect(_round_url(status_round))


# --- one round --------------------------------------------------------------


def _progress_context(access: BoardAccess, status_round: StatusRound) -> dict:
    return dict(
        access=access,
        status_round=status_round,
        progress=services.round_progress(status_round),
    )


@bp.board_get("/rounds/<int:round_id>")
def show(access, round_id: int):
    # Read before the round: the page's live stream replays from here.
    live_after = latest_event_id(access.board.id)
    status_round = access.owned_or_404(StatusRound, round_id)
    return render_template(
        "rounds/show.html", live_after=live_after, **_progress_context(access, status_round)
    )


@bp.board_get("/rounds/<int:round_id>/progress", note_visit=False)
def progress(access, round_id: int):
    """The progress part of the round page (re-read live on every change)."""
    status_round = access.owned_or_404(StatusRound, round_id)
    return (
        render_template("rounds/_progress.html", **_progress_context(access, status_round)),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.board_post("/rounds/<int:round_id>/remind", need="edit")
def remind(access, round_id: int):
    status_round = access.owned_or_404(StatusRound, round_id)
    count = services.remind_now(status_round, actor=current_user)
    db.session.commit()
    flash(
        f"Påmindelse sendt til {count} person{'er' if count != 1 else ''}.",
        "success",
    )
    return redirect(_round_url(status_round))


@bp.board_post("/rounds/<int:round_id>/close", need="edit")
def close(access, round_id: int):
    status_round = access.owned_or_404(StatusRound, round_id)
    published = services.close_round(status_round, actor=current_user)
    db.session.commit()
    flash(f"Statusrunden «{status_round.title}» er lukket, og rapporten er publiceret.", "success")
    return redirect(url_for("reports.published", board_id=access.board.id, report_id=published.id))


# --- a tiltag's part --------------------------------------------------------


def _item_or_404(access: BoardAccess, round_id: int, task_id: int) -> RoundItem:
    item = access.owned_or_404(RoundItem, task_id)
    if item.round_id != round_id:
        abort(404)
    return item


def item_form(item: RoundItem, formdata=None) -> RoundItemForm:
    """The form of one task; prefixed by the item, so /mine can show many."""
    form = RoundItemForm(formdata=formdata, prefix=f"opgave-{item.id}")
    return form if formdata is not None else form.fill_from(item)


def _render_task(access, item, form, status=200, notice=None):
    template = "rounds/_task.html" if is_htmx() else "rounds/task.html"
    return (
        render_template(template, access=access, item=item, form=form, notice=notice),
        status,
    )


@bp.board_get("/rounds/<int:round_id>/tasks/<int:task_id>")
def task(access, round_id: int, task_id: int):
    item = _item_or_404(access, round_id, task_id)
    if not services.may_complete(item, current_user):
        raise Refused(
            "Kun tiltagets ansvarlige person eller tavlens ledere kan give status i runden.", 403
        )
    return _render_task(access, item, item_form(item))


@bp.board_post("/rounds/<int:round_id>/tasks/<int:task_id>", endpoint="complete")
def complete(access, round_id: int, task_id: int):
    item = _item_or_404(access, round_id, task_id)
    form = item_form(item, request.form)
    if not services.may_complete(item, current_user):
        raise Refused(
            "Kun tiltagets ansvarlige person eller tavlens ledere kan give status i runden.", 403
        )
    if not form.validate_on_submit():
        return _render_task(access, item, form, 422)
    try:
        services.complete_item(
            item,
            status_text=form.status_text.data,
            health=form.health.data,
            stage=form.stage.data,
            actor=current_user,
        )
    except Refused as refused:
        if refused.status != 422:
            raise
        db.session.rollback()
        form.show_refusal(refused)
        return _render_task(access, item, form, 422)
    db.session.commit()
    message = f"Status til «{item.round.title}» er gemt for «{item.initiative.title}»."
    if is_htmx():
        html, status = _render_task(access, item, item_form(item), notice=message)
        return html, status, hx_trigger(message)
    flash(message, "success")
    if request.form.get("tilbage") == "mine":
        return redirect(url_for("rounds.mine"))
    return redirect(
        url_for("boards.initiative", board_id=access.board.id, initiative_id=item.initiative_id)
    )


# --- Mine opgaver -----------------------------------------------------------


@bp.get("/mine")
@login_required
def mine():
    items = queries.tasks_of(current_user)
    return render_template(
        "rounds/mine.html",
        items=items,
        boards=queries.boards_by_id(items),
        forms={item.id: item_form(item) for item in items},
    )
