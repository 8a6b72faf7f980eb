"""Board routes: the access check as part of the route, as CTFd does it.

    bp = BoardBlueprint("reports", __name__)

    @bp.board_get("/status", share=True)
    def status(access): ...

registers `GET /boards/<int:board_id>/status` as `reports.status`, which
resolves the member's access (`need="view"` unless said otherwise) before
the view runs, and, with `share=True`, its read-only twin
`GET /s/<token>/status` as `reports.share_status`, which resolves a share
link instead. The view gets the `BoardAccess` as its first argument and the
rule's other values as keywords; it never sees `board_id` or `token`.

The member route remembers its twin (`share_endpoint`), which is how
`BoardAccess.url` finds the share-link page for a share visitor: the twins
are derived from the routes, not kept in a map by hand.

Each resolved access is also `g.access`, for code that runs after the view
(board/share/visits.py notes a share link's "last used").
"""

from __future__ import annotations

import functools

from flask import Blueprint, g

from .access import member_access, share_access

SHARE_PREFIX = "/s/<token>"
BOARD_PREFIX = "/boards/<int:board_id>"
READ_METHODS = {"GET", "HEAD"}


class BoardBlueprint(Blueprint):
    def board_route(
        self,
        rule: str,
        *,
        need: str = "view",
        methods: tuple[str, ...] = ("GET",),
        share: bool = False,
        note_visit: bool = True,
        endpoint: str | None = None,
    ):
        """Register `view(access, **values)` under /boards/<board_id><rule>
        for members with `need`, and with `share=True` also under
        /s/<token><rule> for share links (read-only: GET and need "view"
        only). `note_visit=False` keeps a request (the live stream, its
        refreshes) out of the link's "last used". `endpoint` names the
        member route (default: the view's name; the twin is `share_<name>`)."""
        if share and (need != "view" or set(methods) - READ_METHODS):
            raise ValueError(f"a share route is read-only: {rule!r}")

        def decorator(view):
            name = endpoint or view.__name__

            @functools.wraps(view)
            def member_view(board_id: int, **values):
                g.access = member_access(board_id, need)
                return view(g.access, **values)

            if share:

                @functools.wraps(view)
                def share_view(token: str, **values):
                    g.access = share_access(token)
                    g.note_share_visit = note_visit
                    return view(g.access, **values)

                self.add_url_rule(
                    SHARE_PREFIX + rule, f"share_{name}", share_view, methods=list(methods)
                )
                member_view.share_endpoint = f"{self.name}.share_{name}"
            self.add_url_rule(BOARD_PREFIX + rule, name, member_view, methods=list(methods))
            return view

        return decorator

    def board_get(self, rule: str, **options):
        return self.board_route(rule, methods=("GET",), **options)

    def board_post(self, rule: str, **options):
        return self.board_route(rule, methods=("POST",), **options)
