// Moving cards on the board: drag and drop (Sortable) and the keyboard/touch
// "Flyt" control. Both move the card in the page at once and POST the move
// (stage, position, version, from_stage, the page's view and the filter of
// the card's nearest [data-filter-tema]) to the card's data-move-url with
// htmx; app.js adds the CSRF header. In the swimlane view that filter is the
// card's row (its pejlemærke), and a card moves only between that row's
// cells: `position` then counts the row's cards.
//
// - 200: htmx swaps the re-rendered card (new version) over the moved one;
//   the counts and the announcement come out of band.
// - 409: the card is put back where it was, then the server's re-rendered
//   columns and notice are swapped in out of band (HX-Reswap: none).
// - 400/403: the card is put back; the server's message lands in #notice
//   (HX-Retarget from the error handler).
// - 5xx or no network: the move may have been saved all the same (the answer
//   was lost on the way, a proxy failed after the commit). So the page asks
//   the server what happened: it re-reads both columns (live parts,
//   `stage=`) and shows them as they are. Saved: the card stays at its new
//   place and the notice says it was saved. Not saved: the re-read columns
//   have it where it was, and the notice says so. If the server cannot be
//   reached either, it asks again a few times, then puts the card back and
//   says the outcome is unknown until the page is reloaded.
// The board therefore never shows a move that the server did not make, nor
// calls a saved move unsaved.
(function () {
  "use strict";

  // initiative id -> { card, origin: {list, index}, focus: null|"toggle"|"up"|"down" }
  var pending = new Map();
  // The request of each pending move. After a successful swap the old card
  // is gone from the page and htmx reports on one of its ancestors, so the
  // answer is matched to its move by the request, not by the element.
  var byRequest = new WeakMap();

  function cardsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.classList.contains("card");
    });
  }

  function columnLabel(list) {
    return list.dataset.stageLabel || list.dataset.stage;
  }

  // The card lists a card can move between: those of its swimlane row in the
  // swimlane view (a move never changes the pejlemærke), else all four.
  function listsFor(card) {
    var scope = card.closest(".lane") || document;
    return scope.querySelectorAll(".card-list");
  }

  function notice(text, kind) {
    var p = document.createElement("p");
    p.className = "notice notice-" + (kind || "error") + " move-notice";
    p.textContent = text;
    var area = document.getElementById("notice");
    if (area) area.replaceChildren(p);
  }

  // The filter a move of `card` is sent under: that of its nearest
  // [data-filter-tema] (a swimlane row: its pejlemærke; else the board's,
  // on .columns), the owner and vurdering filter of .columns, and the page's
  // view, which decides how the answer's card is drawn.
  function filterValues(card) {
    var holder = (card && card.closest("[data-filter-tema]")) || document.querySelector(".columns");
    var columns = document.querySelector(".columns");
    var values = {
      tema: holder ? holder.dataset.filterTema || "" : "",
      maal: holder ? holder.dataset.filterMaal || "" : "",
    };
    if (holder && holder.dataset.filterQ) values.q = holder.dataset.filterQ;
    if (columns && columns.dataset.visning) values.visning = columns.dataset.visning;
    // The owner and vurdering filter go as their own fields (ejer, vurdering).
    var extra = columns ? columns.dataset.filterExtra || "" : "";
    new URLSearchParams(extra).forEach(function (value, name) { values[name] = value; });
    return values;
  }

  // Send the move of `card`, which is already at its new place in the page.
  function send(card, origin, focus) {
    var id = card.dataset.initiativeId;
    var list = card.parentElement;
    var toggle = card.querySelector(".move-toggle");
    if (!toggle || pending.has(id)) return;
    var values = filterValues(card);
    values.stage = list.dataset.stage;
    values.position = String(cardsOf(list).indexOf(card));
    values.version = card.dataset.version;
    values.from_stage = origin.list.dataset.stage;
    pending.set(id, {
      card: card, origin: origin, focus: focus,
      sent: { stage: values.stage, version: values.version, from: values.from_stage },
    });
    // Live updates (live.js) wait until this move is answered.
    if (window.tiltag && window.tiltag.live) window.tiltag.live.hold();
    card.classList.add("is-moving");
    card.setAttribute("aria-busy", "true");
    htmx.ajax("POST", toggle.dataset.moveUrl, {
      source: card,
      target: card,
      swap: "outerHTML",
      values: values,
    });
  }

  // Put a card back where it was before the move (only if that place is
  // still in the page; a re-rendered board needs no repair).
  function putBack(entry) {
    var card = entry.card;
    card.classList.remove("is-moving");
    card.removeAttribute("aria-busy");
    if (!card.isConnected || !entry.origin.list.isConnected) return;
    var siblings = cardsOf(entry.origin.list).filter(function (c) { return c !== card; });
    entry.origin.list.insertBefore(card, siblings[entry.origin.index] || null);
  }

  function entryOf(event) {
    return event.detail.xhr ? byRequest.get(event.detail.xhr) || null : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.dataset || !elt.dataset.initiativeId) return;
    var entry = pending.get(elt.dataset.initiativeId);
    if (entry && entry.card === elt && event.detail.xhr) byRequest.set(event.detail.xhr, entry);
  });

  function focusCard(id, focus) {
    var card = document.getElementById("card-" + id);
    if (!card) return;
    var toggle = card.querySelector(".move-toggle");
    if (!toggle) return;
    if (focus === "up" || focus === "down") {
      openPanel(toggle, focus);
    } else if (focus) {
      toggle.focus();
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var entry = entryOf(event);
    if (!entry) return;
    var status = event.detail.xhr.status;
    if (status === 200) {
      // htmx "settles" the class attribute: for 20 ms the new card carries
      // the old one's classes. Without this a "Flyt" pressed right after a
      // move would find the card still "is-moving" and do nothing.
      entry.card.classList.remove("is-moving");
      entry.card.removeAttribute("aria-busy");
      return;
    }
    // A 5xx may come after the move was saved (a proxy's 502): ask the
    // server (afterRequest) instead of guessing. A 5xx is never swapped
    // (base.html); app.js's general notice is not wanted either.
    if (status >= 500) {
      event.detail.isError = false;
      entry.recheck = true;
      return;
    }
    // 409: the answer (HX-Reswap: none) swaps in the re-rendered columns and
    // the notice out of band. 400/403: the server's Danish message goes to
    // #notice (HX-Retarget).
    putBack(entry);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var entry = entryOf(event);
    if (!entry || entry.done) return;
    entry.done = true;
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0 || entry.recheck) {
      recheck(entry, 0);  // keeps the move pending and live refreshes held
      return;
    }
    finish(entry);
    if (xhr.status === 200) {
      var old = document.querySelector("#notice .move-notice");
      if (old) old.remove();
    }
  });

  function finish(entry) {
    var id = entry.card.dataset.initiativeId;
    pending.delete(id);
    if (entry.recheckSource) entry.recheckSource.remove();
    if (window.tiltag && window.tiltag.live) window.tiltag.live.release();
    focusCard(id, entry.focus);
  }

  // --- after a lost answer: ask the server what happened ------------------

  var RECHECK_DELAYS = [0, 1000, 2000, 4000, 8000];

  // A move's re-checks come from an element of their own (one per move), so
  // that a failed one is retried here without app.js's general notices, and
  // so that two moves re-checked at once do not share one: htmx keeps one
  // request per element in flight and queues another one asked for
  // meanwhile (keeping only the latest), resolving its promise at once. A
  // second move's re-check would then count as answered before it was sent,
  // use up its tries behind the first one, and be replaced by the next.
  function sourceForRecheck(entry) {
    if (entry.recheckSource && entry.recheckSource.isConnected) return entry.recheckSource;
    var source = document.createElement("span");
    source.hidden = true;
    source.className = "move-recheck";
    document.body.appendChild(source);
    ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
      source.addEventListener(name, function (event) { event.stopPropagation(); });
    });
    entry.recheckSource = source;
    return source;
  }

  function recheck(entry, attempt) {
    var live = document.getElementById("live");
    if (!live || !live.dataset.partsUrl) {
      putBack(entry);
      notice("Flytningen blev måske ikke gemt. Genindlæs siden for at se tavlen, som den er.");
      finish(entry);
      return;
    }
    notice("Svaret på flytningen gik tabt. Tjekker, om den blev gemt …", "warning");
    // The board's own filter (not a swimlane row's): the parts are the page's.
    var filter = filterValues(null);
    var params = new URLSearchParams();
    [entry.sent.from, entry.sent.stage].forEach(function (stage) {
      params.append("stage", stage);
    });
    Object.keys(filter).forEach(function (name) {
      if (filter[name]) params.append(name, filter[name]);
    });
    var url = live.dataset.partsUrl + "?" + params.toString();
    setTimeout(function () {
      // The answer re-renders both columns out of band (swap "none"): the
      // moved card's element is then replaced. Still in the page afterwards
      // means no answer came.
      var done = htmx.ajax("GET", url, { source: sourceForRecheck(entry), swap: "none" });
      var settle = function () { rechecked(entry, attempt); };
      if (done && done.then) done.then(settle, settle); else settle();
    }, RECHECK_DELAYS[attempt]);
  }

  function rechecked(entry, attempt) {
    var id = entry.card.dataset.initiativeId;
    if (entry.card.isConnected) {
      if (attempt + 1 < RECHECK_DELAYS.length) {
        recheck(entry, attempt + 1);
        return;
      }
      putBack(entry);
      notice("Serveren svarer ikke, så det er uvist, om flytningen blev gemt. " +
             "Genindlæs siden, når forbindelsen er tilbage.");
      finish(entry);
      return;
    }
    var card = document.getElementById("card-" + id);
    var list = card ? card.closest(".card-list") : null;
    var saved = card && list && list.dataset.stage === entry.sent.stage &&
      card.dataset.version !== entry.sent.version;
    if (saved) {
      notice("Flytningen blev gemt, selv om svaret gik tabt undervejs.", "success");
    } else {
      notice("Flytningen blev ikke gemt. Kortet er sat tilbage, hvor det var.");
    }
    entry.card = card || entry.card;
    finish(entry);
  }

  // Registered after app.js's own handler (which says "no connection"), so
  // the more precise message wins.
  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("htmx:sendError", function (event) {
      if (!entryOf(event)) return;
      notice("Ingen forbindelse til serveren. Tjekker, om flytningen blev gemt …", "warning");
    });
  });

  // --- drag and drop -------------------------------------------------------

  function onDragEnd(evt) {
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
    send(evt.item, { list: evt.from, index: evt.oldIndex }, null);
  }

  function initList(list) {
    if (Sortable.get(list)) return;
    var lane = list.closest(".lane");
    Sortable.create(list, {
      // In the swimlane view only between the cells of one row.
      group: lane ? "cards-" + lane.id : "cards",
      draggable: ".card",
      // The Flyt button and its panel are clicked, not dragged; the grip
      // drawn before the button (.move-controls::before) is a drag handle.
      filter: ".move-toggle, .move-panel, .is-moving",
      preventOnFilter: false,
      // Mouse events instead of native HTML5 drag: the same behaviour with
      // mouse, pen and touch, and a press-and-hold on touch so the page can
      // still scroll.
      forceFallback: true,
      fallbackTolerance: 4,
      delay: 180,
      delayOnTouchOnly: true,
      animation: 120,
      ghostClass: "card-ghost",
      chosenClass: "card-chosen",
      onStart: closePanels,
      onEnd: onDragEnd,
    });
  }

  htmx.onLoad(function (root) {
    if (root.matches && root.matches(".card-list")) initList(root);
    if (root.querySelectorAll) root.querySelectorAll(".card-list").forEach(initList);
  });

  // --- the "Flyt" control ----------------------------------------------------

  function closePanels(exceptToggle) {
    document.querySelectorAll(".move-panel").forEach(function (panel) {
      var toggle = panel.previousElementSibling;
      if (toggle === exceptToggle) return;
      panel.remove();
      if (toggle) toggle.setAttribute("aria-expanded", "false");
    });
  }

  function addButton(panel, text, data, disabled) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "move-choice";
    button.textContent = text;
    Object.keys(data).forEach(function (key) { button.dataset[key] = data[key]; });
    if (disabled) button.disabled = true;
    panel.appendChild(button);
    return button;
  }

  // Open the panel under `toggle`; focus its first choice, or the up/down
  // button named by `focus` when it is still usable (repeated up/down).
  function openPanel(toggle, focus) {
    closePanels();
    var card = toggle.closest(".card");
    var list = card.parentElement;
    var cards = cardsOf(list);
    var index = cards.indexOf(card);
    var panel = document.createElement("div");
    panel.className = "move-panel";
    panel.id = "move-panel-" + card.dataset.initiativeId;
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", "Flyt tiltaget");
    listsFor(card).forEach(function (other) {
      if (other !== list) addButton(panel, "Til " + columnLabel(other), { moveTo: other.dataset.stage });
    });
    addButton(panel, "Op", { moveStep: "up" }, index <= 0);
    addButton(panel, "Ned", { moveStep: "down" }, index >= cards.length - 1);
    toggle.after(panel);
    toggle.setAttribute("aria-controls", panel.id);
    toggle.setAttribute("aria-expanded", "true");
    var preferred = focus && panel.querySelector('[data-move-step="' + focus + '"]:not([disabled])');
    (preferred || (focus ? toggle : panel.querySelector("button:not([disabled])")) || toggle).focus();
  }

  function moveByKeyboard(choice) {
    var card = choice.closest(".card");
    var list = card.parentElement;
    var origin = { list: list, index: cardsOf(list).indexOf(card) };
    var focus = "toggle";
    if (choice.dataset.moveTo) {
      var target = Array.prototype.find.call(listsFor(card), function (other) {
        return other.dataset.stage === choice.dataset.moveTo;
      });
      if (!target) return;
      target.appendChild(card); // to the bottom of the other column
    } else {
      var cards = cardsOf(list);
      var index = origin.index + (choice.dataset.moveStep === "up" ? -1 : 1);
      if (index < 0 || index >= cards.length) return;
      list.insertBefore(card, choice.dataset.moveStep === "up" ? cards[index] : cards[index].nextSibling);
      focus = choice.dataset.moveStep;
    }
    closePanels();
    var toggle = card.querySelector(".move-toggle");
    if (toggle) toggle.focus(); // moving the element in the page drops focus
    send(card, origin, focus);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".move-toggle");
    if (toggle) {
      if (toggle.getAttribute("aria-expanded") === "true") {
        closePanels();
      } else if (!toggle.closest(".is-moving")) {
        openPanel(toggle, null);
      }
      return;
    }
    var choice = event.target.closest(".move-choice");
    if (choice) {
      moveByKeyboard(choice);
      return;
    }
    if (!event.target.closest(".move-panel")) closePanels();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = event.target.closest && event.target.closest(".move-panel");
    if (!panel) return;
    var toggle = panel.previousElementSibling;
    event.preventDefault();
    closePanels();
    if (toggle) toggle.focus();
  });
})();
