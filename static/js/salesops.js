/* salesops: small behaviours of the shell (no framework). */
(function () {
  "use strict";
  // Keep the CSRF token on HTMX requests fresh after a partial swap.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  // Buttons that ask first: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // Org chart: expand or collapse every branch at once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree-toggle-all]");
    if (!button) { return; }
    var open = button.getAttribute("data-tree-toggle-all") === "open";
    document.querySelectorAll(".org-tree .collapse").forEach(function (el) {
      bootstrap.Collapse.getOrCreateInstance(el, { toggle: false })[open ? "show" : "hide"]();
    });
  });
})();
