"""Moving cards between and within columns: the rule (services.py), the
answer (fragments.py) and the endpoint (views.py)."""

from ..database import take_write_lock_late
from ..routing import BoardBlueprint

bp = BoardBlueprint("moves", __name__)


@bp.before_request
def _write_lock_late():
    # A move reads and checks (the user, the access, the card) before it
    # takes the board's lock; on SQLite the write lock is taken there too,
    # not at the request's first query (board/database.py).
    take_write_lock_late()


from . import views  # noqa: E402,F401  (registers the routes on bp)
