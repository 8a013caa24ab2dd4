// mitra's page behaviour, served from our own origin: the Content-Security-Policy allows no
// inline script. Every page works without it.
(function () {
  "use strict";

  // Welcome, first visit: pre-select the browser's own time zone; the person can still change
  // it. Settings shows the saved zone, never a guess (a save would move the journal).
  function preselectTimeZone() {
    var select = document.querySelector("select[data-guess=browser]");
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !select) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.selectedIndex = i; break; }
    }
  }

  // A shared journal's times are on its person's clock, named after them ("(Europe/Berlin
  // time)") for a reader elsewhere; a reader whose browser keeps the same zone needs no name.
  function hideOwnZone() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var notes = document.querySelectorAll("[data-zone]");
    for (var i = 0; i < notes.length; i++) {
      if (zone && notes[i].getAttribute("data-zone") === zone) notes[i].hidden = true;
    }
  }

  // After a refused form, take the person to its first field in error: on a phone it can be
  // far below the top of the page. Its message is read with it (aria-describedby). Focus
  // scrolls only the field itself into view, which can leave its label and the start of a long
  // message above the screen: they are scrolled in too, when the label and field fit together.
  function focusFirstError() {
    var field = document.querySelector("[aria-invalid=true]");
    if (!field) {
      // A refusal of the whole form (sent before with other values, say) has no field to
      // focus: its message takes the focus, so it is read out and in view.
      var said = document.querySelector("main .errorlist.nonfield");
      if (said) {
        said.setAttribute("tabindex", "-1");
        said.focus();
      }
      return;
    }
    field.focus();
    var label = field.labels && field.labels[0];
    if (!label) return;
    var top = label.getBoundingClientRect().top;
    var bottom = field.getBoundingClientRect().bottom;
    if (top < 0 && bottom - top + 16 <= window.innerHeight) window.scrollBy(0, top - 8);
  }

  // A link to a line inside a closed fold (an insight that waits for data, by its id) opens
  // the fold, where a browser does not do it itself, so the line it names is shown.
  function openFoldOfTarget() {
    var id = "";
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    var fold = target && target.closest("details:not([open])");
    if (!fold) return;
    fold.open = true;
    target.scrollIntoView();
  }

  // A file above the page's limit (data-max-bytes) is refused before it is sent, beside its
  // field, with every other choice kept; the server refuses it too, but only after the upload
  // and without reading the rest of the form.
  function checkFileSizes() {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var form = input.form;
      if (!form) return;
      form.addEventListener("submit", function (event) {
        var file = input.files && input.files[0];
        var max = Number(input.dataset.maxBytes);
        if (!file || !(file.size > max)) return;
        event.preventDefault();
        var id = input.id + "_error";
        var list = document.getElementById(id);
        if (!list) {
          list = document.createElement("ul");
          list.className = "errorlist";
          list.id = id;
          input.parentNode.insertBefore(list, input);
        }
        list.textContent = "";
        var item = document.createElement("li");
        item.textContent = input.dataset.tooLarge || "The file is too large.";
        list.appendChild(item);
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(id) < 0) described.push(id);
        input.setAttribute("aria-describedby", described.join(" "));
        input.setAttribute("aria-invalid", "true");
        input.focus();
      });
    });
  }

  // Questionnaires: show how many questions are answered.
  function showProgress() {
    var form = document.querySelector(".questionnaire form");
    var bar = document.getElementById("progress");
    var text = document.getElementById("progress-text");
    if (!form || !bar || !text) return;
    function update() {
      var names = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (i) { names[i.name] = 1; });
      var n = Object.keys(names).length;
      bar.value = n;
      text.textContent = n + " of " + bar.max;
    }
    form.addEventListener("change", update);
    update();
  }

  // --- Offline: the service worker (sw.js) keeps the app shell and queues check-ins and doses ---

  var SHOW_SYNCED_MS = 3600 * 1000;  // a synced entry is listed for an hour, a refused one for a day
  var RETRY_MS = 3000;  // while online with entries waiting (the network may lag the online event)
  var retry = null;

  function clock(ms) {
    var d = new Date(ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  // What became of each entry saved on this phone, in the status box under the header.
  function showQueue(entries) {
    var box = document.getElementById("sync-status");
    var list = box && box.querySelector("ul");
    if (!list) return;
    var now = Date.now();
    list.replaceChildren();
    entries.forEach(function (e) {
      if (e.state === "synced" && now - e.answeredAt > SHOW_SYNCED_MS) return;
      var item = document.createElement("li");
      item.className = "sync-" + e.state;
      var said = {
        waiting: "Saved on this phone, will sync.",
        synced: "Synced at " + clock(e.answeredAt) + ".",
        refused: "Not saved: mitra refused it when it synced at " + clock(e.answeredAt) + ". Log it again on Today.",
      }[e.state];
      item.textContent = e.summary + ", logged at " + clock(e.queuedAt) + ": " + said;
      list.appendChild(item);
    });
    box.hidden = list.children.length === 0 && !document.body.dataset.keptCopy;
    var waiting = entries.some(function (e) { return e.state === "waiting"; });
    if (waiting && navigator.onLine && !retry) {
      retry = setTimeout(function () { retry = null; askToSync(); }, RETRY_MS);
    }
  }

  // A page the worker kept, shown offline: its old messages go, and a form's time that the person
  // has not changed moves on by the page's age, so an entry logged now is not dated when it was kept.
  function freshenKeptCopy() {
    var kept = Number(document.body.dataset.keptCopy);
    var rendered = Number(document.body.dataset.renderedAt) * 1000;
    if (!kept) return;
    var box = document.getElementById("sync-status");
    var note = box && box.querySelector(".kept-note");
    if (note) {
      note.textContent = "No connection: this page is as it was at " + clock(rendered) +
        ". Check-ins and doses you log are saved on this phone.";
      note.hidden = false;
      box.hidden = false;
    }
    document.querySelectorAll(".messages").forEach(function (m) { m.remove(); });
    var age = kept - rendered;
    if (!(age > 60000)) return;
    document.querySelectorAll("input[type=datetime-local]").forEach(function (input) {
      if (!input.value || input.value !== input.defaultValue) return;
      var moved = new Date(new Date(input.value).getTime() + age);
      var pad = function (n) { return String(n).padStart(2, "0"); };
      input.value = moved.getFullYear() + "-" + pad(moved.getMonth() + 1) + "-" + pad(moved.getDate()) +
        "T" + pad(moved.getHours()) + ":" + pad(moved.getMinutes());
    });
  }

  function askToSync() {
    if (!navigator.serviceWorker.controller) return;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    navigator.serviceWorker.controller.postMessage({ type: "sync", csrfToken: token ? token.value : "" });
  }

  function startOffline() {
    var worker = document.body.dataset.serviceWorker;
    if (!worker || !("serviceWorker" in navigator)) return;
    freshenKeptCopy();
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "queue") showQueue(event.data.entries);
    });
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.ready.then(askToSync);
    navigator.serviceWorker.addEventListener("controllerchange", askToSync);
    window.addEventListener("online", askToSync);
  }

  // Passkeys: once django-otp-webauthn's script has made one, go on to where its button says
  // (past the second step, or the Security page listing it).
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var done = event.target.dataset && event.target.dataset.done;
    if (done) window.location.assign(done);
  });

  function start() {
    preselectTimeZone();
    hideOwnZone();
    focusFirstError();
    openFoldOfTarget();
    window.addEventListener("hashchange", openFoldOfTarget);
    checkFileSizes();
    showProgress();
    startOffline();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
