"""Keep share-link tokens out of access logs.

A share link's token is its only credential and sits in the URL path
(/s/<token>/...). Access logs (gunicorn's, and Werkzeug's in development)
would write it down; these helpers replace it with "/s/[token]" (and the
same for a calendar feed's token and an unsubscribe key).
"""

from __future__ import annotations

import logging
import re

_SHARE_TOKEN = re.compile(r"/s/[^/?#\s\"]+")
# The private calendar feeds' tokens and the unsubscribe keys (board/notifications).
_URL_SECRET = re.compile(r"/(calendar|unsubscribe)/[^/?#\s\"]+")


def redact(text):
    if not isinstance(text, str):
        return text
    return _URL_SECRET.sub(r"/\1/[token]", _SHARE_TOKEN.sub("/s/[token]", text))


class RedactShareTokens(logging.Filter):
    """A logging filter: redacts the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        return True


def install_werkzeug_filter() -> None:
    """The development server's request log (`flask run`)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactShareTokens) for f in logger.filters):
        logger.addFilter(RedactShareTokens())


try:  # gunicorn is only there when serving in production
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger with share tokens redacted from the access log
        (`logger_class` in gunicorn.conf.py)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            # Every atom: the request line, the path, the referer, and the
            # environ and header atoms ({raw_uri}e, {referer}i, ...).
            return {key: redact(value) for key, value in atoms.items()}
