// Progressive enhancement for the listing: a sort, and on wide screens a filter, applies
// as soon as it changes. Without JavaScript the "Sort" and "Show openings" buttons do it.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var wide = window.matchMedia("(min-width: 60em)");

  function apply() {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", apply);
  });
  form.addEventListener("change", function (event) {
    var field = event.target;
    if (wide.matches && (field.type === "checkbox" || field.tagName === "SELECT")) apply();
  });
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
