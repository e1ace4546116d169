// Practitioner review pages, progressively enhanced: every page works without this file.
(function () {
  "use strict";

  // A second click on "Record decision" while the first is on its way would send it twice
  // (the server answers a repeat with the same decision, but there is no need to ask).
  document.querySelectorAll('form[method="post"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (button) {
        button.disabled = true;
      });
    });
  });

  // A page restored by the browser's back button must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll('form[method="post"] [type="submit"]:disabled').forEach(function (button) {
      button.disabled = false;
    });
  });
})();
