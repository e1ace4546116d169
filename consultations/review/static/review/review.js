// Practitioner review pages, progressively enhanced: every page works without this file.
(function () {
  "use strict";

  // A second click on "Record decision" while the first is on its way would send it twice
  // (the server answers a repeat with the same decision, but there is no need to ask).
  document.querySelectorAll('form[method="post"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // A disabled button is not sent: the one pressed ("Record and open next") goes as a
      // hidden field instead.
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = pressed.name;
        carried.value = pressed.value;
        carried.className = "pressed-button";
        form.appendChild(carried);
      }
      form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (button) {
        button.disabled = true;
      });
    });
  });

  // The patient's message starts from the clinic's message for the chosen reason: the box is
  // filled when the reason changes, unless the practitioner has written their own.
  var defaults = document.getElementById("decline-defaults");
  if (defaults) {
    var messages = JSON.parse(defaults.textContent);
    document.querySelectorAll(".decision-form").forEach(function (form) {
      var reason = form.querySelector('select[name="reason_code"]');
      var box = form.querySelector('textarea[name="patient_message"]');
      if (!reason || !box) {
        return;
      }
      var filled = box.value;
      var fill = function () {
        var message = messages[reason.value] || "";
        if (box.value.trim() === "" || box.value === filled) {
          box.value = message;
          filled = message;
        }
      };
      reason.addEventListener("change", fill);
      if (box.value.trim() === "" && reason.value) {
        fill();
      }
    });
  }

  // A page restored by the browser's back button must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll('form[method="post"] [type="submit"]:disabled').forEach(function (button) {
      button.disabled = false;
    });
    // ...and forget which button was pressed before.
    document.querySelectorAll("form input.pressed-button").forEach(function (carried) {
      carried.remove();
    });
  });
})();
