// The verify page's QR scanner: the camera (getUserMedia) or a photo of the code, decoded in
// the browser with jsQR. A verification link (…/proofs/verify/?credential=…) is opened; a
// credential (JSON) fills the paste box. Messages come translated in the section's data-msg-*.
(() => {
  "use strict";
  const MAX_SIDE = 1600; // photos are scaled down to this before decoding

  function start() {
    const root = document.querySelector("[data-testid=qr-scan]");
    if (!root) return;
    const status = root.querySelector("[data-scan-status]");
    const video = root.querySelector("[data-scan-video]");
    const startButton = root.querySelector("[data-scan-camera]");
    const stopButton = root.querySelector("[data-scan-stop]");
    const photo = root.querySelector("#qr-photo");
    const textarea = document.getElementById("credential");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;

    const say = (key) => {
      status.textContent = root.dataset[key] || "";
      status.dataset.state = key;
    };

    function handle(text) {
      const trimmed = (text || "").trim();
      let url = null;
      try {
        url = new URL(trimmed);
      } catch (error) {
        url = null;
      }
      if (
        url &&
        (url.protocol === "https:" || url.protocol === "http:") &&
        url.pathname.endsWith("/proofs/verify/") &&
        url.searchParams.get("credential")
      ) {
        say("msgOpening");
        window.location.assign(url.href);
        return;
      }
      try {
        const value = JSON.parse(trimmed);
        if (value && typeof value === "object" && !Array.isArray(value)) {
          textarea.value = JSON.stringify(value, null, 2);
          textarea.focus();
          say("msgFilled");
          return;
        }
      } catch (error) {
        // not JSON either
      }
      say("msgNotOurs");
    }

    function decode(source, width, height, invert) {
      if (typeof window.jsQR !== "function" || !width || !height) return null;
      canvas.width = width;
      canvas.height = height;
      context.drawImage(source, 0, 0, width, height);
      const image = context.getImageData(0, 0, width, height);
      return window.jsQR(image.data, width, height, {
        inversionAttempts: invert ? "attemptBoth" : "dontInvert",
      });
    }

    async function loadImage(file) {
      if (window.createImageBitmap) {
        try {
          return await window.createImageBitmap(file);
        } catch (error) {
          // fall back to an <img>
        }
      }
      return await new Promise((resolve, reject) => {
        const img = new Image();
        const url = URL.createObjectURL(file);
        img.onload = () => {
          URL.revokeObjectURL(url);
          resolve(img);
        };
        img.onerror = () => {
          URL.revokeObjectURL(url);
          reject(new Error("unreadable"));
        };
        img.src = url;
      });
    }

    photo.addEventListener("change", async () => {
      const file = photo.files && photo.files[0];
      if (!file) return;
      let image;
      try {
        image = await loadImage(file);
      } catch (error) {
        say("msgUnreadable");
        return;
      }
      const width = image.width || image.naturalWidth;
      const height = image.height || image.naturalHeight;
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      let found = decode(image, Math.round(width * scale), Math.round(height * scale), true);
      if (!found && scale === 1 && Math.max(width, height) > 400) {
        found = decode(image, Math.round(width / 2), Math.round(height / 2), true);
      }
      photo.value = "";
      if (found) handle(found.data);
      else say("msgNotFound");
    });

    function stop() {
      if (stream) {
        for (const track of stream.getTracks()) track.stop();
      }
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }

    function tick() {
      if (!stream) return;
      if (video.readyState >= video.HAVE_ENOUGH_DATA) {
        const found = decode(video, video.videoWidth, video.videoHeight, false);
        if (found) {
          stop();
          handle(found.data);
          return;
        }
      }
      window.requestAnimationFrame(tick);
    }

    startButton.addEventListener("click", async () => {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        say("msgNoCamera");
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" },
          audio: false,
        });
      } catch (error) {
        stream = null;
        say("msgNoCamera");
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      stopButton.hidden = false;
      startButton.hidden = true;
      say("msgScanning");
      await video.play().catch(() => undefined);
      window.requestAnimationFrame(tick);
    });
    stopButton.addEventListener("click", () => {
      stop();
      status.textContent = "";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
