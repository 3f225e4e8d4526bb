// The review panel of an article's admin page: decide each suggestion in place
// (without reloading the page, which would lose unsaved edits), walk the queue
// from the keyboard, and show the withdrawal reason only when it matters.
"use strict";

(function () {
  const panel = document.getElementById("review");
  const form = document.getElementById("article_form");

  function csrfToken() {
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(message) {
    const status = document.getElementById("review-status");
    if (status) status.textContent = message;
  }

  function waitingButtons(decision) {
    return panel.querySelectorAll(
      `.suggestion:not(.decided) [data-decide="${decision}"]`
    );
  }

  async function post(url) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      return await response.json();
    } catch (error) {
      say("Not saved: the server could not be reached. Try again.");
      return null;
    }
  }

  function mark(item, decision) {
    item.classList.add("decided", decision);
    const outcome = document.createElement("span");
    outcome.className = "suggestion-outcome";
    outcome.textContent = decision === "confirm" ? "Confirmed" : "Rejected";
    item.querySelector(".suggestion-decide").replaceChildren(outcome);
  }

  function settle(answer) {
    const count = document.getElementById("waiting-count");
    if (count && typeof answer.waiting === "number") count.textContent = answer.waiting;
    say(answer.message);
    // The keyboard goes on to the next waiting suggestion, or to the moves.
    const next = waitingButtons("confirm")[0] || panel.querySelector("[name=_move]");
    if (next) next.focus();
  }

  async function decide(button) {
    const item = button.closest(".suggestion");
    item.querySelectorAll("[data-decide]").forEach((b) => (b.disabled = true));
    const answer = await post(button.formAction);
    if (!answer) {
      item.querySelectorAll("[data-decide]").forEach((b) => (b.disabled = false));
      return;
    }
    mark(item, button.dataset.decide);
    settle(answer);
  }

  async function decideAll(button) {
    const decision = button.dataset.decideAll;
    const answer = await post(button.formAction);
    if (!answer) return;
    // "Confirm all" leaves candidate people to be decided one by one.
    panel.querySelectorAll(".suggestion:not(.decided)").forEach((item) => {
      if (decision === "reject" || item.dataset.kind !== "candidate") mark(item, decision);
    });
    settle(answer);
  }

  function typing(target) {
    return (
      target.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
      target.closest(".select2-container")
    );
  }

  if (panel) {
    panel.addEventListener("click", (event) => {
      const one = event.target.closest("[data-decide]");
      const all = event.target.closest("[data-decide-all]");
      if (!one && !all) return;
      event.preventDefault();
      if (one) decide(one);
      else decideAll(all);
    });
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      if (event.key === "c" || event.key === "x") {
        const button = waitingButtons(event.key === "c" ? "confirm" : "reject")[0];
        if (button) {
          event.preventDefault();
          decide(button);
        }
        return;
      }
      const link = panel.querySelector(`[data-shortcut="${event.key}"]`);
      if (link) {
        event.preventDefault();
        link.click();
      }
    });
  }

  const save = form && form.querySelector("input[name=_save]");
  if (save && !document.querySelector('[accesskey="s"]')) save.accessKey = "s";

  // The withdrawal reason: shown when "withdrawn" is the status chosen, or
  // when it already says something.
  const status = document.getElementById("id_status");
  const reason = document.getElementById("id_withdrawal_reason");
  const row = reason && reason.closest(".form-row");
  if (status && row) {
    const show = () => {
      row.hidden = !(status.value === "withdrawn" || reason.value.trim());
    };
    status.addEventListener("change", show);
    show();
  }
})();
