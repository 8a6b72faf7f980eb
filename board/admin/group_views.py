"""The table of groups that give board roles at sign-in with the
organisation (board/auth/group_roles.py): list, add, delete. Behind the
blueprint's `require_admin` like every admin page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..auth import group_roles, oidc
from ..errors import Refused
from ..extensions import db
from ..models import Board, GroupRoleMapping, Role
from . import bp, services
from .forms import ConfirmForm, GroupMappingForm


def _form(boards) -> GroupMappingForm:
    form = GroupMappingForm()
    form.board_id.choices = [SelectChoice(board.id, board.title) for board in boards]
    return form


def _render(form=None, status=200):
    boards = services.list_boards()
    return (
        render_template(
            "admin/group_roles.html",
            mappings=group_roles.list_mappings(),
            form=form or _form(boards),
            confirm_form=ConfirmForm(),
            has_boards=bool(boards),
            oidc_enabled=oidc.enabled(),
            admin_groups=current_app.config.get("OIDC_ADMIN_GROUPS") or (),
            groups_claim=current_app.config.get("OIDC_GROUPS_CLAIM"),
            role_labels={role.value: role.label for role in Role},
        ),
        status,
    )


@bp.get("/grupper")
def group_roles_page():
    return _render()


@bp.post("/grupper")
def add_group_role():
    form = _form(services.list_boards())
    if not form.validate_on_submit():
        return _render(form, 422)
    board = db.get_or_404(Board, form.board_id.data)
    try:
        group_roles.add_mapping(form.group.data, board, form.role.data, actor=current_user)
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="group")
        return _render(form, refused.status)
    db.session.commit()
    flash(
        f"Gruppen giver nu rollen {Role(form.role.data).label.lower()} på «{board.title}» "
        "fra næste gang, medlemmerne logger ind.",
        "success",
    )
    return redirect(url_for("admin.group_roles_page"))


@bp.post("/grupper/<int:mapping_id>/slet")
def delete_group_role(mapping_id: int):
    mapping = db.get_or_404(GroupRoleMapping, mapping_id)
    ConfirmForm().require()
    group_roles.remove_mapping(mapping, actor=current_user)
    db.session.commit()
    flash("Gruppen er fjernet. Rollerne, den gav, forsvinder ved næste login.", "success")
    return redirect(url_for("admin.group_roles_page"))
