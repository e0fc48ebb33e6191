/* Opportunity kanban: dropping a card on a column posts the new stage (htmx), then the card is swapped in place;
 * a lost or invalid opportunity asks for the reason first. */
(function () {
  "use strict";
  var board = document.querySelector("[data-testid=kanban]");
  if (!board) { return; }
  var reasonStages = board.dataset.reasonStages.split(",");
  var dragged = null;
  board.addEventListener("dragstart", function (e) {
    dragged = e.target.closest(".kanban-card");
    if (dragged) { e.dataTransfer.setData("text/plain", dragged.id); }
  });
  board.querySelectorAll(".kanban-col").forEach(function (col) {
    col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("border", "border-primary"); });
    col.addEventListener("dragleave", function () { col.classList.remove("border", "border-primary"); });
    col.addEventListener("drop", function (e) {
      e.preventDefault();
      col.classList.remove("border", "border-primary");
      if (!dragged || dragged.dataset.stage === col.dataset.stage) { return; }
      var reason = "";
      if (reasonStages.indexOf(col.dataset.stage) >= 0) {
        reason = window.prompt(board.dataset.reasonPrompt) || "";
        if (!reason.trim()) { return; }
      }
      var card = dragged;
      var cards = col.querySelector(".kanban-cards");
      cards.insertBefore(card, cards.firstChild);
      htmx.ajax("POST", card.dataset.moveUrl, {source: card, target: card, swap: "outerHTML",
                                               values: {stage: col.dataset.stage, reason: reason}});
    });
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
})();
