// Search-as-you-type picker, shared by every form that chooses one of many: an organization (registration, user
// administration), a person (the registry's honor form), an enterprise (the work-record form). Type a few words,
// choose one of the matches the server finds; the choice goes into the form's field, and the server checks it.
//
// Markup: an element with class "combobox" holding an input[role=combobox] and a [role=listbox], with
//   data-search-url  the JSON endpoint, asked with ?q=…, answering {items: [...], has_more: bool}
//   data-target      selector (inside the form) of the field that receives the choice: a hidden input, or a select
//                    (an option is added when missing)
//   data-id-key      the item's id key (default "id"); data-unset: the field's value while nothing is chosen ("")
//   data-empty-text  what to say when nothing matches; data-show="label": the field shows the chosen item's label
//                    (default: its name)
// An item shows item.label (else item.name) and item.region under it. Elements marked data-combobox-nojs are the
// form's fallback without JavaScript (a 查找 button, a select of matches): hidden once this script runs.
(function () {
  "use strict";

  document.querySelectorAll(".combobox").forEach(function (picker) {
    var input = picker.querySelector("input[role=combobox]");
    var list = picker.querySelector("[role=listbox]");
    var target = picker.closest("form").querySelector(picker.dataset.target);
    var idKey = picker.dataset.idKey || "id";
    var unset = picker.dataset.unset || "";
    var emptyText = picker.dataset.emptyText || "没有找到符合的结果";
    var url = picker.dataset.searchUrl;
    var timer = null;
    var active = -1;
    var items = [];

    picker.querySelectorAll("[data-combobox-nojs]").forEach(function (element) { element.hidden = true; });

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      var value = String(item[idKey]);
      if (target.tagName === "SELECT") {
        var option = Array.prototype.find.call(target.options, function (o) { return o.value === value; });
        if (!option) { target.add(new Option(item.name || item.label, value)); }
      }
      target.value = value;
      input.value = picker.dataset.show === "label" ? item.label : (item.name || item.label);
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

    function note(text) {
      var li = document.createElement("li");
      li.className = "list-group-item small text-muted";
      li.textContent = text;
      list.appendChild(li);
    }

    function render(found, more) {
      items = found;
      list.textContent = "";
      if (!found.length) { note(emptyText); }
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.className = "list-group-item list-group-item-action";
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = item.label || item.name;
        option.appendChild(name);
        if (item.region && !item.label) {
          var region = document.createElement("small");
          region.className = "d-block text-muted";
          region.textContent = item.region;
          option.appendChild(region);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(option);
      });
      if (more) { note("只列出前 " + found.length + " 个，输入更完整的名称可缩小范围"); }
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
      target.value = unset; // typing again undoes an earlier choice
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
