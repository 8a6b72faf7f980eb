"""Log in, log out, and change one's own password.

Failed logins are rate limited twice (Flask-Limiter): per account (the
e-mail typed, known or not, so the answer reveals nothing) and per client
address. Only failed attempts count (`deduct_when`), so colleagues behind one
municipal network address do not lock each other out by logging in. The
limits are settings (LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Refused
from ..extensions import db, limiter
from . import bp
from .accounts import change_own_password
from .forms import ChangePasswordForm, LoginForm
from .passwords import authenticate


def _safe_next(target: str | None) -> str:
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


TOO_MANY_ATTEMPTS = (
    "For mange mislykkede loginforsøg. Vent et kvarter, og prøv igen. "
    "Har du glemt din adgangskode, kan administrationen nulstille den."
)


def _account_key() -> str:
    # The e-mail as typed (normalised), hashed so that the limiter's storage
    # and log lines hold no e-mail addresses.
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()


def _address_key() -> str:
    return "login-address:" + (get_remote_address() or "unknown")


def _failed(response) -> bool:
    return response.status_code == 401


def limit_failures(setting: str, *, key, failed, message: str, scope: str):
    """A limit on the failed POSTs to a view: `setting` names the config
    value ("10 per 15 minutes"), `failed(response)` says what counts."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key,
        methods=["POST"],
        deduct_when=failed,
        error_message=message,
        scope=scope,
    )


@bp.route("/login", methods=["GET", "POST"])
@limit_failures(
    "LOGIN_LIMIT_PER_ACCOUNT",
    key=_account_key,
    failed=_failed,
    message=TOO_MANY_ATTEMPTS,
    scope="login-account",
)
@limit_failures(
    "LOGIN_LIMIT_PER_ADDRESS",
    key=_address_key,
    failed=_failed,
    message=TOO_MANY_ATTEMPTS,
    scope="login-address",
)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        # The same message whether the e-mail or the password was wrong.
        error = "Forkert e-mail eller adgangskode."
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.errorhandler(429)
def too_many_attempts(error):
    """The page the attempt came from, with the Danish message, and 429."""
    if request.endpoint == "auth.change_password":
        form = ChangePasswordForm(formdata=None)
        return render_template("auth/password.html", form=form, error=TOO_MANY_PASSWORD_TRIES), 429
    form = LoginForm(formdata=None, email=request.form.get("email", ""))
    message = error.description if error.description else TOO_MANY_ATTEMPTS
    return render_template("auth/login.html", form=form, error=message), 429


TOO_MANY_PASSWORD_TRIES = (
    "For mange forkerte forsøg med den nuværende adgangskode. Vent et kvarter, og prøv igen."
)


def _user_key() -> str:
    return f"password-change:{current_user.get_id()}"


def _wrong_current_password(response) -> bool:
    # Only a wrong current password counts, not a form with other errors
    # (both answer 422): the view says which it was.
    return g.get("wrong_current_password", False)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limit_failures(
    "LOGIN_LIMIT_PER_ACCOUNT",
    key=_user_key,
    failed=_wrong_current_password,
    message=TOO_MANY_PASSWORD_TRIES,
    scope="password-change",
)
def change_password():
    """Change one's own password; other sessions of the user end, this one
    goes on (logged in again under the new session nonce)."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/password.html", form=form), status
    user = current_user._get_current_object()
    try:
        change_own_password(user, current=form.current_password.data, new=form.password.data)
    except Refused as refused:
        db.session.rollback()
        g.wrong_current_password = refused.field == "current_password"
        return render_template("auth/password.html", form=form, error=refused.message), 422
    db.session.commit()
    login_user(user)
    flash(
        "Din adgangskode er skiftet. Andre steder, du var logget ind, er du nu logget ud.",
        "success",
    )
    return redirect(url_for("boards.index"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("Du er logget ud.", "info")
    return redirect(url_for("auth.login"))
