"""The two routes of sign-in with the organisation (board/auth/oidc.py):
/login/oidc sends the browser to the provider, /login/oidc/callback (the
redirect URI to register there) takes its answer.

Every failure answers the login page again with a Danish message and no
login: no LoginSession row, no user in the session cookie. Authlib raises
`MismatchingStateError` for a state that is not the one this browser was
sent off with (tampered, replayed, or another browser's), `OAuthError` when
the provider's token endpoint refuses the code (used before, expired,
wrong PKCE verifier) or the provider answered with an error, and joserfc's
`JoseError` for an id_token whose signature, issuer, audience, expiry or
nonce does not hold.
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import flash, redirect, request, session, url_for
from flask_login import login_user
from joserfc.errors import JoseError

from ..errors import Refused
from ..extensions import db
from . import bp, oidc
from .oidc_users import user_from_claims
from .sessions import start_login_session
from .views import SIGNED_IN_BY_PROVIDER, render_login, safe_next

log = logging.getLogger(__name__)

# Where to go after the callback (a session key).
NEXT_KEY = "oidc_next"


def _not_configured():
    flash("Log ind med organisationens login er ikke sat op her.", "info")
    return redirect(url_for("auth.login"))


def _unreachable(error: Exception):
    log.warning("OIDC provider unreachable: %s", type(error).__name__)
    return render_login(
        error=f"Der er ikke forbindelse til {oidc.display_name()} lige nu. Prøv igen om lidt.",
        status=502,
    )


@bp.get("/login/oidc")
def oidc_start():
    if not oidc.enabled():
        return _not_configured()
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    callback = url_for("auth.oidc_callback", _external=True)
    try:
        return oidc.client().authorize_redirect(callback)
    except requests.RequestException as error:
        return _unreachable(error)


@bp.get("/login/oidc/callback")
def oidc_callback():
    if not oidc.enabled():
        return _not_configured()
    name = oidc.display_name()
    try:
        token = oidc.client().authorize_access_token(
            claims_options=oidc.claims_options(), leeway=oidc.CLOCK_LEEWAY_SECONDS
        )
    except MismatchingStateError:
        log.info("OIDC callback refused: unknown state")
        return _refused(
            "Loginforsøget kunne ikke genkendes (det er udløbet, brugt før eller ændret "
            "undervejs). Prøv at logge ind igen.",
            400,
        )
    except OAuthError as error:
        log.info("OIDC callback refused by the provider: %s", error.error)
        if error.error == "access_denied":
            return _refused(f"Du blev ikke logget ind hos {name}. Prøv igen.", 401)
        return _refused(f"{name} godkendte ikke loginforsøget. Prøv at logge ind igen.", 400)
    except JoseError as error:
        # The claim's name, never its value or the token.
        claim = getattr(error, "claim", "")
        log.warning("OIDC id_token refused: %s %s", type(error).__name__, claim)
        return _refused(
            f"Svaret fra {name} kunne ikke godkendes (id-tokenet er ugyldigt, udløbet eller "
            "ikke til denne tjeneste). Prøv igen, og kontakt administrationen, hvis det "
            "fortsætter.",
            400,
        )
    except requests.RequestException as error:
        return _unreachable(error)
    claims = token.get("userinfo")
    if not claims:
        return _refused(f"{name} sendte intet id-token. Kontakt administrationen.", 400)
    try:
        user = user_from_claims(dict(claims), name)
    except Refused as refused:
        db.session.rollback()
        return _refused(refused.message, refused.status)
    start_login_session(user)
    db.session.commit()
    login_user(user)
    session[SIGNED_IN_BY_PROVIDER] = True
    return redirect(session.pop(NEXT_KEY, None) or url_for("boards.index"))


def _refused(message: str, status: int):
    db.session.rollback()
    session.pop(NEXT_KEY, None)
    return render_login(error=message, status=status)
