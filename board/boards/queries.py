"""Read models for the board page: a fixed handful of queries whatever the
number of cards (see bench/board_render.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import (
    STAGES,
    Board,
    Comment,
    Health,
    Initiative,
    Membership,
    Objective,
    RoundItem,
    Stage,
    StatusRound,
    Theme,
    User,
)
from ..notifications.visits import changed_card_ids
from ..params import parse_id
from . import search

# Eight theme colours (CSS classes theme-c0 .. theme-c7), picked by position.
THEME_COLOURS = 8

# The board's views (`?visning=`): "" the normal columns, "kompakt" one line
# per card, "spor" a row (swimlane) per pejlemærke with the four columns.
VIEW_MODES = ("", "kompakt", "spor")


def parse_mode(args) -> str:
    """The view asked for; an unknown one is the normal view (a stale or
    mistyped link still shows the board)."""
    mode = args.get("visning") or ""
    return mode if mode in VIEW_MODES else ""


# `vurdering=ingen` in the query string: the cards without a vurdering.
NO_HEALTH = "ingen"
# `ejer=mig`: "Mine tiltag", the signed-in user's own cards.
MINE = "mig"


@dataclass
class BoardFilter:
    """The board's filter, from the query string: `tema`, `maal`, `ejer`
    (a user id, or `mig` for the viewer's own), `vurdering` (a Health value
    or `ingen`) and the search `q` (see search.py)."""

    theme_id: int | None = None
    objective_id: int | None = None
    owner_id: int | None = None
    mine: bool = False  # owner_id is the viewer's own ("Mine tiltag")
    health: str | None = None  # a Health value or NO_HEALTH
    search_text: str = ""  # the search text as typed (cleaned), shown in the box
    terms: tuple[str, ...] = ()  # the words searched for; () no search
    match_ids: frozenset | None = None  # the matching cards; None: no search

    @property
    def active(self) -> bool:
        return bool(self.criteria()) or self.searching

    @property
    def searching(self) -> bool:
        return self.match_ids is not None

    def criteria(self) -> list[tuple[str, object]]:
        """The card columns and values the filter selects on (all must
        hold): the målsætning when one is chosen (it implies its
        pejlemærke), else the pejlemærke; the owner; the vurdering (None
        for "no vurdering")."""
        out: list[tuple[str, object]] = []
        if self.objective_id is not None:
            out.append(("objective_id", self.objective_id))
        elif self.theme_id is not None:
            out.append(("theme_id", self.theme_id))
        if self.owner_id is not None:
            out.append(("owner_id", self.owner_id))
        if self.health is not None:
            out.append(("health", None if self.health == NO_HEALTH else self.health))
        return out

    def shows(self, card) -> bool:
        """Whether a card (any object with an id and the criteria's
        attributes) is shown."""
        if self.match_ids is not None and card.id not in self.match_ids:
            return False
        return all(getattr(card, column) == value for column, value in self.criteria())

    def query_args(self) -> dict[str, str]:
        """The owner and vurdering part of the query string (the page keeps
        it in `data-filter-extra`, so live refreshes and moves send it)."""
        args = {}
        if self.owner_id is not None:
            args["ejer"] = MINE if self.mine else str(self.owner_id)
        if self.health is not None:
            args["vurdering"] = self.health
        return args

    def mark(self, text: str):
        """`text` with the search's matches in <mark> (unchanged without a search)."""
        return search.mark(text, self.terms)


@dataclass
class BoardView:
    board: Board
    themes: list[Theme]
    filter: BoardFilter
    columns: dict[str, list[Initiative]]
    theme_index: dict[int, int]  # theme id -> colour index
    themes_by_id: dict[int, Theme]
    objectives: dict[int, Objective]  # id -> objective
    theme_counts: dict[int, int] = field(default_factory=dict)  # live cards per theme
    objective_counts: dict[int, int] = field(default_factory=dict)
    comment_counts: dict[int, int] = field(default_factory=dict)
    members: list[tuple[int, str]] = field(default_factory=list)  # the owner filter's choices
    mode: str = ""  # VIEW_MODES
    round_missing: dict[int, str] = field(default_factory=dict)  # card id -> open round's title
    # The cards marked "Ændret siden dit sidste besøg" for this viewer; None:
    # this request's (notifications/visits.py `changed_card_ids`), read when
    # the first card is built, so a view that draws no card reads nothing.
    changed: frozenset | None = None
    _labels: dict | None = field(default=None, repr=False, compare=False)  # see card()

    @property
    def compact(self) -> bool:
        return self.mode == "kompakt"

    @property
    def lanes(self) -> bool:
        return self.mode == "spor"

    def card(self, source) -> CardSummary:
        """A CardSummary from a card row or an `Initiative` (or itself).

        Called once per card of the board (thousands): what is the same for
        many cards (a theme's, an objective's labels) is looked up once per
        view in `_labels`, and the tuple is built by position."""
        if isinstance(source, CardSummary):
            return source
        labels = self._labels
        if labels is None:
            labels = self._labels = self._card_labels()
        changed = self.changed
        if changed is None:
            changed = self.changed = changed_card_ids() if has_request_context() else frozenset()
        theme_id, objective_id = source.theme_id, source.objective_id
        colour, theme_title = labels["themes"].get(theme_id) or self._theme_labels(theme_id)
        objective_number, objective_label = labels["objectives"].get(objective_id, ("", ""))
        title, status = source.title, first_line(getattr(source, "status_note", ""))
        if self.filter.terms:
            title, status = self.filter.mark(title), self.filter.mark(status)
        return CardSummary(
            source.id,
            theme_id,
            objective_id,
            title,
            status,
            source.stage,
            source.position,
            source.version,
            colour,
            theme_title,
            objective_number,
            objective_label,
            self.comment_counts.get(source.id, 0),
            _owner_name(source),
            getattr(source, "health", None),
            self.round_missing.get(source.id, ""),
            source.id in changed,
        )

    def _theme_labels(self, theme_id: int) -> tuple[int, str]:
        return self.theme_index.get(theme_id, 0), self.themes_by_id[theme_id].title

    def _card_labels(self) -> dict:
        return {
            "themes": {theme_id: self._theme_labels(theme_id) for theme_id in self.themes_by_id},
            "objectives": {
                objective_id: (objective.number, objective.label)
                for objective_id, objective in self.objectives.items()
            },
        }

    @property
    def total(self) -> int:
        return sum(len(cards) for cards in self.columns.values())

    @classmethod
    def build(cls, board: Board, themes: list[Theme], board_filter: BoardFilter, **parts):
        """A view over `themes` (from `load_themes`, with their objectives);
        `parts` are the rest of the fields (columns, counts) where known."""
        return cls(
            board=board,
            themes=themes,
            filter=board_filter,
            columns=parts.pop("columns", {}),
            theme_index={t.id: i % THEME_COLOURS for i, t in enumerate(themes)},
            themes_by_id={t.id: t for t in themes},
            objectives={o.id: o for t in themes for o in t.objectives},
            **parts,
        )


def parse_filter(
    args, board_themes: list[Theme], viewer_id: int | None = None, *, comments: bool = True
) -> BoardFilter:
    """Read `tema`, `maal`, `ejer`, `vurdering` and `q` from the query
    string. Unknown or malformed values are ignored (a stale bookmark still
    shows the board), and an objective implies its theme. `ejer=mig` is the
    viewer's own cards (`viewer_id`; ignored without one, as for a share
    link). A search (`q`) costs one query (the matching cards; `comments`:
    search the comments too)."""
    theme_ids = {t.id: t for t in board_themes}
    objective_theme = {o.id: t.id for t in board_themes for o in t.objectives}
    theme_id = parse_id(args.get("tema"))
    objective_id = parse_id(args.get("maal"))
    if theme_id not in theme_ids:
        theme_id = None
    if objective_id not in objective_theme:
        objective_id = None
    if objective_id is not None:
        if theme_id is not None and objective_theme[objective_id] != theme_id:
            objective_id = None
        else:
            theme_id = objective_theme[objective_id]
    owner = (args.get("ejer") or "").strip()
    mine = owner == MINE and viewer_id is not None
    owner_id = viewer_id if mine else parse_id(owner)
    health = (args.get("vurdering") or "").strip()
    if health != NO_HEALTH and health not in {h.value for h in Health}:
        health = None
    text = search.clean_query(args.get("q"))
    terms = search.search_terms(text)
    match_ids = None
    if terms and board_themes:  # a board without themes has no cards
        match_ids = search.matching_ids(board_themes[0].board_id, terms, comments=comments)
    return BoardFilter(
        theme_id=theme_id,
        objective_id=objective_id,
        owner_id=owner_id,
        mine=mine,
        health=health,
        search_text=text,
        terms=terms,
        match_ids=match_ids,
    )


# Built once: every board page and move runs it.
_THEMES = (
    sa.select(Theme)
    .where(Theme.board_id == sa.bindparam("board_id"))
    .options(joinedload(Theme.objectives))
    .order_by(Theme.position, Theme.id)
)


def load_themes(board_id: int) -> list[Theme]:
    """Themes with their objectives: one query (a board has a handful of
    themes, so repeating a theme's columns on each objective's row costs less
    than a second round trip)."""
    return list(db.session.scalars(_THEMES, {"board_id": board_id}).unique())


def board_members(board_id: int) -> list[tuple[int, str]]:
    """(user id, name) of the active users with a role on the board, by name:
    who may own a tiltag, and the filter's owners (one query)."""
    return [
        (user_id, name)
        for user_id, name in db.session.execute(
            sa.select(User.id, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    ]


class CardSummary(NamedTuple):
    """Everything a card on the board shows, computed in Python once per card
    so the template does plain attribute look-ups: a board of thousands of
    cards stays cheap to load and render. `card_summary()` builds one from an
    `Initiative` too, for single-card partials."""

    id: int
    theme_id: int
    objective_id: int | None
    title: str
    status_first_line: str
    stage: str
    position: int
    version: int
    colour: int  # theme colour index (CSS class theme-c<n>)
    theme_title: str
    objective_number: str
    objective_label: str
    comment_count: int
    owner_name: str = ""
    health: str | None = None  # a Health value
    round_missing: str = ""  # the open round this card still lacks its status for
    # "Ændret siden dit sidste besøg": others changed it since the viewer's
    # previous visit (board/notifications/visits.py). Part of what the card
    # shows, so part of its key in the kept cards (card_cache.py).
    changed: bool = False


STATUS_PREVIEW_MAX = 160


def first_line(text: str | None, limit: int = STATUS_PREVIEW_MAX) -> str:
    """The first non-empty line of a status text, cut at a word near `limit`."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + " …"


def _filtered(query, board_filter: BoardFilter, card=Initiative):
    """`query` restricted to the cards (`card`: the entity or an alias) that
    the filter shows."""
    if board_filter.match_ids is not None:
        query = query.where(card.id.in_(sorted(board_filter.match_ids)))
    for column, value in board_filter.criteria():
        attribute = getattr(card, column)
        query = query.where(attribute.is_(None) if value is None else attribute == value)
    return query


def _shown(row, board_filter: BoardFilter) -> bool:
    """Does the board show this card row under the filter? (The test of
    `_filtered`, for a row already read.)"""
    return row.archived_at is None and board_filter.shows(row)


def _owner_name(source) -> str:
    """The owner's name of a card row (read with it) or an Initiative."""
    if hasattr(source, "owner_name"):
        return source.owner_name or ""
    owner = getattr(source, "owner", None)
    return owner.name if owner is not None else ""


CARD_COLUMNS = (
    Initiative.id,
    Initiative.board_id,
    Initiative.theme_id,
    Initiative.objective_id,
    Initiative.title,
    Initiative.status_note,
    Initiative.stage,
    Initiative.position,
    Initiative.version,
    Initiative.owner_id,
    Initiative.health,
    User.name.label("owner_name"),
)


def _with_owner(query):
    """A query over CARD_COLUMNS joined to the owner's name (one query, no
    look-up per card)."""
    return query.outerjoin(User, User.id == Initiative.owner_id)


def load_cards(board_id: int, board_filter: BoardFilter, stages=STAGES) -> dict[str, list]:
    """The live (non-archived) cards per column, in position order: one query."""
    query = (
        _with_owner(sa.select(*CARD_COLUMNS))
        .where(Initiative.board_id == board_id, Initiative.archived_at.is_(None))
        .where(Initiative.stage.in_([str(s) for s in stages]))
        .order_by(Initiative.stage, Initiative.position, Initiative.id)
    )
    query = _filtered(query, board_filter)
    columns: dict[str, list] = {str(s): [] for s in stages}
    for row in db.session.execute(query):
        columns[row.stage].append(row)
    return columns


def load_comment_counts(board_id: int, *, stages=None, card_ids=None) -> dict[int, int]:
    """Visible comments per card of a board (deleted and redacted ones
    excluded): one query, whatever the number of cards. With `stages` and/or
    `card_ids`, only for the cards in those columns or with those ids."""
    query = (
        sa.select(Comment.initiative_id, sa.func.count())
        .join(Initiative, Initiative.id == Comment.initiative_id)
        .where(
            Initiative.board_id == board_id,
            Comment.deleted_at.is_(None),
            Comment.redacted_at.is_(None),
        )
        .group_by(Comment.initiative_id)
    )
    if stages is not None or card_ids is not None:
        query = query.where(
            sa.or_(
                Initiative.stage.in_([str(s) for s in stages or ()]),
                Initiative.id.in_(list(card_ids or ())),
            )
        )
    return dict(db.session.execute(query).all())


def load_round_missing(board_id: int, card_ids=None) -> dict[int, str]:
    """{card id: title of the open status round} for the cards whose part of
    the board's open round is not done (one query). With `card_ids`, only
    for those cards."""
    query = (
        sa.select(RoundItem.initiative_id, StatusRound.title)
        .join(StatusRound, StatusRound.id == RoundItem.round_id)
        .where(
            StatusRound.board_id == board_id,
            StatusRound.closed_at.is_(None),
            RoundItem.completed_at.is_(None),
        )
    )
    if card_ids is not None:
        query = query.where(RoundItem.initiative_id.in_(list(card_ids)))
    return dict(db.session.execute(query).all())


def load_stage_counts(board_ids) -> dict[int, dict[str, int]]:
    """Live cards per column for each board (the board list): one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {str(s): 0 for s in STAGES})
    rows = db.session.execute(
        sa.select(Initiative.board_id, Initiative.stage, sa.func.count())
        .where(Initiative.board_id.in_(list(board_ids)), Initiative.archived_at.is_(None))
        .group_by(Initiative.board_id, Initiative.stage)
    )
    for board_id, stage, count in rows:
        counts[board_id][stage] = count
    return counts


def load_filter_counts(board_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Live cards per theme and per objective, zero included by the caller: one query."""
    theme_counts: dict[int, int] = defaultdict(int)
    objective_counts: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(Initiative.theme_id, Initiative.objective_id, sa.func.count())
        .where(Initiative.board_id == board_id, Initiative.archived_at.is_(None))
        .group_by(Initiative.theme_id, Initiative.objective_id)
    )
    for theme_id, objective_id, count in rows:
        theme_counts[theme_id] += count
        if objective_id is not None:
            objective_counts[objective_id] += count
    return dict(theme_counts), dict(objective_counts)


def load_board_view(
    board: Board, args, viewer_id: int | None = None, *, comments: bool = True
) -> BoardView:
    """The whole board page under the filter and view in `args` (`comments`:
    whether the viewer sees comments, so whether a search looks in them)."""
    themes = load_themes(board.id)
    board_filter = parse_filter(args, themes, viewer_id, comments=comments)
    rows = load_cards(board.id, board_filter)
    view = BoardView.build(
        board,
        themes,
        board_filter,
        comment_counts=load_comment_counts(board.id),
        mode=parse_mode(args),
        round_missing=load_round_missing(board.id),
    )
    view.theme_counts, view.objective_counts = load_filter_counts(board.id)
    view.members = board_members(board.id)
    view.columns = {stage: [view.card(row) for row in cards] for stage, cards in rows.items()}
    return view


def stage_counts_for(board_id: int, board_filter: BoardFilter, stages=STAGES) -> dict[str, int]:
    """Cards per column under a filter (for out-of-band count updates), for
    the columns in `stages`: one query."""
    names = [str(s) for s in stages]
    query = (
        sa.select(Initiative.stage, sa.func.count())
        .where(Initiative.board_id == board_id, Initiative.archived_at.is_(None))
        .where(Initiative.stage.in_(names))
        .group_by(Initiative.stage)
    )
    query = _filtered(query, board_filter)
    counts = dict.fromkeys(names, 0)
    counts.update(dict(db.session.execute(query).all()))
    return counts


# --- the parts of the board page a live refresh re-reads -------------------


class PlacedCard(NamedTuple):
    """A card to put where it now stands: after the card `after_id` (which
    the page must show in its version `after_version`), or first in its
    column when `after_id` is None."""

    card: CardSummary
    after_id: int | None
    after_version: int | None


@dataclass
class BoardParts:
    """What `load_board_parts` read: only the parts asked for."""

    view: BoardView  # `columns` holds the columns asked for in full, no others
    stages: list[Stage]  # columns in full, in board order
    cards: list[CardSummary]  # cards to re-render where they are
    placed: list[PlacedCard]  # cards to put at their (new) place, in board order
    gone: list[int]  # ids of cards the board no longer shows (archived, filtered out)
    counts: dict[str, int]  # column counts besides those of the full columns
    with_filter: bool


def _card_rows(board_id: int, board_filter: BoardFilter, card_ids, lanes: bool = False) -> list:
    """The cards with these ids (archived ones too, so that the caller can
    tell that they are gone), each with the id and version of the card shown
    just before it in its column under the filter: one query. Finding the
    card before scans the column in the database (`position` is in no index
    on purpose, see models.Initiative), but only the requested rows come
    back and get rendered. With `lanes` (the swimlane view) the card before
    is the one before it in its own pejlemærke's row."""
    before = aliased(Initiative)

    def neighbour(column):
        query = sa.select(column).where(
            before.board_id == Initiative.board_id,
            before.stage == Initiative.stage,
            before.archived_at.is_(None),
            sa.or_(
                before.position < Initiative.position,
                sa.and_(before.position == Initiative.position, before.id < Initiative.id),
            ),
        )
        query = _filtered(query, board_filter, before)
        if lanes:
            query = query.where(before.theme_id == Initiative.theme_id)
        return (
            query.order_by(before.position.desc(), before.id.desc())
            .limit(1)
            .correlate(Initiative)
            .scalar_subquery()
        )

    query = _with_owner(
        sa.select(
            *CARD_COLUMNS,
            Initiative.archived_at,
            neighbour(before.id).label("after_id"),
            neighbour(before.version).label("after_version"),
        )
    ).where(Initiative.board_id == board_id, Initiative.id.in_(list(card_ids)))
    return list(db.session.execute(query))


def load_board_parts(
    board: Board,
    args,
    *,
    stages=(),
    card_ids=(),
    place_ids=(),
    count_stages=(),
    with_filter: bool = False,
    viewer_id: int | None = None,
    comments: bool = True,
) -> BoardParts:
    """The parts of the board page that a live refresh asks for, under the
    filter in `args` (`tema`, `maal`), reading only those:

    * `stages`: whole columns (their cards and counts);
    * `card_ids`: cards re-rendered where they are; one the board no longer
      shows is `gone`, with its column's count and the filter;
    * `place_ids`: cards put where they now stand (a move, a new or restored
      card), with the card before each; or `gone`;
    * `count_stages`: column counts;
    * `with_filter`: the filter with its counts.

    A fixed number of queries whatever the size of the board, and rows read
    only for what is rendered, so the cost follows the change, not the board.
    The view in `args` (`visning`) decides how cards are drawn, and in the
    swimlane view a card is placed after the card before it in its row.
    """
    themes = load_themes(board.id)
    board_filter = parse_filter(args, themes, viewer_id, comments=comments)
    mode = parse_mode(args)
    card_ids, place_ids = set(card_ids), set(place_ids)
    full = [s for s in STAGES if s.value in {str(x) for x in stages}]
    full_names = {s.value for s in full}
    ids = card_ids | place_ids
    rows = _card_rows(board.id, board_filter, ids, lanes=mode == "spor") if ids else []
    shown = [r for r in rows if _shown(r, board_filter)]
    gone = sorted((card_ids | place_ids) - {r.id for r in shown})
    gone_rows = [r for r in rows if r.id in gone]
    # A card re-read in place that the board no longer shows (archived in
    # the meantime) changes its column's count and the filter's counts too.
    with_filter = with_filter or any(r.id in card_ids for r in gone_rows)
    count_names = ({str(s) for s in count_stages} | {r.stage for r in gone_rows}) & {
        s.value for s in STAGES
    }
    count_names -= full_names
    rendered = [r for r in shown if r.stage not in full_names]  # full columns hold the rest

    columns = load_cards(board.id, board_filter, full) if full else {}
    comment_counts, round_missing = {}, {}
    if full or rendered:
        comment_counts = load_comment_counts(
            board.id, stages=full, card_ids=[r.id for r in rendered]
        )
        round_missing = load_round_missing(board.id)
    theme_counts, objective_counts = load_filter_counts(board.id) if with_filter else ({}, {})
    counts = stage_counts_for(board.id, board_filter, sorted(count_names)) if count_names else {}

    view = BoardView.build(
        board,
        themes,
        board_filter,
        theme_counts=theme_counts,
        objective_counts=objective_counts,
        comment_counts=comment_counts,
        members=board_members(board.id) if with_filter else [],
        mode=mode,
        round_missing=round_missing,
    )
    view.columns = {stage: [view.card(row) for row in cards] for stage, cards in columns.items()}
    # In board order, so that a card placed after another placed card finds
    # it already in place.
    order = {s.value: i for i, s in enumerate(STAGES)}
    placed = sorted(
        (r for r in rendered if r.id in place_ids), key=lambda r: (order[r.stage], r.position, r.id)
    )
    return BoardParts(
        view=view,
        stages=full,
        cards=[view.card(r) for r in rendered if r.id in card_ids and r.id not in place_ids],
        placed=[PlacedCard(view.card(r), r.after_id, r.after_version) for r in placed],
        gone=gone,
        counts=counts,
        with_filter=with_filter,
    )


__all__ = [
    "BoardView",
    "BoardFilter",
    "BoardParts",
    "load_board_view",
    "load_board_parts",
    "parse_mode",
]
