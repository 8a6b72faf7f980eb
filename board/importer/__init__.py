"""Import of existing status tables (Word .docx or pasted, .csv, .xlsx) as a
new board: reading (sources.py, docx_source.py, table.py, archive.py,
cells.py), the column roles (roles.py), the rules (parser.py), writing
(services.py), and the pages (views.py) and command (cli.py)."""

from flask import Blueprint

bp = Blueprint("importer", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
