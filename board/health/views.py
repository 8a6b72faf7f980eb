"""`GET /healthz`: 200 "ok" when the database answers `SELECT 1`, else 503.

It reads no session and sets no cookie (a load balancer's probe must not
start sessions, and a browser's cookie must not be refreshed by it), renders
no template and loads no user, so it also serves the benchmarks as the floor
of what any request costs."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import database_unavailable, log_database_unavailable
from ..extensions import db
from . import HEALTH_PATH, bp

HEADERS = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get(HEALTH_PATH)
def healthz():
    # No session here (see SessionInterface in __init__.py).
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except sa.exc.SQLAlchemyError as error:
        if not database_unavailable(error):
            raise
        log_database_unavailable(error, "GET /healthz")
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            pass  # the connection is gone; the pool replaces it
        return "database unavailable\n", 503, {**HEADERS, "Retry-After": "5"}
    return "ok\n", 200, HEADERS
