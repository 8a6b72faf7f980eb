// Site-wide behaviour (no inline script: the CSP forbids it).
// - every htmx request carries the CSRF token as X-CSRFToken;
// - the card dialog opens when its body is swapped in, and closes on ×/Esc;
// - a server error (5xx) from an htmx request is shown in the notice area.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  function showNotice(html) {
    var area = document.getElementById("notice");
    if (!area) return;
    area.innerHTML = html;
  }
  window.tiltag = window.tiltag || {};
  window.tiltag.showNotice = showNotice;
  window.tiltag.announce = function (text) {
    var announcer = document.getElementById("announcer");
    if (!announcer) return;
    announcer.textContent = "";
    // A new text node after a tick makes screen readers announce repeats too.
    window.setTimeout(function () { announcer.textContent = text; }, 30);
  };

  // 4xx answers are swapped where the server says (responseHandling in
  // base.html; refusals carry HX-Retarget: #notice). What is left is a 5xx,
  // never swapped: say so in our own words.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showNotice('<p class="notice notice-error">Der skete en fejl (' + status + "). Prøv igen.</p>");
  });

  document.addEventListener("htmx:sendError", function () {
    showNotice('<p class="notice notice-error">Ingen forbindelse til serveren. Prøv igen.</p>');
  });

  // Board filter: choosing another pejlemærke clears the målsætning, which
  // may belong to the old one (the server would otherwise re-select the old
  // pejlemærke from it). Capture phase: runs before htmx sends the form.
  document.addEventListener("change", function (event) {
    if (event.target.id === "filter-tema") {
      var objective = document.getElementById("filter-maal");
      if (objective) objective.value = "";
    }
  }, true);

  // "Ingen tiltag matcher filteret": shown while a filtered board has no
  // card, also after live updates that add or remove cards.
  function updateEmptyFilterNotice() {
    var notice = document.querySelector("#columns .empty-filter");
    if (notice) notice.hidden = document.querySelector("#columns .card") !== null;
  }
  document.addEventListener("tiltag:live-refreshed", updateEmptyFilterNotice);
  document.addEventListener("htmx:afterSettle", updateEmptyFilterNotice);

  // The card dialog.
  var lastOpener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "card-dialog-body") {
      lastOpener = event.detail.elt;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "card-dialog-body") {
      var dialog = document.getElementById("card-dialog");
      if (dialog && !dialog.open) dialog.showModal();
      var title = document.getElementById("dialog-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target.id === "card-dialog") {
      document.getElementById("card-dialog-body").innerHTML = "";
      if (lastOpener && document.body.contains(lastOpener)) lastOpener.focus();
    }
  }, true);
})();
