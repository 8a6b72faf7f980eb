"""`flask send-digests`: send the digests that are due (see services.py)."""

from __future__ import annotations

import click

from . import bp
from .services import send_due_digests


@bp.cli.command("send-digests")
def send_digests_command():
    """Queue the daily and weekly digests that are due (then `flask deliver-mail` sends them)."""
    result = send_due_digests()
    click.echo(
        f"Oversigter lagt i udbakken: {result.queued}; "
        f"uden ændringer: {result.empty}; uden adgang til tavlen: {result.no_access}."
    )
