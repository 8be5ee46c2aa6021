/* Draws the evidence charts: each [data-chart] holds its Vega-Lite specification as JSON (the
   same one the evaluation report PDF renders). Vega runs with its expression interpreter, so the
   page's Content-Security-Policy needs no 'unsafe-eval'; styles come from portal.css, not from
   <style> elements the libraries would inject. Without JavaScript the caption still reads. */
(function () {
  "use strict";

  function draw(holder) {
    var script = holder.querySelector("script[type='application/json']");
    var target = holder.querySelector("[data-chart-target]");
    if (!script || !target || !window.vegaEmbed || !window.vegaInterpreter) return;
    var spec;
    try {
      spec = JSON.parse(script.textContent);
    } catch (error) {
      return;
    }
    window
      .vegaEmbed(target, spec, {
        ast: true,
        expr: window.vegaInterpreter.expressionInterpreter,
        actions: false,
        renderer: "svg",
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
      })
      .then(function () {
        holder.classList.add("is-drawn");
      })
      .catch(function (error) {
        target.textContent = holder.getAttribute("data-error") || String(error);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
