"""`flask` commands. Run as `flask --app wsgi <command>`."""

from __future__ import annotations

import sys

import click

from .extensions import db


def register(app) -> None:
    from .backup import register as register_backup
    from .importer.cli import register as register_import
    from .mail.cli import register as register_mail

    register_import(app)
    register_backup(app)
    register_mail(app)

    @app.cli.command("load-demo")
    @click.option("--replace", is_flag=True, help="Slet alt i databasen og indlæs demo på ny.")
    @click.option(
        "--if-empty", is_flag=True, help="Gør ingenting (og lykkes), hvis databasen har data."
    )
    @click.option("--yes", is_flag=True, help="Spørg ikke før --replace sletter alt.")
    def load_demo_command(replace: bool, if_empty: bool, yes: bool):
        """Indlæs de to demo-tavler og demo-brugere (aldrig med TILTAG_ENV=production)."""
        from .demo.loader import database_has_data, is_production, load_demo

        if is_production():
            # `make run` says --if-empty: it goes on, with nothing loaded.
            message = (
                "TILTAG_ENV=production: demo-data og demo-brugere (med kendte "
                "adgangskoder) indlæses aldrig, og intet slettes."
            )
            if if_empty and not replace:
                click.echo(message)
                return
            raise click.ClickException(message)
        if if_empty and not replace and database_has_data():
            click.echo("Databasen har allerede data; demo-data indlæses ikke.")
            return
        if replace and not yes and database_has_data():
            click.confirm(
                "Slet alt i databasen (alle tavler, tiltag, kommentarer, historik og "
                "brugere) og indlæs demo-data?",
                abort=True,
            )
        try:
            boards, users = load_demo(replace=replace)
        except ValueError as error:
            db.session.rollback()
            raise click.ClickException(
                "Databasen har allerede data. Brug --replace for at slette alt og "
                "indlæse demo-data på ny."
            ) from error
        for board in boards:
            click.echo(f"Tavle {board.id}: {board.title}")
        click.echo("Demo-logins (kun til demo):")
        for user in users:
            role = "admin" if user.is_admin else user.role.value
            click.echo(f"  {role:6} {user.email}  adgangskode: {user.password}")

    register_account_commands(app)


def _read_password() -> str:
    """Ask twice on a terminal; otherwise read the first line of stdin, so
    scripts can pipe a password in without it showing in `ps` or history."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(
            "Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden"
        )
    return stdin.readline().rstrip("\r\n")


def _board_or_fail(board_id: int):
    from .models import Board

    board = db.session.get(Board, board_id)
    if board is None:
        raise click.ClickException(f"Tavle {board_id} findes ikke.")
    return board


def register_account_commands(app) -> None:
    from .admin import services as roles
    from .auth import accounts
    from .auth.passwords import find_user_by_email
    from .errors import Refused
    from .models import Role, ShareLink
    from .share import services as sharing

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True, help="Brugerens navn.")
    @click.option("--admin", "is_admin", is_flag=True, help="Gør brugeren til administrator.")
    def create_user_command(email: str, name: str, is_admin: bool):
        """Opret en bruger. Adgangskoden spørges om (eller læses fra stdin)."""
        password = _read_password()
        try:
            user = accounts.create_user(
                email=email, name=name, password=password, is_admin=is_admin
            )
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        kind = "administrator" if is_admin else "bruger"
        click.echo(f"Oprettede {kind} {user.email} (id {user.id}).")

    @app.cli.command("grant")
    @click.argument("email")
    @click.argument("board_id", type=int)
    @click.argument("role", type=click.Choice([r.value for r in Role] + ["none"]))
    def grant_command(email: str, board_id: int, role: str):
        """Giv en bruger rollen leder eller med på en tavle ("none" fjerner adgangen)."""
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"Ingen bruger med e-mailen {email}.")
        board = _board_or_fail(board_id)
        new_role = None if role == "none" else role
        changed = roles.set_board_role(user, board, new_role)
        db.session.commit()
        if not changed:
            click.echo("Ingen ændring.")
        elif new_role:
            click.echo(f"{user.email} er nu {new_role} på tavle {board.id} ({board.title}).")
        else:
            click.echo(f"{user.email} har ikke længere adgang til tavle {board.id}.")

    @app.cli.group("share-link")
    def share_link_group():
        """Skrivebeskyttede delingslinks til en tavle."""

    @share_link_group.command("create")
    @click.argument("board_id", type=int)
    @click.option("--label", required=True, help='Fx "Voksen- og Plejeudvalget, møde 25. oktober".')
    @click.option(
        "--expires",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Sidste dag linket virker (ÅÅÅÅ-MM-DD).",
    )
    @click.option("--show-comments", is_flag=True, help="Vis kommentarer gennem linket.")
    def share_link_create(board_id: int, label: str, expires, show_comments: bool):
        """Opret et delingslink og skriv den fulde adresse (vises kun nu)."""
        from flask import current_app, url_for

        board = _board_or_fail(board_id)
        try:
            new = sharing.create_share_link(
                board,
                label=label,
                expires_on=expires.date() if expires else None,
                show_comments=show_comments,
                actor=None,
            )
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        base_url = current_app.config["PUBLIC_BASE_URL"]
        with current_app.test_request_context(base_url=base_url):
            url = url_for("boards.share_show", token=new.token, _external=True)
        click.echo(f"Delingslink {new.link.id} til «{board.title}» ({new.link.label}):")
        click.echo(url)

    @share_link_group.command("revoke")
    @click.argument("link_id", type=int)
    def share_link_revoke(link_id: int):
        """Tilbagekald et delingslink; det virker ikke længere fra nu af."""
        link = db.session.get(ShareLink, link_id)
        if link is None:
            raise click.ClickException(f"Delingslink {link_id} findes ikke.")
        if sharing.revoke_share_link(link, actor=None):
            db.session.commit()
            click.echo(f"Delingslink {link.id} ({link.label}) er tilbagekaldt.")
        else:
            click.echo(f"Delingslink {link.id} ({link.label}) var allerede tilbagekaldt.")

    @share_link_group.command("list")
    @click.argument("board_id", type=int)
    def share_link_list(board_id: int):
        """Vis tavlens delingslinks (uden adresser: de gemmes ikke)."""
        board = _board_or_fail(board_id)
        for link in sharing.list_share_links(board):
            state = {"active": "aktivt", "expired": "udløbet", "revoked": "tilbagekaldt"}[
                sharing.link_state(link)
            ]
            expires = link.expires_on.isoformat() if link.expires_on else "-"
            click.echo(f"{link.id:5}  {state:12}  udløber {expires:10}  {link.label}")
