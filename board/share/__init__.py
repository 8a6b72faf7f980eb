"""Read-only share links: where a leder or admin of a board creates, lists
and revokes them (views.py, services.py). The pages a committee member sees
through a link are the members' pages' share twins, registered by each area
with `share=True` (board/routing.py); every one of them is under
/s/<token>/, GET only."""

from ..routing import BoardBlueprint
from .visits import record_share_visit

bp = BoardBlueprint("share", __name__)
bp.after_app_request(record_share_visit)

from . import views  # noqa: E402,F401  (registers the routes on bp)
