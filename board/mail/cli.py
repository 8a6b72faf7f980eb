"""`flask deliver-mail`: send the outbox (see delivery.py)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app

from .delivery import PassResult, deliver_due, run_deliverer, smtp_configured


def _describe(result: PassResult) -> str:
    text = (
        f"Sendt: {result.sent}, venter på nyt forsøg: {result.retried}, "
        f"afvist: {result.failed}, annulleret: {result.cancelled}."
    )
    if result.server_error:
        text += f" Mailserveren kunne ikke bruges ({result.server_error}); posten venter."
    return text


def register(app) -> None:
    @app.cli.command("deliver-mail")
    @click.option("--once", is_flag=True, help="Send det, der venter, én gang, og stop.")
    @click.option(
        "--interval",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        help="Sekunder mellem gennemløb (ventetiden fordobles, mens serveren er nede).",
    )
    def deliver_mail_command(once: bool, interval: float):
        """Send udbakkens post via SMTP (SMTP_HOST m.fl.); uden SMTP_HOST bliver posten i
        udbakken."""
        if not smtp_configured(current_app.config):
            message = "SMTP_HOST er ikke sat: posten bliver i udbakken (se /admin/outbox)."
            if once:
                click.echo(message)
                return
            raise click.ClickException(message)
        if once:
            result = deliver_due()
            click.echo(_describe(result))
            if result.server_error:
                raise SystemExit(75)  # EX_TEMPFAIL: try again later (cron, systemd)
            return
        stop = threading.Event()

        def request_stop(_signum, _frame):
            stop.set()  # the message being sent is finished and marked first

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

        def report(result: PassResult) -> None:
            if result.handled or result.server_error:
                click.echo(_describe(result))

        click.echo(f"Sender post fra udbakken (hvert {interval:g}. sekund); stop med Ctrl+C.")
        run_deliverer(stop, interval=interval, report=report)
