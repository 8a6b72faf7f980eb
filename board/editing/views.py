"""Creating, editing, archiving and restoring tiltag (leder, admin), and the
list of archived cards.

In the card dialog these are htmx requests: a form is swapped in place of the
card's details, a form with errors comes back with 422 (a stale one with 409)
and is swapped in again (htmx's responseHandling, templates/base.html), and a
saved card replaces the card body. Without JavaScript the same URLs work as
plain pages and forms.
"""

from __future__ import annotations

from flask import flash, redirect, render_template
from flask_login import current_user

from ..access import BoardAccess
from ..boards.pages import render_card_body, render_initiative
from ..boards.queries import board_members, load_themes
from ..errors import Refused, StaleVersion, refusal_shown_in
from ..event_kinds import FIELD_LABELS
from ..extensions import db
from ..htmx import hx_trigger, is_htmx, retarget
from ..models import Initiative
from . import bp
from .forms import InitiativeForm, NewInitiativeForm, VersionForm
from .queries import archived_initiatives, last_change
from .services import (
    archive_initiative,
    create_initiative,
    restore_initiative,
    update_initiative,
)


def _form(form_class, access: BoardAccess, initiative: Initiative | None = None, **kwargs):
    board_id = access.board.id
    members = board_members(board_id)
    owner = initiative.owner if initiative is not None else None
    if owner is not None and owner.id not in {i for i, _ in members}:
        # An owner who lost their role stays choosable, so the card's other
        # fields can still be saved; choosing them anew is refused.
        members.append((owner.id, f"{owner.name} (ingen rolle på tavlen)"))
    return form_class(**kwargs).for_board(access.board, load_themes(board_id), members)


def _themes_by_id(form) -> dict:
    return {t.id: t for t in form.themes}


def card_url(access: BoardAccess, initiative: Initiative) -> str:
    return access.url("boards.initiative", initiative_id=initiative.id)


# --- create -----------------------------------------------------------------


def _render_new(access: BoardAccess, form, status: int = 200):
    template = "editing/_new_dialog.html" if is_htmx() else "editing/new.html"
    return render_template(template, access=access, form=form), status


@bp.board_get("/initiatives/new", need="edit")
def new_initiative(access):
    form = _form(NewInitiativeForm, access, formdata=None)
    if not form.themes:
        raise Refused(
            f"Tavlen har ingen {access.board.theme_label.lower()} endnu. "
            "Opret et under «Struktur» først.",
            409,
        )
    return _render_new(access, form)


@bp.board_post("/initiatives/new", need="edit")
def create(access):
    form = _form(NewInitiativeForm, access)
    if not form.validate_on_submit():
        return _render_new(access, form, 422)
    try:
        initiative = create_initiative(
            **form.chosen(_themes_by_id(form)), stage=form.stage.data, actor=current_user
        )
    except Refused as refused:
        if refused.field not in ("owner", "health"):
            raise
        db.session.rollback()
        form.show_refusal(refused)
        return _render_new(access, form, refused.status)
    db.session.commit()
    message = f"«{initiative.title}» er oprettet i {initiative.stage_label}."
    if is_htmx():
        html, _, headers = render_initiative(access, initiative)
        return html, 201, headers | hx_trigger(message)
    flash(message, "success")
    return redirect(card_url(access, initiative))


# --- edit -------------------------------------------------------------------


def _render_edit(access, initiative, form, status=200, **extra):
    if is_htmx():
        html = render_template(
            "editing/_edit_form.html", access=access, initiative=initiative, form=form, **extra
        )
        return html, status, {"Vary": "HX-Request"}
    return render_initiative(access, initiative, status, form=form, **extra)


def _editable_or_409(initiative: Initiative) -> None:
    if initiative.is_archived:
        raise Refused("Tiltaget er arkiveret. Gendan det for at ændre det.", 409)


@bp.board_get("/initiatives/<int:initiative_id>/edit", need="edit")
def edit(access, initiative_id: int):
    initiative = access.owned_or_404(Initiative, initiative_id)
    _editable_or_409(initiative)
    form = _form(InitiativeForm, access, initiative, formdata=None)
    form.fill_from(initiative)
    return _render_edit(access, initiative, form)


@bp.board_get("/initiatives/<int:initiative_id>/details")
def details(access, initiative_id: int):
    """The read-only fields (what "Annullér" goes back to)."""
    initiative = access.owned_or_404(Initiative, initiative_id)
    return render_template("initiatives/_details.html", access=access, initiative=initiative)


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


@bp.board_post("/initiatives/<int:initiative_id>/edit", need="edit")
def update(access, initiative_id: int):
    initiative = access.owned_or_404(Initiative, initiative_id)
    form = _form(InitiativeForm, access, initiative)
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
        return _stale_edit(access, initiative, form)
    except Refused as refused:
        if refused.field not in ("owner", "health"):
            raise
        db.session.rollback()
        form.show_refusal(refused)
        return _render_edit(access, initiative, form, refused.status)
    db.session.commit()
    return _saved_edit(access, initiative, changes)


def _stale_edit(access, initiative, form):
    db.session.rollback()
    unsaved = _my_unsaved_values(form, initiative)
    fresh = _form(InitiativeForm, access, initiative, formdata=None)
    fresh.fill_from(initiative)
    return _render_edit(
        access,
        initiative,
        fresh,
        409,
        stale_event=last_change(initiative),
        unsaved=unsaved,
    )


def _saved_edit(access, initiative, changes):
    message = "Ændringerne er gemt." if changes else "Ingen ændringer at gemme."
    if is_htmx():
        html, status = render_card_body(access, initiative, card_notice=message)
        headers = retarget(f"#card-body-{initiative.id}", "outerHTML")
        return html, status, headers | hx_trigger(message, board_changed=bool(changes))
    flash(message, "success")
    return redirect(card_url(access, initiative))


# --- archive and restore ----------------------------------------------------


def _archive_or_restore(access, initiative_id: int, action, done: str):
    initiative = access.owned_or_404(Initiative, initiative_id)
    form = VersionForm()
    form.require("Forespørgslen mangler kortets version. Genindlæs siden.")
    # Refused in the card dialog: the card as it is now, with the reason on top.
    with refusal_shown_in(
        lambda refused: render_card_body(access, initiative, card_notice=refused.message)[0]
    ):
        action(initiative, expected_version=form.version.data, actor=current_user)
    db.session.commit()
    message = done.format(title=initiative.title)
    if is_htmx():
        html, status = render_card_body(access, initiative, card_notice=message)
        return html, status, hx_trigger(message)
    flash(message, "success")
    return redirect(card_url(access, initiative))


@bp.board_post("/initiatives/<int:initiative_id>/archive", need="edit")
def archive(access, initiative_id: int):
    return _archive_or_restore(
        access, initiative_id, archive_initiative, "«{title}» er arkiveret og fjernet fra tavlen."
    )


@bp.board_post("/initiatives/<int:initiative_id>/restore", need="edit")
def restore(access, initiative_id: int):
    return _archive_or_restore(
        access, initiative_id, restore_initiative, "«{title}» er gendannet på tavlen."
    )


@bp.board_get("/archived")
def archived(access):
    """The archived cards of a board, newest first (members)."""
    themes = {t.id: t for t in load_themes(access.board.id)}
    cards = archived_initiatives(access.board.id)
    return render_template("editing/archived.html", access=access, cards=cards, themes=themes)
