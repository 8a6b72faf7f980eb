"""Outgoing e-mail through an outbox table: `outbox.queue_mail` writes a
message in the caller's transaction, `flask deliver-mail` (delivery.py)
sends it over SMTP, `/admin/outbox` (admin/outbox_views.py) shows it.
The model is imported here so it is mapped wherever the package is used."""

from . import models  # noqa: F401
