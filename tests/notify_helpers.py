"""Helpers for the notification tests: a board with a leader, two MED
members and a card, and the notifications a user has."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from board.extensions import db
from board.models import Role
from board.notifications.models import Notification
from tests import factories


def notify_world():
    board = factories.make_board()
    leder = factories.make_user("lone@example.dk", name="Lone Leder", board=board, role=Role.LEDER)
    med = factories.make_user("mads@example.dk", name="Mads Med", board=board, role=Role.MED)
    med2 = factories.make_user("mette@example.dk", name="Mette Med", board=board, role=Role.MED)
    outsider = factories.make_user("ulla@example.dk", name="Ulla Udenfor")
    card = factories.make_initiative(board, "Ny takstmodel for STU", stage="planlagt")
    return SimpleNamespace(
        board=board, leder=leder, med=med, med2=med2, outsider=outsider, card=card
    )


def notes_of(user) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )
