"""Live updates: every open board follows the Event log as it is committed.

See `docs/ARCHITECTURE.md` ("Live updates") for the whole picture:
`views.py` (the SSE endpoints and the partials a page re-reads),
`stream.py` (one stream), `messages.py` (Event -> SSE message), `feed.py`
(one read per change shared by the streams of a board),
`broker.py` (in-process wake-ups), `publisher.py` (after-commit hooks:
NOTIFY and local wake-up), `listener.py` (PostgreSQL LISTEN), `watcher.py`
(polling and presence upkeep), `presence.py` ("4 ser med"), `runtime.py`
(the per-process threads).
"""

from __future__ import annotations

import weakref

from ..routing import BoardBlueprint
from . import publisher
from .runtime import LiveRuntime

bp = BoardBlueprint("live", __name__)
_runtimes: weakref.WeakSet = weakref.WeakSet()


def init_app(app) -> None:
    publisher.install()
    runtime = LiveRuntime(app)
    app.extensions["tiltag_live"] = runtime
    _runtimes.add(runtime)


def close_all() -> None:
    """End every open stream of this process (the server is stopping)."""
    for runtime in list(_runtimes):
        runtime.close()


def runtime_for(app) -> LiveRuntime:
    return app.extensions["tiltag_live"]


from . import views  # noqa: E402,F401  (registers the routes on bp)
