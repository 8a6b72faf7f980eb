// The header's "Notifikationer" entry: its unread count kept up to date
// without a reload. It re-reads the entry (GET data-count-url) when the
// board's live stream reports someone else's change of a kind that can
// notify (`sse:change`, board/live: a comment mentioning you arrives that
// way), once a minute on any page, and when the tab is shown again; and
// swaps it whole (its aria-label says the count: "3 ulæste notifikationer").
// A short random delay spreads the re-reads of a board's many open pages.
(function () {
  "use strict";

  var POLL_MS = 60000;
  var SPREAD_MS = 800;
  // The Event kinds that can make a notification (board/notifications/kinds.py).
  var NOTIFYING = ["comment.added", "comment.edited", "initiative.moved", "initiative.updated", "initiative.archived"];
  var pending = false;
  var again = false;

  // The element the re-reads are issued from. htmx keeps one request per
  // element in flight and queues (keeping only the latest) another one
  // asked for meanwhile, resolving its promise at once; htmx.ajax without a
  // `source` issues from <body>, shared with other scripts' requests (the
  // columns after an edit, a meeting's steps). With an element of its own,
  // `pending` below is exact and no other script's request can replace or
  // be replaced by this one.
  var source = null;
  function requestSource() {
    if (source && source.isConnected) return source;
    source = document.createElement("span");
    source.hidden = true;
    source.className = "notifications-source";
    document.body.appendChild(source);
    return source;
  }

  function refresh() {
    var entry = document.getElementById("notifications-entry");
    if (!entry || !window.htmx) return;
    if (pending) { again = true; return; }
    pending = true;
    window.htmx
      .ajax("GET", entry.getAttribute("data-count-url"), {
        source: requestSource(), target: entry, swap: "outerHTML"
      })
      .finally(function () {
        pending = false;
        if (again) { again = false; refresh(); }
      });
  }

  function init() {
    if (!document.getElementById("notifications-entry")) return;
    document.addEventListener("sse:change", function (event) {
      var data;
      try { data = JSON.parse(event.detail.data); } catch (e) { return; }
      if (NOTIFYING.indexOf(data.kind) < 0) return;
      var live = document.getElementById("live");
      var me = live ? live.dataset.userId : "";
      if (me && String(data.actor_id) === me) return; // never told of your own
      window.setTimeout(refresh, Math.random() * SPREAD_MS);
    });
    window.setInterval(function () {
      if (!document.hidden) refresh();
    }, POLL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) refresh();
    });
  }

  window.tiltagNotifications = { refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
