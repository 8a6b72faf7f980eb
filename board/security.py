"""Security headers and the Flask-Login wiring (who is the current user)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, redirect, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth.sessions import user_for_session_id
from .extensions import login_manager
from .htmx import is_htmx
from .models import User

# No inline script or style anywhere: every script is a static file, so an
# injected <script> cannot run even if escaping were ever missed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "<id>:<nonce>:<login token>"; a changed nonce (password
    reset, deactivation), an inactive user or an ended login (logout) ends
    the session (board/auth/sessions.py)."""
    return user_for_session_id(session_id)


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Anonymous: to the login page. For htmx requests a redirect would be
    swapped into a card, so answer 401 and let htmx navigate (HX-Redirect)."""
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        response = Response("Log ind for at fortsætte.", status=401)
        response.headers["HX-Redirect"] = login_url
        return response
    return redirect(login_url)


NUL_REFUSED = (
    "Teksten indeholder et ugyldigt tegn (et NUL-tegn), som ikke kan gemmes. "
    "Fjern det, og prøv igen."
)


def refuse_nul_characters() -> None:
    """A NUL character in a query or form value: 400, before any view runs.
    PostgreSQL cannot store one in text (SQLite silently would), so the same
    request must fail the same clear way on both databases."""
    for values in (request.args, request.form):
        for _, items in values.lists():
            if any("\x00" in item for item in items):
                abort(400, description=NUL_REFUSED)


def init_app(app) -> None:
    login_manager.login_message = "Log ind for at se siden."
    login_manager.login_message_category = "info"
    app.before_request(refuse_nul_characters)
    # Production only, and on every response, https or not: a browser ignores
    # the header over plain http (RFC 6797, 8.1), so sending it always cannot
    # hurt and does not hang on the proxy passing X-Forwarded-Proto. No
    # includeSubDomains: other hosts of the domain are not ours to pin.
    csp = _with_provider_logout(CONTENT_SECURITY_POLICY, app.config.get("OIDC_ISSUER"))
    max_age = app.config.get("HSTS_MAX_AGE") or 0
    hsts = f"max-age={max_age}" if max_age > 0 else None

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if is_share_path():
            # The token is in the URL: never send it on to another site, and
            # keep links from public agendas out of search engines.
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        else:
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    from .log_redaction import install_werkzeug_filter

    install_werkzeug_filter()

    # Outermost first: the proxy's headers are applied before the cookie
    # rule looks at the scheme.
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _with_provider_logout(policy: str, issuer: str | None) -> str:
    """The logout button's POST ends in a redirect to the identity
    provider's end_session_endpoint (RP-initiated logout), and browsers
    apply form-action to a form's redirects too: allow the issuer's origin."""
    if not issuer:
        return policy
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return policy.replace("form-action 'self'", f"form-action 'self' {origin}")


def is_share_path() -> bool:
    """Every share-link (read-only) route lives under /s/<token>/."""
    return request.path.startswith("/s/")


class SecureCookiesOverHttps:
    """WSGI middleware: a response served over https marks every cookie
    Secure (the session, the remember-me cookie, any other), whatever
    SESSION_COOKIE_SECURE says. It wraps the whole app because the session
    and remember-me cookies are written after the app's after_request hooks.
    Behind a proxy, set TRUSTED_PROXIES so the scheme is the client's."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "; secure" not in value.lower()
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)
