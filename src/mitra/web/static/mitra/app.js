// mitra's page behaviour, served from our own origin: the Content-Security-Policy allows no
// inline script. Every page works without it.
(function () {
  "use strict";

  // Welcome: pre-select the browser's own time zone; the person can still change it.
  function preselectTimeZone() {
    var select = document.getElementById("id_time_zone");
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !select || select.dataset.touched) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.selectedIndex = i; break; }
    }
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

  function start() {
    preselectTimeZone();
    showProgress();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
