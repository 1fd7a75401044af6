// Picker of the registry's forms: type a name (the honor form: a person's name, ID number or username; the work form:
// an enterprise's name), pick one of the matches the server finds inside your scope. The choice goes into the form's
// hidden field (data-hidden-name, default user_id; the item's data-id-key, default user_id); without JavaScript the
// server resolves the typed text itself (and asks for more when several match).
(function () {
  "use strict";

  document.querySelectorAll(".person-picker").forEach(function (picker) {
    var input = picker.querySelector("input[role=combobox]");
    var list = picker.querySelector("[role=listbox]");
    var hidden = picker.closest("form").querySelector("input[name=" + (picker.dataset.hiddenName || "user_id") + "]");
    var idKey = picker.dataset.idKey || "user_id";
    var emptyText = picker.dataset.emptyText || "您的管辖范围内没有符合的人员";
    var url = picker.dataset.searchUrl;
    var timer = null;
    var active = -1;
    var items = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      hidden.value = String(item[idKey]);
      input.value = item.label;
      close();
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.classList.toggle("active", i === index);
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (options[index]) { input.setAttribute("aria-activedescendant", options[index].id); }
    }

    function render(found) {
      items = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "list-group-item small text-muted";
        none.textContent = emptyText;
        list.appendChild(none);
      }
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.className = "list-group-item list-group-item-action";
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === q) { render(body.items || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      hidden.value = ""; // typing again undoes an earlier choice
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  });
})();
