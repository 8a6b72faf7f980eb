"""Personal data: what the audit trail records about staff (a page anyone
can read), and removing personal data (services.py; the admin pages that
call it are on the admin blueprint, behind its administrator check)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
