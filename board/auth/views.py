"""Log in, log out, and change one's own password.

Failed logins and wrong current passwords are throttled by `throttle.py`
(per e-mail and address pair with growing delays, per address with a cap,
per user for the password change), in the database so every worker counts
the same failures. A refused attempt gets its page again with a Danish
message saying how long to wait, status 429 and Retry-After. Each login is a
row (`sessions.py`) that logout deletes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Refused
from ..extensions import db
from . import bp, oidc, throttle
from .accounts import change_own_password
from .forms import ChangePasswordForm, LoginForm
from .passwords import authenticate
from .sessions import end_login_session, start_login_session

# Set in the session by a provider sign-in (oidc_views.py).
SIGNED_IN_BY_PROVIDER = "oidc_login"


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: an open redirect would help phishing."""
    if not target:
        return url_for("boards.index")
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[" and the like
        return url_for("boards.index")
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("boards.index")
    return target


def too_many_attempts(seconds: int) -> str:
    return (
        f"For mange mislykkede loginforsøg. Vent {throttle.danish_duration(seconds)}, "
        "og prøv igen. Har du glemt din adgangskode, kan administrationen nulstille den."
    )


def too_many_password_tries(seconds: int) -> str:
    return (
        "For mange forkerte forsøg med den nuværende adgangskode. "
        f"Vent {throttle.danish_duration(seconds)}, og prøv igen."
    )


def _wait_page(template: str, form, message: str, seconds: int, **context):
    response = make_response(render_template(template, form=form, error=message, **context), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _login_context(show_password: bool | None = None) -> dict:
    """What the login page offers: the provider's button, and whether the
    password form is shown (always while LOCAL_LOGIN is on)."""
    local = oidc.local_login_allowed()
    if show_password is None:
        show_password = local or request.args.get("adgangskode") == "1"
    return {
        "oidc_enabled": oidc.enabled(),
        "oidc_name": oidc.display_name(),
        "local_login": local,
        "show_password": show_password or request.method == "POST",
        "next_target": request.args.get("next") or "",
    }


def render_login(*, form=None, error: str | None = None, status: int = 200):
    """The login page (also the answer of a refused sign-in)."""
    form = form or LoginForm(formdata=None)
    return render_template("auth/login.html", form=form, error=error, **_login_context()), status


def wrong_password_message() -> str:
    if oidc.local_login_allowed():
        return "Forkert e-mail eller adgangskode."
    return (
        "Forkert e-mail eller adgangskode. Adgangskoder kan kun bruges af administratorer "
        f"(nødadgang); log ind med {oidc.display_name()}."
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        pair, address = keys = throttle.login_keys(form.email.data, request.remote_addr)
        wait = throttle.seconds_to_wait(keys)
        if wait:
            # Refused unchecked: while it waits, guessing on is pointless.
            db.session.rollback()
            return _wait_page(
                "auth/login.html", form, too_many_attempts(wait), wait, **_login_context()
            )
        user = authenticate(form.email.data, form.password.data)
        if user is not None and not (user.is_admin or oidc.local_login_allowed()):
            user = None  # LOCAL_LOGIN=off: a password is for administrators only
        if user is not None:
            throttle.forget(pair)
            start_login_session(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        throttle.record_failure(keys)
        db.session.commit()
        # The same message whether the e-mail or the password was wrong.
        error = wrong_password_message()
    status = 401 if error else 200
    return render_login(form=form, error=error, status=status)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions of the user end, this one
    goes on (logged in again under the new session nonce)."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/password.html", form=form), status
    user = current_user._get_current_object()
    key = throttle.password_change_key(user.id)
    wait = throttle.seconds_to_wait([key])
    if wait:
        db.session.rollback()
        form = ChangePasswordForm(formdata=None)
        return _wait_page("auth/password.html", form, too_many_password_tries(wait), wait)
    try:
        change_own_password(user, current=form.current_password.data, new=form.password.data)
    except Refused as refused:
        db.session.rollback()
        # Only a wrong current password counts, not a new one that breaks
        # the rules.
        if refused.field == "current_password":
            throttle.record_failure([key])
            db.session.commit()
        return render_template("auth/password.html", form=form, error=refused.message), 422
    throttle.forget(key)
    db.session.commit()
    login_user(user)  # the same login, under the new nonce
    flash(
        "Din adgangskode er skiftet. Andre steder, du var logget ind, er du nu logget ud.",
        "success",
    )
    return redirect(url_for("boards.index"))


@bp.post("/logout")
@login_required
def logout():
    end_login_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("Du er logget ud.", "info")
    login_page = url_for("auth.login")
    if session.pop(SIGNED_IN_BY_PROVIDER, False) and oidc.enabled():
        provider_logout = oidc.logout_url(url_for("auth.login", _external=True))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(login_page)
