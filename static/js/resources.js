// Shared materials: drag a file onto the upload area. The plain file button keeps working
// without this script and without a mouse; this only adds dropping, and says which file was chosen.
(function () {
  "use strict";

  function setUp(zone) {
    var input = zone.querySelector('input[type="file"]');
    var status = zone.querySelector("[data-drop-status]");
    var hint = zone.querySelector("[data-drop-hint]");
    if (!input || !status) {
      return;
    }
    var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10) || 0;
    if (hint) {
      hint.hidden = false;
    }

    function describe() {
      var file = input.files && input.files[0];
      status.classList.remove("is-error");
      if (!file) {
        status.textContent = "";
        return;
      }
      if (maxBytes && file.size > maxBytes) {
        status.textContent = zone.getAttribute("data-too-large");
        status.classList.add("is-error");
        input.setAttribute("aria-invalid", "true");
        return;
      }
      input.removeAttribute("aria-invalid");
      status.textContent = zone.getAttribute("data-chosen") + " " + file.name;
    }

    input.addEventListener("change", describe);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove("is-dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragging");
      if (event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        describe();
        input.focus();
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-drop-zone]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
