// @mentions in comment fields: typing "@" offers the board's members.
//
// The WAI-ARIA combobox pattern with a listbox popup (APG "combobox with
// listbox popup", list autocomplete): the comment field is the combobox
// (role, aria-autocomplete="list", aria-expanded, aria-controls,
// aria-activedescendant); focus stays in the field while ArrowDown/ArrowUp
// move through the options, Enter (or Tab) picks one, Escape closes the list
// (and only the list, not the card dialog). Clicking an option picks it too.
//
// Picking inserts "@Name " and adds a hidden `mention` field with the
// user's id to the form; the server stores the mention as a reference to the
// user (board/notifications/mentions.py). The members come from the
// field's data-mention-source (GET, JSON [{id, name}], read once per board).
(function () {
  "use strict";

  var MAX_OPTIONS = 8;
  var sources = {}; // url -> Promise of [{id, name}]
  var counter = 0;

  function members(url) {
    if (!sources[url]) {
      sources[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .catch(function () { delete sources[url]; return []; });
    }
    return sources[url];
  }

  // The "@query" just before the caret, or null.
  function queryAt(field) {
    var before = field.value.slice(0, field.selectionStart);
    var match = /(^|[\s(])@([^@\n]{0,40})$/.exec(before);
    if (!match) return null;
    return { text: match[2], start: before.length - match[2].length - 1 };
  }

  function setup(field) {
    if (field.dataset.mentionReady) return;
    field.dataset.mentionReady = "1";
    counter += 1;
    var list = document.createElement("ul");
    list.id = "mention-list-" + counter;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Personer du kan nævne");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-haspopup", "listbox");
  }

  function listOf(field) {
    return document.getElementById(field.getAttribute("aria-controls"));
  }

  function isOpen(field) {
    return field.getAttribute("aria-expanded") === "true";
  }

  function close(field) {
    var list = listOf(field);
    if (list) { list.hidden = true; list.textContent = ""; }
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  }

  function options(field) {
    var list = listOf(field);
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }

  function activate(field, index) {
    var all = options(field);
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    field.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function activeIndex(field) {
    var id = field.getAttribute("aria-activedescendant");
    return options(field).findIndex(function (option) { return option.id === id; });
  }

  function matches(people, text) {
    var wanted = text.toLocaleLowerCase("da");
    return people.filter(function (person) {
      var name = person.name.toLocaleLowerCase("da");
      return name.indexOf(wanted) === 0 || name.split(/\s+/).some(function (word) { return word.indexOf(wanted) === 0; });
    }).slice(0, MAX_OPTIONS);
  }

  function update(field) {
    var query = queryAt(field);
    if (!query) { close(field); return; }
    members(field.dataset.mentionSource).then(function (people) {
      var current = queryAt(field);
      if (!current || current.text !== query.text || document.activeElement !== field) return;
      var found = matches(people, query.text);
      var list = listOf(field);
      if (!found.length) { close(field); return; }
      list.textContent = "";
      found.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + person.id;
        option.className = "mention-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.userId = person.id;
        option.dataset.name = person.name;
        option.textContent = person.name;
        list.appendChild(option);
      });
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
      activate(field, 0);
    });
  }

  function pick(field, option) {
    var query = queryAt(field);
    if (!query || !option) { close(field); return; }
    var name = option.dataset.name;
    var before = field.value.slice(0, query.start);
    var after = field.value.slice(field.selectionStart);
    var inserted = "@" + name + " ";
    field.value = before + inserted + after;
    var caret = before.length + inserted.length;
    field.setSelectionRange(caret, caret);
    var form = field.form;
    if (form && !form.querySelector('input[name="mention"][value="' + option.dataset.userId + '"]')) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "mention";
      hidden.value = option.dataset.userId;
      form.appendChild(hidden);
    }
    close(field);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function fieldOf(target) {
    return target && target.matches && target.matches("textarea[data-mention-source]") ? target : null;
  }

  // Fields on the page and in what htmx swaps in (the card dialog) become
  // comboboxes at once, so assistive technology knows before typing starts.
  function setupWithin(root) {
    if (!root || !root.querySelectorAll) return;
    if (fieldOf(root)) setup(root);
    root.querySelectorAll("textarea[data-mention-source]").forEach(setup);
  }
  document.addEventListener("htmx:load", function (event) { setupWithin(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupWithin(document.body); });
  } else {
    setupWithin(document.body);
  }

  document.addEventListener("focusin", function (event) {
    var field = fieldOf(event.target);
    if (field) setup(field);
  });

  document.addEventListener("input", function (event) {
    var field = fieldOf(event.target);
    if (!field) return;
    setup(field);
    update(field);
  });

  document.addEventListener("keydown", function (event) {
    var field = fieldOf(event.target);
    if (!field || !isOpen(field)) return;
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      activate(field, activeIndex(field) + (key === "ArrowDown" ? 1 : -1));
    } else if (key === "Enter" || key === "Tab") {
      var index = activeIndex(field);
      if (index < 0) return;
      event.preventDefault();
      pick(field, options(field)[index]);
    } else if (key === "Escape") {
      // Close the list only: the card dialog stays open.
      event.preventDefault();
      event.stopPropagation();
      close(field);
    }
  }, true);

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (!option) return;
    event.preventDefault(); // keep focus in the field
    var list = option.parentElement;
    var field = document.querySelector('[aria-controls="' + list.id + '"]');
    if (field) pick(field, option);
  });

  document.addEventListener("focusout", function (event) {
    var field = fieldOf(event.target);
    if (field && isOpen(field)) close(field);
  });
})();
