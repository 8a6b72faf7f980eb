"""Sign-in with the organisation's identity provider: OpenID Connect
Authorization Code flow with PKCE, by Authlib's Flask client.

Authlib does the protocol: discovery (OIDC_ISSUER +
/.well-known/openid-configuration), the state and nonce (kept in the signed
session cookie between the redirect and the callback), the PKCE verifier
(S256), the code exchange, and the id_token's checks: the JWKS signature,
issuer, audience, expiry and nonce. This module only builds the client per
app and says which claims are required; what a signed-in person becomes
here (user, roles) is board/auth/oidc_users.py, the routes oidc_views.py.

With OIDC_ISSUER empty nothing here is used and the login page is the
password form alone.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

CLIENT_NAME = "organisation"
EXTENSION_KEY = "tiltag_oidc"
DISCOVERY_PATH = "/.well-known/openid-configuration"
# Seconds of clock difference between the provider and us that an id_token's
# exp/iat may be off by (Authlib's default is 120).
CLOCK_LEEWAY_SECONDS = 60
# Network calls to the provider (discovery, token, JWKS).
PROVIDER_TIMEOUT_SECONDS = 10


def init_app(app: Flask) -> None:
    """Register the provider as an Authlib client when OIDC_ISSUER is set.
    Nothing is fetched yet: discovery happens at the first sign-in."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET") or None,
        server_metadata_url=issuer.rstrip("/") + DISCOVERY_PATH,
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
            # A public client (no secret) authenticates with PKCE alone.
            **(
                {}
                if app.config.get("OIDC_CLIENT_SECRET")
                else {"token_endpoint_auth_method": "none"}
            ),
        },
    )
    app.extensions[EXTENSION_KEY] = oauth


def enabled() -> bool:
    return EXTENSION_KEY in current_app.extensions


def client():
    """The app's provider client (call only when `enabled()`)."""
    return current_app.extensions[EXTENSION_KEY].create_client(CLIENT_NAME)


def display_name() -> str:
    return current_app.config.get("OIDC_DISPLAY_NAME") or "din organisation"


def local_login_allowed() -> bool:
    """LOCAL_LOGIN=off: passwords are for administrators only (break-glass)."""
    return bool(current_app.config.get("LOCAL_LOGIN", True))


def claims_options() -> dict:
    """Checks on the id_token beyond Authlib's defaults: the issuer must be
    the discovered one and the audience must include our client id (Authlib
    alone only checks `azp` when the audience is someone else)."""
    metadata = client().load_server_metadata()
    return {
        "iss": {"essential": True, "values": [metadata.get("issuer")]},
        "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]},
        "sub": {"essential": True},
    }


def logout_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to end the provider's session too
    (RP-initiated logout), or None when the provider offers no
    end_session_endpoint. Without an id_token_hint (no token is kept):
    the client id says which application asks, and the provider redirects
    back only to a post-logout URI registered for it."""
    oidc = client()
    try:
        metadata = oidc.load_server_metadata()
    except Exception:  # noqa: BLE001  the provider is away: logging out here is enough
        current_app.logger.warning("OIDC discovery failed at logout")
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return oidc.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=oidc.client_id
    )["url"]
