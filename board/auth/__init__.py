"""Signing in and out, and one's own password (the views); accounts and
password hashing as plain functions (accounts.py, passwords.py)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
