"""Board structure pages (leder on the board, admin): the board's names,
its themes and objectives (add, rename, reorder, remove), and creating a new
board (admin).

Plain forms that post and redirect back (no htmx needed: this is a settings
page, not the board). A form with errors re-renders the page with 422 and
the errors next to its fields; a refused change re-renders it with the
refusal's status (409 for a removal still in use) and the reason on top.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..boards.queries import load_themes
from ..errors import Refused
from ..extensions import db
from ..models import Objective, Theme
from . import bp, structure
from .forms import BoardForm, MoveForm, ObjectiveForm, PlainForm, ThemeForm
from .queries import initiative_counts


def _render(access, status=200, board_form=None, **shown):
    """The page; `shown` may name the form that `failed` (its key and
    `failed_form`) or a `refusal` to put on top."""
    board = access.board
    if board_form is None:
        board_form = BoardForm(formdata=None, obj=board)
        board_form.objective_label.data = board.objective_label or ""
    per_theme, per_objective = initiative_counts(board.id)
    page = dict(board=board, themes=load_themes(board.id), board_form=board_form, **shown)
    return (
        render_template(
            "structure/show.html",
            access=access,
            per_theme=per_theme,
            per_objective=per_objective,
            **page,
        ),
        status,
    )


def _apply(access, change, done, anchor=""):
    """Run `change()`; then commit and go back to the page (at `anchor`, a
    string or a function of the result) with the message `done(result)`,
    or, refused, show the page again with the reason on top."""
    try:
        result = change()
    except Refused as refused:
        db.session.rollback()
        return _render(access, refused.status, refusal=refused.message)
    message = done(result)
    if callable(anchor):
        anchor = anchor(result)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("editing.structure", board_id=access.board.id) + anchor)


@bp.board_get("/structure", need="edit", endpoint="structure")
def structure_page(access):
    return _render(access)


@bp.board_post("/structure/settings", need="edit")
def update_board(access):
    form = BoardForm()
    if not form.validate_on_submit():
        return _render(access, 422, board_form=form)
    values = form.values(*BoardForm.FIELDS)
    return _apply(
        access,
        lambda: structure.update_board(access.board, **values, actor=current_user),
        lambda _: "Tavlens indstillinger er gemt.",
    )


# --- themes and objectives: the same changes on each level -------------------
# `anchor` is where the page opens again: the item's own row.


def _save(access, item, form_class, failed: str, change, anchor: str):
    """Rename a theme or objective from its form (422 with the errors)."""
    form = form_class()
    if not form.validate_on_submit():
        return _render(access, 422, failed=failed, failed_form=form)
    return _apply(access, lambda: change(form), lambda _: f"«{_name(item)}» er gemt.", anchor)


def _name(item) -> str:
    return item.label if isinstance(item, Objective) else item.title


@bp.board_post("/structure/themes", need="edit")
def add_theme(access):
    form = ThemeForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed="theme-new", failed_form=form)
    return _apply(
        access,
        lambda: structure.add_theme(access.board, title=form.title.data, actor=current_user),
        lambda theme: f"«{theme.title}» er tilføjet.",
        lambda theme: f"#theme-{theme.id}",
    )


@bp.board_post("/structure/themes/<int:theme_id>", need="edit")
def rename_theme(access, theme_id: int):
    theme = access.owned_or_404(Theme, theme_id)

    def change(form):
        return structure.rename_theme(theme, title=form.title.data, actor=current_user)

    return _save(access, theme, ThemeForm, f"theme-{theme.id}", change, f"#theme-{theme.id}")


@bp.board_post("/structure/themes/<int:theme_id>/objectives", need="edit")
def add_objective(access, theme_id: int):
    theme = access.owned_or_404(Theme, theme_id)
    if not access.board.has_objectives:
        raise Refused(f"Tavlen har ikke et niveau under {access.board.theme_label.lower()}.", 409)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed=f"objective-new-{theme.id}", failed_form=form)
    return _apply(
        access,
        lambda: structure.add_objective(
            theme, number=form.number.data, title=form.title.data, actor=current_user
        ),
        lambda objective: f"«{objective.label}» er tilføjet.",
        lambda objective: f"#objective-{objective.id}",
    )


@bp.board_post("/structure/objectives/<int:objective_id>", need="edit")
def update_objective(access, objective_id: int):
    objective = access.owned_or_404(Objective, objective_id)
    anchor = f"#objective-{objective.id}"

    def change(form):
        number, title = form.number.data, form.title.data
        return structure.update_objective(objective, number=number, title=title, actor=current_user)

    return _save(access, objective, ObjectiveForm, f"objective-{objective.id}", change, anchor)


# Reordering and removal are the same on both levels: one view each, for
# /structure/themes/<id>/... and /structure/objectives/<id>/...
LEVELS = {
    "themes": (Theme, structure.move_theme, structure.delete_theme),
    "objectives": (Objective, structure.move_objective, structure.delete_objective),
}
LEVEL_RULE = "/structure/<any(themes, objectives):level>/<int:item_id>"


@bp.board_post(LEVEL_RULE + "/move", need="edit")
def move_item(access, level: str, item_id: int):
    model, move, _ = LEVELS[level]
    item = access.owned_or_404(model, item_id)
    form = MoveForm()
    form.require()
    anchor = f"#{model.__name__.lower()}-{item.id}"
    return _apply(
        access,
        lambda: move(item, direction=form.direction.data, actor=current_user),
        lambda _: f"«{_name(item)}» er flyttet.",
        anchor,
    )


@bp.board_post(LEVEL_RULE + "/delete", need="edit")
def delete_item(access, level: str, item_id: int):
    model, _, delete = LEVELS[level]
    item = access.owned_or_404(model, item_id)
    PlainForm().require()
    name = _name(item)  # before it is gone
    return _apply(
        access, lambda: delete(item, actor=current_user), lambda _: f"«{name}» er fjernet."
    )


# --- a new board (admin) ------------------------------------------------------


@bp.route("/boards/new", methods=["GET", "POST"])
@login_required
def new_board():
    if not current_user.is_admin:
        abort(403, description="Kun administratorer kan oprette tavler.")
    form = BoardForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("structure/new_board.html", form=form), status
    board = structure.create_board(**form.values(*BoardForm.FIELDS), actor=current_user)
    db.session.commit()
    flash(
        f"Tavlen «{board.title}» er oprettet. Tilføj nu dens {board.theme_label.lower()}.",
        "success",
    )
    return redirect(url_for("editing.structure", board_id=board.id))
