"""An outbox row as the e-mail that is sent: plain text with an HTML
alternative when there is one, in Danish, with the Message-ID made when it
was queued and its Date (so a message sent again is the same message)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from .models import OutboxMessage


def compose(message: OutboxMessage, *, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient_address
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message.message_id
    # Automatic mail (RFC 3834): out-of-office replies should not answer it.
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        mail[name] = value
    mail.set_content(message.text_body)
    if message.html_body:
        mail.add_alternative(message.html_body, subtype="html")
    # After the body: set_content() clears every Content-* header.
    mail["Content-Language"] = "da"
    return mail
