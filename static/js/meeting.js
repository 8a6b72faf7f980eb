// The meeting page (templates/meetings/show.html), made for a projector.
// - Everyone with the meeting open follows the item on the screen: the page
//   listens to the board's live stream with the meeting kinds (`moede=1`)
//   and re-reads the live part (#meeting-live) when the leader moves on,
//   changes the agenda or records something, or the card on the screen
//   changes. Share-link viewers get the same stream through their link.
// - A leader moves between items with Page Down / Page Up and the arrow
//   keys, as a presenter remote does (it posts the position; htmx swaps the
//   answer in).
// - A re-read waits while a field in the live part has focus (the leader is
//   typing a decision), unless the item on the screen changed.
(function () {
  "use strict";

  var root = document.getElementById("meeting-live");
  if (!root || !window.EventSource) return;
  var meetingId = Number(root.dataset.meetingId);
  var pending = false;
  var seen = {};
  var stepped = {}; // positions this page has put on the screen itself

  function current() {
    var item = document.getElementById("meeting-item");
    return {
      position: item && item.dataset.position !== undefined ? Number(item.dataset.position) : 0,
      count: item && item.dataset.count ? Number(item.dataset.count) : 0,
      card: item && item.dataset.initiativeId ? Number(item.dataset.initiativeId) : null,
    };
  }

  function typing() {
    var active = document.activeElement;
    return !!(active && root.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName));
  }

  // One request at a time on #meeting-live, issued from #meeting-live itself.
  // htmx keeps one request per element in flight: another one asked for
  // meanwhile is queued, only the latest waiting one is kept, and its
  // promise resolves at once, before it is even sent. htmx.ajax without a
  // `source` issues from <body>, which the header's count re-read
  // (notifications.js) uses too: a step or re-read asked for while that was
  // loading was queued there, and replaced by the next request (a step
  // that never happened, a decision not shown). So the requests come from
  // #meeting-live, which nothing else issues from, and one asked for while
  // another is loading waits its turn here; of several waiting re-reads
  // one is enough.
  var busy = false;
  var forced = false; // the request under way is a re-read that may replace a field being typed in
  var waiting = [];
  function issue(method, url, values, force) {
    if (busy) {
      var again = null;
      if (method === "GET") waiting.forEach(function (w) { if (w.method === "GET") again = w; });
      if (again) again.force = again.force || !!force;
      else waiting.push({ method: method, url: url, values: values, force: !!force });
      return;
    }
    busy = true;
    forced = !!force;
    var options = { source: root, target: "#meeting-live", swap: "innerHTML" };
    if (values) options.values = values;
    var finished = function () {
      busy = false;
      var next = waiting.shift();
      if (next) issue(next.method, next.url, next.values, next.force);
    };
    var request = htmx.ajax(method, url, options);
    if (request && typeof request.then === "function") request.then(finished, finished);
    else finished();
  }

  function refresh(force) {
    if (!force && typing()) {
      pending = true;
      return;
    }
    pending = false;
    issue("GET", root.dataset.currentUrl, null, force);
  }

  // A re-read asked for before the leader began to type may come back
  // after: it must not replace what is being typed (it did: a decision
  // typed right after stepping was lost). Such an answer is dropped, and the
  // part is read again when the field loses focus; a re-read forced by a
  // new item on the screen still swaps.
  root.addEventListener("htmx:beforeSwap", function (event) {
    if (event.target !== root) return;
    var config = event.detail.requestConfig;
    if (config && config.verb === "get" && !forced && typing()) {
      event.detail.shouldSwap = false;
      pending = true;
    }
  });

  root.addEventListener("focusout", function () {
    window.setTimeout(function () { if (pending && !typing()) refresh(true); }, 0);
  });

  var lastShown = null;
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== root) return;
    var now = current();
    var title = document.getElementById("meeting-item-title");
    var key = now.position + ":" + now.card;
    if (title && lastShown !== null && key !== lastShown && window.tiltag && window.tiltag.announce) {
      window.tiltag.announce("Punkt " + (now.position + 1) + " af " + now.count + ": " + title.textContent);
    }
    lastShown = key;
  });
  lastShown = current().position + ":" + current().card;

  var source = new EventSource(root.dataset.streamUrl);
  source.addEventListener("change", function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    if (seen[data.id]) return;
    seen[data.id] = true;
    var ours = data.meeting_id === meetingId;
    if (ours && data.kind === "meeting.current") {
      // The screen moved on: re-read even over a field being typed in,
      // unless this page made that step itself (the stepping leader's page
      // has the answer already, and the echo of a step it made before the
      // last one arrives late). Forcing those replaced the decision the
      // leader had begun to type right after stepping back.
      return refresh(!stepped[data.meeting_position]);
    }
    if (ours || (data.initiative_id && data.initiative_id === current().card)) refresh(false);
  });
  source.addEventListener("closed", function () { source.close(); });

  // The presenter keys: leaders only (the page has a show URL for them).
  var showUrl = root.dataset.showUrl;
  if (!showUrl) return;
  var NEXT = { PageDown: 1, ArrowRight: 1, ArrowDown: 1 };
  var PREVIOUS = { PageUp: -1, ArrowLeft: -1, ArrowUp: -1 };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(TEXTAREA|INPUT|SELECT|BUTTON|SUMMARY)$/.test(target.tagName))) {
      // Arrow keys belong to the control; Page Down/Up still step.
      if (!(event.key === "PageDown" || event.key === "PageUp") || /^(TEXTAREA|INPUT|SELECT)$/.test(target.tagName)) return;
    }
    var step = NEXT[event.key] || PREVIOUS[event.key];
    if (!step) return;
    var now = current();
    var to = now.position + step;
    if (to < 0 || to >= now.count) return;
    event.preventDefault();
    stepped[to] = true;
    issue("POST", showUrl, { position: to });
  });
})();
