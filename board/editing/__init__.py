"""Creating, editing, archiving and restoring tiltag (views.py,
services.py) and the board's structure (structure_views.py, structure.py),
on one blueprint."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("editing", __name__)

from . import structure_views, views  # noqa: E402,F401  (register the routes on bp)
