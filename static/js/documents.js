// Upload a document, step 2 (SPEC DOC-2): drop files on the zone, see what was chosen.
// Progressive enhancement only: the file input works without this file (SPEC X-3), and
// the server checks every limit whatever the browser says.
(function () {
  "use strict";
  function size(bytes, zone) {
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1) + "\u00a0" + zone.dataset.mb; }
    return Math.max(1, Math.round(bytes / 1024)) + "\u00a0" + zone.dataset.kb;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) { return; }
    var input = zone.querySelector("input[type=file]");
    var list = document.getElementById(zone.dataset.list);
    function show() {
      var files = input.files;
      list.textContent = "";
      if (!files || !files.length) { return; }
      var status = document.createElement("p");
      status.textContent = files.length === 1 ? zone.dataset.one : zone.dataset.many.replace("{n}", files.length);
      list.appendChild(status);
      var ul = document.createElement("ul");
      for (var i = 0; i < files.length; i++) {
        var li = document.createElement("li");
        li.textContent = files[i].name + " (" + size(files[i].size, zone) + ")";
        ul.appendChild(li);
      }
      list.appendChild(ul);
    }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
  });
})();
