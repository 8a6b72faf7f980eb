"""Status rounds: a board's half-yearly "status til udvalget" as a workflow
(services.py: open, complete, remind, close; report.py: the frozen report a
closed round publishes; queries.py: what the pages read; views.py: the
pages, and "Mine opgaver" at /mine; cli.py: `flask round open|close`)."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("rounds", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
