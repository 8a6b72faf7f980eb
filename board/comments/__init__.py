"""The comment log of a card: the rules (services.py), the text's markup
(text.py) and the views."""

from ..routing import BoardBlueprint

bp = BoardBlueprint("comments", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
