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
})();
