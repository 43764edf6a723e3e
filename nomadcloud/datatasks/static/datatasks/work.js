// The data-processing work page: number keys choose labels (1–9, 0 for the tenth), Enter
// submits (htmx then swaps in the next item); for spans, select text and press a number key,
// Backspace removes the last span. Works again after every htmx swap (listeners are on the
// document).
(function () {
  "use strict";

  function typing(element) {
    if (!(element instanceof HTMLElement)) return false;
    if (element.tagName === "TEXTAREA") return true;
    return element.tagName === "INPUT" && ["text", "search", "number"].includes(element.type);
  }

  function parseSpans(value) {
    return value.split("|").map(function (part) { return part.trim(); }).filter(Boolean)
      .map(function (part) {
        const pieces = part.split(":");
        return [Number(pieces[0]), Number(pieces[1]), pieces.slice(2).join(":")];
      })
      .filter(function (s) { return Number.isInteger(s[0]) && Number.isInteger(s[1]) && s[2]; });
  }

  function renderSpans(container, text, spans) {
    container.textContent = "";
    let at = 0;
    spans.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (span) {
      if (span[0] < at) return;
      container.append(document.createTextNode(text.slice(at, span[0])));
      const mark = document.createElement("mark");
      mark.dataset.label = span[2];
      mark.textContent = text.slice(span[0], span[1]);
      container.append(mark);
      at = span[1];
    });
    container.append(document.createTextNode(text.slice(at)));
  }

  function spanInput() { return document.querySelector("[data-spans]"); }

  function addSpan(label) {
    const container = document.querySelector("[data-span-text]");
    const input = spanInput();
    const selection = window.getSelection();
    if (!container || !input || !selection || selection.isCollapsed) return false;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.commonAncestorContainer)) return false;
    const before = range.cloneRange();
    before.selectNodeContents(container);
    before.setEnd(range.startContainer, range.startOffset);
    const text = container.textContent;
    let start = before.toString().length;
    let end = start + range.toString().length;
    while (start < end && /\s/.test(text[start])) start += 1;
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (start >= end) return false;
    const spans = parseSpans(input.value).filter(function (s) { return s[1] <= start || s[0] >= end; });
    spans.push([start, end, label]);
    spans.sort(function (a, b) { return a[0] - b[0]; });
    input.value = spans.map(function (s) { return s.join(":"); }).join("|");
    renderSpans(container, text, spans);
    selection.removeAllRanges();
    return true;
  }

  // Send a form once, through htmx when it is there (even before htmx has processed freshly
  // swapped content), else as a plain form post.
  function send(target) {
    if (target.dataset.sent) return;
    const url = target.getAttribute("hx-post");
    if (window.htmx && url) {
      target.dataset.sent = "ajax";
      window.htmx.ajax("POST", url, { source: target, target: "#work", swap: "outerHTML" });
    } else {
      target.dataset.sent = "native";
      target.requestSubmit();
    }
  }

  // A form already sent through htmx.ajax is not sent a second time (a click right after
  // Enter would otherwise post the same answer twice).
  document.addEventListener("submit", function (event) {
    const target = event.target;
    if (target instanceof HTMLFormElement && target.dataset.sent === "ajax") {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    const form = document.querySelector("form[data-work]");
    const next = document.querySelector("form[data-next]");
    if (event.key === "Enter" && !event.shiftKey) {
      const target = form || next;
      if (!target) return;
      event.preventDefault();
      send(target);
      return;
    }
    if (!form || typing(event.target)) return;
    if (/^[0-9]$/.test(event.key)) {
      const index = event.key === "0" ? 9 : Number(event.key) - 1;
      const choices = form.querySelectorAll("[data-choice]");
      if (choices.length) {
        const choice = choices[index];
        if (!choice) return;
        event.preventDefault();
        choice.checked = choice.type === "radio" ? true : !choice.checked;
        return;
      }
      const labels = document.querySelectorAll("[data-span-label]");
      if (labels[index] && addSpan(labels[index].dataset.spanLabel)) event.preventDefault();
      return;
    }
    if (event.key === "Backspace" && spanInput()) {
      const input = spanInput();
      const container = document.querySelector("[data-span-text]");
      const spans = parseSpans(input.value);
      spans.pop();
      input.value = spans.map(function (s) { return s.join(":"); }).join("|");
      if (container) renderSpans(container, container.textContent, spans);
      event.preventDefault();
    }
  });

  function refresh() {
    const input = spanInput();
    const container = document.querySelector("[data-span-text]");
    if (input && container && input.value) {
      renderSpans(container, container.textContent, parseSpans(input.value));
    }
    const focus = document.querySelector("#work [autofocus]");
    if (focus) focus.focus();
  }

  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
})();
