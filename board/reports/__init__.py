"""Reports: the status as of a date (replay.py over the Event log), what
changed since a date, published (frozen) reports, and their .docx, .xlsx
and .csv renderings (report.py, exports.py)."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("reports", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
