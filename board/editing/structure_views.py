"""Board structure pages (leder on the board, admin): the board's names,
its themes and objectives (add, rename, reorder, remove), and creating a new
board (admin).

Plain forms that post and redirect back (no htmx needed: this is a settings
page, not the board). A form with errors re-renders the page with 422 and
the errors next to its fields; a refused removal re-renders it with 409 and
the reason on top.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_board_access_or_404
from ..boards.queries import load_themes
from ..extensions import db
from ..models import Objective, Theme
from . import structure
from .forms import BoardForm, MoveForm, ObjectiveForm, PlainForm, ThemeForm
from .services import EditRefused
from .views import bp


def _counts(board_id: int) -> tuple[dict, dict]:
    """Tiltag (archived included) per theme and per main objective."""
    import sqlalchemy as sa

    from ..models import Initiative

    rows = db.session.execute(
        sa.select(Initiative.theme_id, Initiative.objective_id, sa.func.count())
        .where(Initiative.board_id == board_id)
        .group_by(Initiative.theme_id, Initiative.objective_id)
    )
    per_theme: dict[int, int] = {}
    per_objective: dict[int, int] = {}
    for theme_id, objective_id, count in rows:
        per_theme[theme_id] = per_theme.get(theme_id, 0) + count
        if objective_id is not None:
            per_objective[objective_id] = per_objective.get(objective_id, 0) + count
    return per_theme, per_objective


def _render(access, status=200, failed=None, failed_form=None, refusal=None, board_form=None):
    board = access.board
    if board_form is None:
        board_form = BoardForm(formdata=None, obj=board)
        board_form.objective_label.data = board.objective_label or ""
    per_theme, per_objective = _counts(board.id)
    return (
        render_template(
            "structure/show.html",
            access=access,
            board=board,
            themes=load_themes(board.id),
            board_form=board_form,
            failed=failed,
            failed_form=failed_form,
            refusal=refusal,
            per_theme=per_theme,
            per_objective=per_objective,
        ),
        status,
    )


def _back(access, message: str, anchor: str = ""):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("editing.structure", board_id=access.board.id) + anchor)


def _refused(access, refused: EditRefused):
    db.session.rollback()
    return _render(access, refused.status, refusal=refused.message)


def _theme_or_404(access, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.board_id != access.board.id:
        abort(404)
    return theme


def _objective_or_404(access, objective_id: int) -> Objective:
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.theme.board_id != access.board.id:
        abort(404)
    return objective


def _require(form) -> None:
    """A button-only form (move, delete): a missing token or value is a 400."""
    if not form.validate_on_submit():
        abort(400, description="Formularen er ugyldig. Genindlæs siden og prøv igen.")


@bp.get("/boards/<int:board_id>/structure", endpoint="structure")
def structure_page(board_id: int):
    return _render(get_board_access_or_404(board_id, "edit"))


@bp.post("/boards/<int:board_id>/structure/settings")
def update_board(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    form = BoardForm()
    if not form.validate_on_submit():
        return _render(access, 422, board_form=form)
    try:
        structure.update_board(
            access.board,
            title=form.title.data,
            description=form.description.data,
            theme_label=form.theme_label.data,
            objective_label=form.objective_label.data,
            actor=current_user,
        )
    except EditRefused as refused:
        return _refused(access, refused)
    return _back(access, "Tavlens indstillinger er gemt.")


@bp.post("/boards/<int:board_id>/structure/themes")
def add_theme(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    form = ThemeForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed="theme-new", failed_form=form)
    theme = structure.add_theme(access.board, title=form.title.data, actor=current_user)
    return _back(access, f"«{theme.title}» er tilføjet.", f"#theme-{theme.id}")


@bp.post("/boards/<int:board_id>/structure/themes/<int:theme_id>")
def rename_theme(board_id: int, theme_id: int):
    access = get_board_access_or_404(board_id, "edit")
    theme = _theme_or_404(access, theme_id)
    form = ThemeForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed=f"theme-{theme.id}", failed_form=form)
    structure.rename_theme(theme, title=form.title.data, actor=current_user)
    return _back(access, f"«{theme.title}» er gemt.", f"#theme-{theme.id}")


@bp.post("/boards/<int:board_id>/structure/themes/<int:theme_id>/move")
def move_theme(board_id: int, theme_id: int):
    access = get_board_access_or_404(board_id, "edit")
    theme = _theme_or_404(access, theme_id)
    form = MoveForm()
    _require(form)
    structure.move_theme(theme, direction=form.direction.data, actor=current_user)
    return _back(access, f"«{theme.title}» er flyttet.", f"#theme-{theme.id}")


@bp.post("/boards/<int:board_id>/structure/themes/<int:theme_id>/delete")
def delete_theme(board_id: int, theme_id: int):
    access = get_board_access_or_404(board_id, "edit")
    theme = _theme_or_404(access, theme_id)
    _require(PlainForm())
    title = theme.title
    try:
        structure.delete_theme(theme, actor=current_user)
    except EditRefused as refused:
        return _refused(access, refused)
    return _back(access, f"«{title}» er fjernet.")


@bp.post("/boards/<int:board_id>/structure/themes/<int:theme_id>/objectives")
def add_objective(board_id: int, theme_id: int):
    access = get_board_access_or_404(board_id, "edit")
    theme = _theme_or_404(access, theme_id)
    if not access.board.has_objectives:
        abort(
            409,
            description="Tavlen har ikke et niveau under " + access.board.theme_label.lower() + ".",
        )
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed=f"objective-new-{theme.id}", failed_form=form)
    objective = structure.add_objective(
        theme, number=form.number.data, title=form.title.data, actor=current_user
    )
    return _back(access, f"«{objective.label}» er tilføjet.", f"#objective-{objective.id}")


@bp.post("/boards/<int:board_id>/structure/objectives/<int:objective_id>")
def update_objective(board_id: int, objective_id: int):
    access = get_board_access_or_404(board_id, "edit")
    objective = _objective_or_404(access, objective_id)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _render(access, 422, failed=f"objective-{objective.id}", failed_form=form)
    structure.update_objective(
        objective, number=form.number.data, title=form.title.data, actor=current_user
    )
    return _back(access, f"«{objective.label}» er gemt.", f"#objective-{objective.id}")


@bp.post("/boards/<int:board_id>/structure/objectives/<int:objective_id>/move")
def move_objective(board_id: int, objective_id: int):
    access = get_board_access_or_404(board_id, "edit")
    objective = _objective_or_404(access, objective_id)
    form = MoveForm()
    _require(form)
    structure.move_objective(objective, direction=form.direction.data, actor=current_user)
    return _back(access, f"«{objective.label}» er flyttet.", f"#objective-{objective.id}")


@bp.post("/boards/<int:board_id>/structure/objectives/<int:objective_id>/delete")
def delete_objective(board_id: int, objective_id: int):
    access = get_board_access_or_404(board_id, "edit")
    objective = _objective_or_404(access, objective_id)
    _require(PlainForm())
    label = objective.label
    try:
        structure.delete_objective(objective, actor=current_user)
    except EditRefused as refused:
        return _refused(access, refused)
    return _back(access, f"«{label}» er fjernet.")


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
    board = structure.create_board(
        title=form.title.data,
        description=form.description.data,
        theme_label=form.theme_label.data,
        objective_label=form.objective_label.data,
        actor=current_user,
    )
    db.session.commit()
    flash(
        f"Tavlen «{board.title}» er oprettet. Tilføj nu dens {board.theme_label.lower()}.",
        "success",
    )
    return redirect(url_for("editing.structure", board_id=board.id))
