"""Meetings (møder) on a board: tiltag flagged "Til drøftelse", the agenda,
the projector view that every open page follows live, decisions and action
points (Events on the card), and the referat as .docx and PDF, frozen when
published.

* `agenda.py`: what a new meeting's agenda proposes;
* `services.py`: the domain functions (flag, create, agenda, the item on
  the screen, decisions, action points, publishing);
* `queries.py`: what the pages read; `referat.py`: the minutes as data,
  `referat_docx.py` / `referat_pdf.py`: the files;
* `views.py`: the routes (members and, read-only, share links).
"""

from ..routing import BoardBlueprint

bp = BoardBlueprint("meetings", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
