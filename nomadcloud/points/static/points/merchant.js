// Pay and cashier pages: countdowns to a code's or a hold's expiry, and scanning a payment
// code with the camera where the browser can read QR codes (BarcodeDetector); typing the
// digits always works.
(function () {
  "use strict";

  function countdown(el) {
    var until = Date.parse(el.getAttribute("data-countdown"));
    var out = el.querySelector("[data-remaining]");
    if (isNaN(until) || !out) { return; }
    function tick() {
      var left = Math.round((until - Date.now()) / 1000);
      if (left <= 0) {
        el.textContent = el.getAttribute("data-expired-text") || "";
        var card = el.closest(".pay-code");
        if (card) { card.classList.add("expired"); }
        return;
      }
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = "(" + m + ":" + (s < 10 ? "0" : "") + s + ")";
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function scanner(box) {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
    var start = box.querySelector("[data-scan-start]");
    var video = box.querySelector("[data-scan-video]");
    var input = document.querySelector("[data-testid=cashier-code]");
    if (!start || !video || !input) { return; }
    box.hidden = false;
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
        function look() {
          detector.detect(video).then(function (codes) {
            var found = codes.map(function (c) { return c.rawValue; }).filter(function (v) { return /^\d{12}$/.test(v); });
            if (found.length) {
              input.value = found[0];
              stop();
              var amount = document.querySelector("[data-testid=cashier-amount]");
              if (amount) { amount.focus(); }
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.requestAnimationFrame(look); });
        }
        look();
      }).catch(function () { box.hidden = true; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(countdown);
    document.querySelectorAll("[data-scan]").forEach(scanner);
  });
})();
