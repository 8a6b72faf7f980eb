"""Import of existing tables: paste a Word table or upload .csv/.xlsx, see a
preview (what will be created, and what the importer was unsure about),
correct the columns, confirm. Nothing is written before the confirmation.

Who: leaders (leder on some board) and administrators; the importing user
becomes leder of the new board.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import today_local
from ..extensions import db
from ..params import parse_id
from . import parser, services, sources
from .forms import ImportForm
from .sources import ImportError_

bp = Blueprint("importer", __name__)


@bp.app_context_processor
def import_link():
    """`can_import()` for the site header's "Importér tavle" link."""
    return {"can_import": lambda: services.may_import(current_user)}


def _require_importer() -> None:
    if not services.may_import(current_user):
        abort(403, description="Kun ledere og administratorer kan oprette en tavle ved import.")


@bp.get("/import")
@login_required
def new():
    _require_importer()
    return render_template("importer/new.html", form=ImportForm(), error=None)


def _read_source(form: ImportForm) -> sources.RawTable:
    """The table: from the preview's hidden copy, an uploaded file or pasted text."""
    kept = request.form.get("kilde")
    if kept:
        try:
            return sources.RawTable.from_json(json.loads(kept))
        except ValueError:
            raise ImportError_("Forhåndsvisningen kunne ikke læses. Start forfra.") from None
    upload = form.fil.data
    if upload and upload.filename:
        return sources.read_upload(upload.filename, upload.read())
    return sources.read_text(form.tabel.data or "")


def _choices(table: sources.RawTable):
    """The leader's corrections: column roles and per-tiltag columns. Stage
    choices are dropped when the column roles changed (the tiltag numbers
    may then mean other tiltag)."""
    mapping = [request.form.get(f"rolle-{i}") for i in range(len(table.header))]
    if not all(mapping):
        return None, {}
    overrides = {}
    if request.form.get("forrige-roller") == ",".join(mapping):
        for key, value in request.form.items():
            row = parse_id(key[8:]) if key.startswith("kolonne-") else None
            if row is not None:
                overrides[row] = value
    return mapping, overrides


def _plan(form: ImportForm):
    table = _read_source(form)
    mapping, overrides = _choices(table)
    as_of = form.dato.data or parser.detect_as_of(table) or today_local()
    plan = parser.build_plan(table, mapping=mapping, as_of=as_of, stage_overrides=overrides)
    return plan


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
    if not form.validate():
        return render_template("importer/new.html", form=form, error=_form_error(form)), 400
    try:
        plan = _plan(form)
    except ImportError_ as error:
        return render_template("importer/new.html", form=form, error=str(error)), 400
    return _render_preview(form, plan, 400 if plan.errors else 200)


@bp.post("/import")
@login_required
def create():
    _require_importer()
    form = ImportForm()
    if not form.validate():
        return render_template("importer/new.html", form=form, error=_form_error(form)), 400
    try:
        plan = _plan(form)
    except ImportError_ as error:
        return render_template("importer/new.html", form=form, error=str(error)), 400
    try:
        board = services.create_board(plan, title=form.titel.data, actor=current_user)
    except ImportError_ as error:
        db.session.rollback()
        return _render_preview(form, plan, 400, error=str(error))
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
