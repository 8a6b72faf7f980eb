// Share-link management page: the copy button for a new link, and a
// confirmation before revoking (no inline script: the CSP forbids it).
(function () {
  "use strict";

  function setStatus(text) {
    var status = document.getElementById("copy-status");
    if (status) status.textContent = text;
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy-from"));
    if (!input) return;
    var done = function () { setStatus("Linket er kopieret."); };
    var failed = function () {
      input.focus();
      input.select();
      setStatus("Kunne ikke kopiere automatisk. Linket er markeret: tryk Ctrl+C.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (fallbackCopy(input)) done(); else failed();
      });
    } else if (fallbackCopy(input)) {
      done();
    } else {
      failed();
    }
  });

  // Select the whole link when the field gets focus, ready to copy by hand.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("copy-source")) {
      event.target.select();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
