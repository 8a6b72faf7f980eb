"""Creating, editing, archiving and restoring tiltag (leder, admin), and the
list of archived cards.

In the card dialog these are htmx requests: a form is swapped in place of the
card's details, a form with errors comes back with 422 (a stale one with 409)
and is swapped in again (static/js/editing.js), and a saved card replaces the
card body. Without JavaScript the same URLs work as plain pages and forms.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import BoardAccess, get_board_access_or_404, get_initiative_or_404
from ..boards.queries import load_themes
from ..boards.views import initiative_context, render_initiative
from ..event_kinds import FIELD_LABELS
from ..extensions import db
from ..models import Event, Initiative
from ..security import is_htmx
from .forms import InitiativeForm, NewInitiativeForm, VersionForm
from .services import (
    EditRefused,
    StaleVersion,
    archive_initiative,
    create_initiative,
    restore_initiative,
    update_initiative,
)

bp = Blueprint("editing", __name__)

# The board page refreshes its columns when it sees this event (editing.js).
BOARD_CHANGED = "tiltag:board-changed"
# A 4xx answer that carries this header is a form with its errors (422) or a
# card as it is now (409): editing.js swaps it in place instead of showing
# it as an error notice.
SWAP_ERROR = {"X-Tiltag-Swap": "1"}


def hx_trigger(announce: str | None = None, board_changed: bool = True) -> dict:
    events = {}
    if board_changed:
        events[BOARD_CHANGED] = True
    if announce:
        events["tiltag:announce"] = announce
    # ASCII-only JSON: header values must be latin-1, and JSON escapes survive.
    return {"HX-Trigger": json.dumps(events, ensure_ascii=True)}


def _form(form_class, access: BoardAccess, **kwargs):
    return form_class(**kwargs).for_board(access.board, load_themes(access.board.id))


def _themes_by_id(form) -> dict:
    return {t.id: t for t in form.themes}


def card_url(access: BoardAccess, initiative: Initiative) -> str:
    return access.url("boards.initiative", initiative_id=initiative.id)


def render_card_body(
    access: BoardAccess, initiative: Initiative, status=200, headers=None, **extra
):
    """The card body alone (the htmx answer after a change)."""
    html = render_template(
        "initiatives/_card_body.html", **(initiative_context(access, initiative) | extra)
    )
    headers = dict(headers or {})
    if status >= 400:
        headers |= SWAP_ERROR
    return html, status, headers


# --- create -----------------------------------------------------------------


def _render_new(access: BoardAccess, form, status: int = 200):
    template = "editing/_new_dialog.html" if is_htmx() else "editing/new.html"
    return render_template(template, access=access, form=form), status, SWAP_ERROR


@bp.get("/boards/<int:board_id>/initiatives/new")
def new_initiative(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    form = _form(NewInitiativeForm, access, formdata=None)
    if not form.themes:
        abort(
            409,
            description=f"Tavlen har ingen {access.board.theme_label.lower()} endnu. "
            "Opret et under «Struktur» først.",
        )
    return _render_new(access, form)


@bp.post("/boards/<int:board_id>/initiatives/new")
def create(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    form = _form(NewInitiativeForm, access)
    if not form.validate_on_submit():
        return _render_new(access, form, 422)
    try:
        initiative = create_initiative(
            **form.chosen(_themes_by_id(form)), stage=form.stage.data, actor=current_user
        )
    except EditRefused as refused:
        db.session.rollback()
        abort(refused.status, description=refused.message)
    db.session.commit()
    message = f"«{initiative.title}» er oprettet i {initiative.stage_label}."
    if is_htmx():
        html, status, headers = render_initiative(access, initiative.id)
        return html, 201, headers | hx_trigger(message)
    flash(message, "success")
    return redirect(card_url(access, initiative))


# --- edit -------------------------------------------------------------------


def _render_edit(access, initiative, form, status=200, **extra):
    if is_htmx():
        html = render_template(
            "editing/_edit_form.html", access=access, initiative=initiative, form=form, **extra
        )
        return html, status, {"Vary": "HX-Request"} | SWAP_ERROR
    return render_initiative(access, initiative.id, status, form=form, **extra)


def _editable_or_409(initiative: Initiative) -> None:
    if initiative.is_archived:
        abort(409, description="Tiltaget er arkiveret. Gendan det for at ændre det.")


@bp.get("/boards/<int:board_id>/initiatives/<int:initiative_id>/edit")
def edit(board_id: int, initiative_id: int):
    access = get_board_access_or_404(board_id, "edit")
    initiative = get_initiative_or_404(access, initiative_id)
    _editable_or_409(initiative)
    form = _form(InitiativeForm, access, formdata=None)
    form.fill_from(initiative)
    return _render_edit(access, initiative, form)


@bp.get("/boards/<int:board_id>/initiatives/<int:initiative_id>/details")
def details(board_id: int, initiative_id: int):
    """The read-only fields (what "Annullér" goes back to)."""
    access = get_board_access_or_404(board_id, "view")
    initiative = get_initiative_or_404(access, initiative_id)
    return render_template("initiatives/_details.html", access=access, initiative=initiative)


def _last_change(initiative: Initiative) -> Event | None:
    return db.session.scalars(
        sa.select(Event).where(Event.initiative_id == initiative.id).order_by(Event.id.desc())
    ).first()


def _my_unsaved_values(form, initiative: Initiative) -> list[tuple[str, str]]:
    """The text the user tried to save where it differs from the card now, so
    a stale edit loses nothing the user typed (they can copy it back)."""
    rows = []
    for name in ("title", "description", "timeline", "status_note", "responsible"):
        mine = (getattr(form, name).data or "").strip()
        if mine != (getattr(initiative, name) or ""):
            rows.append((FIELD_LABELS[name].capitalize(), mine or "–"))
    if form.due_date.data != initiative.due_date:
        rows.append(("Frist", form.due_date.data.isoformat() if form.due_date.data else "–"))
    return rows


@bp.post("/boards/<int:board_id>/initiatives/<int:initiative_id>/edit")
def update(board_id: int, initiative_id: int):
    access = get_board_access_or_404(board_id, "edit")
    initiative = get_initiative_or_404(access, initiative_id)
    form = _form(InitiativeForm, access)
    if not form.validate_on_submit():
        return _render_edit(access, initiative, form, 422)
    try:
        changes = update_initiative(
            initiative,
            expected_version=form.expected_version(),
            actor=current_user,
            **form.chosen(_themes_by_id(form)),
        )
    except StaleVersion:
        db.session.rollback()
        unsaved = _my_unsaved_values(form, initiative)
        fresh = _form(InitiativeForm, access, formdata=None)
        fresh.fill_from(initiative)
        return _render_edit(
            access,
            initiative,
            fresh,
            409,
            stale_event=_last_change(initiative),
            unsaved=unsaved,
        )
    except EditRefused as refused:
        db.session.rollback()
        abort(refused.status, description=refused.message)
    db.session.commit()
    message = "Ændringerne er gemt." if changes else "Ingen ændringer at gemme."
    if is_htmx():
        return render_card_body(
            access,
            initiative,
            headers={
                "HX-Retarget": f"#card-body-{initiative.id}",
                "HX-Reswap": "outerHTML",
                **hx_trigger(message, board_changed=bool(changes)),
            },
            card_notice=message,
        )
    flash(message, "success")
    return redirect(card_url(access, initiative))


# --- archive and restore ----------------------------------------------------


def _archive_or_restore(board_id: int, initiative_id: int, action, done: str):
    access = get_board_access_or_404(board_id, "edit")
    initiative = get_initiative_or_404(access, initiative_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400, description="Forespørgslen mangler kortets version. Genindlæs siden.")
    try:
        action(initiative, expected_version=form.version.data, actor=current_user)
    except EditRefused as refused:
        db.session.rollback()
        if is_htmx():
            # Show the card as it is now, with the reason on top.
            return render_card_body(access, initiative, refused.status, card_notice=refused.message)
        abort(refused.status, description=refused.message)
    db.session.commit()
    message = done.format(title=initiative.title)
    if is_htmx():
        return render_card_body(
            access, initiative, headers=hx_trigger(message), card_notice=message
        )
    flash(message, "success")
    return redirect(card_url(access, initiative))


@bp.post("/boards/<int:board_id>/initiatives/<int:initiative_id>/archive")
def archive(board_id: int, initiative_id: int):
    return _archive_or_restore(
        board_id, initiative_id, archive_initiative, "«{title}» er arkiveret og fjernet fra tavlen."
    )


@bp.post("/boards/<int:board_id>/initiatives/<int:initiative_id>/restore")
def restore(board_id: int, initiative_id: int):
    return _archive_or_restore(
        board_id, initiative_id, restore_initiative, "«{title}» er gendannet på tavlen."
    )


@bp.get("/boards/<int:board_id>/archived")
def archived(board_id: int):
    """The archived cards of a board, newest first (members)."""
    access = get_board_access_or_404(board_id, "view")
    cards = list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.board_id == board_id, Initiative.archived_at.is_not(None))
            .order_by(Initiative.archived_at.desc(), Initiative.id)
        )
    )
    themes = {t.id: t for t in load_themes(board_id)}
    return render_template("editing/archived.html", access=access, cards=cards, themes=themes)


@bp.app_template_global()
def edit_url(access: BoardAccess, endpoint: str, **values) -> str:
    """Member-only editing URLs (never offered to share visitors)."""
    return url_for(endpoint, board_id=access.board.id, **values)


from . import structure_views  # noqa: E402,F401  (registers the structure routes on bp)
