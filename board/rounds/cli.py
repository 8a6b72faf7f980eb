"""`flask round open|close` and `flask send-reminders` (cron or a systemd
timer runs the latter daily; see the README)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from ..errors import Refused
from ..extensions import db
from ..models import Board, StatusRound
from .services import close_round, open_round, open_rounds, send_scheduled_reminders


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"skriv datoen som ÅÅÅÅ-MM-DD, ikke «{value}»", param_hint=name
        ) from None


def register(app) -> None:
    @app.cli.group("round")
    def round_group():
        """Statusrunder: åbn og luk."""

    @round_group.command("open")
    @click.argument("board_id", type=int)
    @click.option("--title", required=True, help="Rundens titel.")
    @click.option("--deadline", required=True, help="Frist for svar, ÅÅÅÅ-MM-DD.")
    @click.option(
        "--date", "status_date", default=None, help="Status pr. (ÅÅÅÅ-MM-DD); standard: i dag."
    )
    def open_command(board_id: int, title: str, deadline: str, status_date: str | None):
        """Åbn en statusrunde for alle tavlens tiltag; skriver rundens id."""
        board = db.session.get(Board, board_id)
        if board is None:
            raise click.ClickException(f"Tavle {board_id} findes ikke.")
        try:
            status_round = open_round(
                board,
                title=title,
                deadline=_day(deadline, "--deadline"),
                status_date=_day(status_date, "--date"),
                actor=None,
            )
        except Refused as refused:
            db.session.rollback()
            raise click.ClickException(refused.message) from None
        db.session.commit()
        click.echo(status_round.id)

    @round_group.command("close")
    @click.argument("round_id", type=int)
    def close_command(round_id: int):
        """Luk en statusrunde og publicér dens rapport."""
        status_round = db.session.get(StatusRound, round_id)
        if status_round is None:
            raise click.ClickException(f"Statusrunde {round_id} findes ikke.")
        try:
            published = close_round(status_round, actor=None)
        except Refused as refused:
            db.session.rollback()
            raise click.ClickException(refused.message) from None
        db.session.commit()
        click.echo(
            f"Runden «{status_round.title}» er lukket; rapport {published.id} er publiceret."
        )

    @app.cli.command("send-reminders")
    @click.option(
        "--days",
        type=click.IntRange(min=0),
        default=None,
        help="Påmind så mange dage før fristen (standard: ROUND_REMINDER_DAYS, 3).",
    )
    @click.option("--today", "today_text", default=None, help="Dagen at regne fra (ÅÅÅÅ-MM-DD).")
    def send_reminders_command(days: int | None, today_text: str | None):
        """Læg påmindelser om åbne statusrunder i udbakken (kør dagligt; to kørsler
        sender intet to gange)."""
        days = days if days is not None else current_app.config.get("ROUND_REMINDER_DAYS", 3)
        today = _day(today_text, "--today")
        total = 0
        for round_id in [r.id for r in open_rounds()]:
            status_round = db.session.get(StatusRound, round_id)
            # One board per transaction (the board lock), so one commit per round.
            total += send_scheduled_reminders(status_round, today=today, days_before=days)
            db.session.commit()
        click.echo(f"Påmindelser lagt i udbakken: {total}.")
