// Live updates of the board page.
//
// The htmx SSE extension keeps the stream open (#live[sse-connect]); each
// Event arrives as an `sse:change` message (see board/live/messages.py).
// On an event only the parts it touched are re-read from the server
// (board/live/views.py `parts`): a moved, new or restored card at its new
// place and the counts of its column(s), an edited card in place, the
// filter's counts, whole columns only when the board's structure changed,
// and the comment log / history / fields of the card if its dialog is open.
// The answer is a set of htmx out-of-band swaps (templates/live/_parts.html):
// htmx puts the parts in place, this file only decides what to ask for and
// when.
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
//   htmx-extensions issue 184) replays what was missed. A card placed after
//   a card that the page does not show as it is now (its own event is yet to
//   come) cannot be placed: its column is then re-read in full.
//
// #live carries, for tests and styles: data-last-event-id (the newest event
// received), data-shown-event-id (the newest event whose change the page
// shows) and data-refresh-held (present while refreshes wait for the user).
(function () {
  "use strict";

  var live = null;
  var lastId = 0;
  var queue = [];        // events not yet applied
  var announcements = [];
  var flushTimer = null;
  var inFlight = null;   // the parts request under way: {events, filter, ...}
  var holds = 0;         // other scripts may hold refreshes (tiltag.live.hold)

  // Sortable's classes while a card is held or dragged: moves.js names the
  // chosen and ghost classes card-chosen and card-ghost; the dragged copy
  // keeps Sortable's own sortable-drag / sortable-fallback.
  var DRAG_SELECTOR = ".card-chosen, .card-ghost, .sortable-drag, .sortable-fallback";
  var MAX_PART_CARDS = 50;  // as board/live/views.py

  function init() {
    live = document.getElementById("live");
    if (!live) return;
    lastId = parseInt(live.dataset.lastEventId || "0", 10) || 0;
    document.addEventListener("sse:change", onChange);
    document.addEventListener("sse:presence", onPresence);
    live.addEventListener("htmx:beforeSwap", beforePartsSwap);
    live.addEventListener("htmx:afterSwap", afterPartsSwap);
    live.addEventListener("htmx:afterRequest", afterPartsRequest);
    // A failed parts request is retried quietly: keep app.js's error notices out.
    live.addEventListener("htmx:responseError", function (event) { event.stopPropagation(); });
    live.addEventListener("htmx:sendError", function (event) { event.stopPropagation(); });
    document.addEventListener("htmx:oobBeforeSwap", beforePartSwap);
    document.addEventListener("htmx:oobErrorNoTarget", partWithoutTarget);
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

  // The page's filter, search and view: parts are asked for under them.
  // `extra` is the owner and vurdering filter as a query string (ejer=..&vurdering=..).
  var FILTER_PARAMS = {
    tema: "filterTema", maal: "filterMaal", extra: "filterExtra", q: "filterQ", visning: "visning"
  };

  function currentFilter() {
    var columns = document.querySelector("#columns .columns");
    var filter = {};
    Object.keys(FILTER_PARAMS).forEach(function (name) {
      filter[name] = columns ? columns.dataset[FILTER_PARAMS[name]] || "" : "";
    });
    return filter;
  }

  function sameFilter(a, b) {
    return Object.keys(FILTER_PARAMS).every(function (name) { return a[name] === b[name]; });
  }

  function flush() {
    if (announcements.length) {
      var texts = announcements;
      announcements = [];
      window.tiltag.announce(texts.length <= 3 ? texts.join(". ") :
        texts.length + " ændringer fra andre. Seneste: " + texts[texts.length - 1]);
    }
    if (!queue.length) return;
    if (inFlight) { scheduleFlush(200); return; }
    if (boardBusy()) {
      live.dataset.refreshHeld = "";
      scheduleFlush(200);
      return;
    }
    delete live.dataset.refreshHeld;
    var events = queue;
    queue = [];
    refreshDialog(events);
    var parts = partsFor(events.filter(function (d) { return !alreadyShown(d); }));
    if (!parts) { shown(events); return; }
    var filter = currentFilter();
    var params = new URLSearchParams();
    if (parts.all) params.append("all", "1");
    ["stage", "card", "place", "count"].forEach(function (name) {
      Object.keys(parts[name]).forEach(function (value) { params.append(name, value); });
    });
    if (parts.filter) params.append("filter", "1");
    Object.keys(FILTER_PARAMS).forEach(function (name) {
      if (name !== "extra" && filter[name]) params.append(name, filter[name]);
    });
    // The owner and vurdering filter, as the server wrote it (ejer=..&vurdering=..).
    new URLSearchParams(filter.extra).forEach(function (value, name) { params.append(name, value); });
    var request = { events: events, filter: filter, retry: null, missing: {}, focus: null };
    inFlight = request;
    // The answer is out-of-band swaps only; the handlers below decide
    // whether they are applied (beforePartsSwap) and finish up
    // (afterPartsRequest). Should htmx not even send the request, the
    // promise still ends it.
    var done = htmx.ajax("GET", live.dataset.partsUrl + "?" + params.toString(), {
      source: live,
      swap: "none"
    });
    var settle = function () {
      if (inFlight !== request) return;
      inFlight = null;
      queue = events.concat(queue);
      scheduleFlush(2000);
    };
    if (done && done.then) done.then(settle, settle);
  }

  // What to ask for: `stage` whole columns, `card` cards in place, `place`
  // cards at their new place, `count` column counts, `filter` its counts.
  function partsFor(events) {
    var parts = { all: false, stage: {}, card: {}, place: {}, count: {}, filter: false };
    var any = false;
    events.forEach(function (d) {
      if (d.scope === "board") { parts.all = true; parts.filter = true; any = true; return; }
      if (d.scope === "column") {
        // A card moved, was created, archived, restored or changed theme:
        // only it moves (the others keep their order), and the counts change.
        var into = d.card && d.initiative_id ? parts.place : null;
        if (into) into[d.initiative_id] = true;
        d.stages.forEach(function (s) { (into ? parts.count : parts.stage)[s] = true; });
        if (d.filter) parts.filter = true;
        any = true;
      } else if (d.scope === "card" && d.initiative_id && cardElement(d.initiative_id)) {
        parts.card[d.initiative_id] = true;
        any = true;
      }
    });
    if (Object.keys(parts.place).length > MAX_PART_CARDS) {
      // Many cards at once (a page that was away): whole columns are cheaper.
      Object.keys(parts.count).forEach(function (s) { parts.stage[s] = true; });
      parts.place = {};
      parts.count = {};
    }
    return any || parts.filter ? parts : null;
  }

  // The page now shows the board as of these events.
  function shown(events) {
    var ids = events.map(function (d) { return d.id || 0; });
    var newest = Math.max.apply(null, ids.concat([0]));
    var before = parseInt(live.dataset.shownEventId || "0", 10) || 0;
    if (newest > before) live.dataset.shownEventId = String(newest);
  }

  function beforePartsSwap(event) {
    var request = inFlight;
    if (event.target !== live || !request) return;
    var now = currentFilter();
    if (event.detail.xhr.status !== 200) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      request.retry = 2000;
    } else if (!sameFilter(now, request.filter) || boardBusy()) {
      // The page changed under the request: ask again.
      event.detail.shouldSwap = false;
      request.retry = 200;
    } else {
      request.focus = rememberFocus();
      request.swapping = true;
    }
  }

  // One out-of-band part: the filter form is left alone while the user is in it.
  function beforePartSwap(event) {
    if (!inFlight || !inFlight.swapping) return;
    var target = event.detail.target;
    if (target && target.id === "board-filter" && target.contains(document.activeElement)) {
      event.detail.shouldSwap = false;
    }
  }

  // A card placed after a card the page does not show as it is now.
  function partWithoutTarget(event) {
    if (!inFlight || !inFlight.swapping) return;
    var content = event.detail.content;
    var stage = content && content.dataset ? content.dataset.liveStage : null;
    if (stage) inFlight.missing[stage] = true;
  }

  function afterPartsSwap(event) {
    var request = inFlight;
    if (event.target !== live || !request || !request.swapping) return;
    request.swapping = false;
    restoreFocus(request.focus);
    highlightChanges(request.events);
    var missing = Object.keys(request.missing);
    if (missing.length) {
      queue.push({ id: 0, kind: "refresh", scope: "column", stages: missing, filter: false });
    } else {
      shown(request.events);
    }
    document.dispatchEvent(new CustomEvent("tiltag:live-refreshed", { bubbles: true }));
  }

  function afterPartsRequest(event) {
    var request = inFlight;
    if (event.target !== live || !request) return;
    inFlight = null;
    if (!event.detail.xhr || event.detail.xhr.status === 0) request.retry = 2000;  // no network
    if (request.retry) {
      queue = request.events.concat(queue);
      scheduleFlush(request.retry);
    } else if (queue.length) {
      scheduleFlush(40);
    }
  }

  // Keep keyboard focus on the same control of the same card across a swap.
  function rememberFocus() {
    var active = document.activeElement;
    var card = active && active.closest ? active.closest("#columns .card") : null;
    if (!card) return null;
    var controls = Array.prototype.slice.call(card.querySelectorAll("a, button, [tabindex]"));
    return { element: active, cardId: card.id, index: controls.indexOf(active) };
  }

  function restoreFocus(memory) {
    if (!memory || memory.element.isConnected) return;  // not swapped: focus is still there
    var card = document.getElementById(memory.cardId);
    if (!card) return;
    var controls = card.querySelectorAll("a, button, [tabindex]");
    var target = controls[memory.index] || card.querySelector("a, button");
    if (target) target.focus({ preventScroll: true });
  }

  // --- changes in plain sight ---------------------------------------------
  //
  // A card someone else changed is highlighted for a few seconds (class
  // is-changed, live.css; without motion under prefers-reduced-motion) with
  // a note saying what happened ("Flyttet af Lone Leder", the event's
  // `change`), and scrolled into view unless the user is busy elsewhere on
  // the page: focus in a form, a field or a dialog, or a scroll of their own
  // in the last seconds.

  var HIGHLIGHT_MS = 8000;
  var USER_SCROLL_MS = 10000;
  var SCROLL_KEYS = { PageUp: 1, PageDown: 1, ArrowUp: 1, ArrowDown: 1, Home: 1, End: 1, " ": 1 };
  var lastUserScroll = 0;
  var highlightTimers = {};

  function userScrolled() { lastUserScroll = Date.now(); }
  window.addEventListener("wheel", userScrolled, { passive: true });
  window.addEventListener("touchmove", userScrolled, { passive: true });
  window.addEventListener("keydown", function (event) {
    if (SCROLL_KEYS[event.key] && !/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(event.target.tagName)) {
      userScrolled();
    }
  });

  function busyElsewhere() {
    if (Date.now() - lastUserScroll < USER_SCROLL_MS) return true;
    var dialog = document.getElementById("card-dialog");
    if (dialog && dialog.open) return true;
    var active = document.activeElement;
    if (!active || active === document.body) return false;
    return Boolean(active.form || (active.closest && active.closest("form, dialog, .move-panel")) ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }

  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function markChanged(el, text) {
    var id = el.id;
    var note = el.querySelector(".card-change-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "card-change-note";
      el.appendChild(note);
    }
    note.textContent = text;
    el.classList.add("is-changed");
    window.clearTimeout(highlightTimers[id]);
    highlightTimers[id] = window.setTimeout(function () {
      delete highlightTimers[id];
      var current = document.getElementById(id);  // the card may have been re-rendered
      if (!current) return;
      current.classList.remove("is-changed");
      var old = current.querySelector(".card-change-note");
      if (old) old.remove();
    }, HIGHLIGHT_MS);
  }

  function highlightChanges(events) {
    var last = null;
    events.forEach(function (d) {
      if (!d.change || !d.initiative_id || isMine(d)) return;
      var el = cardElement(d.initiative_id);
      if (!el) return;  // not shown under this filter, or archived
      markChanged(el, d.change);
      last = el;
    });
    if (last && !inView(last) && !busyElsewhere()) {
      last.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
    }
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
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

  // One re-read of the dialog at a time: two under way at once may answer
  // in either order, and the older answer, arriving last, would show the
  // card as it was before the newer change. Events for the dialog's card
  // that arrive while one loads wait for it and are re-read after it.
  var dialogLoading = false;
  var dialogWaiting = [];

  function refreshDialog(events) {
    var inner = openDialogCard();
    if (!inner) return;
    var id = inner.dataset.initiativeId;
    var mine = events.filter(function (d) { return String(d.initiative_id) === id; });
    if (!mine.length) return;
    var link = inner.querySelector(".dialog-permalink a");
    if (!link) return;
    if (dialogLoading) { dialogWaiting = dialogWaiting.concat(mine); return; }
    dialogLoading = true;
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
    }).catch(function () { /* the next event or reconnect brings it */ }).then(function () {
      dialogLoading = false;
      var waiting = dialogWaiting;
      dialogWaiting = [];
      if (waiting.length) refreshDialog(waiting);
    });
  }

  // Call `then` once no part of the dialog is being edited any more: looked
  // at again when focus leaves a field or the dialog's content changes (an
  // edit form saved, cancelled or removed); nothing is fetched meanwhile.
  function whenEditEnds(inner, then) {
    var dialog = document.getElementById("card-dialog");
    var observer = new MutationObserver(check);
    var timer = null;
    function soon() {  // after focusout the focus has yet to land
      if (!timer) timer = window.setTimeout(function () { timer = null; check(); }, 0);
    }
    function stop() {
      observer.disconnect();
      inner.removeEventListener("focusout", soon);
      if (dialog) dialog.removeEventListener("close", check);
    }
    function check() {
      if (openDialogCard() !== inner) { stop(); return; }
      var parts = inner.querySelectorAll(".card-details, .card-history, .comment-list");
      if (Array.prototype.some.call(parts, isEditing)) return;
      stop();
      then();
    }
    observer.observe(inner, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
    inner.addEventListener("focusout", soon);
    if (dialog) dialog.addEventListener("close", check);
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
