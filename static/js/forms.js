/* salesops forms: the behaviours of particular forms, each bound to a data-form="..." mark on the form
 * (no inline script, so the Content-Security-Policy needs no 'unsafe-inline'). A page that has one of these forms
 * loads this file in its scripts block.
 */
(function () {
  "use strict";

  function each(selector, fn) { document.querySelectorAll(selector).forEach(fn); }

  // Ticket form: the complaint fields show for a complaint only (contacts and contracts follow the customer below).
  each("[data-form=ticket]", function (form) {
    var type = form.querySelector("#id_ticket_type");
    function sync() {
      var complaint = type && type.value === "complaint";
      form.querySelectorAll("[data-complaint-only]").forEach(function (el) { el.hidden = !complaint; });
    }
    if (type) { type.addEventListener("change", sync); sync(); }
  });

  // Pickers (Tom Select, static/vendor/tom-select): a select marked data-picker="remote" (a customer) renders only
  // the chosen option and searches data-picker-url (the scoped API: ?search=, answers {results: [{id, name, code}]})
  // as the user types; a select marked data-follows-customer becomes a searchable list of its own options.
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }
  function customerLabel(item, escape) {
    var code = item.code ? '<span class="text-body-secondary small ms-2">' + escape(item.code) + "</span>" : "";
    return "<div>" + escape(item.name) + code + "</div>";
  }
  function remotePicker(select) {
    var url = select.getAttribute("data-picker-url");
    var empty = select.getAttribute("data-picker-empty") || "";
    return new window.TomSelect(select, {
      valueField: "id",
      labelField: "name",
      searchField: ["name", "code"],
      maxOptions: 20,
      loadThrottle: 250,
      placeholder: select.getAttribute("data-picker-placeholder") || "",
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "search=" + encodeURIComponent(query.trim());
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            callback((data.results || []).map(function (c) {
              return { id: String(c.id), name: c.name, code: c.code || "" };
            }));
          })
          .catch(function () { callback(); });
      },
      render: {
        option: customerLabel,
        item: customerLabel,
        no_results: function () { return '<div class="no-results">' + escapeHtml(empty) + "</div>"; },
      },
    });
  }
  function pickers(root) {
    if (!window.TomSelect || !root.querySelectorAll) { return; }
    root.querySelectorAll("select[data-picker=remote]").forEach(function (select) {
      if (!select.tomselect) { remotePicker(select); }
    });
    root.querySelectorAll("select[data-follows-customer]").forEach(function (select) {
      if (!select.tomselect) { new window.TomSelect(select, { maxOptions: null }); }
      follow(select);
    });
  }

  // Records of a customer (contacts, contracts, opportunities): a select marked data-follows-customer offers only
  // the options of the customer chosen in the same form (each option says whose it is in data-customer): the others
  // are taken out of the select (and out of its picker) until the customer changes again.
  function follow(select) {
    var customer = select.form && select.form.querySelector("[name=customer]");
    if (!customer || select.hasAttribute("data-following")) { return; }
    select.setAttribute("data-following", "");
    var all = Array.prototype.slice.call(select.options);
    function narrow() {
      var chosen = customer.value;
      var current = select.value;
      var keep = all.filter(function (option) {
        var owner = option.getAttribute("data-customer");
        return !(owner && chosen && owner !== chosen);
      });
      select.replaceChildren.apply(select, keep);
      select.value = keep.some(function (option) { return option.value === current; }) ? current : "";
      if (select.tomselect) {
        select.tomselect.clearOptions(function () { return false; });
        select.tomselect.sync();
      }
    }
    customer.addEventListener("change", narrow);
    narrow();
  }

  pickers(document);
  document.addEventListener("htmx:load", function (event) { pickers(event.target); });

  // Public support form: the complaint category shows for a complaint only; the send button cannot be pressed twice.
  each("[data-form=support]", function (form) {
    var box = document.getElementById("complaint-category");
    function sync() {
      var picked = form.querySelector("input[name=ticket_type]:checked");
      if (box) { box.hidden = !(picked && picked.value === "complaint"); }
    }
    form.querySelectorAll("input[name=ticket_type]").forEach(function (r) { r.addEventListener("change", sync); });
    sync();
    form.addEventListener("submit", function () {
      var button = form.querySelector("[type=submit]");
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // Contact record: the contact list depends on the customer, so choosing one reloads the form for it.
  each("[data-form=contact][data-reload-on-customer]", function (form) {
    var customer = form.querySelector("#id_customer");
    if (customer) {
      customer.addEventListener("change", function () {
        window.location.search = "?customer=" + encodeURIComponent(customer.value);
      });
    }
  });

  // Feedback: the category suggests the departments to pass it on to, until the user ticks boxes themselves.
  each("[data-form=feedback]", function (form) {
    var source = document.getElementById("department-suggestions");
    var category = form.querySelector("#id_category");
    if (!source || !category) { return; }
    var suggestions = JSON.parse(JSON.parse(source.textContent));
    var boxes = form.querySelectorAll("#departments input[type=checkbox]");
    var touched = form.hasAttribute("data-bound");
    boxes.forEach(function (box) { box.addEventListener("change", function () { touched = true; }); });
    function suggest() {
      var ids = (suggestions[category.value] || []).map(String);
      boxes.forEach(function (box) {
        box.parentElement.classList.toggle("fw-semibold", ids.indexOf(box.value) >= 0);
        if (!touched) { box.checked = ids.indexOf(box.value) >= 0; }
      });
    }
    category.addEventListener("change", suggest);
    suggest();
  });

  // Questionnaire: add, move and delete questions of the formset; options show for choice questions only.
  each("[data-form=questionnaire]", function (form) {
    var total = form.querySelector("#id_questions-TOTAL_FORMS");
    var box = form.querySelector("#questions");
    var tpl = form.querySelector("#question-template");
    function renumber() {
      box.querySelectorAll(".question-card").forEach(function (card, i) {
        card.querySelector(".q-number").textContent = i + 1;
        var order = card.querySelector("input[name$='-ORDER']");
        if (order) { order.value = i + 1; }
      });
    }
    function toggleOptions(card) {
      var kind = card.querySelector("select[name$='-kind']");
      var opts = card.querySelector(".q-options");
      if (kind && opts) { opts.hidden = !(kind.value === "single" || kind.value === "multiple"); }
    }
    box.addEventListener("change", function (e) {
      if (e.target.matches("select[name$='-kind']")) { toggleOptions(e.target.closest(".question-card")); }
      if (e.target.matches("input[name$='-DELETE']")) {
        e.target.closest(".question-card").classList.toggle("opacity-50", e.target.checked);
      }
    });
    box.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-move]");
      if (!btn) { return; }
      var card = btn.closest(".question-card");
      if (btn.dataset.move === "up" && card.previousElementSibling) { box.insertBefore(card, card.previousElementSibling); }
      if (btn.dataset.move === "down" && card.nextElementSibling) { box.insertBefore(card.nextElementSibling, card); }
      renumber();
    });
    form.querySelector("#add-question").addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      box.insertAdjacentHTML("beforeend", tpl.innerHTML.replace(/__prefix__/g, index));
      total.value = index + 1;
      var card = box.lastElementChild;
      toggleOptions(card);
      renumber();
      card.querySelector("input[name$='-text']").focus();
    });
    box.querySelectorAll(".question-card").forEach(toggleOptions);
    renumber();
  });

  // Survey answers: a question marked in red loses its mark once answered.
  each("[data-form=survey]", function (form) {
    form.querySelectorAll("fieldset.q-block.has-error").forEach(function (block) {
      block.addEventListener("change", function () {
        block.classList.remove("has-error");
        var error = block.querySelector("[data-testid=question-error]");
        if (error) { error.remove(); }
      });
    });
  });
})();
