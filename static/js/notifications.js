// The header's "Notifikationer" entry: its unread count kept up to date
// without a reload. It re-reads the entry (GET data-count-url) when the
// board's live stream reports a change (`sse:change`, board/live: a comment
// mentioning you arrives that way) and once a minute on any page, and
// swaps it whole (its aria-label says the count: "3 ulæste notifikationer").
(function () {
  "use strict";

  var POLL_MS = 60000;
  var pending = false;
  var again = false;

  function refresh() {
    var entry = document.getElementById("notifications-entry");
    if (!entry || !window.htmx) return;
    if (pending) { again = true; return; }
    pending = true;
    window.htmx
      .ajax("GET", entry.getAttribute("data-count-url"), { target: entry, swap: "outerHTML" })
      .finally(function () {
        pending = false;
        if (again) { again = false; refresh(); }
      });
  }

  function init() {
    if (!document.getElementById("notifications-entry")) return;
    document.addEventListener("sse:change", refresh);
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
