"""Comment text as HTML: plain text with its line breaks, and http(s) links
made clickable. Never raw HTML.

The text is cut into plain pieces and URLs; every piece is escaped before it
is put into the markup, so nothing the author typed can become a tag or an
attribute. Only `http://` and `https://` URLs become links (no `javascript:`,
no `data:`), and a link opens in a new tab with rel="noopener noreferrer".
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

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


def _linkify_line(line: str) -> Markup:
    parts: list[Markup] = []
    last = 0
    for match in URL_PATTERN.finditer(line):
        url, tail = _split_trailing(match.group(0))
        if len(url) <= len("https://"):
            continue
        parts.append(escape(line[last : match.start()]))
        parts.append(
            Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>').format(url)
        )
        parts.append(escape(tail))
        last = match.end()
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def comment_html(text: str | None) -> Markup:
    """Escaped text with <br> for line breaks and <a> for http(s) URLs."""
    return Markup("<br>").join(_linkify_line(line) for line in (text or "").split("\n"))
