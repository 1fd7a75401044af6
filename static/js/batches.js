// Polls the progress of certificate batches that are still queued or running, and shows the download link
// when a batch is done. The page works without it (reload to see progress).
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-batch-progress]"))
    .filter(function (row) { return row.dataset.batchProgress; });
  if (!rows.length) { return; }

  function show(row, data) {
    var bar = row.querySelector("progress");
    var status = row.querySelector("[data-batch-status]");
    bar.max = data.total || 1;
    bar.value = data.done;
    if (data.status === "done") {
      status.textContent = "已完成（" + data.total + " 张）";
      row.querySelector("[data-batch-download]").classList.remove("d-none");
      row.dataset.batchProgress = "";
    } else if (data.status === "failed") {
      status.textContent = "生成失败：" + (data.error || "未知错误");
      status.classList.replace("text-muted", "text-danger");
      bar.classList.add("d-none");
      row.dataset.batchProgress = "";
    } else {
      status.textContent = (data.status === "queued" ? "排队中" : "生成中") + "（" + data.done + " / " + data.total + "）";
    }
  }

  function poll() {
    var pending = rows.filter(function (row) { return row.dataset.batchProgress; });
    if (!pending.length) { return; }
    Promise.all(pending.map(function (row) {
      return fetch(row.dataset.batchProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) { show(row, data); } })
        .catch(function () { /* try again on the next tick */ });
    })).then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 1000);
})();
