// The listing's filter form. Nothing here applies a filter: a change of a checkbox or a
// select never reloads the page (WCAG 3.2.2, "On Input"), which would take a keyboard
// user's focus back to the top and let one ArrowDown on a select navigate. The "Show
// openings" and "Sort" buttons apply, with or without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;

  // Leave empty fields and the default sort out of the URL, so that shared links stay
  // short and readable.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "checkbox") return;
      if (field.value === "" || field.value === field.dataset.default) field.disabled = true;
    });
  });
  // Coming back through the history shows the same form: make it usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      field.disabled = false;
    });
  });
})();
