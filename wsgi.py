"""WSGI entry point: `flask --app wsgi ...`, `gunicorn wsgi:app`."""

from board import create_app

app = create_app()
