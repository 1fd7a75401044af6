// Attendance grid: each cell's form is sent in the background, so one click marks a trainee without a reload,
// and the trainee's attended hours (next to the name) follow. Without JavaScript the forms still work (the page
// reloads).
(function () {
  var STATES = {
    true: { text: "✓", label: "出勤", style: "btn-success" },
    false: { text: "✗", label: "缺勤", style: "btn-outline-danger" },
  };

  function showHours(row, hours) {
    var cell = row && row.querySelector("[data-hours-for]");
    if (!cell) { return; }
    cell.textContent = hours;
    var required = parseFloat(cell.dataset.required);
    cell.classList.toggle("text-success", !isNaN(required) && parseFloat(hours) >= required);
  }

  document.querySelectorAll("form.attendance-cell").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var input = form.querySelector("input[name=present]");
      if (button.disabled) { return; }
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; },
            function () { return { ok: false, data: {} }; });
        })
        .then(function (result) {
          if (!result.ok) { throw { userMessage: result.data.message || "保存失败，请刷新页面后重试" }; }
          var state = STATES[result.data.present];
          button.textContent = state.text;
          button.className = "btn btn-sm " + state.style;
          button.setAttribute("aria-label", (button.dataset.cell || "") + " " + state.label);
          input.value = result.data.present ? "0" : "1";
          showHours(form.closest("tr"), result.data.hours);
        })
        .catch(function (error) {
          window.alert((error && error.userMessage) || "保存失败，请检查网络后重试");
        })
        .finally(function () { button.disabled = false; });
    });
  });
})();
