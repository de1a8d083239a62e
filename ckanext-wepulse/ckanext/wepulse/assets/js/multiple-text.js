/*
 * Add and remove buttons of a repeated text field (scheming's multiple_text form
 * snippet, as we render it). Scheming's own script is driven by javascript: links,
 * which the portal's Content-Security-Policy refuses to run; these are buttons,
 * handled here by delegation, so they also work for items added later.
 *
 * Removing an item moves focus to the item before it (or the add button), so a
 * keyboard user is not left on a node that is gone.
 */
(function () {
  "use strict";

  function items(fieldset) {
    return fieldset.querySelectorAll(".multiple-text-field");
  }

  function add(fieldset) {
    var all = items(fieldset);
    var copy = all[all.length - 1].cloneNode(true);
    var input = copy.querySelector("input");
    input.value = "";
    input.setAttribute(
      "aria-label",
      input.getAttribute("aria-label").replace(/\d+$/, String(all.length + 1))
    );
    var error = copy.querySelector(".error-block");
    if (error) error.remove();
    all[all.length - 1].after(copy);
    input.focus();
  }

  function remove(item) {
    var fieldset = item.closest("fieldset");
    var all = items(fieldset);
    if (all.length === 1) {
      var input = item.querySelector("input");
      input.value = "";
      input.focus();
      return;
    }
    var previous = item.previousElementSibling;
    item.remove();
    (previous ? previous.querySelector("input") : fieldset.querySelector("[data-multiple-add]")).focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-multiple-add], [data-multiple-remove]");
    if (!button) return;
    event.preventDefault();
    if (button.hasAttribute("data-multiple-add")) {
      add(button.closest("fieldset"));
    } else {
      remove(button.closest(".multiple-text-field"));
    }
  });
})();
