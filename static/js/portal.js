// Progressive enhancements only: every page works without this file (SPEC X-3).
(function () {
  "use strict";

  // Move focus to the error summary so that screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }

    // Prevent double submission of forms (the server still guards every write).
    document.querySelectorAll("form[data-prevent-double-submit]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitted === "1") { event.preventDefault(); return; }
        form.dataset.submitted = "1";
      });
    });

    // Session idle warning (ITSG-33 AC-11): show a dialog before the idle limit.
    var body = document.body;
    var timeout = parseInt(body.dataset.sessionTimeout || "0", 10);
    var warning = parseInt(body.dataset.sessionWarning || "0", 10);
    var dialog = document.getElementById("session-warning");
    if (!timeout || !dialog || typeof dialog.showModal !== "function") { return; }
    var timer;
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(function () { dialog.showModal(); }, Math.max(timeout - warning, 1) * 1000);
    }
    var extend = dialog.querySelector("form");
    extend.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(extend.action, {
        method: "POST",
        body: new FormData(extend),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.ok) { dialog.close(); schedule(); } else { window.location.reload(); }
      });
    });
    schedule();
  });
})();
