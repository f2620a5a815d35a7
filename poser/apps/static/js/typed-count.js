// Typed entry made for a scanner (widgets/typed_count.jinja2): a scanner types the
// UPC and presses Enter, which moves to the quantity (its text selected, to be typed
// over) instead of sending the form; Enter in the quantity sends it (htmx posts it and
// puts the page it is sent back to in place of this one's main part), and the UPC
// field has the focus again. Without this script Enter in the UPC field sends the line
// with the quantity shown (1), and the page loads again.
(function () {
  "use strict";
  function wire(form) {
    var upc = form.querySelector("[data-scan=upc]");
    var quantity = form.querySelector("[data-scan=quantity]");
    if (!upc || !quantity || form.dataset.scanWired) {
      return;
    }
    form.dataset.scanWired = "1";
    upc.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      event.preventDefault();
      if (upc.value.trim() !== "") {
        quantity.focus();
        quantity.select();
      }
    });
    var invalid = form.querySelector(".is-invalid, .has-error input");
    if (invalid && invalid !== upc) {
      invalid.focus();
      invalid.select();
    } else {
      upc.focus();
      upc.select();
    }
  }
  function start() {
    document.querySelectorAll("form.typed-count-form").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSettle", start);
})();
