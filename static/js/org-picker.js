// Organization picker (registration and user forms): type part of a name or a region ("聊城 人社"), pick one of the
// organizations the server suggests. The choice goes into the form's organization_id select (hidden here); without
// JavaScript the 查找 button re-shows the form with the matches in that select.
(function () {
  "use strict";

  document.querySelectorAll(".org-picker").forEach(function (picker) {
    var input = picker.querySelector("input[role=combobox]");
    var list = picker.querySelector("[role=listbox]");
    var select = picker.querySelector("select");
    var url = picker.dataset.searchUrl;
    var timer = null;
    var active = -1;
    var items = [];

    picker.querySelector(".org-picker-search").hidden = true;
    picker.querySelector(".org-picker-choice").hidden = true;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      var value = String(item.id);
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) {
        option = new Option(item.name, value);
        select.add(option);
      }
      select.value = value;
      input.value = item.name;
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

    function render(found, more) {
      items = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "list-group-item small text-muted";
        none.textContent = "没有找到符合的单位，请换个名称或地区";
        list.appendChild(none);
      }
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.className = "list-group-item list-group-item-action";
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = item.name;
        option.appendChild(name);
        if (item.region) {
          var region = document.createElement("small");
          region.className = "d-block text-muted";
          region.textContent = item.region;
          option.appendChild(region);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(option);
      });
      if (more) {
        var hint = document.createElement("li");
        hint.className = "list-group-item small text-muted";
        hint.textContent = "只列出前 " + found.length + " 个，输入更完整的名称或加上地区可缩小范围";
        list.appendChild(hint);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === q) { render(body.items || [], body.has_more); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      select.value = "0"; // typing again undoes an earlier choice
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
