/*
 * Type-ahead for the dataset search boxes: the WAI-ARIA combobox with a listbox
 * popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Suggestions come
 * from the wepulse_suggest action: keywords (choosing one searches for it) and
 * dataset titles (choosing one opens the dataset).
 *
 * Keys: Down/Up move through the suggestions, Enter chooses, Escape closes (and
 * a second Escape clears the box), Tab leaves. Focus stays in the box; the active
 * suggestion is given by aria-activedescendant. A polite status says how many
 * suggestions there are. Without JavaScript the box is a plain search box.
 *
 * The input carries the settings, translated by the template:
 * data-suggest-api, data-suggest-lang, data-suggest-dataset-url (with __NAME__),
 * data-suggest-label, data-suggest-keyword, data-suggest-dataset,
 * data-suggest-count-one, data-suggest-count-many ({count}).
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARACTERS = 2;

  function Suggest(input) {
    this.input = input;
    this.settings = input.dataset;
    this.options = [];
    this.active = -1;
    this.request = 0;

    var id = input.id + "-suggestions";
    this.listbox = document.createElement("ul");
    this.listbox.id = id;
    this.listbox.className = "wepulse-suggestions list-unstyled";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.setAttribute("aria-label", this.settings.suggestLabel);
    this.listbox.hidden = true;
    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    var group = input.closest(".input-group") || input;
    group.parentNode.insertBefore(this.listbox, group.nextSibling);
    group.parentNode.insertBefore(this.status, this.listbox.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var self = this;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.fetch(); }, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) { self.onKey(event); });
    input.addEventListener("blur", function () {
      // After a click on a suggestion, which fires after blur.
      setTimeout(function () { self.close(); }, 200);
    });
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the box
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) self.choose(self.options[Number(option.dataset.index)]);
    });
  }

  Suggest.prototype.fetch = function () {
    var query = this.input.value.trim();
    if (query.length < MIN_CHARACTERS) return this.close();
    var self = this;
    var request = ++this.request;
    var url = this.settings.suggestApi + "?" + new URLSearchParams({
      q: query, lang: this.settings.suggestLang, limit: 5
    });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (request !== self.request || !body || !body.success) return;
        var found = body.result.keywords.map(function (keyword) {
          return { kind: "keyword", text: keyword };
        }).concat(body.result.datasets.map(function (dataset) {
          return { kind: "dataset", text: dataset.title || dataset.name, name: dataset.name };
        }));
        self.show(found);
      })
      .catch(function () { self.close(); }); // no suggestions: the box still searches
  };

  Suggest.prototype.show = function (found) {
    this.options = found;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.listbox.textContent = "";
    var self = this;
    found.forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = self.listbox.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.index = index;
      var text = document.createElement("span");
      text.textContent = option.text;
      var kind = document.createElement("span");
      kind.className = "wepulse-suggestion-kind";
      kind.textContent = " " + (option.kind === "keyword"
        ? self.settings.suggestKeyword : self.settings.suggestDataset);
      item.appendChild(text);
      item.appendChild(kind);
      self.listbox.appendChild(item);
    });
    var open = found.length > 0;
    this.listbox.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    this.status.textContent = !open ? "" : found.length === 1
      ? this.settings.suggestCountOne
      : this.settings.suggestCountMany.replace("{count}", found.length);
  };

  Suggest.prototype.close = function () {
    this.request++; // an answer still on its way is not shown
    this.options = [];
    this.active = -1;
    this.listbox.hidden = true;
    this.listbox.textContent = "";
    this.status.textContent = "";
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Suggest.prototype.move = function (step) {
    if (!this.options.length) return;
    var previous = this.listbox.children[this.active];
    if (previous) previous.setAttribute("aria-selected", "false");
    this.active = (this.active + step + this.options.length + 1) % (this.options.length + 1);
    if (this.active === this.options.length) { // past the ends: back in the box
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    var item = this.listbox.children[this.active];
    item.setAttribute("aria-selected", "true");
    item.scrollIntoView({ block: "nearest" });
    this.input.setAttribute("aria-activedescendant", item.id);
  };

  Suggest.prototype.choose = function (option) {
    if (!option) return;
    this.close();
    if (option.kind === "dataset") {
      window.location.href = this.settings.suggestDatasetUrl.replace("__NAME__", encodeURIComponent(option.name));
    } else {
      this.input.value = option.text;
      this.input.form.requestSubmit();
    }
  };

  Suggest.prototype.onKey = function (event) {
    var open = !this.listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        if (!open) { this.fetch(); } else { this.move(1); }
        event.preventDefault();
        break;
      case "ArrowUp":
        if (open) { this.move(-1); event.preventDefault(); }
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.options[this.active]);
        }
        break;
      case "Escape":
        if (open) { this.close(); } else { this.input.value = ""; }
        event.preventDefault();
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  document.querySelectorAll("input[data-suggest-api]").forEach(function (input) {
    new Suggest(input);
  });
})();
