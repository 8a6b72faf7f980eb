"""The board list, the board page and the card page (views.py); the read
model behind them (queries.py, history.py) and the page answers other areas
reuse (pages.py)."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("boards", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
