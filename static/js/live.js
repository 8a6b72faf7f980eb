// Live updates of the board page.
//
// The htmx SSE extension keeps the stream open (#live[sse-connect]); each
// Event arrives as an `sse:change` message (see board/live/messages.py).
// On an event only the parts it touched are re-read from the server
// (board/live/views.py `parts`): the card, its column(s) with their counts,
// the filter's counts, and the comment log / history / fields of the card if
// its dialog is open.
//
// - Nothing twice: events are applied in id order and an id already seen is
//   ignored; an event whose card the page already shows in its new state
//   (the change this tab made itself) refreshes nothing.
// - Nothing under the user's hands: while a card is being dragged (Sortable's
//   classes) or a request of this page is changing the board, refreshes
//   wait; a dialog part with an open form or a focused field is left alone
//   until the edit ends, with a notice that someone else changed the card.
// - Nothing missed: the stream's URL carries the last id seen, so a
//   reconnect by the extension (which sends no Last-Event-ID header,
//   htmx-extensions issue 184) replays what was missed.
(function () {
  "use strict";

  var live = null;
  var lastId = 0;
  var queue = [];        // events not yet applied
  var announcements = [];
  var flushTimer = null;
  var inFlight = false;
  var holds = 0;         // other scripts may hold refreshes (tiltag.live.hold)

  var DRAG_SELECTOR = ".sortable-chosen, .sortable-drag, .sortable-ghost, .sortable-fallback";

  function init() {
    live = document.getElementById("live");
    if (!live) return;
    lastId = parseInt(live.dataset.lastEventId || "0", 10) || 0;
    document.addEventListener("sse:change", onChange);
    document.addEventListener("sse:presence", onPresence);
    live.addEventListener("htmx:sseOpen", function () { setState("open"); });
    live.addEventListener("htmx:sseError", function () { setState("connecting"); });
    live.addEventListener("htmx:sseClose", function (event) {
      if (event.detail && event.detail.type === "message") {
        setState("closed");
        window.tiltag.showNotice(
          '<p class="notice notice-warning">Tavlen opdateres ikke længere, fordi adgangen er ' +
          "ophørt. Genindlæs siden.</p>");
      }
    });
  }

  // --- connection state and presence ------------------------------------

  var STATE_TEXT = {
    connecting: "Forbinder …",
    open: "Live",
    closed: "Ikke forbundet"
  };

  function setState(state) {
    var el = document.getElementById("live-state");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = STATE_TEXT[state];
  }

  function onPresence(event) {
    var data = JSON.parse(event.detail.data);
    var el = document.getElementById("live-presence");
    if (!el) return;
    el.textContent = data.viewers + " ser med";
    el.title = "Antal personer, der har tavlen åben lige nu";
    el.hidden = false;
  }

  // --- events -------------------------------------------------------------

  function onChange(event) {
    var data;
    try { data = JSON.parse(event.detail.data); } catch (e) { return; }
    if (!data.id || data.id <= lastId) return;  // seen already (a replay)
    lastId = data.id;
    live.dataset.lastEventId = String(lastId);
    // The extension reads sse-connect again when it reconnects by itself.
    live.setAttribute("sse-connect", live.dataset.streamUrl + "?last_event_id=" + lastId);
    if (!isMine(data)) announcements.push(data.text);
    queue.push(data);
    scheduleFlush(40);
  }

  function isMine(data) {
    var me = live.dataset.userId;
    return me !== "" && String(data.actor_id) === me;
  }

  function cardElement(id) {
    return document.getElementById("card-" + id);
  }

  // Does the page already show this card as it is now? (The tab that made
  // the change, or an earlier refresh, has put it in place.)
  function alreadyShown(data) {
    var card = data.card;
    if (!card || data.scope === "board" || data.kind.indexOf("comment.") === 0) return false;
    var el = cardElement(card.id);
    if (card.archived) return !el;
    if (!el) return false;
    var column = el.closest("[data-stage]");
    return el.dataset.version === String(card.version) &&
      column && column.dataset.stage === card.stage &&
      el.dataset.position === String(card.position);
  }

  function scheduleFlush(delay) {
    if (flushTimer) return;
    flushTimer = window.setTimeout(function () { flushTimer = null; flush(); }, delay);
  }

  // Something on the board is under the user's hands: a drag, a request of
  // this page changing the board (a move on its way), or an open popup in a
  // card (the "Flyt" panel).
  function boardBusy() {
    return holds > 0 || document.querySelector(DRAG_SELECTOR) ||
      document.querySelector("#columns .htmx-request, #columns.htmx-request") ||
      document.querySelector('#columns [aria-expanded="true"]');
  }

  function currentFilter() {
    var columns = document.querySelector("#columns .columns");
    return {
      tema: columns ? columns.dataset.filterTema || "" : "",
      maal: columns ? columns.dataset.filterMaal || "" : ""
    };
  }

  function flush() {
    if (announcements.length) {
      var texts = announcements;
      announcements = [];
      window.tiltag.announce(texts.length <= 3 ? texts.join(". ") :
        texts.length + " ændringer fra andre. Seneste: " + texts[texts.length - 1]);
    }
    if (!queue.length) return;
    if (inFlight || boardBusy()) { scheduleFlush(200); return; }
    var events = queue;
    queue = [];
    refreshDialog(events);
    var parts = partsFor(events.filter(function (d) { return !alreadyShown(d); }));
    if (!parts) return;
    var filter = currentFilter();
    var params = new URLSearchParams();
    if (parts.all) params.append("all", "1");
    Object.keys(parts.stages).forEach(function (s) { params.append("stage", s); });
    Object.keys(parts.cards).forEach(function (c) { params.append("card", c); });
    if (parts.filter) params.append("filter", "1");
    if (filter.tema) params.append("tema", filter.tema);
    if (filter.maal) params.append("maal", filter.maal);
    inFlight = true;
    fetch(live.dataset.partsUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      inFlight = false;
      var now = currentFilter();
      if (now.tema !== filter.tema || now.maal !== filter.maal || boardBusy()) {
        // The page changed under the request: ask again.
        queue = events.concat(queue);
        scheduleFlush(200);
        return;
      }
      applyParts(html);
    }).catch(function () {
      inFlight = false;
      queue = events.concat(queue);
      scheduleFlush(2000);
    });
  }

  function partsFor(events) {
    var parts = { all: false, stages: {}, cards: {}, filter: false };
    var any = false;
    events.forEach(function (d) {
      if (d.scope === "board") { parts.all = true; parts.filter = true; any = true; return; }
      if (d.scope === "column") {
        d.stages.forEach(function (s) { parts.stages[s] = true; any = true; });
        if (d.filter) parts.filter = true;
      } else if (d.scope === "card" && d.initiative_id && cardElement(d.initiative_id)) {
        parts.cards[d.initiative_id] = true;
        any = true;
      }
    });
    return any || parts.filter ? parts : null;
  }

  // --- putting parts in place -------------------------------------------

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // Keep keyboard focus on the same control of the same card across a swap.
  function rememberFocus(container) {
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".card") : null;
    if (!card || !container.contains(card)) return null;
    var controls = Array.prototype.slice.call(card.querySelectorAll("a, button, [tabindex]"));
    return { cardId: card.id, index: controls.indexOf(active) };
  }

  function restoreFocus(memory) {
    if (!memory) return;
    var card = document.getElementById(memory.cardId);
    if (!card) return;
    var controls = card.querySelectorAll("a, button, [tabindex]");
    var target = controls[memory.index] || card.querySelector("a, button");
    if (target) target.focus({ preventScroll: true });
  }

  function applyParts(html) {
    var fragment = parse(html);
    fragment.querySelectorAll("template[data-live-column]").forEach(function (tpl) {
      var section = document.getElementById("column-" + tpl.dataset.liveColumn);
      var fresh = tpl.content.querySelector("section.column");
      if (!section || !fresh) return;
      var list = section.querySelector(".card-list");
      var freshList = fresh.querySelector(".card-list");
      var memory = rememberFocus(list);
      // Keep the list element itself (Sortable is bound to it); swap its cards.
      list.replaceChildren.apply(list, Array.prototype.slice.call(freshList.childNodes));
      var count = section.querySelector(".column-count");
      var freshCount = fresh.querySelector(".column-count");
      if (count && freshCount) count.replaceWith(freshCount);
      htmx.process(list);
      restoreFocus(memory);
    });
    fragment.querySelectorAll("template[data-live-card]").forEach(function (tpl) {
      var current = cardElement(tpl.dataset.liveCard);
      if (!current) return;
      var fresh = tpl.content.querySelector(".card");
      if (!fresh) {  // no longer on the board under this filter
        queue.push({ id: 0, kind: "refresh", scope: "column", stages: [current.closest("[data-stage]").dataset.stage], filter: true });
        scheduleFlush(40);
        return;
      }
      var memory = rememberFocus(current.parentNode);
      current.replaceWith(fresh);
      htmx.process(fresh);
      restoreFocus(memory);
    });
    var filterTpl = fragment.querySelector("template[data-live-filter]");
    var form = document.getElementById("board-filter");
    if (filterTpl && form && !form.contains(document.activeElement)) {
      var freshForm = filterTpl.content.querySelector("form");
      if (freshForm) {
        form.replaceWith(freshForm);
        htmx.process(freshForm);
      }
    }
    document.dispatchEvent(new CustomEvent("tiltag:live-refreshed", { bubbles: true }));
  }

  // --- the open card dialog ---------------------------------------------

  function openDialogCard() {
    var dialog = document.getElementById("card-dialog");
    if (!dialog || !dialog.open) return null;
    return dialog.querySelector(".dialog-inner[data-initiative-id]");
  }

  // A part is being edited when it holds an edit form (the editing area
  // marks them `form.editing`: the card's edit form in place of its details,
  // a comment's edit or redaction form in the list) or the keyboard focus
  // is in a field in it. Plain button forms (a comment's "Slet") are not edits.
  function isEditing(part) {
    if (!part) return false;
    if (part.querySelector("form.editing")) return true;
    var active = document.activeElement;
    return part.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  function refreshDialog(events) {
    var inner = openDialogCard();
    if (!inner) return;
    var id = inner.dataset.initiativeId;
    var mine = events.filter(function (d) { return String(d.initiative_id) === id; });
    if (!mine.length) return;
    var link = inner.querySelector(".dialog-permalink a");
    if (!link) return;
    var others = mine.filter(function (d) { return !isMine(d); });
    fetch(link.getAttribute("href"), {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "Accept": "text/html" }
    }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (!html || openDialogCard() !== inner) return;
      var fresh = parse(html);
      var deferred = false;
      [
        "#card-details-" + id,
        "#card-history-" + id,
        "#comments-" + id + " .comment-list",
        "#comments-title-" + id
      ].forEach(function (selector) {
        var current = inner.querySelector(selector);
        var replacement = fresh.querySelector(selector);
        if (!current || !replacement) return;
        if (isEditing(current)) { deferred = true; return; }
        current.replaceWith(replacement);
        htmx.process(replacement);
      });
      if (deferred) {
        if (others.length) {
          dialogNotice(inner, others[others.length - 1].text +
            ", mens du redigerede. Dine ændringer er ikke gemt endnu; " +
            "visningen opdateres, når du er færdig.");
        }
        whenEditEnds(inner, function () { refreshDialog(mine); });
      } else {
        dialogNotice(inner, null);
      }
    }).catch(function () { /* the next event or reconnect brings it */ });
  }

  // Call `then` once no part of the dialog is being edited any more (checked
  // locally, twice a second; nothing is fetched while the user edits).
  function whenEditEnds(inner, then) {
    var timer = window.setInterval(function () {
      if (openDialogCard() !== inner) { window.clearInterval(timer); return; }
      var parts = inner.querySelectorAll(".card-details, .card-history, .comment-list");
      if (Array.prototype.some.call(parts, isEditing)) return;
      window.clearInterval(timer);
      then();
    }, 500);
  }

  // A notice inside the (modal) dialog, where the user is; null removes it.
  function dialogNotice(inner, text) {
    var notice = inner.querySelector(".live-dialog-notice");
    if (!text) { if (notice) notice.remove(); return; }
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "notice notice-warning live-dialog-notice";
      notice.setAttribute("role", "status");
      var close = inner.querySelector(".dialog-close");
      inner.insertBefore(notice, close ? close.nextSibling : inner.firstChild);
    }
    notice.textContent = text;
  }

  window.tiltag = window.tiltag || {};
  window.tiltag.live = {
    // For scripts that change the board themselves (moves): hold refreshes
    // while their own request is under way, then release.
    hold: function () { holds += 1; },
    release: function () { holds = Math.max(0, holds - 1); scheduleFlush(0); },
    lastEventId: function () { return lastId; }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
