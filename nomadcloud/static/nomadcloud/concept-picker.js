// The concept picker: turns each [data-concept-picker] text input (taxonomy/widgets.py)
// into a WAI-ARIA combobox with a listbox of suggestions and chosen concepts as chips.
// Configuration comes from data-* attributes (no inline script). Without this script the
// input stays a plain text box of names or codes, which the server reads the same way.
(function () {
  "use strict";

  function format(template, name) {
    return template.replace("%(name)s", name);
  }

  function setup(root) {
    var input = root.querySelector("input[role=combobox]");
    var listbox = root.querySelector("[role=listbox]");
    var chipsBox = root.querySelector(".concept-picker-chips");
    var status = root.querySelector("[role=status]");
    if (!input || !listbox || !chipsBox) return;
    var d = root.dataset;
    var max = parseInt(d.max || "0", 10);
    var kinds = (d.kinds || "").split(",").filter(Boolean);
    var chips = [];
    try { chips = JSON.parse(d.chips || "[]"); } catch (e) { chips = []; }
    var options = [];
    var active = -1;
    var timer = null;
    var serial = 0;

    // The form receives the chips' codes in a hidden input carrying the field's name; the
    // visible input only searches. Text left in it at submit is added (the server resolves
    // names), so typing a name and pressing Enter without choosing still works.
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    input.removeAttribute("name");
    root.appendChild(hidden);
    var typed = input.value;
    input.value = "";
    // Names the server could not resolve stay typed for the person to correct.
    var known = chips.map(function (c) { return c.code; });
    var leftover = typed.split(/[,，、;；]/).map(function (s) { return s.trim(); }).filter(function (s) {
      return s && known.indexOf(s) < 0 && !chips.some(function (c) { return c.label === s; });
    });
    input.value = leftover.join(", ");

    function sync() {
      hidden.value = chips.map(function (c) { return c.code; }).join(", ");
      chipsBox.textContent = "";
      chipsBox.hidden = chips.length === 0;
      chips.forEach(function (chip, i) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline";
        button.textContent = chip.label + " ×";
        button.setAttribute("aria-label", format(d.labelRemove, chip.label));
        button.addEventListener("click", function () {
          chips.splice(i, 1);
          sync();
          input.focus();
        });
        chipsBox.appendChild(button);
      });
    }

    function close() {
      listbox.hidden = true;
      listbox.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      options = [];
      active = -1;
    }

    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(listbox.children, function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      if (i >= 0 && listbox.children[i]) {
        input.setAttribute("aria-activedescendant", listbox.children[i].id);
        listbox.children[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      var item = options[i];
      if (!item) return;
      if (!chips.some(function (c) { return c.code === item.code; })) {
        if (max === 1) chips = [];
        if (!max || chips.length < max || max === 1) chips.push({ code: item.code, label: item.label });
      }
      input.value = "";
      close();
      sync();
      if (status) status.textContent = item.label;
    }

    function show(items) {
      // A newer answer may arrive after the person moved onto an option of the older one:
      // the same concept stays highlighted instead of the choice silently resetting.
      var kept = active >= 0 && options[active] ? options[active].code : null;
      close();
      options = items;
      if (!items.length) {
        if (status) status.textContent = d.labelNone;
        return;
      }
      var similar = items[0].match === "similar";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listbox.id + "_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        if (item.matched && item.matched !== item.label) {
          var note = document.createElement("small");
          note.textContent = " — " + item.matched;
          li.appendChild(note);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        listbox.appendChild(li);
      });
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (kept !== null) {
        var again = items.map(function (item) { return item.code; }).indexOf(kept);
        if (again >= 0) highlight(again);
      }
      if (status) {
        status.textContent = (similar ? d.labelSimilar + " " : "") +
          d.labelCount.replace("%(count)s", String(items.length));
      }
    }

    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var params = new URLSearchParams({ q: q, limit: "8" });
      kinds.forEach(function (k) { params.append("kind", k); });
      var mine = ++serial;
      fetch(d.searchUrl + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) { if (mine === serial) show(body.items || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === "Backspace" && input.value === "" && chips.length) {
        var removed = chips.pop();
        sync();
        if (status) status.textContent = format(d.labelRemove, removed.label);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    var form = input.form;
    if (form) {
      form.addEventListener("submit", function () {
        var rest = input.value.trim();
        if (rest) hidden.value = hidden.value ? hidden.value + ", " + rest : rest;
      });
    }
    sync();
  }

  function init() {
    document.querySelectorAll("[data-concept-picker]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
