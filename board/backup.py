"""`flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`.

One file holds the whole database: every table, the Event log and
`alembic_version` (so `flask db upgrade` after a restore brings an older
backup up to the code's schema).

* SQLite: `VACUUM INTO` writes a consistent, compacted copy while the app
  runs (readers and writers go on; WAL). Restore copies it back with
  SQLite's online-backup API, page by page inside one lock, so a reader
  never sees half a database.
* PostgreSQL: `pg_dump --format=custom` (a consistent snapshot while the app
  runs) and `pg_restore --clean --if-exists --single-transaction`: all or
  nothing. Both tools come with the PostgreSQL client (Debian:
  postgresql-client), at least the server's major version. The password,
  if the URL has one, goes to them in PGPASSWORD, not on the command line.

A backup never overwrites a file (it is written under a temporary name and
renamed when complete). A restore replaces everything, so it asks unless
given --yes; stop the app servers first (on PostgreSQL it gives up after
LOCK_TIMEOUT instead of waiting behind their connections).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa

from .extensions import db

LOCK_TIMEOUT = "30s"


class BackupError(click.ClickException):
    """A backup or restore that could not be done; nothing was changed."""


def register(app) -> None:
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path):
        """Gem en sikkerhedskopi af hele databasen i PATH (overskriver aldrig)."""
        backup(path)
        click.echo(f"Sikkerhedskopi gemt: {path} ({path.stat().st_size} bytes).")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Spørg ikke først.")
    def restore_command(path: Path, yes: bool):
        """Erstat hele databasen med sikkerhedskopien i PATH. Stop serveren først."""
        if not yes:
            click.confirm(
                f"Erstat ALT i databasen med sikkerhedskopien {path}? (Stop serveren først.)",
                abort=True,
            )
        restore(path)
        click.echo(
            f"Databasen er gendannet fra {path}. Kør `flask --app wsgi db upgrade`, "
            "hvis kopien er fra en ældre version."
        )


def _url() -> sa.engine.URL:
    return db.engine.url


def backup(path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} findes allerede; en sikkerhedskopi overskriver aldrig.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    url = _url()
    try:
        if url.get_backend_name() == "sqlite":
            with _sqlite(url.database) as conn:
                conn.execute("VACUUM INTO ?", (str(partial),))
        else:
            _run_pg("pg_dump", "--format=custom", f"--file={partial}", url=url)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path) -> None:
    url = _url()
    # Close this process's connections: a pooled one would hold locks (or,
    # on SQLite, a stale view of the file).
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(path)
        with _sqlite(str(path), read_only=True) as source, _sqlite(url.database) as target:
            source.backup(target)
    else:
        _run_pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(path),
            url=url,
            not_a_backup="er ikke en sikkerhedskopi fra pg_dump --format=custom",
        )


class _sqlite:
    """A plain sqlite3 connection (not SQLAlchemy's, which would open a
    transaction around VACUUM), closed at the end of the block."""

    def __init__(self, database: str, *, read_only: bool = False):
        if read_only:
            uri = Path(database).resolve().as_uri() + "?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True)
        else:
            self.conn = sqlite3.connect(database, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def _check_sqlite_backup(path: Path) -> None:
    """Refuse, before touching the database, a file that is not a SQLite
    database with this app's schema in it, or is damaged."""
    message = f"{path} er ikke en sikkerhedskopi af Tiltagstavlen (SQLite)."
    try:
        with _sqlite(str(path), read_only=True) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path} er beskadiget (PRAGMA quick_check).")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(message) from error
    if not {"alembic_version", "boards", "events"} <= tables:
        raise BackupError(message)


def _run_pg(tool: str, *args: str, url: sa.engine.URL, not_a_backup: str = "") -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} findes ikke: installér PostgreSQL's klientprogrammer "
            "(Debian: postgresql-client, mindst serverens hovedversion)."
        )
    env = {**os.environ, "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT}"}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    result = subprocess.run(
        [program, f"--dbname={libpq_url}", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = result.stderr.strip()[-1500:]
        if not_a_backup and "input file" in detail:
            raise BackupError(f"{args[-1]} {not_a_backup}.")
        raise BackupError(f"{tool} mislykkedes:\n{detail}")
