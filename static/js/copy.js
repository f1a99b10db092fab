// "Copy" buttons beside read-only text fields (the subscribe page's feed address). Without
// JavaScript the buttons stay hidden and the field is there to select and copy by hand.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy-from]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.dataset.copyFrom);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(message) {
        if (status) status.textContent = message;
      }
      function selectForHand() {
        field.focus();
        field.select();
        done("Selected: press Ctrl+C (or ⌘+C) to copy.");
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(function () {
          done("Copied the feed address.");
        }, selectForHand);
      } else {
        selectForHand();
      }
    });
  });
  // A click in the field selects all of it: the address is copied whole or not at all.
  Array.prototype.forEach.call(document.querySelectorAll("input[readonly]"), function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
