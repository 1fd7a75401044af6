// The exam page asks before the candidate leaves while answers are still waiting to be saved (the autosave
// status in #exam-net says "saving" or "offline"). Handing in (the confirm button busy) and a finished exam
// ("locked") leave without a question. Reads only the page's state, so it does not depend on exam.js's internals.
(function () {
  "use strict";

  var net = document.getElementById("exam-net");
  if (!net) { return; }
  var confirmButton = document.getElementById("exam-submit-confirm");

  function answersQueued() {
    var state = net.dataset.state;
    return state === "saving" || state === "offline";
  }

  function handingIn() {
    return Boolean(confirmButton && confirmButton.disabled && navigator.onLine);
  }

  window.addEventListener("beforeunload", function (event) {
    if (answersQueued() && !handingIn()) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to show their own "leave site?" dialog
    }
  });
})();
