"""Who a person signed in by the identity provider is here.

`user_from_claims(claims)` takes the id_token's claims (already checked by
Authlib: signature, issuer, audience, expiry, nonce) and returns the user to
log in, or raises Refused with a Danish message:

* matched by the provider's subject (`sub`) once linked; else by e-mail,
  case-insensitively, which links the subject to that account; else a new
  user (no password: they can only sign in through the provider);
* a deactivated user is refused, whatever the provider says;
* name and e-mail are refreshed from the claims at every sign-in;
* the roles from groups are applied (group_roles.py).

The caller starts the login session and commits. Each sign-in is logged
with the user's id, never a token or a claim's value.
"""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from flask import current_app

from ..errors import Refused
from ..extensions import db
from ..models import User
from .accounts import EMAIL_MAX, NAME_MAX, normalize_email
from .group_roles import apply_group_roles, normalize_groups
from .passwords import find_user_by_email

log = logging.getLogger(__name__)

SUBJECT_MAX = 255


def user_from_claims(claims: dict, display_name: str) -> User:
    config = current_app.config
    subject = str(claims.get("sub") or "").strip()
    if not subject or len(subject) > SUBJECT_MAX:
        raise Refused(f"Svaret fra {display_name} mangler brugerens id. Prøv igen.", 400)
    email = normalize_email(_text(claims.get(config["OIDC_EMAIL_CLAIM"])))
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise Refused(
            f"{display_name} sendte ingen gyldig e-mailadresse for dig, så du kan ikke "
            "logges ind. Kontakt administrationen.",
            403,
        )
    name = _text(claims.get(config["OIDC_NAME_CLAIM"])).strip()[:NAME_MAX] or email

    user = db.session.scalar(sa.select(User).where(User.oidc_subject == subject))
    if user is None:
        user = find_user_by_email(email)
        if user is not None and user.oidc_subject and user.oidc_subject != subject:
            raise Refused(
                f"E-mailadressen {email} hører til en anden konto hos {display_name}. "
                "Kontakt administrationen.",
                409,
            )
    if user is not None and not user.active:
        log.info("OIDC sign-in refused: user %s is deactivated", user.id)
        raise Refused("Din konto er deaktiveret. Kontakt administrationen.", 403)
    if user is None:
        user = _create(subject, email, name)
    else:
        _refresh(user, subject, email, name, display_name)
    groups = normalize_groups(claims.get(config["OIDC_GROUPS_CLAIM"]))
    changes = apply_group_roles(user, groups, config.get("OIDC_ADMIN_GROUPS") or ())
    log.info("OIDC sign-in of user %s (%s role changes from groups)", user.id, changes)
    return user


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _create(subject: str, email: str, name: str) -> User:
    user = User(
        email=email,
        name=name,
        password_hash="",  # no password: sign-in through the provider only
        is_admin=False,
        active=True,
        session_nonce=secrets.token_hex(16),
        oidc_subject=subject,
    )
    db.session.add(user)
    db.session.flush()
    log.info("user %s created at first OIDC sign-in", user.id)
    return user


def _refresh(user: User, subject: str, email: str, name: str, display_name: str) -> None:
    if user.oidc_subject != subject:
        user.oidc_subject = subject
        log.info("user %s linked to the identity provider", user.id)
    if user.email != email:
        taken = find_user_by_email(email)
        if taken is not None and taken.id != user.id:
            raise Refused(
                f"{display_name} har givet dig e-mailen {email}, men den bruges af en anden "
                "konto her. Kontakt administrationen.",
                409,
            )
        log.info("user %s: e-mail refreshed from the identity provider", user.id)
        user.email = email
    user.name = name
