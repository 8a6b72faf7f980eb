"""Absolute URLs for mails and calendar feeds, under PUBLIC_BASE_URL, built
from the URL map without a request (the digest command runs from cron)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def card_url(board_id: int, initiative_id: int, comment_id: int | None = None) -> str:
    anchor = f"comment-{comment_id}" if comment_id else None
    return absolute_url(
        "boards.initiative", _anchor=anchor, board_id=board_id, initiative_id=initiative_id
    )


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058: a one-click unsubscribe by POST to `url`."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
