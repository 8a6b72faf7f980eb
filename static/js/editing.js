// Editing tiltag and the comment log in the card dialog (no inline script:
// the CSP forbids it).
// - A form with errors (422) or the card as it is now after a stale edit
//   (409) is swapped in place by htmx itself (responseHandling, base.html).
// - HX-Trigger "tiltag:board-changed" refreshes the board's columns (counts,
//   comment counts, a new or archived card); "tiltag:announce" is read out.
// - After a swap, focus goes where the user continues: the first field with
//   an error, an element marked data-autofocus, or the edit button.
// - Comment lists scroll to the newest entry.
(function () {
  "use strict";

  // Issued from #columns, not <body> (htmx.ajax's default source), whose one
  // request slot other scripts' re-reads share (notifications.js): htmx
  // would queue one behind the other and keep only the latest waiting one.
  // While it loads, #columns carries htmx-request, and live refreshes wait.
  document.addEventListener("tiltag:board-changed", function () {
    var columns = document.getElementById("columns");
    if (!columns || !window.htmx) return;
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      source: columns,
      target: "#columns",
      swap: "innerHTML",
    });
  });

  document.addEventListener("tiltag:announce", function (event) {
    var text = event.detail && event.detail.value;
    if (text && window.tiltag && window.tiltag.announce) window.tiltag.announce(text);
  });

  function scrollLogs(root) {
    var lists = (root || document).querySelectorAll("[data-scroll-to-end]");
    for (var i = 0; i < lists.length; i++) lists[i].scrollTop = lists[i].scrollHeight;
  }

  function focusIn(root) {
    var target =
      root.querySelector("[aria-invalid=true]") ||
      root.querySelector("[data-autofocus]") ||
      (root.classList && root.classList.contains("card-edit") && root.querySelector("input:not([type=hidden]), select, textarea"));
    if (target) target.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    // htmx fires afterSettle on each new element; detail.elt is the element
    // that made the request, which an outerHTML swap has just removed.
    var root = event.target;
    if (!root || !root.querySelector) return;
    scrollLogs(root.parentNode || root);
    if (root.id === "card-dialog-body") {
      var invalid = root.querySelector("[aria-invalid=true]");
      if (invalid) invalid.focus();
      return; // app.js focuses the dialog title on open
    }
    if (root.classList.contains("card-body")) {
      var edit = root.querySelector("[data-edit-initiative]") || root.querySelector(".card-page-title");
      if (edit) { if (!edit.hasAttribute("href")) edit.setAttribute("tabindex", "-1"); edit.focus(); }
      return;
    }
    focusIn(root);
  });

  document.addEventListener("DOMContentLoaded", function () { scrollLogs(document); });
})();
