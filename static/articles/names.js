// Suggestions for the pickers that take an outlet's, a topic's or a person's
// name (templates/includes/name_picker.html).
//
// Progressive enhancement: without this script a name typed whole is resolved
// by the server, which answers 400 naming a name it cannot place. With it,
// each picker's <datalist> is filled from /names/<kind>/?q= as the reader
// types. Served from our own origin: the Content-Security-Policy allows no
// inline script (archive/csp.py).
(function () {
  "use strict";

  const WAIT_MS = 150;

  function fill(list, results) {
    list.replaceChildren(
      ...results.map(function (result) {
        const option = document.createElement("option");
        option.value = result.name;
        return option;
      }),
    );
  }

  function attach(input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) {
      return;
    }
    let timer = null;
    let asked = "";
    let controller = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const q = input.value.trim();
        if (q === asked) {
          return;
        }
        asked = q;
        if (controller) {
          controller.abort();
        }
        if (!q) {
          fill(list, []);
          return;
        }
        controller = new AbortController();
        try {
          const url = `${input.dataset.names}?${new URLSearchParams({ q: q })}`;
          const response = await fetch(url, { signal: controller.signal });
          if (response.ok) {
            fill(list, (await response.json()).results);
          }
        } catch (error) {
          // Aborted by a newer question, or offline: the typed name still works.
        }
      }, WAIT_MS);
    });
  }

  for (const input of document.querySelectorAll("input[data-names]")) {
    attach(input);
  }
})();
