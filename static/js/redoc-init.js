// Starts Redoc on the API docs page (templates/api/redoc.html) without an inline script, so the
// page's Content-Security-Policy allows scripts from the portal only. System fonts: the page
// loads no web font.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var system = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, ' +
    '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  Redoc.init(container.dataset.specUrl, {
    theme: {
      typography: {
        fontFamily: system,
        headings: { fontFamily: system },
        code: { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' }
      },
      colors: { primary: { main: "#0b5c78" } }
    }
  }, container);
})();
