// Behaviour shared by every page, kept out of the markup: the Content-Security-Policy allows
// no inline event handlers.
(() => {
  "use strict";
  // <select data-autosubmit> sends its form as soon as a choice is made (the <noscript>
  // button beside it does the same without JavaScript).
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  // A wide table scrolls inside its wrapper on a narrow screen: the wrapper must then be
  // reachable by keyboard (WCAG 2.1.1), so every wrapper joins the tab order as a region
  // named by its table's caption or the page title (whether it scrolls depends on the width).
  for (const wrap of document.querySelectorAll(".table-wrap:not([tabindex])")) {
    const caption = wrap.querySelector("caption");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", (caption ? caption.textContent : document.title).trim());
  }
})();
