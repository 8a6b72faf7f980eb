"""The provider's Flask app: Authlib's AuthorizationServer with the
authorization code grant, OpenID Connect's id_token (OpenIDCode), PKCE
(CodeChallenge, required) and RP-initiated logout (EndSessionEndpoint).
Everything is kept in memory: one provider process serves one test run,
and /_control/reset starts each test afresh."""

from __future__ import annotations

import hmac
import html
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core import grants as oidc_grants
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, abort, jsonify, request, session
from joserfc.jwk import KeySet, RSAKey

KEY_ID = "test-provider-key"
SCOPES = ("openid", "email", "profile")


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(self.client_secret, client_secret or "")

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint == "token":
            return method in ("client_secret_basic", "client_secret_post")
        return True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    username: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))
    expires_at: float = field(default_factory=lambda: time.time() + 300)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def is_expired(self):
        return time.time() > self.expires_at


class State:
    """What the provider knows: its clients, people, codes, and how it is
    told to misbehave; plus counters the tests read back."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key = _new_key()
        self.other_key = _new_key()  # same kid, never published
        self.reset({})

    def reset(self, setup: dict) -> None:
        self.clients = {c["client_id"]: Client(**c) for c in setup.get("clients", [])}
        self.users = {u["username"]: u for u in setup.get("users", [])}
        self.codes: dict[str, AuthorizationCode] = {}
        self.behaviour: dict = {}
        self.stats = {"token_requests": 0, "token_errors": [], "logouts": 0, "logins": 0}


def create_provider(issuer: str, control_token: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(16)
    # The app under test also lives on 127.0.0.1, and cookies ignore ports.
    app.config["SESSION_COOKIE_NAME"] = "provider_session"
    state = State()

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            state.codes[code] = AuthorizationCode(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope,
                username=request.user["username"],
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            item = state.codes.get(code)
            if item and item.client_id == client.get_client_id():
                return item
            return None

        def delete_authorization_code(self, authorization_code):
            # Used once: a replayed code is unknown (invalid_grant).
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return state.users.get(authorization_code.username)

    class OpenIDCode(oidc_grants.OpenIDCode):
        def exists_nonce(self, nonce, request):
            return any(code.nonce == nonce for code in state.codes.values())

        def resolve_client_private_key(self, client):
            return state.other_key if state.behaviour.get("other_key") else state.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KEY_ID}

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if state.behaviour.get("nonce"):
                claims["nonce"] = state.behaviour["nonce"]
            return claims

        def get_client_claims(self, client):
            now = int(time.time())
            claims = {
                "iss": state.behaviour.get("iss") or issuer,
                "aud": [state.behaviour.get("aud") or client.client_id],
            }
            if state.behaviour.get("expired"):
                claims.update(iat=now - 7200, exp=now - 3600, auth_time=now - 7200)
            else:
                claims.update(iat=now, exp=now + 600)
            return claims

        def generate_user_info(self, user, scope):
            return UserInfo(
                sub=user["sub"],
                email=user["email"],
                name=user["name"],
                groups=list(user.get("groups", [])),
            )

    class EndSession(EndSessionEndpoint):
        def get_server_jwks(self):
            return KeySet([state.key]).as_dict(private=False)

        def end_session(self, end_session_request):
            session.pop("username", None)
            state.stats["logouts"] += 1

        def is_post_logout_redirect_uri_legitimate(self, request, uri, client, logout_hint):
            return True  # registered for the client (checked before this)

    server = AuthorizationServer(
        app,
        query_client=lambda client_id: state.clients.get(client_id),
        save_token=lambda t, r: None,
    )
    server.register_grant(CodeGrant, [OpenIDCode(require_nonce=True), CodeChallenge(required=True)])
    server.register_endpoint(EndSession)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            jwks_uri=f"{issuer}/jwks",
            end_session_endpoint=f"{issuer}/logout",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=list(SCOPES),
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
            claims_supported=["sub", "email", "name", "groups"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([state.key]).as_dict(private=False))

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        try:
            grant = server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return f"Ugyldig anmodning: {html.escape(error.error)}", 400
        if request.method == "POST":
            user = state.users.get(request.form.get("username", ""))
            if user is None or not hmac.compare_digest(
                user["password"], request.form.get("password", "")
            ):
                return _login_page(grant, error="Forkert brugernavn eller adgangskode."), 401
            session["username"] = user["username"]
            state.stats["logins"] += 1
            return server.create_authorization_response(grant_user=user, grant=grant)
        remembered = state.users.get(session.get("username", ""))
        if remembered is not None:  # single sign-on: signed in here already
            return server.create_authorization_response(grant_user=remembered, grant=grant)
        return _login_page(grant)

    @app.post("/token")
    def token():
        state.stats["token_requests"] += 1
        response = server.create_token_response()
        if response.status_code != 200:
            state.stats["token_errors"].append(response.get_json().get("error"))
        return response

    @app.route("/logout", methods=["GET", "POST"])
    def logout():
        response = server.create_endpoint_response("end_session")
        return response or "<!doctype html><title>Logget ud</title><p>Du er logget ud.</p>"

    def _control():
        if not hmac.compare_digest(request.headers.get("X-Control-Token", ""), control_token):
            abort(403)

    @app.post("/_control/reset")
    def control_reset():
        _control()
        with state.lock:
            state.reset(request.get_json())
        return jsonify(ok=True)

    @app.post("/_control/users")
    def control_users():
        _control()
        with state.lock:
            for user in request.get_json():
                state.users[user["username"]] = user
        return jsonify(ok=True)

    @app.post("/_control/behaviour")
    def control_behaviour():
        _control()
        state.behaviour = request.get_json()
        return jsonify(ok=True)

    @app.get("/_control/stats")
    def control_stats():
        _control()
        return jsonify(state.stats)

    return app


def _login_page(grant, error: str | None = None) -> str:
    """The provider's own login page (the one Chromium fills in). The form
    posts back to the same URL, so the authorization request goes along."""
    message = f'<p role="alert" class="error">{html.escape(error)}</p>' if error else ""
    client = html.escape(grant.client.client_id)
    return f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Testudbyder: log ind</title></head>
<body><main>
<h1>Testudbyderen</h1>
<p>Log ind for at fortsætte til {client}.</p>
{message}
<form method="post">
  <label for="username">Brugernavn</label>
  <input id="username" name="username" autocomplete="username">
  <label for="password">Adgangskode</label>
  <input id="password" name="password" type="password">
  <button type="submit">Log ind hos testudbyderen</button>
</form>
</main></body></html>"""
