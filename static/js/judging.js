// The judge's sheet: a running total while typing (the saved total stays the truth) and Enter moving from one
// criterion to the next, then to 检查并提交. The page works without this script.
(function () {
  var form = document.querySelector("form[data-sheet]");
  if (!form) {
    return;
  }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-max]"));
  var total = document.getElementById("live-total");
  var note = document.getElementById("live-note");
  var saved = total.textContent;
  var NUMBER = /^\s*\d+(\.\d{1,2})?\s*$/;

  function cents(value) {
    var parts = value.trim().split(".");
    return Number(parts[0]) * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
  }

  function update() {
    var sum = 0;
    var readable = true;
    var changed = false;
    inputs.forEach(function (input) {
      if (input.value.trim() !== input.dataset.saved) {
        changed = true;
      }
      if (input.value.trim() === "") {
        return;
      }
      if (NUMBER.test(input.value)) {
        sum += cents(input.value);
      } else {
        readable = false;
      }
    });
    total.textContent = !changed ? saved : readable ? String(sum / 100) : "—";
    note.hidden = !changed;
  }

  form.addEventListener("input", update);
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || inputs.indexOf(event.target) < 0) {
      return;
    }
    event.preventDefault();
    var next = inputs[inputs.indexOf(event.target) + 1];
    if (next) {
      next.focus();
      next.select();
    } else {
      form.querySelector("[data-next-step]").focus();
    }
  });
  update();
})();
