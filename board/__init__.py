"""Tiltagstavlen: a live kanban board for the strategy work of Norddjurs
Kommune's Socialområdet. `create_app` is the app factory (as in Flask's
tutorial)."""

from __future__ import annotations

import os

from flask import Flask

from . import config as config_module
from .extensions import csrf, db, login_manager, migrate
from .params import DatabaseIntConverter


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    # Before any blueprint adds a route: every <int:...> fits the database.
    app.url_map.converters["int"] = DatabaseIntConverter
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(config_module.Config)
    app.config.update(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config_module.check_production_settings(app.config)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import database, errors, security, templating, text_rules

    database.init_app(app)
    text_rules.install()  # the same text refused on SQLite and PostgreSQL
    templating.register(app)
    errors.register(app)
    security.init_app(app)

    # One blueprint per area, defined in the area's package (microblog's way).
    from . import (
        admin,
        auth,
        boards,
        comments,
        digests,
        editing,
        health,
        importer,
        live,
        meetings,
        moves,
        notifications,
        privacy,
        reports,
        rounds,
        share,
    )

    areas = (auth, admin, boards, moves, editing, comments, share, live, reports, importer, privacy)
    areas += (health, notifications, digests, rounds, meetings)
    for area in areas:
        app.register_blueprint(area.bp)
    live.init_app(app)

    from . import cli, mail  # noqa: F401  (mail: the outbox model; no blueprint)

    cli.register(app)
    return app
