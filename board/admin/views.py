"""Administration (administrators only): users, their board roles, and each
board's members. Every route is behind `require_admin` (blueprint-wide), so
a new route here cannot forget the check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from ..access import roles_by_board
from ..auth import accounts
from ..errors import Refused
from ..extensions import db
from ..models import Board, Role, User
from ..privacy.services import anonymise_user, is_anonymised
from . import bp, services
from .forms import (
    ROLE_CHOICES,
    AnonymiseForm,
    ConfirmForm,
    CreateUserForm,
    MemberForm,
    PasswordForm,
    UserDetailsForm,
    roles_form,
)

# --- users ---------------------------------------------------------------------


def _render_users(form, status=200):
    users = list(
        db.session.scalars(
            sa.select(User)
            .options(selectinload(User.memberships))
            .order_by(User.active.desc(), User.name)
        )
    )
    boards = {board.id: board for board in services.list_boards()}
    return (
        render_template(
            "admin/users.html",
            users=users,
            boards=boards,
            form=form,
            role_labels={role.value: role.label for role in Role},
        ),
        status,
    )


@bp.get("/users")
def users():
    return _render_users(CreateUserForm())


@bp.post("/users")
def create_user():
    form = CreateUserForm()
    if not form.validate_on_submit():
        return _render_users(form, 422)
    try:
        values = form.values("email", "name", "password", "is_admin")
        user = accounts.create_user(**values, actor=current_user)
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="email")
        return _render_users(form, refused.status)
    db.session.commit()
    flash(
        f"Brugeren {user.name} er oprettet. Giv brugeren en rolle på de tavler, de skal se.",
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


def _render_user(user, *, details=None, password=None, roles=None, anonymise=None, status=200):
    boards = services.list_boards()
    return (
        render_template(
            "admin/user.html",
            user=user,
            details_form=details or UserDetailsForm(formdata=None, obj=user),
            password_form=password or PasswordForm(formdata=None),
            roles_form=roles or roles_form(boards, roles_by_board(user)),
            boards=boards,
            confirm_form=ConfirmForm(),
            anonymise_form=anonymise or AnonymiseForm(formdata=None),
            anonymised=is_anonymised(user),
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _render_user(db.get_or_404(User, user_id))


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserDetailsForm()
    if not form.validate_on_submit():
        return _render_user(user, details=form, status=422)
    try:
        accounts.update_user(
            user, name=form.name.data, is_admin=form.is_admin.data, actor=current_user
        )
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="is_admin")
        return _render_user(user, details=form, status=refused.status)
    db.session.commit()
    flash("Oplysningerne er gemt.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int):
    user = db.get_or_404(User, user_id)
    boards = services.list_boards()
    form = roles_form(boards, roles_by_board(user))
    if not form.validate_on_submit():
        return _render_user(user, roles=form, status=422)
    changed = 0
    for board in boards:
        role = form[f"board_{board.id}"].data or None
        changed += services.set_board_role(user, board, role, actor=current_user)
    db.session.commit()
    flash("Rollerne er gemt." if changed else "Ingen ændringer.", "success" if changed else "info")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, password=form, status=422)
    accounts.set_password(user, form.password.data, actor=current_user)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # the new nonce ended this session too; keep the admin in
    flash(
        f"Adgangskoden for {user.name} er skiftet, og brugerens sessioner er afsluttet.", "success"
    )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    ConfirmForm().require()
    accounts.deactivate_user(user, actor=current_user)
    db.session.commit()
    flash(f"{user.name} er deaktiveret og kan ikke længere logge ind.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    ConfirmForm().require()
    accounts.reactivate_user(user, actor=current_user)
    db.session.commit()
    flash(f"{user.name} er aktiv igen.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/anonymise")
def anonymise(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AnonymiseForm()
    if not form.validate_on_submit():
        return _render_user(user, anonymise=form, status=422)
    try:
        anonymise_user(user, actor=current_user)
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="confirm")
        return _render_user(user, anonymise=form, status=refused.status)
    db.session.commit()
    flash(f"Brugeren er anonymiseret og hedder nu «{user.name}».", "success")
    return redirect(url_for("admin.user", user_id=user.id))


# --- a board's members -----------------------------------------------------------


def _member_form() -> MemberForm:
    form = MemberForm()
    form.user_id.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email})")
        for u in db.session.scalars(sa.select(User).order_by(User.name))
    ]
    return form


def _render_members(board: Board, form=None, status=200):
    members = services.board_members(board)
    member_ids = {user.id for user, _ in members}
    candidates = [
        user
        for user in db.session.scalars(
            sa.select(User).where(User.active.is_(True)).order_by(User.name)
        )
        if user.id not in member_ids
    ]
    return (
        render_template(
            "admin/board_members.html",
            board=board,
            members=members,
            form=form or _member_form(),
            candidates=candidates,
            role_choices=ROLE_CHOICES,
        ),
        status,
    )


@bp.get("/boards/<int:board_id>/members")
def board_members(board_id: int):
    return _render_members(db.get_or_404(Board, board_id))


@bp.post("/boards/<int:board_id>/members")
def set_board_member(board_id: int):
    board = db.get_or_404(Board, board_id)
    form = _member_form()
    if not form.validate_on_submit():
        return _render_members(board, form, 422)
    user = db.get_or_404(User, form.user_id.data)
    role = form.role.data or None
    if services.set_board_role(user, board, role, actor=current_user):
        db.session.commit()
        if role:
            flash(f"{user.name} er nu {Role(role).label.lower()} på tavlen.", "success")
        else:
            flash(f"{user.name} har ikke længere adgang til tavlen.", "success")
    return redirect(url_for("admin.board_members", board_id=board.id))
