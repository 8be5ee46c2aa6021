/* Small enhancements; every page works without them. */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var ACTIVE = { queued: true, running: true };

  /* The evaluation panel polls its JSON view while the evaluation is queued or running, moves
     the progress bar, and reloads the page once the result is in (the server renders it). */
  function watchEvaluation(panel) {
    var url = panel.getAttribute("data-evaluation-url");
    var bar = panel.querySelector("[data-eval-progress]");
    var fill = bar ? bar.querySelector(".progress-bar") : null;
    var stage = panel.querySelector("[data-eval-stage]");
    var percent = panel.querySelector("[data-eval-percent]");
    var status = panel.querySelector("[data-eval-status]");
    var failures = 0;

    function show(data) {
      var progress = Math.max(0, Math.min(100, Number(data.progress) || 0));
      if (bar) bar.setAttribute("aria-valuenow", String(progress));
      if (fill) fill.style.width = progress + "%";
      if (percent) percent.textContent = String(progress);
      if (stage && typeof data.stage === "string") stage.textContent = data.stage;
      if (status && data.status) {
        var label = panel.getAttribute("data-label-" + data.status) || data.status;
        status.innerHTML = "";
        var badge = document.createElement("span");
        badge.className = "badge badge-" + data.status;
        badge.textContent = label;
        status.appendChild(badge);
      }
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(data);
          if (ACTIVE[data.status]) {
            window.setTimeout(poll, POLL_MS);
          } else {
            window.location.reload();
          }
        })
        .catch(function () {
          // A dropped request is retried more slowly; the page still works after a reload.
          failures += 1;
          if (failures < 30) window.setTimeout(poll, POLL_MS * Math.min(failures + 1, 5));
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  /* While a worker reads raw files, the evidence card polls their progress and reloads the
     page once each is read or refused (the server renders the summary and the chart). */
  function watchFiles(card) {
    var url = card.getAttribute("data-files-url");
    var failures = 0;

    function show(file) {
      var box = card.querySelector("[data-file='" + file.id + "']");
      if (!box) return;
      var fill = box.querySelector("[data-file-progress] .progress-bar");
      var bar = box.querySelector("[data-file-progress]");
      var percent = box.querySelector("[data-file-percent]");
      var rows = box.querySelector("[data-file-rows]");
      var status = box.querySelector("[data-file-status]");
      if (fill) fill.style.width = file.progress + "%";
      if (bar) bar.setAttribute("aria-valuenow", String(file.progress));
      if (percent) percent.textContent = String(file.progress);
      if (rows) rows.textContent = Number(file.rows).toLocaleString();
      if (status) status.textContent = file.status_label;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          var changed = false;
          data.files.forEach(function (file) {
            show(file);
            var box = card.querySelector("[data-file='" + file.id + "']");
            if (box && box.getAttribute("data-status") !== file.status &&
                (file.status === "parsed" || file.status === "rejected")) changed = true;
          });
          if (changed || !data.reading) {
            window.location.reload();
          } else {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures < 30) window.setTimeout(poll, POLL_MS * Math.min(failures + 1, 5));
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  /* A button pressed once stays pressed: no double uploads or submissions. */
  function guardForms() {
    document.querySelectorAll("form[method='post']").forEach(function (form) {
      form.addEventListener("submit", function () {
        var buttons = form.querySelectorAll("button[type='submit']");
        window.setTimeout(function () {
          buttons.forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  }

  // Coming back through the history cache must not leave buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[method='post'] button[disabled]").forEach(function (b) {
      b.disabled = false;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-evaluation-url][data-active='true']");
    if (panel) watchEvaluation(panel);
    var files = document.querySelector("[data-files-url]");
    if (files) watchFiles(files);
    guardForms();
  });
})();
