"""The administrator's page for "Fjern persondata": a value of a tiltag
removed everywhere (the rules are in board/privacy/services.py; this parses,
confirms and commits). "Anonymisér bruger" is an action of the user page
(views.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..errors import Refused
from ..extensions import db
from ..models import Initiative
from ..privacy import services as privacy
from . import bp
from .forms import RedactForm


def _redact_form(initiative: Initiative) -> tuple[RedactForm, dict]:
    """The form, with one choice per value the card's fields have had:
    "<field>:<n>" -> (field, value)."""
    values = privacy.redactable_values(initiative)
    options = {
        f"{field}:{n}": (field, value)
        for field, found in values.items()
        for n, value in enumerate(found)
    }
    form = RedactForm()
    form.choice.choices = [SelectChoice(key, value) for key, (_, value) in options.items()]
    return form, options


def _render_redact(initiative, form, options, status=200):
    groups = [
        (privacy.field_label(field), [(k, v) for k, (f, v) in options.items() if f == field])
        for field in privacy.REDACTABLE_FIELDS
    ]
    return (
        render_template(
            "admin/persondata.html",
            initiative=initiative,
            form=form,
            groups=[(label, items) for label, items in groups if items],
        ),
        status,
    )


@bp.get("/initiatives/<int:initiative_id>/persondata")
def redact_form(initiative_id: int):
    initiative = db.get_or_404(Initiative, initiative_id)
    form, options = _redact_form(initiative)
    return _render_redact(initiative, form, options)


@bp.post("/initiatives/<int:initiative_id>/persondata")
def redact(initiative_id: int):
    initiative = db.get_or_404(Initiative, initiative_id)
    form, options = _redact_form(initiative)
    if not form.validate_on_submit():
        return _render_redact(initiative, form, options, 422)
    field, value = options[form.choice.data]
    try:
        privacy.redact_initiative_value(
            initiative, field=field, value=value, reason=form.reason.data, actor=current_user
        )
    except Refused as refused:
        db.session.rollback()
        form.show_refusal(refused, default_field="choice")
        return _render_redact(initiative, form, options, refused.status)
    db.session.commit()
    flash(f"Teksten er fjernet fra {privacy.field_label(field)} overalt.", "success")
    return redirect(url_for("admin.redact_form", initiative_id=initiative.id))
