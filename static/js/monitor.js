// The proctor's page: refresh the candidate tables every 15 s, unless the proctor is typing in an extension form.
(function () {
  "use strict";
  var box = document.getElementById("monitor");
  if (!box) { return; }
  var url = box.dataset.refreshUrl;
  function refresh() {
    var active = document.activeElement;
    if (active && box.contains(active) && active.tagName === "INPUT") { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* keep the last table */ });
  }
  window.setInterval(refresh, 15000);
})();
