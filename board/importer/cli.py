"""`flask import-table`: the importer from the command line, for the
administration's first boards (same reading, same plan, same Events)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa

from ..errors import Refused
from ..extensions import db
from ..models import User
from . import parser, services, sources


def register(app) -> None:
    @app.cli.command("import-table")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--title", help="Tavlens navn (standard: foreslået ud fra teksten).")
    @click.option(
        "--leader", "leader_email", required=True, help="E-mail på den, der bliver leder."
    )
    @click.option("--date", "as_of", help="Statusdato ÅÅÅÅ-MM-DD (til forslag af kolonne).")
    @click.option("--dry-run", is_flag=True, help="Vis kun, hvad der ville blive oprettet.")
    def import_table(path: Path, title, leader_email, as_of, dry_run):
        """Opret en tavle fra en Word-tabel (.txt), .csv eller .xlsx."""
        user = db.session.scalar(sa.select(User).where(User.email == leader_email.lower()))
        if user is None:
            raise click.ClickException(f"Ingen bruger med e-mail {leader_email}.")
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise click.ClickException("--date skal skrives som ÅÅÅÅ-MM-DD.") from None
        try:
            table = sources.read_upload(path.name, path.read_bytes())
            plan = parser.build_plan(table, as_of=day or parser.detect_as_of(table))
            click.echo(f"{plan.summary}.")
            for item in plan.initiatives():
                for note in item.notes:
                    click.echo(f"  Kontrollér «{item.title[:60]}»: {note}")
            for note in plan.notes:
                click.echo(f"  {note}")
            if dry_run:
                return
            board = services.create_board(plan, title=title or plan.title_suggestion, actor=user)
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Tavle {board.id}: {board.title} (leder: {user.email})")
