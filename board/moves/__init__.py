"""Moving cards between and within columns: the rule (services.py), the
answer (fragments.py) and the endpoint (views.py)."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("moves", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
