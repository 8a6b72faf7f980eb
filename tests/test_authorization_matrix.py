"""Who may call which route: every route in the app's URL map, for every kind
of visitor, against the table RULES below.

A route without a row makes this test fail, naming the endpoint. ADDING A
ROUTE? Add ONE line to RULES: the endpoint (or "endpoint METHOD" when the
methods of one endpoint differ) and one of the access levels:

    PUBLIC        anyone, signed in or not (login page, static files)
    SIGNED_IN     any signed-in user (board list, logout)
    BOARD_VIEW    members of the board and admins read; others 404
    BOARD_COMMENT members (med, leder) and admins; others 404
    BOARD_EDIT    leder of the board and admins; med 403; others 404
    ADMIN_ONLY    administrators; other users 403
    LEADER_ANYWHERE  leder on some board, or admin; other users 403
    SHARE_VIEW    a read-only share-link route under /s/<token>/ (GET only):
                  anyone with a live token; a revoked or unknown token 404

Or write a row as `Rule(LEVEL, query="?as_of=2024-10-01", data={...})` when
the route needs a query string or form data to get past validation. If your
route has a URL argument the table does not know yet, add it to URL_VALUES.

Visitors: anonymous; "share" (no account, has just opened a live share link
of the board: opening one must grant nothing else); outsider (signed in, not
a member); med; leder; admin (global administrator, not a member).

What the outcomes mean:
    LOGIN      302 to the login page with ?next= (for htmx: 401 with HX-Redirect)
    NOT_FOUND  404 (the board's existence is not revealed)
    FORBIDDEN  403
    OK         past the access check: any status below 500 except 401,
               403, 404, 405 and a redirect to the login page. A request
               with missing form data answering 400 is OK: what matters
               here is who gets past the door; the area's own tests check
               what happens inside.

After a visitor who may use a mutating route, the database is rebuilt, so
one visitor's change (an archived card, a revoked link) cannot change what
the next one gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import pytest
from flask import url_for

from board import create_app
from board.auth.sessions import start_login_session
from board.extensions import db
from board.mail.outbox import queue_mail
from board.models import (
    ActionPoint,
    Board,
    Comment,
    Event,
    GroupRoleMapping,
    Initiative,
    Meeting,
    MeetingItem,
    Membership,
    Objective,
    PublishedReport,
    Role,
    RoundItem,
    ShareLink,
    StatusRound,
    Theme,
    User,
    utcnow,
)
from board.notifications.calendar import renew_feed
from board.notifications.models import Notification
from board.notifications.settings import unsubscribe_key
from board.tokens import hash_token
from tests.conftest import BASE_CONFIG

# --- outcomes and access levels ------------------------------------------------

OK, LOGIN, NOT_FOUND, FORBIDDEN = "ok", "login", "404", "403"
VISITORS = ("anonymous", "share", "outsider", "med", "leder", "admin")


def _level(anonymous, share, outsider, med, leder, admin):
    return dict(zip(VISITORS, (anonymous, share, outsider, med, leder, admin), strict=True))


# Outcome per visitor: anonymous, share, outsider, med, leder, admin.
PUBLIC = _level(OK, OK, OK, OK, OK, OK)
SIGNED_IN = _level(LOGIN, LOGIN, OK, OK, OK, OK)
BOARD_VIEW = _level(LOGIN, LOGIN, NOT_FOUND, OK, OK, OK)
BOARD_COMMENT = _level(LOGIN, LOGIN, NOT_FOUND, OK, OK, OK)
BOARD_EDIT = _level(LOGIN, LOGIN, NOT_FOUND, FORBIDDEN, OK, OK)
ADMIN_ONLY = _level(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
SHARE_VIEW = dict(PUBLIC)  # same outcomes as PUBLIC, but checked as a share route
# Board routes with a narrower door (board/comments): only the comment's
# author (here the med member) edits or deletes it; only admins redact.
COMMENT_AUTHOR = _level(LOGIN, LOGIN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN)
BOARD_ADMIN = _level(LOGIN, LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK)
# A tiltag's part of a status round: its owner, the board's leaders and
# admins; for a tiltag without owner (as in the world below) med gets 403.
ROUND_TASK = _level(LOGIN, LOGIN, NOT_FOUND, FORBIDDEN, OK, OK)
# leder on some board, or administrator (creating a board by import)
LEADER_ANYWHERE = _level(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OK, OK)
# One user's own row (board/notifications: the med member's notification);
# anyone else's is 404.
OWN_NOTIFICATION = _level(LOGIN, LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND)


@dataclass(frozen=True)
class Rule:
    level: dict
    query: str = ""  # appended to the URL, e.g. "?as_of=2024-10-01"
    data: dict = field(default_factory=dict)  # form data for mutating methods


# --- THE TABLE: one line per endpoint (or "endpoint METHOD") -------------------

RULES: dict[str, dict | Rule] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    # accounts (board/auth)
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    # sign-in with the organisation (OIDC); without a provider: back to /login
    "auth.oidc_start": PUBLIC,
    "auth.oidc_callback": PUBLIC,
    # board list, board page, card page (board/boards)
    "boards.index": SIGNED_IN,
    "boards.show": BOARD_VIEW,
    "boards.initiative": BOARD_VIEW,
    # moving cards (board/moves)
    "moves.move": Rule(BOARD_EDIT, data={"stage": "igangsat", "position": "0", "version": "1"}),
    # share links: what a committee member sees, and managing them (board/share)
    "boards.share_show": SHARE_VIEW,
    "boards.share_initiative": SHARE_VIEW,
    "share.links": BOARD_EDIT,
    "share.create": BOARD_EDIT,
    "share.revoke": BOARD_EDIT,
    # live updates: event streams and the parts a page re-reads (board/live)
    "live.stream": BOARD_VIEW,
    "live.parts": BOARD_VIEW,
    "live.share_stream": SHARE_VIEW,
    "live.share_parts": SHARE_VIEW,
    # administration (board/admin)
    "admin.users": ADMIN_ONLY,
    "admin.create_user": ADMIN_ONLY,
    "admin.user": ADMIN_ONLY,
    "admin.update_user": ADMIN_ONLY,
    "admin.set_roles": ADMIN_ONLY,
    "admin.reset_password": ADMIN_ONLY,
    "admin.deactivate": ADMIN_ONLY,
    "admin.reactivate": ADMIN_ONLY,
    "admin.board_members": ADMIN_ONLY,
    "admin.set_board_member": ADMIN_ONLY,
    "admin.anonymise": Rule(ADMIN_ONLY, data={"confirm": "y"}),
    "admin.redact_form": ADMIN_ONLY,
    "admin.redact": ADMIN_ONLY,
    "admin.outbox": ADMIN_ONLY,
    "admin.outbox_message": ADMIN_ONLY,
    # roles from the identity provider's groups (board/admin/group_views.py)
    "admin.group_roles_page": ADMIN_ONLY,
    "admin.add_group_role": Rule(ADMIN_ONLY, data={"group": "matrix", "role": "med"}),
    "admin.delete_group_role": ADMIN_ONLY,
    # what the audit trail records about staff (board/privacy)
    "privacy.audit_info": PUBLIC,
    # editing tiltag and board structure (board/editing)
    "editing.new_initiative": BOARD_EDIT,
    "editing.create": BOARD_EDIT,
    "editing.edit": BOARD_EDIT,
    "editing.update": BOARD_EDIT,
    "editing.details": BOARD_VIEW,
    "editing.archive": BOARD_EDIT,
    "editing.restore": BOARD_EDIT,
    "editing.archived": BOARD_VIEW,
    "editing.structure": BOARD_EDIT,
    "editing.update_board": BOARD_EDIT,
    "editing.add_theme": BOARD_EDIT,
    "editing.rename_theme": BOARD_EDIT,
    "editing.move_item": BOARD_EDIT,
    "editing.delete_item": BOARD_EDIT,
    "editing.add_objective": BOARD_EDIT,
    "editing.update_objective": BOARD_EDIT,
    "editing.new_board": ADMIN_ONLY,
    # the comment log (board/comments)
    "comments.log": BOARD_VIEW,
    "comments.add": BOARD_COMMENT,
    "comments.edit": COMMENT_AUTHOR,
    "comments.delete": COMMENT_AUTHOR,
    "comments.redact": BOARD_ADMIN,
    # status as of a date, downloads, changes, published reports (board/reports)
    "reports.status": BOARD_VIEW,
    "reports.download": BOARD_VIEW,
    "reports.changes": BOARD_VIEW,
    "reports.share_status": SHARE_VIEW,
    "reports.share_download": SHARE_VIEW,
    "reports.share_changes": SHARE_VIEW,
    "reports.published_list": BOARD_VIEW,
    "reports.publish": Rule(BOARD_EDIT, data={"titel": "Matrix", "dato": "2024-03-15"}),
    "reports.published": BOARD_VIEW,
    "reports.published_download": BOARD_VIEW,
    "reports.share_published_list": SHARE_VIEW,
    "reports.share_published": SHARE_VIEW,
    "reports.share_published_download": SHARE_VIEW,
    # status rounds (board/rounds): the board's rounds and one round's page
    # for members; opening, reminding, closing for leaders; a tiltag's part
    # for its owner or the leaders (the matrix's tiltag has no owner, so the
    # leaders: ROUND_TASK; an owner who is med is tested in test_rounds_http.py)
    "rounds.index": BOARD_VIEW,
    "rounds.open": BOARD_EDIT,
    "rounds.show": BOARD_VIEW,
    "rounds.progress": BOARD_VIEW,
    "rounds.remind": BOARD_EDIT,
    "rounds.close": BOARD_EDIT,
    "rounds.task": ROUND_TASK,
    "rounds.complete": ROUND_TASK,
    "rounds.mine": SIGNED_IN,
    # creating a board from a Word table / .csv / .xlsx (board/importer)
    "importer.new": LEADER_ANYWHERE,
    "importer.preview": LEADER_ANYWHERE,
    "importer.create": LEADER_ANYWHERE,
    # notifications, settings, calendar feeds, unsubscribe (board/notifications)
    "notifications.index": SIGNED_IN,
    "notifications.count": SIGNED_IN,
    "notifications.open_notification": OWN_NOTIFICATION,
    "notifications.mark_read": OWN_NOTIFICATION,
    "notifications.mark_all_read": SIGNED_IN,
    "notifications.account": SIGNED_IN,
    "notifications.renew_own_feed": SIGNED_IN,
    "notifications.renew_board_feed": BOARD_EDIT,
    "notifications.follow": Rule(BOARD_VIEW, data={"follow": "1"}),
    "notifications.mention_candidates": BOARD_COMMENT,
    "notifications.calendar_feed": PUBLIC,  # the token is the key (a bad one: 404, tested there)
    "notifications.unsubscribe": PUBLIC,  # the signed key is the proof (RFC 8058)
    # meetings: leaders run them, members read and flag, share links read (board/meetings)
    "meetings.meetings": BOARD_VIEW,
    "meetings.share_meetings": SHARE_VIEW,
    "meetings.create": Rule(BOARD_EDIT, data={"title": "Matrix", "held_on": "2027-01-12"}),
    "meetings.meeting": BOARD_VIEW,
    "meetings.share_meeting": SHARE_VIEW,
    "meetings.current": BOARD_VIEW,
    "meetings.share_current": SHARE_VIEW,
    "meetings.show": Rule(BOARD_EDIT, data={"position": "0"}),
    "meetings.add_item": BOARD_EDIT,
    "meetings.remove_item": BOARD_EDIT,
    "meetings.move_item": Rule(BOARD_EDIT, data={"position": "0"}),
    "meetings.decide": Rule(BOARD_EDIT, data={"decision": "Godkendt"}),
    "meetings.add_action": Rule(BOARD_EDIT, data={"text": "Gør det"}),
    "meetings.remove_action": BOARD_EDIT,
    "meetings.publish": BOARD_EDIT,
    "meetings.referat": BOARD_VIEW,
    "meetings.share_referat": SHARE_VIEW,
    "meetings.flag": Rule(BOARD_COMMENT, data={"flag": "1"}),
}

# How to fill in each URL argument, from the world built for every test.
URL_VALUES = {
    "board_id": lambda w: w.board.id,
    "initiative_id": lambda w: w.initiative.id,
    "theme_id": lambda w: w.theme.id,
    "objective_id": lambda w: w.objective.id,
    "level": lambda w: "objectives",  # /structure/<level>/<item_id>/...
    "item_id": lambda w: w.objective.id,
    "comment_id": lambda w: w.comment.id,
    "report_id": lambda w: w.report.id,
    "user_id": lambda w: w.target_user.id,
    "link_id": lambda w: w.link.id,
    "mapping_id": lambda w: w.mapping.id,
    "token": lambda w: w.token,
    "filename": lambda w: "css/app.css",
    "fmt": lambda w: "csv",
    "notification_id": lambda w: w.notification.id,
    "feed_token": lambda w: w.feed_token,
    "key": lambda w: w.unsubscribe_key,
    "round_id": lambda w: w.status_round.id,
    "task_id": lambda w: w.round_item.id,
    "message_id": lambda w: w.mail.id,
    "meeting_id": lambda w: w.meeting.id,
    "agenda_item_id": lambda w: w.meeting_item.id,
    "action_id": lambda w: w.action.id,
    "file_format": lambda w: "docx",
}

SHARE_TOKEN = "matrix-share-token-" + "x" * 30
REVOKED_TOKEN = "matrix-revoked-token-" + "y" * 30
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


# --- the routes ----------------------------------------------------------------


def _routes() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(endpoint, method, rule path, argument names) for every route."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for url_rule in app.url_map.iter_rules():
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            routes.append(
                (url_rule.endpoint, method, url_rule.rule, tuple(sorted(url_rule.arguments)))
            )
    return sorted(routes)


ROUTES = _routes()


def rule_for(endpoint: str, method: str) -> Rule | None:
    rule = RULES.get(f"{endpoint} {method}", RULES.get(endpoint))
    if rule is None:
        return None
    return rule if isinstance(rule, Rule) else Rule(rule)


def _missing_rule_message(endpoint: str, method: str, path: str) -> str:
    return (
        f"No authorization rule for endpoint {endpoint!r} ({method} {path}). "
        f"Add one line to RULES in tests/test_authorization_matrix.py, e.g.\n"
        f'    "{endpoint}": BOARD_EDIT,\n'
        f"(levels: PUBLIC, SIGNED_IN, BOARD_VIEW, BOARD_COMMENT, BOARD_EDIT, ADMIN_ONLY, "
        f"SHARE_VIEW; see the module docstring)."
    )


def test_every_route_has_a_rule():
    missing = [
        _missing_rule_message(endpoint, method, path)
        for endpoint, method, path, _ in ROUTES
        if rule_for(endpoint, method) is None
    ]
    assert not missing, "\n".join(missing)


def test_every_rule_names_a_route():
    endpoints = {endpoint for endpoint, *_ in ROUTES}
    with_method = {f"{endpoint} {method}" for endpoint, method, *_ in ROUTES}
    stale = [key for key in RULES if key not in endpoints and key not in with_method]
    assert not stale, f"RULES has rows for routes that no longer exist: {stale}"


def test_share_routes_are_read_only_and_live_under_s_token():
    for endpoint, method, path, args in ROUTES:
        rule = rule_for(endpoint, method)
        under_s = path.startswith("/s/")
        if under_s:
            assert method == "GET", f"{endpoint}: share routes must be GET only, not {method}"
            assert "token" in args, f"{endpoint}: a route under /s/ must take the token"
        if rule is not None and rule.level is SHARE_VIEW:
            assert under_s, f"{endpoint} is SHARE_VIEW but not under /s/<token>/ ({path})"
        if under_s and rule is not None:
            assert rule.level is SHARE_VIEW, f"{endpoint} is under /s/ but not SHARE_VIEW"


# --- the world every route is tried in -----------------------------------------


def build_world() -> SimpleNamespace:
    """One board with a card, a comment, a published report and a live and a
    revoked share link; one user per kind; and a user for admin routes to act
    on. Passwords are not needed (visitors are signed in through the session),
    so no slow hashing."""
    board = Board(title="Matrixtavle", theme_label="Pejlemærke", objective_label="Målsætning")
    other_board = Board(title="Anden tavle")
    db.session.add_all([board, other_board])
    db.session.flush()
    theme = Theme(board_id=board.id, position=0, title="Tema")
    db.session.add(theme)
    db.session.flush()
    objective = Objective(theme_id=theme.id, position=0, number="1.1", title="Mål")
    db.session.add(objective)
    db.session.flush()
    initiative = Initiative(
        board_id=board.id, theme_id=theme.id, objective_id=objective.id, title="Et tiltag"
    )
    people = {
        kind: User(email=f"{kind}@matrix.test", name=kind.capitalize(), is_admin=kind == "admin")
        for kind in ("outsider", "med", "leder", "admin", "target")
    }
    db.session.add(initiative)
    db.session.add_all(people.values())
    db.session.flush()
    db.session.add_all(
        [
            Membership(user_id=people["med"].id, board_id=board.id, role=Role.MED.value),
            Membership(user_id=people["leder"].id, board_id=board.id, role=Role.LEDER.value),
            Membership(user_id=people["target"].id, board_id=board.id, role=Role.MED.value),
        ]
    )
    comment = Comment(initiative_id=initiative.id, author_id=people["med"].id, body="Hej")
    report = PublishedReport(
        board_id=board.id, title="Status", as_of=date(2024, 10, 1), snapshot={}
    )
    link = ShareLink(
        board_id=board.id, token_hash=hash_token(SHARE_TOKEN), label="Udvalg", show_comments=True
    )
    revoked = ShareLink(
        board_id=board.id,
        token_hash=hash_token(REVOKED_TOKEN),
        label="Gammelt link",
        revoked_at=utcnow(),
    )
    status_round = StatusRound(
        board_id=board.id, title="Runde", status_date=date.today(), deadline=date.today()
    )
    status_round.items = [RoundItem(initiative_id=initiative.id, status_text="")]
    mapping = GroupRoleMapping(group="matrix-gruppe", board_id=board.id, role=Role.MED.value)
    meeting = Meeting(board_id=board.id, title="Ledermøde", held_on=date(2027, 1, 12))
    meeting.items.append(MeetingItem(initiative_id=initiative.id, position=0))
    db.session.add_all([comment, report, link, revoked, mapping, status_round, meeting])
    # The med member's notification, calendar feed and unsubscribe key.
    event = Event(board_id=board.id, initiative_id=initiative.id, kind="comment.added", payload={})
    db.session.add(event)
    db.session.flush()
    notification = Notification(
        user_id=people["med"].id,
        board_id=board.id,
        initiative_id=initiative.id,
        event_id=event.id,
        category="comment",
        delivery="app",
    )
    db.session.add(notification)
    feed_token = renew_feed(people["med"])
    db.session.flush()
    action = ActionPoint(item_id=meeting.items[0].id, text="Gør det")
    db.session.add(action)
    mail_id = queue_mail(to_user=people["med"], subject="Hej", text="Hej", kind="matrix")
    session_ids = {kind: start_login_session(user) for kind, user in people.items()}
    db.session.commit()
    # Plain values only: requests are made outside this app context (see
    # `run_as`), where these model objects would be detached.
    return SimpleNamespace(
        board=SimpleNamespace(id=board.id),
        mail=SimpleNamespace(id=mail_id),
        other_board=SimpleNamespace(id=other_board.id),
        theme=SimpleNamespace(id=theme.id),
        objective=SimpleNamespace(id=objective.id),
        initiative=SimpleNamespace(id=initiative.id),
        comment=SimpleNamespace(id=comment.id),
        report=SimpleNamespace(id=report.id),
        status_round=SimpleNamespace(id=status_round.id),
        round_item=SimpleNamespace(id=status_round.items[0].id),
        link=SimpleNamespace(id=link.id),
        mapping=SimpleNamespace(id=mapping.id),
        token=SHARE_TOKEN,
        notification=SimpleNamespace(id=notification.id),
        feed_token=feed_token,
        unsubscribe_key=unsubscribe_key(people["med"].id, "comment"),
        session_ids=session_ids,
        target_user=SimpleNamespace(id=people["target"].id),
        meeting=SimpleNamespace(id=meeting.id),
        meeting_item=SimpleNamespace(id=meeting.items[0].id),
        action=SimpleNamespace(id=action.id),
    )


def reset_world(app) -> SimpleNamespace:
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        return build_world()


def build_url(app, world, endpoint: str, path: str, args: tuple[str, ...], token=None) -> str:
    values = {}
    for name in args:
        if name not in URL_VALUES:
            pytest.fail(
                f"Route {endpoint} ({path}) has the URL argument {name!r}, which the matrix "
                f"does not know: add it to URL_VALUES in tests/test_authorization_matrix.py."
            )
        values[name] = URL_VALUES[name](world)
    if token is not None:
        values["token"] = token
    with app.test_request_context():
        return url_for(endpoint, **values)


def client_for(app, world, visitor: str):
    client = app.test_client()
    if visitor == "share":
        opened = client.get(f"/s/{world.token}")
        assert opened.status_code == 200, "the share visitor could not open the share link"
    elif visitor != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.session_ids[visitor]
            session["_fresh"] = True
    return client


def outcome_of(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303, 307, 308) and "/login?next=" in location:
        return LOGIN
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if status in (401, 405) or status >= 500:
        return f"status {status}"
    return OK


def send(client, method: str, url: str, rule: Rule, headers=None):
    kwargs = {"headers": headers or {}}
    if method in MUTATING:
        kwargs["data"] = rule.data
    response = client.open(url + rule.query, method=method, **kwargs)
    response.close()  # streams (Server-Sent Events) are never read here
    return response


# --- the matrix ----------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint, method, path, args",
    ROUTES,
    ids=[f"{endpoint} {method}" for endpoint, method, *_ in ROUTES],
)
def test_route_access(make_app, endpoint, method, path, args):
    rule = rule_for(endpoint, method)
    if rule is None:
        pytest.fail(_missing_rule_message(endpoint, method, path))
    app = make_app()
    # Requests are made outside any app context: inside one, every request
    # would share `g` and so Flask-Login's cached user of the first request.
    world = reset_world(app)
    failures = []
    changed = False
    for visitor in VISITORS:
        if changed:
            world = reset_world(app)
        changed = method in MUTATING and rule.level[visitor] == OK
        url = build_url(app, world, endpoint, path, args)
        expected = rule.level[visitor]
        got = outcome_of(send(client_for(app, world, visitor), method, url, rule))
        if got != expected:
            failures.append(f"{visitor}: expected {expected}, got {got}")
        if expected == LOGIN and got == LOGIN:
            # htmx requests get 401 and HX-Redirect instead of a redirect
            # that htmx would swap into the page.
            response = send(
                client_for(app, world, visitor), method, url, rule, {"HX-Request": "true"}
            )
            if response.status_code != 401 or "/login" not in response.headers.get(
                "HX-Redirect", ""
            ):
                failures.append(
                    f"{visitor} (htmx): expected 401 with HX-Redirect to the login page, "
                    f"got {response.status_code}"
                )
    assert not failures, f"{method} {url} ({endpoint}):\n  " + "\n  ".join(failures)


SHARE_ROUTES = [r for r in ROUTES if r[2].startswith("/s/")]


@pytest.mark.parametrize(
    "endpoint, method, path, args", SHARE_ROUTES, ids=[r[0] for r in SHARE_ROUTES]
)
def test_share_route_with_a_dead_token_is_404_and_refuses_writes(
    make_app, endpoint, method, path, args
):
    app = make_app()
    world = reset_world(app)
    client = app.test_client()
    for token in (REVOKED_TOKEN, "no-such-token-" + "z" * 30):
        url = build_url(app, world, endpoint, path, args, token=token)
        assert client.get(url).status_code == 404, url
    live = build_url(app, world, endpoint, path, args)
    for write in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.open(live, method=write).status_code == 405, f"{write} {live}"
