// Presigned uploads of contributions (decision 0058): hash the file in the browser, open a
// slot declaring size and SHA-256, PUT each part straight to storage, then complete the slot.
(function () {
  "use strict";
  var form = document.querySelector("[data-upload-slot]");
  if (!form || !window.crypto || !window.crypto.subtle) return;
  var status = form.querySelector("[data-upload-status]");
  function say(text) { status.textContent = text; }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    say(form.dataset.sayHashing);
    file.arrayBuffer().then(function (bytes) {
      return crypto.subtle.digest("SHA-256", bytes);
    }).then(function (digest) {
      var body = new FormData();
      body.append("size", String(file.size));
      body.append("sha256", hex(digest));
      // A Parquet file (or a CSV over 1 MB) is checked by a background job (decision 0064).
      var parquet = /\.parquet$/i.test(file.name);
      body.append("content_type", parquet ? "application/vnd.apache.parquet" : "text/csv");
      if (form.querySelector("input[name=consent]").checked) body.append("consent", "on");
      return fetch(form.dataset.uploadSlot, {
        method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin"
      });
    }).then(function (response) {
      return response.json().then(function (slot) {
        if (!response.ok) throw new Error(slot.message);
        say(form.dataset.saySending);
        var puts = slot.parts.map(function (part) {
          var start = (part.number - 1) * slot.part_bytes;
          var piece = slot.multipart ? file.slice(start, start + slot.part_bytes) : file;
          return fetch(part.url, { method: "PUT", body: piece }).then(function (put) {
            if (!put.ok) return put.json().then(function (e) { throw new Error(e.message); });
          });
        });
        return Promise.all(puts).then(function () { return slot; });
      });
    }).then(function (slot) {
      form.action = slot.complete_url;
      form.submit();
    }).catch(function (error) { say(error.message); });
  });
})();
