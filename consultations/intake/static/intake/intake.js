// The patient intake, progressively enhanced: every page works without this file.
(function () {
  "use strict";

  // Start keyboard and screen-reader users at the error summary.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // A follow-up text box shows only while its question is answered "yes".
  document.querySelectorAll("[data-follow-up]").forEach(function (box) {
    var name = box.getAttribute("data-follow-up");
    var radios = document.querySelectorAll('input[type="radio"][name="' + name + '"]');
    var update = function () {
      var yes = document.querySelector('input[type="radio"][name="' + name + '"][value="yes"]');
      box.hidden = !(yes && yes.checked) && !box.querySelector(".is-invalid");
    };
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });

  // Answering a self-test question means the patient wants to use the self-test.
  var useTest = document.getElementById("id_self_test");
  if (useTest) {
    document.querySelectorAll('input[type="radio"][name^="test_"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        useTest.checked = true;
      });
    });
  }

  // Ignore a second click on a form that is already being sent (the server copes anyway).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sending", "1");
    });
  });
  // Photos: a preview of the chosen photo, and "Retake" opens the camera (or files) again.
  document.querySelectorAll("input[data-photo-input]").forEach(function (input) {
    var preview = document.querySelector('[data-photo-preview="' + input.id + '"]');
    if (!preview || !window.FileReader) {
      return;
    }
    var image = preview.querySelector("img");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        preview.hidden = true;
        return;
      }
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        image.src = reader.result;
        preview.hidden = false;
      });
      reader.readAsDataURL(file);
    });
  });
  document.querySelectorAll("[data-photo-retake]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-photo-retake"));
      if (input) {
        input.value = "";
        input.click();
      }
    });
  });

  // A page restored by the browser's back button must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
    });
  });
})();
