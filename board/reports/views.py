"""The status page, its downloads, "changes since", and published reports;
for members (/boards/<id>/...) and, read-only, share links (/s/<token>/...):
every read-only view here is registered for both (board/routing.py).

Each view parses the request, calls one domain function from services.py
and renders. Bad dates or filters in the address, or a tampered choice, get
a Danish 400; the publish form comes back with its error (422 for the name
a person typed).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..access import BoardAccess
from ..clock import local_date, today_local
from ..errors import Refused
from ..extensions import db
from ..models import PublishedReport, Theme
from ..params import parse_id
from . import bp, exports, services

CHANGES_DEFAULT_DAYS = 30


def _date_arg(name: str, default):
    return services.parse_report_date(request.args.get(name), default=default)


def _theme_id(access: BoardAccess, raw: str | None) -> int | None:
    """The pejlemærke filter (`tema`): a theme of this board, or None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    theme_id = parse_id(raw)
    theme = db.session.get(Theme, theme_id) if theme_id is not None else None
    if theme is None or theme.board_id != access.board.id:
        raise Refused(f"Det valgte {access.board.theme_label.lower()} findes ikke.", 400)
    return theme.id


def _download(report, fmt: str) -> Response:
    if fmt not in exports.FORMATS:
        abort(404)
    return Response(
        exports.render(report, fmt),
        mimetype=exports.FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(report, fmt)}"',
            "Cache-Control": "no-store",
        },
    )


# --------------------------------------------------------------- status
@bp.board_get("/status", share=True)
def status(access):
    day = _date_arg("dato", today_local())
    theme_id = _theme_id(access, request.args.get("tema"))
    report = services.status_as_of(access.board, day, theme_id)
    query = {"dato": day.isoformat(), **({"tema": theme_id} if theme_id else {})}
    return render_template(
        "reports/status.html",
        access=access,
        report=report,
        themes=services.board_themes(access.board),
        theme_id=theme_id,
        today=today_local(),
        # The day the board was made: before it there is nothing.
        board_started=local_date(access.board.created_at),
        downloads={f: access.url("reports.download", fmt=f, **query) for f in exports.FORMATS},
    )


@bp.board_get("/status.<fmt>", share=True)
def download(access, fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    day = _date_arg("dato", today_local())
    theme_id = _theme_id(access, request.args.get("tema"))
    return _download(services.status_as_of(access.board, day, theme_id), fmt)


# --------------------------------------------------------------- changes
@bp.board_get("/changes", share=True)
def changes(access):
    # Since the last published report ("since last time"), else 30 days.
    default = services.last_published_day(access.board) or today_local() - timedelta(
        days=CHANGES_DEFAULT_DAYS
    )
    since = _date_arg("siden", default)
    found = services.changes_since(access.board, since, with_comments=access.show_comments)
    return render_template(
        "reports/changes.html", access=access, changes=found, since=since, today=today_local()
    )


# --------------------------------------------------------------- published
# Members and share-link visitors (a committee reads the reports its leaders
# publish for it) see the same list, report and downloads.
def _render_published_list(access, status: int = 200, error: str | None = None):
    return (
        render_template(
            "reports/published_list.html",
            access=access,
            reports=services.published_reports(access.board),
            today=today_local(),
            themes=services.board_themes(access.board),
            error=error,
            form=request.form if error else {},
        ),
        status,
    )


@bp.board_get("/reports", share=True)
def published_list(access):
    return _render_published_list(access)


@bp.board_post("/reports", need="edit")
def publish(access):
    try:
        published = services.publish_report(
            access.board,
            title=request.form.get("titel", ""),
            day=services.parse_report_date(request.form.get("dato")),
            theme_id=_theme_id(access, request.form.get("tema")),
            actor=access.user,
        )
    except Refused as refused:
        db.session.rollback()
        return _render_published_list(access, refused.status, refused.message)
    db.session.commit()
    flash(f"Rapporten «{published.title}» er publiceret.", "success")
    return redirect(url_for("reports.published", board_id=access.board.id, report_id=published.id))


@bp.board_get("/reports/<int:report_id>", share=True)
def published(access, report_id: int):
    item = access.owned_or_404(PublishedReport, report_id)
    return render_template(
        "reports/published.html",
        access=access,
        published=item,
        report=services.frozen_report(item),
    )


@bp.board_get("/reports/<int:report_id>.<fmt>", share=True)
def published_download(access, report_id: int, fmt: str):
    item = access.owned_or_404(PublishedReport, report_id)
    return _download(services.frozen_report(item), fmt)
