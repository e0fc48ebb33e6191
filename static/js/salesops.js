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
  // Selects that apply at once: <select data-autosubmit> submits its form when changed.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });
  // "Select all" boxes: <input type="checkbox" data-select-all="CSS selector of the boxes it ticks">.
  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-select-all]");
    if (!box) { return; }
    document.querySelectorAll(box.getAttribute("data-select-all")).forEach(function (c) { c.checked = box.checked; });
  });
  // <button data-print> prints the page; <input data-select-on-click> selects its text when clicked.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
    var field = event.target.closest("[data-select-on-click]");
    if (field) { field.select(); }
  });
  // Copy buttons: <button data-copy="#field"> copies the field's value (or text), <button data-copy-text="...">
  // copies that text; the button's <span> shows data-copied for two seconds and its clipboard icon turns to a tick.
  function copyFallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-text]");
    if (!button) { return; }
    var text = button.getAttribute("data-copy-text");
    if (text === null) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      text = source ? (source.value || source.textContent).trim() : "";
    }
    var label = button.querySelector("span");
    var icon = button.querySelector(".bi-clipboard");
    var before = label ? label.textContent : "";
    function done() {
      if (label && button.hasAttribute("data-copied")) { label.textContent = button.getAttribute("data-copied"); }
      if (icon) { icon.classList.replace("bi-clipboard", "bi-check2"); }
      window.setTimeout(function () {
        if (label) { label.textContent = before; }
        if (icon) { icon.classList.replace("bi-check2", "bi-clipboard"); }
      }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { copyFallback(text); done(); });
    } else {
      copyFallback(text);
      done();
    }
  });
})();
