"""The notification pages: the list and the header's live count, marking
read, the settings (with the calendar links), following a card, the
mention autocomplete's choices, the calendar feeds, and the one-click
unsubscribe. Thin: parse, call the area's function, render."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..access import roles_by_board
from ..errors import Refused
from ..extensions import csrf, db
from ..htmx import hx_trigger, is_htmx
from ..models import Board, Initiative, Role
from . import bp, calendar, following, inbox, settings
from .forms import ButtonForm, SettingsForm
from .kinds import CATEGORIES, DELIVERIES
from .mentions import members_who_can_be_mentioned


# ----------------------------------------------------------- the list
@bp.get("/notifications")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        notifications=inbox.list_for(current_user),
        form=ButtonForm(),
    )


@bp.get("/notifications/count")
@login_required
def count():
    """The header entry alone (notifications.js asks for it when the board's
    live stream reports a change, and once a minute)."""
    return render_template("notifications/_header_entry.html"), 200, {"Cache-Control": "no-store"}


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Follow a notification: it is read, and the card (at the comment) opens."""
    note = inbox.mark_read(current_user, notification_id)
    db.session.commit()
    target = url_for("boards.initiative", board_id=note.board_id, initiative_id=note.initiative_id)
    anchor = f"#comment-{note.comment_id}" if note.comment_id else ""
    return redirect(target + anchor)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    ButtonForm().require()
    inbox.mark_read(current_user, notification_id)
    db.session.commit()
    return _back("Notifikationen er markeret som læst.")


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    ButtonForm().require()
    inbox.mark_all_read(current_user)
    db.session.commit()
    return _back("Alle notifikationer er markeret som læst.")


def _back(message: str):
    if is_htmx():
        body = render_template(
            "notifications/_list.html",
            notifications=inbox.list_for(current_user),
            form=ButtonForm(),
            oob_header=True,
        )
        return body, 200, hx_trigger(message)
    flash(message, "success")
    return redirect(url_for("notifications.index"))


# ----------------------------------------------------------- settings
def _render_settings(form, status=200, new_feed=None):
    roles = roles_by_board(current_user)
    feeds = calendar.feeds_of(current_user)
    leader_boards = [
        board
        for board in db.session.scalars(db.select(Board).order_by(Board.title))
        if roles.get(board.id) == Role.LEDER
    ]
    return (
        render_template(
            "notifications/settings.html",
            form=form,
            button=ButtonForm(),
            categories=CATEGORIES,
            deliveries=DELIVERIES,
            has_own_feed=None in feeds,
            leader_boards=leader_boards,
            board_feeds={b.id: b.id in feeds for b in leader_boards},
            new_feed=new_feed,
        ),
        status,
    )


@bp.route("/account/notifications", methods=("GET", "POST"))
@login_required
def account():
    form = SettingsForm(data=settings.current_choices(current_user))
    if not form.is_submitted():
        return _render_settings(form)
    if not form.validate():
        return _render_settings(form, 422)
    settings.save_choices(current_user, {c: form[c].data for c in CATEGORIES})
    db.session.commit()
    flash("Dine valg for notifikationer er gemt.", "success")
    return redirect(url_for("notifications.account"))


@bp.post("/account/notifications/calendar")
@login_required
def renew_own_feed():
    ButtonForm().require()
    token = calendar.renew_feed(current_user)
    db.session.commit()
    return _shown_once(token, "Din kalender")


@bp.board_post("/calendar", need="edit")
def renew_board_feed(access):
    ButtonForm().require()
    token = calendar.renew_feed(access.user, access.board)
    db.session.commit()
    return _shown_once(token, f"Tavlens kalender: {access.board.title}")


def _shown_once(token: str, label: str):
    # Only the hash is stored: the URL is in this answer and nowhere else.
    url = url_for("notifications.calendar_feed", feed_token=token, _external=True)
    form = SettingsForm(data=settings.current_choices(current_user))
    return _render_settings(form, new_feed={"label": label, "url": url})


# ----------------------------------------------------------- a card
@bp.board_post("/initiatives/<int:initiative_id>/follow")
def follow(access, initiative_id: int):
    initiative = access.owned_or_404(Initiative, initiative_id)
    form = ButtonForm()
    form.require()
    wanted = request.form.get("follow")
    if wanted not in ("1", "0"):
        raise Refused("Formularen er ugyldig. Genindlæs siden og prøv igen.")
    following.set_following(initiative, access.user, wanted == "1")
    db.session.commit()
    message = "Du følger nu tiltaget." if wanted == "1" else "Du følger ikke længere tiltaget."
    if is_htmx():
        body = render_template("notifications/_follow.html", access=access, initiative=initiative)
        return body, 200, hx_trigger(message)
    flash(message, "success")
    return redirect(
        url_for("boards.initiative", board_id=access.board.id, initiative_id=initiative.id)
    )


@bp.board_get("/mentions", need="comment")
def mention_candidates(access):
    """The members who can be mentioned (the autocomplete filters them)."""
    people = [
        {"id": user.id, "name": user.name}
        for user in members_who_can_be_mentioned(access.board.id)
        if user.id != access.user.id
    ]
    return jsonify(people), 200, {"Cache-Control": "private, max-age=60"}


# ----------------------------------------------------------- calendar feeds
@bp.get("/calendar/<feed_token>.ics")
def calendar_feed(feed_token: str):
    feed = calendar.feed_for_token(feed_token)
    if feed is None:
        abort(404)
    host = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].split("/", 1)[0]

    def card_url(card):
        return url_for(
            "boards.initiative", board_id=card.board_id, initiative_id=card.id, _external=True
        )

    def round_url(status_round) -> str:
        return url_for(
            "rounds.show", board_id=status_round.board_id, round_id=status_round.id, _external=True
        )

    body = calendar.feed_ics(feed, host=host, card_url=card_url, round_url=round_url)
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="tiltagstavlen.ics"',
            "Referrer-Policy": "no-referrer",
        },
    )


# ----------------------------------------------------------- unsubscribe
@bp.route("/unsubscribe/<key>", methods=("GET", "POST"))
@csrf.exempt  # RFC 8058: the mail program POSTs without a session; the key is the proof
def unsubscribe(key: str):
    user, kind = settings.read_unsubscribe_key(key)
    label = settings.kind_label(kind)
    if request.method == "GET":
        # Never on GET: mail scanners open links (the reason for RFC 8058).
        return render_template("notifications/unsubscribe.html", key=key, label=label, done=False)
    settings.unsubscribe(user, kind)
    db.session.commit()
    current_app.logger.info("user %s unsubscribed from %s mail", user.id, kind)
    return render_template("notifications/unsubscribe.html", key=key, label=label, done=True)
