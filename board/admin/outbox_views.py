"""The outbox as administrators read it (`/admin/outbox`): what the app has
sent or will send, so a demo without SMTP_HOST shows the mail it would send.
Read-only; the rules are in board/mail."""

from __future__ import annotations

from flask import render_template

from ..extensions import db
from ..mail import queries
from ..mail.delivery import smtp_configured
from ..mail.models import OutboxMessage
from . import bp


@bp.get("/outbox")
def outbox():
    listing = queries.outbox_listing()
    return render_template("admin/outbox.html", listing=listing, smtp=smtp_configured())


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", message=message, smtp=smtp_configured())
