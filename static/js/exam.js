// The candidate's exam pages: countdown from the server's deadline, autosave with an offline queue,
// flags, navigator, one-question view and the hand-in confirmation. Also: forget an attempt's local data
// once it is handed in, and the admission ticket's print button.
(function () {
  "use strict";

  var STORE_PREFIX = "lrc-exam:";

  function storeGet(key, fallback) {
    try {
      var raw = window.localStorage.getItem(STORE_PREFIX + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function storeSet(key, value) {
    try {
      window.localStorage.setItem(STORE_PREFIX + key, JSON.stringify(value));
    } catch (e) { /* private mode or full: the page still works, without the offline queue */ }
  }

  function storeRemove(key) {
    try { window.localStorage.removeItem(STORE_PREFIX + key); } catch (e) { /* ignore */ }
  }

  // -- pages other than the exam ------------------------------------------------------------------------------
  var finished = document.querySelector("[data-exam-finished]");
  if (finished) {
    var doneId = finished.getAttribute("data-exam-finished");
    storeRemove(doneId + ":queue");
    storeRemove(doneId + ":flags");
    storeRemove(doneId + ":current");
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var root = document.getElementById("exam");
  if (!root) {
    return;
  }

  // -- setup ----------------------------------------------------------------------------------------------------
  var attemptId = root.dataset.attemptId;
  var saveBase = root.dataset.saveUrl;
  var stateUrl = root.dataset.stateUrl;
  var resultUrl = root.dataset.resultUrl;
  var csrf = root.dataset.csrf;
  var device = root.dataset.device || ""; // this page's token: one active device per attempt
  var takenOver = false;
  var paused = false;
  var deadline = Date.parse(root.dataset.deadline);
  var questions = Array.prototype.slice.call(root.querySelectorAll(".exam-question"));
  var byId = {};
  questions.forEach(function (section) { byId[section.dataset.questionId] = section; });
  var clockEl = document.getElementById("exam-clock");
  var timerEl = document.getElementById("exam-timer");
  var alertEl = document.getElementById("exam-alert");
  var announceEl = document.getElementById("exam-announce");
  var netEl = document.getElementById("exam-net");
  var netText = document.getElementById("exam-net-text");
  var submitForm = document.getElementById("exam-submit-form");
  var submitButtons = root.querySelectorAll("[form='exam-submit-form'], #exam-submit-form button[type='submit']");

  // The server's clock: offset = server time − this device's time. First from the page itself (the server
  // wrote its "now" just before the response started), then refined by every JSON answer.
  var offset = 0;
  (function initialOffset() {
    var serverNow = Date.parse(root.dataset.serverNow);
    var clientAt = Date.now();
    var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (nav && performance.timeOrigin && nav.responseStart > 0) {
      var measured = performance.timeOrigin + nav.responseStart;
      if (Math.abs(measured - clientAt) < 120000) {
        clientAt = measured;
      }
    }
    offset = serverNow - clientAt;
  })();

  function serverNow() { return Date.now() + offset; }

  function syncClock(serverIso, sentAt, receivedAt) {
    var server = Date.parse(serverIso);
    if (!isNaN(server) && receivedAt - sentAt < 3000) {
      offset = server - (sentAt + receivedAt) / 2;
    }
  }

  var locked = false;
  var pending = storeGet(attemptId + ":queue", {}); // question id → {v: value, t: server ms when given}
  var inflight = {}; // question id → the entry being sent
  var flags = storeGet(attemptId + ":flags", []).map(String);
  var retryTimer = null;
  var retryDelay = 1000;
  var refused = []; // positions of answers the server refused after the deadline

  // -- answers: reading and writing the inputs ------------------------------------------------------------------
  function valueOf(section) {
    var kind = section.dataset.kind;
    if (kind === "essay") {
      return section.querySelector("textarea").value;
    }
    var inputs = Array.prototype.slice.call(section.querySelectorAll("input"));
    var checked = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    if (kind === "multiple") {
      return checked.sort();
    }
    if (!checked.length) {
      return null;
    }
    return kind === "true_false" ? checked[0] === "true" : checked[0];
  }

  function setValue(section, value) {
    var kind = section.dataset.kind;
    if (kind === "essay") {
      section.querySelector("textarea").value = value || "";
      return;
    }
    section.querySelectorAll("input").forEach(function (input) {
      if (kind === "multiple") {
        input.checked = Array.isArray(value) && value.indexOf(input.value) >= 0;
      } else if (kind === "true_false") {
        input.checked = value !== null && value !== undefined && String(value) === input.value;
      } else {
        input.checked = value === input.value;
      }
    });
  }

  function isAnswered(value) {
    if (value === null || value === undefined) { return false; }
    if (Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "string") { return value.trim() !== ""; }
    return true;
  }

  // -- status per answer and for the whole paper ----------------------------------------------------------------
  var STATUS = {
    empty: "未作答",
    saved: "已保存",
    saving: "保存中…",
    queued: "离线，恢复后自动提交",
    retry: "保存失败，正在重试…",
    late: "未保存：考试时间已到",
    submitted: "未保存：答卷已提交",
    auth: "未保存：登录已失效，答案暂存在本机",
    csrf: "未保存：页面已过期，请刷新页面（答案暂存在本机）"
  };

  function setStatus(section, state, message) {
    var el = section.querySelector(".exam-save-status");
    var text = message || STATUS[state] || "";
    if (state === "saved" && !isAnswered(valueOf(section))) {
      state = "empty";
      text = "未作答（已保存）";
    }
    el.dataset.state = state;
    el.textContent = text;
  }

  function refreshProgress() {
    var answered = 0;
    questions.forEach(function (section) {
      var done = isAnswered(valueOf(section));
      if (done) { answered += 1; }
      var clear = section.querySelector(".exam-clear");
      if (clear) { clear.hidden = !done; }
      var link = root.querySelector(".exam-nav-item[data-question-id='" + section.dataset.questionId + "']");
      if (link) {
        var flagged = flags.indexOf(section.dataset.questionId) >= 0;
        link.classList.toggle("is-answered", done);
        link.classList.toggle("is-flagged", flagged);
        link.querySelector(".exam-nav-state").textContent = (done ? "，已答" : "，未答") + (flagged ? "，已标记" : "");
      }
    });
    document.getElementById("exam-progress").value = answered;
    document.getElementById("exam-answered").textContent = String(answered);
    return answered;
  }

  function refreshNet() {
    var waiting = Object.keys(pending).length;
    var state;
    var text;
    if (locked) {
      state = "locked";
      text = "答题已结束";
    } else if (!navigator.onLine) {
      state = "offline";
      text = waiting ? "网络已断开：" + waiting + " 道题的答案暂存在本机，恢复后自动提交" : "网络已断开：恢复后自动提交答案";
    } else if (waiting) {
      state = "saving";
      text = "保存中：" + waiting + " 道题";
    } else {
      state = "online";
      text = "全部答案已保存";
    }
    netEl.dataset.state = state;
    netText.textContent = text;
  }

  function showAlert(kind, html) {
    alertEl.className = "exam-alert alert mb-0 alert-" + kind;
    alertEl.innerHTML = html;
    alertEl.hidden = false;
  }

  function persistQueue() {
    storeSet(attemptId + ":queue", pending);
    refreshNet();
  }

  // -- saving -----------------------------------------------------------------------------------------------------
  function record(section) {
    if (locked) { return; }
    var id = section.dataset.questionId;
    pending[id] = { v: valueOf(section), t: serverNow() };
    persistQueue();
    refreshProgress();
    send(id);
  }

  function scheduleRetry() {
    if (retryTimer || locked) { return; }
    var wait = retryDelay + Math.floor(Math.random() * 300);
    retryDelay = Math.min(retryDelay * 2, 30000);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flushAll();
    }, wait);
  }

  function flushAll() {
    Object.keys(pending).forEach(send);
    refreshNet();
  }

  function send(id) {
    var section = byId[id];
    var entry = pending[id];
    if (!section || !entry) { delete pending[id]; persistQueue(); return; }
    if (locked) { return; }
    if (inflight[id]) { return; } // sent again when the current request ends
    if (!navigator.onLine) {
      setStatus(section, "queued");
      refreshNet();
      return; // the "online" event resends
    }
    inflight[id] = entry;
    setStatus(section, "saving");
    var sentAt = Date.now();
    fetch(saveBase + id, {
      method: "PUT",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf,
        "X-Exam-Device": device },
      body: JSON.stringify({ response: entry.v })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var body = type.indexOf("application/json") >= 0 ? response.json().catch(function () { return null; }) : null;
      return Promise.resolve(body).then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      var response = result.response;
      var data = result.data;
      delete inflight[id];
      if (data && data.server_now) { syncClock(data.server_now, sentAt, Date.now()); }
      if (response.ok && data) {
        retryDelay = 1000;
        if (pending[id] === entry) {
          delete pending[id];
          persistQueue();
          setStatus(section, "saved");
        } else {
          send(id); // changed while this one was on its way
        }
        return;
      }
      if (response.status === 409 && data && data.error === "taken_over") {
        setStatus(section, "queued");
        showTakenOver(data.message);
        return;
      }
      if (response.status === 409 && data && data.error === "paused") {
        setStatus(section, "queued"); // kept on this device; sent when the proctor resumes the exam
        checkState();
        return;
      }
      if (response.status === 409) {
        drop(id);
        if (refused.indexOf(section.dataset.position) < 0) { refused.push(section.dataset.position); }
        var submitted = data && data.error === "submitted";
        setStatus(section, submitted ? "submitted" : "late");
        showAlert("danger", "<strong>" + (submitted ? "答卷已提交" : "考试时间已到") + "</strong>：第 " +
          section.dataset.position + " 题的答案未能保存。" + escapeHtml((data && data.message) || ""));
        checkState();
        return;
      }
      if (response.status === 404 || response.status === 422 || (response.status === 400 && data)) {
        drop(id);
        setStatus(section, "invalid", "未保存：" + ((data && data.message) || "答案无效"));
        return;
      }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403 ||
          (response.ok && !data)) {
        setStatus(section, "auth");
        showAlert("warning", "登录已失效，答案暂存在本机。请<a href=\"/login?next=" +
          encodeURIComponent(location.pathname) + "\">重新登录</a>后回到本页，答案会自动提交。");
        refreshNet();
        return;
      }
      if (response.status === 400) {
        setStatus(section, "csrf");
        showAlert("warning", "页面已过期，答案暂存在本机。请刷新页面，答案会自动提交。");
        refreshNet();
        return;
      }
      setStatus(section, "retry");
      scheduleRetry();
    }).catch(function () {
      delete inflight[id];
      setStatus(section, "queued");
      refreshNet();
      scheduleRetry();
    });
  }

  function drop(id) {
    delete pending[id];
    persistQueue();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  // Answers given before a reload but not yet saved: put them back and send them, unless the server holds a
  // newer answer (saved from another browser after this one queued its own).
  Object.keys(pending).forEach(function (id) {
    var section = byId[id];
    var entry = pending[id];
    var savedAt = section ? Number(section.dataset.savedAt || 0) : 0;
    if (!section || !entry || (savedAt && savedAt >= entry.t)) {
      delete pending[id];
      return;
    }
    setValue(section, entry.v);
    setStatus(section, navigator.onLine ? "saving" : "queued");
  });
  storeSet(attemptId + ":queue", pending);

  // -- inputs -----------------------------------------------------------------------------------------------------
  questions.forEach(function (section) {
    var kind = section.dataset.kind;
    if (kind === "essay") {
      var area = section.querySelector("textarea");
      var timer = null;
      var last = area.value;
      var commit = function () {
        window.clearTimeout(timer);
        if (area.value !== last) {
          last = area.value;
          record(section);
        }
      };
      area.addEventListener("input", function () {
        window.clearTimeout(timer);
        setStatus(section, "saving", "输入中…");
        timer = window.setTimeout(commit, 800);
      });
      area.addEventListener("blur", commit);
    } else {
      section.addEventListener("change", function (event) {
        if (event.target.matches("input")) { record(section); }
      });
    }
    var clear = section.querySelector(".exam-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        if (valueOf(section) === null) { return; }
        setValue(section, null);
        record(section);
      });
    }
    section.addEventListener("focusin", function () { setCurrent(section, false); });
  });

  // -- flags ------------------------------------------------------------------------------------------------------
  root.querySelectorAll(".exam-flag").forEach(function (button) {
    var id = button.dataset.questionId;
    var paint = function () {
      var on = flags.indexOf(id) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "★ 已标记待检查" : "☆ 标记待检查";
      button.classList.toggle("btn-warning", on);
      button.classList.toggle("btn-outline-secondary", !on);
      byId[id].classList.toggle("is-flagged", on);
    };
    button.hidden = false;
    paint();
    button.addEventListener("click", function () {
      var at = flags.indexOf(id);
      if (at >= 0) { flags.splice(at, 1); } else { flags.push(id); }
      storeSet(attemptId + ":flags", flags);
      paint();
      refreshProgress();
    });
  });

  // -- navigator and the one-question view ------------------------------------------------------------------------
  var view = storeGet("view", "all");
  var current = Math.min(Math.max(0, storeGet(attemptId + ":current", 0)), questions.length - 1);
  var toggle = document.getElementById("exam-view-toggle");
  var navPanel = document.getElementById("exam-nav");

  function setCurrent(section, focus) {
    var index = questions.indexOf(section);
    if (index < 0) { return; }
    current = index;
    storeSet(attemptId + ":current", current);
    root.querySelectorAll(".exam-nav-item").forEach(function (link) {
      var here = link.dataset.questionId === section.dataset.questionId;
      link.classList.toggle("is-current", here);
      if (here) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    if (view === "one") {
      questions.forEach(function (q) { q.hidden = q !== section; });
    }
    if (focus) {
      section.scrollIntoView({ block: "start" });
      var first = section.querySelector("input, textarea");
      if (first) { first.focus({ preventScroll: true }); }
    }
  }

  function applyView() {
    var one = view === "one";
    root.classList.toggle("exam-one", one);
    toggle.textContent = one ? "显示全部题目" : "逐题作答";
    toggle.setAttribute("aria-pressed", one ? "true" : "false");
    root.querySelectorAll(".exam-step-nav").forEach(function (nav) { nav.hidden = !one; });
    questions.forEach(function (q, i) { q.hidden = one && i !== current; });
  }

  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    view = view === "one" ? "all" : "one";
    storeSet("view", view);
    applyView();
    setCurrent(questions[current], true);
  });
  root.querySelectorAll(".exam-nav-item").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var section = byId[link.dataset.questionId];
      if (navPanel && window.bootstrap && navPanel.classList.contains("show")) {
        window.bootstrap.Offcanvas.getOrCreateInstance(navPanel).hide();
      }
      setCurrent(section, true);
    });
  });
  root.querySelectorAll(".exam-prev, .exam-next").forEach(function (button) {
    button.addEventListener("click", function () {
      var step = button.classList.contains("exam-next") ? 1 : -1;
      var next = questions[current + step];
      if (next) { setCurrent(next, true); }
    });
  });
  applyView();
  setCurrent(questions[current], false);

  // -- the countdown ----------------------------------------------------------------------------------------------
  var announced = {};

  function format(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }

  function showTakenOver(message) {
    if (takenOver) { return; }
    takenOver = true;
    lock();
    window.clearTimeout(stateTimer);
    showAlert("danger", "<strong>本页面已停止作答</strong>：" + escapeHtml(message ||
      "本场考试已在另一台设备上打开。") + " 在本页面之后填写的答案未保存。");
    announceEl.textContent = "本场考试已在另一台设备上继续";
  }

  function tick() {
    if (paused || takenOver) { return; } // resumed by checkState
    var left = deadline - serverNow();
    clockEl.textContent = format(left);
    timerEl.classList.toggle("is-warning", left <= 5 * 60000 && left > 60000);
    timerEl.classList.toggle("is-danger", left <= 60000);
    [10, 5, 1].forEach(function (minutes) {
      if (left <= minutes * 60000 && left > (minutes * 60000 - 5000) && !announced[minutes]) {
        announced[minutes] = true;
        announceEl.textContent = "剩余 " + minutes + " 分钟";
      }
    });
    if (left <= 0) {
      timeUp();
      return;
    }
    window.setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
  }

  function lock() {
    locked = true;
    root.classList.add("exam-locked");
    root.querySelectorAll("#exam-paper input, #exam-paper textarea, .exam-clear").forEach(function (el) {
      el.disabled = true;
    });
    submitButtons.forEach(function (b) { b.disabled = true; });
    window.clearTimeout(retryTimer);
    retryTimer = null;
    refreshNet();
  }

  function unlock() {
    locked = false;
    root.classList.remove("exam-locked");
    root.querySelectorAll("#exam-paper input, #exam-paper textarea, .exam-clear").forEach(function (el) {
      el.disabled = false;
    });
    submitButtons.forEach(function (b) { b.disabled = false; });
    alertEl.hidden = true;
    refreshNet();
  }

  function finishedBanner(byPlatform) {
    var lost = refused.slice();
    Object.keys(pending).forEach(function (id) {
      var position = byId[id] && byId[id].dataset.position;
      if (position && lost.indexOf(position) < 0) { lost.push(position); }
      if (byId[id]) { setStatus(byId[id], byPlatform ? "late" : "submitted"); }
    });
    lost.sort(function (a, b) { return a - b; });
    pending = {};
    storeSet(attemptId + ":queue", pending);
    showAlert(byPlatform ? "warning" : "info",
      "<strong>" + (byPlatform ? "考试时间已到，平台已自动交卷。" : "答卷已提交。") + "</strong>" +
      (lost.length ? "截止前保存的答案已计入；第 " + lost.join("、") + " 题的答案未能在截止前保存，不计分。"
        : "截止前保存的答案均已计入。") +
      " <a class=\"alert-link\" href=\"" + resultUrl + "\">查看交卷结果</a>");
    clockEl.textContent = "00:00";
    announceEl.textContent = byPlatform ? "考试时间已到，平台已自动交卷" : "答卷已提交";
  }

  var stateTimer = null;
  // The state poll is also the page's sign of life for the proctor: offline = nothing for 60 s.
  var POLL_MS = 20000;

  // Leaving the exam tab or window is reported to the proctor's view (at most once per 5 s).
  var focusUrl = root.dataset.focusUrl;
  var lastFocusReport = 0;
  function reportFocusLoss() {
    if (locked || !focusUrl || Date.now() - lastFocusReport < 5000) { return; }
    lastFocusReport = Date.now();
    fetch(focusUrl, { method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf, "X-Exam-Device": device } }).catch(function () { /* offline: not reported */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { reportFocusLoss(); }
  });
  window.addEventListener("blur", reportFocusLoss);

  function checkState() {
    window.clearTimeout(stateTimer);
    var sentAt = Date.now();
    if (takenOver) { return Promise.resolve(); }
    return fetch(stateUrl, { credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "X-Exam-Device": device } })
      .then(function (response) {
        if (response.status === 409) {
          return response.json().then(function (data) {
            if (data && data.error === "taken_over") { showTakenOver(data.message); return { stop: true }; }
            throw new Error("state 409");
          });
        }
        if (!response.ok) { throw new Error("state " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (data.stop) { return; }
        syncClock(data.server_now, sentAt, Date.now());
        deadline = Date.parse(data.deadline);
        if (data.status === "paused") {
          if (!paused) {
            paused = true;
            lock();
            showAlert("warning", "<strong>考试已暂停</strong>：监考员暂停了本考场的考试，计时已停止。" +
              "请留在座位上听从安排；恢复后可继续作答，剩余时间顺延。");
          }
          clockEl.textContent = format(data.remaining_seconds * 1000);
          stateTimer = window.setTimeout(checkState, 5000);
          return;
        }
        if (paused && data.status === "in_progress") {
          paused = false;
          unlock();
          tick();
          flushAll();
        }
        if (data.status === "submitted") {
          lock();
          finishedBanner(data.submitted_by === "platform");
          return;
        }
        if (locked && data.remaining_seconds > 0) {
          unlock(); // this device's clock ran ahead: the server still has time left
          tick();
          flushAll();
        }
        stateTimer = window.setTimeout(checkState, locked ? 3000 : POLL_MS);
      })
      .catch(function () {
        stateTimer = window.setTimeout(checkState, locked ? 3000 : POLL_MS);
      });
  }

  function timeUp() {
    if (locked) { return; }
    lock();
    clockEl.textContent = "00:00";
    showAlert("danger", "<strong>考试时间已到</strong>，答题已锁定。平台正在按已保存的答案自动交卷…");
    window.setTimeout(checkState, 1200); // the server's deadline check uses its own clock: give it a moment
  }

  // -- handing in -------------------------------------------------------------------------------------------------
  var modalEl = document.getElementById("exam-submit-modal");
  var confirmButton = document.getElementById("exam-submit-confirm");
  submitForm.removeAttribute("data-confirm"); // the dialog below replaces the plain confirmation

  function positions(list) {
    return list.length ? "（第 " + list.join("、") + " 题）" : "";
  }

  function fillSummary() {
    var unanswered = [];
    var flagged = [];
    questions.forEach(function (section) {
      if (!isAnswered(valueOf(section))) { unanswered.push(section.dataset.position); }
      if (flags.indexOf(section.dataset.questionId) >= 0) { flagged.push(section.dataset.position); }
    });
    document.getElementById("exam-sum-answered").textContent = String(questions.length - unanswered.length);
    document.getElementById("exam-sum-unanswered").textContent = String(unanswered.length);
    document.getElementById("exam-sum-unanswered-list").textContent = positions(unanswered);
    document.getElementById("exam-sum-flagged").textContent = String(flagged.length);
    document.getElementById("exam-sum-flagged-list").textContent = positions(flagged);
    document.getElementById("exam-sum-unanswered-row").classList.toggle("text-danger", unanswered.length > 0);
    document.getElementById("exam-sum-flagged-row").classList.toggle("text-warning-emphasis", flagged.length > 0);
    var waiting = Object.keys(pending).length;
    var note = document.getElementById("exam-sum-pending");
    if (!navigator.onLine) {
      note.textContent = "当前网络已断开，无法交卷。请恢复网络后再交卷；" + (waiting ? waiting + " 道题的答案会先自动提交。" : "");
      note.hidden = false;
      confirmButton.disabled = true;
    } else {
      note.textContent = waiting ? waiting + " 道题的答案正在保存，确认后会先保存再交卷。" : "";
      note.hidden = !waiting;
      confirmButton.disabled = false;
    }
  }

  submitForm.addEventListener("submit", function (event) {
    event.preventDefault();
    event.stopPropagation();
    if (locked) { return; }
    fillSummary();
    if (window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
    } else if (window.confirm("确定交卷吗？交卷后不能再修改答案。")) {
      handIn();
    }
  });
  window.addEventListener("online", function () { if (modalEl.classList.contains("show")) { fillSummary(); } });
  window.addEventListener("offline", function () { if (modalEl.classList.contains("show")) { fillSummary(); } });

  function handIn() {
    confirmButton.disabled = true;
    confirmButton.textContent = "正在交卷…";
    flushAll();
    var started = Date.now();
    (function wait() {
      var busy = Object.keys(pending).length > 0;
      if (busy && Date.now() - started < 8000 && navigator.onLine) {
        window.setTimeout(wait, 200);
        return;
      }
      if (busy && !window.confirm("仍有 " + Object.keys(pending).length + " 道题的答案未能保存，继续交卷则这些答案不计分。确定交卷吗？")) {
        confirmButton.disabled = false;
        confirmButton.textContent = "确认交卷";
        return;
      }
      HTMLFormElement.prototype.submit.call(submitForm);
    })();
  }

  confirmButton.addEventListener("click", handIn);

  // -- connectivity -----------------------------------------------------------------------------------------------
  window.addEventListener("online", function () {
    retryDelay = 1000;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    flushAll();
    checkState();
  });
  window.addEventListener("offline", function () {
    Object.keys(pending).forEach(function (id) {
      if (!inflight[id] && byId[id]) { setStatus(byId[id], "queued"); }
    });
    refreshNet();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !locked) {
      checkState();
    }
  });

  refreshProgress();
  refreshNet();
  if (deadline - serverNow() <= 0) {
    timeUp();
  } else {
    tick();
    flushAll();
    stateTimer = window.setTimeout(checkState, POLL_MS);
  }
})();
