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
  var waiting = [];
  function issue(method, url, values) {
    if (busy) {
      var again = method === "GET" && waiting.some(function (w) { return w.method === "GET"; });
      if (!again) waiting.push({ method: method, url: url, values: values });
      return;
    }
    busy = true;
    var options = { source: root, target: "#meeting-live", swap: "innerHTML" };
    if (values) options.values = values;
    var finished = function () {
      busy = false;
      var next = waiting.shift();
      if (next) issue(next.method, next.url, next.values);
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
    issue("GET", root.dataset.currentUrl);
  }

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
    if (ours && data.kind === "meeting.current") return refresh(true);
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
    issue("POST", showUrl, { position: to });
  });
})();
