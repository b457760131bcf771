// Progressive enhancements of the calculator; every step works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Print the summary.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });

    // Douanes: offer the treatments of the chosen origin and number as they change,
    // from the open API, instead of the "Show the treatments" round trip.
    var form = document.getElementById("customs-form");
    if (!form || !window.fetch) { return; }
    var url = form.getAttribute("data-treatments-url");
    var origin = form.querySelector("[name=origin]");
    var number = form.querySelector("[name=number]");
    var shipped = form.querySelector("[name=shipping_date]");
    var treatment = form.querySelector("[name=treatment]");
    var refresh = document.getElementById("refresh-treatments");
    if (!url || !origin || !treatment) { return; }
    if (refresh) { refresh.hidden = true; }
    var language = document.documentElement.lang === "fr" ? "fr" : "en";

    function update() {
      if (!origin.value) { return; }
      var query = new URLSearchParams({ origin: origin.value, lang: language });
      var digits = (number.value || "").replace(/[\s.]/g, "");
      if (/^\d{10}$/.test(digits)) { query.set("number", digits); }
      if (shipped && /^\d{4}-\d{2}-\d{2}$/.test(shipped.value)) { query.set("date", shipped.value); }
      fetch(url + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var chosen = treatment.value;
          treatment.innerHTML = "";
          data.treatments.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.abbreviation + " — " + item.name + (item.rate_display ? " (" + item.rate_display + ")" : "");
            if (item.code === chosen) { option.selected = true; }
            treatment.appendChild(option);
          });
        });
    }
    origin.addEventListener("change", update);
    number.addEventListener("change", update);
    if (shipped) { shipped.addEventListener("change", update); }
  });
})();
