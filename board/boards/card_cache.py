"""Rendered cards, remembered by what they show.

A board page renders every card through the `render_card` macro
(templates/boards/_card_macros.html). At thousands of cards the macro calls
and their escaping are most of the page's time, and between two loads of a
board almost every card is the same. So a card's HTML is kept, per process,
under a key made of everything the macro reads:

* the card's `CardSummary` (a named tuple of every value the card shows:
  title, status line, column, position, version, owner, vurdering, comment
  count, the theme's and objective's labels, the viewer's "Ændret siden dit
  sidste besøg" marker ...; a search's marked title is told from a plain one
  by its type), and
* `BoardAccess.card_key`: what the viewer changes in the markup (the board,
  the share token in the card URLs, whether move controls and comment
  counts are shown).

The macros read nothing else (no template global, no request state): a
value a card shows belongs in its `CardSummary`, or it would be kept stale.

A key is its own check: any change to what the card shows is a new key, so
there is nothing to invalidate, and an old entry is only memory until the
least recently used ones are dropped (`MAX_CARDS`). The normal and the compact
card (`?visning=kompakt`) have a cache each; a new macro (templates reloaded
in development) starts a new cache.

Only the plain card of a column list goes through here; out-of-band
variants of live updates (`oob=`) are rendered directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from markupsafe import Markup

MAX_CARDS = 20_000  # about 1 KiB each


def _key(card, viewer) -> tuple:
    # Markup("a") == "a": a search's marked title or status line (Markup with
    # <mark>, board/boards/search.py) must not meet a plain one that happens
    # to hold the same characters.
    marked = (
        isinstance(getattr(card, "title", None), Markup),
        isinstance(getattr(card, "status_first_line", None), Markup),
    )
    return (card, marked, viewer)


class CardCache:
    def __init__(self, max_cards: int = MAX_CARDS) -> None:
        self.max_cards = max_cards
        self._lock = threading.Lock()
        self._cards: OrderedDict = OrderedDict()
        self._macro = None

    def render_cards(self, macro, cards, access) -> Markup:
        """The cards' HTML, one after the other, rendered by `macro` where
        not already known."""
        viewer = access.card_key
        with self._lock:
            if macro is not self._macro:
                self._cards.clear()
                self._macro = macro
            known = self._cards
            parts, missing = [], []
            for card in cards:
                key = _key(card, viewer)
                html = known.get(key)
                if html is None:
                    missing.append(len(parts))
                    parts.append((key, card))
                else:
                    known.move_to_end(key)
                    parts.append(html)
        if missing:
            # Rendered outside the lock: other requests keep reading meanwhile.
            fresh = {}
            for index in missing:
                key, card = parts[index]
                parts[index] = fresh[key] = macro(card, access)
            with self._lock:
                if macro is self._macro:
                    known.update(fresh)
                    while len(known) > self.max_cards:
                        known.popitem(last=False)
        return Markup("").join(parts)


MACROS = {
    False: ("boards/_card_macros.html", "render_card"),
    True: ("boards/_compact_card.html", "render_compact_card"),  # ?visning=kompakt
}


def render_cards(cards, access, compact: bool = False) -> Markup:
    """Template global: a list of cards, as the normal or the compact card
    (see the module docstring)."""
    template, name = MACROS[bool(compact)]
    macro = getattr(current_app.jinja_env.get_template(template).module, name)
    caches = current_app.extensions.setdefault("tiltag_card_cache", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = CardCache()
    return cache.render_cards(macro, cards, access)
