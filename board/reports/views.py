"""The status page, its downloads, "changes since", and published reports;
for members (/boards/<id>/...) and read-only share links (/s/<token>/...).

Each view parses the request, gets a BoardAccess, calls one domain function
from services.py and renders. Bad dates or filters get a Danish 400.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from ..access import (
    LOCAL_TZ,
    BoardAccess,
    get_board_access_or_404,
    get_share_access_or_404,
    today_local,
)
from ..extensions import db
from ..models import PublishedReport, Theme
from ..params import parse_id
from . import exports, services
from .services import ReportError

bp = Blueprint("reports", __name__)


@bp.app_template_global()
def report_link(access: BoardAccess, endpoint: str, **values) -> str | None:
    """`access.url(...)`, or None while the page linked to does not exist (the
    share-link board page lives in another area and may not be built yet)."""
    try:
        return access.url(endpoint, **values)
    except BuildError:
        return None


CHANGES_DEFAULT_DAYS = 30


def _date_arg(name: str, default):
    try:
        return services.parse_report_date(request.args.get(name), default=default)
    except ReportError as error:
        abort(400, description=str(error))


def _theme_arg(access: BoardAccess) -> int | None:
    """The pejlemærke filter (`tema`): a theme of this board, or None."""
    raw = request.args.get("tema", "").strip()
    if not raw:
        return None
    theme_id = parse_id(raw)
    theme = db.session.get(Theme, theme_id) if theme_id is not None else None
    if theme is None or theme.board_id != access.board.id:
        abort(400, description=f"Det valgte {access.board.theme_label.lower()} findes ikke.")
    return theme.id


def _themes(access: BoardAccess) -> list[Theme]:
    return list(
        db.session.scalars(
            db.select(Theme).where(Theme.board_id == access.board.id).order_by(Theme.position)
        )
    )


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


def _board_started(access: BoardAccess) -> date:
    """The day the board was made (Copenhagen): before it there is nothing."""
    return access.board.created_at.astimezone(LOCAL_TZ).date()


# --------------------------------------------------------------- status
def render_status(access: BoardAccess):
    day = _date_arg("dato", today_local())
    theme_id = _theme_arg(access)
    report = services.status_as_of(access.board, day, theme_id)
    query = {"dato": day.isoformat(), **({"tema": theme_id} if theme_id else {})}
    return render_template(
        "reports/status.html",
        access=access,
        report=report,
        themes=_themes(access),
        theme_id=theme_id,
        today=today_local(),
        board_started=_board_started(access),
        downloads={f: access.url("reports.download", fmt=f, **query) for f in exports.FORMATS},
    )


def download_status(access: BoardAccess, fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    day = _date_arg("dato", today_local())
    return _download(services.status_as_of(access.board, day, _theme_arg(access)), fmt)


@bp.get("/boards/<int:board_id>/status")
def status(board_id: int):
    return render_status(get_board_access_or_404(board_id, "view"))


@bp.get("/boards/<int:board_id>/status.<fmt>")
def download(board_id: int, fmt: str):
    return download_status(get_board_access_or_404(board_id, "view"), fmt)


@bp.get("/s/<token>/status")
def share_status(token: str):
    return render_status(get_share_access_or_404(token))


@bp.get("/s/<token>/status.<fmt>")
def share_download(token: str, fmt: str):
    return download_status(get_share_access_or_404(token), fmt)


# --------------------------------------------------------------- changes
def _default_since(access: BoardAccess):
    """Since the last published report ("since last time"), else 30 days."""
    last = db.session.scalar(
        db.select(PublishedReport.as_of)
        .where(PublishedReport.board_id == access.board.id)
        .order_by(PublishedReport.published_at.desc())
        .limit(1)
    )
    return last or today_local() - timedelta(days=CHANGES_DEFAULT_DAYS)


def render_changes(access: BoardAccess):
    since = _date_arg("siden", _default_since(access))
    changes = services.changes_since(access.board, since, with_comments=access.show_comments)
    return render_template(
        "reports/changes.html", access=access, changes=changes, since=since, today=today_local()
    )


@bp.get("/boards/<int:board_id>/changes")
def changes(board_id: int):
    return render_changes(get_board_access_or_404(board_id, "view"))


@bp.get("/s/<token>/changes")
def share_changes(token: str):
    return render_changes(get_share_access_or_404(token))


# --------------------------------------------------------------- published
# Members and share-link visitors (a committee reads the reports its leaders
# publish for it) see the same list, report and downloads.
def render_published_list(access: BoardAccess):
    return render_template(
        "reports/published_list.html",
        access=access,
        reports=services.published_reports(access.board),
        today=today_local(),
        themes=_themes(access),
    )


@bp.get("/boards/<int:board_id>/reports")
def published_list(board_id: int):
    return render_published_list(get_board_access_or_404(board_id, "view"))


@bp.get("/s/<token>/reports")
def share_published_list(token: str):
    return render_published_list(get_share_access_or_404(token))


@bp.post("/boards/<int:board_id>/reports")
def publish(board_id: int):
    access = get_board_access_or_404(board_id, "edit")
    try:
        day = services.parse_report_date(request.form.get("dato"))
    except ReportError as error:
        abort(400, description=str(error))
    raw_theme = request.form.get("tema", "").strip()
    theme_id = parse_id(raw_theme)
    if raw_theme and theme_id is None:
        abort(400, description="Det valgte pejlemærke findes ikke på tavlen.")
    try:
        published = services.publish_report(
            access.board,
            title=request.form.get("titel", ""),
            day=day,
            theme_id=theme_id,
            actor=access.user,
        )
    except ReportError as error:
        db.session.rollback()
        abort(400, description=str(error))
    db.session.commit()
    flash(f"Rapporten «{published.title}» er publiceret.", "success")
    return redirect(url_for("reports.published", board_id=board_id, report_id=published.id))


def _published_or_404(access: BoardAccess, report_id: int) -> PublishedReport:
    published = db.session.get(PublishedReport, report_id)
    if published is None or published.board_id != access.board.id:
        abort(404)
    return published


def render_published(access: BoardAccess, report_id: int):
    item = _published_or_404(access, report_id)
    return render_template(
        "reports/published.html",
        access=access,
        published=item,
        report=services.frozen_report(item),
    )


def download_published(access: BoardAccess, report_id: int, fmt: str):
    item = _published_or_404(access, report_id)
    return _download(services.frozen_report(item), fmt)


@bp.get("/boards/<int:board_id>/reports/<int:report_id>")
def published(board_id: int, report_id: int):
    return render_published(get_board_access_or_404(board_id, "view"), report_id)


@bp.get("/s/<token>/reports/<int:report_id>")
def share_published(token: str, report_id: int):
    return render_published(get_share_access_or_404(token), report_id)


@bp.get("/boards/<int:board_id>/reports/<int:report_id>.<fmt>")
def published_download(board_id: int, report_id: int, fmt: str):
    return download_published(get_board_access_or_404(board_id, "view"), report_id, fmt)


@bp.get("/s/<token>/reports/<int:report_id>.<fmt>")
def share_published_download(token: str, report_id: int, fmt: str):
    return download_published(get_share_access_or_404(token), report_id, fmt)
