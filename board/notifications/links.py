"""Absolute URLs for mails and calendar feeds, under PUBLIC_BASE_URL, built
from the URL map without a request (the digest command runs from cron)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def _adapter():
    # Bound once per app and base URL: a comment's fan-out builds many links.
    base_url = current_app.config["PUBLIC_BASE_URL"]
    cached = current_app.extensions.get("tiltag_url_adapter")
    if cached is None or cached[0] != base_url:
        base = urlsplit(base_url)
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
        )
        cached = current_app.extensions["tiltag_url_adapter"] = (base_url, adapter)
    return cached[1]


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    url = _adapter().build(endpoint, values, force_external=True)
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
