"""Comment text as HTML: plain text with its line breaks, and http(s) links
made clickable. Never raw HTML.

The text is cut into plain pieces and URLs; every piece is escaped before it
is put into the markup, so nothing the author typed can become a tag or an
attribute. Mentions (`@[user:ID]`, board/notifications/mentions.py) show
the user's current name. Only `http://` and `https://` URLs become links (no `javascript:`,
no `data:`), and a link opens in a new tab with rel="noopener noreferrer".
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from ..notifications.mentions import TOKEN as MENTION_TOKEN
from ..notifications.mentions import user_names

# A URL runs to the next whitespace or character that cannot be in one.
URL_PATTERN = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the URL ("se https://x.dk.").
TRAILING = ".,;:!?)]}»"


def _split_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end > 0 and url[end - 1] in TRAILING:
        # Keep a closing parenthesis that closes one in the URL (Wikipedia style).
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def _with_mentions(text: str) -> Markup:
    """Escaped text with each `@[user:ID]` shown as the user's current name."""
    if "@[user:" not in text:
        return escape(text)
    names = user_names()
    parts: list[Markup] = []
    last = 0
    for match in MENTION_TOKEN.finditer(text):
        name = names.get(int(match.group(1)), "ukendt bruger")
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<span class="mention">@{0}</span>').format(name))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _linkify_line(line: str) -> Markup:
    parts: list[Markup] = []
    last = 0
    for match in URL_PATTERN.finditer(line):
        url, tail = _split_trailing(match.group(0))
        if len(url) <= len("https://"):
            continue
        parts.append(_with_mentions(line[last : match.start()]))
        parts.append(
            Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>').format(url)
        )
        parts.append(_with_mentions(tail))
        last = match.end()
    parts.append(_with_mentions(line[last:]))
    return Markup("").join(parts)


def comment_html(text: str | None) -> Markup:
    """Escaped text with <br> for line breaks and <a> for http(s) URLs."""
    return Markup("<br>").join(_linkify_line(line) for line in (text or "").split("\n"))
