"""Import of existing tables: paste a Word table or upload .docx/.csv/.xlsx, see a
preview (what will be created, and what the importer was unsure about),
correct the columns, confirm. Nothing is written before the confirmation.

Who: leaders (leder on some board) and administrators; the importing user
becomes leder of the new board.
"""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..clock import today_local
from ..errors import Refused
from ..extensions import db
from ..params import parse_id
from . import bp, parser, services, sources
from .forms import ImportForm


def _require_importer() -> None:
    if not services.may_import(current_user):
        abort(403, description="Kun ledere og administratorer kan oprette en tavle ved import.")


@bp.get("/import")
@login_required
def new():
    _require_importer()
    return _render_new(ImportForm())


def _read_source(form: ImportForm) -> sources.RawTable:
    """The table: from the preview's hidden copy, an uploaded file or pasted text."""
    kept = request.form.get("kilde")
    if kept:
        try:
            return sources.RawTable.from_json(json.loads(kept))
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeply
            raise Refused(sources.PREVIEW_UNREADABLE, 400) from None
    upload = form.fil.data
    if upload and upload.filename:
        return sources.read_upload(upload.filename, upload.read())
    return sources.read_text(form.tabel.data or "")


def _choices(table: sources.RawTable):
    """The leader's corrections: column roles, per-tiltag columns and
    vurderinger. Per-tiltag choices are dropped when the column roles changed
    (the tiltag numbers may then mean other tiltag)."""
    mapping = [request.form.get(f"rolle-{i}") for i in range(len(table.header))]
    if not all(mapping):
        return None, {}, {}
    stages, healths = {}, {}
    if request.form.get("forrige-roller") == ",".join(mapping):
        for key, value in request.form.items():
            for prefix, chosen in (("kolonne-", stages), ("vurdering-", healths)):
                row = parse_id(key[len(prefix) :]) if key.startswith(prefix) else None
                if row is not None:
                    chosen[row] = value
    return mapping, stages, healths


def _plan(form: ImportForm):
    """The plan for what the form says. Refused (422, or 400 for a tampered
    preview) with the first page again as the answer: the form's own
    errors, or a table that cannot be read."""
    if not form.validate():
        message = _form_error(form)
        raise Refused(message, 422, fragment=_render_new(form, message)[0])
    try:
        table = _read_source(form)
    except Refused as refused:
        refused.fragment = _render_new(form, refused.message)[0]
        raise
    mapping, stages, healths = _choices(table)
    as_of = form.dato.data or parser.detect_as_of(table) or today_local()
    return parser.build_plan(
        table, mapping=mapping, as_of=as_of, stage_overrides=stages, health_overrides=healths
    )


def _render_new(form: ImportForm, error: str | None = None, status: int = 200):
    return render_template("importer/new.html", form=form, error=error), status


def _render_preview(form: ImportForm, plan, status: int = 200, error: str | None = None):
    if not form.titel.data:
        form.titel.data = plan.title_suggestion
    form.dato.data = plan.as_of
    form.dato.raw_data = [plan.as_of.isoformat()]  # shown as used, also when detected
    return (
        render_template(
            "importer/preview.html",
            form=form,
            plan=plan,
            roles=parser.ROLES,
            stages=parser.STAGE_LABEL,
            healths=parser.HEALTH_LABEL,
            source=json.dumps(plan.table.to_json(), ensure_ascii=False),
            error=error,
        ),
        status,
    )


@bp.post("/import/preview")
@login_required
def preview():
    _require_importer()
    form = ImportForm()
    plan = _plan(form)
    return _render_preview(form, plan, 422 if plan.errors else 200)


@bp.post("/import")
@login_required
def create():
    _require_importer()
    form = ImportForm()
    plan = _plan(form)
    try:
        board = services.create_board(plan, title=form.titel.data, actor=current_user)
    except Refused as refused:
        db.session.rollback()
        return _render_preview(form, plan, refused.status, error=refused.message)
    db.session.commit()
    count = len(plan.initiatives())
    flash(f"Tavlen «{board.title}» er oprettet med {count} tiltag. Du er leder på den.", "success")
    return redirect(url_for("boards.show", board_id=board.id))


def _form_error(form: ImportForm) -> str:
    if form.dato.errors:
        return "Statusdatoen skal skrives som ÅÅÅÅ-MM-DD."
    if form.titel.errors:
        return "Tavlens navn må højst være 200 tegn."
    return "Formularen kunne ikke læses. Prøv igen."
