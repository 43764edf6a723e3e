// The payer's Pay page follows what becomes of the code on show: it asks the platform every
// 1.5 seconds (a small JSON answer, only for the code's own person) and says at once when the
// cashier took the payment, confirmed or cancelled it. Static file: the Content-Security-Policy
// allows no inline script. Without JavaScript, reloading the page shows the recent payments.
(() => {
  "use strict";
  const INTERVAL_MS = 1500;

  function follow(card) {
    const url = card.dataset.payStatus;
    const live = card.querySelector("[data-pay-live]");
    if (!url || !live) {
      return;
    }
    let timer = 0;
    async function ask() {
      try {
        const response = await fetch(url, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        if (!response.ok) {
          return;
        }
        const body = await response.json();
        const status = body.payment ? body.payment.status : body.state;
        live.textContent = body.message || "";
        live.dataset.state = status;
        card.dataset.state = status;
        if (body.final) {
          window.clearInterval(timer);
        }
      } catch (error) {
        // A network hiccup: the next tick asks again.
      }
    }
    timer = window.setInterval(ask, INTERVAL_MS);
    ask();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-pay-status]").forEach(follow);
  });
})();
