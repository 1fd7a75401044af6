// Small progressive enhancements; every page works without them.
(function () {
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();

// A table wider than the screen scrolls inside .table-responsive; keyboard users need to reach that scroll too.
// Frames that really scroll and hold nothing focusable become a focusable, named region (WCAG 2.1.1).
(function () {
  function label(frame) {
    var section = frame.closest("section, .card, main");
    var heading = section && section.querySelector("h1, h2, h3, caption");
    return (heading ? heading.textContent.trim() + "：" : "") + "表格（可左右滚动）";
  }

  function mark() {
    document.querySelectorAll(".table-responsive").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      var focusable = frame.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (scrolls && !focusable && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", label(frame));
      }
    });
  }

  mark();
  window.addEventListener("resize", mark);
})();
