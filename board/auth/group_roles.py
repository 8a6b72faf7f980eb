"""Roles from the identity provider's groups (sign-in with the organisation).

Two sources, re-read at every sign-in:

* OIDC_ADMIN_GROUPS: a member of one of them is an administrator;
* the group mappings (`GroupRoleMapping`, edited by administrators on
  /admin/grupper): a group gives leder or med on one board. In several
  mapped groups for the same board, the person gets the higher role
  (leder).

A role given this way is marked (`Membership.from_group`,
`User.admin_from_group`), and each sign-in gives it again, changes it or
takes it away to match the groups the provider sent. A role given by hand
(on the admin pages or the command line) is never touched: it wins over
the groups. Group names are compared case-insensitively (Entra's object
ids and AD FS's names alike).

Plain functions: they leave the commit to the caller. Every change is
written to the application log with the user's and board's ids.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..errors import Refused
from ..extensions import db
from ..models import Board, GroupRoleMapping, Membership, Role, User

log = logging.getLogger(__name__)

ROLE_RANK = {Role.MED.value: 1, Role.LEDER.value: 2}


def normalize_groups(value) -> set[str]:
    """The groups claim as a set of case-folded names: providers send a
    list, and AD FS sends one group as a plain string."""
    if value is None:
        return set()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(group).strip().casefold() for group in value if str(group).strip()}


def wanted_board_roles(groups: set[str]) -> dict[int, str]:
    """{board id: role} that these groups give (the higher role wins)."""
    wanted: dict[int, str] = {}
    if not groups:
        return wanted
    for mapping in db.session.scalars(sa.select(GroupRoleMapping)):
        if mapping.group.casefold() not in groups:
            continue
        current = wanted.get(mapping.board_id)
        if current is None or ROLE_RANK[mapping.role] > ROLE_RANK[current]:
            wanted[mapping.board_id] = mapping.role
    return wanted


def apply_group_roles(user: User, groups: set[str], admin_groups) -> int:
    """Make the user's group-given roles match `groups`; returns how many
    changed. Roles given by hand stay as they are."""
    changes = _apply_admin(user, groups, {g.casefold() for g in admin_groups})
    wanted = wanted_board_roles(groups)
    memberships = {
        m.board_id: m
        for m in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id))
    }
    for board_id, membership in memberships.items():
        if not membership.from_group:
            continue  # given by hand: not ours to change
        role = wanted.get(board_id)
        if role is None:
            db.session.delete(membership)
            _log_role(user, board_id, membership.role, None)
            changes += 1
        elif role != membership.role:
            _log_role(user, board_id, membership.role, role)
            membership.role = role
            changes += 1
    for board_id, role in wanted.items():
        if board_id not in memberships:
            db.session.add(
                Membership(user_id=user.id, board_id=board_id, role=role, from_group=True)
            )
            _log_role(user, board_id, None, role)
            changes += 1
    return changes


def _apply_admin(user: User, groups: set[str], admin_groups: set[str]) -> int:
    in_admin_group = bool(groups & admin_groups)
    if in_admin_group and not user.is_admin:
        user.is_admin = True
        user.admin_from_group = True
        log.info("user %s: administrator from group (OIDC sign-in)", user.id)
        return 1
    if not in_admin_group and user.is_admin and user.admin_from_group:
        user.is_admin = False
        user.admin_from_group = False
        log.info("user %s: administrator removed, no longer in an admin group", user.id)
        return 1
    return 0


def _log_role(user: User, board_id: int, old: str | None, new: str | None) -> None:
    log.info(
        "role of user %s on board %s: %s -> %s, from groups (OIDC sign-in)",
        user.id,
        board_id,
        old,
        new,
    )


# --- the mapping table (the admin page) ------------------------------------


def list_mappings() -> list[GroupRoleMapping]:
    return list(
        db.session.scalars(
            sa.select(GroupRoleMapping)
            .join(GroupRoleMapping.board)
            .options(contains_eager(GroupRoleMapping.board))
            .order_by(sa.func.lower(GroupRoleMapping.group), Board.title, GroupRoleMapping.id)
        )
    )


def add_mapping(
    group: str, board: Board, role: Role | str, *, actor: User | None
) -> GroupRoleMapping:
    """Map a group to a role on a board. Raises Refused (422) for a blank or
    too long group, and for a group already mapped on that board."""
    group = (group or "").strip()
    if not group:
        raise Refused("Skriv gruppens navn eller id.", 422, field="group")
    if len(group) > GroupRoleMapping.GROUP_MAX:
        raise Refused(
            f"Gruppen må højst være {GroupRoleMapping.GROUP_MAX} tegn.", 422, field="group"
        )
    role = Role(role).value
    existing = db.session.scalar(
        sa.select(GroupRoleMapping).where(
            sa.func.lower(GroupRoleMapping.group) == group.casefold(),
            GroupRoleMapping.board_id == board.id,
        )
    )
    if existing is not None:
        raise Refused(
            f"Gruppen «{existing.group}» giver allerede en rolle på tavlen «{board.title}». "
            "Slet den først, hvis rollen skal ændres.",
            422,
            field="group",
        )
    mapping = GroupRoleMapping(group=group, board_id=board.id, role=role)
    db.session.add(mapping)
    db.session.flush()
    log.info(
        "group mapping %s (board %s, %s) added by %s",
        mapping.id,
        board.id,
        role,
        getattr(actor, "id", "cli"),
    )
    return mapping


def remove_mapping(mapping: GroupRoleMapping, *, actor: User | None) -> None:
    """The mapping goes; the roles it gave go at each person's next sign-in."""
    log.info(
        "group mapping %s (board %s) removed by %s",
        mapping.id,
        mapping.board_id,
        getattr(actor, "id", "cli"),
    )
    db.session.delete(mapping)
