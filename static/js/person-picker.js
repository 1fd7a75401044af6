// Person picker (the registry's honor form): type a name, ID number or username, pick one of the people the
// server finds inside your scope. The choice goes into the form's hidden user_id; without JavaScript the server
// resolves the typed text itself (and asks to choose when several people match).
(function () {
  "use strict";

  document.querySelectorAll(".person-picker").forEach(function (picker) {
    var input = picker.querySelector("input[role=combobox]");
    var list = picker.querySelector("[role=listbox]");
    var hidden = picker.closest("form").querySelector("input[name=user_id]");
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
      hidden.value = String(item.user_id);
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
        none.textContent = "您的管辖范围内没有符合的人员";
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
