"""Administration: users (create, deactivate, reset password, board roles),
each board's members, and the same from the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Event, Membership, User
from tests import factories
from tests.conftest import login
from tests.html import attrs, count, has, one, select, text_of, texts


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()


def role_of(user_id: int, board_id: int) -> str | None:
    membership = db.session.get(Membership, (user_id, board_id))
    return membership.role if membership else None


def test_admin_sees_the_administration_link_others_do_not(as_user):
    admin_page = as_user("admin").get("/")
    assert text_of(admin_page, 'nav.site-nav a[href="/admin/users"]') == "Administration"
    leder_page = as_user("leder").get("/")
    assert "Administration" not in leder_page.get_data(as_text=True)
    assert not has(leder_page, 'a[href^="/admin"]')


def test_admin_creates_a_user_who_can_then_log_in(as_user, app):
    admin = as_user("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "Ny.Bruger@Norddjurs.dk",
            "name": "Ny Bruger",
            "password": "langt-kodeord-1",
        },
    )
    assert response.status_code == 302
    user = user_by_email("ny.bruger@norddjurs.dk")
    assert user is not None and user.name == "Ny Bruger" and not user.is_admin
    row = one(admin.get("/admin/users"), f'tr[data-user-id="{user.id}"]')
    assert texts(row, "td") == ["Ny Bruger", "ny.bruger@norddjurs.dk", "Ingen", "Aktiv"]
    fresh = app.test_client()
    login_response = fresh.post(
        "/login", data={"email": "ny.bruger@norddjurs.dk", "password": "langt-kodeord-1"}
    )
    assert login_response.status_code == 302
    # No membership yet: no boards, and a board's page is 404.
    assert "Du er ikke medlem af nogen tavle" in fresh.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "leder@example.dk", "name": "Igen", "password": "x" * 12}, "findes allerede"),
        ({"email": "ikke-en-mail", "name": "X", "password": "x" * 12}, "gyldig e-mailadresse"),
        ({"email": "a@b.dk", "name": "", "password": "x" * 12}, "Skriv et navn."),
        ({"email": "a@b.dk", "name": "X", "password": "kort"}, "10-200 tegn"),
    ],
    ids=["duplicate e-mail", "bad e-mail", "no name", "short password"],
)
def test_creating_a_user_with_bad_input_says_why_in_danish(as_user, data, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = as_user("admin").post("/admin/users", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_admin_sets_board_roles_and_the_board_appears_for_the_user(as_user, users, board):
    other = factories.make_board(title="Udviklingsproces")
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    outsider = users["outsider"]
    response = as_user("admin").post(
        f"/admin/users/{outsider.id}/roles",
        data={f"board_{board.id}": "med", f"board_{other.id}": "leder"},
    )
    assert response.status_code == 302
    assert role_of(outsider.id, board.id) == "med" and role_of(outsider.id, other.id) == "leder"
    as_outsider = as_user("outsider")
    boards_page = as_outsider.get("/")
    summaries = {
        text_of(s, "h2"): text_of(s, "p.role") for s in select(boards_page, ".board-summary")
    }
    assert summaries == {
        "Testtavle": "Din rolle: MED-repræsentant",
        "Udviklingsproces": "Din rolle: Leder",
    }
    assert as_outsider.get(f"/boards/{board.id}").status_code == 200
    assert as_outsider.get(f"/boards/{board.id}/share-links").status_code == 403
    assert as_outsider.get(f"/boards/{other.id}/share-links").status_code == 200
    # Taking the role away hides the board again.
    as_user("admin").post(f"/admin/users/{outsider.id}/roles", data={f"board_{board.id}": ""})
    assert role_of(outsider.id, board.id) is None
    assert as_user("outsider").get(f"/boards/{board.id}").status_code == 404
    # Role changes are not board events (the live feed would tell everyone).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before


def test_an_unknown_role_is_refused(as_user, users, board):
    response = as_user("admin").post(
        f"/admin/users/{users['med'].id}/roles", data={f"board_{board.id}": "ejer"}
    )
    assert response.status_code == 422
    assert role_of(users["med"].id, board.id) == "med"


def test_deactivating_a_user_ends_their_session_and_reactivating_restores_login(
    as_user, app, users
):
    med_browser = app.test_client()
    login(med_browser, users["med"])
    assert med_browser.get("/").status_code == 200
    response = as_user("admin").post(f"/admin/users/{users['med'].id}/deactivate")
    assert response.status_code == 302
    assert med_browser.get("/").status_code == 302  # back to the login page
    page = as_user("admin").get(f"/admin/users/{users['med'].id}")
    assert "Deaktiveret" in text_of(page, "main")
    reactivate = one(page, f'form[action="/admin/users/{users["med"].id}/reactivate"]')
    assert text_of(reactivate, "button") == "Genaktivér Mads Med"
    assert not has(page, 'form[action$="/deactivate"]')
    as_user("admin").post(f"/admin/users/{users['med'].id}/reactivate")
    assert user_by_email("med@example.dk").active
    relogin = app.test_client().post(
        "/login", data={"email": "med@example.dk", "password": factories.PASSWORD}
    )
    assert relogin.status_code == 302


def test_an_admin_cannot_deactivate_themselves(as_user, users):
    response = as_user("admin").post(f"/admin/users/{users['admin'].id}/deactivate")
    assert response.status_code == 409
    assert "dig selv" in response.get_data(as_text=True)
    assert user_by_email("admin@example.dk").active


def test_the_last_admin_keeps_the_admin_flag(as_user, users):
    second = factories.make_user("anden@example.dk", is_admin=True)
    admin = as_user("admin")
    # Another admin may lose the flag while one remains...
    admin.post(f"/admin/users/{second.id}", data={"name": "Anden"})
    assert not user_by_email("anden@example.dk").is_admin
    # ...but an admin cannot take it from themselves.
    response = admin.post(f"/admin/users/{users['admin'].id}", data={"name": "Ada"})
    assert response.status_code == 409  # a valid form the current state refuses
    assert user_by_email("admin@example.dk").is_admin


def test_admin_resets_a_password_and_the_users_sessions_end(as_user, app, users):
    leder_browser = app.test_client()
    login(leder_browser, users["leder"])
    response = as_user("admin").post(
        f"/admin/users/{users['leder'].id}/password",
        data={"password": "nyt-langt-kodeord", "confirm": "nyt-langt-kodeord"},
    )
    assert response.status_code == 302
    assert leder_browser.get("/").status_code == 302
    fresh = app.test_client()
    new_login = fresh.post(
        "/login", data={"email": "leder@example.dk", "password": "nyt-langt-kodeord"}
    )
    assert new_login.status_code == 302


def test_a_password_reset_must_be_typed_twice_alike(as_user, users):
    response = as_user("admin").post(
        f"/admin/users/{users['leder'].id}/password",
        data={"password": "nyt-langt-kodeord", "confirm": "noget-andet-kodeord"},
    )
    assert response.status_code == 422
    assert "ikke ens" in response.get_data(as_text=True)


def test_an_admin_resetting_their_own_password_stays_signed_in(as_user, users):
    admin = as_user("admin")
    admin.post(
        f"/admin/users/{users['admin'].id}/password",
        data={"password": "nyt-langt-kodeord", "confirm": "nyt-langt-kodeord"},
    )
    assert admin.get("/admin/users").status_code == 200


def test_board_members_page_lists_adds_changes_and_removes(as_user, users, board):
    admin = as_user("admin")
    page = admin.get(f"/admin/boards/{board.id}/members")
    assert "Members (2)" not in page.get_data(as_text=True)
    assert text_of(page, "#members-title") == "Medlemmer (2)"
    members = {
        text_of(row, "td a"): attrs(row, "select[name=role] option[selected]", "value")
        for row in select(page, "tr[data-user-id]")
    }
    assert members == {"Lone Leder": ["leder"], "Mads Med": ["med"]}
    outsider = users["outsider"]
    admin.post(f"/admin/boards/{board.id}/members", data={"user_id": outsider.id, "role": "med"})
    assert role_of(outsider.id, board.id) == "med"
    admin.post(f"/admin/boards/{board.id}/members", data={"user_id": outsider.id, "role": "leder"})
    assert role_of(outsider.id, board.id) == "leder"
    admin.post(f"/admin/boards/{board.id}/members", data={"user_id": outsider.id, "role": ""})
    assert role_of(outsider.id, board.id) is None
    unknown = admin.post(f"/admin/boards/{board.id}/members", data={"user_id": 9999, "role": "med"})
    assert unknown.status_code == 422


def test_the_users_page_links_to_each_boards_members(as_user, board):
    page = as_user("admin").get("/admin/users")
    link = f'ul.board-links a[href="/admin/boards/{board.id}/members"]'
    assert text_of(page, link) == board.title


def test_admin_pages_of_unknown_users_and_boards_are_404(as_user):
    admin = as_user("admin")
    assert admin.get("/admin/users/9999").status_code == 404
    assert admin.get("/admin/boards/9999/members").status_code == 404


def test_the_board_page_links_admins_to_its_members(as_user, board):
    page = as_user("admin").get(f"/boards/{board.id}")
    assert count(page, f'a[href="/admin/boards/{board.id}/members"]') == 1
    page = as_user("leder").get(f"/boards/{board.id}")
    assert "/admin/" not in page.get_data(as_text=True)


# --- command line ----------------------------------------------------------------


def test_create_user_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(
        args=["create-user", "Stab@Norddjurs.dk", "--name", "Stine Stab", "--admin"],
        input="et-langt-kodeord\n",
    )
    assert result.exit_code == 0, result.output
    assert "et-langt-kodeord" not in result.output
    user = user_by_email("stab@norddjurs.dk")
    assert user.is_admin and user.name == "Stine Stab"
    response = app.test_client().post(
        "/login", data={"email": "stab@norddjurs.dk", "password": "et-langt-kodeord"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["create-user", "a@b.dk", "--name", "A"], "kort\n", "mindst 10 tegn"),
        (["create-user", "leder@example.dk", "--name", "A"], "x" * 12 + "\n", "findes allerede"),
    ],
)
def test_create_user_refuses_bad_input(runner, users, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0 and message in result.output


def test_grant_gives_and_takes_a_role(runner, users, board):
    outsider = users["outsider"]
    result = runner.invoke(args=["grant", "ude@example.dk", str(board.id), "leder"])
    assert result.exit_code == 0, result.output
    assert role_of(outsider.id, board.id) == "leder"
    runner.invoke(args=["grant", "ude@example.dk", str(board.id), "med"])
    assert role_of(outsider.id, board.id) == "med"
    runner.invoke(args=["grant", "ude@example.dk", str(board.id), "none"])
    assert role_of(outsider.id, board.id) is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["grant", "ingen@example.dk", "{board}", "med"], "Ingen bruger"),
        (["grant", "ude@example.dk", "9999", "med"], "findes ikke"),
        (["grant", "ude@example.dk", "{board}", "ejer"], "Invalid value"),
    ],
)
def test_grant_refuses_bad_input(runner, users, board, args, message):
    result = runner.invoke(args=[a.format(board=board.id) for a in args])
    assert result.exit_code != 0 and message in result.output
