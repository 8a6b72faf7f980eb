"""Signing in and out, and one's own password (the views); accounts and
password hashing as plain functions (accounts.py, passwords.py); sign-in
with the organisation's identity provider (oidc*.py) and the roles its
groups give (group_roles.py)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _set_up_provider(state) -> None:
    from . import oidc

    oidc.init_app(state.app)


from . import oidc_views, views  # noqa: E402,F401  (registers the routes on bp)
