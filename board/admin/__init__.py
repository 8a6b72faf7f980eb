"""Administration (administrators only): users, their board roles, and each
board's members. Every route is behind `require_admin` (blueprint-wide), so
a new route here cannot forget the check."""

from flask import Blueprint

from ..access import require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def only_administrators():
    require_admin()


from . import group_views, outbox_views, privacy_views, views  # noqa: E402,F401  (registers the routes on bp)
