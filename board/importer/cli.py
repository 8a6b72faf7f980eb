"""`flask import-table`: the importer from the command line, for the
administration's first boards (same reading, same plan, same Events).

`--dry-run` prints what the preview shows; `--json` prints the plan as data
(the shape is in ImportPlan.to_json and the README). It exits non-zero, with
the real reason, whenever the board could not be created as shown.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa

from ..errors import Refused
from ..extensions import db
from ..models import User
from . import parser, services, sources
from .roles import ROLES, clean_header

SUFFIXES = (".docx", ".txt", ".csv", ".xlsx")


def register(app) -> None:
    @app.cli.command("import-table")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--title", help="Tavlens navn (standard: foreslået ud fra teksten).")
    @click.option(
        "--leader", "leader_email", help="E-mail på den, der bliver leder (ikke ved --dry-run)."
    )
    @click.option("--date", "as_of", help="Statusdato ÅÅÅÅ-MM-DD (til forslag af kolonne).")
    @click.option(
        "--role",
        "roles",
        multiple=True,
        metavar="KOLONNE=ROLLE",
        help="Sæt en kolonnes rolle, som i forhåndsvisningen: kolonnens nummer (1, 2, ...) "
        "eller overskrift, og rollen (" + ", ".join(ROLES) + " eller dens danske navn).",
    )
    @click.option("--dry-run", is_flag=True, help="Vis kun, hvad der ville blive oprettet.")
    @click.option("--json", "as_json", is_flag=True, help="Med --dry-run: planen som JSON.")
    def import_table(path: Path, title, leader_email, as_of, roles, dry_run, as_json):
        """Opret en tavle fra en Word-fil (.docx), en Word-tabel som tekst (.txt),
        .csv eller .xlsx."""
        if as_json and not dry_run:
            raise click.UsageError("--json kan kun bruges sammen med --dry-run.")
        if path.suffix.lower() not in SUFFIXES:
            raise click.ClickException("Filen skal være .docx, .txt, .csv eller .xlsx.")
        user = None
        if not dry_run:
            if not leader_email:
                raise click.UsageError("Angiv --leader (eller brug --dry-run).")
            user = db.session.scalar(sa.select(User).where(User.email == leader_email.lower()))
            if user is None:
                raise click.ClickException(f"Ingen bruger med e-mail {leader_email}.")
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise click.ClickException("--date skal skrives som ÅÅÅÅ-MM-DD.") from None
        try:
            table = sources.read_upload(path.name, path.read_bytes())
            mapping = _mapping(table, roles)
            plan = parser.build_plan(
                table, mapping=mapping, as_of=day or parser.detect_as_of(table) or date.today()
            )
            if dry_run:
                if as_json:
                    click.echo(json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
                else:
                    _print_plan(plan)
                if plan.errors:
                    raise click.ClickException("Tavlen kan ikke oprettes: " + " ".join(plan.errors))
                return
            _print_plan(plan, short=True)
            name = title or plan.title_suggestion or path.stem
            board = services.create_board(plan, title=name[: parser.BOARD_TITLE_MAX], actor=user)
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Tavle {board.id}: {board.title} (leder: {user.email})")


def _mapping(table, options) -> list[str] | None:
    """The guessed roles with the --role corrections, or None (no options)."""
    if not options:
        return None
    mapping = parser.default_mapping(table.header, table)
    names = [clean_header(h).lower() for h in table.header]
    by_label = {label.lower(): role for role, label in ROLES.items()}
    for option in options:
        column, _, role = option.partition("=")
        column, role = column.strip(), role.strip()
        role = role if role in ROLES else by_label.get(role.lower())
        if role is None:
            raise click.UsageError(
                f"Ukendt rolle i «{option}». Brug en af: " + ", ".join(ROLES) + "."
            )
        if column.isdigit() and 1 <= int(column) <= len(mapping):
            index = int(column) - 1
        elif column.lower() in names:
            index = names.index(column.lower())
        else:
            raise click.UsageError(
                f"Ukendt kolonne i «{option}». Tabellens kolonner: "
                + ", ".join(f"{i} «{clean_header(h)}»" for i, h in enumerate(table.header, 1))
            )
        mapping[index] = role
    return mapping


def _print_plan(plan, *, short: bool = False) -> None:
    """What the preview shows, as text."""
    click.echo("Kolonner:")
    for number, (name, role) in enumerate(zip(plan.table.header, plan.mapping, strict=True), 1):
        click.echo(f"  {number}. «{clean_header(name)}» → {ROLES.get(role, role)}")
    line = f"{plan.summary}."
    if plan.unsure_summary:
        line += f" {plan.unsure_summary} (markeret «Kontrollér»)."
    click.echo(line)
    for note in plan.notes:
        click.echo(f"  {note}")
    for error in plan.errors:
        click.echo(f"  Fejl: {error}")
    if short:
        return
    for theme in plan.themes:
        click.echo(f"{plan.theme_label}: {theme.title}")
        for note in theme.notes:
            click.echo(f"  Kontrollér: {note}")
        _print_items(theme.initiatives, "  ")
        for objective in theme.objectives:
            click.echo(f"  {plan.objective_label or 'Målsætning'}: {objective.label}")
            for note in objective.notes:
                click.echo(f"    Kontrollér: {note}")
            _print_items(objective.initiatives, "    ")


def _print_items(items, indent: str) -> None:
    for item in items:
        sure = "sikker" if item.stage_confident else "Kontrollér"
        click.echo(f"{indent}- {item.title}")
        click.echo(
            f"{indent}  Kolonne: {item.stage_label} ({sure}: {item.stage_reason}); "
            f"vurdering: {item.health_label}"
        )
        for note in item.notes:
            click.echo(f"{indent}  Kontrollér: {note}")
