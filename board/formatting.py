"""Danish formatting of dates and text (Jinja filters: board/templating.py).

Dates use Babel's Danish locale ("15. marts 2023"); times are shown in
Copenhagen time with the Danish "kl. 14.05" style.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from markupsafe import Markup, escape

from .clock import LOCAL_TZ


def danish_date(value: date | datetime | None) -> str:
    """15. marts 2023"""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return format_date(value, "d. MMMM y", locale="da")


def danish_datetime(value: datetime | None) -> str:
    """15. marts 2023 kl. 14.05"""
    if value is None:
        return ""
    return format_datetime(value, "d. MMMM y 'kl.' HH.mm", tzinfo=LOCAL_TZ, locale="da")


def iso_datetime(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def multiline(text: str | None) -> Markup:
    """Escape text and keep its line breaks."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def danish_month(value: date) -> str:
    """Marts 2026 (a round's label in a tiltag's text history)."""
    text = format_date(value, "MMMM y", locale="da")
    return text[:1].upper() + text[1:]
