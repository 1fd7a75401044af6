// ID photo cropper (证件照): after a photo is chosen, show it with a 5:7 box the person drags (mouse, touch or
// arrow keys) and sizes with a slider, and a preview of the result. The choice goes to the form's hidden
// crop_x / crop_y / crop_w as fractions of the picture; the server crops and resizes. Without JavaScript the
// fields stay empty and the server takes the centred area.
(function () {
  "use strict";
  var RATIO = 5 / 7;  // width : height of a 2-inch photo (35 × 49 mm)

  document.querySelectorAll("form.photo-upload").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var cropper = form.querySelector(".photo-cropper");
    var img = form.querySelector(".crop-source");
    var box = form.querySelector(".crop-box");
    var size = form.querySelector(".crop-size");
    var preview = form.querySelector(".crop-preview");
    var fields = { x: form.elements.crop_x, y: form.elements.crop_y, w: form.elements.crop_w };
    var state = { left: 0, top: 0, width: 0 };

    function shown() { return { w: img.clientWidth, h: img.clientHeight }; }

    function maxWidth() { var s = shown(); return Math.min(s.w, s.h * RATIO); }

    function place() {
      var s = shown();
      var height = state.width / RATIO;
      state.left = Math.min(Math.max(state.left, 0), s.w - state.width);
      state.top = Math.min(Math.max(state.top, 0), s.h - height);
      box.style.left = state.left + "px";
      box.style.top = state.top + "px";
      box.style.width = state.width + "px";
      box.style.height = height + "px";
      fields.x.value = (state.left / s.w).toFixed(4);
      fields.y.value = (state.top / s.h).toFixed(4);
      fields.w.value = (state.width / s.w).toFixed(4);
      box.setAttribute("aria-valuenow", String(Math.round(100 * state.left / s.w)));
      box.setAttribute("aria-valuetext", "左 " + Math.round(100 * state.left / s.w) + "%，上 " +
                       Math.round(100 * state.top / s.h) + "%，宽 " + Math.round(100 * state.width / s.w) + "%");
      draw();
    }

    function draw() {
      var scale = img.naturalWidth / shown().w;
      var ctx = preview.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, preview.width, preview.height);
      ctx.drawImage(img, state.left * scale, state.top * scale, state.width * scale, state.width / RATIO * scale,
                    0, 0, preview.width, preview.height);
    }

    function resize() {
      var centreX = state.left + state.width / 2, centreY = state.top + state.width / RATIO / 2;
      state.width = maxWidth() * Number(size.value) / 100;
      state.left = centreX - state.width / 2;
      state.top = centreY - state.width / RATIO / 2;
      place();
    }

    function start() {
      cropper.hidden = false;
      size.value = 100;
      state.width = maxWidth();
      state.left = (shown().w - state.width) / 2;
      state.top = (shown().h - state.width / RATIO) / 2;
      place();
    }

    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      Object.keys(fields).forEach(function (k) { fields[k].value = ""; });
      if (!file || !/^image\/(jpeg|png)$/.test(file.type)) { cropper.hidden = true; return; }
      var reader = new FileReader();
      reader.onload = function () { img.src = reader.result; };
      reader.readAsDataURL(file);  // a data: URI (the page's CSP allows data: images, not blob:)
    });
    img.addEventListener("load", function () { cropper.hidden = false; start(); });
    img.addEventListener("error", function () { cropper.hidden = true; });
    size.addEventListener("input", resize);

    var drag = null;
    box.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, left: state.left, top: state.top };
      box.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    box.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      state.left = drag.left + event.clientX - drag.x;
      state.top = drag.top + event.clientY - drag.y;
      place();
    });
    box.addEventListener("pointerup", function () { drag = null; });
    box.addEventListener("pointercancel", function () { drag = null; });
    box.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 20 : 4;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (!moves[event.key]) { return; }
      state.left += moves[event.key][0];
      state.top += moves[event.key][1];
      place();
      event.preventDefault();
    });
    window.addEventListener("resize", function () { if (!cropper.hidden) { start(); } });
  });
})();
