"""`GET /healthz` for load balancers and monitoring, and the benchmarks'
trivial route: no session, no template, one cheap query."""

from flask import Blueprint
from flask.sessions import SecureCookieSessionInterface

bp = Blueprint("health", __name__)
HEALTH_PATH = "/healthz"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except for /healthz, which gets no
    session at all: nothing is read from a cookie, and no cookie is set or
    refreshed (a probe must not keep a browser's session alive either)."""

    def open_session(self, app, request):
        if request.path == HEALTH_PATH:
            return None  # Flask uses a null session, which is never saved
        return super().open_session(app, request)


@bp.record_once
def _sessions_without_health(state) -> None:
    state.app.session_interface = SessionInterface()


from . import views  # noqa: E402,F401  (registers the route on bp)
