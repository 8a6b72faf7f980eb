"""The administrators' table of groups that give board roles
(/admin/grupper), and the rules of roles from groups without HTTP
(board/auth/group_roles.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.admin.services import set_board_role
from board.auth import accounts, group_roles
from board.extensions import db
from board.models import GroupRoleMapping, Membership, Role
from board.query_counter import count_queries
from tests import factories
from tests.html import count, one, text_of


def mappings() -> list[tuple[str, int, str]]:
    db.session.rollback()
    return [
        (m.group, m.board_id, m.role)
        for m in db.session.scalars(sa.select(GroupRoleMapping).order_by(GroupRoleMapping.id))
    ]


def test_an_admin_adds_and_deletes_a_group_mapping(as_user, board):
    client = as_user("admin")
    page = client.get("/admin/grupper")
    assert page.status_code == 200
    assert "Ingen grupper giver roller endnu." in page.get_data(as_text=True)
    response = client.post(
        "/admin/grupper", data={"group": " Ledere-Social ", "board_id": board.id, "role": "leder"}
    )
    assert response.status_code == 302
    assert mappings() == [("Ledere-Social", board.id, "leder")]
    page = client.get("/admin/grupper")
    row = one(page, "tr[data-mapping-id]")
    assert text_of(row, "td:first-child") == "Ledere-Social"
    mapping_id = int(row.attributes["data-mapping-id"])
    assert client.post(f"/admin/grupper/{mapping_id}/slet").status_code == 302
    assert mappings() == []


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"group": "  ", "role": "med"}, "group", "Skriv gruppens navn eller id."),
        ({"group": "g" * 256, "role": "med"}, "group", "Gruppen må højst være 255 tegn."),
        ({"group": "g", "role": "admin"}, "role", "Vælg en af mulighederne på listen."),
        ({"group": "g", "role": "med", "board_id": "999"}, "board_id", "Vælg en af"),
        ({"group": "g", "role": "med", "board_id": "x"}, "board_id", "Vælg en af"),
    ],
    ids=["blank group", "too long", "unknown role", "unknown board", "not a number"],
)
def test_bad_input_on_the_mapping_form_is_a_danish_422(as_user, board, data, field, message):
    client = as_user("admin")
    response = client.post("/admin/grupper", data={"board_id": board.id, **data})
    assert response.status_code == 422
    assert message in text_of(response, f"#{field}-error")
    assert one(response, f"#{field}").attributes.get("aria-invalid") == "true"
    assert mappings() == []


def test_the_same_group_twice_on_a_board_is_refused_whatever_the_case(as_user, board):
    client = as_user("admin")
    client.post("/admin/grupper", data={"group": "MED-udvalg", "board_id": board.id, "role": "med"})
    again = client.post(
        "/admin/grupper", data={"group": "med-UDVALG", "board_id": board.id, "role": "leder"}
    )
    assert again.status_code == 422
    assert "giver allerede en rolle" in text_of(again, "#group-error")
    assert mappings() == [("MED-udvalg", board.id, "med")]


def test_only_admins_see_the_page(as_user, users):
    assert as_user("leder").get("/admin/grupper").status_code == 403


def test_the_page_costs_the_same_queries_at_3_or_30_mappings(as_user, board):
    client = as_user("admin")

    def queries_with(n: int) -> int:
        start = len(mappings())
        for i in range(start, start + n):
            db.session.add(GroupRoleMapping(group=f"gruppe-{i}", board_id=board.id, role="med"))
        db.session.commit()
        with count_queries(db.engine) as counter:
            page = client.get("/admin/grupper")
        assert count(page, "tr[data-mapping-id]") == len(mappings())
        return counter.count

    assert queries_with(3) == queries_with(27)


# --- the rules, without HTTP --------------------------------------------------------


def test_the_higher_role_wins_when_two_groups_map_the_same_board(app, board):
    db.session.add_all(
        [
            GroupRoleMapping(group="a", board_id=board.id, role="med"),
            GroupRoleMapping(group="B", board_id=board.id, role="leder"),
        ]
    )
    db.session.commit()
    assert group_roles.wanted_board_roles({"a", "b"}) == {board.id: "leder"}
    assert group_roles.wanted_board_roles({"a"}) == {board.id: "med"}
    assert group_roles.wanted_board_roles(set()) == {}


def test_groups_claim_as_a_list_or_a_single_string(app):
    assert group_roles.normalize_groups(["A", " b ", ""]) == {"a", "b"}
    assert group_roles.normalize_groups("Eneste-Gruppe") == {"eneste-gruppe"}
    assert group_roles.normalize_groups(None) == set()
    assert group_roles.normalize_groups({"not": "a list"}) == set()


def test_a_role_changed_by_hand_is_no_longer_the_groups(app, board):
    user = factories.make_user("bo@example.dk")
    db.session.add(GroupRoleMapping(group="med", board_id=board.id, role="med"))
    db.session.commit()
    group_roles.apply_group_roles(user, {"med"}, ())
    db.session.commit()
    assert db.session.get(Membership, (user.id, board.id)).from_group is True
    set_board_role(user, board, Role.LEDER)
    db.session.commit()
    group_roles.apply_group_roles(user, set(), ())  # the group is gone
    db.session.commit()
    kept = db.session.get(Membership, (user.id, board.id))
    assert (kept.role, kept.from_group) == ("leder", False)


def test_admin_given_by_hand_is_not_taken_by_groups(app):
    user = factories.make_user("bo@example.dk")
    group_roles.apply_group_roles(user, {"admins"}, ("Admins",))
    assert (user.is_admin, user.admin_from_group) == (True, True)
    other = factories.make_user("eva@example.dk", is_admin=True)
    accounts.update_user(user, name=user.name, is_admin=True)  # unchanged: still from group
    group_roles.apply_group_roles(user, set(), ("Admins",))
    group_roles.apply_group_roles(other, set(), ("Admins",))
    assert user.is_admin is False and other.is_admin is True
