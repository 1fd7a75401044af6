// Attendance grid: each cell's form is sent in the background, so one click marks a trainee without a reload.
// Without JavaScript the forms still work (the page reloads).
(function () {
  document.querySelectorAll("form.attendance-cell").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var input = form.querySelector("input[name=present]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) { throw new Error(result.data.message || "保存失败"); }
          var present = result.data.present;
          button.textContent = present ? "✓" : "✗";
          button.className = "btn btn-sm " + (present ? "btn-success" : "btn-outline-danger");
          input.value = present ? "0" : "1";
          var row = form.closest("tr");
          var cell = row && row.querySelector("[data-hours-for]");
          if (cell) { cell.textContent = result.data.hours; }
        })
        .catch(function (error) { window.alert(error.message || "保存失败，请检查网络后重试"); })
        .finally(function () { button.disabled = false; });
    });
  });
})();
