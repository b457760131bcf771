// Transaction history (FIN-5): a checkbox that selects or clears every row of the page.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = all.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      });
    });
  });
})();
