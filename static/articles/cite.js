// Copy buttons for an article's citations (templates/articles/article_detail.html).
//
// Progressive enhancement: the citations are text on the page, selectable and
// downloadable without this script; the buttons are hidden until it shows them,
// and only where the browser offers the asynchronous clipboard. A prose style
// is copied as plain text and as HTML, so that a word processor keeps its
// italics. Served from our own origin: the Content-Security-Policy allows no
// inline script (archive/csp.py).
(function () {
  "use strict";

  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }

  function statusOf(button) {
    const holder = button.closest(".citation");
    return holder ? holder.querySelector(".copy-status") : null;
  }

  function say(button, message) {
    const status = statusOf(button);
    if (status) {
      status.textContent = message;
    }
  }

  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(source) {
    const text = source.textContent;
    const rich = source.tagName !== "PRE" && source.querySelector("i");
    if (rich && window.ClipboardItem && navigator.clipboard.write) {
      const html = `<meta charset="utf-8">${source.innerHTML}`;
      await navigator.clipboard.write([
        new ClipboardItem({
          "text/plain": new Blob([text], { type: "text/plain" }),
          "text/html": new Blob([html], { type: "text/html" }),
        }),
      ]);
    } else {
      await navigator.clipboard.writeText(text);
    }
  }

  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async function () {
      try {
        await copy(source);
        say(button, "Copied.");
      } catch (error) {
        selectText(source);
        say(button, "Could not copy; the text is selected: press Ctrl+C (⌘C on a Mac).");
      }
    });
  }
})();
