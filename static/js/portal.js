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

// Live checklists beside the username and password fields (SPEC SIGN-4). The server
// enforces every rule; this only shows them as the person types.
(function () {
  "use strict";
  var rules = {
    "length-8-16": function (v) { return v.length >= 8 && v.length <= 16; },
    "alnum": function (v) { return v.length > 0 && /^[A-Za-z0-9]+$/.test(v); },
    "max-7-digits": function (v) { return v.length > 0 && (v.match(/[0-9]/g) || []).length <= 7; },
    "valid-characters": function (v) { return v.length > 0 && /^[\x21-\x7e]+$/.test(v); },
    "lowercase": function (v) { return /[a-z]/.test(v); },
    "uppercase": function (v) { return /[A-Z]/.test(v); },
    "digit": function (v) { return /[0-9]/.test(v); },
    "no-username-3": function (v, list) {
      var user = (list.dataset.username || "").toLowerCase(), value = v.toLowerCase();
      if (!v) { return false; }
      for (var i = 0; i + 3 <= user.length; i++) {
        if (value.indexOf(user.substr(i, 3)) !== -1) { return false; }
      }
      return true;
    },
    "match": function (v, list) {
      var other = document.getElementById(list.dataset.confirm);
      return v.length > 0 && other && other.value === v;
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".checklist[data-for]").forEach(function (list) {
      var input = document.getElementById(list.dataset.for);
      if (!input) { return; }
      var confirm = list.dataset.confirm && document.getElementById(list.dataset.confirm);
      function update() {
        list.querySelectorAll("[data-rule]").forEach(function (item) {
          var ok = rules[item.dataset.rule](input.value, list);
          item.classList.toggle("met", ok);
          item.dataset.met = ok ? "true" : "false";
        });
      }
      input.addEventListener("input", update);
      if (confirm) { confirm.addEventListener("input", update); }
      update();
    });
  });
})();
