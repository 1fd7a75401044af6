// Polls the progress of certificate batches that are still queued or running, and shows the download link
// when a batch is done. The page works without it (reload to see progress).
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-batch-progress]"))
    .filter(function (row) { return row.dataset.batchProgress; });
  if (!rows.length) { return; }
  function poll() {
    var pending = 0;
    rows.forEach(function (row) {
      if (!row.dataset.batchProgress) { return; }
      pending += 1;
      fetch(row.dataset.batchProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var bar = row.querySelector("progress");
          var status = row.querySelector("[data-batch-status]");
          bar.max = data.total || 1;
          bar.value = data.done;
          if (data.status === "done") {
            status.textContent = "已完成（" + data.total + " 张）";
            row.querySelector("[data-batch-download]").classList.remove("d-none");
            row.dataset.batchProgress = "";
          } else if (data.status === "failed") {
            status.textContent = "失败：" + (data.error || "");
            row.dataset.batchProgress = "";
          } else {
            status.textContent = (data.status === "queued" ? "排队中" : "生成中") + "（" + data.done + " / " + data.total + "）";
          }
        })
        .catch(function () { /* try again on the next tick */ });
    });
    if (pending) { window.setTimeout(poll, 2000); }
  }
  window.setTimeout(poll, 1000);
})();
