"""The daily and weekly e-mail digests of notifications: `flask send-digests`
(run from cron). An area of its own because it reads the reports area's
"Ændringer siden" logic, which reads the Event log, whose hook is in
board/notifications."""

from flask import Blueprint

bp = Blueprint("digests", __name__, cli_group=None)

from . import cli  # noqa: E402,F401  (registers the command on bp)
