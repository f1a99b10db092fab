// Names and states for the admin's autocomplete widgets (the Select2 4.0.13 that Django
// bundles), which a screen reader otherwise meets unnamed: its search fields have no
// label, its combobox is named only by the chosen value (nothing when empty) and lacks
// aria-controls while open. Select2 redraws these parts as it is used, so they are
// fixed again after every change it makes to the page.
(function () {
  "use strict";

  function setAttr(element, name, value) {
    if (value === null) {
      if (element.hasAttribute(name)) element.removeAttribute(name);
    } else if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  }

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "_label";
    return label;
  }

  function nameOf(select) {
    var label = labelOf(select);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function fixWidget(select) {
    var container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) return;
    var label = labelOf(select);
    var results = "select2-" + select.id + "-results";
    container.querySelectorAll(".select2-selection").forEach(function (selection) {
      if (selection.getAttribute("role") !== "combobox") return;
      // The field's label, then the chosen value: "Company Medisight".
      var rendered = selection.querySelector(".select2-selection__rendered[id]");
      if (label) setAttr(selection, "aria-labelledby", label.id + (rendered ? " " + rendered.id : ""));
      // Select2 makes the chosen value a read-only textbox: named after the field too,
      // so that it has a name while nothing is chosen.
      if (label && rendered) setAttr(rendered, "aria-labelledby", label.id);
      var open = selection.getAttribute("aria-expanded") === "true";
      setAttr(selection, "aria-controls", open && document.getElementById(results) ? results : null);
    });
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      setAttr(field, "aria-label", nameOf(select));
    });
    // The "×" that clears a multiple choice is mouse-only (Backspace does it from the
    // keyboard) and sits inside the list of choices, where only list items belong.
    container.querySelectorAll(".select2-selection__clear").forEach(function (clear) {
      setAttr(clear, "aria-hidden", "true");
    });
  }

  // The open dropdown of a single choice lives at the end of <body>; its search field
  // names the results it controls, "select2-<select id>-results".
  function fixDropdowns() {
    document.querySelectorAll("body > .select2-container .select2-search__field").forEach(function (field) {
      var match = /^select2-(.+)-results$/.exec(field.getAttribute("aria-controls") || "");
      var select = match && document.getElementById(match[1]);
      if (select) setAttr(field, "aria-label", nameOf(select));
    });
  }

  function fixAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(fixWidget);
    fixDropdowns();
  }

  function start() {
    fixAll();
    new MutationObserver(fixAll).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-expanded", "aria-controls"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
