"""Moving cards between and within columns: the rule (services.py), the
answer (fragments.py) and the endpoint (views.py)."""

from ..database import take_write_lock_late
from ..routing import BoardBlueprint
from . import admission

bp = BoardBlueprint("moves", __name__)


@bp.before_request
def _write_lock_late():
    admission.admit()  # one move at a time per process (admission.py)
    # A move reads and checks (the user, the access, the card) before it
    # takes the board's lock; on SQLite the write lock is taken there too,
    # not at the request's first query (board/database.py).
    take_write_lock_late()


bp.teardown_request(admission.leave)


from . import views  # noqa: E402,F401  (registers the routes on bp)
